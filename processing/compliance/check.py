"""The compliance check of an organisation: run every rule, keep the findings in step.

Idempotent: a problem found again keeps its finding (acknowledged or accepted, it stays so);
a problem that comes back reopens its finding; a finding whose problem is gone is resolved.
Running the check twice changes nothing but each finding's "last seen". Set-based: a fixed
number of queries whatever the size of the register.
"""

import datetime
import json
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, connections, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from accounts.models import Organisation
from core.bulk import analyze_after_commit, insert_history, insert_rows
from inventory.models import System
from processing.compliance.models import ComplianceRun, Finding, RegisterCheck
from processing.compliance.rules.registry import RAISED_LISTENERS, load, only_activities, only_systems
from processing.models import ProcessingActivity

# What a check compares: it reads these columns of every finding, and whole findings only for
# those it changes.
COMPARED = ("id", "rule", "subject_type_id", "subject_id", "severity", "params", "status")
ID, RULE, SUBJECT_TYPE, SUBJECT_ID, SEVERITY, PARAMS, STATUS = range(len(COMPARED))
# What a new finding's rows give (``_insert_findings``), besides the values all of them share.
NEW_FIELDS = ("rule", "subject_type_id", "subject_id", "severity", "params")
CHANGED_FIELDS = ["status", "severity", "params", "resolved_at", "status_changed_by", "justification", "updated_at"]


GRAVITY = {Finding.Severity.LOW: 0, Finding.Severity.MEDIUM: 1, Finding.Severity.HIGH: 2}


@dataclass
class CheckResult:
    opened: list = field(default_factory=list)
    reopened: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    escalated: list = field(default_factory=list)  # found again, graver than before
    unchanged: int = 0

    @property
    def raised(self) -> bool:
        """Whether something is to be dealt with that was not before."""
        return bool(self.opened or self.reopened or self.escalated)


def check_organisation(
    organisation: Organisation,
    *,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    activities: Collection[int] | None = None,
    families: Collection[str] | None = None,
) -> CheckResult:
    """Run the rules on the organisation's register as of ``today`` and record the result.

    ``activities``: the ids of the activities a change concerns, to re-check them alone
    (their findings; the rules on systems still weigh every activity; rules that do not
    read the register are left out); ``families``: only the rules of these families (the
    periodic breach check). Either way only the findings of the rules run are reconciled.
    None for both: every rule, every finding. ``progress(done, total)`` is told after each
    rule, so that a run can show how far it is; the findings are written at the end, in one
    transaction, and the listeners of the families with findings raised are told once it has
    committed.
    """
    today = today or timezone.localdate()
    rules = [
        rule
        for rule in load().values()
        if (families is None or rule.family in families) and (activities is None or rule.reads_register)
    ]
    systems = _systems_touched(activities) if activities is not None else None
    found = _find(organisation, today, rules, activities, systems, progress)
    now = timezone.now()
    result = CheckResult()
    findings = _findings_of_this_check(organisation, rules, families, activities, systems)
    with transaction.atomic():
        # Rows, not objects: a finding found again as it was costs no model instance.
        existing = {
            (row[RULE], row[SUBJECT_TYPE], row[SUBJECT_ID]): row
            for row in findings.select_for_update().order_by().values_list(*COMPARED)
        }
        new, found_again, gone = _compare(existing, found, result)
        changed = list(Finding.objects.in_bulk([*found_again, *gone]).values()) if found_again or gone else []
        whole = families is None and activities is None
        # Read only when a finding is resolved (the one case that needs it): a breach check stays within its budget.
        last_whole = RegisterCheck.objects.filter(organisation=organisation).values_list("checked_at", flat=True)
        _change(changed, found_again, now, result, last_whole.first() if gone else None)
        if new:
            _insert_findings(organisation, new, now)
            result.opened = [key for key, _severity, _params in new]
        if changed:
            for finding in changed:
                finding.updated_at = now
            bulk_update_with_history(changed, Finding, [*CHANGED_FIELDS, "last_seen_at"], batch_size=500)
        # Every finding not resolved now was found by this check: seen again. A whole check says so once, for all;
        # a check of some activities or families, on each of its few findings (without a history entry: the
        # column is not tracked).
        if whole:
            RegisterCheck.objects.update_or_create(organisation=organisation, defaults={"checked_at": now})
        else:
            findings.exclude(status=Finding.Status.RESOLVED).update(last_seen_at=now)
        _tell_listeners(organisation, result)
    return result


