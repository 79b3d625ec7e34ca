"""Errors: JSON in one shape, stable codes, translated by Accept-Language, never a 500."""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from processing.models import ProcessingActivity

pytestmark = pytest.mark.django_db

ACTIVITIES = "/api/v1/activities/"


def test_no_credentials_is_401_and_says_how_to_authenticate(organisation):
    response = APIClient().get(ACTIVITIES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "errors": [],
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(ACTIVITIES).json()["code"] == "authentication_failed"


def test_a_browser_session_reads_the_api_too(dpo_client):
    assert dpo_client.get(ACTIVITIES).status_code == 200


def test_malformed_json_is_400_not_500(dpo_api):
    response = dpo_api.generic("POST", ACTIVITIES, '{"name": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("The request body is not valid JSON: Expecting value")
    wrong_type = dpo_api.generic("POST", ACTIVITIES, "name=x", content_type="application/x-www-form-urlencoded")
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "unsupported_media_type"


def test_json_nested_too_deeply_is_400_not_500(dpo_api):
    body = "[" * 200_000 + "]" * 200_000
    response = dpo_api.generic("POST", ACTIVITIES, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON: nested too deeply."


def test_a_server_failure_under_api_answers_json(client, settings):
    """A bug is still a 500, but a script reads it as JSON, like every other error."""
    from core.views import failed

    request = RequestFactory().get("/api/v1/activities/")
    response = failed(request)
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    page = failed(RequestFactory().get("/o/hexagone/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"organisation": ["hexagone"], "name": {"a": 1}},
        {"organisation": "hexagone", "name": "x" * 10_000},
        {"organisation": "hexagone", "name": "N", "transfers": [{"country": "ZZ"}], "data_fields": ["a"]},
        {"organisation": "hexagone", "name": "N", "transfers": "no", "retention_lines": [None]},
        {"organisation": "hexagone", "name": "N", "data_subjects": [{"category": 10**30}]},
        {"organisation": "hexagone", "name": "N", "next_review_on": "2026-02-30", "dpia_status": "???"},
        {"organisation": "hexagone", "name": "N", "security_measures": [{"kind": "backup"}] * 51},
    ],
)
def test_bad_input_is_400_with_field_errors_and_writes_nothing(dpo_api, body):
    response = dpo_api.post(ACTIVITIES, body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid" and error["errors"]
    assert all(item["code"] and item["message"] for item in error["errors"])
    assert not ProcessingActivity.objects.exists()


def test_an_oversized_body_is_413(dpo_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = dpo_api.post(ACTIVITIES, {"organisation": "hexagone", "name": "x" * 2000}, format="json")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_errors_are_translated_by_accept_language(dpo_api, dpo):
    dpo.language = "en"
    dpo.save()
    response = dpo_api.post(ACTIVITIES, {"organisation": "hexagone"}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["detail"] == "La requête est invalide\u00a0: voir les erreurs."
    assert response.json()["errors"] == [{"field": "name", "code": "required", "message": "Ce champ est obligatoire."}]
    english = dpo_api.post(ACTIVITIES, {"organisation": "hexagone"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"][0]["message"] == "This field is required."


def test_writes_and_reads_are_rate_limited_per_user(dpo_api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_writes": "3/minute", "api_reads": "6/minute"}
    statuses = [dpo_api.post(ACTIVITIES, {"organisation": "hexagone", "name": f"A{n}"}).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = dpo_api.post(ACTIVITIES, {"organisation": "hexagone", "name": "A5"})
    assert refused.json()["code"] == "throttled" and 0 < int(refused["Retry-After"]) <= 60
    assert ProcessingActivity.objects.count() == 3
    # Reads are counted apart: the client's first call (tests/api/conftest.py) and five more, then refused.
    assert [dpo_api.get(ACTIVITIES).status_code for _ in range(6)] == [200] * 5 + [429]


def test_requests_without_credentials_are_limited_per_address(client, settings):
    """The schema is open to anyone: its readers are counted by their address."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_anonymous": "2/minute"}
    schema = reverse("api-schema")
    statuses = [client.get(schema, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(schema, REMOTE_ADDR="198.51.100.8").status_code == 200  # another address is counted apart
