"""The register as it stood at a given moment, read from the history tables.

Each activity is rebuilt from its last historical record at that moment, with the links
(data fields, recipients, systems) of that very record, the rows (people, transfers,
retention, measures, other controllers) as they stood, and the catalogue entries under
the names and countries they had then. django-simple-history's ``as_of()`` would give
today's many-to-many links; here every part comes from its own history table.

The rebuilt objects are ordinary model instances whose related lists are filled in
advance, so the pages, the completeness check and the exports can read them as they
read the live register, with a fixed number of queries.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation
from core.history import field_changes, labelled
from core.text import normalise_key
from inventory.models import (
    Country,
    DataField,
    DataSubjectCategory,
    InternationalOrganisation,
    Recipient,
    System,
    SystemCountry,
)
from processing.history import IGNORED_HERE, LINKS, historical_links
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from processing.selectors import prefill

EARLIEST_DAY = date(1970, 1, 1)

ROW_MODELS = {
    "subject_links": ActivityDataSubject,
    "controller_parties": ControllerParty,
    "transfers": Transfer,
    "retention_lines": RetentionLine,
    "security_measures": SecurityMeasure,
}


def latest_records(history_model, moment, **filters):
    """The last record of each object at ``moment``, leaving out objects deleted by then."""
    records = history_model.objects.filter(history_date__lte=moment, **filters)
    last = records.values("id").annotate(last=Max("history_id")).values("last")
    return history_model.objects.filter(history_id__in=last).exclude(history_type="-")


def _rebuild(model, record):
    """A model instance with the record's values (no query: fields history leaves out stay empty)."""
    values = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields if hasattr(record, f.attname)}
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def activity_records_as_of(organisation: Organisation, moment: datetime):
    """The historical records that were each activity's state at ``moment`` (a queryset)."""
    return latest_records(ProcessingActivity.history.model, moment, organisation_id=organisation.pk).order_by(
        "reference"
    )


def activities_as_of(organisation: Organisation, moment: datetime, records) -> list[ProcessingActivity]:
    """Rebuild the activities of ``records`` (one page of them) as they stood at ``moment``."""
    records = list(records)
    activities = []
    for record in records:
        activity = _rebuild(ProcessingActivity, record)
        activity._state.fields_cache["organisation"] = organisation
        activity.as_of_record = record
        activities.append(activity)
    by_id = {activity.pk: activity for activity in activities}
    countries = {country.pk: country for country in Country.objects.all()}
    catalogue = _catalogue_as_of(organisation, moment, countries)
    _prefill_links(by_id, {record.history_id: record.id for record in records}, catalogue)
    _prefill_rows(by_id, moment, catalogue, countries)
    return activities


def _catalogue_as_of(organisation: Organisation, moment: datetime, countries: dict) -> dict:
    """The catalogue entries as they were named then, by model and key (an entry without history at that moment,
    say one loaded before history was kept, is shown as it is now); systems with their countries then."""
    catalogue = {}
    for model in (DataField, DataSubjectCategory, Recipient, System):
        entries = {entry.pk: entry for entry in model.objects.filter(organisation=organisation)}
        for record in latest_records(model.history.model, moment, organisation_id=organisation.pk):
            entries[record.id] = _rebuild(model, record)
        for entry in entries.values():
            if model is Recipient:
                entry._state.fields_cache["country"] = countries.get(entry.country_id)
        catalogue[model] = entries
    system_countries = {}
    with_history = set()
    for record in latest_records(SystemCountry.history.model, moment, system_id__in=list(catalogue[System])):
        link = _rebuild(SystemCountry, record)
        system_countries.setdefault(link.system_id, []).append(link)
        with_history.add(link.system_id)
    for link in SystemCountry.objects.filter(system__organisation=organisation).exclude(system_id__in=with_history):
        system_countries.setdefault(link.system_id, []).append(link)
    for links in system_countries.values():
        for link in links:
            link._state.fields_cache["country"] = countries.get(link.country_id)
    for system in catalogue[System].values():
        prefill(system, "country_links", sorted(system_countries.get(system.pk, []), key=lambda link: link.country_id))
    return catalogue


def _prefill_links(by_id: dict, history_ids: dict, catalogue: dict) -> None:
    """The links of each activity's own record (``history_ids``: historical record → activity)."""
    for name, (column, model) in LINKS.items():
        lists = {pk: [] for pk in by_id}
        through = historical_links(name)
        for history_id, target in through.objects.filter(history_id__in=list(history_ids)).values_list(
            "history_id", column
        ):
            entry = catalogue[model].get(target)
            if entry is not None:
                lists[history_ids[history_id]].append(entry)
        for pk, items in lists.items():
            prefill(by_id[pk], name, sorted(items, key=lambda item: normalise_key(item.name)))


