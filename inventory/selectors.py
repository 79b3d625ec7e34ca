"""Reads of the catalogue that take more than one query."""

from django.db.models import Prefetch, QuerySet

from inventory.models import Recipient, System, SystemCountry


def catalogue_entries(model, organisation) -> QuerySet:
    """An organisation's entries of one kind, by name, with what their list shows (a system's countries: a second
    query for the page)."""
    items = model.objects.for_organisation(organisation)
    if model is Recipient:
        items = items.select_related("country")
    if model is System:
        items = items.select_related("hosting_provider").prefetch_related(
            Prefetch("country_links", queryset=SystemCountry.objects.select_related("country").order_by("country_id"))
        )
    return items.order_by("name_key")


def active_counts(organisation, models) -> list[int]:
    """How many entries of each of these kinds the organisation uses (not archived), one query each."""
    return [model.objects.for_organisation(organisation).active().count() for model in models]
