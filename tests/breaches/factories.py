import datetime

from django.utils import timezone

from breaches.services import breach_create


def log_breach(organisation, *, aware_hours_ago: float = 10, author=None, **data):
    """A breach through the service, aware ``aware_hours_ago`` hours ago (detected an hour before)."""
    aware = timezone.now() - datetime.timedelta(hours=aware_hours_ago)
    values = {
        "title": "Lost laptop",
        "description": "A laptop was left on a train.",
        "detected_at": aware - datetime.timedelta(hours=1),
        "aware_at": aware,
        **data,
    }
    return breach_create(organisation=organisation, author=author, **values)
