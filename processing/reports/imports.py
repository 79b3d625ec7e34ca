"""Importing a register: from Registre's own XLSX or JSON export, or from the CNIL model
register, into an organisation, through the same services as the forms.

A file is read into a register document (``reports.document``), then applied in one
transaction: catalogue entries matched by name (ignoring case and accents) or created (each
checked when first named, all written at once: ``inventory.services.NewCatalogueItems``),
activities updated when the reference exists, the others created all at once
(``services.activities_create_many``: the checks of the forms, in memory, then a few
statements per thousand activities); every imported activity is a draft, for the DPO to
review and activate. The preview is the same application rolled back,
so it reports exactly what the import would do and every problem it would meet; the import
itself writes all of it or nothing.
"""

import dataclasses
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.text import normalise_key
from inventory.models import DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System
from inventory.services import NewCatalogueItems
from processing import services
from processing.models import ProcessingActivity
from processing.reports import document as register_document
from processing.reports.cnil import read_cnil_workbook
from processing.reports.problems import ERROR, Problem, UnreadableFile
from processing.reports.registre_reader import read_registre_json, read_registre_workbook

CATALOGUE_PARTS = {  # part of the document -> catalogue model, in the order they are created
    "recipients": Recipient,
    "systems": System,
    "data_fields": DataField,
    "data_subjects": DataSubjectCategory,
}
CATALOGUE_FIELDS = {  # the attributes of a new entry, as the document names them
    "recipients": (
        "description",
        "kind",
        "contact",
        "has_processing_agreement",
        "processing_agreement_reference",
        "is_dpf_certified",
    ),
    "systems": ("description", "kind", "oldest_record_on"),
    "data_fields": ("description", "category", "special_category"),
    "data_subjects": ("description", "is_vulnerable"),
}


def read_import_file(data: bytes):
    """The register document of an uploaded file, and the problems met reading it: Registre's
    JSON, Registre's XLSX, or the CNIL model register (.xlsx or .ods). ``UnreadableFile`` else."""

    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return read_registre_json(data)
    if data[:2] != b"PK":
        raise UnreadableFile(
            _("This file is neither a spreadsheet (.xlsx, .ods) nor Registre's JSON export: choose one of those.")
        )
    try:
        return read_registre_workbook(data)
    except UnreadableFile:
        return read_cnil_workbook(data)  # not Registre's layout: the CNIL model, or its refusal


@dataclasses.dataclass
class ImportOutcome:
    created: list = dataclasses.field(default_factory=list)  # references
    updated: list = dataclasses.field(default_factory=list)
    catalogue: dict = dataclasses.field(default_factory=dict)  # part -> names of the entries created
    problems: list = dataclasses.field(default_factory=list)  # Problem

    @property
    def has_errors(self) -> bool:
        return any(problem.level == ERROR for problem in self.problems)

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "catalogue": self.catalogue,
            "problems": [dataclasses.asdict(problem) for problem in self.problems],
        }


class _RollBack(Exception):
    """Raised at the end of a preview: undo everything it wrote."""


