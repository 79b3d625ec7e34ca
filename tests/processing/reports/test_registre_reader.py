"""Registre's own exports read back: the XLSX (English or French) and the JSON give the very
activities they were written from; a changed cell is reported where the DPO sees it; files
that are not Registre's register are refused."""

import datetime
import io
import json
import random
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from openpyxl.utils import get_column_letter

from core.spreadsheets import Sheet, xlsx_bytes
from inventory.models import DataSubjectCategory, InternationalOrganisation, Recipient, System
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from processing.reports.document import ACTIVITY_FIELDS, PART_FIELDS, VERSION
from processing.reports.loading import RegisterReader, Scope
from processing.reports.problems import ERROR, WARNING, UnreadableFile
from processing.reports.registre_reader import Reading, read_registre_json, read_registre_workbook
from processing.reports.registre_reader.fields import _empty_row
from processing.reports.writers import write_json, write_xlsx
from processing.services import activity_activate, activity_archive, activity_create

pytestmark = pytest.mark.django_db

FORMULA_NAME = "=cmd|' /C calc'!A0"
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def register(organisation, catalogue, complete_data):
    """A register with everything Registre records: every part, a special category, transfers
    to a country (with its TIA) and to an international organisation, an archive period,
    joint controllers, sources and DPIA criteria; a draft with a formula for a name; an
    archived activity."""

    def add(model, name, **fields):
        return catalogue_item_create(model=model, organisation=organisation, name=name, **fields)

    who = InternationalOrganisation.objects.get_or_create(name="World Health Organization")[0]
    patients = add(DataSubjectCategory, "Patients", description="Seen in our clinics", is_vulnerable=True)
    host = add(
        Recipient,
        "Host GmbH",
        kind="processor",
        country_id="DE",
        description="Hosting",
        contact="Berlin\nhosting@host.example",
        has_processing_agreement=True,
        processing_agreement_reference="DPA-2024-07",
    )
    archive = add(
        System,
        "Archive",
        kind="cloud",
        countries=["US", "DE", "JP"],
        hosting_provider=host,
        oldest_record_on=datetime.date(2019, 3, 1),
        description="Cold storage",
    )
    data = complete_data | {
        "data_fields": [catalogue["email"], catalogue["health"], catalogue["record"]],
        "data_subjects": [
            {"category": catalogue["customers"], "approximate_count": 5000},
            {"category": patients, "approximate_count": None},
        ],
        "recipients": [catalogue["sales"], catalogue["crm_vendor"], host],
        "systems": [catalogue["crm"], catalogue["intranet"], archive],
        "transfers": [
            {
                "country_id": "US",
                "recipient": catalogue["crm_vendor"],
                "importer_role": Transfer.ImporterRole.PROCESSOR,
                "mechanism": Transfer.Mechanism.SCC_MODULE_2,
                "tia_date": datetime.date(2024, 11, 5),
                "tia_reference": "TIA-2024-3",
                "documentation": "https://intranet.example/dpa/crm",
                "safeguards": "Encryption at rest",
            },
            {
                "international_organisation": who,
                "system": archive,
                "importer_role": Transfer.ImporterRole.CONTROLLER,
                "mechanism": Transfer.Mechanism.DEROGATION_D,
            },
            {
                "country_id": "JP",
                "recipient": host,
                "mechanism": Transfer.Mechanism.ADEQUACY,
                "adequacy_scope_confirmed": True,
            },
        ],
        "retention_lines": [
            {"duration": 3, "duration_unit": RetentionLine.Unit.YEARS, "trigger": RetentionLine.Trigger.LAST_CONTACT},
            {
                "data_category": "special",
                "duration": 5,
                "duration_unit": RetentionLine.Unit.YEARS,
                "trigger": RetentionLine.Trigger.OTHER,
                "trigger_details": "end of the treatment",
                "end_action": RetentionLine.EndAction.ARCHIVE,
                "archive_duration": 20,
                "archive_duration_unit": RetentionLine.Unit.YEARS,
                "legal_reference": "Public health code R1112-7",
            },
            {
                "data_category": "identification",
                "criteria": "As long as the account is open",
                "end_action": RetentionLine.EndAction.ANONYMISE,
            },
        ],
        "security_measures": [
            {"kind": SecurityMeasure.Kind.ACCESS_CONTROL, "details": "SSO and roles"},
            {"kind": SecurityMeasure.Kind.ENCRYPTION, "details": "AES-256"},
        ],
    }
    activity = activity_create(
        organisation=organisation,
        reference="PA-001",
        description="All of our customer relationship.",
        owner_unit="Sales",
        owner_contact="Jane Roe",
        software="Salesforce",
        role=ProcessingActivity.Role.JOINT_CONTROLLER,
        joint_arrangement="The partner answers the requests of the people.",
        sub_purposes="Quotes\nInvoices",
        lawful_basis_evidence="Customer contract",
        special_condition=ProcessingActivity.SpecialCondition.HEALTH_CARE,
        special_condition_reference="Public health code L1110-4",
        criminal_data_basis="Law 2024-12, art. 3",
        source_data_subject=True,
        source_third_party=True,
        source_details="Forms and partners",
        criterion_sensitive=True,
        criterion_large_scale=True,
        criterion_vulnerable=True,
        dpia_status=ProcessingActivity.DpiaStatus.DONE,
        dpia_date=datetime.date(2025, 2, 3),
        dpia_reference="DPIA-7",
        has_automated_decision=True,
        automated_decision_details="Credit scoring",
        last_reviewed_on=datetime.date(2025, 6, 1),
        next_review_on=datetime.date(2026, 6, 1),
        controller_parties=[
            {
                "name": "Partner SA",
                "contact": "1 rue de la Paix\nLyon",
                "representative": "Rep Ltd",
                "dpo_contact": "dpo@partner.example",
            }
        ],
        **data,
    )
    activity_activate(activity=activity)
    activity_create(organisation=organisation, reference="PA-002", name=FORMULA_NAME, purpose="@SUM(1)")
    archived = activity_create(organisation=organisation, reference="PA-003", name="Old newsletter", purpose="News")
    activity_archive(activity=archived)
    return organisation


