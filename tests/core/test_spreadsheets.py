"""Spreadsheets written by Registre: what a user types never becomes a formula or breaks the file."""

import io
import zipfile

import openpyxl

from core.spreadsheets import Sheet, XlsxStream, sheet_title, xlsx_bytes

# XlsxWriter, in constant-memory mode, copies a string that looks like its own rich text
# into the sheet's XML untouched: this one would add a formula in B2.
SMUGGLED = '<r><t>a</t></r></is></c><c r="B2"><f>1+1</f></c><c r="C2" t="inlineStr"><is><r><t>b</t></r>'


def test_cells_come_back_as_typed_and_never_as_formulas():
    values = [SMUGGLED, " lead", "trail ", 'a & <b> "c"', "multi\nline", "é€😀", "=SUM(A1)", "+33 1", "@x"]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Sheet("T", ["h"] * len(values), [values, [1, 2.5]])])))
    sheet = workbook.active
    assert [cell.value for cell in sheet[2]] == values
    assert {cell.data_type for cell in sheet[2]} == {"s"}
    assert [cell.value for cell in sheet[3]][:2] == [1, 2.5]
    assert sheet["B2"].value == " lead"  # nothing was written where the smuggled formula aimed


def test_sheet_titles_are_ones_excel_accepts():
    assert sheet_title("Autres responsables du traitement") == "Autres responsables du traitem…"
    assert sheet_title("A/B: [draft]?") == "A B   draft"
    assert len(sheet_title("x" * 40)) == 31


def _sheet_xml(fill) -> bytes:
    output = io.BytesIO()
    stream = XlsxStream(output)
    fill(stream.add_sheet("T", ["a", "b", "c"]))
    stream.close()
    with zipfile.ZipFile(output) as package:
        return package.read("xl/worksheets/sheet1.xml")


def test_rows_written_together_are_the_ones_written_a_cell_at_a_time():
    """``extend`` writes plain rows in one go and hands any other back to XlsxWriter's own path: the same XML."""
    chunks = [
        [["PA-1", "a & <b>", 3], [None, "", None], ["x", 2.5, "multi\nline"]],
        [["plain", "x"], [SMUGGLED, "_x0041_", "bell\x07"], [" lead", "trail ", "nul\x00in"]],
        [["<r>", "tail\n", 7]],
        [[1, 2, 3]],
        [["after", "the", "others"]],
    ]

    def together(sheet):
        for rows in chunks:
            sheet.extend(rows)

    def cell_by_cell(sheet):
        for row in (row for rows in chunks for row in rows):
            sheet.rows += 1
            for column, value in enumerate(row):
                if isinstance(value, str) and value.startswith("<r>") and value.endswith("</r>"):
                    sheet.worksheet.write_rich_string(
                        sheet.rows, column, value[:1], value[1:2], value[2:], sheet.stream.text
                    )
                elif isinstance(value, int | float):
                    sheet.worksheet.write_number(sheet.rows, column, value, sheet.stream.text)
                elif value:
                    sheet.worksheet.write_string(sheet.rows, column, value, sheet.stream.text)

    assert _sheet_xml(together) == _sheet_xml(cell_by_cell)