def _systems_touched(activities: Collection[int]) -> set[int]:
    """The systems whose verdict a change to ``activities`` may have changed: those they store data in now, or did in
    an earlier version (a link removed). A change to a system itself re-checks the whole register."""
    links = ProcessingActivity.systems.through.objects.filter(processingactivity_id__in=activities)
    past = HistoricalRecords.m2m_models[ProcessingActivity._meta.get_field("systems")].objects.filter(
        processingactivity_id__in=activities
    )
    return {
        *links.values_list("system_id", flat=True),
        *past.exclude(system_id=None).values_list("system_id", flat=True).distinct(),
    }


def _find(organisation, today, rules, activities, systems, progress) -> dict:
    """(rule, content type, key) → (severity, params) of every hit of the rules, telling ``progress`` after each."""
    found = {}
    # A hit's model → its content type's key: ``get_for_model`` is cached but cost 0.8 s a first sweep of 100,000
    # activities, called for each of its 280,000 hits.
    types = {}
    for done, rule in enumerate(rules, start=1):
        scope = nullcontext()
        if activities is not None and rule.per_activity:
            scope = only_activities(activities)
        elif systems is not None and rule.per_system:
            scope = only_systems(systems)
        with scope:  # the hits are read inside: a rule finds them as it is iterated
            for hit in rule.find(organisation, today):
                subject_type = types.get(hit.model)
                if subject_type is None:
                    subject_type = types[hit.model] = ContentType.objects.get_for_model(hit.model).pk
                found[(rule.code, subject_type, hit.pk)] = (hit.severity or rule.severity, hit.params)
        if progress is not None:
            progress(done, len(rules))
    return found


def _findings_of_this_check(organisation, rules, families, activities, systems):
    """The findings this check reconciles: those of the rules it ran, on the activities and systems it checked (and
    the organisation itself). Named by their subjects, so that the index on them finds the few a change concerns."""
    findings = Finding.objects.filter(organisation=organisation)
    if families is not None or activities is not None:  # the other rules' findings are not this check's
        findings = findings.filter(rule__in=[rule.code for rule in rules])
    if activities is not None:  # the findings of other activities and systems are not this check's
        type_of = ContentType.objects.get_for_model
        findings = findings.filter(
            Q(subject_type=type_of(ProcessingActivity), subject_id__in=activities)
            | Q(subject_type=type_of(System), subject_id__in=systems)
            | Q(subject_type=type_of(Organisation), subject_id=organisation.pk)
        )
    return findings


def _compare(existing: dict, found: dict, result: CheckResult) -> tuple[list, dict, list]:
    """What is new, what was found again but differs (or was resolved), and what is gone."""
    new, found_again, gone = [], {}, []
    for key, (severity, params) in found.items():
        row = existing.get(key)
        if row is None:
            new.append((key, severity, params))
        elif row[STATUS] != Finding.Status.RESOLVED and (row[SEVERITY], row[PARAMS]) == (severity, params):
            result.unchanged += 1
        else:
            found_again[row[ID]] = (severity, params)
    for key, row in existing.items():
        if key not in found and row[STATUS] != Finding.Status.RESOLVED:
            gone.append(row[ID])
    return new, found_again, gone


