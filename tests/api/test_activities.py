"""The register through the API: nested writes, ETags, actions, history, the register as of a day."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from processing.models import ProcessingActivity, Transfer

pytestmark = pytest.mark.django_db

ACTIVITIES = "/api/v1/activities/"


def detail(pk, suffix=""):
    return f"{ACTIVITIES}{pk}/{suffix}"


def test_a_dpo_records_an_activity_with_its_rows_in_one_request(dpo_api, activity_body, catalogue):
    response = dpo_api.post(ACTIVITIES, activity_body, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"] == '"v1"'
    assert body["reference"] == "PA-001" and body["status"] == "draft" and body["organisation"] == "hexagone"
    assert body["transfers"][0]["country"] == "US" and body["transfers"][0]["mechanism"] == "scc_2"
    assert body["retention_lines"][0]["duration"] == 3
    assert sorted(body["systems"]) == sorted([catalogue["crm"].pk, catalogue["intranet"].pk])
    assert body["missing"] == []
    activity = ProcessingActivity.objects.get(pk=body["id"])
    assert activity.transfers.get().recipient == catalogue["crm_vendor"]
    assert {record.history_user.username for record in activity.history.all()} == {"dpo"}


def test_an_invalid_row_refuses_the_whole_activity_and_names_the_row(dpo_api, activity_body):
    activity_body["transfers"].append({"country": "IN", "mechanism": "compelling_interest", "safeguards": ""})
    response = dpo_api.post(ACTIVITIES, activity_body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert [(item["field"], item["message"]) for item in error["errors"]] == [
        ("transfers.1.safeguards", "Describe the safeguards of this one-off transfer (Art. 49(1) and 30(1)(e)).")
    ]
    assert not ProcessingActivity.objects.exists() and not Transfer.objects.exists()


def test_errors_in_the_first_row_name_row_0(dpo_api, activity_body):
    activity_body["retention_lines"] = [{"duration": -1, "duration_unit": "years"}]
    response = dpo_api.post(ACTIVITIES, activity_body, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["retention_lines.0.duration"]


def test_links_by_id_are_whole_ids_read_in_one_query_and_capped(
    dpo_api, activity_body, catalogue, django_assert_max_num_queries
):
    for ids in ([1.5], ["x"], [True], [0]):
        refused = dpo_api.post(ACTIVITIES, {**activity_body, "data_fields": ids}, format="json")
        assert refused.status_code == 400, ids
        assert refused.json()["errors"][0]["field"].startswith("data_fields"), refused.json()
    unknown = dpo_api.post(ACTIVITIES, {**activity_body, "recipients": [catalogue["sales"].pk, 10**9]}, format="json")
    assert unknown.json()["errors"] == [
        {"field": "recipients", "code": "does_not_exist", "message": f"Unknown: {10**9}."}
    ]
    with django_assert_max_num_queries(20):
        flood = dpo_api.post(ACTIVITIES, {**activity_body, "systems": list(range(1, 3001))}, format="json")
    assert flood.status_code == 400 and flood.json()["errors"][0]["code"] == "max_length"
    many = [catalogue["email"].pk] * 500
    created = dpo_api.post(ACTIVITIES, {**activity_body, "data_fields": many}, format="json")
    assert created.status_code == 201 and created.json()["data_fields"] == [catalogue["email"].pk]
    assert not ProcessingActivity.objects.exclude(pk=created.json()["id"]).exists()


def test_unknown_keys_and_changed_read_only_ones_are_refused(dpo_api, activity_body):
    """A typo never passes silently; the status changes through actions; sending back what
    was read (id, version, status) is fine."""
    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    typo = dpo_api.post(ACTIVITIES, {**activity_body, "purpse": "x"}, format="json")
    assert typo.status_code == 400
    assert typo.json()["errors"] == [{"field": "purpse", "code": "unknown", "message": "This field does not exist."}]
    row_typo = dpo_api.post(ACTIVITIES, {**activity_body, "transfers": [{"contry": "US"}]}, format="json")
    assert row_typo.json()["errors"][0]["field"] == "transfers.0.contry"
    url = detail(created["id"])
    status = dpo_api.patch(url, {"status": "active"}, format="json", HTTP_IF_MATCH='"v1"')
    assert status.status_code == 400 and status.json()["errors"][0]["code"] == "read_only"
    moved = dpo_api.patch(url, {"organisation": "autre"}, format="json", HTTP_IF_MATCH='"v1"')
    assert moved.status_code == 400 and moved.json()["errors"][0]["field"] == "organisation"
    assert ProcessingActivity.objects.get().status == "draft"
    round_trip = dpo_api.put(url, {**created, "name": "CRM"}, format="json", HTTP_IF_MATCH='"v1"')
    assert round_trip.status_code == 200, round_trip.json()
    assert round_trip.json()["name"] == "CRM" and round_trip.json()["version"] == 2


def test_an_update_needs_the_etag_it_read_and_refuses_a_stale_one(dpo_api, activity_body):
    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    url = detail(created["id"])
    missing = dpo_api.patch(url, {"name": "CRM"}, format="json")
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    first = dpo_api.patch(url, {"name": "CRM"}, format="json", HTTP_IF_MATCH='"v1"')
    assert first.status_code == 200 and first["ETag"] == '"v2"' and first.json()["name"] == "CRM"
    weak = dpo_api.patch(url, {"name": "Weak"}, format="json", HTTP_IF_MATCH='W/"v2"')
    assert weak.status_code == 412, "If-Match compares strongly (RFC 9110)"
    stale = dpo_api.patch(url, {"purpose": "Something else"}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert ProcessingActivity.objects.get().purpose == activity_body["purpose"]


def test_rows_are_kept_changed_added_or_removed_by_an_update(dpo_api, activity_body):
    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    kept = created["retention_lines"][0]["id"]
    response = dpo_api.patch(
        detail(created["id"]),
        {
            "retention_lines": [
                {"id": kept, "duration": 2, "duration_unit": "years", "trigger": "last_contact"},
                {"criteria": "Until the end of the contract", "data_category": "economic"},
            ],
            "transfers": [],
        },
        format="json",
        HTTP_IF_MATCH='"v1"',
    )
    assert response.status_code == 200, response.json()
    lines = response.json()["retention_lines"]
    assert [(line["id"] == kept, line["duration"]) for line in lines] == [(True, 2), (False, None)]
    assert response.json()["transfers"] == []
    history = dpo_api.get(detail(created["id"], "history/")).json()
    assert any("Duration: 3 → 2" in change["details"] for change in history)
    assert {change["via"] for change in history} == {"api"} and {change["who"] for change in history} == {"dpo"}


def test_activation_is_refused_with_what_is_missing(dpo_api, organisation):
    created = dpo_api.post(ACTIVITIES, {"organisation": organisation.slug, "name": "Draft"}, format="json").json()
    assert {item["article"] for item in created["missing"]} >= {"30(1)(b)", "30(1)(c)", "30(1)(g)", "6(1)"}
    response = dpo_api.post(detail(created["id"], "activate/"))
    assert response.status_code == 400
    messages = [error["message"] for error in response.json()["errors"] if error["field"] == "status"]
    assert messages[0] == "An active activity must record every mandatory item. Missing:"
    assert "Art. 30(1)(b): the main purpose" in messages
    assert ProcessingActivity.objects.get().status == "draft"


def test_activate_archive_and_restore(dpo_api, activity_body):
    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    assert dpo_api.post(detail(created["id"], "activate/")).json()["status"] == "active"
    archived = dpo_api.post(detail(created["id"], "archive/"))
    assert archived.json()["status"] == "archived" and archived["ETag"] == '"v3"'
    refused = dpo_api.patch(detail(created["id"]), {"name": "X"}, format="json", HTTP_IF_MATCH='"v3"')
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "archived"
    assert dpo_api.post(detail(created["id"], "restore/")).json()["status"] == "draft"


def test_roles_and_organisations(dpo_api, auditor_api, outsider_api, activity_body, organisation):
    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    assert auditor_api.get(detail(created["id"])).status_code == 200
    refused = auditor_api.post(ACTIVITIES, activity_body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert auditor_api.patch(detail(created["id"]), {"name": "X"}, format="json").status_code == 403
    assert auditor_api.post(detail(created["id"], "archive/")).status_code == 403
    # Another organisation's DPO: the activity does not exist for them, nor can they write into it.
    assert outsider_api.get(detail(created["id"])).status_code == 404
    assert outsider_api.get(ACTIVITIES).json()["count"] == 0
    assert outsider_api.patch(detail(created["id"]), {"name": "X"}, format="json").status_code == 404
    assert outsider_api.post(detail(created["id"], "archive/")).status_code == 404
    foreign = outsider_api.post(ACTIVITIES, {**activity_body, "name": "Mine"}, format="json")
    assert foreign.status_code == 400
    assert {error["field"] for error in foreign.json()["errors"]} >= {"organisation", "data_fields"}
    assert ProcessingActivity.objects.count() == 1


def test_filters_search_and_organisation(dpo_api, activity_body, catalogue, organisation):
    dpo_api.post(ACTIVITIES, activity_body, format="json")
    health = {**activity_body, "name": "Occupational health", "data_fields": [catalogue["health"].pk]}
    health.update(systems=[catalogue["intranet"].pk], transfers=[], recipients=[catalogue["sales"].pk])
    dpo_api.post(ACTIVITIES, health, format="json")

    def names(query):
        return [activity["name"] for activity in dpo_api.get(ACTIVITIES + query).json()["results"]]

    assert names("?special=yes") == ["Occupational health"]
    assert names("?country=US") == ["Customer relationship management"]
    assert names("?q=intranet&ordering=-name") == ["Occupational health", "Customer relationship management"]
    assert names("?organisation=hexagone&status=draft") == names("?ordering=reference")
    assert names("?organisation=autre") == []


def test_the_register_as_of_a_day_shows_links_and_rows_as_they_were(dpo_api, activity_body, catalogue):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)):
        created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)):
        changed = dpo_api.patch(
            detail(created["id"]),
            {"systems": [catalogue["intranet"].pk], "transfers": [], "name": "CRM"},
            format="json",
            HTTP_IF_MATCH='"v1"',
        )
        assert changed.status_code == 200
    then = dpo_api.get(ACTIVITIES + "?as_of=2026-03-15&organisation=hexagone").json()
    assert then["count"] == 1
    (activity,) = then["results"]
    assert activity["name"] == "Customer relationship management"
    assert sorted(activity["systems"]) == sorted([catalogue["crm"].pk, catalogue["intranet"].pk])
    assert activity["transfers"][0]["country"] == "US"
    assert dpo_api.get(ACTIVITIES + "?as_of=2026-02-01&organisation=hexagone").json()["count"] == 0
    needs_organisation = dpo_api.get(ACTIVITIES + "?as_of=2026-03-15")
    assert needs_organisation.status_code == 400
    assert needs_organisation.json()["errors"][0]["field"] == "organisation"
    assert dpo_api.get(ACTIVITIES + "?as_of=2026-03-15&organisation=autre").status_code == 404
    # Found by schemathesis on PostgreSQL: odd parameters are refused, never a 500.
    for query in ("?as_of=2026-02-30&organisation=hexagone", "?as_of=2026-03-15&organisation=%00", "?as_of=x"):
        assert dpo_api.get(ACTIVITIES + query).status_code == 400, query


def test_as_of_reads_the_day_in_the_token_users_time_zone(dpo, dpo_api, activity_body, catalogue):
    """Created at 03:00 UTC on 2 March: still 1 March in Los Angeles, where this DPO works."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 3, tzinfo=datetime.UTC)):
        assert dpo_api.post(ACTIVITIES, activity_body, format="json").status_code == 201

    def count(day):
        response = dpo_api.get(ACTIVITIES + f"?as_of={day}&organisation=hexagone")
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    dpo.time_zone = "America/Los_Angeles"
    dpo.save()
    assert count("2026-03-01") == 1
    dpo.time_zone = "Europe/Paris"
    dpo.save()
    assert count("2026-03-01") == 0
    # The ends of the calendar, in a zone behind UTC and one ahead of it, are not a 500.
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        dpo.time_zone = zone
        dpo.save()
        assert count("9999-12-31") == 1
        assert count("0001-01-01") == 0


