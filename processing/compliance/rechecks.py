"""Re-checks sent once the transaction that needs them commits: one per organisation and transaction, of the
activities saved or of the whole register (``check_after_commit``; the breach log has its own ``PendingCheck``)."""

from abc import ABC, abstractmethod

from django.db import transaction

from core import jobs

# Beyond this many activities saved in one transaction, the whole register is re-checked.
SCOPED_CHECK_MAX_ACTIVITIES = 500


class PendingCheck(ABC):
    """An on-commit callback that enqueues one organisation's check. It says which, so that
    a transaction saving many things finds it again (``pending``) and schedules one check
    per organisation, not one per save. Subclasses say what to enqueue."""

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id
        self.done = False

    def __call__(self):
        self.done = True
        self.enqueue()

    @abstractmethod
    def enqueue(self) -> None: ...

    @classmethod
    def pending(cls, organisation_id: int):
        """This kind of check of the organisation, waiting for the current transaction to commit."""
        for entry in getattr(transaction.get_connection(), "run_on_commit", []):
            check = entry[1]
            if type(check) is cls and check.organisation_id == organisation_id and not check.done:
                return check
        return None


class _Check(PendingCheck):
    """A check of the register: of ``activity_ids``, or of the whole register (None)."""

    def __init__(self, organisation_id, activity_ids: set | None):
        super().__init__(organisation_id)
        self.activity_ids = activity_ids

    def enqueue(self):
        activity_ids = None if self.activity_ids is None else sorted(self.activity_ids)
        jobs.send("processing.check_organisation", self.organisation_id, activity_ids)


def check_after_commit(organisation_id: int, activity_id: int | None = None) -> None:
    """Re-check once the current transaction has committed (never inside it): the activity
    ``activity_id`` when only it changed, else the whole organisation."""
    check = _Check.pending(organisation_id)
    if check is None:
        transaction.on_commit(_Check(organisation_id, None if activity_id is None else {activity_id}))
    elif activity_id is None:
        check.activity_ids = None  # the whole register, which covers the activities
    elif check.activity_ids is not None:
        check.activity_ids.add(activity_id)
        if len(check.activity_ids) > SCOPED_CHECK_MAX_ACTIVITIES:
            check.activity_ids = None  # an import, say: one sweep reads them faster
