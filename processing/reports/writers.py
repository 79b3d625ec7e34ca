"""The register written out: XLSX (register layout), CSV and JSON, a chunk of activities at a
time so that memory stays flat however large the register. Call inside
``translation.override(language)``: every header and label is the active language's.

``progress(done, total)`` is told after each chunk (the background export's progress bar).
"""

import json
from collections.abc import Callable

from django.utils.translation import gettext as _

from core.spreadsheets import XlsxStream, write_csv
from processing.reports import document
from processing.reports.loading import RegisterReader
from processing.reports.tables import part_columns, part_rows, part_title, register_columns, register_row

Progress = Callable[[int, int], None]


def _chunks(reader: RegisterReader, progress: Progress | None):
    done = 0
    for chunk in reader.chunks():
        yield chunk
        done += len(chunk)
        if progress:
            progress(done, len(reader))


def write_xlsx(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """A "Register" sheet, one row per activity, then one sheet per kind of part."""
    stream = XlsxStream(output)
    columns = register_columns()
    register = stream.add_sheet(_("Register"), [c.header for c in columns], [c.width for c in columns])
    parts = {}
    for part in document.PART_FIELDS:
        part_cols = part_columns(part)
        sheet = stream.add_sheet(part_title(part), [c.header for c in part_cols], [c.width for c in part_cols])
        parts[part] = (part_cols, sheet)
    for chunk in _chunks(reader, progress):
        for activity in chunk:
            register.append(register_row(columns, activity))
            for part, (part_cols, sheet) in parts.items():
                for row in part_rows(part_cols, activity, part):
                    sheet.append(row)
    stream.close()


def write_csv_register(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """One line per activity, its parts joined a line each in their cells."""
    columns = register_columns()
    rows = (register_row(columns, activity) for chunk in _chunks(reader, progress) for activity in chunk)
    write_csv(output, [c.header for c in columns], rows)


def write_json(reader: RegisterReader, output, language: str, progress: Progress | None = None) -> None:
    """The document itself (see ``document``), written an activity at a time."""
    header = json.dumps(reader.header(language), ensure_ascii=False)
    output.write(header[:-1] + ', "activities": [')
    first = True
    for chunk in _chunks(reader, progress):
        for activity in chunk:
            output.write(("" if first else ",") + "\n" + json.dumps(activity, ensure_ascii=False))
            first = False
    output.write("\n]}\n")
