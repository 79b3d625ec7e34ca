"""Writes of discovery: sources (credentials encrypted), scans started, run and cancelled, proposals decided.

A scan is a job of the outbox (``core.jobs``): written with its row, run by a worker (``discovery.run_scan``), run
again from the start if its worker died. Its results (tables, columns, what each holds) are written in one transaction
at its end: a scan cut short leaves nothing half-written. No sampled value reaches this module: ``discovery.scan``
hands back classifications only.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core import jobs
from inventory.models import DataField, System
from inventory.services import get_or_create_by_name
from processing.compliance.rechecks import check_after_commit

from . import secrets
from .models import DateColumn, Scan, ScannedColumn, ScannedTable, Source
from .proposals import data_fields_by_kind
from .scan import DRIVERS, ScanError, TimeLimitReached, scan

logger = logging.getLogger(__name__)

UNFINISHED = (Scan.Status.QUEUED, Scan.Status.RUNNING)
EXAMPLE = "postgresql://user:password@host/database"


class Cancelled(Exception):
    pass


def address_of(url: str) -> tuple[str, str]:
    """The source's kind and its address without user or password ("postgresql://db.example:5432/shop")."""
    try:
        parsed = make_url(url.strip())
        port = parsed.port  # a port that is not a number is refused here (ValueError), a bracket left open too
    except (ArgumentError, ValueError):
        raise ValidationError(
            {"url": _("Enter the database's address, e.g. %(example)s.") % {"example": EXAMPLE}}
        ) from None
    scheme = parsed.drivername.split("+")[0]
    if scheme not in DRIVERS:
        raise ValidationError(
            {
                "url": _("Registre scans PostgreSQL, MySQL, MariaDB and SQLite databases (%(schemes)s).")
                % {"schemes": "postgresql://, mysql://, mariadb://, sqlite:///"}
            }
        )
    kind = DRIVERS[scheme].split("+")[0]  # postgresql, mysql (MariaDB too), sqlite
    if kind == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValidationError(
                {"url": _("A SQLite source is a file: %(example)s.") % {"example": "sqlite:////path/to/file.sqlite3"}}
            )
        return kind, f"sqlite:///{parsed.database}"
    if not parsed.host or not parsed.database or (port is not None and not 0 < port < 65536):
        raise ValidationError({"url": _("Give the host and the database: %(example)s.") % {"example": EXAMPLE}})
    port = f":{port}" if port else ""
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host  # an IPv6 address in brackets, as written
    return kind, f"{kind}://{host}{port}/{parsed.database}"


def source_create(*, organisation, system, name: str, url: str, scan_every_days: int = 7) -> Source:
    """A source of one of the organisation's systems, its URL kept only encrypted. Its name is unique in its system:
    a second one is refused on ``name`` (checked first, and again by the database's constraint under a race)."""
    if system.organisation_id != organisation.pk:
        raise ValidationError({"system": _("Choose one of the organisation's systems.")})
    kind, address = address_of(url)
    source = Source(
        organisation=organisation,
        system=system,
        name=name.strip(),
        kind=kind,
        address=address,
        credentials=secrets.encrypt(url.strip()),
        scan_every_days=scan_every_days,
    )
    _save_named(source)
    return source


def _save_named(source: Source, **save) -> None:
    """Save the source, its name unique in its system: a name taken is refused on ``name``, checked first and again
    by the database's constraint under a race (a savepoint: the caller's transaction survives it)."""
    taken = ValidationError(
        {"name": ValidationError(_("This system already has a source of this name: choose another."), code="unique")}
    )
    if (
        source.name
        and Source.objects.filter(system_id=source.system_id, name=source.name).exclude(pk=source.pk).exists()
    ):
        raise taken
    source.full_clean(validate_constraints=False)  # the name's uniqueness is checked above, said on "name"
    try:
        with transaction.atomic():
            source.save(**save)
    except IntegrityError:
        raise taken from None


