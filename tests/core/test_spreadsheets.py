"""Spreadsheets written by Registre: what a user types never becomes a formula or breaks the file."""

import io

import openpyxl

from core.spreadsheets import Sheet, sheet_title, xlsx_bytes

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
