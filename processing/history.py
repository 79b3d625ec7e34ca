"""An activity's history as people read it: who changed what, when, field by field.

django-simple-history records every save of the activity (with its links to data fields,
recipients and systems) and of each of its rows. This module turns those records into
readable changes ("Systems: + Salesforce; Retention: 3 years → 2 years") with a fixed
number of queries, whatever the length of the history (helpers in ``core.history``).
"""

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history import IGNORED, Change, Names, display, field_changes, labelled, same_save
from inventory.models import Country, DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)

LINKS = {  # m2m field of the activity -> (column in the historical m2m table, catalogue model)
    "data_fields": ("datafield_id", DataField),
    "recipients": ("recipient_id", Recipient),
    "systems": ("system_id", System),
}


def historical_links(name: str):
    """The history table of the activity's link ``name`` (one of ``LINKS``): its entries by historical record
    (``history_id``)."""
    return apps.get_model("processing", f"HistoricalProcessingActivity_{name}")


ROWS = [  # the activity's rows whose history is shown with it, and how to name one
    (ActivityDataSubject, gettext_lazy("Category of people")),
    (ControllerParty, gettext_lazy("Other controller")),
    (Transfer, gettext_lazy("Transfer")),
    (RetentionLine, gettext_lazy("Retention period")),
    (SecurityMeasure, gettext_lazy("Security measure")),
]
# The activity a row belongs to, and the organisation an activity belongs to, never change.
IGNORED_HERE = IGNORED | {"activity", "organisation"}


def activity_history(activity: ProcessingActivity) -> list[Change]:
    """Every recorded change of the activity and of its rows, newest first."""
    names = Names()
    records = list(activity.history.select_related("history_user").order_by("history_date", "history_id"))
    links = _links_by_record(records, names)
    row_records = []
    for model, label in ROWS:
        history = model.history.filter(activity_id=activity.pk).select_related("history_user")
        row_records.append((model, label, list(history.order_by("id", "history_date", "history_id"))))
        for record in row_records[-1][2]:
            names.want_related(model, record, IGNORED_HERE)
    names.load()

    changes = _activity_changes(records, links, names)
    for model, label, history in row_records:
        changes += _row_changes(model, label, history, names)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def _links_by_record(records, names: Names) -> dict:
    """link name → historical record → the keys it links to (their names wanted)."""
    links = {}
    for link_name, (column, model) in LINKS.items():
        through = historical_links(link_name)
        by_record = {}
        for history_id, target in through.objects.filter(history__in=records).values_list("history_id", column):
            by_record.setdefault(history_id, set()).add(target)
            names.want(model, target)
        links[link_name] = by_record
    return links


def _link_changes(links: dict, previous, record, names: Names) -> list[str]:
    """The links added and removed between two records of the activity (``previous`` None: its first)."""
    details = []
    for link_name, (_column, model) in LINKS.items():
        before = links[link_name].get(previous.history_id, set()) if previous else set()
        after = links[link_name].get(record.history_id, set())
        if before != after:
            label = ProcessingActivity._meta.get_field(link_name).verbose_name
            moved = [f"+ {names(model, pk)}" for pk in sorted(after - before)]
            moved += [f"− {names(model, pk)}" for pk in sorted(before - after)]
            details.append(labelled(label, ", ".join(moved)))
    return details


def _activity_changes(records: list, links: dict, names: Names) -> list[Change]:
    """The changes of the activity itself, a save (the activity, then its links) as one change."""
    changes = []
    previous = latest = None
    for record in records:
        if previous is None:  # one record holds the activity as created, with its first links
            latest = Change.of(record, _("Activity"), "created", _link_changes(links, None, record, names))
            changes.append(latest)
        else:
            details = field_changes(ProcessingActivity, previous, record, names, IGNORED_HERE)
            details += _link_changes(links, previous, record, names)
            if details and same_save(latest, record):
                latest.details.extend(details)  # one save writes the activity, then its links
            elif details:
                latest = Change.of(record, _("Activity"), "changed", details)
                changes.append(latest)
        previous = record
    return changes


def _row_changes(model, label, history: list, names: Names) -> list[Change]:
    """The changes of the activity's rows of one kind: each created, changed (field by field) or deleted."""
    changes = []
    previous_by_row = {}
    for record in history:
        before = previous_by_row.get(record.id)
        subject = f"{label} · {_row_name(model, record, names)}"
        if record.history_type == "+":
            changes.append(
                Change.of(record, subject, "created", field_changes(model, model(), record, names, IGNORED_HERE))
            )
        elif record.history_type == "-":
            changes.append(Change.of(record, subject, "deleted"))
        elif before is not None:
            details = field_changes(model, before, record, names, IGNORED_HERE)
            if details:
                changes.append(Change.of(record, subject, "changed", details))
        previous_by_row[record.id] = record
    return changes


def _row_name(model, record, names) -> str:
    if model is ActivityDataSubject:
        return names(DataSubjectCategory, record.category_id)
    if model is Transfer:
        if record.country_id:
            return names(Country, record.country_id)
        return names(InternationalOrganisation, record.international_organisation_id)
    if model is SecurityMeasure:
        return display(model, "kind", record.kind, names)
    if model is ControllerParty:
        return record.name
    # A retention period: "3 years · last contact". Built from the record's own values
    # (simple-history's .instance would fetch the fields history leaves out).
    values = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields if hasattr(record, f.attname)}
    return model(**values).summary


def changes_since(activity: ProcessingActivity, version: int) -> list[Change]:
    """What others changed after ``version`` of the activity (to explain an edit conflict)."""
    seen = activity.history.filter(version=version).order_by("-history_date").values_list("history_date", flat=True)
    since = seen.first()
    return [change for change in activity_history(activity) if since is None or change.when > since]
