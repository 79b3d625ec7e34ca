"""The CNIL model register, read (.ods and .xlsx) and written.

The filled copies in tests/data come from the CNIL's own model (see make_cnil_filled.py):
record sheets copied under the DPO's names, the tutorial, the example and the drop-down
lists left as published.
"""

import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from processing.models import ProcessingActivity
from processing.reports.cnil import (
    CNIL_LAYOUT_LIMIT,
    MAX_COLUMNS,
    MAX_ROWS,
    cnil_workbook,
    country_code,
    parse_retention,
    read_cnil_workbook,
)
from processing.reports.document import ACTIVITY_FIELDS, FORMAT, PART_FIELDS, VERSION
from processing.reports.problems import Problem, UnreadableFile

DATA = Path(__file__).resolve().parents[2] / "data"
FILLED = ("cnil-registre-rempli.ods", "cnil-registre-rempli.xlsx")


@pytest.fixture(params=FILLED)
def reading(request):
    return read_cnil_workbook((DATA / request.param).read_bytes())


def by_reference(reading, reference: str) -> dict:
    return next(activity for activity in reading.document["activities"] if activity["reference"] == reference)


def problems_at(reading, sheet: str, row: int, column: str) -> list[Problem]:
    return [p for p in reading.problems if (p.sheet, p.row, p.column) == (sheet, row, column)]


def names(rows: list[dict], **where) -> list[str]:
    return [row["name"] for row in rows if all(row[key] == value for key, value in where.items())]


# --- The filled register ---------------------------------------------------------------------


def test_each_record_sheet_copied_under_the_dpos_own_name_is_an_activity(reading):
    activities = {activity["reference"]: activity["name"] for activity in reading.document["activities"]}
    assert activities == {
        "CNIL-001": "Prospection commerciale",
        "RH-01": "Paie des salariés",
        "RH-02": "Recrutement",
        "SEC-01": "Vidéosurveillance des locaux",
    }


def test_the_tutorial_the_empty_model_sheet_and_the_cnils_example_are_skipped(reading):
    names_read = [activity["name"] for activity in reading.document["activities"]]
    assert "Gestion de la paie" not in names_read  # the example sheet and its row in the list
    assert all(activity["reference"] not in ("1 - Exemple", "ref-001") for activity in reading.document["activities"])
    assert {problem.sheet for problem in reading.problems} <= {
        "Recrutement",
        "Vidéosurveillance",
        "Prospection commerciale",
    }


def test_the_document_has_every_field_with_its_empty_values(reading):
    document = reading.document
    assert (document["format"], document["version"], document["language"]) == (FORMAT, VERSION, "fr")
    for activity in document["activities"]:
        assert set(activity) == set(ACTIVITY_FIELDS) | {"record"} | set(PART_FIELDS)
        assert activity["status"] == "draft"
        assert activity["lawful_basis"] == "" and activity["dpia_date"] is None and activity["source_public"] is False
        assert activity["systems"] == []
        for part, fields in PART_FIELDS.items():
            assert all(list(row) == fields for row in activity[part]), part


def test_the_organisation_comes_from_the_contact_block_with_its_postcode_repaired(reading):
    organisation = reading.document["organisation"]
    assert organisation["name"] == "Hexagone Logiciels SAS"
    assert organisation["address"] == "12 rue de l'Église"
    assert organisation["postcode"] == "01000"  # typed as the number 1000
    assert organisation["city"] == "Bourg-en-Bresse"
    assert organisation["dpo"] == {
        "name": "Mathilde Dupont-Éloi",
        "email": "dpo@hexagone.example",
        "phone": "04 74 00 00 01",
    }


def test_purposes_and_sub_purposes(reading):
    payroll = by_reference(reading, "RH-01")
    assert payroll["purpose"] == "Calcul et versement des salaires"
    assert payroll["sub_purposes"] == "Établissement des bulletins de paie\nDéclarations sociales nominatives"


