"""Registre's own exports read back: the XLSX of ``writers.write_xlsx`` and the JSON of
``writers.write_json``, each into the register document (see ``document``) it was written
from, with the problems found on the way.

XLSX. Sheets are recognised by their header row, in any of Registre's languages, never by
their titles (translated, and cut to 31 characters); columns may come in any order. Each
cell is turned back into the document's value: a label of either language into its code,
"Yes" or "Oui" into True, "France (FR)" into "FR"… Rows of the part sheets join their
activity by its reference. The Register sheet's summaries of parts are not read (the part
sheets carry the data), and the workbook has no organisation block: ``organisation`` is
left empty.

JSON. The document itself, checked key by key against ``document``: a file that is not
Registre's register, or was written by a newer Registre, is refused; a value of the wrong
type or a code Registre does not know is an error located by the activity's rank and the
key's path ("transfers[0].mechanism").

Both check the form of each value only: whether an activity is complete enough to be saved
is for the import to say, through the same services as the forms.
"""

import dataclasses
import datetime
import enum
import functools
import json
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from python_calamine import CalamineWorkbook, SheetTypeEnum

from core.text import normalise_key

from ..models import ProcessingActivity
from .cnil import CnilReading, _open, column_letter, country_code
from .document import ACTIVITY_FIELDS, FORMAT, PART_FIELDS, VERSION
from .problems import ERROR, WARNING, Problem, UnreadableFile
from .tables import PART_MODELS, Column, _model_field, column_of, part_columns, part_title, register_columns

# Every importer gives the same pair: the document, and the problems met reading it.
Reading = CnilReading

REGISTER = "register"  # the kind of the Register sheet; the other kinds are the parts
JSON_SHEET = "JSON"
MAX_JSON_BYTES = 50 * 1024 * 1024
HEADER_SEARCH = 10  # rows of a sheet searched for its header row (a title may sit above it)
LISTED = 30  # labels quoted at most in a message saying what is expected
# Words for yes and no besides the labels the export writes ("Yes", "Oui"…).
TRUE_WORDS = {"yes", "oui", "true", "vrai", "1"}
FALSE_WORDS = {"no", "non", "false", "faux", "0"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
NAMED_COUNTRY = re.compile(r"(?s)(.*?)\s*\(([A-Za-z]{2})\)")
ORGANISATION = {  # the organisation block: text, or a block of texts
    "name": None,
    "legal_identifier": None,
    "address": None,
    "postcode": None,
    "city": None,
    "phone": None,
    "email": None,
    "dpo": {"name": None, "email": None, "phone": None},
    "representative": {"name": None, "contact": None},
}
HEADER = ("format", "version", "generated_at", "language", "as_of", "scope", "organisation", "activities")


def _key(text: str) -> str:
    """A header's or a label's matching key: no case, no accents, either apostrophe."""
    return normalise_key(text.replace("’", "'"))


def _quoted(items) -> str:
    items = list(items)
    shown = ", ".join(f"“{item}”" for item in items[:LISTED])
    return shown + (", …" if len(items) > LISTED else "")


# --- The fields of the document --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Field:
    """One key of an activity or of a part: its kind (as ``Column.kind``), its value when
    empty or missing, and its codes when it is a choice."""

    name: str
    kind: str
    default: object
    nullable: bool
    codes: tuple[str, ...] = ()

    def empty(self):
        return [] if self.kind == "countries" else self.default


def _field(models_: tuple, name: str) -> _Field:
    model_field = _model_field(models_, name)
    kind = column_of(models_, name).kind
    if kind == "countries":
        return _Field(name, kind, None, False)
    # The model's default: "" for text and choices, None where the field may be null, False
    # for yes-or-no, and the model's own default where it has one ("draft", "delete"…).
    codes = tuple(str(code) for code, _label in model_field.flatchoices) if model_field.choices else ()
    default = model_field.get_default()
    default = default.value if isinstance(default, enum.Enum) else default
    return _Field(name, kind, default, model_field.null, codes)


@functools.cache
def _fields() -> dict[str, dict[str, _Field]]:
    """The fields of an activity (under REGISTER) and of each part."""
    fields = {REGISTER: {name: _field((ProcessingActivity,), name) for name in ACTIVITY_FIELDS}}
    for part, names in PART_FIELDS.items():
        fields[part] = {name: _field(PART_MODELS[part], name) for name in names}
    return fields


def _empty_activity() -> dict:
    activity = {name: field.empty() for name, field in _fields()[REGISTER].items()}
    return activity | {part: [] for part in PART_FIELDS}


def _empty_row(part: str) -> dict:
    return {name: field.empty() for name, field in _fields()[part].items()}


# --- XLSX: cells ----------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def _text(value) -> str:
    """A cell as the text it shows: numbers without a useless ".0", dates in ISO."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _whole_number(value) -> int:
    """3 from 3, 3.0 or "3"; refused: 2.5, -1, "three", a date or a yes-or-no."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0*)?\s*", value):
        number = int(float(value))
    if number is None or number < 0:
        raise _CellError(
            _("“%(value)s” is not a whole number: expected a whole number of 0 or more, such as 3.")
            % {"value": _text(value)}
        )
    return number


