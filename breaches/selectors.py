"""Reads of the breach log, each carrying the joins its pages need."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from inventory.models import DataField
from processing.models import ActivityDataSubject, ProcessingActivity

from .models import Breach, TimelineEntry


def organisation_breaches(organisation: Organisation) -> QuerySet[Breach]:
    return Breach.objects.filter(organisation=organisation).select_related("organisation")


def breach_with_details(organisation: Organisation, pk) -> Breach:
    """One breach of the organisation with what its page reads (404 if none)."""
    return get_object_or_404(
        organisation_breaches(organisation).prefetch_related(
            "systems",
            "activities",
            "subject_categories",
            Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author")),
        ),
        pk=pk,
    )


def affected_from_register(organisation: Organisation, *, activities=(), systems=()) -> dict:
    """What the register says a breach of these activities and systems exposes: the categories
    of data, the special categories and the categories of people of the activities named and
    of those storing data in the systems named (three queries)."""
    concerned = ProcessingActivity.objects.filter(organisation=organisation).exclude(
        status=ProcessingActivity.Status.ARCHIVED
    )
    activity_ids = set(
        concerned.filter(pk__in=[getattr(item, "pk", item) for item in activities]).values_list("pk", flat=True)
    )
    system_ids = [getattr(item, "pk", item) for item in systems]
    if system_ids:
        activity_ids |= set(concerned.filter(systems__in=system_ids).values_list("pk", flat=True))
    fields = (
        DataField.objects.filter(activities__in=activity_ids).values_list("category", "special_category").distinct()
    )
    categories, special = set(), set()
    for category, special_category in fields.distinct():
        categories.add(category)
        if special_category:
            special.add(special_category)
    people = ActivityDataSubject.objects.filter(activity_id__in=activity_ids).values_list("category_id", flat=True)
    order = {code: index for index, code in enumerate(DataField.Category.values)}
    special_order = {code: index for index, code in enumerate(DataField.SpecialCategory.values)}
    return {
        "data_categories": sorted(categories, key=order.get),
        "special_categories": sorted(special, key=special_order.get),
        "subject_categories": sorted(set(people)),
    }
