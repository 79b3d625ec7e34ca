"""Background jobs through a transactional outbox: written with the change that needs them, sent once it commits.

A service that needs a job (a re-check, a check run, an export, an import, an email) calls ``enqueue``: the job's row
(``core.models.Job``) is written in the same database transaction as the change, so the two stand or fall together.
Once the transaction commits, the job is sent to the broker; if that fails (Redis down), the request goes on as usual
and the row waits. ``dispatch_due`` — a Celery beat task every half minute, and at every worker's start — sends again
whatever is due and not yet taken, and takes back the jobs whose worker stopped beating. Redis is a transport, never
the only record.

A worker runs a job through ``run`` (the task ``core.run_job``): it takes the job with a compare-and-set update (a job
delivered twice runs once), beats its heartbeat while the job's own task runs in that process, and records the
outcome: done, back to wait after a transient database error, or failed with its reason. A job names its task by the
name it is registered under with Celery, so that no service imports a task module; tasks are idempotent: a job run
again (after its worker died) changes nothing twice.

Without ``REDIS_URL`` Celery runs eagerly: a job runs in the process once its transaction commits.
"""

import contextlib
import contextvars
import datetime
import logging
import smtplib
import threading
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)

_GIVE_UP: dict[str, Callable] = {}
# The database, the mail server or another service briefly away: the job waits its back-off and is tried again (an
# email is sent at least once: one whose server failed after sending it may go twice).
TRANSIENT = (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)
_current: contextvars.ContextVar[Job | None] = contextvars.ContextVar("current_job", default=None)
# The jobs of this request that could not be sent (``core.middleware.JobsNoticeMiddleware`` tells the user).
_unsent: contextvars.ContextVar[list | None] = contextvars.ContextVar("unsent_jobs", default=None)


def on_give_up(task: str, callback: Callable[[list], None]) -> None:
    """``callback(args)`` when a job of ``task`` is given up (its workers kept stopping): its app marks the row the job
    was for (a check run, an export, an import) as failed, so that no page waits for it for ever."""
    _GIVE_UP[task] = callback


def last_daily_time(now: datetime.datetime, hour_utc: int) -> datetime.datetime:
    """The latest moment at or before ``now`` when a daily job fell due (at ``hour_utc`` o'clock, UTC). Daily work
    (the nightly sweep, the digests) is planned hourly for whatever has not been done since then, so a beat message
    lost or a morning without workers delays it by an hour, never by a day."""
    today = now.astimezone(datetime.UTC).replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return today if today <= now else today - datetime.timedelta(days=1)


def current() -> Job | None:
    """The job being run in this process (its ``attempts`` say whether an earlier attempt was cut short)."""
    return _current.get()


def enqueue(task: str, *args, key: str = "", merge: Callable[[list, list], list] | None = None) -> Job:
    """Write the job ``task(*args)`` in the current transaction and send it once that commits.

    With a ``key``, a job of that key still waiting (not taken by a worker) is reused instead: ``merge(its_args,
    args)`` gives its new arguments (the activities of two re-checks, say), or it is left as it is. One written
    earlier in the same transaction is found without a query (a save of 300 storage countries asks for one re-check)."""
    if key:
        waiting = _written_in_this_transaction(key)
        if waiting is not None:
            _merge_into(waiting, merge, args)
            return waiting
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own in autocommit
        if key:
            waiting = Job.objects.select_for_update().filter(key=key, status=Job.Status.PENDING).order_by("pk").first()
            if waiting is not None:
                _merge_into(waiting, merge, args)
                return waiting
        job = Job.objects.create(task=task, args=list(args), key=key, available_at=timezone.now())
        callback = call_after_commit(dispatch, job.pk, name=f"dispatch({task})")
        callback.job = job
    return job


def _written_in_this_transaction(key: str) -> Job | None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        job = getattr(entry[1], "job", None)
        if job is not None and job.key == key and not getattr(entry[1], "called", False):
            return job
    return None


def _merge_into(job: Job, merge, args) -> None:
    merged = merge(job.args, list(args)) if merge else job.args
    if merged != job.args:
        job.args = merged
        Job.objects.filter(pk=job.pk).update(args=merged)


