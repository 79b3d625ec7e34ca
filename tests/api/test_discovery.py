"""Discovery through the API (issue #23): sources whose credentials are written and never read back, scans started,
followed and cancelled, the columns a scan found confirmed or rejected; the project's roles, errors and query budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discovery.models import Scan, ScannedColumn, ScannedTable, Source
from discovery.services import scan_run, source_create
from inventory.models import DataField

from ..discovery import source as shop
from ..inventory.factories import DataFieldFactory, SystemFactory

pytestmark = pytest.mark.django_db

SOURCES, SCANS, COLUMNS = "/api/v1/data-sources/", "/api/v1/scans/", "/api/v1/scanned-columns/"
SECRET = "s3cret-pw"


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


def a_source(organisation, system, name="Shop", url=f"postgresql://scan:{SECRET}@db.example:5433/shop"):
    return source_create(organisation=organisation, system=system, name=name, url=url)


def a_scan_with_columns(source, columns=3, status="done"):
    scanning = Scan.objects.create(source=source, status=status, steps_done=1, steps_total=1)
    table = ScannedTable.objects.create(scan=scanning, name="customers", rows=10)
    for number in range(columns):
        ScannedColumn.objects.create(
            table=table, name=f"email_{number}", type="TEXT", kind="email", category="identification",
            proposed_field_name="Email address", confidence="0.95", evidence=["name", "values"],
        )  # fmt: skip
    ScannedColumn.objects.create(
        table=table, name="notes", type="TEXT", kind="health", category="special", special_category="health",
        proposed_field_name="Health data", confidence="0.50", evidence=["values"], review=True,
    )  # fmt: skip
    ScannedColumn.objects.create(table=table, name="sku", type="TEXT")
    return scanning


def test_a_dpo_adds_a_source_whose_url_is_never_read_back(dpo_api, auditor_api, organisation, system):
    body = {
        "organisation": "hexagone",
        "system": system.pk,
        "name": "Shop",
        "url": f"postgresql://scan:{SECRET}@db:5432/shop",
    }
    created = dpo_api.post(SOURCES, body, format="json")
    assert created.status_code == 201, created.content
    shown = created.json()
    assert shown["address"] == "postgresql://db:5432/shop" and shown["kind"] == "postgresql"
    assert (shown["scan_every_days"], shown["last_scan"], shown["organisation"]) == (7, None, "hexagone")
    assert "url" not in shown and SECRET not in created.content.decode()
    for read in (auditor_api.get(SOURCES), auditor_api.get(f"{SOURCES}{shown['id']}/")):
        assert read.status_code == 200 and SECRET not in read.content.decode() and "url" not in read.content.decode()
    # A second of the same name in the system: a 400 on name, never an IntegrityError.
    again = dpo_api.post(SOURCES, body, format="json")
    assert again.status_code == 400
    assert [(error["field"], error["code"]) for error in again.json()["errors"]] == [("name", "unique")]
    assert SECRET not in again.content.decode()
    on_demand = dpo_api.post(SOURCES, {**body, "name": "Archive", "scan_every_days": 0}, format="json")
    assert on_demand.status_code == 201 and on_demand.json()["scan_every_days"] == 0
    assert Source.objects.count() == 2
    assert auditor_api.post(SOURCES, {**body, "name": "Mine"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": f"s3://scan:{SECRET}@bucket/folder"}, "url"),
        ({"url": f"postgresql://scan:{SECRET}@db:port/shop"}, "url"),
        ({"url": f"postgresql://scan:{SECRET}@db"}, "url"),
        ({"url": ""}, "url"),
        ({"url": 12}, "url"),
        ({"system": 999999}, "system"),
        ({"system": "CRM"}, "system"),
        ({"name": ""}, "name"),
        ({"scan_every_days": -1}, "scan_every_days"),
        ({"scan_every_days": 100000}, "scan_every_days"),
        ({"password": SECRET}, "password"),
        ({"organisation": "autre"}, "organisation"),
    ],
)
def test_bad_input_is_a_400_naming_its_field_never_the_secret(dpo_api, system, change, field):
    body = {"organisation": "hexagone", "system": system.pk, "name": "Shop", "url": f"sqlite:////tmp/{SECRET}.db"}
    refused = dpo_api.post(SOURCES, {**body, **change}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400, refused.content
    assert [error["field"] for error in refused.json()["errors"]] == [field]
    assert SECRET not in refused.content.decode()
    assert not Source.objects.exists()


def test_another_organisations_system_or_data_field_is_refused_and_its_objects_are_404(
    dpo_api, outsider_api, organisation, other_organisation, dpo, system
):
    theirs = SystemFactory(organisation=other_organisation, name="Their CRM")
    body = {"organisation": "hexagone", "system": theirs.pk, "name": "Shop", "url": "sqlite:////tmp/x.db"}
    refused = dpo_api.post(SOURCES, body, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "system"
    assert "Their CRM" not in refused.content.decode()
    source = a_source(organisation, system)
    scanning = a_scan_with_columns(source)
    column = scanning.tables.get().columns.first()
    for url in (f"{SOURCES}{source.pk}/", f"{SCANS}{scanning.pk}/", f"{COLUMNS}{column.pk}/"):
        assert outsider_api.get(url).status_code == 404
    assert outsider_api.get(SOURCES).json()["count"] == 0
    assert outsider_api.get(COLUMNS, {"scan": scanning.pk}).json()["count"] == 0
    their_field = DataFieldFactory(organisation=other_organisation, name="Theirs", category="identification")
    confirm = dpo_api.post(f"{COLUMNS}{column.pk}/confirm/", {"data_field": their_field.pk}, format="json")
    assert confirm.status_code == 400 and confirm.json()["errors"][0]["field"] == "data_field"
    column.refresh_from_db()
    assert column.decision == "proposed"


@pytest.mark.django_db(transaction=True)  # committed, so that the scan's job runs (eager Celery), as a worker would
def test_a_dpo_scans_a_source_and_follows_it_to_its_end(dpo, organisation, tmp_path):
    from .conftest import token_client

    dpo_api = token_client(dpo)
    system = SystemFactory(organisation=organisation, name="Boutique en ligne")
    path = tmp_path / "shop.sqlite3"
    shop.create(f"sqlite:///{path}")
    source = a_source(organisation, system, url=f"sqlite:///{path}")
    started = dpo_api.post(f"{SOURCES}{source.pk}/scan/")
    assert started.status_code == 202, started.content
    assert started["Location"].endswith(f"{SCANS}{started.json()['id']}/")
    polled = dpo_api.get(started["Location"]).json()
    assert (polled["status"], polled["steps_done"], polled["steps_total"], polled["reason"]) == ("done", 2, 2, "")
    assert polled["requested_by"] == "dpo" and polled["started_at"] and polled["finished_at"]
    read = dpo_api.get(f"{SOURCES}{source.pk}/").json()
    assert read["last_scan"]["id"] == polled["id"] and read["last_scan"]["status"] == "done"
    personal = dpo_api.get(COLUMNS, {"scan": polled["id"], "personal": "true", "page_size": 100}).json()
    expected = sum(1 for columns in shop.EXPECTED.values() for found in columns.values() if found)
    assert personal["count"] == expected
    assert {column["table"] for column in personal["results"]} == {"customers", "orders"}
    special = dpo_api.get(COLUMNS, {"scan": polled["id"], "special": "true"}).json()["results"]
    assert [(column["name"], column["special_category"], column["review"]) for column in special] == [
        ("notes_medicales", "health", True)
    ]


def test_a_second_start_follows_the_scan_under_way_and_cancel_stops_it(dpo_api, manager_api, organisation, system):
    source = a_source(organisation, system)
    first = dpo_api.post(f"{SOURCES}{source.pk}/scan/")
    assert first.status_code == 202 and first.json()["status"] == "queued"
    second = dpo_api.post(f"{SOURCES}{source.pk}/scan/")
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert manager_api.post(f"{SOURCES}{source.pk}/scan/").status_code == 403
    assert manager_api.post(f"{SCANS}{first.json()['id']}/cancel/").status_code == 403
    cancelled = dpo_api.post(f"{SCANS}{first.json()['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert dpo_api.post(f"{SOURCES}{source.pk}/scan/").status_code == 202  # a new one
    listed = manager_api.get(SCANS, {"source": source.pk}).json()
    assert [scan["status"] for scan in listed["results"]] == ["queued", "cancelled"]


def test_a_failed_scan_says_why_in_the_reader_s_language(dpo_api, organisation, system):
    scanning = Scan.objects.create(source=a_source(organisation, system), status="failed", reason="unreachable")
    english = dpo_api.get(f"{SCANS}{scanning.pk}/").json()
    assert (english["reason"], english["reason_label"]) == ("unreachable", "The source's host did not answer.")
    french = dpo_api.get(f"{SCANS}{scanning.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["reason"] == "unreachable"


def test_the_dpo_confirms_and_rejects_columns_and_the_list_filters_them(dpo_api, auditor_api, organisation, system):
    scanning = a_scan_with_columns(a_source(organisation, system), columns=2)
    email_0, email_1, notes, sku = ScannedColumn.objects.order_by("pk")
    ours = DataFieldFactory(organisation=organisation, name="Customer email", category="identification")
    confirmed = dpo_api.post(f"{COLUMNS}{email_0.pk}/confirm/", {"data_field": ours.pk}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["decision"], confirmed.json()["data_field"]) == ("confirmed", ours.pk)
    assert confirmed.json()["decided_by"] == "dpo"
    proposed = dpo_api.post(f"{COLUMNS}{email_1.pk}/confirm/")  # the field proposed: created in the catalogue
    assert proposed.status_code == 200
    assert DataField.objects.get(pk=proposed.json()["data_field"]).name == "Email address"
    assert dpo_api.post(f"{COLUMNS}{notes.pk}/reject/").json()["decision"] == "rejected"
    nothing = dpo_api.post(f"{COLUMNS}{sku.pk}/confirm/")
    assert nothing.status_code == 400 and "nothing to confirm" in nothing.json()["errors"][0]["message"]
    assert auditor_api.post(f"{COLUMNS}{sku.pk}/reject/").status_code == 403
    unknown = dpo_api.post(f"{COLUMNS}{email_0.pk}/confirm/", {"field": 1}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["code"] == "unknown"

    def names(**filters):
        listed = auditor_api.get(COLUMNS, {"scan": scanning.pk, **filters})
        assert listed.status_code == 200, listed.content
        return [column["name"] for column in listed.json()["results"]]

    assert names() == ["email_0", "email_1", "notes", "sku"]
    assert names(personal="true") == ["email_0", "email_1", "notes"]
    assert names(personal="false") == ["sku"]
    assert names(special="true") == ["notes"]
    assert names(decision="rejected") == ["notes"]
    assert names(decision="proposed") == ["sku"]
    assert names(page_size=2) == ["email_0", "email_1"]
    assert auditor_api.get(COLUMNS, {"decision": "maybe"}).status_code == 400
    assert auditor_api.get(COLUMNS, {"scan": "first"}).status_code == 400


def test_lists_cost_the_same_queries_for_2_and_for_20(dpo_api, dpo, organisation, system):
    def counted(url, **params):
        dpo_api.get(url, params)  # the token and the language, cached
        with CaptureQueriesContext(connection) as queries:
            assert dpo_api.get(url, params).json()["count"] >= 2
        return len(queries)

    def grow(count, columns):
        scanning = a_scan_with_columns(Source.objects.first() or a_source(organisation, system), columns=columns)
        ScannedColumn.objects.filter(table__scan=scanning).update(decided_by=dpo, decision="confirmed")
        while Source.objects.count() < count:
            a_source(organisation, system, name=f"Shop {Source.objects.count()}")
        for source in Source.objects.all():
            source.last_scan = scanning
            source.save()
            Scan.objects.create(source=source, requested_by=dpo, status="failed", reason="timeout")
        return scanning

    scanning = grow(2, columns=0)
    small = (counted(SOURCES), counted(SCANS), counted(COLUMNS, scan=scanning.pk))
    scanning = grow(20, columns=20)
    large = (counted(SOURCES), counted(SCANS), counted(COLUMNS, scan=scanning.pk))
    assert large == small


def test_the_time_limit_and_scan_run_keep_the_api_s_answers_whole(dpo_api, organisation, system, tmp_path, settings):
    settings.DISCOVERY_SCAN_TIME_LIMIT = 0
    path = tmp_path / "shop.sqlite3"
    shop.create(f"sqlite:///{path}")
    scanning = Scan.objects.create(source=a_source(organisation, system, url=f"sqlite:///{path}"))
    assert scan_run(scanning.pk) == "done"
    polled = dpo_api.get(f"{SCANS}{scanning.pk}/").json()
    assert (polled["status"], polled["steps_done"], polled["steps_total"]) == ("done", 1, 2)
    tables = {column["table"] for column in dpo_api.get(COLUMNS, {"scan": scanning.pk}).json()["results"]}
    assert tables == {"customers"}  # the orders were not read: the time was up
