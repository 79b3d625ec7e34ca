"""The adequacy decision a transfer row relies on, as of the day a page shows (the register today, or as of a day).

A destination may have had several decisions one after the other (the United Kingdom: Decision (EU) 2021/1772 to
27 December 2025, then its renewal of 19 December 2025 from 28 December 2025): the page cites the one in force on
its day, from the reference data (``AdequacyDecision.objects.by_destination_on``, one query a page).
"""

import datetime

from django import template
from django.utils import timezone

from inventory.models import AdequacyDecision

register = template.Library()


@register.simple_tag
def adequacy_decisions_on(day: datetime.date | None = None) -> dict:
    """The decisions in force on ``day`` (today when None), by destination."""
    return AdequacyDecision.objects.by_destination_on(day or timezone.localdate())


@register.filter
def decision_for(decisions: dict, transfer) -> AdequacyDecision | None:
    """The decision of ``decisions`` for the transfer row's destination (None: none in force that day)."""
    if transfer.country_id:
        return decisions.get(("country", transfer.country_id))
    return decisions.get(("organisation", transfer.international_organisation_id))