def test_listing_activities_costs_the_same_queries_for_5_and_for_60(dpo_api, activity_body, django_assert_num_queries):
    for number in range(5):
        dpo_api.post(ACTIVITIES, {**activity_body, "name": f"Activity {number}"}, format="json")
    with CaptureQueriesContext(connection) as few:
        assert dpo_api.get(ACTIVITIES).json()["count"] == 5
    queries = len(few)
    for number in range(5, 60):
        dpo_api.post(ACTIVITIES, {**activity_body, "name": f"Activity {number}"}, format="json")
    with django_assert_num_queries(queries):
        assert len(dpo_api.get(ACTIVITIES).json()["results"]) == 50
    assert queries <= 20


def test_the_list_shows_each_activity_exactly_as_its_own_page_does(dpo_api, activity_body, catalogue):
    """The list builds its page from plain rows (``page_representation``), the detail through the serializer: the
    same keys in the same order, the same values and formats, the same missing items (destinations named)."""
    from inventory.models import InternationalOrganisation

    health = InternationalOrganisation.objects.create(name="World Health Organization")
    full = {
        **activity_body,
        "role": "joint_controller",
        "joint_arrangement": "Signed on 1 March.",
        "data_fields": [catalogue["health"].pk, catalogue["email"].pk],
        "dpia_date": "2026-02-03",
        "cnil_dpia_types": ["health_care"],
        "controller_parties": [{"name": "Partner SA", "contact": ""}],
        "transfers": [
            *activity_body["transfers"],
            {"country": "IN", "tia_date": "2026-01-02"},
            {"international_organisation": health.pk, "system": catalogue["crm"].pk},
        ],
        "retention_lines": [*activity_body["retention_lines"], {"criteria": "Until the contract ends"}],
    }
    created = [
        dpo_api.post(ACTIVITIES, body, format="json")
        for body in (full, {"organisation": activity_body["organisation"], "name": "A bare draft"})
    ]
    assert [response.status_code for response in created] == [201, 201], [response.json() for response in created]
    listed = dpo_api.get(ACTIVITIES).json()["results"]
    assert len(listed) == 2
    for shown in listed:
        alone = dpo_api.get(detail(shown["id"])).json()
        assert list(shown) == list(alone)
        assert shown == alone
    assert any("India" in item["message"] for item in listed[0]["missing"]), listed[0]["missing"]


