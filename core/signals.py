"""Where each change of the history came from: the web pages or the API.

django-simple-history keeps the request of the change being recorded; its path tells the
two apart. Changes made outside a request (a command, the demo) say nothing; an import says so.
"""

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

API_PREFIX = "/api/"


@receiver(pre_create_historical_record)
def note_where_the_change_came_from(sender, history_instance, **kwargs):
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None and not history_instance.history_change_reason:
        reason = getattr(request, "change_reason", None)  # work done for a user by a worker (core.history)
        history_instance.history_change_reason = reason or ("api" if request.path.startswith(API_PREFIX) else "web")
