"""Tasks of the core app: the worker heartbeat, and the outbox's runner and dispatcher (``core.jobs``)."""

import logging
import os
import socket

from celery import shared_task
from celery.signals import worker_ready

from . import jobs
from .services import worker_heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(name="core.record_worker_heartbeat", acks_late=True, reject_on_worker_lost=True)
def record_worker_heartbeat() -> dict:
    """Record which worker ran this and when; safe to run any number of times."""
    hostname = record_worker_heartbeat.request.hostname or f"eager@{socket.gethostname()}"
    heartbeat = worker_heartbeat_record(hostname=hostname, pid=os.getpid())
    return {"hostname": heartbeat.hostname, "pid": heartbeat.pid}


@shared_task(name="core.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> dict:
    """Run one job of the outbox (``core.jobs.run``: taken once, whatever the deliveries)."""
    return jobs.run(job_id)


@shared_task(name="core.dispatch_jobs", acks_late=True)
def dispatch_jobs() -> dict:
    """Send the jobs due and not taken, take back those whose worker stopped (``core.jobs.dispatch_due``)."""
    return jobs.dispatch_due()


@worker_ready.connect
def dispatch_at_worker_start(sender=None, **kwargs):
    """A worker that starts sends what waited while none was there, without waiting for the beat."""
    try:
        dispatch_jobs.apply_async(retry=False)
    except Exception:  # the broker is not there yet: the beat will do it
        logger.warning("Could not ask for the jobs' dispatch at worker start", exc_info=True)
