"""The register as a PDF, for a DPO to read, sign or hand to the supervisory authority
(Art. 30(4)): a cover (who keeps the record, when it was drawn up, which register), the
contents with each activity's page, then each record of Art. 30 the organisation keeps (the
controller's, 30(1), and the processor's, 30(2): ``records``) as a part of its own: its title,
whose record it is, then every activity of it on pages of its own, its items under the
record's headings. Call inside ``translation.override``.

Headers and values are the spreadsheet exports' own (``register_columns``, ``part_columns``):
the PDF and the XLSX never word an item differently. WeasyPrint draws the whole HTML at once,
as the contents need every page number; a few hundred activities is what a PDF is read at.
Nothing is fetched while drawing: the stylesheet is inline, the font is installed, and any
URL the document might name is refused.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.history import capitalised
from core.pdf import pdf_from_template
from processing.reports import document
from processing.reports.loading import RegisterReader
from processing.reports.records import RECORDS, Record
from processing.reports.tables import Column, part_columns, part_title, register_columns
from processing.reports.writers import Progress, organisation_lines

TEMPLATE = "reports/register_pdf.html"
GRID_MAX_COLUMNS = 6  # a part with more columns than this is shown an entry at a time (too narrow on A4)
FLAGGED_CATEGORIES = ("special", "criminal")  # Art. 9 and Art. 10 data, which need a condition of their own


@dataclass
class Fields:
    """Single items of the activity: a header and its value, a line each."""

    pairs: list[tuple[str, str]]
    kind: str = "fields"


@dataclass
class Row:
    pairs: list[tuple[str, str]]  # (header, value): the grid shows the values, a stacked part both
    flagged: bool = False


@dataclass
class Part:
    """One kind of part of the activity (its recipients, its transfers…) as a small table."""

    title: str
    headers: list[str]
    groups: list[tuple[str, list[Row]]]  # (heading of the group or "", its rows)
    stacked: bool = False
    listed: bool = False  # grouped names and nothing else: a line of names per group
    kind: str = "part"

    @property
    def empty(self) -> bool:
        return not any(rows for _label, rows in self.groups)


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)


def _shown(column: Column, value):
    """A value as the spreadsheet words it; dates and numbers as the language writes them."""
    if value is None or value == "":
        return ""
    if column.kind == "date":
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    if column.kind == "number":
        return formats.number_format(value, force_grouping=True)
    return column.cell(value)


def _part(part: str, rows: list[dict], group_by: str | None = None, flagged=lambda row: False, title: str = "") -> Part:
    """The part's columns that hold something in this activity (a column empty on every row says
    nothing); grouped under the labels of ``group_by``'s choices, in their order, when given."""
    columns = [
        column
        for column in part_columns(part)[1:]  # the reference: the page's heading already says it
        if column.key != group_by and any(row[column.key] not in (None, "", []) for row in rows)
    ]
    groups: list[tuple[str, list[Row]]] = []
    if group_by is None:
        groups.append(("", [Row([(c.header, _shown(c, row[c.key])) for c in columns], flagged(row)) for row in rows]))
    else:
        group_column = next(c for c in part_columns(part) if c.key == group_by)
        order = {code: number for number, code in enumerate(group_column.labels)}
        for row in sorted(rows, key=lambda row: order.get(row[group_by], len(order))):  # stable: by name within
            label = group_column.cell(row[group_by]) or ""
            if not groups or groups[-1][0] != label:
                groups.append((label, []))
            groups[-1][1].append(Row([(c.header, _shown(c, row[c.key])) for c in columns], flagged(row)))
    return Part(
        title or part_title(part),
        [c.header for c in columns],
        groups,
        stacked=len(columns) > GRID_MAX_COLUMNS,
        listed=group_by is not None and [c.key for c in columns] == ["name"],
    )


def _special(row: dict) -> bool:
    return row["category"] in FLAGGED_CATEGORIES or bool(row["special_category"])