def test_the_record_sheets_dates_are_kept_in_the_description_as_iso_dates(reading):
    assert "2019-03-01" in by_reference(reading, "RH-01")["description"]
    assert "2026-01-15" in by_reference(reading, "RH-01")["description"]  # typed as "15/01/2026"


def test_data_descriptions_are_split_trimmed_and_kept_under_their_category(reading):
    payroll = by_reference(reading, "RH-01")["data_fields"]
    assert names(payroll, category="identification") == ["Nom", "prénom", "adresse", "Date de naissance"]
    assert names(payroll, category="economic") == ["RIB", "Salaire", "primes"]
    assert names(payroll, category="national_id") == ["Numéro de sécurité sociale"]


def test_health_data_is_a_special_category_and_makes_the_activity_sensitive(reading):
    payroll = by_reference(reading, "RH-01")
    assert names(payroll["data_fields"], category="special", special_category="health") == [
        "Arrêts maladie",
        "accidents du travail",
    ]
    assert payroll["criterion_sensitive"] is True
    assert by_reference(reading, "SEC-01")["criterion_sensitive"] is False


def test_a_french_retention_period_becomes_a_duration_and_its_starting_event(reading):
    lines = {line["data_category"]: line for line in by_reference(reading, "RH-01")["retention_lines"]}
    assert (lines["national_id"]["duration"], lines["national_id"]["duration_unit"]) == (5, "years")
    assert lines["national_id"]["trigger"] == "end_of_employment"
    assert (lines["economic"]["duration"], lines["economic"]["trigger"]) == (5, "end_of_contract")
    assert lines["identification"]["trigger"] == "other"
    assert lines["identification"]["trigger_details"] == "versement de la paie"
    assert (lines["special"]["duration"], lines["special"]["trigger"]) == (2, "end_of_employment")
    assert lines["economic"]["criteria"] == "" and lines["economic"]["end_action"] == "delete"


def test_a_retention_period_without_figures_is_kept_as_criteria_with_a_warning(reading):
    lines = {line["data_category"]: line for line in by_reference(reading, "CNIL-001")["retention_lines"]}
    assert lines["identification"]["duration"] is None
    assert lines["identification"]["criteria"] == "Durée de la relation commerciale puis archivage"
    [problem] = problems_at(reading, "Prospection commerciale", 25, "E")
    assert problem.level == "warning" and "No duration could be read" in problem.message
    assert (lines["economic"]["duration"], lines["economic"]["trigger"]) == (3, "end_of_contract")


def test_joint_controllers_make_the_activity_a_joint_controllers(reading):
    recruitment = by_reference(reading, "RH-02")
    assert recruitment["role"] == "joint_controller"
    [party] = recruitment["controller_parties"]
    assert party["name"] == "Groupe Hexagone Holding"
    assert party["contact"] == "4 avenue Jean Médecin\n06000 Nice\nFrance\n04 93 00 00 00\nrgpd@holding.example"
    assert by_reference(reading, "RH-01")["role"] == "controller"


def test_a_privacy_shield_transfer_to_the_united_states_is_read_as_the_obsolete_tool(reading):
    recruitment = by_reference(reading, "RH-02")
    [transfer] = recruitment["transfers"]
    assert (transfer["country"], transfer["mechanism"]) == ("US", "privacy_shield")
    assert transfer["recipient"] == "TalentSoft Inc."
    assert transfer["documentation"] == "https://talentsoft.example/dpa"
    [importer] = recruitment["recipients"]
    assert (importer["name"], importer["kind"], importer["country"]) == ("TalentSoft Inc.", "processor", "US")
    [problem] = problems_at(reading, "Recrutement", 59, "D")
    assert "Privacy Shield" in problem.message


def test_a_transfer_to_india_under_the_cnils_clauses_assumes_module_2_and_says_so(reading):
    [transfer] = by_reference(reading, "SEC-01")["transfers"]
    assert (transfer["country"], transfer["mechanism"]) == ("IN", "scc_2")
    [problem] = problems_at(reading, "Vidéosurveillance", 59, "D")
    assert problem.level == "warning" and "module 2" in problem.message


