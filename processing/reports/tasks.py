"""The reports' background jobs (Celery): prepare an export, read and apply an import, the exports' housekeeping.

Each takes an id and is idempotent; the services send them by name (``core.jobs``)."""

from celery import shared_task

from core import jobs
from processing.reports.services import (
    export_given_up,
    exports_housekeeping,
    import_apply_run,
    import_given_up,
    import_preview_run,
    register_export_run,
)


@shared_task(name="processing.export_register", acks_late=True, reject_on_worker_lost=True)
def export_register(export_id: int) -> dict:
    """Prepare one queued export of the register (``services.register_export_run``; idempotent)."""
    return {"export": export_id, "ran": register_export_run(export_id)}


@shared_task(name="processing.exports_housekeeping", acks_late=True)
def housekeep_exports() -> dict:
    """Delete expired export files, send lost exports again, fail those whose worker died."""
    return exports_housekeeping()


@shared_task(name="processing.preview_import", acks_late=True, reject_on_worker_lost=True)
def preview_import(import_id: int) -> dict:
    """Read an uploaded register and say what importing it would do (``services.import_preview_run``; idempotent)."""

    return {"import": import_id, "ran": import_preview_run(import_id)}


@shared_task(name="processing.apply_import", acks_late=True, reject_on_worker_lost=True)
def apply_import(import_id: int) -> dict:
    """Import a confirmed register, all of it or nothing (``services.import_apply_run``; idempotent)."""

    return {"import": import_id, "ran": import_apply_run(import_id)}


jobs.on_give_up("processing.export_register", lambda args: export_given_up(args[0]))
jobs.on_give_up("processing.preview_import", lambda args: import_given_up(args[0]))
jobs.on_give_up("processing.apply_import", lambda args: import_given_up(args[0]))
