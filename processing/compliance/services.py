"""Every write of the compliance watch but the findings themselves (written by the check, ``check.py``): a finding
acknowledged or its risk accepted, the retention policy, and the check runs (started, claimed, given up,
queued again)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core import jobs
from core.errors import field_error
from core.text import normalise_key
from inventory.models import DataField, DataSubjectCategory
from inventory.services import get_or_create_by_name
from processing.compliance.check import perform_run
from processing.compliance.models import ComplianceRun, Finding, RetentionPolicy
from processing.compliance.rechecks import check_after_commit, run_key
from processing.compliance.retention_references import SEEDS


def finding_acknowledge(*, finding: Finding, user) -> Finding:
    """Someone has seen it and is dealing with it: it stays on the list until fixed."""
    if finding.status != Finding.Status.OPEN:
        raise field_error("status", _("Only an open finding can be acknowledged."), "not_open")
    finding.status, finding.status_changed_by = Finding.Status.ACKNOWLEDGED, user
    finding.save(update_fields=["status", "status_changed_by", "updated_at"])
    return finding


def finding_accept_risk(*, finding: Finding, user, justification: str) -> Finding:
    """The organisation accepts the risk, and says why: it leaves the list of things to deal
    with; if the problem disappears it is resolved, if it comes back after that, reopened."""
    justification = (justification or "").strip()
    if not justification:
        raise field_error("justification", _("Say why the risk is accepted."), "required")
    if finding.status not in (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED):
        raise field_error("status", _("This finding is not open."), "not_open")
    finding.status, finding.status_changed_by, finding.justification = Finding.Status.RISK_ACCEPTED, user, justification
    finding.save(update_fields=["status", "status_changed_by", "justification", "updated_at"])
    return finding


EDITABLE_FIELDS = [
    "name",
    "subject_category",
    "data_category",
    "data_field",
    "maximum",
    "maximum_unit",
    "minimum",
    "minimum_unit",
    "counted_from",
    "source",
]


def _save(policy: RetentionPolicy) -> RetentionPolicy:
    policy.full_clean()
    policy.save()
    check_after_commit(policy.organisation_id)
    return policy


@transaction.atomic
def retention_policy_create(*, organisation: Organisation, **fields) -> RetentionPolicy:
    return _save(RetentionPolicy(organisation=organisation, **fields))


@transaction.atomic
def retention_policy_update(*, policy: RetentionPolicy, **changes) -> RetentionPolicy:
    for name, value in changes.items():
        setattr(policy, name, value)
    return _save(policy)


@transaction.atomic
def retention_policy_delete(*, policy: RetentionPolicy) -> None:
    """Remove a period from the policy (its history keeps it)."""
    check_after_commit(policy.organisation_id)
    policy.delete()


@transaction.atomic
def retention_policy_seed(*, organisation: Organisation, language: str) -> int:
    """Add the French references the policy lacks (by name, ignoring case and accents), in
    English or French. Returns how many periods were added."""

    french = language == "fr"
    known = {normalise_key(name) for name in organisation.retention_policies.values_list("name", flat=True)}
    added = 0
    for english, french_name, people, data_category, field, maximum, minimum, trigger, sources in SEEDS:
        if normalise_key(english) in known or normalise_key(french_name) in known:
            continue
        subject = data_field = None
        if people is not None:
            subject, _created = get_or_create_by_name(
                DataSubjectCategory, organisation, people[1] if french else people[0], also=people
            )
        if field is not None:
            data_field, _created = get_or_create_by_name(
                DataField, organisation, field[1] if french else field[0], also=field, category=data_category
            )
        retention_policy_create(
            organisation=organisation,
            name=french_name if french else english,
            subject_category=subject,
            data_category="" if data_field else data_category,  # the field's own, whatever the catalogue says
            data_field=data_field,
            maximum=maximum[0] if maximum else None,
            maximum_unit=maximum[1] if maximum else "",
            minimum=minimum[0] if minimum else None,
            minimum_unit=minimum[1] if minimum else "",
            counted_from=trigger,
            source=sources[1] if french else sources[0],
        )
        added += 1
    return added


UNFINISHED = (ComplianceRun.Status.QUEUED, ComplianceRun.Status.RUNNING)


def start_compliance_run(organisation: Organisation, *, user=None, origin: str) -> tuple[ComplianceRun, bool]:
    """Start a full check of the organisation, or return the one not finished yet (a DPO who
    clicks twice follows one run). Returns the run and whether it was created.

    The run is sent to the workers once the transaction has committed; ``dispatched_at`` is
    when it was sent, so that the reconcile sends it again if that dispatch is lost.
    """
    with transaction.atomic():
        # Two clicks at once: the second waits for the first's run and finds it.
        Organisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
        run = ComplianceRun.objects.filter(organisation=organisation, status__in=UNFINISHED).first()
        if run is not None:
            return run, False
        run = ComplianceRun(organisation=organisation, origin=origin, requested_by=user, dispatched_at=timezone.now())
        run.full_clean()
        run.save()
        # The job is written with the run (the outbox): a broker that is down delays it, never loses it.
        jobs.enqueue("processing.run_compliance_check", run.pk, key=run_key(organisation.pk))
    return run, True


def check_now(organisation: Organisation):
    """A full check in this process (``check_compliance``, the demo), recorded as a run so the
    findings page says when the register was last checked. Returns the ``CheckResult``."""
    run = ComplianceRun.objects.create(
        organisation=organisation,
        origin=ComplianceRun.Origin.COMMAND,
        status=ComplianceRun.Status.RUNNING,
        started_at=timezone.now(),
        attempts=1,
    )
    return perform_run(run, 1)


# A run belongs to its latest attempt: each change below is a compare-and-set update on the run as the caller read it,
# so two workers (or a worker and the reconcile) never both take it.


def compliance_run_claim(run: ComplianceRun) -> int | None:
    """Take the run for a new attempt (running, its progress reset): the attempt's number, or None if another
    worker took it in between."""
    attempt = run.attempts + 1
    claimed = ComplianceRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
        status=ComplianceRun.Status.RUNNING,
        started_at=timezone.now(),
        attempts=attempt,
        steps_done=0,
        error="",
    )
    return attempt if claimed else None


def compliance_run_give_up(run: ComplianceRun, now) -> bool:
    """Mark the run failed after its attempts, saying why; whether it was still as read."""
    error = (
        f"Gave up after {run.attempts} attempts: the check never finished "
        "(its worker stopped or the database was unavailable)."
    )
    return bool(
        ComplianceRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
            status=ComplianceRun.Status.FAILED, finished_at=now, error=error
        )
    )


def compliance_run_requeue(run: ComplianceRun, now) -> bool:
    """Queue the run again, to be sent now; whether it was still as read."""
    return bool(
        ComplianceRun.objects.filter(
            pk=run.pk, status=run.status, attempts=run.attempts, dispatched_at=run.dispatched_at
        ).update(status=ComplianceRun.Status.QUEUED, dispatched_at=now, steps_done=0)
    )
