"""The Article 30 report as XLSX, CSV and JSON: opened by real readers, complete, in the
language asked for, as of a day, safe, logged; large ones and PDFs prepared in the background."""

import csv
import datetime
import io
import json
import os

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from accounts.services import organisation_update
from inventory.models import DataField, System
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity
from processing.reports.loading import RegisterReader, Scope
from processing.reports.models import ExportLog
from processing.reports.records import CONTROLLER_RECORD
from processing.reports.services import RegisterExport, exports_housekeeping, register_export_run, register_export_start
from processing.reports.writers import _json, write_json
from processing.services import activity_activate, activity_create, activity_update

from ..factories import ActivityFactory

pytestmark = pytest.mark.django_db


def export_url(organisation, query=""):
    return reverse("reports:register_export", args=[organisation.slug]) + query


@pytest.fixture
def filled(organisation, complete_data):
    """An active activity with every Art. 30 item, and a draft."""
    activity = activity_create(
        organisation=organisation,
        reference="PA-001",
        owner_unit="Sales",
        sub_purposes="Quotes\nInvoices",
        lawful_basis_evidence="Customer contract",
        source_data_subject=True,
        criterion_large_scale=True,
        controller_parties=[{"name": "Partner SA", "contact": "Lyon"}],
        **complete_data,
    )
    activity_activate(activity=activity)
    activity_create(organisation=organisation, reference="PA-002", name="=cmd|' /C calc'!A0", purpose="@SUM(1)")
    return activity


HEADER_ROW = 3  # a record's sheet: its title, its headings, then its header


def register_sheet(response):
    """The workbook and the rows of the controller's record (its first sheet), by header."""
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    rows = [
        dict(zip(header, [cell.value for cell in row], strict=True)) for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
    ]
    return workbook, rows


def csv_records(response) -> list[tuple[str, list[dict]]]:
    """The CSV's sections, one per record: its title and its lines by header (under its title and headings)."""
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    sections, start = [], 0
    for end in [*(n for n, line in enumerate(lines) if not line), len(lines)]:
        (title,), _headings, header, *rows = lines[start:end]
        sections.append((title, [dict(zip(header, row, strict=True)) for row in rows]))
        start = end + 1
    return sections


def test_the_xlsx_holds_every_art_30_item_and_a_sheet_per_kind_of_detail(manager_client, organisation, filled, manager):
    response = manager_client.get(export_url(organisation, "?format=xlsx&lang=en"))
    assert response.status_code == 200
    assert f'filename="register-{organisation.slug}-' in response["Content-Disposition"]
    workbook, rows = register_sheet(response)
    assert workbook.sheetnames == [
        "Record as controller",
        "Record as processor",
        "Personal data",
        "Categories of people",
        "Recipients",
        "Systems (storage)",
        "Transfers outside the EEA",
        "Retention periods",
        "Security measures",
        "Other controllers",
        "Organisation",
    ]
    (row,) = rows  # the draft is left out by default
    assert row["Reference"] == "PA-001" and row["Status"] == "Active" and row["Business unit"] == "Sales"
    assert row["Main purpose"] == "Manage the relationship with our customers."
    assert row["Sub-purposes"] == "Quotes\nInvoices"
    assert row["Lawful basis (Art. 6)"] == "(b) Contract with the person"
    assert row["Categories of people"] == "Customers (5000)"
    assert row["Personal data"] == "Email address"
    assert row["Recipients"] == "CRM Inc.\nSales team"
    assert row["Systems (storage)"] == "CRM\nIntranet"
    assert row["Storage countries"] == "France (FR)\nUnited States of America (US)"
    assert row["Transfers outside the EEA"].startswith(
        "United States of America (US) · CRM Inc. · Standard contractual"
    )
    assert row["Retention periods"] == "3 years · last contact"
    assert row["Security measures"] == "User access control: SSO and roles"
    assert row["Other controllers"] == "Partner SA (Lyon)"  # with their contact details: Art. 30(1)(a)
    assert row["Sources of the data"] == "Collected from the person"
    assert row["DPIA criteria met"] == "Data processed on a large scale"
    transfers = workbook["Transfers outside the EEA"]
    assert [c.value for c in transfers[2]][:5] == ["PA-001", "United States of America (US)", None, "CRM Inc.", None]
    fields = [[c.value for c in row] for row in workbook["Personal data"].iter_rows(min_row=2)]
    assert fields == [["PA-001", "Email address", None, "Civil status, identity, identification data, images", None]]
    sheet = workbook["Record as controller"]
    assert sheet["A1"].value == "Record of processing activities as a controller (Art. 30(1))"
    assert sheet["A2"].value == "(a) Controller and parties" and sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref.startswith("A3:")
    log = ExportLog.objects.get()
    assert (log.report, log.format, log.language, log.rows, log.requested_by) == ("register", "xlsx", "en", 1, manager)
    assert log.options == {"active_only": True, "as_of": None, "layout": "register"}


