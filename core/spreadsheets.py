"""Spreadsheets a regulator or a board opens: XLSX (XlsxWriter) and CSV that Excel reads right.

Safety: no cell ever becomes a formula. XLSX cells are written as strings or numbers, never
through XlsxWriter's guessing ``write()``; in CSV a cell that begins with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) gets a leading ``'``, so that a spreadsheet
shows it as text instead of running it.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from types import FunctionType
from zipfile import ZipFile

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellStringTuple, Worksheet

FORMULA_FIRST = frozenset(("=", "+", "-", "@", "\t", "\r"))  # what begins a formula (``csv_safe``)
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    title = str(title).translate(SHEET_TITLE_FORBIDDEN).strip() or "Sheet"
    return title if len(title) <= 31 else title[:30].rstrip() + "…"


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit)
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int or None per cell
    widths: list[int] = field(default_factory=list)  # characters, per column (default 20)


# What XlsxWriter must escape its own way (control characters, its _xHHHH_ escapes) or mark
# (leading or trailing white space): such strings take its general path.
NEEDS_CARE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# The same, split for the many strings of many rows joined by NUL (one alternation over a whole chunk costs ten
# times these): the characters to escape, XlsxWriter's escapes, a string that begins like its rich text (``append``).
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b-\x1f\ufffe\uffff]")
ESCAPE_LIKE = re.compile(r"_x[0-9a-fA-F]{4}_")
# A string that begins with white space, the strings joined by NUL and the whole begun by one. For a string that
# ends with it, the same is searched for in the joined strings reversed: ``\s\x00`` has no literal to look for
# first (30,000 strings: 1.6 ms reversed and searched, 5.7 ms for ``\s\x00``, 2.6 ms testing each string).
SPACE_FIRST = re.compile(r"\x00\s")
PLAIN_TYPES = frozenset({str, int, float, type(None)})  # not bool: XlsxWriter's path writes it as a boolean


def _plain_strings(strings: list[str]) -> bool:
    """Whether none of ``strings`` needs care (``NEEDS_CARE``), nor holds a NUL: checked all at once."""
    if not strings:
        return True
    joined = "\x00" + "\x00".join(strings) + "\x00"
    if "\x00<r>" in joined or CONTROL_CHARACTERS.search(joined) or ESCAPE_LIKE.search(joined):
        return False
    return joined.count("\x00") == len(strings) + 1 and not (
        SPACE_FIRST.search(joined) or SPACE_FIRST.search(joined[::-1])
    )


def _filled_columns(rows: list, width: int) -> tuple[int, int]:
    """The first and the last column where any of ``rows`` (one at least not empty) has a cell: each column is looked
    down only until a row has one, nearly always the first row."""

    def filled(column):
        return any(column < len(row) and row[column] is not None and row[column] != "" for row in rows)

    return next(filter(filled, range(width))), next(filter(filled, reversed(range(width))))


class _LeanWorksheet(Worksheet):
    """XlsxWriter's worksheet, with a shorter path for the plain strings and numbers that make
    nearly every cell of a register: the same XML, in a fraction of the time (a register of 10,000
    activities has a million cells). Relies on XlsxWriter's internals as pinned in
    requirements.txt; the tests open every export with openpyxl.

    Chosen by measure, writing the cells of that register (10,000 rows of 46 columns, 200,000 of
    6; 2 cores, medians of two runs): XlsxWriter cell by cell took 12.6 s in constant memory and
    8.7 s in its default mode, which keeps every cell and shared string until it closes (232 MB
    against 81); its cell-by-cell path with plain strings shortened, as before, 6.4 s; whole
    chunks of rows at once (``write_plain_rows``) 3.3 s, in constant memory. rust_xlsxwriter's
    Python binding with a writer of rows (rvgsrust-xlsxwriter 0.3.5) took 2.9 s, but writes an
    empty cell for each None and integers as floats, and is a young binding by a single author;
    rustpy-xlsxwriter takes each sheet's rows whole. Not worth a dependency for 0.4 s."""

    def _write_cell(self, row, col, cell):
        if type(cell) is not CellStringTuple or cell.format is None or NEEDS_CARE.search(cell.string):
            return super()._write_cell(row, col, cell)
        text = cell.string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cell_range = xl_rowcol_to_cell_fast(row, col)
        style = cell.format._get_xf_index()
        self.fh.write(f'<c r="{cell_range}" s="{style}" t="inlineStr"><is><t>{text}</t></is></c>')
        return None

    def __init__(self):
        super().__init__()
        self.column_letters: list[str] = []

    def write_plain_rows(self, first: int, rows: list, cell_format) -> bool:
        """Write the rows (the first at row ``first``) straight into the sheet's XML, as ``write_string`` and
        ``write_number`` would cell by cell, if each value is plain: None or "" (no cell), an int or a float, or a
        string that needs no care. If one is not, write nothing and say so (False): the rows then take the
        cell-by-cell path. Constant memory only. The values are checked, and the strings escaped, for all the rows
        at once (their types as a set, the strings joined by NUL), and each cell is then made in a single pass: a
        call or a loop per cell is what costs. The million cells of a register of 10,000 activities: 1.2 s of CPU,
        against 1.8 s with a pass to find the cells, two to count the strings and the numbers, one to make the XML
        (2 cores, the best of three)."""
        if first <= self.previous_row or first + len(rows) > self.xls_rowmax:
            return False
        if not set(map(type, chain.from_iterable(rows))) <= PLAIN_TYPES:
            return False
        strings = [value for row in rows for value in row if type(value) is str and value]
        if not _plain_strings(strings):
            return False
        start = next(
            (place for place, row in enumerate(rows) for value in row if value is not None and value != ""), None
        )
        if start is None:
            return True
        # The row before, if kept by the cell-by-cell path, goes first: its formats take their numbers first, as
        # they do cell by cell.
        self._write_single_row(first + start)
        escaped = "\x00".join(strings).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\x00")
        letters = self.column_letters
        width = max(map(len, rows))
        if len(letters) < width:
            letters.extend(xl_col_to_name(column) for column in range(len(letters), width))
        style = cell_format._get_xf_index()
        text, text_start, number_start = (
            iter(escaped).__next__,
            f'" s="{style}" t="inlineStr"><is><t>',
            f'" s="{style}"><v>',
        )
        xml = []
        for number, row in enumerate(rows, first + 1):
            cells = [
                f'<c r="{letters[column]}{number}{text_start}{text()}</t></is></c>'
                if type(value) is str
                else f'<c r="{letters[column]}{number}{number_start}{value:.16G}</v></c>'
                for column, value in enumerate(row)
                if value is not None and value != ""
            ]
            if cells:  # XlsxWriter's row without a format or height of its own
                xml.append(f'<row r="{number}">{"".join(cells)}</row>')
                last = number - 1
        leftmost, rightmost = _filled_columns(rows, width)
        self._check_dimensions(first + start, leftmost)
        self._check_dimensions(last, rightmost)
        self.fh.write("".join(xml))
        self.previous_row = last
        return True


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, its package deflated at zlib's level 3 instead of its default, 6: the file is an eighth
    larger, written in a third of the time. Measured on the register of 10,000 activities (62 MB of XML; 2 cores,
    the best of three): level 6 took 0.75 s for 4.5 MB, level 3 0.23 s for 5.1 MB, level 1 0.22 s for 5.6 MB; from
    level 4 up the time doubles. XlsxWriter makes its ZipFile in ``_store_workbook`` with no level: its own method
    is run here with the names of its module but ZipFile, given the level. Relies, like ``_LeanWorksheet``, on
    XlsxWriter's internals as pinned in requirements.txt (should a later one make its zip otherwise, only the level
    would be lost)."""

    _store_workbook = FunctionType(
        xlsxwriter.Workbook._store_workbook.__code__,
        {**vars(xlsxwriter.workbook), "ZipFile": partial(ZipFile, compresslevel=3)},
    )


class XlsxStream:
    """A workbook written row by row in constant memory (XlsxWriter keeps one row per sheet):
    per sheet a bold frozen header with filters, set widths, wrapped text. ``output`` is a
    path or a binary file object; sheets may be filled in turns, rows in order."""

    def __init__(self, output):
        self.workbook = _Workbook(
            output,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.header_format = self.workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"}
        )
        self.text = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.sheets = []

    def add_sheet(
        self, title: str, headers: list[str], widths: list[int] = (), *, header_row: int = 0, above=None
    ) -> "XlsxSheet":
        """A sheet whose header is on ``header_row``; ``above(worksheet)`` writes the rows above it (a title, say),
        before the header: in constant memory a row cannot be written once a later one is."""
        sheet = XlsxSheet(self, title, headers, widths, header_row=header_row, above=above)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            top = sheet.header_row
            sheet.worksheet.autofilter(top, 0, max(sheet.rows, top + 1), max(len(sheet.headers) - 1, 0))
        self.workbook.close()


class XlsxSheet:
    def __init__(self, stream: XlsxStream, title: str, headers: list[str], widths, *, header_row: int = 0, above=None):
        self.stream = stream
        self.headers = headers
        self.header_row = self.rows = header_row  # rows: the last row written
        self.worksheet = worksheet = stream.workbook.add_worksheet(sheet_title(title), worksheet_class=_LeanWorksheet)
        for column in range(len(headers)):
            worksheet.set_column(column, column, widths[column] if column < len(widths) else 20, stream.text)
        if above is not None:
            above(worksheet)
        for column, title in enumerate(headers):
            worksheet.write_string(header_row, column, str(title), stream.header_format)
        worksheet.freeze_panes(header_row + 1, 0)

    def extend(self, rows: list) -> None:
        """Rows, as ``append`` writes them, at once when they are plain (``_LeanWorksheet.write_plain_rows``)."""
        if self.worksheet.write_plain_rows(self.rows + 1, rows, self.stream.text):
            self.rows += len(rows)
        else:
            for row in rows:
                self.append(row)

    def append(self, row) -> None:
        """One row: str, int or float per cell (None and "" leave the cell empty)."""
        self.rows += 1
        if self.worksheet.write_plain_rows(self.rows, [row], self.stream.text):
            return
        write_string, write_number, text, number = (
            self.worksheet.write_string,
            self.worksheet.write_number,
            self.stream.text,
            self.rows,
        )
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                write_number(number, column, value, text)
                continue
            value = str(value)
            if value.startswith("<r>") and value.endswith("</r>"):
                # In constant-memory mode XlsxWriter copies such a string into the sheet's
                # XML as it is (taking it for rich text it made): written in two escaped
                # runs instead, it can neither break the file nor smuggle in a formula.
                self.worksheet.write_rich_string(number, column, value[:1], value[1:2], value[2:], text)
            else:
                write_string(number, column, value, text)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A small workbook, whole in memory."""
    output = io.BytesIO()
    stream = XlsxStream(output)
    for sheet in sheets:
        stream.add_sheet(sheet.title, sheet.headers, sheet.widths).extend(sheet.rows)
    stream.close()
    return output.getvalue()


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_FIRST else text


def csv_safe_row(values) -> list[str]:
    """``csv_safe`` of each value, a string's and None's made here rather than in a call per cell: a register of
    10,000 activities has 350,000 cells, nearly all strings or None (400,000 such cells: 0.14 s against 0.30)."""
    return [
        ("'" + value if value[:1] in FORMULA_FIRST else value)
        if type(value) is str
        else ""
        if value is None
        else csv_safe(value)
        for value in values
    ]


def write_csv(output, headers: list[str], rows) -> None:
    """UTF-8 with a byte order mark (Excel then reads accents right), one line per row, to a
    text file opened with ``newline=""``; ``rows`` may be any iterable."""
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow([csv_safe(title) for title in headers])
    for row in rows:
        writer.writerow(csv_safe_row(row))


def csv_text(headers: list[str], rows: list[list]) -> str:
    output = io.StringIO()
    write_csv(output, headers, rows)
    return output.getvalue()