def test_people_recipients_and_measures_are_mapped_from_the_cnil_lists(reading):
    payroll, recruitment = by_reference(reading, "RH-01"), by_reference(reading, "RH-02")
    assert [(s["name"], s["description"]) for s in payroll["data_subjects"]] == [("Salariés", "CDI, CDD et apprentis")]
    assert names(recruitment["data_subjects"]) == ["Candidats", "Stagiaires"]  # "Autres (préciser)": the details
    assert [(r["name"], r["kind"]) for r in payroll["recipients"]] == [
        ("Service des ressources humaines", "internal"),
        ("Cabinet Paie-Conseil", "processor"),
        ("URSSAF et caisses de retraite", "controller"),
    ]
    assert [(m["kind"], m["details"]) for m in payroll["security_measures"]] == [
        ("access_control", "Habilitations par profil"),
        ("backup", "Sauvegarde quotidienne chiffrée"),
        ("encryption", ""),
    ]
    assert by_reference(reading, "SEC-01")["security_measures"][1] == {
        "kind": "other",
        "details": "Panneaux d'information à l'entrée",
    }


def test_a_record_sheet_without_reference_gets_one_with_a_warning(reading):
    [problem] = problems_at(reading, "Prospection commerciale", 5, "B")
    assert problem.level == "warning" and "CNIL-001" in problem.message
    assert not any(problem.is_error for problem in reading.problems)


def test_the_ods_and_the_xlsx_copy_read_the_same():
    ods, xlsx = (read_cnil_workbook((DATA / name).read_bytes()) for name in FILLED)
    assert ods.document == xlsx.document
    assert ods.problems == xlsx.problems


def test_the_pristine_model_reads_as_an_empty_register_with_a_warning():
    reading = read_cnil_workbook((DATA / "cnil-registre-vierge.ods").read_bytes())
    assert reading.document["activities"] == []
    assert reading.document["organisation"]["name"] == ""
    [problem] = reading.problems
    assert problem.level == "warning" and "No processing activity" in problem.message


def test_every_country_of_the_cnil_list_is_known_but_kosovo():
    workbook = CalamineWorkbook.from_filelike(io.BytesIO((DATA / "cnil-registre-vierge.ods").read_bytes()))
    countries = [row[2] for row in workbook.get_sheet_by_name("5_-_Listes").to_python()[2:] if row[2]]
    assert len(countries) > 150
    assert [name for name in countries if country_code(name) is None] == ["Kosovo"]  # no ISO code
    assert (country_code("Etats-Unis"), country_code("India"), country_code("Corée du Sud")) == ("US", "IN", "KR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 ans à compter de la fin du contrat", (5, "years", "end_of_contract", "")),
        ("3 mois", (3, "months", "", "")),
        ("13 mois après la collecte", (13, "months", "collection", "")),
        ("1 an", (1, "years", "", "")),
        ("jusqu'à la fin de la relation commerciale puis 3 ans", (3, "years", "end_of_contract", "")),
        ("Durée du contrat + 5 ans", (5, "years", "end_of_contract", "")),
        ("2 ans à compter du dernier contact", (2, "years", "last_contact", "")),
        ("10 ans à compter de la clôture de l'exercice", (10, "years", "end_of_financial_year", "")),
        ("13 mois après le paiement", (13, "months", "payment", "")),
        ("3 ans après le retrait du consentement", (3, "years", "consent_withdrawn", "")),
        ("5 ans à compter de la clôture du dossier", (5, "years", "case_closed", "")),
        ("5 ans après le départ du salarié", (5, "years", "end_of_employment", "")),
        ("deux semaines", (14, "days", "", "")),
        ("6 ans à compter de la dernière visite", (6, "years", "other", "dernière visite")),
    ],
)
def test_french_retention_periods(text, expected):
    line = parse_retention(text)
    assert (line["duration"], line["duration_unit"], line["trigger"], line["trigger_details"]) == expected


