"""Background checks of the register (Celery).

Tasks take ids, are safe to run any number of times (the check is idempotent), retry when
the database is briefly unavailable, and have the project's time limits.

A full check asked for by a DPO or by the nightly sweep is a ``ComplianceRun``: a row that
says where the check is (its progress bar) and whether it was sent to the workers. A run
belongs to its latest attempt: a worker claims it with a compare-and-set update and writes
its progress and result only while the run is still its own. A dispatch lost after the
commit, or a worker killed mid-run, leaves the run queued or running; the periodic
``reconcile_compliance_runs`` sends it again, and gives up after a few attempts.
"""

import datetime
import functools
import logging
from abc import ABC, abstractmethod

from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation

from .compliance import check_organisation
from .exports import exports_housekeeping, register_export_run
from .models import ComplianceRun

logger = logging.getLogger(__name__)

# A check: redelivered if its worker dies (acknowledged only once done), retried with
# backoff while the database is briefly unavailable.
CHECK_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}

# A run still "running" this long after its worker's hard time limit has lost its worker.
RUNNING_MARGIN = datetime.timedelta(minutes=1)


@shared_task(name="processing.check_organisation", **CHECK_TASK)
def check_organisation_task(organisation_id: int, activity_ids: list[int] | None = None) -> dict:
    """Re-check the organisation, or only the activities ``activity_ids`` (what a change to
    them affects: their findings, and the rules on systems)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return {"organisation": organisation_id, "checked": False}
    result = check_organisation(organisation, activities=activity_ids)
    return {
        "organisation": organisation_id,
        "activities": activity_ids,
        "checked": True,
        "opened": len(result.opened),
        "reopened": len(result.reopened),
        "resolved": len(result.resolved),
    }


@shared_task(name="processing.check_all_organisations", acks_late=True)
def check_all_organisations() -> int:
    """The nightly sweep: one run per organisation (or the one already under way)."""
    organisations = list(Organisation.objects.all())
    for organisation in organisations:
        start_compliance_run(organisation, origin=ComplianceRun.Origin.NIGHTLY)
    return len(organisations)


# --- Runs: a full check that shows its progress ---------------------------------------

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
        # Robust: a broker that is down must not turn the committed request into an error;
        # the reconcile sends the run later.
        transaction.on_commit(functools.partial(run_compliance_check.delay, run.pk), robust=True)
    return run, True


@shared_task(name="processing.run_compliance_check", **CHECK_TASK)
def run_compliance_check(run_id: int) -> dict:
    """Run the checks of one ``ComplianceRun``, moving its progress bar after each rule.

    Safe to run twice: a run that is done (or failed, or taken by a later attempt) is left
    alone, and the check itself is idempotent. A transient database error is retried by
    Celery; any other error marks the run failed.
    """
    run = ComplianceRun.objects.select_related("organisation").filter(pk=run_id).first()
    if run is None or run.status not in UNFINISHED:
        return {"run": run_id, "ran": False}
    if run.attempts >= settings.COMPLIANCE_RUN_MAX_ATTEMPTS:
        _give_up(run, timezone.now())
        return {"run": run_id, "ran": False}
    attempt = run.attempts + 1
    claimed = ComplianceRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
        status=ComplianceRun.Status.RUNNING,
        started_at=timezone.now(),
        attempts=attempt,
        steps_done=0,
        error="",
    )
    if not claimed:
        return {"run": run_id, "ran": False}  # another worker took it in between
    _perform(run, attempt)
    return {"run": run_id, "ran": True, "attempt": attempt}


def _perform(run: ComplianceRun, attempt: int):
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
    return _perform(run, 1)


def _give_up(run: ComplianceRun, now: datetime.datetime) -> bool:
    error = (
        f"Gave up after {run.attempts} attempts: the check never finished "
        "(its worker stopped or the database was unavailable)."
    )
    return bool(
        ComplianceRun.objects.filter(pk=run.pk, status=run.status, attempts=run.attempts).update(
            status=ComplianceRun.Status.FAILED, finished_at=now, error=error
        )
    )


@shared_task(name="processing.reconcile_compliance_runs", acks_late=True)
def reconcile_compliance_runs() -> dict:
    """Send again the runs whose dispatch was lost (still queued long after it was sent) and
    those whose worker died (still running after the hard time limit); fail those that have
    had their attempts. Safe to run twice: each run is taken with a compare-and-set update.
    """
    now = timezone.now()
    lost = now - settings.COMPLIANCE_RUN_REDISPATCH_AFTER
    dead = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - RUNNING_MARGIN
    stale = ComplianceRun.objects.filter(
        Q(status=ComplianceRun.Status.QUEUED, dispatched_at__lt=lost)
        | Q(status=ComplianceRun.Status.QUEUED, dispatched_at__isnull=True, created_at__lt=lost)
        | Q(status=ComplianceRun.Status.RUNNING, started_at__lt=dead)
    ).only("pk", "status", "attempts", "dispatched_at")
    redispatched, failed = [], []
    for run in stale:
        if run.attempts >= settings.COMPLIANCE_RUN_MAX_ATTEMPTS:
            if _give_up(run, now):
                failed.append(run.pk)
            continue
        taken = ComplianceRun.objects.filter(
            pk=run.pk, status=run.status, attempts=run.attempts, dispatched_at=run.dispatched_at
        ).update(status=ComplianceRun.Status.QUEUED, dispatched_at=now, steps_done=0)
        if taken:
            # Expires: while no worker is there, the copies sent every few minutes do not pile up.
            run_compliance_check.apply_async(
                (run.pk,), expires=settings.COMPLIANCE_RUN_REDISPATCH_AFTER.total_seconds()
            )
            redispatched.append(run.pk)
    if redispatched or failed:
        logger.warning("Compliance runs sent again: %s; given up: %s", redispatched, failed)
    return {"redispatched": redispatched, "failed": failed}


# Beyond this many activities saved in one transaction, the whole register is re-checked.
SCOPED_CHECK_MAX_ACTIVITIES = 500


class PendingCheck(ABC):
    """An on-commit callback that enqueues one organisation's check. It says which, so that
    a transaction saving many things finds it again (``pending``) and schedules one check
    per organisation, not one per save. Subclasses say what to enqueue."""

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id
        self.done = False

    def __call__(self):
        self.done = True
        self.enqueue()

    @abstractmethod
    def enqueue(self) -> None: ...

    @classmethod
    def pending(cls, organisation_id: int):
        """This kind of check of the organisation, waiting for the current transaction to commit."""
        for entry in getattr(transaction.get_connection(), "run_on_commit", []):
            check = entry[1]
            if type(check) is cls and check.organisation_id == organisation_id and not check.done:
                return check
        return None


class _Check(PendingCheck):
    """A check of the register: of ``activity_ids``, or of the whole register (None)."""

    def __init__(self, organisation_id, activity_ids: set | None):
        super().__init__(organisation_id)
        self.activity_ids = activity_ids

    def enqueue(self):
        activity_ids = None if self.activity_ids is None else sorted(self.activity_ids)
        check_organisation_task.delay(self.organisation_id, activity_ids)


def check_after_commit(organisation_id: int, activity_id: int | None = None) -> None:
    """Re-check once the current transaction has committed (never inside it): the activity
    ``activity_id`` when only it changed, else the whole organisation."""
    check = _Check.pending(organisation_id)
    if check is None:
        transaction.on_commit(_Check(organisation_id, None if activity_id is None else {activity_id}))
    elif activity_id is None:
        check.activity_ids = None  # the whole register, which covers the activities
    elif check.activity_ids is not None:
        check.activity_ids.add(activity_id)
        if len(check.activity_ids) > SCOPED_CHECK_MAX_ACTIVITIES:
            check.activity_ids = None  # an import, say: one sweep reads them faster


@shared_task(name="processing.send_digests", acks_late=True)
def send_digests_task() -> int:
    """The daily digest to each organisation's DPOs (``processing.digest``)."""
    from .digest import send_digests

    return send_digests()


@shared_task(name="processing.export_register", acks_late=True, reject_on_worker_lost=True)
def export_register(export_id: int) -> dict:
    """Prepare one queued export of the register (``exports.register_export_run``; idempotent)."""
    return {"export": export_id, "ran": register_export_run(export_id)}


@shared_task(name="processing.exports_housekeeping", acks_late=True)
def housekeep_exports() -> dict:
    """Delete expired export files, send lost exports again, fail those whose worker died."""
    return exports_housekeeping()


@shared_task(name="processing.preview_import", acks_late=True, reject_on_worker_lost=True)
def preview_import(import_id: int) -> dict:
    """Read an uploaded register and say what importing it would do (``imports``; idempotent)."""
    from .imports import import_preview_run  # imports → services → tasks: imported when run

    return {"import": import_id, "ran": import_preview_run(import_id)}


@shared_task(name="processing.apply_import", acks_late=True, reject_on_worker_lost=True)
def apply_import(import_id: int) -> dict:
    """Import a confirmed register, all of it or nothing (``imports``; idempotent)."""
    from .imports import import_apply_run

    return {"import": import_id, "ran": import_apply_run(import_id)}
