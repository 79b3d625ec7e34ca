"""The CNIL model register ("registre simplifié", .ods or .xlsx), read into a register
document (see ``document.py``) and written from one.

Reading. DPOs copy the model's record sheet under names of their own, insert rows, move the
list sheet: sheets and rows are found by their French labels ("Finalité principale",
"Nom du traitement"…), never by sheet name or position. The tutorial and the drop-down lists
carry none of those labels; the model sheet left empty (no name, no purpose) is skipped; the
CNIL's example is skipped only while it still is the example as published ("Gestion de la
paie", reference "1 - Exemple"): a copy of it the DPO filled with a real activity is read,
with a warning. The creation and last-update dates of a record sheet are kept in the
activity's description (ISO dates), as the register document has no field for them.

Writing. The same layout, in French, one record sheet per activity, so that a DPO can hand
it to someone who only knows the CNIL model. The model cannot carry everything Registre
records (lawful basis, DPIA, systems, TIA…): ``read_cnil_workbook(cnil_workbook(document))``
gives back the activities' names, references, purposes, data, retention, people, recipients,
measures, joint controllers and transfers, and nothing more.

python-calamine reads both formats without evaluating formulas or expanding XML entities,
once ``core.workbooks`` has made sure the file fits in memory; XlsxWriter writes every text
with ``write_string`` so that a value starting with "=" stays text.

The package: ``vocabulary`` (the model's labels and lists, cells as text), ``countries``,
``retention`` (periods in words), ``sheets`` (rows, lines and problems), ``reading`` and
``writing``.
"""

from processing.reports.cnil.countries import country_code
from processing.reports.cnil.reading import read_cnil_workbook
from processing.reports.cnil.retention_text import parse_retention
from processing.reports.cnil.sheets import MAX_COLUMNS, MAX_ROWS
from processing.reports.cnil.writing import CNIL_LAYOUT_LIMIT, cnil_workbook

__all__ = [
    "CNIL_LAYOUT_LIMIT",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "cnil_workbook",
    "country_code",
    "parse_retention",
    "read_cnil_workbook",
]
