"""Registre's own exports read back: the XLSX of ``writers.write_xlsx`` and the JSON of
``writers.write_json``, each into the register document (see ``document``) it was written
from, with the problems found on the way.

XLSX. Sheets are recognised by their header row, in any of Registre's languages, never by
their titles (translated, and cut to 31 characters); columns may come in any order. Each
cell is turned back into the document's value: a label of either language into its code,
"Yes" or "Oui" into True, "France (FR)" into "FR"… Rows of the part sheets join their
activity by its reference. The Register sheet's summaries of parts are not read (the part
sheets carry the data), and the workbook has no organisation block: ``organisation`` is
left empty.

JSON. The document itself, checked key by key against ``document``: a file that is not
Registre's register, or was written by a newer Registre, is refused; a value of the wrong
type or a code Registre does not know is an error located by the activity's rank and the
key's path ("transfers[0].mechanism").

Both check the form of each value only: whether an activity is complete enough to be saved
is for the import to say, through the same services as the forms.

The package: ``fields`` (the document's fields, labels and choices), ``cells`` (a cell back
into a value), ``workbook`` (the XLSX) and ``json_document`` (the JSON).
"""

from processing.reports.problems import Reading
from processing.reports.registre_reader.json_document import read_registre_json
from processing.reports.registre_reader.workbook import read_registre_workbook

__all__ = ["Reading", "read_registre_json", "read_registre_workbook"]
