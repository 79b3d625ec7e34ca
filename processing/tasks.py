"""Background checks of the register (Celery).

Tasks take ids, are safe to run any number of times (the check is idempotent), retry when
the database is briefly unavailable, and have the project's time limits.
"""

from celery import shared_task
from django.db import OperationalError, transaction

from accounts.models import Organisation

from .compliance import check_organisation


@shared_task(
    name="processing.check_organisation",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def check_organisation_task(organisation_id: int) -> dict:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return {"organisation": organisation_id, "checked": False}
    result = check_organisation(organisation)
    return {
        "organisation": organisation_id,
        "checked": True,
        "opened": len(result.opened),
        "reopened": len(result.reopened),
        "resolved": len(result.resolved),
    }


@shared_task(name="processing.check_all_organisations", acks_late=True)
def check_all_organisations() -> int:
    """The nightly sweep: one task per organisation."""
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        check_organisation_task.delay(organisation_id)
    return len(ids)


class _Check:
    """The callback that enqueues one organisation's check; it says which, so that a
    transaction saving many things schedules one check per organisation, not one per save."""

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id
        self.done = False

    def __call__(self):
        self.done = True
        check_organisation_task.delay(self.organisation_id)


def check_after_commit(organisation_id: int) -> None:
    """Re-check the organisation once the current transaction has committed (never inside it)."""
    connection = transaction.get_connection()
    pending = getattr(connection, "run_on_commit", [])
    if any(
        isinstance(entry[1], _Check) and entry[1].organisation_id == organisation_id and not entry[1].done
        for entry in pending
    ):
        return
    transaction.on_commit(_Check(organisation_id))