def export_xlsx(organisation, language: str = "en") -> bytes:
    output = io.BytesIO()
    with translation.override(language):
        write_xlsx(RegisterReader(organisation, Scope(active_only=False)), output)
    return output.getvalue()


def export_json(organisation, language: str = "en") -> bytes:
    output = io.StringIO()
    with translation.override(language):
        write_json(RegisterReader(organisation, Scope(active_only=False)), output, language)
    return output.getvalue().encode()


def written_document(organisation) -> dict:
    return json.loads(export_json(organisation))


def sheets_of(data: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def workbook_of(sheets: dict[str, list[list]]) -> bytes:
    """A workbook of these sheets, in this order, every text written as text."""
    return xlsx_bytes([Sheet(title, rows[0], rows[1:]) for title, rows in sheets.items()])


REGISTER = "Record as controller"  # the controller's record (Art. 30(1)): its title and headings above its header
FIRST = 4  # the row of its first activity


def header_row(rows: list[list], header: str) -> list:
    return next(row for row in rows if header in row)


def letter(rows: list[list], header: str) -> str:
    return get_column_letter(header_row(rows, header).index(header) + 1)


def set_cell(rows: list[list], row: int, header: str, value) -> None:
    """Change a cell, ``row`` numbered as the spreadsheet shows it."""
    rows[row - 1][header_row(rows, header).index(header)] = value


def errors(reading: Reading) -> list[tuple]:
    return [(p.sheet, p.row, p.column) for p in reading.problems if p.level == ERROR]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_xlsx_export_reads_back_into_the_activities_it_was_written_from(register, language):
    written = written_document(register)
    reading = read_registre_workbook(export_xlsx(register, language))
    assert reading.problems == []
    assert reading.document["activities"] == written["activities"]
    assert reading.document["language"] == language and reading.document["organisation"] == {}
    first = reading.document["activities"][0]
    assert first["systems"][0]["countries"] == ["DE", "JP", "US"]
    assert first["transfers"][1]["international_organisation"] == "World Health Organization"
    assert first["retention_lines"][1]["archive_duration"] == 20


def test_the_json_export_reads_back_into_the_same_document(register):
    data = export_json(register, "fr")
    reading = read_registre_json(data)
    assert reading.problems == [] and not reading.has_errors
    written = json.loads(data)
    assert written.pop("records")  # the description of the two records, for the JSON's readers: not read back
    assert reading.document == written


def test_every_key_of_an_activity_and_of_its_parts_is_filled(register):
    for reading in (read_registre_workbook(export_xlsx(register)), read_registre_json(export_json(register))):
        for activity in reading.document["activities"]:
            assert set(activity) == {*ACTIVITY_FIELDS, "record", *PART_FIELDS}
            for part, names in PART_FIELDS.items():
                assert all(list(row) == names for row in activity[part])


def test_sheets_renamed_reordered_and_with_columns_moved_still_read(register):
    sheets = sheets_of(export_xlsx(register, "fr"))
    renamed = {}
    for number, (title, rows) in enumerate(reversed(sheets.items())):
        order = list(reversed(range(len(rows[0]))))  # every column in the opposite order
        renamed[f"Feuille {number} ({title[:5]})"] = [[row[index] for index in order] for row in rows]
    reading = read_registre_workbook(workbook_of(renamed))
    assert reading.problems == []
    assert reading.document["activities"] == written_document(register)["activities"]


def test_labels_of_either_language_codes_and_country_names_are_understood(register):
    sheets = sheets_of(export_xlsx(register, "en"))
    set_cell(sheets[REGISTER], FIRST, "Lawful basis (Art. 6)", "(b) Contrat avec la personne")
    set_cell(sheets[REGISTER], FIRST, "Status", "active")
    set_cell(sheets[REGISTER], FIRST, "Automated decision-making or profiling (Art. 22)", "Oui")
    set_cell(
        sheets[REGISTER], FIRST, "Sources of the data", "Collectées auprès de la personne\nReceived from a third party"
    )
    set_cell(sheets["Recipients"], 2, "Country", "US")  # CRM Inc.
    set_cell(sheets["Recipients"], 3, "Country", "Allemagne")  # Host GmbH
    set_cell(sheets["Systems (storage)"], 2, "Countries where the data is stored", "Japan\nÉtats-Unis\nDE")
    set_cell(sheets["Retention periods"], 2, "Duration", "3")
    reading = read_registre_workbook(workbook_of(sheets))
    assert reading.problems == []
    assert reading.document["activities"] == written_document(register)["activities"]


def test_a_text_starting_with_an_equals_sign_comes_back_as_typed(register):
    reading = read_registre_workbook(export_xlsx(register))
    draft = next(a for a in reading.document["activities"] if a["reference"] == "PA-002")
    assert draft["name"] == FORMULA_NAME and draft["purpose"] == "@SUM(1)"


def test_an_unknown_choice_label_is_an_error_at_its_cell(register):
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets[REGISTER], FIRST, "Lawful basis (Art. 6)", "(z) Because")
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [(REGISTER, FIRST, letter(sheets[REGISTER], "Lawful basis (Art. 6)"))]
    message = reading.problems[0].message
    assert "“(z) Because”" in message and "“(a) Consent”" in message and "“(f) Legitimate interests”" in message
    assert reading.has_errors