def scan_start(
    source: Source, *, user=None, unless_scanned_since: datetime.datetime | None = None
) -> tuple[Scan, bool]:
    """Start a scan of the source, or return the one not finished yet. Returns it and whether it was created.

    ``unless_scanned_since``: no scan is started when one was created since that moment (the latest is returned),
    so that two planners racing (``scans_plan``) start one scan, not two: both decide under the source's lock."""
    with transaction.atomic():
        Source.objects.select_for_update().only("pk").get(pk=source.pk)
        running = source.scans.filter(status__in=UNFINISHED).first()
        if running is not None:
            return running, False
        if unless_scanned_since is not None:
            recent = source.scans.filter(created_at__gt=unless_scanned_since).order_by("-created_at", "-pk").first()
            if recent is not None:
                return recent, False
        started = Scan.objects.create(source=source, requested_by=user)
        jobs.enqueue("discovery.run_scan", started.pk, key=f"discovery-scan:{started.pk}")
    return started, True


def scans_plan(now: datetime.datetime | None = None) -> int:
    """Start the scans that are due (the hourly task ``discovery.plan_scans``); returns how many were started.

    A source is due when its ``scan_every_days`` is not 0 and its latest scan — the last one *created*, whatever
    became of it (done, failed, cancelled) — is that many days old or older; a source never scanned is due at once.
    A source with a scan not finished yet is skipped. Run twice, or by two planners at once, it starts each scan
    once (``scan_start(unless_scanned_since=…)`` decides under the source's lock)."""
    now = now or timezone.now()
    unfinished = Scan.objects.filter(source=OuterRef("pk"), status__in=UNFINISHED)
    candidates = (
        Source.objects.filter(scan_every_days__gt=0)
        .annotate(latest_scan_at=Max("scans__created_at"), scanning=Exists(unfinished))
        .filter(scanning=False)
        .order_by("pk")
    )
    started = 0
    for source in candidates:
        since = now - datetime.timedelta(days=source.scan_every_days)
        if source.latest_scan_at is not None and source.latest_scan_at > since:
            continue
        _scan, created = scan_start(source, unless_scanned_since=since)
        started += created
    return started


def scan_cancel(scanning: Scan) -> None:
    """Ask the scan to stop: a queued one stops at once, a running one after the table it is reading."""
    Scan.objects.filter(pk=scanning.pk, status=Scan.Status.QUEUED).update(
        status=Scan.Status.CANCELLED, finished_at=timezone.now()
    )
    Scan.objects.filter(pk=scanning.pk, status=Scan.Status.RUNNING).update(cancel_requested=True)