def test_an_intermediate_archive_after_the_period_is_read():
    line = parse_retention("5 ans à compter de la fin du contrat, puis archivage intermédiaire 3 ans")
    assert (line["duration"], line["end_action"], line["archive_duration"], line["archive_duration_unit"]) == (
        5,
        "archive",
        3,
        "years",
    )


# --- Files that are not a register -----------------------------------------------------------


def spreadsheet(sheet_titles: list[str], rows=()) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet_titles[0]
    for title in sheet_titles[1:]:
        workbook.create_sheet(title)
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(random.Random(0).randbytes(4096), id="random bytes"),
        pytest.param(b"", id="empty"),
        pytest.param((DATA / FILLED[0]).read_bytes()[:40_000], id="truncated ods"),
        pytest.param((DATA / FILLED[1]).read_bytes()[:9_000], id="truncated xlsx"),
        pytest.param("Nom du traitement;N° / RÉF\nPaie;RH-01\n".encode(), id="csv"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", id="pdf renamed xlsx"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(data):
    with pytest.raises(UnreadableFile, match="could not be read as a spreadsheet"):
        read_cnil_workbook(data)


def test_a_workbook_of_more_than_300_sheets_is_refused():
    with pytest.raises(UnreadableFile, match="301 sheets"):
        read_cnil_workbook(spreadsheet([f"Feuille {number}" for number in range(301)]))


def test_a_spreadsheet_that_is_not_the_cnil_model_is_refused():
    with pytest.raises(UnreadableFile, match="not the CNIL model register"):
        read_cnil_workbook(spreadsheet(["Clients"], [["Nom", "Ville"], ["Dupont", "Lyon"]]))


def ods(content_xml: str) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content_xml)
    return output.getvalue()


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>{doctype}
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet><table:table table:name="Fiche">{rows}</table:table></office:spreadsheet></office:body>
</office:document-content>"""


def test_a_sheet_reaching_excels_last_cell_is_refused_before_it_is_loaded():
    # calamine would lay out 17 billion cells and abort the process.
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Finalité principale"
    workbook.active["XFD1048576"] = "x"
    output = io.BytesIO()
    workbook.save(output)
    with pytest.raises(UnreadableFile, match="too large"):
        read_cnil_workbook(output.getvalue())


def test_an_ods_repeating_a_filled_row_a_million_times_is_refused():
    row = (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string"'
        ' table:number-columns-repeated="20"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    with pytest.raises(UnreadableFile, match="too large"):
        read_cnil_workbook(ods(ODS_CONTENT.format(doctype="", rows=row)))


def test_a_spreadsheet_declaring_xml_entities_is_refused():
    doctype = '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    row = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>&lol2;</text:p>'
        "</table:table-cell></table:table-row>"
    )
    with pytest.raises(UnreadableFile, match="could not be read as a spreadsheet"):
        read_cnil_workbook(ods(ODS_CONTENT.format(doctype=doctype, rows=row)))


def test_a_file_too_large_once_unzipped_is_refused(monkeypatch):
    monkeypatch.setattr("core.workbooks.MAX_UNCOMPRESSED", 50_000)
    with pytest.raises(UnreadableFile, match="too large"):
        read_cnil_workbook((DATA / "cnil-registre-rempli.ods").read_bytes())


# --- Problems in cells -----------------------------------------------------------------------


def blank_activity(**values) -> dict:
    fields = {name: ProcessingActivity._meta.get_field(name).get_default() for name in ACTIVITY_FIELDS}
    activity = {**fields, "status": "draft", **{part: [] for part in PART_FIELDS}, **values}
    return activity | {"record": "processor" if activity["role"] == "processor" else "controller"}  # from the role


DEFAULTS = {
    "approximate_count": None,
    "country": None,
    "international_organisation": None,
    "recipient": None,
    "system": None,
    "tia_date": None,
    "duration": None,
    "archive_duration": None,
    "is_vulnerable": False,
    "has_processing_agreement": False,
    "is_dpf_certified": False,
    "adequacy_scope_confirmed": False,
    "end_action": "delete",
}


def row(part: str, **values) -> dict:
    return {field: values.get(field, DEFAULTS.get(field, "")) for field in PART_FIELDS[part]}


def document(*activities, organisation=None) -> dict:
    empty_organisation = {
        **dict.fromkeys(("name", "legal_identifier", "address", "postcode", "city", "phone", "email"), ""),
        "dpo": {"name": "", "email": "", "phone": ""},
        "representative": {"name": "", "contact": ""},
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": None,
        "language": "fr",
        "as_of": None,
        "scope": None,
        "organisation": organisation or empty_organisation,
        "activities": list(activities),
    }


def edited(data: bytes, sheet: str, changes: dict[str, dict[int, object]]) -> tuple[bytes, dict[str, int]]:
    """The workbook with cells of the rows labelled ``label`` (column A) changed, by column
    number; returns the new file and the row number of each label."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet]
    rows = {cell.value: cell.row for cell in worksheet["A"] if cell.value in changes}
    for label, cells in changes.items():
        for column, value in cells.items():
            worksheet.cell(rows[label], column, value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue(), rows


def test_cells_that_cannot_be_understood_are_reported_where_they_are_and_the_rest_is_read():
    activity = blank_activity(
        reference="T-1",
        name="Badges",
        purpose="Contrôle d'accès aux locaux",
        transfers=[row("transfers", country="CH", mechanism="adequacy", recipient="Badge SA")],
        recipients=[row("recipients", name="Badge SA", kind="processor", country="CH")],
    )
    data, rows = edited(
        cnil_workbook(document(activity)),
        "T-1",
        {
            "Organisme destinataire 1": {3: "Atlantide", 4: "Poignée de main"},
            "Organisme destinataire 2": {2: "Cloud SARL", 3: "Allemagne", 4: "Pays adéquat"},
            "Mise à jour du traitement": {2: "hier"},
            "Mesure de sécurité 1": {2: "Vigile à l'entrée", 5: "24 h sur 24"},
        },
    )
    reading = read_cnil_workbook(data)
    transfers_row = rows["Organisme destinataire 1"]
    [country] = problems_at(reading, "T-1", transfers_row, "C")
    assert country.level == "error" and "“Atlantide” is not a country" in country.message
    [guarantee] = problems_at(reading, "T-1", transfers_row, "D")
    assert (
        guarantee.level == "error" and "“Poignée de main”" in guarantee.message and "Pays adéquat" in guarantee.message
    )
    [inside_eea] = problems_at(reading, "T-1", rows["Organisme destinataire 2"], "C")
    assert inside_eea.level == "warning" and "European Economic Area" in inside_eea.message
    [date] = problems_at(reading, "T-1", rows["Mise à jour du traitement"], "B")
    assert "“hier” is not a date" in date.message
    [measure] = problems_at(reading, "T-1", rows["Mesure de sécurité 1"], "B")
    assert measure.level == "warning"
    [read] = reading.document["activities"]
    assert read["name"] == "Badges"
    assert [(t["country"], t["mechanism"]) for t in read["transfers"]] == [(None, ""), ("DE", "adequacy")]
    assert read["security_measures"] == [{"kind": "other", "details": "Vigile à l'entrée\n24 h sur 24"}]
    assert "hier" in read["description"]


def test_two_activities_with_one_reference_are_an_error():
    first = blank_activity(reference="A-1", name="Paie", purpose="Paie")
    second = blank_activity(reference="A-2", name="Formation", purpose="Formation")
    data, rows = edited(cnil_workbook(document(first, second)), "A-2", {"N° / RÉF": {2: "a-1"}})
    reading = read_cnil_workbook(data)
    [problem] = problems_at(reading, "A-2", rows["N° / RÉF"], "B")
    assert problem.level == "error" and "already used by the sheet “A-1”" in problem.message


def test_a_copy_of_the_example_filled_with_a_real_activity_is_read_with_a_warning():
    workbook = openpyxl.load_workbook(DATA / "cnil-registre-rempli.xlsx")
    workbook["4_-_Exemple_de_fiche"]["B4"] = "Paie des intérimaires"
    workbook["4_-_Exemple_de_fiche"]["B5"] = "RH-09"
    output = io.BytesIO()
    workbook.save(output)
    reading = read_cnil_workbook(output.getvalue())
    copied = by_reference(reading, "RH-09")
    assert copied["name"] == "Paie des intérimaires"
    assert names(copied["data_fields"], category="national_id") == ["Numéros de sécurité sociale des salariés"]
    assert [p.sheet for p in reading.problems if "CNIL's example" in p.message] == ["4_-_Exemple_de_fiche"]


def test_an_activity_of_the_list_without_record_sheet_is_read_from_its_row():
    workbook = openpyxl.load_workbook(DATA / "cnil-registre-rempli.xlsx")
    workbook["2_-_Liste_des_traitements"].append(
        ["Formation", "RH-03", None, None, "Plans de formation", None, None, "Non"]
    )
    output = io.BytesIO()
    workbook.save(output)
    reading = read_cnil_workbook(output.getvalue())
    training = by_reference(reading, "RH-03")
    assert (training["name"], training["purpose"], training["data_fields"]) == ("Formation", "Plans de formation", [])
    [problem] = problems_at(reading, "2_-_Liste_des_traitements", 13, None)
    assert "no record sheet" in problem.message


def test_sheets_are_read_by_their_labels_wherever_the_dpo_moved_them():
    activity = blank_activity(
        reference="M-1",
        name="Newsletter",
        purpose="Lettre d'information",
        data_fields=[row("data_fields", name="Adresse e-mail", category="identification")],
    )
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(document(activity))))
    workbook["M-1"].insert_rows(1, 3)
    workbook["M-1"].insert_cols(1, 2)  # the labels are now in column C
    workbook["M-1"].title = "Ma fiche newsletter"
    output = io.BytesIO()
    workbook.save(output)
    [read] = read_cnil_workbook(output.getvalue()).document["activities"]
    assert (read["reference"], read["name"], names(read["data_fields"])) == ("M-1", "Newsletter", ["Adresse e-mail"])


