"""The register document as tables: the "Register" sheet (one row per activity, every Art. 30
item, its parts summed up readably; also the CSV) and one sheet per kind of part (one row
each, keyed by the activity's reference), which together carry the whole document back in.

Headers and labels are the models' own, in the active language: build the columns inside
``translation.override``. ``Column.read`` turns a cell back into the document's value, in
either language, for the import.
"""

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.history import capitalised
from core.text import kept_text
from inventory.models import (
    Country,
    DataField,
    DataSubjectCategory,
    Recipient,
    System,
    country_name,
)
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from processing.reports import document
from processing.reports.records import CONTROLLER_RECORD, Record

PART_MODELS = {  # part of the document -> the models its fields come from, in order of lookup
    "data_fields": (DataField,),
    "data_subjects": (DataSubjectCategory, ActivityDataSubject),
    "recipients": (Recipient,),
    "systems": (System,),
    "transfers": (Transfer,),
    "retention_lines": (RetentionLine,),
    "security_measures": (SecurityMeasure,),
    "controller_parties": (ControllerParty,),
}
SOURCES = ("source_data_subject", "source_third_party", "source_public", "source_social_networks")
PART_TITLES = {  # the sheet's title: the verbose name of the activity's field or of the row
    "data_fields": (ProcessingActivity, "data_fields"),
    "data_subjects": (ProcessingActivity, "data_subjects"),
    "recipients": (ProcessingActivity, "recipients"),
    "systems": (ProcessingActivity, "systems"),
}


@dataclass
class Column:
    key: str
    header: str
    width: int
    kind: str  # text, number, bool, date, choice, country, countries; summary, flags (Register sheet)
    labels: dict = field(default_factory=dict)  # code -> label, for choices
    summary: Callable[[dict], str] | None = None  # for the Register sheet's summaries of parts
    max_length: int | None = None  # the most characters a text column's field keeps

    def cell(self, value):
        """The document's value as a spreadsheet shows it."""
        return self.shown()(value)

    def shown(self) -> Callable:
        """``cell`` for the many values of an export, in the active language: what it looks up (labels, yes and no,
        country names) looked up once, not once a cell (a register of 10,000 activities has a million cells)."""
        if self.summary is not None:
            return self.summary
        if self.kind == "choice":
            labels = self.labels
            return lambda value: None if value is None or value == "" else labels.get(value, value)
        if self.kind == "bool":
            yes, no = _("Yes"), _("No")
            return lambda value: None if value is None or value == "" else yes if value else no
        if self.kind == "country":
            country = _countries()
            return lambda value: None if value is None or value == "" else country(value)
        if self.kind == "countries":
            country = _countries()
            return lambda value: None if value is None or value == "" else "\n".join(map(country, value))
        return lambda value: None if value is None or value == "" else value


def _country(code: str) -> str:
    return f"{country_name(code, get_language())} ({code})"


def _countries() -> Callable[[str], str]:
    """``_country`` in the active language, each country's name looked up once."""
    names = {}

    def country(code: str) -> str:
        if code not in names:
            names[code] = _country(code)
        return names[code]

    return country


def _model_field(models_: tuple, name: str):
    for model in models_:
        with suppress(FieldDoesNotExist):
            return model._meta.get_field(name)
    raise FieldDoesNotExist(name)


def column_of(models_: tuple, name: str) -> Column:
    """A column for one field of the document, from the model field it comes from."""
    model_field = _model_field(models_, name)
    header = capitalised(model_field.verbose_name)
    if model_field.choices:
        return Column(name, header, 24, "choice", {code: str(label) for code, label in model_field.flatchoices})
    if isinstance(model_field, models.BooleanField):
        return Column(name, header, 10, "bool")
    if isinstance(model_field, models.DateField):
        return Column(name, header, 12, "date")
    if isinstance(model_field, models.IntegerField):
        return Column(name, header, 12, "number")
    if isinstance(model_field, models.ManyToManyField) and model_field.related_model is Country:
        return Column(name, header, 24, "countries")
    if isinstance(model_field, models.ForeignKey) and model_field.related_model is Country:
        return Column(name, header, 20, "country")
    width = 40 if isinstance(model_field, models.TextField) else 24
    return Column(name, header, width, "text", max_length=getattr(model_field, "max_length", None))


def reference_column() -> Column:
    max_length = ProcessingActivity._meta.get_field("reference").max_length
    return Column("reference", _("Activity reference"), 14, "text", max_length=max_length)


