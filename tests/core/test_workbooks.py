"""Opening an uploaded workbook: a sheet that would exhaust the memory is refused before
python-calamine loads it, whichever way its XML is written; an ordinary one opens."""

import io
import zipfile

import openpyxl
import pytest

from core.workbooks import MAX_CELLS, UnreadableFile, open_workbook

HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
TAIL = b"</sheetData></worksheet>"


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook (openpyxl's) whose first sheet's XML is ``sheet_xml``."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "x"
    source, output = io.BytesIO(), io.BytesIO()
    workbook.save(source)
    with zipfile.ZipFile(source) as unpacked, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as packed:
        for item in unpacked.infolist():
            packed.writestr(item, sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else unpacked.read(item))
    return output.getvalue()


def cell(place: str, value: str = "x") -> bytes:
    return f'<c r="{place}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def rows(count: int, width: int = 5) -> bytes:
    letters = "ABCDEFGHIJ"[:width]
    return b"".join(
        f'<row r="{row}">'.encode() + b"".join(cell(f"{letter}{row}") for letter in letters) + b"</row>"
        for row in range(1, count + 1)
    )


def test_an_ordinary_sheet_opens():
    workbook = open_workbook(xlsx_with_sheet(HEAD + rows(2000) + TAIL))
    sheet = workbook.get_sheet_by_name(workbook.sheet_names[0])
    assert (sheet.height, sheet.width) == (2000, 5)


def test_a_far_cell_cut_by_the_scans_chunks_is_still_seen():
    body = rows(4000)  # past a megabyte of XML: read a megabyte at a time
    row = b'<row r="1048576">'
    # The far cell's "<" is the last byte of the first megabyte, its "c r=…" the next one's start.
    before = (1 << 20) - 1 - len(HEAD) - len(row)
    prefix = body[: body.rfind(b"<row ", 0, before)]
    padding = b" " * (before - len(prefix))  # whitespace between rows, as XML allows
    sheet = HEAD + prefix + padding + row + cell("XFD1048576") + b"</row>" + TAIL
    assert sheet[(1 << 20) - 1 : (1 << 20) + 3] == b"<c r"
    with pytest.raises(UnreadableFile, match="too large"):
        open_workbook(xlsx_with_sheet(sheet))


@pytest.mark.parametrize(
    "sheet",
    [
        # Cells that do not say where they are: placed one after another on the last row.
        pytest.param(b'<row r="1048576">' + b"<c><v>1</v></c>" * 6 + b"</row>", id="cells without place"),
        # The same cell with a namespace prefix, which calamine reads too.
        pytest.param(
            b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
            b'<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
            id="namespace prefix",
        ),
        # The place given after another attribute.
        pytest.param(b'<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>', id="place not first"),
        # A prefix XML forbids, which calamine ignores all the same.
        pytest.param(b'<row r="1048576"><1:c r="XFD1048576"><1:v>1</1:v></1:c></row>', id="malformed prefix"),
    ],
)
def test_a_sheet_too_large_however_its_cells_are_written_is_refused(sheet):
    assert MAX_CELLS < 1048576 * 6  # the last row, six cells wide
    with pytest.raises(UnreadableFile, match=r"too large|could not be read as a spreadsheet"):
        open_workbook(xlsx_with_sheet(HEAD + sheet + TAIL))


def test_empty_cells_far_away_do_not_count():
    # Formatting without a value: calamine does not lay it out, so the file is read.
    sheet = HEAD + rows(3) + b'<row r="1048576"><c r="XFD1048576" s="0"/></row>' + TAIL
    workbook = open_workbook(xlsx_with_sheet(sheet))
    assert workbook.get_sheet_by_name(workbook.sheet_names[0]).height == 3


def test_a_sheet_declaring_entities_is_refused():
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    sheet = HEAD.replace(b"<worksheet", doctype + b"<worksheet") + cell("A1", "&b;") + TAIL
    with pytest.raises(UnreadableFile, match="could not be read as a spreadsheet"):
        open_workbook(xlsx_with_sheet(sheet))


def test_a_sheet_stored_in_another_folder_is_measured_too():
    # The workbook's relationships may point a sheet anywhere in the archive; calamine follows.
    far = HEAD + rows(1) + b'<row r="1048576">' + cell("XFD1048576") + b"</row>" + TAIL
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_with_sheet(far))) as unpacked, zipfile.ZipFile(moved, "w") as packed:
        for item in unpacked.infolist():
            content = unpacked.read(item).replace(b"worksheets/sheet1.xml", b"elsewhere/data.xml")
            packed.writestr(item.filename.replace("worksheets/sheet1.xml", "elsewhere/data.xml"), content)
    with pytest.raises(UnreadableFile, match="too large"):
        open_workbook(moved.getvalue())


def test_a_workbook_that_also_holds_an_ods_content_is_measured_as_the_workbook_it_is():
    far = HEAD + rows(1) + b'<row r="1048576">' + cell("XFD1048576") + b"</row>" + TAIL
    both = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_with_sheet(far))) as unpacked, zipfile.ZipFile(both, "w") as packed:
        for item in unpacked.infolist():
            packed.writestr(item, unpacked.read(item))
        packed.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnreadableFile, match="too large"):
        open_workbook(both.getvalue())