def test_an_unknown_reference_on_a_part_sheet_is_an_error_at_its_cell(register):
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets["Retention periods"], 3, "Activity reference", "PA-999")
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [("Retention periods", 3, "A")]
    assert "“PA-999”" in reading.problems[0].message
    assert len(reading.document["activities"][0]["retention_lines"]) == 2


@pytest.mark.parametrize(
    ("sheet", "header", "row"), [("Security measures", "Activity reference", 1), (REGISTER, "Reference", FIRST - 1)]
)
def test_a_missing_reference_column_is_an_error_on_its_sheet(register, sheet, header, row):
    sheets = sheets_of(export_xlsx(register))
    position = header_row(sheets[sheet], header).index(header)
    sheets[sheet] = [row[:position] + row[position + 1 :] for row in sheets[sheet]]
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [(sheet, row, None)]
    assert f"“{header}”" in reading.problems[0].message
    assert reading.document["activities"][0]["security_measures"] == []


def test_a_duration_that_is_not_a_whole_number_is_an_error_at_its_cell(register):
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets["Retention periods"], 2, "Duration", 2.5)
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [("Retention periods", 2, letter(sheets["Retention periods"], "Duration"))]
    assert "“2.5” is not a whole number" in reading.problems[0].message


def test_unknown_values_of_other_kinds_are_errors_at_their_cells(register):
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets[REGISTER], FIRST, "DPIA date", "sometime")
    set_cell(sheets[REGISTER], FIRST, "DPIA criteria met", "Data processed on a large scale\nMoon phases")
    set_cell(sheets["Recipients"], 2, "Data processing agreement in place", "Perhaps")
    set_cell(sheets["Systems (storage)"], 2, "Countries where the data is stored", "Atlantis")
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [
        (REGISTER, FIRST, letter(sheets[REGISTER], "DPIA criteria met")),
        (REGISTER, FIRST, letter(sheets[REGISTER], "DPIA date")),
        ("Recipients", 2, letter(sheets["Recipients"], "Data processing agreement in place")),
        ("Systems (storage)", 2, letter(sheets["Systems (storage)"], "Countries where the data is stored")),
    ]
    messages = " ".join(problem.message for problem in reading.problems)
    assert "“Moon phases”" in messages and "“sometime” is not a date" in messages and "“Atlantis”" in messages