def test_a_sheet_larger_than_the_limits_is_read_up_to_them_with_a_problem():
    activity = blank_activity(reference="L-1", name="Logs", purpose="Sécurité")
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(document(activity))))
    workbook["L-1"].cell(MAX_ROWS + 100, 1, "far below")
    workbook["L-1"].cell(1, MAX_COLUMNS + 10, "far right")
    output = io.BytesIO()
    workbook.save(output)
    reading = read_cnil_workbook(output.getvalue())
    messages = [p.message for p in reading.problems if p.sheet == "L-1"]
    assert messages == [
        f"Only the first {MAX_ROWS} rows of this sheet were read.",
        f"Only the first {MAX_COLUMNS} columns of this sheet were read.",
    ]
    assert [a["name"] for a in reading.document["activities"]] == ["Logs"]


def test_without_a_contact_block_the_organisation_comes_from_the_first_record_sheet():
    original = complete_document()
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(original)))
    for line in workbook["Liste des traitements"].iter_rows(max_row=6):
        for cell in line:
            if cell.column in (3, 5, 7, 9):  # the values right of "Nom :", "Prénom :"…
                cell.value = None
    output = io.BytesIO()
    workbook.save(output)
    assert read_cnil_workbook(output.getvalue()).document["organisation"] == original["organisation"]


