"""``{{ export.options.as_of|iso_day|date:"DATE_FORMAT" }}``: a day stored as an ISO string
(in JSON options or params), shown as the reader's language writes dates (``core.dates``)."""

from django import template

from core.dates import iso_day as _iso_day

register = template.Library()


@register.filter
def iso_day(value):
    """The date an ISO string holds (None if it holds none), for the ``date`` filter."""
    return _iso_day(value)
