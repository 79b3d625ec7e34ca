"""Issue #19: an empty organisation's home page, the import preview's activity names."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from processing.models import ProcessingActivity
from processing.reports.models import RegisterImport

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"


def home(client, organisation):
    return client.get(reverse("organisations:home", args=[organisation.slug]))


def test_an_empty_organisations_home_says_nothing_is_recorded_rather_than_100_percent(
    dpo_client, auditor_client, organisation
):
    page = home(dpo_client, organisation).text
    assert "Nothing is recorded in the register yet." in page
    assert "100% complete" not in page
    assert reverse("processing:activity_create", args=[organisation.slug]) in page
    read_only = home(auditor_client, organisation).text
    assert "Nothing is recorded in the register yet." in read_only
    assert reverse("processing:activity_create", args=[organisation.slug]) not in read_only


def test_a_register_with_activities_shows_its_completeness(dpo_client, organisation):
    ActivityFactory(organisation=organisation)
    page = home(dpo_client, organisation).text
    assert "The register is 0% complete." in page
    assert "Nothing is recorded in the register yet." not in page


def test_the_import_preview_names_each_activity_then_the_register_does(
    dpo_client, organisation, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("reports:import_upload", args=[organisation.slug]),
            {"file": SimpleUploadedFile("registre.ods", (DATA / "cnil-registre-rempli.ods").read_bytes())},
        )
    register_import = RegisterImport.objects.get()
    document = {activity["reference"]: activity["name"] for activity in register_import.document["activities"]}
    detail = reverse("reports:import_detail", args=[organisation.slug, register_import.pk])
    with django_assert_max_num_queries(20):
        page = dpo_client.get(detail).text
    for reference in register_import.outcome["created"]:
        assert f"<li>{reference} · {document[reference]}</li>" in page.replace("&#x27;", "'")

    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("reports:import_decide", args=[organisation.slug, register_import.pk]), {"decision": "confirm"}
        )
    page = dpo_client.get(detail).text.replace("&#x27;", "'")
    for activity in ProcessingActivity.objects.filter(organisation=organisation):
        assert f"<li>{activity.reference} · {activity.name}</li>" in page