def _date(value) -> str:
    """An ISO date from a date cell, "2026-01-31" or "31/01/2026" (day first, as in Europe)."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = _text(value).strip()
    try:
        if ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text).isoformat()
        if match := DAY_FIRST_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise _CellError(
        _("“%(value)s” is not a date: expected a date such as 2026-01-31 (or 31/01/2026).") % {"value": _text(value)}
    )


def _country(text: str) -> str:
    """The ISO code of "France (FR)", "FR", "France" or "Allemagne"."""
    text = text.strip()
    match = NAMED_COUNTRY.fullmatch(text)
    if match and match.group(2).upper() in countries:
        return match.group(2).upper()
    code = country_code(text.upper() if len(text) == 2 else text)
    if code is None:
        raise _CellError(
            _(
                "“%(value)s” is not a country Registre knows: expected its name in English or French, "
                "or its ISO code, such as “France (FR)” or “FR”."
            )
            % {"value": text}
        )
    return code


class _Vocabulary:
    """Registre's export sheets in every language: the header of each kind of sheet, and
    every label a cell may hold (the labels of any language, and the codes themselves)."""

    def __init__(self):
        self.columns: dict[tuple[str, str], list[Column]] = {}
        yes, no = set(TRUE_WORDS), set(FALSE_WORDS)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                self.columns[(REGISTER, language)] = register_columns()
                for part in PART_FIELDS:
                    self.columns[(part, language)] = part_columns(part)
                yes.add(_key(_("Yes")))
                no.add(_key(_("No")))
        self.booleans = dict.fromkeys(no, False) | dict.fromkeys(yes, True)
        self.headers = {
            layout: {_key(column.header): column for column in columns} for layout, columns in self.columns.items()
        }
        self.labels: dict[tuple[str, str], dict[str, str]] = {}
        for (kind, _language), columns in self.columns.items():
            for column in columns:
                if column.kind in ("choice", "flags"):
                    words = self.labels.setdefault((kind, column.key), {})
                    for code, label in column.labels.items():
                        words.setdefault(_key(label), code)
        for (kind, name), words in self.labels.items():  # codes after every label: a label wins
            if name in _fields()[kind] and _fields()[kind][name].kind == "choice":
                for code in _fields()[kind][name].codes:
                    words.setdefault(_key(code), code)

    def reader(self, kind: str, column: Column) -> Callable:
        """A function from a cell (not empty) to the document's value; ``_CellError`` if unreadable."""
        if column.kind == "text":
            return _text
        if column.kind == "number":
            return _whole_number
        if column.kind == "date":
            return _date
        if column.kind == "bool":
            return _cached(functools.partial(self._boolean, column=column))
        if column.kind == "country":
            return _cached(lambda value: _country(_text(value)))
        if column.kind == "countries":
            codes = _cached(self._countries)
            return lambda value: list(codes(value))  # a list of its own for each row
        if column.kind == "choice":
            return _cached(functools.partial(self._choice, words=self.labels[(kind, column.key)], column=column))
        if column.kind == "flags":
            return functools.partial(self._flags, words=self.labels[(kind, column.key)], column=column)
        raise ValueError(column.kind)  # summaries are not read

    def _boolean(self, value, column: Column) -> bool:
        if isinstance(value, bool):
            return value
        found = self.booleans.get(_key(_text(value)))
        if found is None:
            raise _CellError(
                _("“%(value)s” is neither yes nor no: expected “%(yes)s” or “%(no)s”.")
                % {"value": _text(value), "yes": column.cell(True), "no": column.cell(False)}
            )
        return found

    @staticmethod
    def _countries(value) -> list[str]:
        codes, unknown = set(), []
        for line in re.split(r"[\n;]", _text(value)):
            if line.strip():
                try:
                    codes.add(_country(line))
                except _CellError:
                    unknown.append(line.strip())
        if unknown:
            raise _CellError(
                _(
                    "%(values)s: not countries Registre knows. Expected one country a line, by its name in "
                    "English or French or its ISO code, such as “France (FR)” or “FR”."
                )
                % {"values": _quoted(unknown)}
            )
        return sorted(codes)

    @staticmethod
    def _choice(value, words: dict, column: Column) -> str:
        code = words.get(_key(_text(value)))
        if code is None:
            raise _CellError(
                _("“%(value)s” is not one of the choices for “%(column)s”: expected one of %(labels)s.")
                % {"value": _text(value), "column": column.header, "labels": _quoted(column.labels.values())}
            )
        return code

    @staticmethod
    def _flags(value, words: dict, column: Column) -> dict[str, bool]:
        flags = dict.fromkeys(column.labels, False)
        unknown = []
        for line in _text(value).split("\n"):
            if line.strip():
                name = words.get(_key(line))
                if name is None:
                    unknown.append(line.strip())
                else:
                    flags[name] = True
        if unknown:
            raise _CellError(
                _("%(values)s: not among the items of “%(column)s”. Expected one a line of %(labels)s.")
                % {"values": _quoted(unknown), "column": column.header, "labels": _quoted(column.labels.values())}
            )
        return flags


