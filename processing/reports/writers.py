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
from processing.reports.tables import (
    IDENTITY_HEADERS,
    ORGANISATION_SHEET,
    part_columns,
    part_rows,
    part_title,
    register_columns,
    register_row,
)

Progress = Callable[[int, int], None]


def _chunks(reader: RegisterReader, progress: Progress | None):
    done = 0
    for chunk in reader.chunks():
        yield chunk
        done += len(chunk)
        if progress:
            progress(done, len(reader))


def organisation_lines(reader: RegisterReader) -> list[tuple[str, str]]:
    """Art. 30(1)(a) and 30(2)(a): the name and contact details of the controller (or processor), of its
    representative and of its data protection officer — the header every record begins with."""
    o = reader.organisation_header()
    place = " ".join(part for part in (o["postcode"], o["city"]) if part)
    contact = ", ".join(part for part in (o["address"], place, o["phone"], o["email"]) if part)
    dpo = o["dpo"]
    representative = o["representative"]
    return [
        (_("Controller or processor"), o["name"]),
        (_("Legal identifier"), o["legal_identifier"]),
        (_("Contact details"), contact),
        (_("Data protection officer"), " · ".join(part for part in (dpo["name"], dpo["email"], dpo["phone"]) if part)),
        (
            _("Representative in the EU"),
            " · ".join(part for part in (representative["name"], representative["contact"]) if part),
        ),
    ]


def write_xlsx(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """A "Register" sheet, one row per activity, then one sheet per kind of part, then the organisation's."""
    stream = XlsxStream(output)
    columns = register_columns()
    register = stream.add_sheet(_("Register"), [c.header for c in columns], [c.width for c in columns])
    parts = {}
    for part in document.PART_FIELDS:
        part_cols = part_columns(part)
        sheet = stream.add_sheet(part_title(part), [c.header for c in part_cols], [c.width for c in part_cols])
        parts[part] = (part_cols, sheet)
    organisation = stream.add_sheet(str(ORGANISATION_SHEET), [str(header) for header in IDENTITY_HEADERS], [30, 80])
    for line in organisation_lines(reader):
        organisation.append(line)
    for chunk in _chunks(reader, progress):
        for activity in chunk:
            register.append(register_row(columns, activity))
            for part, (part_cols, sheet) in parts.items():
                for row in part_rows(part_cols, activity, part):
                    sheet.append(row)
    stream.close()


def write_csv_register(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """One line per activity, its parts joined a line each in their cells; the organisation's identity (Art. 30(1)(a),
    30(2)(a)) in the last columns of every line, so that the file stays one table."""
    columns = register_columns()
    identity = organisation_lines(reader)
    values = [value for _label, value in identity]
    rows = ([*register_row(columns, activity), *values] for chunk in _chunks(reader, progress) for activity in chunk)
    write_csv(output, [c.header for c in columns] + [label for label, _value in identity], rows)


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
