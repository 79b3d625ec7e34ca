"""Background work of discovery (Celery, through the outbox: ``core.jobs``)."""

from celery import shared_task

from .services import scan_run, scans_plan


@shared_task(name="discovery.run_scan")
def run_scan(scan_id: int) -> dict:
    """Scan one source (``services.scan_run``: started over if run again)."""
    return {"scan": scan_id, "status": scan_run(scan_id)}


@shared_task(name="discovery.plan_scans")
def plan_scans() -> dict:
    """Hourly (beat): start the scans that are due (``services.scans_plan``); run twice, it starts nothing twice."""
    return {"started": scans_plan()}