def _cached(read: Callable) -> Callable:
    """``read`` remembering its answers: a register repeats the same few labels a thousand times."""
    answers: dict = {}

    def cached(value):
        if not isinstance(value, str):
            return read(value)
        if value not in answers:
            answers[value] = read(value)
        return answers[value]

    return cached


# --- XLSX: sheets ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Layout:
    """What a sheet's header row was recognised as, and where each column is."""

    kind: str
    language: str
    header_row: int  # 0-based
    columns: list[tuple[int, Column, str]]  # index in the row, column, letter
    unknown: list[str]  # the headers (with their letters) not Registre's, or given twice
    missing: list[Column]

    def position(self, key: str) -> tuple[int, str] | None:
        return next(((index, letter) for index, column, letter in self.columns if column.key == key), None)


def _recognise(vocabulary: _Vocabulary, row: list, offset: int, index: int) -> _Layout | None:
    """The kind of sheet whose header ``row`` is: the one (and language) most of its headers
    match, if they match at least half of that kind's headers, and two of them."""
    keys = {_key(value): position for position, value in reversed(list(enumerate(row))) if isinstance(value, str)}
    keys.pop("", None)
    best, best_score = None, (0, 0.0)
    for layout, headers in vocabulary.headers.items():
        matched = sum(1 for key in headers if key in keys)
        score = (matched, matched / len(headers))
        if matched >= 2 and matched * 2 >= len(headers) and score > best_score:
            best, best_score = layout, score
    if best is None:
        return None
    kind, language = best
    headers = vocabulary.headers[best]
    columns, unknown = [], []
    for position, value in enumerate(row):
        letter = column_letter(offset + position)
        key = _key(value) if isinstance(value, str) else _key(_text(value))
        if not key:
            continue
        if key in headers and keys.get(key) == position:
            columns.append((position, headers[key], letter))
        else:
            unknown.append(f"{_text(value).strip()} ({letter})")
    missing = [column for key, column in headers.items() if key not in keys and column.kind != "summary"]
    return _Layout(kind, language, index, columns, unknown, missing)


