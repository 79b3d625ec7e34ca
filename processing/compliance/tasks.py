"""Background checks of the register (Celery).

Tasks take ids, are safe to run any number of times (the check is idempotent), retry when
the database is briefly unavailable, and have the project's time limits.

A full check asked for by a DPO or by the nightly sweep is a ``ComplianceRun``: a row that
says where the check is (its progress bar) and whether it was sent to the workers. A run
belongs to its latest attempt: a worker claims it with a compare-and-set update and writes
its progress and result only while the run is still its own. Its job is in the outbox (``core.jobs``), which sends it
again when its dispatch was lost or its worker died; the periodic ``reconcile_compliance_runs`` is the last net (a
run left unfinished long after: its job written again, through the outbox) and gives up after a few attempts.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Organisation
from core import jobs
from processing.compliance.check import check_organisation, perform_run
from processing.compliance.digest import plan_digests, send_digest
from processing.compliance.models import ComplianceRun
from processing.compliance.rechecks import run_key
from processing.compliance.services import (
    UNFINISHED,
    compliance_run_claim,
    compliance_run_give_up,
    compliance_run_requeue,
    start_compliance_run,
)

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
    """The nightly sweep, planned hourly: a run for each organisation that has had none since the night's sweep time
    (``NIGHTLY_SWEEP_HOUR_UTC``; a run under way is followed, not doubled), so a night whose beat message was lost or
    that had no worker is made up within the hour after. Returns how many organisations were due."""
    since = jobs.last_daily_time(timezone.now(), settings.NIGHTLY_SWEEP_HOUR_UTC)
    checked = ComplianceRun.objects.filter(organisation=OuterRef("pk"), created_at__gte=since)
    due = list(Organisation.objects.exclude(Exists(checked)).order_by("pk"))
    for organisation in due:
        start_compliance_run(organisation, origin=ComplianceRun.Origin.NIGHTLY)
    return len(due)


# --- Runs: a full check that shows its progress ---------------------------------------


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
        compliance_run_give_up(run, timezone.now())
        return {"run": run_id, "ran": False}
    attempt = compliance_run_claim(run)
    if attempt is None:
        return {"run": run_id, "ran": False}  # another worker took it in between
    perform_run(run, attempt)
    return {"run": run_id, "ran": True, "attempt": attempt}


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
    ).only("pk", "organisation_id", "status", "attempts", "dispatched_at")
    redispatched, failed = [], []
    for run in stale:
        if run.attempts >= settings.COMPLIANCE_RUN_MAX_ATTEMPTS:
            if compliance_run_give_up(run, now):
                failed.append(run.pk)
            continue
        if compliance_run_requeue(run, now):
            # Through the outbox: a job of the run still waiting is reused, so copies do not pile up.
            jobs.enqueue("processing.run_compliance_check", run.pk, key=run_key(run.organisation_id))
            redispatched.append(run.pk)
    if redispatched or failed:
        logger.warning("Compliance runs sent again: %s; given up: %s", redispatched, failed)
    return {"redispatched": redispatched, "failed": failed}


@shared_task(name="processing.plan_digests", acks_late=True)
def plan_digests_task() -> int:
    """Hourly: a job in the outbox for each DPO's daily digest that is due (``processing.compliance.digest``)."""
    return plan_digests()


@shared_task(name="processing.send_digest")
def send_digest_task(organisation_id: int, user_id: int) -> bool:
    """One DPO's digest of one organisation (run by the outbox: ``core.run_job``)."""
    return send_digest(organisation_id, user_id)


def _run_given_up(args: list) -> None:
    run = ComplianceRun.objects.filter(pk=args[0], status__in=UNFINISHED).first()
    if run is not None:
        compliance_run_give_up(run, timezone.now())


jobs.on_give_up("processing.run_compliance_check", _run_given_up)