# --- Writing ---------------------------------------------------------------------------------


def complete_document() -> dict:
    """Two activities holding everything the CNIL layout can carry, as the reader gives it."""
    payroll = blank_activity(
        reference="RH-01",
        name="Paie",
        purpose="Verser les salaires",
        sub_purposes="Bulletins de paie\nDéclarations sociales",
        role="joint_controller",
        criterion_sensitive=True,
        controller_parties=[row("controller_parties", name="Holding SA", contact="1 place Bellecour\n69002 Lyon")],
        data_fields=[
            row("data_fields", name="Nom", category="identification"),
            row("data_fields", name="Prénom", category="identification"),
            row("data_fields", name="Situation familiale", category="personal_life"),
            row("data_fields", name="Diplômes", category="professional_life"),
            row("data_fields", name="Salaire", category="economic"),
            row("data_fields", name="Cookies de l'intranet", category="online_identifiers"),
            row("data_fields", name="NIR", category="national_id"),
            row("data_fields", name="Matricule", category="other"),
            row("data_fields", name="Religion déclarée", category="special", special_category="religious"),
            row("data_fields", name="Mutuelle santé", category="special", special_category="health"),
            row("data_fields", name="Casier judiciaire", category="criminal"),
        ],
        retention_lines=[
            row(
                "retention_lines",
                data_category="identification",
                duration=5,
                duration_unit="years",
                trigger="end_of_employment",
                end_action="archive",
                archive_duration=10,
                archive_duration_unit="years",
            ),
            row(
                "retention_lines",
                data_category="economic",
                duration=5,
                duration_unit="years",
                trigger="other",
                trigger_details="versement de la paie",
                legal_reference="Code du travail, L3243-4",
            ),
            row("retention_lines", data_category="national_id", criteria="Tant que dure le contrat"),
            row("retention_lines", data_category="", duration=6, duration_unit="months", end_action="anonymise"),
            row("retention_lines", data_category="special", duration=2, duration_unit="years", trigger="collection"),
            row("retention_lines", data_category="criminal", duration=3, duration_unit="months"),
        ],
        data_subjects=[
            row("data_subjects", name="Salariés", description="CDI et CDD"),
            row("data_subjects", name="Intérimaires"),
        ],
        recipients=[
            row("recipients", name="Direction financière", kind="internal"),
            row("recipients", name="PayCloud Inc.", kind="processor", country="US"),
            row("recipients", name="Caisses de retraite", kind="controller"),
            row("recipients", name="Bangalore Payroll Pvt", kind="other", country="IN"),
        ],
        security_measures=[
            row("security_measures", kind="traceability", details="Journaux"),
            row("security_measures", kind="processor_control", details="Audit annuel"),
            row("security_measures", kind="other", details="Coffre-fort"),
        ],
        transfers=[
            row("transfers", country="US", recipient="PayCloud Inc.", mechanism="privacy_shield", documentation="x"),
            row("transfers", country="IN", recipient="Bangalore Payroll Pvt", mechanism="scc_1"),
            row("transfers", country="MA", mechanism="derogation_b"),
            row("transfers", country="TN", mechanism="compelling_interest", safeguards="Chiffrement de bout en bout"),
            row("transfers", international_organisation="Organisation mondiale de la santé", mechanism="adequacy"),
        ],
    )
    newsletter = blank_activity(reference="MKT-1", name='=HYPERLINK("http://evil")', purpose="<r>Lettre</r>")
    organisation = {
        "name": "Hexagone Logiciels SAS",
        "legal_identifier": "",
        "address": "12 rue de l'Église",
        "postcode": "01000",
        "city": "Bourg-en-Bresse",
        "phone": "04 74 00 00 00",
        "email": "contact@hexagone.example",
        "dpo": {"name": "Mathilde Dupont-Éloi", "email": "dpo@hexagone.example", "phone": "04 74 00 00 01"},
        "representative": {"name": "EU Rep SARL", "contact": "3 rue de la Paix\n75002 Paris"},
    }
    return document(newsletter, payroll, organisation=organisation)  # ordered by reference


