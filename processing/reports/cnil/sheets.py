"""The sheets of a CNIL model register as read: rows of cells, the lines of a record sheet
with the section they sit in, and the problems found, located by sheet, row and column."""

import dataclasses
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, SheetTypeEnum

from core.workbooks import UnreadableFile, column_letter
from processing.reports.cnil.vocabulary import _key, _text
from processing.reports.problems import WARNING, Problem

MAX_ROWS = 5_000
MAX_COLUMNS = 200


# --- Reading: sheets, lines and problems ---------------------------------------------------


@dataclasses.dataclass
class _Sheet:
    name: str
    rows: list[list]


class _Problems(list):
    def add(self, sheet: str, row: int | None, column: int | None, message: str, level: str = WARNING):
        """Record a problem at 0-based ``row`` and ``column`` indexes (shown 1-based and as letters)."""
        letter = column_letter(column) if column is not None else None
        self.append(Problem(sheet, row + 1 if row is not None else None, letter, message, level))


@dataclasses.dataclass
class _Line:
    """One row of a record sheet, with the section it sits in and that section's columns."""

    sheet: _Sheet
    index: int
    section: str
    columns: dict[str, int]
    label: str
    cells: list
    label_col: int = 0

    @property
    def key(self) -> str:
        return _key(self.label)

    def column(self, header: str, offset: int) -> int:
        """The column under a heading of the section ("Précisions"), or where the model has it."""
        return next((col for key, col in self.columns.items() if key.startswith(header)), self.label_col + offset)

    def raw(self, col: int):
        return self.cells[col] if col < len(self.cells) else ""

    def text(self, col: int) -> str:
        return _text(self.raw(col))


SECTIONS = (
    ("description du traitement", "description"),
    ("acteurs", "actors"),
    ("finalite(s) du traitement", "purposes"),
    ("finalites du traitement", "purposes"),
    ("categories de donnees personnelles", "data"),
    ("donnees sensibles", "data"),
    ("categories de personnes concernees", "subjects"),
    ("destinataires", "recipients"),
    ("mesures de securite", "measures"),
    ("transferts hors ue", "transfers"),
)


def _load_sheets(workbook: CalamineWorkbook, problems: _Problems) -> list[_Sheet]:
    sheets = []
    for metadata in workbook.sheets_metadata:
        if metadata.typ != SheetTypeEnum.WorkSheet:
            continue  # chart and macro sheets hold no register
        try:
            sheets.append(_load_sheet(workbook, metadata.name, problems))
        except Exception as error:  # a damaged sheet: calamine raises its own errors, or ValueError
            raise UnreadableFile(
                _("The sheet “%(sheet)s” of this file is damaged: save the file again and retry.")
                % {"sheet": metadata.name}
            ) from error
    return sheets


def _load_sheet(workbook: CalamineWorkbook, name: str, problems: _Problems) -> _Sheet:
    """Up to MAX_ROWS rows of MAX_COLUMNS cells, a problem saying so if the sheet is larger."""
    sheet = workbook.get_sheet_by_name(name)
    # iter_rows counts rows from the first but columns from the first one used.
    padding = [""] * (sheet.start[1] if sheet.start else 0)
    rows, too_wide = [], False
    for index, row in enumerate(sheet.iter_rows()):
        if index == MAX_ROWS:
            problems.add(
                name, None, None, _("Only the first %(limit)s rows of this sheet were read.") % {"limit": MAX_ROWS}
            )
            break
        cells = padding + row if padding else row
        too_wide = too_wide or len(cells) > MAX_COLUMNS
        rows.append(cells[:MAX_COLUMNS])
    if too_wide:
        problems.add(
            name, None, None, _("Only the first %(limit)s columns of this sheet were read.") % {"limit": MAX_COLUMNS}
        )
    return _Sheet(name, rows)


def _find(sheet: _Sheet, predicate) -> tuple[int, int] | None:
    for row_index, row in enumerate(sheet.rows):
        for col, value in enumerate(row):
            if isinstance(value, str) and value and predicate(_key(value)):
                return row_index, col
    return None


def _is_reference_label(key: str) -> bool:
    return bool(re.fullmatch(r"(n°|no|numero)?\s*/?\s*ref(erence)?", key))


def _list_header_row(sheet: _Sheet) -> int | None:
    """The row of the list sheet that names its columns ("Nom du traitement", "N° / RÉF")."""
    for index, row in enumerate(sheet.rows):
        keys = {_key(value) for value in row if isinstance(value, str)}
        if "nom du traitement" in keys and any(_is_reference_label(key) for key in keys):
            return index
    return None


def _walk(sheet: _Sheet, label_col: int) -> Iterator[_Line]:
    """The rows of a record sheet, each with the section heading above it and its columns."""
    section, columns = "", {}
    for index, row in enumerate(sheet.rows):
        label = _text(row[label_col]) if label_col < len(row) else ""
        heading = next((name for prefix, name in SECTIONS if _key(label).startswith(prefix)), None)
        if heading:
            section = heading
            columns = {_key(_text(value)): col for col, value in enumerate(row) if col > label_col and _text(value)}
            continue
        yield _Line(sheet, index, section, columns, label, row, label_col)