def _rows(workbook: CalamineWorkbook, name: str) -> tuple[int, Iterator[list]]:
    """The first column's index and the sheet's rows (from row 1, from the first column used)."""
    try:
        sheet = workbook.get_sheet_by_name(name)
    except Exception as error:  # calamine raises its own errors on a damaged sheet
        raise _damaged(name) from error
    if sheet.start is None:
        return 0, iter(())
    return sheet.start[1], _guarded(sheet.iter_rows(), name)


def _guarded(rows: Iterator[list], name: str) -> Iterator[list]:
    try:
        yield from rows
    except Exception as error:
        raise _damaged(name) from error


def _damaged(name: str) -> UnreadableFile:
    return UnreadableFile(
        _("The sheet “%(sheet)s” of this file is damaged: save the file again and retry.") % {"sheet": name}
    )


def _filled(row: list) -> bool:
    return any(not _is_empty(value) for value in row)


@dataclasses.dataclass
class _PartRow:
    reference: str
    row: dict
    sheet: str
    number: int
    letter: str


class _WorkbookReader:
    def __init__(self, workbook: CalamineWorkbook):
        self.workbook = workbook
        self.vocabulary = _Vocabulary()
        self.problems: list[Problem] = []
        self.sheets: dict[str, str] = {}  # kind -> the sheet read for it
        self.language = ""
        self.activities: list[dict] = []
        self.references: dict[str, dict] = {}  # reference -> activity
        self.reference_keys: dict[str, dict] = {}  # its matching key -> activity
        self.part_rows: list[tuple[str, _PartRow]] = []
        self.attachable = True  # False when the Register sheet has no reference column

    def problem(self, sheet: str, row: int | None, letter: str | None, message: str, level: str = ERROR) -> None:
        self.problems.append(Problem(sheet, row, letter, message, level))

    def read(self) -> dict:
        for metadata in self.workbook.sheets_metadata:
            if metadata.typ == SheetTypeEnum.WorkSheet:  # chart and macro sheets hold no register
                self.read_sheet(metadata.name)
        if REGISTER not in self.sheets:
            raise UnreadableFile(
                _(
                    "This workbook is not a register exported by Registre: none of its sheets has the header "
                    "row of the Register sheet (%(headers)s…)."
                )
                % {"headers": _quoted(column.header for column in register_columns()[:4])}
            )
        self.attach_part_rows()
        with translation.override(self.language):
            missing = [part_title(part) for part in PART_FIELDS if part not in self.sheets]
        for title in missing:
            # Imported as it is, the register would lose these rows: say so before it does.
            message = _("This sheet is missing: the activities were read without any of its rows.")
            self.problem(title, None, None, message, WARNING)
        return {
            "format": FORMAT,
            "version": VERSION,
            "generated_at": None,
            "language": self.language,
            "as_of": None,
            "scope": None,
            "organisation": {},
            "activities": self.activities,
        }

    def read_sheet(self, name: str) -> None:
        offset, rows = _rows(self.workbook, name)
        layout, seen = None, 0
        for index, row in enumerate(rows):
            if not _filled(row):
                continue
            layout = _recognise(self.vocabulary, row, offset, index)
            seen += 1
            if layout is not None or seen == HEADER_SEARCH:
                break
        if layout is None:
            if seen:
                message = _("This sheet is not one of the sheets of Registre's export: it was ignored.")
                self.problem(name, None, None, message, WARNING)
            return
        if layout.kind in self.sheets:
            message = _(
                "This sheet has the same columns as the sheet “%(other)s”, which was read: keep the rows of "
                "both in one sheet."
            )
            self.problem(name, layout.header_row + 1, None, message % {"other": self.sheets[layout.kind]})
            return
        self.sheets[layout.kind] = name
        self.report_columns(name, layout)
        if layout.kind == REGISTER:
            self.language = layout.language
            self.read_register(name, layout, rows)
        else:
            self.read_part(name, layout, rows)

    def report_columns(self, name: str, layout: _Layout) -> None:
        header_row = layout.header_row + 1
        if layout.unknown:
            message = _(
                "These columns are not in this sheet of Registre's export, or appear twice: %(columns)s. "
                "They were ignored."
            )
            self.problem(name, header_row, None, message % {"columns": _quoted(layout.unknown)}, WARNING)
        required = {"reference", "name"} if layout.kind == REGISTER else {"reference"}
        for column in layout.missing:
            if column.key in required:
                message = _("The column “%(column)s” is missing: every row of this sheet needs it.")
                self.problem(name, header_row, None, message % {"column": column.header})
        optional = [column.header for column in layout.missing if column.key not in required]
        if optional:
            message = _("These columns are missing, so their values were left empty: %(columns)s.")
            self.problem(name, header_row, None, message % {"columns": _quoted(optional)}, WARNING)

    def readers(self, layout: _Layout) -> list[tuple[int, str, str, Callable]]:
        """(index, key, letter, reader) of each column read: every one but the summaries."""
        return [
            (index, column.key, letter, self.vocabulary.reader(layout.kind, column))
            for index, column, letter in layout.columns
            if column.kind != "summary"
        ]

    def read_cells(self, name: str, number: int, row: list, readers, values: dict) -> None:
        """Each cell of ``row`` into ``values``, a problem for each unreadable one."""
        width = len(row)
        for index, key, letter, read in readers:
            value = row[index] if index < width else ""
            if _is_empty(value):
                continue
            try:
                found = read(value)
            except _CellError as error:
                self.problem(name, number, letter, error.message)
                continue
            if isinstance(found, dict):  # several yes-or-no fields in one cell
                values.update(found)
            else:
                values[key] = found

    def read_register(self, name: str, layout: _Layout, rows: Iterator[list]) -> None:
        readers = self.readers(layout)
        reference_at = layout.position("reference")
        self.attachable = reference_at is not None
        first_rows: dict[str, int] = {}
        for index, row in enumerate(rows, start=layout.header_row + 1):
            if not _filled(row):
                continue
            activity = _empty_activity()
            self.read_cells(name, index + 1, row, readers, activity)
            activity["reference"] = activity["reference"].strip()
            self.activities.append(activity)
            if reference_at is None:
                continue
            reference, letter = activity["reference"], reference_at[1]
            if not reference:
                self.problem(name, index + 1, letter, _("This row has no reference: give the activity its reference."))
                continue
            key = _key(reference)
            if key in first_rows:
                message = _(
                    "The reference “%(reference)s” is already the one of row %(row)s: each activity needs its own."
                )
                self.problem(name, index + 1, letter, message % {"reference": reference, "row": first_rows[key]})
                continue
            first_rows[key] = index + 1
            self.references[reference] = activity
            self.reference_keys[key] = activity

    def read_part(self, name: str, layout: _Layout, rows: Iterator[list]) -> None:
        reference_at = layout.position("reference")
        if reference_at is None:
            return  # the missing column is reported: its rows cannot be placed
        readers = self.readers(layout)
        part = layout.kind
        for index, row in enumerate(rows, start=layout.header_row + 1):
            if not _filled(row):
                continue
            values = _empty_row(part) | {"reference": ""}
            self.read_cells(name, index + 1, row, readers, values)
            reference = values.pop("reference").strip()
            if not reference:
                message = _("This row has no activity reference: give the reference of the activity it belongs to.")
                self.problem(name, index + 1, reference_at[1], message)
                continue
            self.part_rows.append((part, _PartRow(reference, values, name, index + 1, reference_at[1])))

    def attach_part_rows(self) -> None:
        if not self.attachable:
            return  # the Register sheet's missing reference column is reported
        register = self.sheets[REGISTER]
        for part, row in self.part_rows:
            activity = self.references.get(row.reference) or self.reference_keys.get(_key(row.reference))
            if activity is None:
                message = _("“%(reference)s” is not the reference of an activity of the sheet “%(sheet)s”.")
                self.problem(
                    row.sheet, row.number, row.letter, message % {"reference": row.reference, "sheet": register}
                )
                continue
            activity[part].append(row.row)
        self.part_rows = []