def part_title(part: str) -> str:
    if part in PART_TITLES:
        model, name = PART_TITLES[part]
        return capitalised(model._meta.get_field(name).verbose_name)
    return capitalised(PART_MODELS[part][0]._meta.verbose_name_plural)


def part_columns(part: str) -> list[Column]:
    """The columns of a part's sheet: the activity's reference, then every field of the part."""
    return [reference_column(), *(column_of(PART_MODELS[part], name) for name in document.PART_FIELDS[part])]


def _lines(items) -> str:
    """The items that are not empty, a line each (``filter`` and, below, ``map`` rather than generators: a register
    of 10,000 activities has 110,000 summaries)."""
    return "\n".join(filter(None, items))


def _written_once(render: Callable[[dict], str]) -> Callable[[dict], str]:
    """``render`` for rows that repeat, each different row written once: a register's retention lines are mostly a
    few dozen different ones (the bench's 10,000: 0.05 s, then 0.017 s)."""
    texts = {}

    def once(row: dict) -> str:
        key = tuple(row.items())
        text = texts.get(key)
        if text is None:
            text = texts[key] = render(row)
        return text

    return once


def register_columns(record: Record = CONTROLLER_RECORD) -> list[Column]:
    """A record's sheet (and its section of the CSV): every field of the activity, with its parts summed up where
    the record names them, in the order of the record's headings (``records``)."""
    activity = (ProcessingActivity,)
    fields = {name: column_of(activity, name) for name in document.ACTIVITY_FIELDS}
    shown = {part: {c.key: c.shown() for c in part_columns(part)} for part in document.PART_FIELDS}
    country = _countries()

    def summary(key, header, render, width=30):
        return Column(key, header, width, "summary", summary=render)

    def flags(key, header, names):
        """Several yes-or-no fields in one cell: the labels of those that are true, a line each."""
        labels = {name: fields[name].header for name in names}
        return Column(key, header, 30, "flags", labels, lambda a: _lines(labels[n] for n in names if a[n]))

    @_written_once
    def retention(line):
        """Art. 30(1)(f): the period, what starts it, and any intermediate archive after it (5 + 5 years is not 5)."""
        what = shown["retention_lines"]["data_category"](line["data_category"])
        if line["duration"] is not None:
            kept = [line["duration"], line["duration_unit"]]
            if line["archive_duration"] is not None:
                kept += [line["archive_duration"], line["archive_duration_unit"]]
            text = kept_text(kept)
            trigger = shown["retention_lines"]["trigger"](line["trigger"])
            text += f" · {trigger}" if trigger else ""
        else:
            text = line["criteria"]
        return f"{what}: {text}" if what else text

    def transfer(row):
        """Art. 30(1)(e): the destination, the importer, the tool, and for the one-off transfer of Art. 49(1), second
        subparagraph, the documentation of its suitable safeguards."""
        destination = country(row["country"]) if row["country"] else row["international_organisation"]
        mechanism = shown["transfers"]["mechanism"](row["mechanism"])
        items = [destination, row["recipient"] or row["system"], mechanism]
        if row["mechanism"] == "compelling_interest" and (row["safeguards"] or row["documentation"]):
            documented = " ".join(part for part in (row["safeguards"], row["documentation"]) if part)
            items.append(_("safeguards: %(safeguards)s") % {"safeguards": documented})
        return " · ".join(str(item) for item in items if item)

    def party(row):
        """Art. 30(1)(a) and 30(2)(a): each other controller's name *and contact details*, and where there are, its
        representative's and its data protection officer's."""
        contact = ", ".join(line.strip() for line in row["contact"].splitlines() if line.strip())
        details = [contact] if contact else []
        if row["representative"]:
            details.append(_("EU representative: %(representative)s") % {"representative": row["representative"]})
        if row["dpo_contact"]:
            details.append(_("DPO: %(contact)s") % {"contact": row["dpo_contact"]})
        return f"{row['name']} ({'; '.join(details)})" if details else row["name"]

    def people(row):
        count = row["approximate_count"]
        return f"{row['name']} ({count})" if count is not None else row["name"]

    def countries(activity):
        codes = sorted({code for system in activity["systems"] for code in system["countries"]})
        return _lines(map(country, codes))

    def measure(row):
        kind = shown["security_measures"]["kind"](row["kind"])
        return f"{kind}: {row['details']}" if row["details"] else kind

    named = lambda part: lambda a: _lines(map(itemgetter("name"), a[part]))  # noqa: E731
    summaries = {
        "controller_parties": summary(
            "controller_parties",
            part_title("controller_parties"),
            lambda a: _lines(map(party, a["controller_parties"])),
        ),
        "data_subjects": summary(
            "data_subjects", part_title("data_subjects"), lambda a: _lines(map(people, a["data_subjects"]))
        ),
        "data_fields": summary("data_fields", part_title("data_fields"), named("data_fields"), 40),
        "recipients": summary("recipients", part_title("recipients"), named("recipients")),
        "systems": summary("systems", part_title("systems"), named("systems")),
        "storage_countries": summary("storage_countries", _("Storage countries"), countries, 20),
        "transfers": summary("transfers", part_title("transfers"), lambda a: _lines(map(transfer, a["transfers"])), 40),
        "retention_lines": summary(
            "retention_lines",
            part_title("retention_lines"),
            lambda a: _lines(map(retention, a["retention_lines"])),
            40,
        ),
        "security_measures": summary(
            "security_measures",
            part_title("security_measures"),
            lambda a: _lines(map(measure, a["security_measures"])),
            40,
        ),
    }
    summaries["sources"] = flags("sources", _("Sources of the data"), SOURCES)
    summaries["criteria"] = flags("criteria", _("DPIA criteria met"), ProcessingActivity.DPIA_CRITERIA)
    columns = fields | summaries
    return [
        replace(columns[key], header=str(record.headers[key])) if key in record.headers else columns[key]
        for key in record.keys
    ]


