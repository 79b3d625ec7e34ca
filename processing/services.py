"""Writes of the register. The web forms, the API, imports and the demo all go through here.

An activity is written with its links and rows in one transaction: either all of it is
saved, or nothing. Errors are a ``ValidationError`` whose keys are field names, or paths
to a row's field such as ``transfers.1.mechanism`` (row 1 of the list given).
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.errors import field_error
from inventory.models import CatalogueItem

from .completeness import missing_items
from .models import (
    ACTIVITY_HISTORY,
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from .selectors import activities_with_details
from .tasks import check_after_commit


class EditConflict(ValidationError):
    """Someone else saved the activity since the version the caller edited."""

    def __init__(self, activity: ProcessingActivity, edited_version: int, current_version: int):
        super().__init__(_("Someone else changed this activity while you were editing it."), code="conflict")
        self.activity, self.edited_version, self.current_version = activity, edited_version, current_version


SCALAR_FIELDS = tuple(
    field.name
    for field in ProcessingActivity._meta.concrete_fields
    if field.editable and field.name not in ("id", "organisation", "created_at", "updated_at")
)
LINK_FIELDS = ("data_fields", "recipients", "systems")
ROW_MODELS = {
    "transfers": Transfer,
    "retention_lines": RetentionLine,
    "security_measures": SecurityMeasure,
    "controller_parties": ControllerParty,
}


def next_reference(organisation: Organisation) -> str:
    """The next free "PA-nnn" reference of the organisation's register."""
    numbers = [
        int(match.group(1))
        for reference in ProcessingActivity.objects.filter(organisation=organisation).values_list(
            "reference", flat=True
        )
        if (match := re.fullmatch(r"PA-(\d+)", reference))
    ]
    return f"PA-{max(numbers, default=0) + 1:03d}"


def _check_catalogue_items(organisation, name, items, allowed_archived_ids) -> list:
    """Links must point to the organisation's own catalogue, and archived items only if kept."""
    items = list(items)
    for item in items:
        if not isinstance(item, CatalogueItem) or item.organisation_id != organisation.pk:
            raise field_error(name, _("Choose entries of your own catalogue."), "invalid_choice")
        if item.is_archived and item.pk not in allowed_archived_ids:
            raise field_error(
                name, _("“%(name)s” is archived: restore it in the catalogue first.") % {"name": item.name}, "archived"
            )
    return items


def _replace_rows(activity, name, rows) -> None:
    """Make the activity's rows of one kind exactly ``rows`` (dicts; with "id" to update one).

    Rows left out are deleted first, so that a row may take the place of one removed in the
    same request; each row is validated (uniqueness included) then saved, and any error
    rolls the whole write back.
    """
    model = ROW_MODELS[name]
    existing = {row.pk: row for row in getattr(activity, name).all()}
    rows = [dict(values) for values in rows]
    ids = [values["id"] for values in rows if values.get("id") is not None]
    if len(ids) != len(set(ids)):
        raise field_error(name, _("The same row appears twice."), "duplicate")
    kept = set(ids)
    if kept - set(existing):
        raise field_error(name, _("A row does not belong to this activity."), "invalid")
    getattr(activity, name).exclude(pk__in=kept).delete()
    errors = {}
    for index, values in enumerate(rows):
        row_id = values.pop("id", None)
        row = existing[row_id] if row_id is not None else model(activity=activity)
        for field, value in values.items():
            setattr(row, field, value)
        try:
            row.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"{name}.{index}.{field}"] = messages
            continue
        row.save()
    if errors:
        raise ValidationError(errors)


def _apply(
    activity: ProcessingActivity,
    data: dict,
    keep_archived: frozenset = frozenset(),
    expected_version: int | None = None,
) -> ProcessingActivity:
    """Write ``data`` on the activity. Archived catalogue entries may stay linked (or, for a
    copy, be in ``keep_archived``) but never be newly chosen."""
    unknown = set(data) - set(SCALAR_FIELDS) - set(LINK_FIELDS) - set(ROW_MODELS) - {"data_subjects"}
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    _check_status_change(activity, data)
    created = activity.pk is None
    # One historical record for the whole save, written once the links are set: simple
    # history would otherwise add one per link field changed, each copying every link.
    activity.skip_history_when_saving = True
    activity._history_date = timezone.now()  # dated when the save began, before its rows
    try:
        _write(activity, data, keep_archived, expected_version)
        ACTIVITY_HISTORY.create_historical_record(activity, "+" if created else "~")
    finally:
        del activity.skip_history_when_saving, activity._history_date
    if activity.status == ProcessingActivity.Status.ACTIVE:
        refreshed = activities_with_details(ProcessingActivity.objects.filter(pk=activity.pk)).get()
        missing = missing_items(refreshed)
        if missing:
            messages = [_("An active activity must record every mandatory item. Missing:")]
            messages += [str(item) for item in missing]
            raise ValidationError({"status": [ValidationError(message, code="incomplete") for message in messages]})
    check_after_commit(activity.organisation_id, activity.pk)
    return activity