def read_registre_workbook(data: bytes) -> Reading:
    """The register document of a workbook exported by Registre (``writers.write_xlsx``), in
    any of its languages, and the problems found in its cells.

    Raises ``UnreadableFile`` when the file is not a spreadsheet, would not fit in memory, or
    has no sheet with the Register sheet's header row.
    """
    reader = _WorkbookReader(_open(data))
    document = reader.read()
    return Reading(document, reader.problems)


# --- JSON -----------------------------------------------------------------------------------

_MISSING = object()


class _JsonChecker:
    """Checks the values of a document against ``document``: a problem for each value of the
    wrong type or unknown code (which is then left empty), one warning per unknown key."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.unknown: dict[str, tuple[int | None, str]] = {}  # key path without ranks -> first place

    def error(self, row: int | None, path: str | None, message: str) -> None:
        self.problems.append(Problem(JSON_SHEET, row, path, message, ERROR))

    def wrong(self, row: int | None, path: str | None, value, expected: str) -> None:
        found = json.dumps(value, ensure_ascii=False)
        found = found if len(found) <= 80 else found[:79] + "…"
        self.error(
            row, path, _("Found %(found)s where %(expected)s is expected.") % {"found": found, "expected": expected}
        )

    def unknown_keys(self, row: int | None, path: str, item: dict, known) -> None:
        for key in sorted(item.keys() - set(known)):
            pattern = re.sub(r"\[\d+\]", "[]", f"{path}{key}")
            self.unknown.setdefault(pattern, (row, f"{path}{key}"))

    def warnings(self) -> list[Problem]:
        message = _(
            "“%(key)s” is not a key of Registre's register document: it was ignored, here and wherever else it appears."
        )
        return [
            Problem(JSON_SHEET, row, path, message % {"key": path.rsplit(".", 1)[-1]}, WARNING)
            for row, path in self.unknown.values()
        ]

    def value(self, field: _Field, value, row: int, path: str):
        """The document's value of a key, or its empty value with a problem if it is wrong."""
        if value is _MISSING:
            return field.empty()
        if value is None and field.nullable:
            return None
        checked = self.checked(field, value)
        if checked is _MISSING:
            self.wrong(row, path, value, self.expected(field))
            return field.empty()
        return checked

    @staticmethod
    def checked(field: _Field, value):
        kind = field.kind
        if kind == "text":
            return value if isinstance(value, str) else _MISSING
        if kind == "choice":
            return value if isinstance(value, str) and (value == "" or value in field.codes) else _MISSING
        if kind == "bool":
            return value if isinstance(value, bool) else _MISSING
        if kind == "number":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else _MISSING
        if kind == "date":
            return value if isinstance(value, str) and _is_iso_date(value) else _MISSING
        if kind == "country":
            return value if _is_country_code(value) else _MISSING
        if kind == "countries":
            return value if isinstance(value, list) and all(_is_country_code(code) for code in value) else _MISSING
        raise ValueError(kind)

    @staticmethod
    def expected(field: _Field) -> str:
        expected = {
            "text": _("text"),
            "bool": _("true or false"),
            "number": _("a whole number of 0 or more"),
            "date": _("a date such as “2026-01-31”"),
            "country": _("an ISO country code such as “FR”"),
            "countries": _("a list of ISO country codes such as [“FR”, “US”]"),
        }.get(field.kind)
        if field.kind == "choice":
            expected = _("one of the codes %(codes)s") % {"codes": _quoted(field.codes)}
        return _("%(expected)s or null") % {"expected": expected} if field.nullable else expected

    def activity(self, item, row: int) -> dict | None:
        if not isinstance(item, dict):
            self.wrong(row, None, item, _("an object holding an activity's fields"))
            return None
        fields = _fields()
        activity = {
            name: self.value(field, item.get(name, _MISSING), row, name) for name, field in fields[REGISTER].items()
        }
        self.unknown_keys(row, "", item, [*ACTIVITY_FIELDS, *PART_FIELDS])
        for part in PART_FIELDS:
            rows = item.get(part, [])
            if not isinstance(rows, list):
                self.wrong(row, part, rows, _("a list of objects"))
                rows = []
            activity[part] = []
            for rank, values in enumerate(rows):
                path = f"{part}[{rank}]"
                if not isinstance(values, dict):
                    self.wrong(row, path, values, _("an object"))
                    continue
                activity[part].append(
                    {
                        name: self.value(field, values.get(name, _MISSING), row, f"{path}.{name}")
                        for name, field in fields[part].items()
                    }
                )
                self.unknown_keys(row, f"{path}.", values, fields[part])
        return activity

    def organisation(self, value, spec: dict = ORGANISATION, path: str = "organisation") -> dict:
        """The organisation block, every key filled ("" when missing)."""
        if value is None or value is _MISSING:
            value = {}
        if not isinstance(value, dict):
            self.wrong(None, path, value, _("an object"))
            value = {}
        block = {}
        for name, inner in spec.items():
            found = value.get(name, _MISSING)
            if inner is not None:
                block[name] = self.organisation(found, inner, f"{path}.{name}")
            elif found is _MISSING:
                block[name] = ""
            elif not isinstance(found, str):
                self.wrong(None, f"{path}.{name}", found, _("text"))
                block[name] = ""
            else:
                block[name] = found
        self.unknown_keys(None, f"{path}.", value, spec)
        return block


