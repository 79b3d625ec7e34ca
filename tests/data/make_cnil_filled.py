"""Write the filled copies of the CNIL model register the import tests read.

    .venv/bin/python tests/data/make_cnil_filled.py

Starts from the pristine model (``cnil-registre-vierge.ods``, the CNIL's
registre-traitement-simplifie.ods as published) and does what a DPO does with it in
LibreOffice: fills the organisation's contact block on the list sheet (the postcode typed as
a number), adds a row per activity to the list, and copies the model's record sheet once per
activity under a name of their own ("Paie", "Recrutement", "Vidéosurveillance", "Prospection
commerciale"), leaving the tutorial, the model sheet, the CNIL's example and the drop-down
lists as they were. Writes:

- ``cnil-registre-rempli.ods``: that workbook (odfpy);
- ``cnil-registre-rempli.xlsx``: the same sheets and cell values in Excel format (values only,
  written with openpyxl), as the CNIL also publishes the model in .xlsx.

Run it again after changing the content below, and commit the three files together.
"""

import datetime
import io
from pathlib import Path

import openpyxl
from odf.element import Element, Text
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load
from odf.table import Table, TableRow
from odf.text import P
from python_calamine import CalamineWorkbook

HERE = Path(__file__).resolve().parent
MODEL = HERE / "cnil-registre-vierge.ods"
FILLED_ODS = HERE / "cnil-registre-rempli.ods"
FILLED_XLSX = HERE / "cnil-registre-rempli.xlsx"

LIST_SHEET = "2_-_Liste_des_traitements"
MODEL_SHEET = "3_-_Modèle_de_fiche_de_registre"

# Cells by spreadsheet address. Numbers stay numbers (a postcode typed as 1000 is what the
# importer must repair), dates are dates, text with line breaks spans several lines, ""
# empties a cell.
LIST_CELLS = {
    "C1": "Hexagone Logiciels SAS",
    "G1": "12 rue de l'Église",
    "I1": "contact@hexagone.example",
    "C2": 1000,
    "E2": "Bourg-en-Bresse",
    "G2": "04 74 00 00 00",
    "C5": "Dupont-Éloi",
    "E5": "Mathilde",
    "C6": 1000,
    "E6": "Bourg-en-Bresse",
    "G6": "04 74 00 00 01",
    "I6": "dpo@hexagone.example",
    "A10": "Paie des salariés",
    "B10": "RH-01",
    "C10": datetime.date(2019, 3, 1),
    "D10": "15/01/2026",
    "E10": "Calcul et versement des salaires",
    "H10": "Oui",
    "A11": "Recrutement",
    "B11": "RH-02",
    "C11": datetime.date(2020, 9, 14),
    "E11": "Sélection des candidats",
    "H11": "Non",
    "A12": "Vidéosurveillance des locaux",
    "B12": "SEC-01",
    "E12": "Sécurité des biens et des personnes",
    "H12": "Non",
}

RECORDS = {
    "Paie": {
        "B4": "Paie des salariés",
        "B5": "RH-01",
        "B6": datetime.date(2019, 3, 1),
        "B7": "15/01/2026",
        "B17": "Calcul et versement des salaires",
        "B18": "Établissement des bulletins de paie",
        "B19": "Déclarations sociales nominatives",
        "B25": "Nom, prénom, adresse\nDate de naissance",
        "E25": "5 ans à compter du versement de la paie",
        "B27": "RIB; Salaire, primes",
        "E27": "5 ans à compter de la fin du contrat",
        "B30": "Numéro de sécurité sociale",
        "E30": "5 ans à compter du départ du salarié",
        "B39": "Arrêts maladie, accidents du travail",
        "E39": "2 ans à compter de la fin du contrat de travail",
        "B44": "Salariés",
        "E44": "CDI, CDD et apprentis",
        "B48": "Service interne qui traite les données",
        "E48": "Service des ressources humaines",
        "B49": "Sous-traitants",
        "E49": "Cabinet Paie-Conseil",
        "B50": "Partenaires institutionnels ou commerciaux",
        "E50": "URSSAF et caisses de retraite",
        "B54": "Contrôle d'accès des utilisateurs",
        "E54": "Habilitations par profil",
        "B55": "Sauvegarde des données",
        "E55": "Sauvegarde quotidienne chiffrée",
        "B56": "Chiffrement des données",
    },
    "Recrutement": {
        "B4": "Recrutement",
        "B5": "RH-02",
        "B6": datetime.date(2020, 9, 14),
        "B14": "Groupe Hexagone Holding",
        "C14": "4 avenue Jean Médecin",
        "D14": 6000,
        "E14": "Nice",
        "F14": "France",
        "G14": "04 93 00 00 00",
        "H14": "rgpd@holding.example",
        "B17": "Sélection des candidats",
        "B18": "Entretiens",
        "B25": "Nom, prénom; Adresse e-mail, Téléphone",
        "E25": "2 ans après le dernier contact",
        "B26": "Situation familiale",
        "E26": "2 ans après le dernier contact",
        "B27": "Prétentions salariales",
        "B44": "Candidats",
        "B45": "Autres (préciser)",
        "E45": "Stagiaires",
        "B48": "Sous-traitants",
        "E48": "TalentSoft Inc.",
        "B54": "Mesures de traçabilité",
        "E54": "Journalisation des consultations",
        "B59": "TalentSoft Inc.",
        "C59": "Etats-Unis",
        "D59": "Privacy shield",
        "F59": "https://talentsoft.example/dpa",
    },
    "Vidéosurveillance": {
        "B4": "Vidéosurveillance des locaux",
        "B5": "SEC-01",
        "B17": "Sécurité des biens et des personnes",
        "B25": "Images des personnes filmées",
        "E25": "1 mois",
        "B28": "Journaux d'accès au logiciel",
        "E28": "6 mois",
        "B44": "Salariés",
        "B45": "Clients",
        "B48": "Service interne qui traite les données",
        "E48": "Service sécurité",
        "B49": "Sous-traitants",
        "E49": "Télésurveillance Inde Ltd",
        "B54": "Contrôle d'accès des utilisateurs",
        "E54": "Accès aux images réservé au responsable sécurité",
        "B55": "Autres mesures (à préciser)",
        "E55": "Panneaux d'information à l'entrée",
        "B59": "Télésurveillance Inde Ltd",
        "C59": "Inde",
        "D59": "Clauses contractuelles types (CCT)",
        "F59": "Contrat du 12/03/2024",
    },
    # Not in the list, its reference erased: the importer gives it one.
    "Prospection commerciale": {
        "B4": "Prospection commerciale",
        "B5": "",
        "B17": "Envoi d'offres commerciales",
        "B25": "Nom, Prénom, Adresse e-mail",
        "E25": "Durée de la relation commerciale puis archivage",
        "B27": "Historique d'achats",
        "E27": "jusqu'à la fin de la relation commerciale puis 3 ans",
        "B44": "Prospects",
        "B45": "Clients",
        "B48": "Partenaires institutionnels ou commerciaux",
        "E48": "Partenaires commerciaux",
    },
}


