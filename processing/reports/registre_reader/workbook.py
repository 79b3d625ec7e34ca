"""Registre's XLSX read back: its sheets recognised by their header rows, in any of
Registre's languages, rows joined to their activity by its reference. The activities come
from both records' sheets (Art. 30(1) and 30(2)), or from the one Register sheet of the
exports made before Registre kept them apart."""

import dataclasses
from collections.abc import Callable, Iterator

from django.utils import translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum

from core.workbooks import column_letter, open_workbook
from processing.reports.document import FORMAT, PART_FIELDS, VERSION
from processing.reports.problems import ERROR, WARNING, Problem, Reading, UnreadableFile
from processing.reports.records import record_of
from processing.reports.registre_reader.cells import _CellError, _is_empty, _text, _Vocabulary
from processing.reports.registre_reader.fields import REGISTER_KINDS, _empty_activity, _empty_row, _key, _quoted
from processing.reports.tables import IDENTITY_HEADERS, Column, part_title, register_columns

HEADER_SEARCH = 10  # rows of a sheet searched for its header row (a title may sit above it)


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
    return not all(map(_is_empty, row))


@dataclasses.dataclass
class _PartRow:
    reference: str
    row: dict
    sheet: str
    number: int
    letter: str


def _is_identity_header(row: list) -> bool:
    """The header of the Organisation sheet (``writers.organisation_lines``), in either language, whatever its name."""
    keys = sorted(_key(value) for value in row if isinstance(value, str) and value.strip())
    for language in ("en", "fr"):
        with translation.override(language):
            if keys == sorted(_key(str(header)) for header in IDENTITY_HEADERS):
                return True
    return False


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
        self.first_rows: dict[str, tuple[str, int]] = {}  # a reference's matching key -> (sheet, row) first giving it
        self.part_rows: list[tuple[str, _PartRow]] = []
        self.attachable = True  # False when a record's sheet has no reference column

    def problem(self, sheet: str, row: int | None, letter: str | None, message: str, level: str = ERROR) -> None:
        self.problems.append(Problem(sheet, row, letter, message, level))

    def read(self) -> dict:
        for metadata in self.workbook.sheets_metadata:
            if metadata.typ == SheetTypeEnum.WorkSheet:  # chart and macro sheets hold no register
                self.read_sheet(metadata.name)
        if not any(kind in self.sheets for kind in REGISTER_KINDS):
            raise UnreadableFile(
                _(
                    "This workbook is not a register exported by Registre: none of its sheets has the header "
                    "row of the Register sheet (%(headers)s…)."
                )
                % {"headers": _quoted(column.header for column in register_columns()[:4])}
            )
        self.attach_part_rows()
        self.activities.sort(key=lambda activity: activity["reference"])  # the document's order, whichever the sheet
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
        layout, seen, first = None, 0, None
        for index, row in enumerate(rows):
            if not _filled(row):
                continue
            layout = _recognise(self.vocabulary, row, offset, index)
            seen += 1
            first = first or row
            if layout is not None or seen == HEADER_SEARCH:
                break
        if layout is None:
            if first is not None and _is_identity_header(first):
                return  # the organisation's identity: the importing organisation's own, never changed by a file
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
        if layout.kind in REGISTER_KINDS:
            self.language = self.language or layout.language
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
        required = {"reference", "name"} if layout.kind in REGISTER_KINDS else {"reference"}
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
            # _is_empty written out: its call for each of the 800,000 cells of 5,000 activities was a sixth of reading.
            if value == "" or value is None or (isinstance(value, str) and value.isspace()):
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
        self.attachable = self.attachable and reference_at is not None
        for index, row in enumerate(rows, start=layout.header_row + 1):
            if not _filled(row):
                continue
            activity = _empty_activity()
            self.read_cells(name, index + 1, row, readers, activity)
            activity["reference"] = activity["reference"].strip()
            activity["record"] = record_of(activity["role"])  # the role decides, whichever sheet the row is on
            self.activities.append(activity)
            if reference_at is None:
                continue
            reference, letter = activity["reference"], reference_at[1]
            if not reference:
                self.problem(name, index + 1, letter, _("This row has no reference: give the activity its reference."))
                continue
            key = _key(reference)
            if key in self.first_rows:
                self.reference_given_twice(name, index + 1, letter, reference, *self.first_rows[key])
                continue
            self.first_rows[key] = (name, index + 1)
            self.references[reference] = activity
            self.reference_keys[key] = activity

    def reference_given_twice(self, name: str, number: int, letter: str, reference: str, sheet: str, row: int):
        if sheet == name:
            message = _("The reference “%(reference)s” is already the one of row %(row)s: each activity needs its own.")
        else:
            message = _(
                "The reference “%(reference)s” is already the one of row %(row)s of the sheet “%(sheet)s”: each "
                "activity needs its own."
            )
        self.problem(name, number, letter, message % {"reference": reference, "row": row, "sheet": sheet})

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
        registers = [self.sheets[kind] for kind in REGISTER_KINDS if kind in self.sheets]
        for part, row in self.part_rows:
            activity = self.references.get(row.reference) or self.reference_keys.get(_key(row.reference))
            if activity is None:
                if len(registers) == 1:
                    message = _("“%(reference)s” is not the reference of an activity of the sheet “%(sheet)s”.")
                else:
                    message = _("“%(reference)s” is not the reference of an activity of the sheets %(sheets)s.")
                values = {"reference": row.reference, "sheet": registers[0], "sheets": _quoted(registers)}
                self.problem(row.sheet, row.number, row.letter, message % values)
                continue
            activity[part].append(row.row)
        self.part_rows = []


def read_registre_workbook(data: bytes) -> Reading:
    """The register document of a workbook exported by Registre (``writers.write_xlsx``), in
    any of its languages, and the problems found in its cells.

    Raises ``UnreadableFile`` when the file is not a spreadsheet, would not fit in memory, or
    has no sheet with the Register sheet's header row.
    """
    reader = _WorkbookReader(open_workbook(data))
    document = reader.read()
    return Reading(document, reader.problems)