def test_a_save_between_the_etag_check_and_the_write_is_a_412_too(dpo_api, activity_body, monkeypatch):
    """If-Match passed, then someone else saved before this write: the services' version check answers."""
    from processing import api

    created = dpo_api.post(ACTIVITIES, activity_body, format="json").json()
    original = api.require_if_match

    def someone_saves_meanwhile(request, etag):
        original(request, etag)
        activity = ProcessingActivity.objects.get(pk=created["id"])
        from processing.services import activity_update

        activity_update(activity=activity, name="Saved by someone else")

    monkeypatch.setattr(api, "require_if_match", someone_saves_meanwhile)
    response = dpo_api.patch(detail(created["id"]), {"purpose": "Mine"}, format="json", HTTP_IF_MATCH='"v1"')
    assert response.status_code == 412 and response.json()["code"] == "precondition_failed"
    assert ProcessingActivity.objects.get().purpose == activity_body["purpose"]  # nothing of this write


def test_the_api_reads_and_writes_the_cnil_list_and_refuses_an_unknown_type(dpo_api, activity_body):
    """Délibération n° 2018-327: the same screening through the API, validated the same way."""
    refused = dpo_api.post(ACTIVITIES, {**activity_body, "cnil_dpia_types": ["made_up"]}, format="json")
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["errors"]] == ["cnil_dpia_types.0"]
    created = dpo_api.post(ACTIVITIES, {**activity_body, "cnil_dpia_types": ["hr_profiling"]}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["cnil_dpia_types"] == ["hr_profiling"]
    assert ProcessingActivity.objects.get().cnil_dpia_types == ["hr_profiling"]