# --- Cells of an ODF table -------------------------------------------------------------------


def clone(node):
    """A deep copy of an odfpy node (copy.deepcopy would follow the parent links)."""
    if node.nodeType == node.TEXT_NODE:
        return Text(node.data)
    copy = Element(qname=node.qname, qattributes=dict(node.attributes), check_grammar=False)
    for child in node.childNodes:
        copy.appendChild(clone(child))
    return copy


def split_repeated(node, offset: int, attribute: tuple[str, str]):
    """Make the ``offset``-th of a run of repeated rows or cells a node of its own."""
    repeat = int(node.attributes.get(attribute, 1))
    if repeat == 1:
        return node
    parent = node.parentNode
    parts = [(offset, False), (1, True), (repeat - offset - 1, False)]
    target = None
    for count, is_target in parts:
        if count == 0:
            continue
        part = clone(node)
        if count == 1:
            del part.attributes[attribute]
        else:
            part.attributes[attribute] = str(count)
        parent.insertBefore(part, node)
        target = part if is_target else target
    parent.removeChild(node)
    return target


def nth(nodes, index: int, attribute: tuple[str, str]):
    position = 0
    for node in nodes:
        repeat = int(node.attributes.get(attribute, 1))
        if position + repeat > index:
            return split_repeated(node, index - position, attribute)
        position += repeat
    raise IndexError(index)


def address(cell: str) -> tuple[int, int]:
    letters = "".join(char for char in cell if char.isalpha())
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(cell[len(letters) :]) - 1, column - 1


def set_cell(table, cell: str, value) -> None:
    row_index, col_index = address(cell)
    row = nth(table.getElementsByType(TableRow), row_index, (TABLENS, "number-rows-repeated"))
    cells = [
        child for child in row.childNodes if child.qname in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell"))
    ]
    target = nth(cells, col_index, (TABLENS, "number-columns-repeated"))
    for key in [key for key in target.attributes if key[1] in ("value-type", "value", "date-value", "formula")]:
        del target.attributes[key]
    for child in [child for child in target.childNodes if child.qname == P().qname]:
        target.removeChild(child)
    if value == "":
        return
    if isinstance(value, datetime.date):
        target.attributes[(OFFICENS, "value-type")] = "date"
        target.attributes[(OFFICENS, "date-value")] = value.isoformat()
        lines = [value.strftime("%d/%m/%Y")]
    elif isinstance(value, int | float):
        target.attributes[(OFFICENS, "value-type")] = "float"
        target.attributes[(OFFICENS, "value")] = str(value)
        lines = [str(value)]
    else:
        target.attributes[(OFFICENS, "value-type")] = "string"
        lines = value.split("\n")
    for line in lines:
        target.appendChild(P(text=line))


# --- The workbooks ---------------------------------------------------------------------------


def filled_ods() -> bytes:
    document = load(str(MODEL))
    tables = {table.getAttribute("name"): table for table in document.spreadsheet.getElementsByType(Table)}
    for cell, value in LIST_CELLS.items():
        set_cell(tables[LIST_SHEET], cell, value)
    model = tables[MODEL_SHEET]
    after_model = model.nextSibling
    for name, cells in RECORDS.items():
        sheet = clone(model)
        sheet.attributes[(TABLENS, "name")] = name
        for cell, value in cells.items():
            set_cell(sheet, cell, value)
        document.spreadsheet.insertBefore(sheet, after_model)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def xlsx_copy(ods: bytes) -> bytes:
    """The same sheets and values in an .xlsx file, as the CNIL's own .xlsx model holds them."""
    source = CalamineWorkbook.from_filelike(io.BytesIO(ods))
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in source.sheet_names:
        sheet = workbook.create_sheet(name)
        for row in source.get_sheet_by_name(name).to_python(skip_empty_area=False):
            sheet.append([value if value != "" else None for value in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main() -> None:
    ods = filled_ods()
    FILLED_ODS.write_bytes(ods)
    FILLED_XLSX.write_bytes(xlsx_copy(ods))
    print(f"wrote {FILLED_ODS.name} and {FILLED_XLSX.name}")


if __name__ == "__main__":
    main()