def test_data_never_becomes_a_formula(dpo_client, organisation, filled):
    response = dpo_client.get(export_url(organisation, "?format=xlsx&lang=en&scope=all"))
    workbook, rows = register_sheet(response)
    assert [row["Name"] for row in rows] == ["Customer relationship management", "=cmd|' /C calc'!A0"]
    cell = workbook["Record as controller"]["B5"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    text = dpo_client.get(export_url(organisation, "?format=csv&lang=en&scope=all")).content.decode()
    second = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[4]
    assert second[1] == "'=cmd|' /C calc'!A0" and "'@SUM(1)" in second


def test_the_csv_is_excel_ready_and_in_french(auditor_client, organisation, filled):
    response = auditor_client.get(export_url(organisation, "?format=csv&lang=fr"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    (_title, (row,)), _processor = csv_records(response)
    assert row["Référence"] == "PA-001" and row["Statut"] == "Active"
    assert row["Base légale (art. 6)"] == "(b) Contrat avec la personne"
    assert row["Pays de stockage"] == "France (FR)\nÉtats-Unis d'Amérique (US)"
    assert row["Durées de conservation"] == "3 ans · le dernier contact"


def test_the_csv_keeps_the_intermediate_archive_and_the_safeguards_of_a_one_off_transfer(
    auditor_client, organisation, filled
):
    """Art. 30(1)(f): "where possible, the envisaged time limits for erasure" — a line kept 5 years then 5 in an
    intermediate archive is not "5 years". Art. 30(1)(e): for the transfers of the second subparagraph of Art. 49(1)
    (compelling legitimate interests), "the documentation of suitable safeguards". Both in the CSV's one row."""
    activity_update(
        activity=filled,
        retention_lines=[
            {
                "duration": 5,
                "duration_unit": "years",
                "trigger": "end_of_contract",
                "end_action": "archive",
                "archive_duration": 5,
                "archive_duration_unit": "years",
            }
        ],
        transfers=[
            {
                "country_id": "TN",
                "mechanism": "compelling_interest",
                "safeguards": "Encrypted end to end",
                "documentation": "https://intranet.example/transfer-tn",
            }
        ],
    )
    response = auditor_client.get(export_url(organisation, "?format=csv&lang=en"))
    (_title, (row,)), _processor = csv_records(response)
    assert row["Retention periods"].startswith("5 years, then 5 years in an intermediate archive")
    assert row["Transfers outside the EEA"].endswith(
        "safeguards: Encrypted end to end https://intranet.example/transfer-tn"
    )


def test_the_xlsx_and_the_csv_begin_the_record_with_the_organisations_identity(auditor_client, organisation, filled):
    """Art. 30(1)(a) (and 30(2)(a) for a processor): the record contains "the name and contact details of the
    controller and, where applicable, the joint controller, the controller's representative and the data protection
    officer". The XLSX has an Organisation sheet; the CSV, one table, has them in its last columns on every line."""
    organisation_update(
        organisation=organisation,
        legal_identifier="SIREN 812 345 679",
        address="18 rue de la République",
        postcode="69002",
        city="Lyon",
        email="contact@hexagone.example",
        dpo_name="Claire Martin",
        dpo_email="dpo@hexagone.example",
        representative_name="",
    )
    workbook, _rows = register_sheet(auditor_client.get(export_url(organisation, "?format=xlsx&lang=en")))
    identity = {row[0].value: row[1].value for row in workbook["Organisation"].iter_rows(min_row=2)}
    assert identity["Controller or processor"] == organisation.name
    assert identity["Legal identifier"] == "SIREN 812 345 679"
    assert identity["Contact details"] == "18 rue de la République, 69002 Lyon, contact@hexagone.example"
    assert identity["Data protection officer"] == "Claire Martin · dpo@hexagone.example"
    assert identity["Representative in the EU"] is None
    response = auditor_client.get(export_url(organisation, "?format=csv&lang=fr"))
    (_title, (row,)), _processor = csv_records(response)
    assert row["Délégué à la protection des données"] == "Claire Martin · dpo@hexagone.example"
    assert row["Responsable du traitement ou sous-traitant"] == organisation.name


def test_the_json_holds_each_activitys_document_on_a_line_of_its_own_whatever_its_entries_names(
    organisation, catalogue
):
    """Names with quotes, backslashes, JSON-like text and accents come back as they were; one activity a line."""
    awkward = catalogue_item_create(
        model=DataField, organisation=organisation, name='"data_fields": 0, \\"systems": 0 «é»', category="other"
    )
    system = catalogue_item_create(
        model=System, organisation=organisation, name='"recipients": 0}\u2028', kind="saas", countries=["FR"]
    )
    for n in range(3):
        activity_create(
            organisation=organisation,
            name=f'Activity "data_fields": {n}',
            purpose='"systems": 0',
            data_fields=[awkward, catalogue["email"]] if n else [],
            recipients=[catalogue["sales"]] * (n > 0),
            systems=[system, catalogue["crm"]][: n + 1],
        )
    output = io.StringIO()
    with translation.override("en"):
        reader = RegisterReader(organisation, Scope(active_only=False))
        write_json(reader, output, "en")
        expected = [activity for chunk in reader.chunks() for activity in chunk]
    written = output.getvalue()
    assert json.loads(written)["activities"] == expected
    lines = written.split("\n")
    assert [json.loads(line.removesuffix(",")) for line in lines[1:-2]] == expected  # an activity a line
    assert json.loads(written)["activities"][2]["data_fields"][0]["name"] == awkward.name
    assert "«é»" in written  # UTF-8 as it is, not escaped


def test_a_date_the_reader_left_as_a_date_is_refused_rather_than_written_in_another_form():
    with pytest.raises(TypeError):
        _json({"next_review_on": datetime.date(2027, 1, 31)})
    assert _json({"next_review_on": "2027-01-31"}) == '{"next_review_on":"2027-01-31"}'


def test_the_json_is_the_whole_document(dpo_client, organisation, filled):
    response = dpo_client.get(export_url(organisation, "?format=json&lang=fr&scope=all"))
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert (document["format"], document["version"], document["language"], document["scope"]) == (
        "registre-article-30",
        1,
        "fr",
        "all",
    )
    assert document["organisation"]["name"] == organisation.name
    first, second = document["activities"]
    assert (first["reference"], first["status"], first["lawful_basis"]) == ("PA-001", "active", "contract")
    assert first["data_fields"] == [
        {"name": "Email address", "description": "", "category": "identification", "special_category": ""}
    ]
    assert first["systems"][0] == {
        "name": "CRM",
        "description": "",
        "kind": "saas",
        "countries": ["US"],
        "hosting_provider": None,
        "oldest_record_on": None,
    }
    assert first["transfers"][0]["recipient"] == "CRM Inc." and first["transfers"][0]["mechanism"] == "scc_2"
    assert first["retention_lines"][0]["duration"] == 3
    assert second["reference"] == "PA-002" and second["status"] == "draft"


def test_an_as_of_export_gives_the_register_of_that_day(dpo_client, organisation, filled):
    day = timezone.localdate()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        activity_update(activity=filled, name="Renamed later", purpose="Another purpose")
        today = json.loads(dpo_client.get(export_url(organisation, "?format=json&lang=en")).content)
        before = json.loads(dpo_client.get(export_url(organisation, f"?format=json&lang=en&as_of={day}")).content)
    assert today["activities"][0]["name"] == "Renamed later"
    assert before["activities"][0]["name"] == "Customer relationship management"
    assert before["activities"][0]["purpose"] == "Manage the relationship with our customers."
    assert before["as_of"] == day.isoformat()


def test_an_as_of_export_lists_the_links_of_that_day(dpo_client, organisation, filled, catalogue):
    """An activity's data fields, recipients and systems as they were linked on the day asked for."""
    day = timezone.localdate()
    phone = catalogue_item_create(model=DataField, organisation=organisation, name="Phone number", category="other")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        activity_update(
            activity=filled,
            data_fields=[phone],
            recipients=[catalogue["sales"]],
            systems=[catalogue["crm"]],
        )
        today = json.loads(dpo_client.get(export_url(organisation, "?format=json&lang=en&scope=all")).content)
        query = f"?format=json&lang=en&scope=all&as_of={day}"
        before = json.loads(dpo_client.get(export_url(organisation, query)).content)

    def linked(document):
        activity = next(a for a in document["activities"] if a["reference"] == filled.reference)
        return {part: [entry["name"] for entry in activity[part]] for part in ("data_fields", "recipients", "systems")}

    assert linked(before) == {
        "data_fields": ["Email address"],
        "recipients": ["CRM Inc.", "Sales team"],
        "systems": ["CRM", "Intranet"],
    }
    assert linked(today) == {"data_fields": ["Phone number"], "recipients": ["Sales team"], "systems": ["CRM"]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?format=zip&lang=en", "Select a valid choice"),
        ("?format=xlsx&lang=xx", "Select a valid choice"),
        ("?format=xlsx&lang=en&as_of=1969-12-31", "between 1 January 1970 and today"),
        ("?format=xlsx&lang=en&as_of=31/31/2020", "Enter a valid date"),
        ("?format=csv&lang=en&layout=cnil", "choose XLSX"),
    ],
)
def test_a_bad_request_says_what_is_wrong_and_logs_nothing(dpo_client, organisation, query, message):
    response = dpo_client.get(export_url(organisation, query))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportLog.objects.exists()


def test_outsiders_get_nothing(outsider_client, organisation, filled):
    assert outsider_client.get(export_url(organisation, "?format=xlsx&lang=en")).status_code == 404
    assert not ExportLog.objects.exists()


def test_the_query_count_does_not_grow_with_the_register(
    dpo_client, organisation, filled, django_assert_max_num_queries
):
    for _ in range(3):
        activity_create(organisation=organisation, name="More", purpose="More")
    with django_assert_max_num_queries(21):
        small = dpo_client.get(export_url(organisation, "?format=xlsx&lang=en&scope=all"))
    for number in range(30):
        ActivityFactory(organisation=organisation, reference=f"B-{number:02d}")
    with django_assert_max_num_queries(21):
        large = dpo_client.get(export_url(organisation, "?format=xlsx&lang=en&scope=all"))
    assert len(register_sheet(small)[1]) == 5 and len(register_sheet(large)[1]) == 35


def test_a_large_register_is_prepared_in_the_background(
    dpo_client, organisation, filled, settings, django_capture_on_commit_callbacks
):
    settings.REGISTER_EXPORT_IMMEDIATE_MAX = 1
    page = dpo_client.get(export_url(organisation, "?format=xlsx&lang=fr&scope=all"))
    assert page.status_code == 200 and "Prepare the export" in page.content.decode()
    assert not ExportLog.objects.exists()  # a link starts nothing by itself
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(export_url(organisation), {"format": "xlsx", "lang": "fr", "scope": "all"})
    export = ExportLog.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/exports/{export.pk}/")
    assert export.status == "ready" and export.rows == 2 and export.expires_at  # eager Celery: done already
    status = dpo_client.get(reverse("reports:export_status", args=[organisation.slug, export.pk])).json()
    assert status["finished"] and status["percent"] == 100
    download = dpo_client.get(reverse("reports:export_download", args=[organisation.slug, export.pk]))
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    with translation.override("fr"):
        title = str(CONTROLLER_RECORD.sheet)
    assert workbook.sheetnames[0] == title and workbook[title]["A5"].value == "PA-002"


def test_a_prepared_file_is_for_the_members_only_and_expires(
    dpo, organisation, filled, auditor_client, outsider_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = register_export_start(
            organisation=organisation, user=dpo, request=RegisterExport(format="csv", language="en")
        )
    export.refresh_from_db()
    url = reverse("reports:export_download", args=[organisation.slug, export.pk])
    assert auditor_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code == 404
    path = export.file.path
    result = exports_housekeeping(now=export.expires_at + datetime.timedelta(seconds=1))
    assert result["expired"] == 1
    export.refresh_from_db()
    assert export.status == "expired" and not export.file
    assert not os.path.exists(path)
    assert auditor_client.get(url).status_code == 410


def test_an_export_runs_once_even_if_sent_twice(dpo, organisation, filled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = register_export_start(
            organisation=organisation, user=dpo, request=RegisterExport(format="json", language="en")
        )
    assert register_export_run(export.pk) is False  # the first run took it already
    export.refresh_from_db()
    assert export.status == "ready" and export.attempts == 1


def test_the_reports_page_offers_the_export_and_shows_the_log(auditor_client, organisation, filled):
    auditor_client.get(export_url(organisation, "?format=json&lang=en&as_of=2026-01-31"))
    page = auditor_client.get(reverse("reports:report_list", args=[organisation.slug])).content.decode()
    assert "Export the register" in page and "As of 31 Jan 2026" in page and "Active activities only" in page


def test_archived_activities_come_with_all(dpo_client, organisation, filled):
    from processing.services import activity_archive

    activity_archive(activity=filled)
    document = json.loads(dpo_client.get(export_url(organisation, "?format=json&lang=en&scope=all")).content)
    assert [a["status"] for a in document["activities"]] == ["archived", "draft"]
    assert ProcessingActivity.objects.count() == 2


def test_the_cnil_model_layout_reads_back_as_the_cnil_model(dpo_client, organisation, filled, settings):
    from processing.reports.cnil import read_cnil_workbook

    response = dpo_client.get(export_url(organisation, "?format=xlsx&lang=en&layout=cnil"))
    assert response.status_code == 200
    assert f'filename="register-cnil-{organisation.slug}-' in response["Content-Disposition"]
    reading = read_cnil_workbook(response.content)
    (activity,) = reading.document["activities"]
    assert (activity["reference"], activity["name"]) == ("PA-001", "Customer relationship management")
    assert [field["name"] for field in activity["data_fields"]] == ["Email address"]
    assert activity["transfers"][0]["country"] == "US"
    assert ExportLog.objects.get().options["layout"] == "cnil"


def test_the_cnil_model_layout_is_offered_up_to_its_limit(dpo_client, organisation, filled, monkeypatch):
    monkeypatch.setattr("processing.reports.cnil.CNIL_LAYOUT_LIMIT", 0)
    response = dpo_client.get(export_url(organisation, "?format=xlsx&lang=en&layout=cnil"))
    assert response.status_code == 400 and "offered up to 0 activities" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_a_pdf_is_always_prepared_in_the_background_and_has_a_size_limit(
    dpo_client, organisation, filled, settings, django_capture_on_commit_callbacks
):
    page = dpo_client.get(export_url(organisation, "?format=pdf&lang=en"))
    assert page.status_code == 200 and "Prepare the export" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(export_url(organisation), {"format": "pdf", "lang": "en"})
    export = ExportLog.objects.get()
    assert (export.format, export.status, export.rows) == ("pdf", "ready", 1)
    settings.REGISTER_PDF_MAX_ACTIVITIES = 1
    refused = dpo_client.post(export_url(organisation), {"format": "pdf", "lang": "en", "scope": "all"})
    assert refused.status_code == 400 and "A PDF is offered up to 1 activities" in refused.content.decode()
    assert ExportLog.objects.count() == 1
