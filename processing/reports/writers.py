"""The register written out: XLSX (register layout), CSV and JSON, a chunk of activities at a
time so that memory stays flat however large the register. Call inside
``translation.override(language)``: every header and label is the active language's.

The two records of Art. 30 (``records``) are kept apart: the XLSX has a sheet per record and
the CSV a section per record, each under the record's title and its article's headings; the
JSON names each activity's record and describes both records in its header.

``progress(done, total)`` is told after each chunk (the background export's progress bar).
"""

import csv
from collections.abc import Callable

import orjson
from django.utils.translation import gettext as _

from core.spreadsheets import XlsxSheet, XlsxStream, csv_safe, csv_safe_row
from processing.models import ProcessingActivity
from processing.reports import document
from processing.reports.loading import RegisterReader
from processing.reports.records import CONTROLLER, PROCESSOR, RECORDS, Record
from processing.reports.tables import (
    IDENTITY_HEADERS,
    ORGANISATION_SHEET,
    SOURCES,
    heading_row,
    part_columns,
    part_rows,
    part_title,
    register_columns,
    register_row,
)

Progress = Callable[[int, int], None]


class _Counted:
    """The reader's chunks, all of them or a record's, telling ``progress`` how many were read so far."""

    def __init__(self, reader: RegisterReader, progress: Progress | None):
        self.reader, self.progress, self.done = reader, progress, 0

    def chunks(self, record: str | None = None):
        for chunk in self.reader.chunks(record):
            yield chunk
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, len(self.reader))


def organisation_lines(reader: RegisterReader, record: str | None = None) -> list[tuple[str, str]]:
    """Art. 30(1)(a) and 30(2)(a): the name and contact details of the controller (or processor), of its
    representative and of its data protection officer — the header every record begins with. Its first label says
    what the organisation is in ``record`` (either, when None)."""
    o = reader.organisation_header()
    who = {None: _("Controller or processor"), CONTROLLER: _("Controller"), PROCESSOR: _("Processor")}[record]
    place = " ".join(part for part in (o["postcode"], o["city"]) if part)
    contact = ", ".join(part for part in (o["address"], place, o["phone"], o["email"]) if part)
    dpo = o["dpo"]
    representative = o["representative"]
    return [
        (who, o["name"]),
        (_("Legal identifier"), o["legal_identifier"]),
        (_("Contact details"), contact),
        (_("Data protection officer"), " · ".join(part for part in (dpo["name"], dpo["email"], dpo["phone"]) if part)),
        (
            _("Representative in the EU"),
            " · ".join(part for part in (representative["name"], representative["contact"]) if part),
        ),
    ]


HEADER_ROW = 2  # a record's sheet: its title on the first row, its headings on the second, then the header row


def _record_sheet(stream: XlsxStream, record: Record) -> XlsxSheet:
    """A record's sheet: the record's title on the first row, its headings on the second, over their columns, then
    the header row (frozen, with filters) and an activity a row. The importer finds the header row below them."""

    def title_and_headings(worksheet):
        worksheet.write_string(0, 0, str(record.title), stream.workbook.add_format({"bold": True, "font_size": 13}))
        first = 0
        for heading in record.headings:
            last = first + len(heading.keys) - 1
            if last > first:
                worksheet.merge_range(1, first, 1, last, str(heading.title), stream.header_format)
            else:
                worksheet.write_string(1, first, str(heading.title), stream.header_format)
            first = last + 1

    columns = register_columns(record)
    headers, widths = [c.header for c in columns], [c.width for c in columns]
    return stream.add_sheet(str(record.sheet), headers, widths, header_row=HEADER_ROW, above=title_and_headings)


