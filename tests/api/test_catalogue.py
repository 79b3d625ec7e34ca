"""The catalogue and reference data through the API."""

import pytest

from inventory.models import System

pytestmark = pytest.mark.django_db

SYSTEMS = "/api/v1/systems/"


def test_a_system_with_its_countries_is_added_changed_archived_and_kept_in_history(
    dpo_api, auditor_client, organisation
):
    created = dpo_api.post(SYSTEMS, {"organisation": "hexagone", "name": "CRM", "kind": "saas", "countries": ["FR"]})
    assert created.status_code == 201, created.json()
    system = created.json()
    assert system["countries"] == ["FR"] and system["archived_at"] is None
    url = f"{SYSTEMS}{system['id']}/"
    etag = dpo_api.get(url)["ETag"]
    changed = dpo_api.patch(url, {"countries": ["FR", "US"], "name": "Sales Cloud"}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["countries"] == ["FR", "US"]
    assert changed["ETag"] != etag
    assert dpo_api.patch(url, {"name": "Stale"}, HTTP_IF_MATCH=etag).status_code == 412
    assert dpo_api.post(f"{url}archive/").json()["archived_at"] is not None
    assert [s["name"] for s in dpo_api.get(SYSTEMS + "?archived=true").json()["results"]] == ["Sales Cloud"]
    assert dpo_api.get(SYSTEMS + "?archived=false").json()["count"] == 0

    # The catalogue entry's history page shows the change, marked as coming through the API.
    history = auditor_client.get(f"/o/hexagone/catalogue/systems/{system['id']}/history/")
    edited = [change for change in history.context["changes"] if "Name: CRM → Sales Cloud" in change.details]
    assert edited and edited[0].via == "api" and edited[0].who == "dpo"
    assert "Storage countries: + United States of America" in edited[0].details
    assert "through the API" in history.text


def test_catalogue_validation_is_the_services_own(dpo_api, outsider_api):
    no_country = dpo_api.post(SYSTEMS, {"organisation": "hexagone", "name": "CRM", "kind": "saas", "countries": []})
    assert no_country.status_code == 400
    assert no_country.json()["errors"] == [
        {
            "field": "countries",
            "code": "required",
            "message": "Choose at least one country where the system stores the data.",
        }
    ]
    dpo_api.post(
        "/api/v1/data-fields/", {"organisation": "hexagone", "name": "Adresse e-mail", "category": "identification"}
    )
    duplicate = dpo_api.post(
        "/api/v1/data-fields/", {"organisation": "hexagone", "name": "ADRESSE E-MAIL", "category": "identification"}
    )
    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["field"] == "name"
    special = dpo_api.post("/api/v1/data-fields/", {"organisation": "hexagone", "name": "Santé", "category": "special"})
    assert special.json()["errors"] == [
        {
            "field": "special_category",
            "code": "required",
            "message": "Choose which special category of Art. 9(1) this is.",
        }
    ]
    foreign_host = outsider_api.post(
        "/api/v1/recipients/", {"organisation": "autre", "name": "Host", "kind": "processor"}
    ).json()
    refused = dpo_api.post(
        SYSTEMS,
        {
            "organisation": "hexagone",
            "name": "ERP",
            "kind": "saas",
            "countries": ["FR"],
            "hosting_provider": foreign_host["id"],
        },
    )
    assert refused.status_code == 400 and not System.objects.filter(name="ERP").exists()
    # Another organisation's recipient reads exactly as an id that does not exist: nothing leaks.
    unknown = dpo_api.post(
        SYSTEMS,
        {"organisation": "hexagone", "name": "ERP", "kind": "saas", "countries": ["FR"], "hosting_provider": 10**9},
    )
    assert refused.json()["errors"] == [
        {
            **unknown.json()["errors"][0],
            "message": unknown.json()["errors"][0]["message"].replace("1000000000", str(foreign_host["id"])),
        }
    ]
    assert unknown.json()["errors"][0]["code"] == "does_not_exist"


def test_a_system_lists_each_country_once_and_no_more_than_exist(dpo_api, django_assert_max_num_queries):
    body = {"organisation": "hexagone", "name": "ERP", "kind": "saas"}
    unknown = dpo_api.post(SYSTEMS, {**body, "countries": ["FR", "ZZ", "QQ"]})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [{"field": "countries", "code": "does_not_exist", "message": "Unknown: ZZ, QQ."}]
    too_many = dpo_api.post(SYSTEMS, {**body, "countries": ["FR"] * 301})
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["code"] == "max_length"
    with django_assert_max_num_queries(30):
        created = dpo_api.post(SYSTEMS, {**body, "countries": ["FR", "DE", "FR"] * 100})
    assert created.status_code == 201 and sorted(created.json()["countries"]) == ["DE", "FR"]


def test_countries_carry_their_adequacy_decisions_in_the_callers_language(dpo_api):
    japan = dpo_api.get("/api/v1/countries/JP/").json()
    assert japan["name"] == "Japan" and japan["is_eea"] is False
    assert japan["adequacy_decisions"][0]["scope"] == "partial"
    assert dpo_api.get("/api/v1/countries/JP/", HTTP_ACCEPT_LANGUAGE="fr").json()["name"] == "Japon"
    eea = dpo_api.get("/api/v1/countries/?is_eea=true&page_size=200").json()
    codes = {country["code"] for country in eea["results"]}
    assert eea["count"] == len(codes) and {"FR", "IS", "LI", "NO"} <= codes and not {"CH", "GB", "US"} & codes
    assert dpo_api.get("/api/v1/countries/ZZ/").status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "factory"),
    [
        ("data-fields", "DataFieldFactory"),
        ("data-subject-categories", "DataSubjectCategoryFactory"),
        ("recipients", "RecipientFactory"),
        ("systems", "SystemFactory"),
    ],
)
def test_catalogue_lists_cost_the_same_queries_for_5_and_for_60_entries(
    dpo_api, organisation, endpoint, factory, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..inventory import factories

    make = getattr(factories, factory)
    for _ in range(5):
        make(organisation=organisation)
    with CaptureQueriesContext(connection) as few:
        assert dpo_api.get(f"/api/v1/{endpoint}/").json()["count"] == 5
    queries = len(few)
    for _ in range(55):
        make(organisation=organisation)
    with django_assert_num_queries(queries):
        assert len(dpo_api.get(f"/api/v1/{endpoint}/").json()["results"]) == 50


def test_findings_through_the_api(dpo_api, manager_api, auditor_api, organisation):
    from processing.compliance.check import check_organisation

    dpo_api.post("/api/v1/activities/", {"organisation": "hexagone", "name": "Old", "next_review_on": "2020-01-01"})
    check_organisation(organisation)
    (finding,) = auditor_api.get("/api/v1/findings/?organisation=hexagone&status=active").json()["results"]
    assert finding["rule"] == "retention.review_overdue" and finding["subject_type"] == "activity"
    assert finding["message"].startswith("The review of this activity was due on 1 Jan 2020.")
    french = auditor_api.get(f"/api/v1/findings/{finding['id']}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["message"].startswith("La revue de ce traitement était prévue le 1 janv. 2020.")
    url = f"/api/v1/findings/{finding['id']}/"
    assert auditor_api.post(url + "acknowledge/").status_code == 403
    assert manager_api.post(url + "acknowledge/").status_code == 403  # the DPO's
    assert dpo_api.post(url + "acknowledge/").json()["status"] == "acknowledged"
    no_reason = manager_api.post(url + "accept-risk/", {})
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "justification"
    accepted = manager_api.post(url + "accept-risk/", {"justification": "Planned"}).json()
    assert (accepted["status"], accepted["status_changed_by"], accepted["justification"]) == (
        "risk_accepted",
        "manager",
        "Planned",
    )