def _is_iso_date(text: str) -> bool:
    try:
        return bool(ISO_DATE.fullmatch(text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _is_country_code(value) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isupper() and value in countries


def _not_a_register() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This file is not a register exported by Registre: its JSON export is an object whose “format” "
            "is “%(format)s”."
        )
        % {"format": FORMAT}
    )


def read_registre_json(data: bytes) -> Reading:
    """The register document of Registre's JSON export (``writers.write_json``), checked,
    every key filled, and the problems found in it.

    Raises ``UnreadableFile`` when the file is larger than 50 MB, is not UTF-8 JSON, is not
    Registre's register document, or comes from a newer version of Registre.
    """
    if len(data) > MAX_JSON_BYTES:
        raise UnreadableFile(
            _("This file is larger than %(size)s MB: Registre reads JSON exports of up to %(size)s MB.")
            % {"size": MAX_JSON_BYTES // (1024 * 1024)}
        )
    try:
        content = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise UnreadableFile(_("This file is not UTF-8 text: Registre's JSON export always is.")) from error
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            _("This file is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise UnreadableFile(_("This JSON is nested too deeply to be a register.")) from error
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise _not_a_register()
    version = content.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnreadableFile(
            _("This register has no valid “version”: expected a whole number, %(version)s for this Registre.")
            % {"version": VERSION}
        )
    if version > VERSION:
        raise UnreadableFile(
            _(
                "This register was exported by a newer version of Registre (format version %(found)s); this one "
                "reads up to version %(supported)s. Export it again from a Registre of the same version."
            )
            % {"found": version, "supported": VERSION}
        )
    activities = content.get("activities")
    if not isinstance(activities, list):
        raise UnreadableFile(_("This register has no list of activities (“activities”)."))
    checker = _JsonChecker()
    document = {key: content.get(key) for key in HEADER[:6]}
    document["organisation"] = checker.organisation(content.get("organisation"))
    document["activities"] = [
        activity for index, item in enumerate(activities) if (activity := checker.activity(item, index + 1)) is not None
    ]
    checker.unknown_keys(None, "", content, HEADER)
    return Reading(document, [*checker.problems, *checker.warnings()])