def test_unknown_columns_give_one_warning_per_sheet_and_missing_sheets_a_warning(register):
    sheets = sheets_of(export_xlsx(register))
    for rows in sheets["Recipients"]:
        rows.extend(["Note", "Owner"] if rows is sheets["Recipients"][0] else ["a note", "me"])
    del sheets["Other controllers"]
    reading = read_registre_workbook(workbook_of(sheets))
    warnings = [(p.sheet, p.row, p.column) for p in reading.problems if p.level == WARNING]
    assert warnings == [("Recipients", 1, None), ("Other controllers", None, None)]
    assert "“Note (J)”" in reading.problems[0].message and "“Owner (K)”" in reading.problems[0].message
    assert not reading.has_errors
    assert reading.document["activities"][0]["controller_parties"] == []


def test_a_reference_given_twice_on_the_register_sheet_is_an_error(register):
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets[REGISTER], FIRST + 1, "Reference", "PA-001")
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [(REGISTER, FIRST + 1, "A")]
    assert f"row {FIRST}" in reading.problems[0].message


def garbage() -> bytes:
    return random.Random(30).randbytes(4000)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda register: garbage(), "could not be read as a spreadsheet"),
        (lambda register: export_xlsx(register)[:3000], "could not be read as a spreadsheet"),
        (lambda register: b"Reference,Name\nPA-001,CRM\n", "could not be read as a spreadsheet"),
        (lambda register: xlsx_bytes([Sheet("Sheet1", ["Fruit", "Price"], [["Apple", 1]])]), "not a register"),
    ],
    ids=["random-bytes", "truncated-zip", "csv", "another-workbook"],
)
def test_a_file_that_is_not_registre_s_workbook_is_refused(register, make, message):
    with pytest.raises(UnreadableFile, match=message):
        read_registre_workbook(make(register))


