"""What /healthz checks: the database always; with a broker configured, the broker and a worker alive (its heartbeat,
``core.record_worker_heartbeat``, seen within ``WORKER_SILENCE``).

The answer names what failed, never why: the detail (hosts, users) goes to the log.
"""

import datetime
import logging

from celery import current_app as celery_app  # the project's app (config.celery_app), set as current
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

BROKER_TIMEOUT_SECONDS = 2
# The heartbeat task runs every minute: two minutes without it, no worker is taking jobs.
WORKER_SILENCE = datetime.timedelta(minutes=2)
logger = logging.getLogger(__name__)


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure is the answer, not a crash
        logger.exception("Health check: the database does not answer")
        return "unavailable"
    return None


def broker_problem() -> str | None:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("Health check: the broker does not answer")
        return "unavailable"
    return None


CHECKS = frozenset({"database", "broker", "worker"})


def health_report(wanted=CHECKS) -> tuple[bool, dict]:
    """Return (healthy, report). The report names every check and what failed. ``wanted``: the checks to make
    besides the database (always made), e.g. only the database for the web container's own liveness."""
    checks = {"database": database_problem()}
    if settings.REDIS_URL and "broker" in wanted:
        checks["broker"] = broker_problem()
    last = None
    if not checks["database"]:
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        if settings.REDIS_URL and "worker" in wanted:
            checks["worker"] = None if last and last >= timezone.now() - WORKER_SILENCE else "not seen"
    failed = sorted(name for name, problem in checks.items() if problem)
    report = {
        "status": "fail" if failed else "ok",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
        "failed": failed,
    }
    if not checks["database"]:
        report["worker_last_seen"] = last.isoformat() if last else None
    return not failed, report
