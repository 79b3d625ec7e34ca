"""/api/v1/exports/: ask for an export of the register, poll it, download it; the export log."""

import json

import pytest

from processing.reports.models import ExportLog
from processing.services import activity_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(organisation):
    activity_create(organisation=organisation, reference="PA-001", name="Payroll", purpose="Pay the staff")


def test_an_auditor_asks_for_an_export_polls_it_and_downloads_it(
    auditor_api, organisation, register, auditor, django_capture_on_commit_callbacks
):
    body = {"organisation": organisation.slug, "format": "json", "language": "fr", "scope": "all"}
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor_api.post("/api/v1/exports/", body, format="json")
    assert response.status_code == 202, response.content
    export_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/v1/exports/{export_id}/")
    state = auditor_api.get(f"/api/v1/exports/{export_id}/").json()
    assert (state["status"], state["percent"], state["rows"], state["requested_by"]) == ("ready", 100, 1, "auditor")
    assert state["options"] == {"active_only": False, "as_of": None, "layout": "register"}
    download = auditor_api.get(state["download"].replace("http://testserver", ""))
    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    document = json.loads(b"".join(download.streaming_content))
    assert document["language"] == "fr" and [a["reference"] for a in document["activities"]] == ["PA-001"]


def test_the_log_lists_every_export_of_the_callers_organisations_only(
    dpo_api, dpo_client, organisation, other_organisation, register
):
    dpo_client.get(f"/o/{organisation.slug}/reports/register/?format=csv&lang=en")
    ExportLog.objects.create(organisation=other_organisation, report="register", format="csv", language="en")
    listed = dpo_api.get("/api/v1/exports/").json()["results"]
    assert [(e["organisation"], e["format"], e["status"]) for e in listed] == [(organisation.slug, "csv", "delivered")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "docx", "language": "en"}, "format"),
        ({"format": "csv", "language": "de"}, "language"),
        ({"format": "csv", "language": "en", "as_of": "1900-01-01"}, "as_of"),
        ({"format": "csv", "language": "en", "colour": "blue"}, "colour"),
    ],
)
def test_a_bad_request_is_refused_field_by_field_and_starts_nothing(dpo_api, organisation, body, field):
    response = dpo_api.post("/api/v1/exports/", {"organisation": organisation.slug, **body}, format="json")
    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not ExportLog.objects.exists()


def test_another_organisations_export_is_not_found(dpo_api, other_organisation):
    export = ExportLog.objects.create(organisation=other_organisation, report="register", format="csv", language="en")
    assert dpo_api.get(f"/api/v1/exports/{export.pk}/").status_code == 404
    assert dpo_api.get(f"/api/v1/exports/{export.pk}/download/").status_code == 404
    response = dpo_api.post(
        "/api/v1/exports/", {"organisation": other_organisation.slug, "format": "csv", "language": "en"}, format="json"
    )
    assert response.status_code == 400 and not ExportLog.objects.filter(status="queued").exists()


def test_a_file_not_ready_or_expired_says_so(dpo_api, organisation):
    queued = ExportLog.objects.create(
        organisation=organisation, report="register", format="csv", language="en", status="queued"
    )
    expired = ExportLog.objects.create(
        organisation=organisation, report="register", format="csv", language="en", status="expired"
    )
    not_ready = dpo_api.get(f"/api/v1/exports/{queued.pk}/download/")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "not_ready"
    gone = dpo_api.get(f"/api/v1/exports/{expired.pk}/download/")
    assert gone.status_code == 410 and gone.json()["code"] == "expired"


def test_a_pdf_beyond_its_limit_is_refused(dpo_api, organisation, register, settings):
    settings.REGISTER_PDF_MAX_ACTIVITIES = 0
    body = {"organisation": organisation.slug, "format": "pdf", "language": "en", "scope": "all"}
    response = dpo_api.post("/api/v1/exports/", body, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "format"
    assert not ExportLog.objects.exists()