def write_xlsx(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """A sheet per record (Art. 30(1), Art. 30(2)), one row per activity, then one sheet per kind of part (its rows
    keyed by the activity's reference, whichever its record), then the organisation's identity."""
    stream = XlsxStream(output)
    records = [(register_row(register_columns(record)), _record_sheet(stream, record)) for record in RECORDS.values()]
    parts = []
    for part in document.PART_FIELDS:
        part_cols = part_columns(part)
        sheet = stream.add_sheet(part_title(part), [c.header for c in part_cols], [c.width for c in part_cols])
        parts.append((part_rows(part_cols, part), sheet))
    organisation = stream.add_sheet(str(ORGANISATION_SHEET), [str(header) for header in IDENTITY_HEADERS], [30, 80])
    for line in organisation_lines(reader):
        organisation.append(line)
    counted = _Counted(reader, progress)
    for (row_of, sheet), record in zip(records, RECORDS, strict=True):
        for chunk in counted.chunks(record):
            sheet.extend([row_of(activity) for activity in chunk])
            for rows_of, part_sheet in parts:
                part_sheet.extend([row for activity in chunk for row in rows_of(activity)])
    stream.close()


def write_csv_register(reader: RegisterReader, output, progress: Progress | None = None) -> None:
    """A section per record (Art. 30(1), then Art. 30(2)), an empty line between them: the record's title, its
    headings over their columns, the header, then one line per activity, its parts joined a line each in their
    cells. The organisation's identity (Art. 30(1)(a), 30(2)(a)) is in the last columns of every line, so that each
    section stays one table. UTF-8 with a byte order mark, for Excel."""
    identity = organisation_lines(reader)
    labels = [label for label, _value in identity]
    values = [csv_safe(value) for _label, value in identity]
    writer = csv.writer(output)
    output.write("\ufeff")
    counted = _Counted(reader, progress)
    for number, record in enumerate(RECORDS.values()):
        columns = register_columns(record)
        row_of = register_row(columns)
        if number:
            writer.writerow([])
        writer.writerow([csv_safe(record.title)])
        writer.writerow(csv_safe_row(heading_row(record)))
        writer.writerow(csv_safe_row([*(c.header for c in columns), *labels]))
        for chunk in counted.chunks(record.code):
            writer.writerows([*csv_safe_row(row_of(activity)), *values] for activity in chunk)


def _document_keys(key: str) -> tuple[str, ...]:
    """The keys of the document a column of the record shows (its summaries of several fields, field by field)."""
    return {"sources": SOURCES, "criteria": ProcessingActivity.DPIA_CRITERIA, "storage_countries": ()}.get(key, (key,))


def record_description(record: Record) -> dict:
    """The header's description of a record (see ``document``), in the active language."""
    return {
        "article": record.article,
        "title": str(record.title),
        "headings": [
            {
                "letter": heading.letter,
                "title": str(heading.title),
                "keys": [name for key in heading.keys for name in _document_keys(key)],
            }
            for heading in record.headings
        ],
    }


_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS  # refused: no ``default`` is given


def _json(value) -> str:
    """``value`` as compact JSON text, UTF-8 characters as they are. orjson encodes the 10,000 activities of the
    bench in 0.03 s, where ``json.dumps`` took 0.27 s (0.2 s with each catalogue entry's JSON made once and put in
    place). Dates and dataclasses are refused, as ``json.dumps`` refuses them: the reader writes each date in the
    document's own form (``loading``), and one that missed it must not be written in another."""
    return orjson.dumps(value, option=_STRICT).decode()


def write_json(reader: RegisterReader, output, language: str, progress: Progress | None = None) -> None:
    """The document itself (see ``document``), written an activity a line, then the description of its records."""
    output.write(_json(reader.header(language))[:-1] + ',"activities":[')
    # An activity a write: a chunk's 3.5 MB at once raised the peak by 9 MB, for no time saved.
    separator = "\n"
    for chunk in _Counted(reader, progress).chunks():
        for activity in chunk:
            output.write(separator + _json(activity))
            separator = ",\n"
    records = {code: record_description(record) for code, record in RECORDS.items()}
    output.write('\n],"records":' + _json(records) + "}\n")
