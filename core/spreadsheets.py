"""Spreadsheets a regulator or a board opens: XLSX (XlsxWriter) and CSV that Excel reads right.

Safety: no cell ever becomes a formula. XLSX cells are written as strings or numbers, never
through XlsxWriter's guessing ``write()``; in CSV a cell that begins with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) gets a leading ``'``, so that a spreadsheet
shows it as text instead of running it.
"""

import csv
import io
from dataclasses import dataclass, field

import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str  # at most 31 characters (Excel's limit)
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int or None per cell
    widths: list[int] = field(default_factory=list)  # characters, per column (default 20)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook: per sheet a bold frozen header with filters, set widths, wrapped text."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.title[:31])
        for column, title in enumerate(sheet.headers):
            width = sheet.widths[column] if column < len(sheet.widths) else 20
            worksheet.set_column(column, column, width, text)
            worksheet.write_string(0, column, str(title), header)
        for row_number, row in enumerate(sheet.rows, start=1):
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, int) and not isinstance(value, bool):
                    worksheet.write_number(row_number, column, value, text)
                else:
                    worksheet.write_string(row_number, column, str(value), text)
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, max(len(sheet.rows), 1), max(len(sheet.headers) - 1, 0))
    workbook.close()
    return output.getvalue()


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(headers: list[str], rows: list[list]) -> str:
    """UTF-8 with a byte order mark (Excel then reads accents right), one line per row."""
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow([csv_safe(title) for title in headers])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return output.getvalue()
