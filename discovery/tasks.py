"""Background work of discovery (Celery, through the outbox: ``core.jobs``)."""

from celery import shared_task

from .services import scan_run


@shared_task(name="discovery.run_scan")
def run_scan(scan_id: int) -> dict:
    """Scan one source (``services.scan_run``: started over if run again)."""
    return {"scan": scan_id, "status": scan_run(scan_id)}