def scan_run(scan_id: int) -> str:
    """Run the scan (the body of the ``discovery.run_scan`` job); returns its final status. Run again after its
    worker died, it starts over: nothing of the earlier attempt was written."""
    scanning = Scan.objects.select_related("source__organisation").filter(pk=scan_id).first()
    if scanning is None or scanning.status not in UNFINISHED:
        return scanning.status if scanning else "gone"
    # Compare-and-set: a scan cancelled since it was read stays cancelled.
    if not Scan.objects.filter(pk=scan_id, status__in=UNFINISHED).update(
        status=Scan.Status.RUNNING, started_at=timezone.now(), steps_done=0, steps_total=0
    ):
        return Scan.objects.filter(pk=scan_id).values_list("status", flat=True).first() or "gone"
    source = scanning.source
    fields = data_fields_by_kind(source.organisation)
    # DISCOVERY_SCAN_TIME_LIMIT: no table is begun past it, so no worker is held much beyond it (a table's own
    # statements have their time limit); the tables not read get the reason timeout, what was read is kept.
    deadline = time.monotonic() + settings.DISCOVERY_SCAN_TIME_LIMIT

    def progress(done: int, total: int) -> None:
        # One statement per table: the count moves unless the DPO asked to stop meanwhile.
        if not Scan.objects.filter(pk=scan_id, cancel_requested=False).update(steps_done=done, steps_total=total):
            raise Cancelled
        if done < total and time.monotonic() >= deadline:
            raise TimeLimitReached

    dated = {(row.schema, row.table): row.column for row in source.date_columns.all()}
    try:
        tables = scan(
            secrets.decrypt(source.credentials),
            labels={code: field.name for code, field in fields.items()},
            progress=progress,
            dated=dated,
        )
    except Cancelled:
        return _finish(scan_id, Scan.Status.CANCELLED)
    except ScanError as error:
        return _finish(scan_id, Scan.Status.FAILED, error.reason)
    except secrets.UnreadableSecret:
        return _finish(scan_id, Scan.Status.FAILED, Scan.Reason.KEY)
    except jobs.TRANSIENT:
        raise  # Registre's own database away: the job waits its back-off and the scan starts over
    except Exception:
        _finish(scan_id, Scan.Status.FAILED, Scan.Reason.CRASH)
        raise  # the job fails with its traceback logged; the page says the scan stopped on an error
    with transaction.atomic():
        # Locked until the results are written: a source deleted meanwhile (its scans with it) or a scan cancelled
        # while it ran gets nothing written.
        if (stopped := _stopped_meanwhile(scan_id, source.pk)) is not None:
            return stopped
        source.refresh_from_db(fields=["last_scan"])
        # The DPO's decisions on the last scans carry over to the same column holding the same kind of datum.
        decided = _decisions(source)
        rows = ScannedTable.objects.bulk_create(
            ScannedTable(
                scan_id=scan_id,
                schema=table.schema or "",
                name=table.name,
                rows=table.rows,
                reason=table.error or "",
                oldest_record_on=table.oldest,
            )
            for table in tables
        )
        columns = []
        for row, table in zip(rows, tables, strict=True):
            for column in table.columns:
                found = column.classification
                scanned = ScannedColumn(
                    table=row,
                    name=column.name[:200],
                    type=column.type[:200],
                    kind=found.kind or "",
                    category=found.category or "",
                    special_category=found.special_category or "",
                    data_field=fields.get(found.kind),
                    proposed_field_name=found.data_field or "",
                    confidence=round(found.confidence, 2),
                    evidence=found.evidence,
                    review=found.review,
                )
                earlier = decided.get((row.schema, row.name, scanned.name, scanned.kind))
                if earlier is not None:
                    scanned.decision, scanned.data_field_id, scanned.decided_by_id, scanned.decided_at = earlier
                columns.append(scanned)
        ScannedColumn.objects.bulk_create(columns, batch_size=1000)
        Source.objects.filter(pk=source.pk).update(last_scan_id=scan_id)
        _measure_system(source.system_id)
        status = _finish(scan_id, Scan.Status.DONE)
        check_after_commit(source.organisation_id)  # what the system holds is known anew: the drift rules look again
        return status


def _stopped_meanwhile(scan_id: int, source_id: int) -> str | None:
    """In the transaction writing a scan's results: its status if it must write nothing (its source deleted, it
    cancelled while it ran), else None with the source and the scan locked until the results are written."""
    if not Source.objects.select_for_update().filter(pk=source_id).values_list("pk", flat=True):
        return "gone"
    still = Scan.objects.select_for_update().filter(pk=scan_id).values_list("status", "cancel_requested").first()
    if still is None:
        return "gone"
    if still == (Scan.Status.RUNNING, True):
        return _finish(scan_id, Scan.Status.CANCELLED)
    return None if still[0] == Scan.Status.RUNNING else still[0]


CARRIED_FROM_SCANS = 5  # a table the last scans could not read (time limit, a lock) keeps its decisions this long


def _decisions(source: Source) -> dict:
    """The DPO's decisions to carry over to a new scan: (schema, table, column, kind) → (decision, data field, by,
    at), from the source's last finished scans, the latest winning. Not from the last scan alone: a table it could
    not read (its time limit reached, a lock) has no columns there, and its decisions would be lost."""
    scans = list(
        Scan.objects.filter(source=source, status=Scan.Status.DONE)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:CARRIED_FROM_SCANS]
    )
    decided = (
        ScannedColumn.objects.filter(table__scan_id__in=scans)
        .exclude(decision=ScannedColumn.Decision.PROPOSED)
        .order_by("table__scan__created_at", "table__scan_id")
    )
    return {
        (schema, table, name, kind): (decision, field, by, at)
        for schema, table, name, kind, decision, field, by, at in decided.values_list(
            "table__schema", "table__name", "name", "kind", "decision", "data_field_id", "decided_by_id", "decided_at"
        )
    }