# The XLSX's sheet of the organisation's identity (Art. 30(1)(a)) and its header; an import leaves it aside: the
# identity is the importing organisation's own.
ORGANISATION_SHEET = gettext_lazy("Organisation")
IDENTITY_HEADERS = (gettext_lazy("Item"), gettext_lazy("Value"))


def heading_row(record: Record) -> list[str | None]:
    """The line above a record's header: each heading over the first of its columns (``register_columns(record)``)."""
    row: list[str | None] = []
    for heading in record.headings:
        row += [str(heading.title), *[None] * (len(heading.keys) - 1)]
    return row


def _cells_of(columns: list[Column]) -> Callable[[dict], list]:
    """The cells of ``columns`` for a dict of the document's values (an activity, a part's row): the values taken all
    at once (``itemgetter``), then those not shown as they are (``SHOWN_AS_IS``) shown one by one; an empty text
    stays "" there, where ``Column.shown`` makes it None, the same empty cell. The 200,000 rows of a register of
    10,000 activities: 0.36 s against 0.63 with a call per cell."""
    keys = [column.key for column in columns]
    take = itemgetter(*keys) if len(keys) > 1 else lambda values: tuple(values[key] for key in keys)
    shown = [
        (place, column.shown())
        for place, column in enumerate(columns)
        if column.summary is not None or column.kind not in SHOWN_AS_IS
    ]

    def cells(values: dict) -> list:
        made = list(take(values))
        for place, show in shown:
            made[place] = show(made[place])
        return made

    return cells


def register_row(columns: list[Column]) -> Callable[[dict], list]:
    """An activity's row of a record's sheet, its cells shown by ``Column.shown`` (in the active language): the
    activity's own values by ``_cells_of``, then each summary put in its column."""
    cells_of = _cells_of([column for column in columns if column.summary is None])
    summaries = [(place, column.summary) for place, column in enumerate(columns) if column.summary is not None]

    def row(activity: dict) -> list:
        cells = cells_of(activity)
        for place, summary in summaries:  # in the order of their columns: each lands in its own
            cells.insert(place, summary(activity))
        return cells

    return row


# The kinds of column whose cell is the document's value itself: ``Column.shown`` only makes an empty one None.
SHOWN_AS_IS = frozenset({"text", "number", "date"})


def part_rows(columns: list[Column], part: str) -> Callable[[dict], list[list]]:
    """An activity's rows of a part's sheet, each keyed by the activity's reference, its cells by ``_cells_of``."""
    cells_of = _cells_of(columns[1:])

    def rows(activity: dict) -> list[list]:
        reference, made = activity["reference"], []
        for row in activity[part]:
            cells = cells_of(row)
            cells.insert(0, reference)
            made.append(cells)
        return made

    return rows