@pytest.mark.parametrize("name", ["cnil-registre-rempli.xlsx", "cnil-registre-rempli.ods"])
def test_the_cnil_model_register_is_not_taken_for_registre_s_export(name):
    # The import reads a workbook as Registre's first, then as the CNIL model on this refusal.
    with pytest.raises(UnreadableFile, match="not a register exported by Registre"):
        read_registre_workbook((DATA / name).read_bytes())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[]", "not a register exported by Registre"),
        (b'{"format": "another-format", "version": 1, "activities": []}', "not a register exported by Registre"),
        (
            json.dumps({"format": "registre-article-30", "version": VERSION + 1, "activities": []}).encode(),
            "newer version of Registre",
        ),
        (b'{"format": "registre-article-30", "version": 1, "activities": [}', "not valid JSON"),
        ('{"format": "registre-article-30", "name": "Société"}'.encode("latin-1"), "not UTF-8"),
        (b"Reference,Name\nPA-001,CRM\n", "not valid JSON"),
        (garbage(), "not UTF-8"),
    ],
    ids=["a-list", "another-format", "a-future-version", "broken-json", "latin-1", "csv", "random-bytes"],
)
def test_a_file_that_is_not_registre_s_json_is_refused(data, message):
    with pytest.raises(UnreadableFile, match=message):
        read_registre_json(data)


def test_a_json_larger_than_50_mb_is_refused_before_it_is_parsed():
    with pytest.raises(UnreadableFile, match="larger than 50 MB"):
        read_registre_json(b" " * (50 * 1024 * 1024 + 1))


def test_wrong_values_in_the_json_are_errors_at_their_key_and_missing_keys_are_filled(register):
    document = written_document(register)
    first, second, _third = document["activities"]
    first["transfers"][0]["mechanism"] = "scc_9"
    first["dpia_date"] = "03/02/2025"
    first["data_subjects"][0]["approximate_count"] = 12.5
    first["systems"][0]["countries"] = ["US", "Atlantis"]
    second["colour"] = "blue"
    second["transfers"] = [{"country": "IN", "note": "x"}]
    del second["software"], second["systems"]
    reading = read_registre_json(json.dumps(document).encode())
    problems = [(p.sheet, p.row, p.column, p.level) for p in reading.problems]
    assert problems == [
        ("JSON", 1, "dpia_date", ERROR),
        ("JSON", 1, "data_subjects[0].approximate_count", ERROR),
        ("JSON", 1, "systems[0].countries", ERROR),
        ("JSON", 1, "transfers[0].mechanism", ERROR),
        ("JSON", 2, "colour", WARNING),
        ("JSON", 2, "transfers[0].note", WARNING),
    ]
    assert '"scc_9"' in reading.problems[3].message and "“scc_2”" in reading.problems[3].message
    read_second = reading.document["activities"][1]
    assert read_second["software"] == "" and read_second["systems"] == []
    assert read_second["transfers"] == [
        {
            name: None if name in ("international_organisation", "recipient", "system", "tia_date") else ""
            for name in PART_FIELDS["transfers"]
        }
        | {"country": "IN", "adequacy_scope_confirmed": False}
    ]


def test_an_export_of_the_benchmark_register_reads_back_whole(db):
    from bench.register import seed

    _dpo, organisation, _activity, _seconds = seed(150)
    reading = read_registre_workbook(export_xlsx(organisation))
    assert not reading.problems
    assert reading.document["activities"] == written_document(organisation)["activities"]
    assert len(reading.document["activities"]) == 150