def _measure_system(system_id: int) -> None:
    """The system's oldest record: the oldest its sources' last scans measured, when they measured one. A date typed
    by hand is replaced (the measure is the fact); with nothing measured, the system is left as it is."""
    oldest = (
        ScannedTable.objects.filter(
            scan__in=Source.objects.filter(system_id=system_id, last_scan__isnull=False).values("last_scan_id"),
            oldest_record_on__isnull=False,
        )
        .order_by("oldest_record_on")
        .values_list("oldest_record_on", flat=True)
        .first()
    )
    if oldest is None:
        return
    system = System.objects.select_for_update().get(pk=system_id)
    system.oldest_record_on = oldest
    system.oldest_record_measured_at = timezone.now()
    system.save(update_fields=["oldest_record_on", "oldest_record_measured_at", "updated_at"])


def _finish(scan_id: int, status: str, reason: str = "") -> str:
    Scan.objects.filter(pk=scan_id).update(status=status, reason=reason, finished_at=timezone.now())
    return status


def _scan_given_up(args: list) -> None:
    Scan.objects.filter(pk=args[0], status__in=UNFINISHED).update(
        status=Scan.Status.FAILED, reason=Scan.Reason.CRASH, finished_at=timezone.now()
    )


jobs.on_give_up("discovery.run_scan", _scan_given_up)


# --- The DPO's decisions on what a scan proposes ----------------------------------------------


def column_confirm(column: ScannedColumn, *, user, data_field: DataField | None = None) -> ScannedColumn:
    """The column holds what the scan says: recorded with the data field it holds (the one proposed, another of the
    organisation's, or — when the organisation has none — a new catalogue entry named as proposed, of the column's
    category). Only a personal column can be confirmed; a confirmed one can be rejected later, and back."""
    organisation = column.table.scan.source.organisation
    if not column.personal:
        raise ValidationError(_("Nothing personal was found in this column: there is nothing to confirm."))
    with transaction.atomic():
        if data_field is None:
            data_field = column.data_field
        if data_field is None:
            data_field, _created = get_or_create_by_name(
                DataField,
                organisation,
                column.proposed_field_name,
                category=column.category,
                special_category=column.special_category,
            )
        elif data_field.organisation_id != organisation.pk:
            raise ValidationError({"data_field": _("Choose one of the organisation's data fields.")})
        column.data_field = data_field
        _decide(column, ScannedColumn.Decision.CONFIRMED, user)
    return column


def column_reject(column: ScannedColumn, *, user) -> ScannedColumn:
    """The column does not hold what the scan says (a code that looks like a phone number, say)."""
    _decide(column, ScannedColumn.Decision.REJECTED, user)
    return column


def _decide(column: ScannedColumn, decision: str, user) -> None:
    column.decision = decision
    column.decided_by = user
    column.decided_at = timezone.now()
    column.save(update_fields=["data_field", "decision", "decided_by", "decided_at"])
    check_after_commit(column.table.scan.source.organisation_id)  # what the system holds changed: drift rules


def found_data_fields(systems, *, confirmed_only: bool = True) -> dict[int, set[int]]:
    """What each system is known to hold: system → the data fields of the columns the DPO confirmed in its sources'
    last scans (or, ``confirmed_only=False``, the columns proposed as one of them too: all but those rejected). One
    query."""
    found: dict[int, set[int]] = {}
    columns = ScannedColumn.objects.filter(
        data_field__isnull=False,
        table__scan__in=Source.objects.filter(system__in=systems, last_scan__isnull=False).values("last_scan_id"),
    )
    if confirmed_only:
        columns = columns.filter(decision=ScannedColumn.Decision.CONFIRMED)
    else:
        columns = columns.exclude(decision=ScannedColumn.Decision.REJECTED)
    for system_id, field_id in columns.values_list("table__scan__source__system_id", "data_field_id").distinct():
        found.setdefault(system_id, set()).add(field_id)
    return found


