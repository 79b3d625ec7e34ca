"""What a progress page shows (a check run, an export, an import) and its script asks for every second."""

from django.utils.translation import gettext as _


def progress_state(job, progress: str, finished: bool) -> dict:
    """What a progress page shows (a check run, an export) and its script asks for every second."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "percent": job.percent,
        "progress": progress,
        "finished": finished,
    }


def activities_progress_state(job) -> dict:
    """The progress of a job counted in activities (an export, an import)."""
    if job.steps_total:
        progress = _("%(done)d of %(total)d activities") % {"done": job.steps_done, "total": job.steps_total}
    else:
        progress = _("Not started yet")
    if getattr(job, "restarted", False) and not job.is_finished:
        progress = _("Started again from the beginning: the worker running it stopped. %(progress)s") % {
            "progress": progress
        }
    return progress_state(job, progress, job.is_finished)