def _prefill_rows(by_id: dict, moment: datetime, catalogue: dict, countries: dict) -> None:
    """The rows of each activity as they stood, with what they name."""
    related = {
        "country": countries,
        "category": catalogue[DataSubjectCategory],
        "recipient": catalogue[Recipient],
        "system": catalogue[System],
        "international_organisation": {item.pk: item for item in InternationalOrganisation.objects.all()},
    }
    for name, model in ROW_MODELS.items():
        lists = {pk: [] for pk in by_id}
        for record in latest_records(model.history.model, moment, activity_id__in=list(by_id)).order_by("id"):
            row = _rebuild(model, record)
            for field_name, entries in related.items():
                if hasattr(row, f"{field_name}_id"):
                    row._state.fields_cache[field_name] = entries.get(getattr(row, f"{field_name}_id"))
            lists[row.activity_id].append(row)
        for pk, items in lists.items():
            prefill(by_id[pk], name, items)


def moment_of(day) -> datetime:
    """The end of ``day`` in the user's time zone: "as of 31 January" includes that day.

    Days after tomorrow read as tomorrow and days before 1970 as 1 January 1970: the history
    holds nothing outside that range, and 31 December 9999 in a time zone behind UTC would not
    fit in a datetime.
    """

    day = min(max(day, EARLIEST_DAY), timezone.localdate() + timedelta(days=1))
    return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())


def register_changes(organisation: Organisation, start: datetime, end: datetime) -> dict:
    """What changed in the register between two moments: activities added, removed, changed."""
    before = {a.pk: a for a in activities_as_of(organisation, start, activity_records_as_of(organisation, start))}
    after = {a.pk: a for a in activities_as_of(organisation, end, activity_records_as_of(organisation, end))}
    names = _names_in(before, after)

    def name_of(model, pk):
        return names.get((model, pk), f"#{pk}")

    changed = []
    for pk in sorted(set(before) & set(after), key=lambda pk: after[pk].reference):
        details = _activity_changes(before[pk], after[pk], name_of)
        if details:
            changed.append((after[pk], details))
    return {
        "added": sorted((after[pk] for pk in set(after) - set(before)), key=lambda a: a.reference),
        "removed": sorted((before[pk] for pk in set(before) - set(after)), key=lambda a: a.reference),
        "changed": changed,
    }


def _names_in(*snapshots) -> dict:
    """(model, key) → the name of what the activities of the snapshots name; the later snapshot's name wins."""
    names = {}
    for snapshot in snapshots:
        for activity in snapshot.values():
            for name, (_column, model) in LINKS.items():
                for item in activity._prefetched_objects_cache[name]:
                    names[(model, item.pk)] = item.name
            for row in activity._prefetched_objects_cache["subject_links"]:
                names[(DataSubjectCategory, row.category_id)] = str(row.category)
            for row in activity._prefetched_objects_cache["transfers"]:
                if row.country_id:
                    names[(Country, row.country_id)] = row.country.name
    return names


def _activity_changes(old: ProcessingActivity, new: ProcessingActivity, name_of) -> list[str]:
    """What changed in one activity: its fields, then its links, then its rows."""
    details = field_changes(ProcessingActivity, old, new, name_of, IGNORED_HERE)
    for name in LINKS:
        old_items = {item.pk: item.name for item in old._prefetched_objects_cache[name]}
        new_items = {item.pk: item.name for item in new._prefetched_objects_cache[name]}
        moved = [f"+ {new_items[key]}" for key in sorted(set(new_items) - set(old_items))]
        moved += [f"− {old_items[key]}" for key in sorted(set(old_items) - set(new_items))]
        if moved:
            details.append(labelled(ProcessingActivity._meta.get_field(name).verbose_name, ", ".join(moved)))
    for name, model in ROW_MODELS.items():
        details += _row_changes(
            model,
            {row.pk: row for row in old._prefetched_objects_cache[name]},
            {row.pk: row for row in new._prefetched_objects_cache[name]},
            name_of,
        )
    return details


def _row_changes(model, old_rows: dict, new_rows: dict, name_of) -> list[str]:
    """Rows of one kind added, removed and changed (field by field)."""
    label = model._meta.verbose_name
    details = [labelled(label, f"+ {new_rows[key]}") for key in sorted(set(new_rows) - set(old_rows))]
    details += [labelled(label, f"− {old_rows[key]}") for key in sorted(set(old_rows) - set(new_rows))]
    for key in sorted(set(old_rows) & set(new_rows)):
        for detail in field_changes(model, old_rows[key], new_rows[key], name_of, IGNORED_HERE):
            details.append(labelled(f"{label} ({new_rows[key]})", detail))
    return details