# --- The tables whose oldest record a scan measures --------------------------------------------


def date_column_mark(source: Source, *, schema: str, table: str, column: str, user=None) -> DateColumn:
    """Mark the column that dates the table's records (created, last activity): the next scans measure its oldest
    record, which becomes the system's. The column must be one the source's last scan read in that table."""
    scanned = ScannedColumn.objects.filter(
        table__scan_id=source.last_scan_id, table__schema=schema, table__name=table, name=column
    )
    if source.last_scan_id is None or not scanned.exists():
        raise ValidationError({"column": _("Choose a column of this table, as the last scan read it.")})
    marked, created = DateColumn.objects.get_or_create(
        source=source, schema=schema, table=table, defaults={"column": column}
    )
    if not created and marked.column != column:
        marked.column = column
        marked.save(update_fields=["column", "updated_at"])
    return marked


def date_column_clear(source: Source, *, schema: str, table: str, user=None) -> None:
    """The table's records are no longer measured (the system keeps the oldest record last measured)."""
    for marked in DateColumn.objects.filter(source=source, schema=schema, table=table):
        marked.delete()  # one by one: each deletion in the history


# --- Pages: a source edited or deleted, a table's proposals decided at once -------------------


def source_update(source: Source, *, name: str, scan_every_days: int, url: str | None = None, user=None) -> Source:
    """Rename the source or change how often it is scanned; a new URL (blank: keep the credentials) replaces its
    credentials and its address. The history records who changed it, never the credentials."""
    source.name = name.strip()
    source.scan_every_days = scan_every_days
    fields = ["name", "scan_every_days", "updated_at"]
    if url and url.strip():
        source.kind, source.address = address_of(url)
        source.credentials = secrets.encrypt(url.strip())
        fields += ["kind", "address", "credentials"]
    if user is not None:
        source._history_user = user
    _save_named(source, update_fields=fields)
    return source


def source_delete(source: Source, *, user=None) -> None:
    """Delete the source with its scans and what they found: the system is no longer known to hold it, so the drift
    rules look again."""
    organisation_id = source.organisation_id
    if user is not None:
        source._history_user = user
    with transaction.atomic():
        source.delete()
        check_after_commit(organisation_id)


def _table_columns_to_review(table: ScannedTable):
    """The personal columns of the table the DPO has not decided on yet: a decision taken column by column stands."""
    return list(
        table.columns.filter(decision=ScannedColumn.Decision.PROPOSED)
        .exclude(category="")
        .select_related("data_field")
        .order_by("pk")
    )


def table_confirm(table: ScannedTable, *, user) -> int:
    """Confirm every personal column of the table still to review, as ``column_confirm`` does one (each with the data
    field proposed, created when the organisation has none), in one transaction and one re-check. Returns how many."""
    organisation = table.scan.source.organisation
    now = timezone.now()
    with transaction.atomic():
        columns = _table_columns_to_review(table)
        for column in columns:
            if column.data_field is None:
                column.data_field, _created = get_or_create_by_name(
                    DataField,
                    organisation,
                    column.proposed_field_name,
                    category=column.category,
                    special_category=column.special_category,
                )
            column.decision, column.decided_by, column.decided_at = ScannedColumn.Decision.CONFIRMED, user, now
        ScannedColumn.objects.bulk_update(columns, ["data_field", "decision", "decided_by", "decided_at"])
        if columns:
            check_after_commit(organisation.pk)  # what the system holds changed: drift rules
    return len(columns)


def table_reject(table: ScannedTable, *, user) -> int:
    """Reject every personal column of the table still to review (a table of test data, say), as ``column_reject``
    does one, in one transaction and one re-check. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        columns = _table_columns_to_review(table)
        for column in columns:
            column.decision, column.decided_by, column.decided_at = ScannedColumn.Decision.REJECTED, user, now
        ScannedColumn.objects.bulk_update(columns, ["decision", "decided_by", "decided_at"])
        if columns:
            check_after_commit(table.scan.source.organisation_id)
    return len(columns)