def test_the_written_register_reads_back_the_same():
    original = complete_document()
    reading = read_cnil_workbook(cnil_workbook(original))
    assert reading.document == original
    assert not any(problem.is_error for problem in reading.problems)


def test_a_processors_record_names_the_processor_and_the_controllers_it_acts_for():
    """Art. 30(2)(a) GDPR: the processor's record holds "the name and contact details of the processor or processors
    and of each controller on behalf of which the processor is acting". Written as a controller's record, the CNIL
    layout would call the organisation "Responsable du traitement" and its clients "Responsable(s) conjoint(s)" — an
    Art. 26 joint-controllership statement. Both are written with the 30(2) labels, and read back as a processor's."""
    hosting = blank_activity(
        reference="ST-01",
        name="Hébergement des données des clients",
        purpose="Héberger et sauvegarder les données de nos clients",
        role="processor",
        controller_parties=[
            row("controller_parties", name="Clinique du Parc", contact="2 rue Haute\n69003 Lyon"),
            row("controller_parties", name="Mairie de Bron", contact="dpo@bron.example"),
        ],
    )
    original = document(hosting, organisation=complete_document()["organisation"])
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(original)))
    labels = {cell.value: cell.row for cell in workbook["ST-01"]["A"] if cell.value}
    assert "Responsable du traitement" not in labels and "Responsable(s) conjoint(s)" not in labels
    sheet = workbook["ST-01"]
    assert sheet.cell(labels["Sous-traitant"], 2).value == "Hexagone Logiciels SAS"
    clients = [
        sheet.cell(line, 2).value
        for line in range(1, sheet.max_row + 1)
        if sheet.cell(line, 1).value
        == "Responsable(s) du traitement pour le compte duquel (desquels) le sous-traitant agit"
    ]
    assert clients == ["Clinique du Parc", "Mairie de Bron"]
    reading = read_cnil_workbook(cnil_workbook(original))
    assert reading.document == original, "read back as the processor's record it is, with its clients"