class _ActivityPages:
    """An activity's document as the sections of its pages: its record's headings (``records``), in order."""

    def __init__(self):
        self.columns = {column.key: column for column in register_columns()}

    def fields(self, activity: dict, *keys: str) -> Fields:
        pairs = []
        for key in keys:
            column = self.columns[key]
            value = column.cell(activity) if column.summary else _shown(column, activity[key])
            pairs.append((column.header, value))
        return Fields(pairs)

    def items(self, activity: dict, record: Record, keys: tuple[str, ...]) -> list:
        """A heading's columns: single items together in a table, each part in its own."""
        items, singles = [], []
        for key in keys:
            if key not in document.PART_FIELDS:
                singles.append(key)
                continue
            if singles:
                items.append(self.fields(activity, *singles))
                singles = []
            options = {"group_by": "category", "flagged": _special} if key == "data_fields" else {}
            items.append(_part(key, activity[key], title=str(record.headers.get(key, "")), **options))
        if singles:
            items.append(self.fields(activity, *singles))
        return items

    def sections(self, activity: dict) -> list[Section]:
        record = RECORDS[activity["record"]]
        return [Section(str(heading.title), self.items(activity, record, heading.keys)) for heading in record.headings]

    def entry(self, number: int, activity: dict) -> dict:
        return {
            "anchor": f"activity-{number}",
            "reference": activity["reference"],
            "name": activity["name"],
            "status": activity["status"],
            "status_label": self.columns["status"].cell(activity["status"]),
            "sections": self.sections(activity),
        }


def _css_string(text: str) -> str:
    """``text`` as a CSS string: every character but letters, digits and spaces escaped, so that
    an organisation's name can neither end the string nor the stylesheet."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text) + '"'


def _page_of_pages() -> str:
    """The footer's "Page X of Y" in the active language, as CSS content with the page counters."""
    text = _("Page %(number)s of %(total)s") % {"number": "\0page\0", "total": "\0pages\0"}
    pieces = text.split("\0")  # odd pieces name a counter
    return " ".join(f"counter({piece})" if n % 2 else _css_string(piece) for n, piece in enumerate(pieces) if piece)


def _label(model, name: str) -> str:
    return capitalised(model._meta.get_field(name).verbose_name)


def write_pdf(reader: RegisterReader, output, language: str, progress: Progress | None = None) -> None:
    """The register as an A4 PDF written to ``output`` (a binary file).

    ``progress(done, total)`` counts each activity twice: once read, once drawn. The drawing is
    told only when it ends (WeasyPrint lays out the whole document at once), so the bar stands
    at half way while the pages are drawn, which is most of the time.
    """

    header = reader.header(language)
    total = 2 * len(reader)
    pages = _ActivityPages()
    records, done = [], 0
    for code, record in RECORDS.items():
        activities = []
        for chunk in reader.chunks(code):
            activities.extend(pages.entry(done + len(activities) + 1, activity) for activity in chunk)
            if progress:
                progress(done + len(activities), total)
        done += len(activities)
        if activities:  # a record is kept for what the organisation does: none as a processor, no such record
            records.append(
                {
                    "anchor": f"record-{code}",
                    "title": str(record.title),
                    "identity": organisation_lines(reader, code),
                    "activities": activities,
                }
            )
    generated_at = datetime.fromisoformat(header["generated_at"])
    as_of = formats.date_format(date.fromisoformat(header["as_of"]), "DATE_FORMAT") if header["as_of"] else ""
    organisation = header["organisation"]
    context = {
        "language": language,
        "organisation": organisation,
        "labels": {
            name: _label(Organisation, name)
            for name in ("legal_identifier", "address", "phone", "email", "dpo_name", "dpo_email", "dpo_phone")
        }
        | {"representative": _label(Organisation, "representative_name")},
        "generated_at": formats.date_format(generated_at, "DATETIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
        "as_of": as_of,
        "active_only": header["scope"] == "active",
        "records": records,
        "count": done,
        # Written into the stylesheet (running header and footer), escaped by _css_string.
        "css": {
            "organisation": mark_safe(_css_string(organisation["name"])),  # noqa: S308
            "page_of_pages": mark_safe(_page_of_pages()),  # noqa: S308
            "as_of": mark_safe(_css_string(_("As of %(day)s") % {"day": as_of}) if as_of else "none"),  # noqa: S308
        },
    }
    pdf_from_template(TEMPLATE, context, output)
    if progress and total:
        progress(total, total)
