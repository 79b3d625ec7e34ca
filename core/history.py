"""History as people read it: who changed what, when, field by field.

django-simple-history records every save of the models auditors read. These helpers turn
two of its records into readable differences ("Country: France → United States"), naming
related entries with one query per model, whatever the length of the history. The register
(activities and their rows), the catalogue and the organisation's identity all use them.
"""

import datetime as dt
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from core.fields import ChoiceListField

# Technical columns: they change with every save and say nothing to a reader.
IGNORED = frozenset({"id", "created_at", "updated_at", "name_key", "version"})

# One save writes an object, then its links and rows, moments apart: they read as one change.
SAME_SAVE = timedelta(seconds=2)


@dataclass
class Change:
    when: datetime
    who: str
    subject: str
    kind: str  # "created", "changed" or "deleted"
    details: list[str] = field(default_factory=list)
    via: str = ""  # "web", "api" or "import" (see core.signals); empty for a command, the demo

    @classmethod
    def of(cls, record, subject, kind, details=None) -> "Change":
        """The change a historical ``record`` made."""
        via = record.history_change_reason or ""
        return cls(record.history_date, who(record), subject, kind, details or [], via)


class Names:
    """Names of the entries that history mentions by key (one query per model, at ``load``)."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = {}
        self.names: dict[tuple[type[models.Model], object], str] = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted.setdefault(model, set()).add(pk)

    def want_related(self, model, record, ignored=IGNORED):
        """Every entry a historical ``record`` of ``model`` points to."""
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.name not in ignored:
                self.want(model_field.related_model, getattr(record, model_field.attname, None))

    def load(self):
        for model, pks in self.wanted.items():
            manager = getattr(model, "all_objects", model._default_manager)
            for item in manager.filter(pk__in=pks):
                self.names[(model, item.pk)] = str(getattr(item, "name", "") or item)

    def __call__(self, model, pk) -> str:
        return self.names.get((model, pk), f"#{pk}")


def capitalised(label) -> str:
    label = str(label)
    return f"{label[:1].upper()}{label[1:]}"


def labelled(label, value) -> str:
    """ "Label: value", a line of history, with the separator the language writes (French puts a
    no-break space before the colon: « Durée : — → 3 »)."""
    # Translators: a line of history, a field and what happened to it ("Country: France → United States").
    return _("%(label)s: %(value)s") % {"label": capitalised(label), "value": value}


def display(model, field_name, value, names) -> str:
    """A value of ``model.field_name`` as a reader would say it."""
    model_field = model._meta.get_field(field_name)
    if value in (None, "", []):
        return "—"
    if model_field.is_relation:
        return names(model_field.related_model, value)
    if isinstance(model_field, ChoiceListField):
        return ", ".join(str(model_field.labels.get(item, item)) for item in value)
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(labels.get(item, item)) for item in value)
        return str(labels.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def field_changes(model, old, new, names, ignored=IGNORED) -> list[str]:
    """ "Field: before → after" for each field that differs between two records of ``model``."""
    details = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in ignored:
            continue
        before, after = getattr(old, model_field.attname), getattr(new, model_field.attname)
        if before != after:
            before_text = display(model, model_field.name, before, names)
            after_text = display(model, model_field.name, after, names)
            details.append(labelled(model_field.verbose_name, f"{before_text} → {after_text}"))
    return details


def who(record) -> str:
    user = record.history_user
    return user.username if user else _("system")


def same_save(change: Change, record) -> bool:
    """Whether ``record`` was written by the same save as ``change`` (same person, moments apart)."""
    return change.who == who(record) and record.history_date - change.when <= SAME_SAVE


@dataclass(frozen=True)
class RowSet:
    """Rows that belong to the object and whose changes read as changes of one of its fields
    (a system's countries): their model, the key pointing to the object, the column they
    name, and the field label to show."""

    model: type[models.Model]
    parent: str
    column: str
    label: object


def _record_changes(model, records, subject, names, ignored) -> list[Change]:
    """The changes one object's records tell, oldest first."""
    changes = []
    previous = None
    for record in records:
        if record.history_type == "+" or previous is None:
            details = field_changes(model, model(), record, names, ignored)
            changes.append(Change.of(record, subject, "created", details))
        elif record.history_type == "-":
            changes.append(Change.of(record, subject, "deleted"))
        else:
            details = field_changes(model, previous, record, names, ignored)
            if details:
                changes.append(Change.of(record, subject, "changed", details))
        previous = record
    return changes


def set_history(model, history, *, subject=str, ignored=IGNORED) -> list[Change]:
    """Every recorded change of a set of objects (``history``: their historical records,
    deleted objects included), newest first; each named by ``subject`` of its last record."""
    names = Names()
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    by_object = {}
    for record in records:
        names.want_related(model, record, ignored)
        by_object.setdefault(record.id, []).append(record)
    names.load()
    changes = []
    for own in by_object.values():
        changes += _record_changes(model, own, subject(own[-1]), names, ignored)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def object_history(instance, *, subject, rows: tuple[RowSet, ...] = (), ignored=IGNORED) -> list[Change]:
    """Every recorded change of ``instance`` (and of its ``rows``), newest first."""
    model = type(instance)
    names = Names()
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    for record in records:
        names.want_related(model, record, ignored)
    row_records = []
    for row_set in rows:
        history = row_set.model.history.filter(**{f"{row_set.parent}_id": instance.pk}).select_related("history_user")
        found = list(history.order_by("history_date", "history_id"))
        related = row_set.model._meta.get_field(row_set.column).related_model
        for record in found:
            names.want(related, getattr(record, f"{row_set.column}_id"))
        row_records.append((row_set, related, found))
    names.load()

    changes = _record_changes(model, records, subject, names, ignored)
    for row_set, related, found in row_records:
        for record in found:
            sign = {"+": "+", "-": "−"}.get(record.history_type)
            if sign is None:
                continue
            detail = labelled(row_set.label, f"{sign} {names(related, getattr(record, f'{row_set.column}_id'))}")
            latest = next((change for change in reversed(changes) if change.when <= record.history_date), None)
            if latest is not None and same_save(latest, record):
                latest.details.append(detail)
            else:
                changes.append(Change.of(record, subject, "changed", [detail]))
                changes.sort(key=lambda change: change.when)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


API_PREFIX = "/api/"


def change_origin() -> str:
    """Where a change recorded now comes from: "web", "api", the reason a worker acting for
    someone gave (``acting_as``), or empty outside a request (a command, the demo)."""

    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return ""
    return getattr(request, "change_reason", None) or ("api" if request.path.startswith(API_PREFIX) else "web")


def change_author():
    """The user django-simple-history records as the author of a change made now, if any."""

    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user if user is not None and user.is_authenticated else None


@contextmanager
def acting_as(user, reason: str):
    """Record ``user`` as the author of the history written inside (work a worker does for
    someone, such as an import they confirmed), with ``reason`` as where the change came
    from: outside a request, django-simple-history would record no one."""

    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user, path="", change_reason=reason) if user is not None else previous
    try:
        yield
    finally:
        if previous is None:
            with suppress(AttributeError):
                del context.request
        else:
            context.request = previous
