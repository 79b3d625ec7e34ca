"""The breach log through the API: the web form's rules, the clock, the append-only timeline."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breaches.models import Breach, TimelineEntry

from ..breaches.factories import log_breach
from ..inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

BREACHES = "/api/v1/breaches/"


def detail(pk, suffix=""):
    return f"{BREACHES}{pk}/{suffix}"


def moment(hours_ago: float) -> str:
    return (timezone.now() - datetime.timedelta(hours=hours_ago)).isoformat()


@pytest.fixture
def body():
    return {
        "organisation": "hexagone",
        "title": "Credential stuffing on the customer portal",
        "description": "Accounts accessed with passwords leaked elsewhere.",
        "detected_at": moment(61),
        "aware_at": moment(60),
        "confidentiality": True,
        "data_categories": ["identification", "economic"],
    }


def test_a_dpo_logs_a_breach_and_reads_its_clock_and_timeline(dpo_api, body, organisation):
    portal = SystemFactory(organisation=organisation, name="Customer portal")
    response = dpo_api.post(BREACHES, {**body, "systems": [portal.pk]}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["reference"].startswith("BR-") and created["systems"] == [portal.pk]
    assert created["clock"]["state"] == "near" and 11 * 3600 < created["clock"]["seconds_left"] <= 12 * 3600
    assert [entry["kind"] for entry in created["timeline"]] == ["logged"]
    assert created["timeline"][0]["author"] == "dpo"


def test_the_services_rules_answer_400_with_their_codes_and_nothing_is_written(dpo_api, outsider, body):
    theirs = SystemFactory(organisation=outsider.memberships.first().organisation)
    late = {**body, "aware_at": moment(80), "detected_at": moment(81), "notified_at": moment(1), "authority": "CNIL"}
    response = dpo_api.post(BREACHES, {**late, "systems": [theirs.pk]}, format="json")
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"systems"}  # not one of yours
    response = dpo_api.post(BREACHES, {**late, "data_categories": ["gossip"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "data_categories.0"
    response = dpo_api.post(BREACHES, late, format="json")
    assert response.status_code == 400
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [("delay_reasons", "required")]
    assert not Breach.objects.exists()
    unknown = dpo_api.post(BREACHES, {**body, "severity": "high"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "unknown"


def test_a_naive_date_in_year_1_is_a_400_not_a_500(dpo_api, body, organisation):
    refused = dpo_api.post(BREACHES, {**body, "detected_at": "0001-01-01T00:00:00"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "detected_at"
    breach = log_breach(organisation)
    entry = dpo_api.post(
        detail(breach.pk, "timeline/"), {"text": "Old", "happened_at": "0001-01-01T00:00"}, format="json"
    )
    assert entry.status_code == 400 and entry.json()["errors"][0]["code"] == "too_early"
    assert Breach.objects.count() == 1 and TimelineEntry.objects.count() == 1


def test_recording_the_notification_needs_the_etag_and_enters_the_timeline(dpo_api, organisation):
    breach = log_breach(organisation, aware_hours_ago=30)
    url = detail(breach.pk)
    assert dpo_api.patch(url, {"notified_at": moment(0)}, format="json").status_code == 428
    etag = dpo_api.get(url)["ETag"]
    refused = dpo_api.patch(url, {"notified_at": moment(0)}, format="json", HTTP_IF_MATCH=etag)
    assert [(error["field"], error["code"]) for error in refused.json()["errors"]] == [("authority", "required")]
    changed = dpo_api.patch(url, {"notified_at": moment(0), "authority": "CNIL"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["clock"]["state"] == "notified"
    assert [entry["kind"] for entry in changed.json()["timeline"]] == ["logged", "notified"]
    stale = dpo_api.patch(url, {"consequences": "None"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    history = dpo_api.get(detail(breach.pk, "history/")).json()
    assert history[0]["kind"] == "changed" and history[0]["via"] == "api" and history[0]["who"] == "dpo"
    assert any(line.startswith("Supervisory authority") for line in history[0]["details"])
    assert history[-1]["kind"] == "created"


def test_the_timeline_only_grows(dpo_api, auditor_api, organisation):
    breach = log_breach(organisation)
    url = detail(breach.pk, "timeline/")
    refused = dpo_api.post(url, {"text": "Logs sent", "kind": "follow_up"}, format="json")
    assert [(error["field"], error["code"]) for error in refused.json()["errors"]] == [("kind", "not_notified")]
    added = dpo_api.post(url, {"text": "Password reset forced", "happened_at": moment(2)}, format="json")
    assert added.status_code == 201 and added.json()["kind"] == "note"
    assert auditor_api.post(url, {"text": "I was here"}, format="json").status_code == 403
    read = auditor_api.get(detail(breach.pk)).json()["timeline"]
    # In the order things happened: the reset, two hours ago, before the breach was logged.
    assert [entry["text"] for entry in read] == ["Password reset forced", "Breach logged."]
    assert dpo_api.delete(detail(breach.pk)).status_code == 405
    assert TimelineEntry.objects.count() == 2


def test_listing_breaches_costs_the_same_queries_for_2_and_for_20(dpo_api, organisation):
    def grow(count):
        while Breach.objects.count() < count:
            breach = log_breach(organisation)
            breach.systems.add(SystemFactory(organisation=organisation))

    grow(2)
    dpo_api.get(BREACHES)  # the token and the language, cached
    with CaptureQueriesContext(connection) as small:
        assert dpo_api.get(BREACHES).json()["count"] == 2
    grow(20)
    with CaptureQueriesContext(connection) as large:
        assert dpo_api.get(BREACHES).json()["count"] == 20
    assert len(large) == len(small)
    assert reverse("v1:breach-list") == BREACHES
