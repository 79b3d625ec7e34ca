"""What /healthz checks: the database always, the broker when one is configured.

The answer names what failed, never why: the detail (hosts, users) goes to the log.
"""

import logging

from celery import current_app as celery_app  # the project's app (config.celery_app), set as current
from django.conf import settings
from django.db import connection

from .models import WorkerHeartbeat

BROKER_TIMEOUT_SECONDS = 2
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


def health_report() -> tuple[bool, dict]:
    """Return (healthy, report). The report names every check and what failed."""
    checks = {"database": database_problem()}
    if settings.REDIS_URL:
        checks["broker"] = broker_problem()
    failed = sorted(name for name, problem in checks.items() if problem)
    report = {
        "status": "fail" if failed else "ok",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
        "failed": failed,
    }
    if "database" not in failed:
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        report["worker_last_seen"] = last.isoformat() if last else None
    return not failed, report
