"""Writes of the register. The web forms, the API, imports and the demo all go through here.

An activity is written with its links and rows in one transaction: either all of it is
saved, or nothing. Errors are a ``ValidationError`` whose keys are field names, or paths
to a row's field such as ``transfers.1.mechanism`` (row 1 of the list given).
"""

import dataclasses
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.bulk import (
    analyze_after_commit,
    clean_unsaved,
    insert_history,
    insert_instances,
    insert_rows,
    unique_errors,
    unique_keys,
)
from core.errors import field_error
from core.history import change_author, change_origin
from inventory.models import (
    CatalogueItem,
    Country,
    DataField,
    DataSubjectCategory,
    InternationalOrganisation,
    Recipient,
    System,
)
from inventory.services import CATALOGUE_MODELS, catalogue_item_create
from processing.completeness import missing_items
from processing.models import (
    ACTIVITY_HISTORY,
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from processing.selectors import activities_with_details
from processing.signals import activities_changed


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
    return _next_free_reference(
        ProcessingActivity.objects.filter(organisation=organisation).values_list("reference", flat=True)
    )


def _next_free_reference(references) -> str:
    numbers = [int(match.group(1)) for reference in references if (match := re.fullmatch(r"PA-(\d+)", reference))]
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


def _subject_categories(organisation, entries, allowed_archived_ids) -> list:
    categories = _check_catalogue_items(
        organisation, "data_subjects", [entry["category"] for entry in entries], allowed_archived_ids
    )
    if len({category.pk for category in categories}) != len(categories):
        raise field_error("data_subjects", _("Each category of people appears once."), "duplicate")
    return categories


def _row_errors(name, index, error: ValidationError) -> dict:
    """A row's errors under paths such as ``transfers.1.mechanism`` (row 1 of the list given)."""
    return {f"{name}.{index}.{field}": messages for field, messages in error.message_dict.items()}


# Rows of a kind the activity holds at most once, identified by these fields when given without an "id" (a form
# ticks a security measure: it does not know the row behind it).
ROW_NATURAL_KEYS = {"security_measures": ("kind",)}


def _same_text(old, new) -> bool:
    """Whether two values are the same, a text differing only by its line endings included (browsers send a
    textarea's lines ended by CRLF, whatever was stored)."""
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n") == new.replace("\r\n", "\n")
    return old == new


def _assign(instance, values: dict, stored: dict | None = None) -> None:
    """Set ``values`` on ``instance``, keeping a stored text (``stored``, else the instance's) that only differs by
    its line endings."""
    for field, value in values.items():
        if isinstance(value, str):
            kept = stored[field] if stored is not None and field in stored else getattr(instance, field, None)
            value = kept if _same_text(kept, value) else value
        setattr(instance, field, value)


def _stored_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _matched_ids(name, existing: dict, rows: list[dict]) -> None:
    """Give a row sent without an "id" the id of the existing row with the same natural key, if any."""
    key_fields = ROW_NATURAL_KEYS.get(name)
    if not key_fields:
        return
    by_key = {tuple(getattr(row, field) for field in key_fields): pk for pk, row in existing.items()}
    taken = {values["id"] for values in rows if values.get("id") is not None}
    for values in rows:
        if values.get("id") is None:
            pk = by_key.get(tuple(values.get(field) for field in key_fields))
            if pk is not None and pk not in taken:
                values["id"] = pk
                taken.add(pk)


def _replace_rows(activity, name, rows) -> bool:
    """Make the activity's rows of one kind exactly ``rows`` (dicts; with "id" to update one); whether any changed.

    Rows left out are deleted first, so that a row may take the place of one removed in the
    same request; each row is validated (uniqueness included) then saved if it changed (an
    unchanged row gets no new historical record), and any error rolls the whole write back.
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
    _matched_ids(name, existing, rows)
    kept = {values["id"] for values in rows if values.get("id") is not None}
    deleted, _by_model = getattr(activity, name).exclude(pk__in=kept).delete() if set(existing) - kept else (0, {})
    changed = bool(deleted)
    errors = {}
    for index, values in enumerate(rows):
        row_id = values.pop("id", None)
        row = existing[row_id] if row_id is not None else model(activity=activity)
        before = _stored_values(row) if row_id is not None else None
        _assign(row, values)
        try:
            row.full_clean()
        except ValidationError as error:
            errors.update(_row_errors(name, index, error))
            continue
        if before is None or _stored_values(row) != before:
            row.save()
            changed = True
    if errors:
        raise ValidationError(errors)
    return changed


def _apply(
    activity: ProcessingActivity,
    data: dict,
    keep_archived: frozenset = frozenset(),
    expected_version: int | None = None,
) -> ProcessingActivity:
    """Write ``data`` on the activity. Archived catalogue entries may stay linked (or, for a
    copy, be in ``keep_archived``) but never be newly chosen."""
    _check_field_names(data)
    _check_status_change(activity, data)
    created = activity.pk is None
    # One historical record for the whole save, written once the links are set: simple
    # history would otherwise add one per link field changed, each copying every link.
    activity.skip_history_when_saving = True
    activity._history_date = timezone.now()  # dated when the save began, before its rows
    try:
        changed = _write(activity, data, keep_archived, expected_version)
        if changed:  # a save that changes nothing keeps its version and writes no history
            ACTIVITY_HISTORY.create_historical_record(activity, "+" if created else "~")
    finally:
        del activity.skip_history_when_saving, activity._history_date
    if activity.status == ProcessingActivity.Status.ACTIVE:
        refreshed = activities_with_details(ProcessingActivity.objects.filter(pk=activity.pk)).get()
        missing = missing_items(refreshed)
        if missing:
            # Each missing item names the form section that fills it in (the error summary links there).
            errors = [ValidationError(_("An active activity must record every mandatory item. Missing:"), "incomplete")]
            errors += [
                ValidationError(str(item).replace("%", "%%"), code="incomplete", params={"section": item.section})
                for item in missing
            ]
            raise ValidationError({"status": errors})
    if changed:
        activities_changed.send(
            sender=ProcessingActivity, organisation_id=activity.organisation_id, activity_ids=[activity.pk]
        )
    return activity


def _check_field_names(data: dict) -> None:
    unknown = set(data) - set(SCALAR_FIELDS) - set(LINK_FIELDS) - set(ROW_MODELS) - {"data_subjects"}
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")


def _write(activity: ProcessingActivity, data: dict, keep_archived: frozenset, expected_version: int | None) -> bool:
    """Write ``data`` on the activity, its links and rows; whether anything changed. The version is raised (and the
    activity saved) only if something did."""
    stored = None
    if activity.pk is not None:
        # Lock the row: two saves of one activity run one after the other.
        attnames = [ProcessingActivity._meta.get_field(field).attname for field in SCALAR_FIELDS]
        stored = ProcessingActivity.objects.select_for_update().values("version", *attnames).get(pk=activity.pk)
        if expected_version is not None and expected_version != stored["version"]:
            raise EditConflict(activity, expected_version, stored["version"])
        activity.version = stored["version"]
    # The instance may already hold the new values (a model form sets them): compare with what is stored.
    _assign(activity, {field: data[field] for field in SCALAR_FIELDS if field in data}, stored)
    if not activity.reference:
        activity.reference = next_reference(activity.organisation)
    activity.full_clean()
    scalars_changed = stored is None or any(
        getattr(activity, attname) != value for attname, value in stored.items() if attname != "version"
    )
    if scalars_changed:
        _save_activity(activity, bump=stored is not None)
    changed = _write_links_and_rows(activity, data, keep_archived)
    if changed and not scalars_changed:
        _save_activity(activity, bump=True)
    return scalars_changed or changed


def _save_activity(activity: ProcessingActivity, *, bump: bool) -> None:
    if bump:
        activity.version += 1
    try:
        with transaction.atomic():
            activity.save()
    except IntegrityError:  # the same reference taken by someone else since full_clean()
        raise field_error(
            "reference", _("Another activity of the register already has this reference."), "unique"
        ) from None


def _write_links_and_rows(activity: ProcessingActivity, data: dict, keep_archived: frozenset) -> bool:
    """Set the activity's links, categories of people and rows given in ``data``; whether any changed."""
    organisation = activity.organisation
    changed = False
    for name in LINK_FIELDS:
        if name in data:
            current = set(getattr(activity, name).values_list("pk", flat=True))
            items = _check_catalogue_items(organisation, name, data[name], current | keep_archived)
            if {item.pk for item in items} != current:
                getattr(activity, name).set(items)
                changed = True
    if "data_subjects" in data:
        changed |= _write_subject_links(activity, data["data_subjects"], keep_archived)
    for name in ROW_MODELS:
        if name in data:
            changed |= _replace_rows(activity, name, data[name])
    return changed


def _write_subject_links(activity: ProcessingActivity, entries: list, keep_archived: frozenset) -> bool:
    current = dict(activity.subject_links.values_list("category_id", "pk"))
    categories = _subject_categories(activity.organisation, entries, set(current) | keep_archived)
    deleted, _by_model = activity.subject_links.exclude(category__in=categories).delete()
    changed = bool(deleted)
    links = {link.category_id: link for link in activity.subject_links.all()}
    for entry in entries:
        link = links.get(entry["category"].pk)
        if link is not None and link.approximate_count == entry.get("approximate_count"):
            continue
        link = link or ActivityDataSubject(activity=activity, category=entry["category"])
        link.approximate_count = entry.get("approximate_count")
        try:
            link.full_clean()
        except ValidationError as error:
            raise ValidationError({"data_subjects": error.messages}) from error
        link.save()
        changed = True
    return changed


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


# What the activity form may add to the catalogue as it saves: the form's key -> (model, the activity's link).
NEW_ENTRY_MODELS = {
    "new_data_field": (DataField, "data_fields"),
    "new_subject": (DataSubjectCategory, "data_subjects"),
    "new_recipient": (Recipient, "recipients"),
    "new_system": (System, "systems"),
}


@transaction.atomic
def activity_save(
    *,
    organisation: Organisation,
    activity: ProcessingActivity | None = None,
    new_entries: dict,
    new_subject_count: int | None = None,
    expected_version: int | None = None,
    **data,
) -> ProcessingActivity:
    """Create (``activity`` None) or update an activity as its form gives it, all or nothing: first the catalogue
    entries named in the form (``new_entries``: the form's key -> the entry's values), linked to the activity, then
    the activity. A transfer row to a new entry's country that names no importer gets that entry."""
    for key, values in new_entries.items():
        model, link = NEW_ENTRY_MODELS[key]
        try:
            created = catalogue_item_create(model=model, organisation=organisation, **values)
        except ValidationError as error:
            raise ValidationError({key: error.messages}) from error
        if link == "data_subjects":
            data[link].append({"category": created, "approximate_count": new_subject_count})
        else:
            data[link].append(created)
            _give_importer(created, values, data.get("transfers", []))
    if activity is None:
        return activity_create(organisation=organisation, **data)
    return activity_update(activity=activity, expected_version=expected_version, **data)


def _give_importer(created, values: dict, transfers: list) -> None:
    """A new system or recipient becomes the importer of the transfer rows to its countries that name none."""
    importer = "system" if isinstance(created, System) else "recipient" if isinstance(created, Recipient) else None
    countries = values.get("countries") or [values.get("country_id")]
    for row in transfers if importer else []:
        country = row.get("country")
        if country and country.pk in countries and not row.get("recipient") and not row.get("system"):
            row[importer] = created


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


# --- Many new activities at once: an import ---------------------------------------------------

# The register's own tables, those a bulk write fills (their links and history with them: ``core.bulk.analyze``).
REGISTER_MODELS = (ProcessingActivity, ActivityDataSubject, ControllerParty, Transfer, RetentionLine, SecurityMeasure)
CREATE_MANY_CHUNK = 1000  # activities written per round of statements


@dataclasses.dataclass
class _NewActivity:
    activity: ProcessingActivity
    links: dict  # many-to-many field -> catalogue entries
    subject_links: list
    rows: dict  # ROW_MODELS name -> unsaved rows


@transaction.atomic
def activities_create_many(*, organisation: Organisation, entries: Sequence[dict]) -> dict[int, ValidationError]:
    """Record many new draft activities at once, each checked as ``activity_create`` checks
    one, with the same messages, and each with one historical record holding its first links
    and rows, by the author of the current change. Everything is checked in memory first and
    written in a fixed number of statements per thousand activities. Returns the errors by
    index in ``entries``; nothing is written unless there are none."""
    existing = ProcessingActivity.objects.filter(organisation=organisation).values_list("reference", flat=True)
    seen = {key for reference in existing for key in unique_keys(ProcessingActivity(reference=reference))}
    known = {
        Country: Country.objects.in_bulk(),
        InternationalOrganisation: InternationalOrganisation.objects.in_bulk(),
        Recipient: Recipient.objects.filter(organisation=organisation).in_bulk(),  # a transfer's importer by key
        System: System.objects.filter(organisation=organisation).in_bulk(),
    }
    new, errors = [], {}
    for index, data in enumerate(entries):
        try:
            new.append(_new_activity(organisation, data, seen, known))
        except ValidationError as error:
            errors[index] = error
    if errors:
        return errors
    when, author, origin = timezone.now(), change_author(), change_origin()
    for start in range(0, len(new), CREATE_MANY_CHUNK):
        _insert_new(new[start : start + CREATE_MANY_CHUNK], when, author, origin)
    # The re-check that follows is planned on the tables as they are now (an import adds to the catalogue too).
    analyze_after_commit([*REGISTER_MODELS, *CATALOGUE_MODELS], rows=len(new))
    activities_changed.send(
        sender=ProcessingActivity, organisation_id=organisation.pk, activity_ids=[item.activity.pk for item in new]
    )
    return {}


def _new_activity(organisation, data: dict, seen: set, known: dict) -> _NewActivity:
    """One new activity, its links and its rows, checked in memory as ``_write`` checks them
    (stopping at the same first failing step), not written."""
    _check_field_names(data)
    if data.get("status", ProcessingActivity.Status.DRAFT) != ProcessingActivity.Status.DRAFT:
        raise ValueError("Only drafts are created many at once: each is activated once complete.")
    activity = ProcessingActivity(organisation=organisation)
    for field in SCALAR_FIELDS:
        if field in data:
            setattr(activity, field, data[field])
    if not activity.reference:
        activity.reference = _next_free_reference(reference for _constraint, (reference,) in seen)
    errors = clean_unsaved(activity, known, parent="organisation")
    errors = unique_errors(activity, seen, errors)
    if errors:
        raise ValidationError(errors)
    links = {}
    for name in LINK_FIELDS:
        items = _check_catalogue_items(organisation, name, data.get(name, []), set())
        links[name] = list({item.pk: item for item in items}.values())
    subject_links = _new_subject_links(organisation, activity, data.get("data_subjects", []), known)
    systems = links["systems"]
    importers = (
        {item.pk for item in links["recipients"]} | {system.hosting_provider_id for system in systems} - {None},
        {system.pk for system in systems},
    )
    rows = {
        name: _new_rows(activity, name, model, data.get(name, []), importers, known)
        for name, model in ROW_MODELS.items()
    }
    seen.update(unique_keys(activity))  # accepted: its reference is taken for the next ones
    return _NewActivity(activity, links, subject_links, rows)


def _new_subject_links(organisation, activity, entries: list, known: dict) -> list:
    """The activity's categories of people, checked as ``_write`` checks them."""
    subject_links = []
    categories = _subject_categories(organisation, entries, set())
    for category, entry in zip(categories, entries, strict=True):
        link = ActivityDataSubject(
            activity=activity, category=category, approximate_count=entry.get("approximate_count")
        )
        link_errors = clean_unsaved(link, known, parent="activity")
        if link_errors:
            raise ValidationError({"data_subjects": ValidationError(link_errors).messages})
        subject_links.append(link)
    return subject_links


def _new_rows(activity, name: str, model, entries: list, importers: tuple, known: dict) -> list:
    """The activity's rows of one kind, checked as ``_replace_rows`` checks them (every row's errors at once)."""
    rows, row_errors, row_seen = [], {}, set()
    ids = [values["id"] for values in entries if values.get("id") is not None]
    if len(ids) != len(set(ids)):  # as _replace_rows says it
        raise field_error(name, _("The same row appears twice."), "duplicate")
    if ids:
        raise field_error(name, _("A row does not belong to this activity."), "invalid")
    for index, values in enumerate(entries):
        row = model(activity=activity, **{field: value for field, value in values.items() if field != "id"})
        row.allowed_importers = importers  # read by Transfer.clean(), as the saved links would be
        problems = unique_errors(row, row_seen, clean_unsaved(row, known, parent="activity"))
        if problems:
            row_errors.update(_row_errors(name, index, ValidationError(problems)))
            continue
        row_seen.update(unique_keys(row))
        rows.append(row)
    if row_errors:
        raise ValidationError(row_errors)
    return rows


def _insert_new(new: list[_NewActivity], when, author, origin) -> None:
    """Write checked new activities, their links and rows, and the history of each as
    ``_apply`` records it."""
    activities = [item.activity for item in new]
    insert_instances(ProcessingActivity, activities, keys=True)
    for name in LINK_FIELDS:
        field = ProcessingActivity._meta.get_field(name)
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        # Keys only: tens of thousands of links, written without a model instance each.
        insert_rows(
            field.remote_field.through,
            [source, target],
            ((item.activity.pk, linked.pk) for item in new for linked in item.links[name]),
        )
    written = {ActivityDataSubject: [link for item in new for link in item.subject_links]}
    for name, model in ROW_MODELS.items():
        written[model] = [row for item in new for row in item.rows[name]]
    for model, rows in written.items():
        for row in rows:
            row.activity = row.activity  # the activity's key, now that it has one
        insert_instances(model, rows)
    ids = [activity.pk for activity in activities]
    insert_history(ProcessingActivity.objects.filter(pk__in=ids), when=when, user=author, reason=origin)
    for model in written:
        insert_history(model.objects.filter(activity_id__in=ids), when=when, user=author, reason=origin)
