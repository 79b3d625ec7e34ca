"""Re-checks of the register after a change, as jobs of the outbox (``core.jobs``): written in the transaction of the
change, one per organisation while it waits for a worker, of the activities saved or of the whole register.

The breach log has its own (``breaches.tasks.check_breaches_after_commit``)."""

from core import jobs

# Beyond this many activities waiting for one re-check, the whole register is re-checked.
SCOPED_CHECK_MAX_ACTIVITIES = 500


def recheck_key(organisation_id: int) -> str:
    return f"processing.check:{organisation_id}"


def run_key(organisation_id: int) -> str:
    return f"processing.run:{organisation_id}"


def breach_check_key(organisation_id: int) -> str:
    """The breach log's own re-check (``breaches.tasks``), named here so the findings page counts it too."""
    return f"breaches.check:{organisation_id}"


def _merge(waiting: list, new: list) -> list:
    """The arguments of one re-check that covers both: the union of their activities, or the whole register."""
    organisation_id, waiting_ids = waiting
    new_ids = new[1]
    if waiting_ids is None or new_ids is None:
        return [organisation_id, None]
    union = sorted(set(waiting_ids) | set(new_ids))
    return [organisation_id, None if len(union) > SCOPED_CHECK_MAX_ACTIVITIES else union]


def check_after_commit(organisation_id: int, activity_ids: list[int] | None = None) -> None:
    """Re-check once the current transaction has committed (never inside it): the activities ``activity_ids`` when
    only they changed, else the whole organisation. The job is written now, with the change: a broker or a worker
    away delays the re-check, never loses it."""
    if activity_ids is not None:
        activity_ids = sorted(activity_ids)
        if len(activity_ids) > SCOPED_CHECK_MAX_ACTIVITIES:
            activity_ids = None  # an import, say: one sweep reads them faster
    jobs.enqueue(
        "processing.check_organisation",
        organisation_id,
        activity_ids,
        key=recheck_key(organisation_id),
        merge=_merge,
    )
