"""What the register tells the packages above it, which it does not import.

``activities_changed`` is sent by the services, inside the transaction that saves activities, with the organisation's id
and the ids of the activities saved; the compliance watch re-checks them once that transaction commits
(``processing.compliance.receivers``).
"""

from django.dispatch import Signal

activities_changed = Signal()  # organisation_id: int, activity_ids: list[int]
