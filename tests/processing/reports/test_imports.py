"""Importing a register: upload, preview (nothing written), confirmation (all or nothing),
drafts, catalogue matched by name without duplicates, history with its author, bad files."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import DataSubjectCategory, Recipient
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity, Transfer
from processing.reports.models import RegisterImport
from processing.reports.services import import_apply_run, import_confirm

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "data"


def upload(client, organisation, name, content, capture):
    with capture(execute=True):
        response = client.post(
            reverse("reports:import_upload", args=[organisation.slug]),
            {"file": SimpleUploadedFile(name, content)},
        )
    return response


@pytest.fixture
def cnil_file():
    return (DATA / "cnil-registre-rempli.ods").read_bytes()


def test_the_cnil_register_is_previewed_then_imported_as_drafts(
    dpo_client, organisation, dpo, cnil_file, django_capture_on_commit_callbacks
):
    already = catalogue_item_create(model=DataSubjectCategory, organisation=organisation, name="SALARIES")
    response = upload(dpo_client, organisation, "registre.ods", cnil_file, django_capture_on_commit_callbacks)
    register_import = RegisterImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/register/import/{register_import.pk}/")
    assert register_import.status == "previewed" and not register_import.file
    assert not ProcessingActivity.objects.exists()  # the preview wrote nothing
    assert DataSubjectCategory.objects.filter(organisation=organisation).count() == 1
    page = dpo_client.get(response["Location"]).content.decode()
    created = register_import.outcome["created"]
    assert len(created) == 4 and "Ready to review" in page and created[0] in page
    assert "Privacy Shield" in page  # a warning with its sheet, row and column

    with django_capture_on_commit_callbacks(execute=True):
        decided = dpo_client.post(
            reverse("reports:import_decide", args=[organisation.slug, register_import.pk]), {"decision": "confirm"}
        )
    assert decided.status_code == 302
    register_import.refresh_from_db()
    assert register_import.status == "applied" and register_import.document is None
    activities = ProcessingActivity.objects.filter(organisation=organisation)
    assert sorted(activities.values_list("reference", flat=True)) == sorted(created)
    assert set(activities.values_list("status", flat=True)) == {"draft"}
    # Matched by name, ignoring case and accents: no second "Salariés".
    subjects = DataSubjectCategory.objects.filter(organisation=organisation)
    assert [s.name for s in subjects if s.name_key == already.name_key] == ["SALARIES"]
    assert Transfer.objects.filter(activity__organisation=organisation, mechanism="privacy_shield").exists()
    record = activities.first().history.earliest()
    assert record.history_user == dpo  # the worker recorded who imported it


def test_a_file_with_errors_cannot_be_imported(dpo_client, organisation, django_capture_on_commit_callbacks):
    from processing.reports.cnil import read_cnil_workbook

    content = (DATA / "cnil-registre-rempli.xlsx").read_bytes()
    reading = read_cnil_workbook(content)
    assert reading.document["activities"]
    # A transfer to an EEA country is refused by the register's own rules.
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "Inde":
                    cell.value = "Atlantide"
    output = io.BytesIO()
    workbook.save(output)
    upload(dpo_client, organisation, "registre.xlsx", output.getvalue(), django_capture_on_commit_callbacks)
    register_import = RegisterImport.objects.get()
    assert register_import.status == "previewed" and register_import.has_errors
    error = next(p for p in register_import.problems if p["level"] == "error")
    assert "Atlantide" in error["message"] and error["row"] and error["column"]
    page = dpo_client.get(reverse("reports:import_detail", args=[organisation.slug, register_import.pk]))
    assert "Correct these errors" in page.content.decode()
    with pytest.raises(Exception, match="Correct the file first"):
        import_confirm(register_import=register_import)
    register_import.refresh_from_db()
    assert register_import.status == "previewed" and not ProcessingActivity.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("registre.xlsx", b"not a spreadsheet at all", "neither a spreadsheet"),
        ("registre.xlsx", b"PK\x03\x04broken", "could not be read"),
        ("registre.ods", b"%PDF-1.7 renamed", "neither a spreadsheet"),
    ],
)
def test_a_malformed_file_is_refused_with_its_reason(
    dpo_client, organisation, django_capture_on_commit_callbacks, name, content, message
):
    upload(dpo_client, organisation, name, content, django_capture_on_commit_callbacks)
    register_import = RegisterImport.objects.get()
    assert register_import.status == "unreadable" and message in register_import.error
    assert not register_import.file and not ProcessingActivity.objects.exists()
    page = dpo_client.get(reverse("reports:import_detail", args=[organisation.slug, register_import.pk]))
    assert page.status_code == 200 and message in page.content.decode()


def test_a_zip_that_is_not_a_workbook_is_refused(dpo_client, organisation, django_capture_on_commit_callbacks):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "hello")
    upload(dpo_client, organisation, "registre.xlsx", archive.getvalue(), django_capture_on_commit_callbacks)
    assert RegisterImport.objects.get().status == "unreadable"


def test_too_large_or_wrong_type_is_refused_at_once(dpo_client, organisation, settings):
    settings.IMPORT_MAX_BYTES = 10
    url = reverse("reports:import_upload", args=[organisation.slug])
    response = dpo_client.post(url, {"file": SimpleUploadedFile("r.xlsx", b"x" * 11)})
    assert response.status_code == 400 and "too large" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 1000
    response = dpo_client.post(url, {"file": SimpleUploadedFile("r.exe", b"MZ")})
    assert response.status_code == 400 and ".xlsx, .ods or .json" in response.content.decode()
    assert not RegisterImport.objects.exists()


def test_only_the_dpo_imports(manager_client, auditor_client, outsider_client, organisation):
    url = reverse("reports:import_upload", args=[organisation.slug])
    assert manager_client.get(url).status_code == 403
    assert auditor_client.post(url, {}).status_code == 403
    assert outsider_client.get(url).status_code == 404


def test_a_discarded_import_writes_nothing_and_an_import_runs_once(
    dpo_client, organisation, cnil_file, django_capture_on_commit_callbacks
):
    upload(dpo_client, organisation, "registre.ods", cnil_file, django_capture_on_commit_callbacks)
    register_import = RegisterImport.objects.get()
    dpo_client.post(
        reverse("reports:import_decide", args=[organisation.slug, register_import.pk]), {"decision": "discard"}
    )
    register_import.refresh_from_db()
    assert register_import.status == "discarded" and register_import.document is None
    assert import_confirm(register_import=register_import) is False
    assert import_apply_run(register_import.pk) is False
    assert not ProcessingActivity.objects.exists() and not Recipient.objects.filter(organisation=organisation).exists()


@pytest.mark.parametrize("format_", ["json", "xlsx"])
def test_an_export_imported_into_an_empty_organisation_gives_the_same_register(
    organisation, other_organisation, complete_data, dpo, format_, django_capture_on_commit_callbacks
):
    """The round trip: export, import elsewhere, export again: the same register (as drafts)."""
    from accounts.models import Membership
    from processing.reports.services import RegisterExport, import_start, register_export_write
    from processing.services import activity_activate, activity_create

    activity = activity_create(
        organisation=organisation,
        reference="PA-001",
        sub_purposes="Quotes\nInvoices",
        criterion_large_scale=True,
        controller_parties=[{"name": "Partner SA", "contact": "Lyon"}],
        **complete_data,
    )
    activity_activate(activity=activity)
    activity_create(organisation=organisation, reference="PA-002", name="Visitors", purpose="Welcome visitors")

    def exported(of, format_):
        output = io.BytesIO()
        register_export_write(of, RegisterExport(format=format_, language="fr", active_only=False), output)
        return output.getvalue()

    Membership.objects.create(user=dpo, organisation=other_organisation, role=Membership.Role.DPO)
    with django_capture_on_commit_callbacks(execute=True):
        register_import = import_start(
            organisation=other_organisation,
            user=dpo,
            upload=SimpleUploadedFile(f"register.{format_}", exported(organisation, format_)),
            language="en",
        )
    register_import.refresh_from_db()
    assert register_import.status == "previewed" and not register_import.has_errors, register_import.problems
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(register_import=register_import)
    register_import.refresh_from_db()
    assert register_import.status == "applied", register_import.outcome

    import json

    before, after = (json.loads(exported(of, "json"))["activities"] for of in (organisation, other_organisation))
    for document in before:
        document["status"] = "draft"  # imported activities are drafts
    assert after == before
    record = ProcessingActivity.objects.get(organisation=other_organisation, reference="PA-001").history.earliest()
    assert (record.history_user, record.history_change_reason) == (dpo, "import")


def test_importing_the_same_file_again_changes_nothing_in_the_history(
    organisation, other_organisation, complete_data, dpo
):
    from core.history import acting_as
    from processing.history import activity_history
    from processing.reports.imports import import_document, read_import_file
    from processing.reports.services import RegisterExport, register_export_write
    from processing.services import activity_create

    data = complete_data | {"controller_parties": [{"name": "Partner SA", "contact": "Lyon"}]}
    data["transfers"] = [{**data["transfers"][0], "tia_date": datetime.date(2026, 1, 5), "tia_reference": "TIA-1"}]
    activity_create(organisation=organisation, reference="PA-001", **data)
    output = io.BytesIO()
    register_export_write(organisation, RegisterExport(format="xlsx", language="en", active_only=False), output)
    document = read_import_file(output.getvalue()).document

    def imported():
        with acting_as(dpo, "import"):
            return import_document(organisation=other_organisation, document=document, commit=True)

    assert imported().created == ["PA-001"]
    activity = ProcessingActivity.objects.get(organisation=other_organisation)
    rows_before = sorted(Transfer.objects.filter(activity=activity).values_list("pk", flat=True))
    history_before = [(change.subject, change.kind, change.details) for change in activity_history(activity)]
    assert imported().updated == ["PA-001"]
    assert sorted(Transfer.objects.filter(activity=activity).values_list("pk", flat=True)) == rows_before
    assert [(change.subject, change.kind, change.details) for change in activity_history(activity)] == history_before


def test_a_catalogue_entry_refused_is_reported_for_each_activity_naming_it_as_alone(organisation):
    """New entries are checked in memory as ``catalogue_item_create`` checks one (#22): the same message, for each
    activity that names the entry until one gives values it accepts; then nothing is written."""
    from django.core.exceptions import ValidationError

    from inventory.models import System
    from processing.reports.imports import import_document
    from processing.reports.registre_reader.fields import _empty_activity

    def activity(reference, system):
        return _empty_activity() | {"reference": reference, "name": "Payroll", "purpose": "Pay", "systems": [system]}

    nowhere = {"name": "CRM", "description": "", "kind": "saas", "countries": [], "hosting_provider": None}
    activities = [activity("PA-001", nowhere), activity("PA-002", nowhere | {"countries": ["FR"]})]
    outcome = import_document(
        organisation=organisation, document={"activities": [*activities, activity("PA-003", nowhere)]}, commit=True
    )
    with pytest.raises(ValidationError) as alone:
        catalogue_item_create(model=System, organisation=organisation, name="CRM", kind="saas", countries=[])
    assert [(p.sheet, p.column, p.message) for p in outcome.problems] == [
        ("Activity PA-001", "countries", message) for message in alone.value.message_dict["countries"]
    ]
    assert outcome.catalogue == {"systems": ["CRM"]} and outcome.created == ["PA-002", "PA-003"]
    assert not System.objects.exists() and not ProcessingActivity.objects.exists()