def test_a_reference_twice_in_the_json_is_an_error_at_the_second(register):
    document = written_document(register)
    document["activities"][2]["reference"] = document["activities"][0]["reference"].lower()
    reading = read_registre_json(json.dumps(document).encode())
    assert [(p.row, p.column, p.level) for p in reading.problems] == [(3, "reference", ERROR)]
    assert "already the one of row 1" in reading.problems[0].message
    assert len(reading.document["activities"]) == 2


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_processors_activity_reads_back_from_its_own_record(register, language):
    """Art. 30(2): the processor's activities are on a sheet of their own; read back with the controller's, in
    reference order, into the very document they were written from."""
    activity_create(
        organisation=register,
        reference="PA-000",
        name="Hosting for our clients",
        purpose="Host our clients' files",
        role=ProcessingActivity.Role.PROCESSOR,
        controller_parties=[
            {"name": "Clinique du Parc", "contact": "Lyon", "representative": "Rep SARL", "dpo_contact": "dpo@c.fr"}
        ],
    )
    written = written_document(register)
    sheets = sheets_of(export_xlsx(register, language))
    processor_sheet = next(rows for rows in sheets.values() if any("PA-000" in row for row in rows))
    assert not any("PA-001" in row for row in processor_sheet)  # the controller's activity is on the other sheet
    reading = read_registre_workbook(export_xlsx(register, language))
    assert reading.problems == []
    assert reading.document["activities"] == written["activities"]
    assert [a["record"] for a in written["activities"]] == ["processor", "controller", "controller", "controller"]
    assert read_registre_json(export_json(register, language)).document["activities"] == written["activities"]


@pytest.mark.parametrize("value", ["9" * 5000, 10**30, 3_000_000_000, 1e300])
def test_a_number_larger_than_the_register_keeps_is_an_error_at_its_cell(register, value):
    """Issue #20: refused at reading with its place, never a crash (Python refuses to convert a string of more than
    4,300 digits; the database's integer stops at 2,147,483,647)."""
    sheets = sheets_of(export_xlsx(register))
    set_cell(sheets["Retention periods"], 2, "Duration", value)
    reading = read_registre_workbook(workbook_of(sheets))
    assert errors(reading) == [("Retention periods", 2, letter(sheets["Retention periods"], "Duration"))]
    assert "is too large: the register keeps whole numbers up to 2,147,483,647." in reading.problems[0].message


@pytest.mark.parametrize(
    ("sheet", "header", "limit"),
    [
        (REGISTER, "Name", 200),
        (REGISTER, "Reference", 30),
        ("Transfers outside the EEA", "Link to the documentation", 500),
    ],
)
def test_a_text_longer_than_the_register_keeps_is_an_error_at_its_cell(register, sheet, header, limit):
    """Issue #20: refused at reading with its place and the limit, not by the database at the end of the import."""
    sheets = sheets_of(export_xlsx(register))
    row = FIRST if sheet == REGISTER else 2
    set_cell(sheets[sheet], row, header, "x" * (limit + 1))
    reading = read_registre_workbook(workbook_of(sheets))
    assert (sheet, row, letter(sheets[sheet], header)) in errors(reading)
    message = next(p.message for p in reading.problems if p.sheet == sheet and p.row == row)
    assert f"is too long: at most {limit} characters are kept here (it has {limit + 1})." in message


def test_a_text_longer_than_the_register_keeps_is_an_error_at_its_key_in_the_json(register):
    document = written_document(register)
    document["activities"][0]["name"] = "é" * 5000
    document["activities"][1]["transfers"] = [{**_empty_row("transfers"), "documentation": "x" * 501}]
    reading = read_registre_json(json.dumps(document).encode())
    assert [(p.row, p.column) for p in reading.problems if p.level == ERROR] == [
        (1, "name"),
        (2, "transfers[0].documentation"),
    ]
    assert "at most 200 characters are kept here (it has 5000)" in reading.problems[0].message


def test_a_date_cell_beyond_what_a_spreadsheet_holds_is_an_error_at_its_cell(register):
    """A date cell whose serial number no calendar reaches is read as an error value, then refused where it is."""
    sheets = sheets_of(export_xlsx(register))
    data = io.BytesIO(workbook_of(sheets))
    workbook = openpyxl.load_workbook(data)
    sheet = workbook[REGISTER]
    column = letter(sheets[REGISTER], "Next review due")
    sheet[f"{column}{FIRST}"] = 10**12
    sheet[f"{column}{FIRST}"].number_format = "yyyy-mm-dd"
    output = io.BytesIO()
    workbook.save(output)
    reading = read_registre_workbook(output.getvalue())
    assert errors(reading) == [(REGISTER, FIRST, column)]
    assert "is not a date" in reading.problems[0].message
