"""Reads of the register, each carrying the joins its pages need."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Organisation
from inventory.models import Country, DataField, Recipient, System, SystemCountry

from .models import ActivityDataSubject, ProcessingActivity, Transfer


def activities_with_details(activities: QuerySet[ProcessingActivity]) -> QuerySet[ProcessingActivity]:
    """Everything the register pages and the completeness check read, in a fixed number of queries."""
    return activities.select_related("organisation").prefetch_related(
        "data_fields",
        Prefetch("recipients", queryset=Recipient.objects.select_related("country")),
        Prefetch("systems__country_links", queryset=SystemCountry.objects.select_related("country")),
        Prefetch("subject_links", queryset=ActivityDataSubject.objects.select_related("category")),
        Prefetch(
            "transfers",
            queryset=Transfer.objects.select_related("country", "international_organisation", "recipient", "system"),
        ),
        "retention_lines",
        "security_measures",
        "controller_parties",
    )


def activities_for_api(activities: QuerySet[ProcessingActivity]) -> QuerySet[ProcessingActivity]:
    """What the API answers: the links by id only (no catalogue entries' countries), the
    rows, and what the completeness check reads, in a fixed number of queries."""
    return activities.select_related("organisation").prefetch_related(
        Prefetch("data_fields", queryset=DataField.objects.only("id", "category")),
        Prefetch("recipients", queryset=Recipient.objects.only("id")),
        Prefetch("systems", queryset=System.objects.only("id")),
        "subject_links",
        Prefetch("transfers", queryset=Transfer.objects.select_related("country", "international_organisation")),
        "retention_lines",
        "security_measures",
        "controller_parties",
    )


def organisation_activities(organisation: Organisation) -> QuerySet[ProcessingActivity]:
    return ProcessingActivity.objects.filter(organisation=organisation)


def storage_countries(activity_ids) -> dict[int, list]:
    """The distinct countries where each activity's systems store data, in one query."""
    through = ProcessingActivity.systems.through
    pairs = (
        through.objects.filter(processingactivity_id__in=activity_ids)
        .values_list("processingactivity_id", "system__country_links__country_id")
        .distinct()
    )
    pairs = [(activity, code) for activity, code in pairs if code]
    countries = {country.pk: country for country in Country.objects.filter(pk__in={code for _a, code in pairs})}
    result = {}
    for activity, code in sorted(pairs, key=lambda pair: pair[1]):
        result.setdefault(activity, []).append(countries[code])
    return result