def test_mechanisms_the_cnil_list_lacks_are_written_with_the_closest_cnil_word_and_the_exact_tool():
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(complete_document())))
    sheet = workbook["RH-01"]
    transfers = {cell.value: cell.row for cell in sheet["A"] if str(cell.value).startswith("Organisme destinataire")}
    guarantee_and_documentation = [
        (
            sheet.cell(transfers[f"Organisme destinataire {n}"], 4).value,
            sheet.cell(transfers[f"Organisme destinataire {n}"], 6).value,
        )
        for n in (1, 2, 3)
    ]
    assert guarantee_and_documentation[0] == ("Privacy shield", "x")
    assert guarantee_and_documentation[1][0] == "Clauses contractuelles types (CCT)"
    assert "module 1" in guarantee_and_documentation[1][1]
    assert guarantee_and_documentation[2][0] == "Dérogations (art 49)"
    assert sheet.cell(transfers["Organisme destinataire 2"], 3).value == "Inde"


def test_text_that_looks_like_a_formula_is_written_as_text():
    workbook = openpyxl.load_workbook(io.BytesIO(cnil_workbook(complete_document())))
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line if cell.value]
    formula_like = [cell for cell in cells if str(cell.value).startswith("=")]
    assert [cell.value for cell in formula_like] == ['=HYPERLINK("http://evil")'] * 2  # the list and the sheet
    assert {cell.data_type for cell in formula_like} == {"s"}
    assert "<r>Lettre</r>" in [cell.value for cell in cells]


def test_sheet_names_follow_excels_rules_and_stay_unique():
    references = ["RH/01:*?[a]", "rh-01--[a]", "A" * 40, "A" * 40 + "B", "'Liste'", "Liste des traitements"]
    activities = [
        blank_activity(reference=reference, name=f"Activité {n}", purpose="x") for n, reference in enumerate(references)
    ]
    titles = CalamineWorkbook.from_filelike(io.BytesIO(cnil_workbook(document(*activities)))).sheet_names
    assert titles[0] == "Liste des traitements"
    assert len({title.casefold() for title in titles}) == len(titles) == len(references) + 1
    assert all(len(title) <= 31 and not set(title) & set("[]:*?/\\") for title in titles)
    assert not any(title.startswith("'") or title.endswith("'") for title in titles)


def test_more_activities_than_the_cnil_layout_holds_are_refused():
    activities = [blank_activity(reference=f"A-{n}", name="x", purpose="x") for n in range(CNIL_LAYOUT_LIMIT + 1)]
    with pytest.raises(ValueError, match=str(CNIL_LAYOUT_LIMIT)):
        cnil_workbook(document(*activities))
    assert cnil_workbook(document(*activities[:CNIL_LAYOUT_LIMIT]))