class _Catalogue:
    """The organisation's catalogue by name key; entries the import needs are checked once as they are first named,
    then all written at once (``write``) before the activities that link them."""

    def __init__(self, organisation: Organisation, outcome: ImportOutcome):
        self.outcome = outcome
        self.entries = {
            part: {entry.name_key: entry for entry in model.objects.filter(organisation=organisation)}
            for part, model in CATALOGUE_PARTS.items()
        }
        self.new = NewCatalogueItems(organisation)
        self.keys: dict[str, str] = {}  # name -> its key: a register names the same few hundred entries again and again

    def key(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = normalise_key(name)
        return key

    def get(self, part: str, values: dict):
        key = self.key(values["name"])
        entry = self.entries[part].get(key)
        if entry is None:
            fields = {name: values[name] for name in CATALOGUE_FIELDS[part] if values.get(name) is not None}
            if part == "recipients" and values.get("country"):
                fields["country_id"] = values["country"]
            if part == "systems":
                host = values.get("hosting_provider")
                if host:
                    fields["hosting_provider"] = self.get("recipients", {"name": host, "kind": "other"})
                fields["countries"] = values.get("countries") or []
            # Refused, it is not kept: the next activity that names it tries again, with its own values.
            entry = self.new.add(model=CATALOGUE_PARTS[part], name=values["name"].strip(), **fields)
            self.entries[part][key] = entry
            self.outcome.catalogue.setdefault(part, []).append(entry.name)
        return entry

    def named(self, part: str, name: str | None):
        return self.entries[part].get(self.key(name)) if name else None

    def write(self) -> None:
        """Write the new entries: the activities that link them can be written next."""
        self.new.write()


def _service_data(activity: dict, catalogue: _Catalogue, international: dict) -> dict:
    """The keyword arguments of ``activity_create`` / ``activity_update`` for one document."""
    data = {name: activity[name] for name in register_document.ACTIVITY_FIELDS if name != "reference"}
    data["status"] = ProcessingActivity.Status.DRAFT  # imported activities are reviewed before activation
    for part in ("data_fields", "recipients", "systems"):
        data[part] = [catalogue.get(part, values) for values in activity[part]]
    data["data_subjects"] = [
        {"category": catalogue.get("data_subjects", values), "approximate_count": values.get("approximate_count")}
        for values in activity["data_subjects"]
    ]
    transfers = []
    for values in activity["transfers"]:
        row = {name: values[name] for name in register_document.PART_FIELDS["transfers"]}
        row["country_id"] = row.pop("country")
        row["international_organisation"] = international.get(normalise_key(row["international_organisation"] or ""))
        row["recipient"] = catalogue.named("recipients", row["recipient"])
        row["system"] = catalogue.named("systems", row["system"])
        transfers.append(row)
    data["transfers"] = transfers
    for part in ("retention_lines", "security_measures", "controller_parties"):
        data[part] = [{name: values[name] for name in register_document.PART_FIELDS[part]} for values in activity[part]]
    return {name: ("" if value is None and name in _TEXT_FIELDS else value) for name, value in data.items()}


_TEXT_FIELDS = {
    field.name
    for field in ProcessingActivity._meta.concrete_fields
    if field.get_internal_type() in ("CharField", "TextField")
}


def _problems_of(reference: str, error: ValidationError) -> list[Problem]:
    sheet = _("Activity %(reference)s") % {"reference": reference}
    if not hasattr(error, "error_dict"):
        return [Problem(sheet, None, None, message, ERROR) for message in error.messages]
    return [
        Problem(sheet, None, field if field != "__all__" else None, message, ERROR)
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def import_document(
    *, organisation: Organisation, document: dict, commit: bool, progress: Callable[[int, int], None] | None = None
) -> ImportOutcome:
    """Apply the document's activities to the organisation; with ``commit`` False, only say
    what that would do (everything is rolled back). Nothing is written unless every activity
    is accepted."""
    outcome = ImportOutcome()
    activities = document.get("activities", [])
    done = 0

    def one_done():
        nonlocal done
        done += 1
        if progress and (done % 50 == 0 or done == len(activities)):
            progress(done, len(activities))

    try:
        with transaction.atomic():
            catalogue = _Catalogue(organisation, outcome)
            international = {normalise_key(o.name): o for o in InternationalOrganisation.objects.all()}
            existing = {a.reference: a for a in ProcessingActivity.objects.filter(organisation=organisation)}
            problems = {}  # number of the activity in the file -> its problems, reported in the file's order
            updates = []  # (number, reference, service data) of the activities to update, after the new entries
            new = []  # (reference, service data) of the activities to create, all at once
            for number, activity in enumerate(activities, start=1):
                reference = activity["reference"]
                try:
                    data = _service_data(activity, catalogue, international)
                except ValidationError as error:
                    problems[number] = _problems_of(reference, error)
                else:
                    if reference in existing:
                        updates.append((number, reference, data))
                        continue  # done once updated
                    new.append((reference, data))
                one_done()
            catalogue.write()
            for number, reference, data in updates:
                try:
                    _update_one(existing[reference], data)
                    outcome.updated.append(reference)
                except ValidationError as error:
                    problems[number] = _problems_of(reference, error)
                one_done()
            outcome.problems = [problem for number in sorted(problems) for problem in problems[number]]
            refused = services.activities_create_many(
                organisation=organisation, entries=[{"reference": reference, **data} for reference, data in new]
            )
            for index, error in refused.items():
                outcome.problems.extend(_problems_of(new[index][0], error))
            outcome.created = [reference for index, (reference, _data) in enumerate(new) if index not in refused]
            if outcome.has_errors or not commit:
                raise _RollBack
    except _RollBack:
        pass
    return outcome


def _update_one(current: ProcessingActivity, data: dict) -> None:
    with transaction.atomic():  # one activity's failure leaves the others to be checked
        if current.status == ProcessingActivity.Status.ARCHIVED:
            services.activity_restore(activity=current)
        _keep_identical_rows(current, data)
        services.activity_update(activity=current, **data)


def _keep_identical_rows(current: ProcessingActivity, data: dict) -> None:
    """A row of the file identical to one the activity has is that row (its id given), so
    that importing the same file again deletes and recreates nothing in the history."""
    for name in services.ROW_MODELS:
        unused = list(getattr(current, name).all())
        for values in data[name]:
            same = next((row for row in unused if _is_identical(row, values)), None)
            if same is not None:
                values["id"] = same.pk
                unused.remove(same)


def _is_identical(row, values: dict) -> bool:
    for name, value in values.items():
        field = row._meta.get_field(name)
        if field.is_relation:
            if getattr(row, field.attname) != (value.pk if isinstance(value, Model) else value):
                return False
        else:
            try:
                if getattr(row, field.attname) != field.to_python(value):
                    return False
            except ValidationError:
                return False  # a value the row's checks will refuse
    return True


# --- The import's life: upload, preview by a worker, confirmation, import by a worker -------
