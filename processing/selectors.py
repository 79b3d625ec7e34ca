"""Reads of the register, each carrying the joins its pages need."""

import functools

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from core.prepared import KeyedRows
from inventory.models import Country, DataField, Recipient, System, SystemCountry
from processing.extensions import has_open_findings
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)


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


def prefill(instance, name, items) -> None:
    """Fill ``instance.name.all()`` in advance, as prefetch_related() does: with a queryset
    whose results are already there (a list, such as rows rebuilt from history, is wrapped)."""
    if isinstance(items, QuerySet):
        items._fetch_all()
    else:
        rows, items = list(items), instance._meta.get_field(name).related_model._default_manager.none()
        items._result_cache = rows
    items._prefetch_done = True
    instance._prefetched_objects_cache = getattr(instance, "_prefetched_objects_cache", {})
    instance._prefetched_objects_cache[name] = items


def activity_with_details(organisation: Organisation, pk) -> ProcessingActivity:
    """One activity of the organisation with everything its record page reads (404 if none).

    The same content as ``activities_with_details`` in as many queries, each written
    directly: for one activity, prefetch_related()'s machinery cost a quarter of the page.
    """
    # Whether it has findings to deal with, in the same query: most records have none.
    activities = ProcessingActivity.objects.annotate(has_open_findings=has_open_findings())
    activity = get_object_or_404(activities, organisation=organisation, pk=pk)
    pk = activity.pk
    ProcessingActivity.organisation.field.set_cached_value(activity, organisation)
    prefill(activity, "data_fields", DataField.objects.filter(activities=activity))
    prefill(activity, "recipients", Recipient.objects.filter(activities=activity).select_related("country"))
    systems = System.objects.filter(activities=activity)
    prefill(activity, "systems", systems)
    links = {}
    for link in SystemCountry.objects.filter(system__in=[system.pk for system in systems]).select_related("country"):
        links.setdefault(link.system_id, []).append(link)
    for system in systems:
        prefill(system, "country_links", links.get(system.pk, []))
    prefill(activity, "subject_links", ActivityDataSubject.objects.filter(activity=pk).select_related("category"))
    # A transfer's importer is one of the activity's recipients or systems, read above already.
    transfers = Transfer.objects.filter(activity=pk).select_related("country", "international_organisation")
    prefill(activity, "transfers", transfers)
    importers = {
        "recipient": {item.pk: item for item in activity.recipients.all()},
        "system": {item.pk: item for item in activity.systems.all()},
    }
    for transfer in transfers:
        for name, known in importers.items():
            importer = known.get(getattr(transfer, f"{name}_id"))
            if importer is not None:
                Transfer._meta.get_field(name).set_cached_value(transfer, importer)
    prefill(activity, "retention_lines", RetentionLine.objects.filter(activity=pk))
    prefill(activity, "security_measures", SecurityMeasure.objects.filter(activity=pk))
    prefill(activity, "controller_parties", ControllerParty.objects.filter(activity=pk))
    return activity


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


def activity_rows(activity_ids, *, links, rows) -> dict[str, dict[int, list]]:
    """The ``links`` (ids of catalogue entries) and ``rows`` (dicts of column values) of these activities, by
    relation then activity, in one query per relation and in each model's order, as ``activities_for_api``
    prefetches them: without a model instance or a related manager for each (on a page of 50 activities, those cost
    more than everything else the API does)."""
    activity_ids = list(activity_ids)
    found = {}
    for name in links:
        found[name] = _by_activity(_links_of(name).rows(activity_ids))
    for name in rows:
        found[name] = _by_activity((row["activity_id"], row) for row in _rows_of(name).dicts(activity_ids))
    return found


@functools.cache
def _links_of(name: str) -> KeyedRows:
    """(activity id, catalogue entry id) of a link, in the catalogue's order, for a set of activities.

    Read from the link table, joined to the entries for their order: read from the entries, the link was a LEFT JOIN
    (a filter by expression keeps Django's joins outer), which SQLite may not reorder, so it read every entry of the
    catalogue and each one's links (28 ms for a page of 50 activities of a register of 10,000, 0.3 ms so)."""
    field = ProcessingActivity._meta.get_field(name)
    activity, entry, to_entry = field.m2m_column_name(), field.m2m_reverse_name(), field.m2m_reverse_field_name()
    ordering = field.related_model._meta.ordering
    order = [f"-{to_entry}__{key[1:]}" if key[0] == "-" else f"{to_entry}__{key}" for key in ordering]
    return KeyedRows(
        lambda among: (
            field.remote_field.through.objects.filter(among(activity)).order_by(*order).values_list(activity, entry)
        )
    )


@functools.cache
def _rows_of(name: str) -> KeyedRows:
    """Every column of a kind of row (``name``: its related name), in its model's order, for a set of activities."""
    model = ProcessingActivity._meta.get_field(name).related_model
    return KeyedRows(lambda among: model._default_manager.filter(among("activity")).values())


def _by_activity(pairs) -> dict[int, list]:
    grouped = {}
    for activity, item in pairs:
        grouped.setdefault(activity, []).append(item)
    return grouped


def organisation_activities(organisation: Organisation) -> QuerySet[ProcessingActivity]:
    return ProcessingActivity.objects.filter(organisation=organisation)


_STORED_IN = KeyedRows(  # (activity, country) of each country where one of the activity's systems stores data
    lambda among: (
        ProcessingActivity.systems.through.objects.filter(among("processingactivity_id"))
        .values_list("processingactivity_id", "system__country_links__country_id")
        .distinct()
    )
)


def storage_countries(activity_ids) -> dict[int, list]:
    """The distinct countries where each activity's systems store data, in one query."""
    pairs = [(activity, code) for activity, code in _STORED_IN.rows(activity_ids) if code]
    countries = {country.pk: country for country in Country.objects.filter(pk__in={code for _a, code in pairs})}
    result = {}
    for activity, code in sorted(pairs, key=lambda pair: pair[1]):
        result.setdefault(activity, []).append(countries[code])
    return result