def _change(changed: list, found_again: dict, now, result: CheckResult, last_whole) -> None:
    """Reopen, escalate or update the findings found again; resolve the others (not saved here). A finding resolved
    was last seen by the last whole check (``last_whole``) if it was later than its own last sighting."""
    for finding in changed:
        if finding.status != Finding.Status.RESOLVED and last_whole is not None:
            finding.last_seen_at = max(finding.last_seen_at, last_whole)
        if finding.pk in found_again:
            finding.last_seen_at = now
            severity, finding.params = found_again[finding.pk]
            if finding.status == Finding.Status.RESOLVED:
                finding.status, finding.resolved_at = Finding.Status.OPEN, None
                finding.status_changed_by, finding.justification = None, ""
                result.reopened.append(finding)
            elif GRAVITY[severity] > GRAVITY[finding.severity]:
                result.escalated.append(finding)
            finding.severity = severity
        else:
            finding.status, finding.resolved_at = Finding.Status.RESOLVED, now
            result.resolved.append(finding)


def _tell_listeners(organisation: Organisation, result: CheckResult) -> None:
    """In the check's transaction, tell the families that listen (``registry.on_findings_raised``) that findings of
    theirs opened, came back or became graver, whichever check it was. A listener enqueues what it wants done (an
    email: ``core.jobs.enqueue``), so that it is done if and only if the check commits."""
    if not result.raised:
        return
    rules = load()
    codes = {code for code, _type, _id in result.opened} | {f.rule for f in [*result.reopened, *result.escalated]}
    families = {rules[code].family for code in codes if code in rules}
    for family in sorted(families):
        for listener in RAISED_LISTENERS.get(family, ()):
            listener(organisation, result)


def _insert_findings(organisation: Organisation, new: list, now) -> None:
    """Write the new findings and their history ("created", by nobody) in a few statements.

    The history copies the rows written after the organisation's last finding so far, and no
    others (two checks at one instant, with a frozen clock, stay apart).
    """
    after = Finding.objects.filter(organisation=organisation).aggregate(last=Max("pk"))["last"] or 0
    connection = connections[Finding.objects.db]
    stamp = Finding._meta.get_field("first_detected_at").get_db_prep_save(now, connection)
    # The params as JSON text, what JSONField.get_db_prep_save writes on every backend, without its adapter per row.
    as_json = partial(json.dumps, cls=Finding._meta.get_field("params").encoder)
    insert_rows(
        Finding,
        NEW_FIELDS,
        (
            (code, subject_type, subject_id, severity, as_json(params))
            for (code, subject_type, subject_id), severity, params in new
        ),
        same={
            "created_at": stamp,
            "updated_at": stamp,
            "organisation_id": organisation.pk,
            "status": Finding.Status.OPEN.value,
            "first_detected_at": stamp,
            "last_seen_at": stamp,
            "justification": "",
        },
    )
    insert_history(Finding.objects.filter(organisation=organisation, first_detected_at=now, pk__gt=after), when=now)
    # The next check compares with them by index. Their history is read by finding, or by organisation and date (the
    # digest): its statistics are left to autovacuum (0.7 s of a first sweep of 100,000 activities).
    analyze_after_commit([Finding], rows=len(new), history=False)


def perform_run(run: ComplianceRun, attempt: int):
    """Check the run's organisation, writing progress and result while the run is this attempt's."""
    mine = ComplianceRun.objects.filter(pk=run.pk, status=ComplianceRun.Status.RUNNING, attempts=attempt)

    def progress(done: int, total: int) -> None:
        mine.update(steps_done=done, steps_total=total)

    try:
        result = check_organisation(run.organisation, progress=progress)
    except OperationalError:
        raise  # retried with backoff; the retry claims the run again
    except Exception as error:
        mine.update(
            status=ComplianceRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
        raise
    mine.update(
        status=ComplianceRun.Status.DONE,
        steps_done=F("steps_total"),
        finished_at=timezone.now(),
        opened=len(result.opened),
        reopened=len(result.reopened),
        resolved=len(result.resolved),
    )
    return result
