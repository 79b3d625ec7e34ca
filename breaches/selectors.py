"""Reads of the breach log, each carrying the joins its pages need."""

import dataclasses

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from inventory.models import DataField, System
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
    of those storing data in the systems named (three queries).

    A system holds the data of every activity stored in it, chosen or not: the breach form fills in
    only what the DPO chose (``breaches.views``), and proposes the rest with its source
    (``proposed_from_systems``)."""
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


@dataclasses.dataclass
class Proposal:
    """An item the register says a system holds, with where it comes from: to be ticked before it is added."""

    field: str  # the breach's field: data_categories, special_categories or subject_categories
    value: str  # its value there: a category's code, or a category of people's id
    label: str
    sources: list[str] = dataclasses.field(default_factory=list)  # "PA-014 · Customer contracts (Salesforce)"

    @property
    def key(self) -> str:
        return f"{self.field}:{self.value}"


def proposed_from_systems(organisation: Organisation, systems) -> list[Proposal]:
    """The categories of data and of people of the activities storing data in these systems, each with the
    activities (and systems) it comes from: the DPO ticks those the breach affects (four queries)."""
    system_ids = [getattr(item, "pk", item) for item in systems]
    if not system_ids:
        return []
    activities = (
        ProcessingActivity.objects.filter(organisation=organisation, systems__in=system_ids)
        .exclude(status=ProcessingActivity.Status.ARCHIVED)
        .distinct()
        .order_by("reference")
        .prefetch_related(
            Prefetch("systems", queryset=System.objects.filter(pk__in=system_ids).order_by("name")),
            Prefetch("data_fields", queryset=DataField.objects.only("category", "special_category")),
            Prefetch("subject_links", queryset=ActivityDataSubject.objects.select_related("category")),
        )
    )
    categories = dict(DataField.Category.choices)
    specials = dict(DataField.SpecialCategory.choices)
    found: dict[str, Proposal] = {}

    def propose(name, value, label, source):
        proposal = found.setdefault(f"{name}:{value}", Proposal(name, str(value), str(label)))
        if source not in proposal.sources:
            proposal.sources.append(source)

    for activity in activities:
        on = ", ".join(system.name for system in activity.systems.all())
        source = f"{activity.reference} · {activity.name} ({on})"
        for data_field in activity.data_fields.all():
            propose("data_categories", data_field.category, categories.get(data_field.category, ""), source)
            if data_field.special_category:
                special = data_field.special_category
                propose("special_categories", special, specials.get(special, special), source)
        for link in activity.subject_links.all():
            propose("subject_categories", link.category_id, link.category.name, source)
    order = {"data_categories": 0, "special_categories": 1, "subject_categories": 2}
    return sorted(found.values(), key=lambda proposal: (order[proposal.field], proposal.label.casefold()))
