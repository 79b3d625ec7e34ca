"""Where each change of the history came from: the web pages or the API.

django-simple-history keeps the request of the change being recorded; its path tells the
two apart (``core.history.change_origin``). Changes made outside a request (a command, the
demo) say nothing; an import says so.
"""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .history import change_origin


@receiver(pre_create_historical_record)
def note_where_the_change_came_from(sender, history_instance, **kwargs):
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = change_origin()