def _write(activity: ProcessingActivity, data: dict, keep_archived: frozenset, expected_version: int | None) -> None:
    if activity.pk is not None:
        # Lock the row: two saves of one activity run one after the other.
        current = ProcessingActivity.objects.select_for_update().values_list("version", flat=True).get(pk=activity.pk)
        if expected_version is not None and expected_version != current:
            raise EditConflict(activity, expected_version, current)
        activity.version = current + 1
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    if not activity.reference:
        activity.reference = next_reference(activity.organisation)
    activity.full_clean()
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:  # the same reference taken by someone else since full_clean()
        raise field_error(
            "reference", _("Another activity of the register already has this reference."), "unique"
        ) from None

    organisation = activity.organisation
    for name in LINK_FIELDS:
        if name in data:
            current = set(getattr(activity, name).values_list("pk", flat=True)) | keep_archived
            getattr(activity, name).set(_check_catalogue_items(organisation, name, data[name], current))
    if "data_subjects" in data:
        current = dict(activity.subject_links.values_list("category_id", "pk"))
        categories = _check_catalogue_items(
            organisation,
            "data_subjects",
            [entry["category"] for entry in data["data_subjects"]],
            set(current) | keep_archived,
        )
        if len({category.pk for category in categories}) != len(categories):
            raise field_error("data_subjects", _("Each category of people appears once."), "duplicate")
        activity.subject_links.exclude(category__in=categories).delete()
        links = {link.category_id: link for link in activity.subject_links.all()}
        for entry in data["data_subjects"]:
            link = links.get(entry["category"].pk) or ActivityDataSubject(activity=activity, category=entry["category"])
            link.approximate_count = entry.get("approximate_count")
            try:
                link.full_clean()
            except ValidationError as error:
                raise ValidationError({"data_subjects": error.messages}) from error
            link.save()
    for name in ROW_MODELS:
        if name in data:
            _replace_rows(activity, name, data[name])


def _check_status_change(activity: ProcessingActivity, data: dict) -> None:
    """An archived activity is only restored (as a draft); nothing else changes it."""
    if activity.pk is None:
        return
    current = ProcessingActivity.objects.filter(pk=activity.pk).values_list("status", flat=True).first()
    if current == ProcessingActivity.Status.ARCHIVED and data != {"status": ProcessingActivity.Status.DRAFT}:
        raise field_error("status", _("This activity is archived: restore it before changing it."), "archived")


@transaction.atomic
def activity_create(*, organisation: Organisation, **data) -> ProcessingActivity:
    """Record a new activity (a draft unless ``status`` says otherwise) with its links and rows."""
    return _apply(ProcessingActivity(organisation=organisation), data)


@transaction.atomic
def activity_update(*, activity: ProcessingActivity, expected_version: int | None = None, **data) -> ProcessingActivity:
    """Change an activity. With ``expected_version`` (what a form or an API client edited),
    refuse with ``EditConflict`` if someone else saved it in the meantime."""
    return _apply(activity, data, expected_version=expected_version)


def activity_activate(*, activity: ProcessingActivity) -> ProcessingActivity:
    """Make a draft active: refused, with the list of what is missing, unless it is complete."""
    return activity_update(activity=activity, status=ProcessingActivity.Status.ACTIVE)


def activity_archive(*, activity: ProcessingActivity) -> ProcessingActivity:
    """Take an activity out of the current register; it stays readable, with its history."""
    return activity_update(activity=activity, status=ProcessingActivity.Status.ARCHIVED)


def activity_restore(*, activity: ProcessingActivity) -> ProcessingActivity:
    """Bring an archived activity back as a draft, to be checked and activated again."""
    if activity.status != ProcessingActivity.Status.ARCHIVED:
        raise field_error("status", _("Only an archived activity can be restored."), "not_archived")
    return activity_update(activity=activity, status=ProcessingActivity.Status.DRAFT)


@transaction.atomic
def activity_clone(*, activity: ProcessingActivity) -> ProcessingActivity:
    """A new draft with the same content, links and rows, under the next free reference."""
    source = activities_with_details(ProcessingActivity.objects.filter(pk=activity.pk)).get()
    data = {field: getattr(source, field) for field in SCALAR_FIELDS}
    name_length = ProcessingActivity._meta.get_field("name").max_length
    data.update(
        reference="",
        name=(_("Copy of %(name)s") % {"name": source.name})[:name_length],
        status=ProcessingActivity.Status.DRAFT,
        data_fields=list(source.data_fields.all()),
        recipients=list(source.recipients.all()),
        systems=list(source.systems.all()),
        data_subjects=[
            {"category": link.category, "approximate_count": link.approximate_count}
            for link in source.subject_links.all()
        ],
    )
    for name, model in ROW_MODELS.items():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if field.name not in ("id", "activity", "created_at", "updated_at")
        ]
        data[name] = [{field: getattr(row, field) for field in fields} for row in getattr(source, name).all()]
    # The copy keeps the source's links, archived catalogue entries included.
    keep_archived = frozenset(
        item.pk
        for item in [*data["data_fields"], *data["recipients"], *data["systems"]]
        + [entry["category"] for entry in data["data_subjects"]]
        if item.is_archived
    )
    return _apply(ProcessingActivity(organisation=source.organisation), data, keep_archived=keep_archived)
