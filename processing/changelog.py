"""The organisation's change log: the latest changes to the register, the catalogue and the
organisation's identity and members, newest first, filterable by person, day and kind.

Each history table is asked for its newest entries (one query each), and the lists are
merged: a page costs the same whatever the size of the history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from core.history import SAME_SAVE
from inventory.models import DataField, DataSubjectCategory, Recipient, System
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)

PAGE_SIZE = 50
KINDS = {  # kind of object -> (model, how its history is limited to the organisation)
    "activity": (ProcessingActivity, "organisation_id"),
    "people": (ActivityDataSubject, None),  # rows: through their activity
    "controller": (ControllerParty, None),
    "transfer": (Transfer, None),
    "retention": (RetentionLine, None),
    "security": (SecurityMeasure, None),
    "data_field": (DataField, "organisation_id"),
    "data_subject_category": (DataSubjectCategory, "organisation_id"),
    "recipient": (Recipient, "organisation_id"),
    "system": (System, "organisation_id"),
    "organisation": (Organisation, "id"),
    "membership": (Membership, "organisation_id"),
}
KIND_LABELS = {kind: model._meta.verbose_name for kind, (model, _path) in KINDS.items()}
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    kind: str
    label: str
    action: str
    activity_id: int | None


RELATED = {"people": "category", "transfer": "country", "membership": "user"}


def _label(kind, record) -> str:
    if kind == "activity":
        return f"{record.reference} · {record.name}"
    if kind in RELATED:
        related = getattr(record, RELATED[kind], None)
        return related.name if kind == "transfer" and related else str(related or "?")
    if kind == "retention":
        return f"{record.duration or ''} {record.get_duration_unit_display()}".strip() or record.criteria[:60]
    if kind == "security":
        return record.get_kind_display()
    return getattr(record, "name", f"#{record.id}")


def changelog(organisation, *, user_id=None, start=None, end=None, kind=None, before=None) -> list[Entry]:
    """The newest changes matching the filters (``before``: for the next page), up to one more
    than ``PAGE_SIZE`` so that the caller knows whether older ones exist."""
    entries = []
    for key, (model, path) in KINDS.items():
        if kind and kind != key:
            continue
        if path is None:
            # A row belongs to the organisation through its activity, whose history outlives it.
            activities = ProcessingActivity.history.model.objects.filter(organisation_id=organisation.pk)
            history = model.history.model.objects.filter(activity_id__in=activities.values("id"))
        else:
            history = model.history.model.objects.filter(**{path: organisation.pk})
        if user_id:
            history = history.filter(history_user_id=user_id)
        if start:
            history = history.filter(history_date__gte=start)
        if end:
            history = history.filter(history_date__lte=end)
        if before:
            history = history.filter(history_date__lt=before)
        history = history.select_related("history_user").order_by("-history_date", "-history_id")
        if key in RELATED:
            history = history.select_related(RELATED[key])
        # Several records of one save collapse into one entry: read ahead.
        for record in history[: PAGE_SIZE * 4]:
            entries.append(
                Entry(
                    when=record.history_date,
                    who=record.history_user.username if record.history_user else str(_("system")),
                    kind=str(KIND_LABELS[key]),
                    label=_label(key, record),
                    action=str(ACTIONS[record.history_type]),
                    activity_id=record.id if key == "activity" else getattr(record, "activity_id", None),
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return _collapse_saves(entries)[: PAGE_SIZE + 1]


def _collapse_saves(entries: list[Entry]) -> list[Entry]:
    """One save writes an object, then its links: list it once, as its first action."""
    collapsed = []
    for entry in entries:  # newest first
        last = collapsed[-1] if collapsed else None
        if (
            last is not None
            and (last.kind, last.label, last.who) == (entry.kind, entry.label, entry.who)
            and last.when - entry.when <= SAME_SAVE
        ):
            collapsed[-1] = entry  # keep the earlier action ("created" rather than "changed")
        else:
            collapsed.append(entry)
    return collapsed
