"""Writes of discovery: sources (credentials encrypted), scans started, run and cancelled, proposals decided.

A scan is a job of the outbox (``core.jobs``): written with its row, run by a worker (``discovery.run_scan``), run
again from the start if its worker died. Its results (tables, columns, what each holds) are written in one transaction
at its end: a scan cut short leaves nothing half-written. No sampled value reaches this module: ``discovery.scan``
hands back classifications only.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core import jobs
from inventory.models import DataField
from inventory.services import get_or_create_by_name

from . import secrets
from .models import Scan, ScannedColumn, ScannedTable, Source
from .proposals import data_fields_by_kind
from .scan import DRIVERS, ScanError, scan

logger = logging.getLogger(__name__)

UNFINISHED = (Scan.Status.QUEUED, Scan.Status.RUNNING)
EXAMPLE = "postgresql://user:password@host/database"


class Cancelled(Exception):
    pass


def address_of(url: str) -> tuple[str, str]:
    """The source's kind and its address without user or password ("postgresql://db.example:5432/shop")."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
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
        if not parsed.database:
            raise ValidationError(
                {"url": _("A SQLite source is a file: %(example)s.") % {"example": "sqlite:////path/to/file.sqlite3"}}
            )
        return kind, f"sqlite:///{parsed.database}"
    if not parsed.host or not parsed.database:
        raise ValidationError({"url": _("Give the host and the database: %(example)s.") % {"example": EXAMPLE}})
    port = f":{parsed.port}" if parsed.port else ""
    return kind, f"{kind}://{parsed.host}{port}/{parsed.database}"


def source_create(*, organisation, system, name: str, url: str, scan_every_days: int = 7) -> Source:
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
    source.full_clean()
    source.save()
    return source


def scan_start(source: Source, *, user=None) -> tuple[Scan, bool]:
    """Start a scan of the source, or return the one not finished yet. Returns it and whether it was created."""
    with transaction.atomic():
        Source.objects.select_for_update().only("pk").get(pk=source.pk)
        running = source.scans.filter(status__in=UNFINISHED).first()
        if running is not None:
            return running, False
        started = Scan.objects.create(source=source, requested_by=user)
        jobs.enqueue("discovery.run_scan", started.pk, key=f"discovery-scan:{started.pk}")
    return started, True


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
    Scan.objects.filter(pk=scan_id).update(
        status=Scan.Status.RUNNING, started_at=timezone.now(), steps_done=0, steps_total=0
    )
    source = scanning.source
    fields = data_fields_by_kind(source.organisation)

    def progress(done: int, total: int) -> None:
        # One statement per table: the count moves unless the DPO asked to stop meanwhile.
        if not Scan.objects.filter(pk=scan_id, cancel_requested=False).update(steps_done=done, steps_total=total):
            raise Cancelled

    try:
        tables = scan(
            secrets.decrypt(source.credentials),
            labels={code: field.name for code, field in fields.items()},
            progress=progress,
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
        rows = ScannedTable.objects.bulk_create(
            ScannedTable(
                scan_id=scan_id, schema=table.schema or "", name=table.name, rows=table.rows, reason=table.error or ""
            )
            for table in tables
        )
        ScannedColumn.objects.bulk_create(
            (
                ScannedColumn(
                    table=row,
                    name=column.name[:200],
                    type=column.type[:200],
                    kind=column.classification.kind or "",
                    category=column.classification.category or "",
                    special_category=column.classification.special_category or "",
                    data_field=fields.get(column.classification.kind),
                    proposed_field_name=column.classification.data_field or "",
                    confidence=round(column.classification.confidence, 2),
                    evidence=column.classification.evidence,
                    review=column.classification.review,
                )
                for row, table in zip(rows, tables, strict=True)
                for column in table.columns
            ),
            batch_size=1000,
        )
        return _finish(scan_id, Scan.Status.DONE)


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