def dispatch(job_id: int) -> bool:
    """Send a waiting job to the workers now (in eager mode: run it). A broker that does not answer is logged, never
    raised: the job stays waiting and ``dispatch_due`` sends it later. Returns whether it was sent."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(dispatched_at=now):
        return False
    if current_app.conf.task_always_eager:
        current_app.tasks["core.run_job"].apply((job_id,))
        return True
    try:
        # Expires: a copy still queued when the next one is sent is dropped by the worker, not run.
        current_app.tasks["core.run_job"].apply_async((job_id,), expires=settings.JOB_REDISPATCH_SECONDS, retry=False)
    except Exception:  # the broker is down: the row is the record, the dispatcher sends it later
        logger.warning("Job %s could not be sent to the broker; it waits for the dispatcher", job_id, exc_info=True)
        Job.objects.filter(pk=job_id, dispatched_at=now).update(dispatched_at=None)
        unsent = _unsent.get()
        if unsent is not None:
            unsent.append(job_id)
        return False
    return True


def call_after_commit(function, *args, name: str | None = None):
    """``function(*args)`` once the current transaction has committed (at once outside one), robustly: its error is
    logged, never raised into the committed request. The callback has a name for that log (``name``, else the
    function's), which a ``functools.partial`` lacks: Django 5.2 reads ``__qualname__`` to log the error."""

    def call():
        call.called = True
        function(*args)

    call.__qualname__ = name or getattr(function, "__qualname__", repr(function))
    transaction.on_commit(call, robust=True)
    return call


@contextlib.contextmanager
def noting_unsent():
    """Within it, ``unsent()`` lists the jobs that could not be sent to the broker."""
    token = _unsent.set([])
    try:
        yield
    finally:
        _unsent.reset(token)


def unsent() -> list[int]:
    return list(_unsent.get() or [])


# --- In the worker ------------------------------------------------------------------------


def run(job_id: int) -> dict:
    """Take the job and run its handler (the body of ``core.run_job``). Safe to call for a job already taken, done or
    gone: it does nothing."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING, available_at__lte=now).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, error=""
    )
    if not claimed:
        return {"job": job_id, "ran": False}
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=job.attempts)
    token = _current.set(job)
    try:
        with _heartbeat(mine):
            current_app.tasks[job.task](*job.args)  # the task's body, in this process
    except TRANSIENT as error:
        _after_transient_error(job, mine, error)
        return {"job": job_id, "ran": False, "retry": True}
    except Exception as error:
        logger.exception("Job %s (%s) failed", job_id, job.task)
        mine.update(status=Job.Status.FAILED, finished_at=timezone.now(), error=_reason(error))
        return {"job": job_id, "ran": True, "failed": True}
    finally:
        _current.reset(token)
    mine.update(status=Job.Status.DONE, finished_at=timezone.now())
    return {"job": job_id, "ran": True}


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _after_transient_error(job: Job, mine, error: Exception) -> None:
    """A service was briefly away: the job waits its back-off and is sent again, unless it had its attempts (then it
    is given up, and what it was for is marked failed)."""
    logger.warning("Job %s (%s) met a transient error; attempt %s", job.pk, job.task, job.attempts, exc_info=True)
    try:
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            if mine.update(status=Job.Status.FAILED, finished_at=timezone.now(), error=_reason(error)):
                _tell_given_up(job.pk)
        else:
            wait = datetime.timedelta(seconds=min(2**job.attempts * 5, 300))
            mine.update(status=Job.Status.PENDING, available_at=timezone.now() + wait, dispatched_at=None)
    except TRANSIENT:
        pass  # still away: the job's heartbeat stops, and the dispatcher takes it back


@contextlib.contextmanager
def _heartbeat(mine):
    """While the handler runs, a thread marks the job alive every ``JOB_HEARTBEAT_SECONDS`` (its own connection). A
    job whose heartbeat stops (its worker was killed) is taken back by ``dispatch_due``. Not in eager mode: there the
    job runs inside a request, in the request's own time."""
    if current_app.conf.task_always_eager:
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    mine.update(heartbeat_at=timezone.now())
                except TRANSIENT:
                    logger.warning("Job heartbeat not recorded", exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def dispatch_due(now=None) -> dict:
    """Send the jobs that are due and not taken (never sent, their dispatch lost, or their back-off over) and take back
    those whose worker stopped beating: each is sent again, or failed once it has had its attempts. Safe to run any
    number of times, by any number of processes: each job is taken with a compare-and-set update."""
    now = now or timezone.now()
    silent = now - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS)
    taken_back, given_up = [], []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=silent).only("pk", "attempts", "task"):
        stale = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            if stale.update(status=Job.Status.FAILED, finished_at=now, error="The worker running it stopped."):
                given_up.append(job.pk)
                _tell_given_up(job.pk)
        elif stale.update(status=Job.Status.PENDING, available_at=now, dispatched_at=None):
            taken_back.append(job.pk)
    lost = now - datetime.timedelta(seconds=settings.JOB_REDISPATCH_SECONDS)
    due = Job.objects.filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=lost), status=Job.Status.PENDING, available_at__lte=now
    ).values_list("pk", flat=True)
    sent = [job_id for job_id in list(due[: settings.JOB_DISPATCH_BATCH]) if dispatch(job_id)]
    if taken_back or given_up:
        logger.warning("Jobs whose worker stopped: sent again %s, given up %s", taken_back, given_up)
    return {"sent": sent, "taken_back": taken_back, "given_up": given_up}


def _tell_given_up(job_id: int) -> None:
    job = Job.objects.only("task", "args").get(pk=job_id)
    callback = _GIVE_UP.get(job.task)
    if callback is not None:
        try:
            callback(job.args)
        except Exception:  # the job stays failed and logged; the row waits for its own housekeeping
            logger.exception("Job %s given up: its %s could not be marked failed", job_id, job.task)
