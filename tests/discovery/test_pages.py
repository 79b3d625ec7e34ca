"""Issue #23, the pages: a system's sources and what their last scans found, for every role; the DPO's sources,
scans and decisions; bad input answered with a message, never a 500; the credentials never in any page; and the
system's page costing the same queries for a scan of 3 tables as for one of 60."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discovery import secrets
from discovery.models import DateColumn, Scan, ScannedColumn, ScannedTable, Source
from discovery.services import source_create
from inventory.models import DataField

from ..conftest import client_for
from ..inventory.factories import DataFieldFactory, SystemFactory
from . import source as shop

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pw-9f2"
URL = f"postgresql://scan:{PASSWORD}@db.example:5433/shop"


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


@pytest.fixture
def source(organisation, system):
    return source_create(organisation=organisation, system=system, name="Shop", url=URL)


def fake_scan(source, *, tables: int, columns: int) -> Scan:
    """A finished scan of ``tables`` tables of ``columns`` columns each (an email, a first name, the rest nothing
    personal), made directly: what the page reads, not how a scan reads a database."""
    scanning = Scan.objects.create(source=source, status=Scan.Status.DONE, steps_done=tables, steps_total=tables)
    rows = ScannedTable.objects.bulk_create(
        ScannedTable(scan=scanning, name=f"table_{number:04d}", rows=number) for number in range(tables)
    )
    ScannedColumn.objects.bulk_create(
        ScannedColumn(
            table=table,
            name=f"column_{number}",
            type="TEXT",
            **(
                {"kind": "email", "category": "identification", "proposed_field_name": "Email address"}
                if number == 0
                else {
                    "kind": "health",
                    "category": "special",
                    "special_category": "health",
                    "proposed_field_name": "Health data",
                    "review": True,
                }
                if number == 1
                else {}
            ),
            confidence=0.9 if number < 2 else 0,
            evidence=["name", "values"] if number < 2 else [],
        )
        for table in rows
        for number in range(columns)
    )
    Source.objects.filter(pk=source.pk).update(last_scan=scanning)
    source.refresh_from_db()
    return scanning


def page_url(organisation, system, query=""):
    return reverse("discovery:system", args=[organisation.slug, system.pk]) + query


# --- Reading: every role, never the credentials -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dpo", "manager", "auditor"])
def test_every_member_reads_the_system_s_sources_and_scans_but_only_the_dpo_may_act(
    request, organisation, system, source, role
):
    fake_scan(source, tables=2, columns=3)
    page = client_for(request.getfixturevalue(role)).get(page_url(organisation, system)).content.decode()
    assert "Shop" in page and "postgresql://db.example:5433/shop" in page and "table_0001" in page
    assert "Email address" in page
    acts = reverse("discovery:source_create", args=[organisation.slug, system.pk]) in page
    assert acts == (role == "dpo")
    assert ("Confirm the 2 columns to review" in page) == (role == "dpo")


def test_an_outsider_gets_404_on_every_discovery_page(outsider_client, organisation, system, source):
    scanning = fake_scan(source, tables=1, columns=2)
    column = ScannedColumn.objects.filter(table__scan=scanning).first()
    for url in [
        page_url(organisation, system),
        reverse("discovery:source_edit", args=[organisation.slug, source.pk]),
        reverse("discovery:source_delete", args=[organisation.slug, source.pk]),
        reverse("discovery:scan", args=[organisation.slug, scanning.pk]),
        reverse("discovery:scan_status", args=[organisation.slug, scanning.pk]),
        reverse("discovery:column_decide", args=[organisation.slug, column.pk]),
    ]:
        assert outsider_client.get(url).status_code == 404, url


def test_readers_may_not_write(manager_client, auditor_client, organisation, system, source):
    scanning = fake_scan(source, tables=1, columns=2)
    column = ScannedColumn.objects.filter(table__scan=scanning).first()
    for client in (manager_client, auditor_client):
        for url, data in [
            (reverse("discovery:source_create", args=[organisation.slug, system.pk]), {"name": "X", "url": URL}),
            (reverse("discovery:source_edit", args=[organisation.slug, source.pk]), {"name": "X"}),
            (reverse("discovery:source_delete", args=[organisation.slug, source.pk]), {}),
            (reverse("discovery:scan_start", args=[organisation.slug, source.pk]), {}),
            (reverse("discovery:scan_cancel", args=[organisation.slug, scanning.pk]), {}),
            (reverse("discovery:column_decide", args=[organisation.slug, column.pk]), {"decision": "confirm"}),
            (reverse("discovery:table_decide", args=[organisation.slug, column.table_id]), {"decision": "reject"}),
            (reverse("discovery:date_column", args=[organisation.slug, column.table_id]), {"column": "column_0"}),
        ]:
            assert client.post(url, data).status_code == 403, url
    column.refresh_from_db()
    assert column.decision == "proposed" and Source.objects.get(pk=source.pk).name == "Shop"
    assert Scan.objects.count() == 1 and not DateColumn.objects.exists()


def test_the_credentials_are_in_no_page_for_anyone(
    dpo_client, manager_client, auditor_client, organisation, system, source
):
    scanning = fake_scan(source, tables=1, columns=2)
    column = ScannedColumn.objects.filter(table__scan=scanning).first()
    urls = [
        page_url(organisation, system),
        reverse("discovery:scan", args=[organisation.slug, scanning.pk]),
        reverse("discovery:scan_status", args=[organisation.slug, scanning.pk]),
        reverse("inventory:item_history", args=[organisation.slug, "systems", system.pk]),
        reverse("organisations:home", args=[organisation.slug]),
    ]
    dpo_only = [
        reverse("discovery:source_edit", args=[organisation.slug, source.pk]),
        reverse("discovery:source_delete", args=[organisation.slug, source.pk]),
        reverse("discovery:column_decide", args=[organisation.slug, column.pk]),
        reverse("inventory:item_edit", args=[organisation.slug, "systems", system.pk]),
    ]
    for client, pages in [(dpo_client, urls + dpo_only), (manager_client, urls), (auditor_client, urls)]:
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert PASSWORD not in response.content.decode() and "scan:" not in response.content.decode(), url
    # Nor after a form refused: the URL typed is not rendered back.
    response = dpo_client.post(
        reverse("discovery:source_edit", args=[organisation.slug, source.pk]),
        {"name": "", "url": URL, "scan_every_days": "7"},
    )
    assert response.status_code == 200 and PASSWORD not in response.content.decode()


# --- Sources: added, edited, deleted ------------------------------------------------------------------------------


def test_the_dpo_adds_a_source_and_a_bad_url_is_refused_next_to_its_field(dpo_client, organisation, system):
    url = reverse("discovery:source_create", args=[organisation.slug, system.pk])
    page = dpo_client.get(url).content.decode()
    assert 'type="password"' in page
    refused = dpo_client.post(url, {"name": "Files", "url": f"s3://user:{PASSWORD}@bucket/x", "scan_every_days": 7})
    assert refused.status_code == 200
    assert "PostgreSQL, MySQL, MariaDB and SQLite" in refused.content.decode()
    assert PASSWORD not in refused.content.decode()
    for bad in [{"name": "A", "url": "", "scan_every_days": 7}, {"name": "A", "url": URL, "scan_every_days": -1}]:
        assert dpo_client.post(url, bad).status_code == 200
    assert dpo_client.post(url, {"name": "A", "url": "::::", "scan_every_days": "x"}).status_code == 200
    assert not Source.objects.exists()

    response = dpo_client.post(url, {"name": "Shop", "url": URL, "scan_every_days": 3})
    assert response.status_code == 302 and response["Location"] == page_url(organisation, system)
    source = Source.objects.get()
    assert (source.address, source.scan_every_days, secrets.decrypt(source.credentials)) == (
        "postgresql://db.example:5433/shop",
        3,
        URL,
    )
    # The same name twice in a system is refused, not a 500.
    assert dpo_client.post(url, {"name": "Shop", "url": URL, "scan_every_days": 3}).status_code == 200
    assert Source.objects.count() == 1


def test_editing_a_source_keeps_its_credentials_unless_a_new_url_is_given(dpo_client, organisation, source):
    url = reverse("discovery:source_edit", args=[organisation.slug, source.pk])
    assert dpo_client.post(url, {"name": "Shop DB", "url": "", "scan_every_days": 0}).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.scan_every_days, secrets.decrypt(source.credentials)) == ("Shop DB", 0, URL)
    assert dpo_client.post(url, {"name": "Shop DB", "url": "mysql://x", "scan_every_days": 0}).status_code == 200
    new = "mysql://reader:other-pw@mariadb.example/shop"
    assert dpo_client.post(url, {"name": "Shop DB", "url": new, "scan_every_days": 1}).status_code == 302
    source.refresh_from_db()
    assert (source.kind, source.address, secrets.decrypt(source.credentials)) == (
        "mysql",
        "mysql://mariadb.example/shop",
        new,
    )
    assert "other-pw" not in str([vars(row) for row in source.history.all()])
    # Renamed to another source's name in the same system: refused on the name, said, not a 500.
    source_create(organisation=organisation, system=source.system, name="Backup", url=URL)
    taken = dpo_client.post(url, {"name": "Backup", "url": "", "scan_every_days": 1})
    assert taken.status_code == 200
    assert "This system already has a source of this name" in taken.content.decode()
    source.refresh_from_db()
    assert source.name == "Shop DB"


def test_the_dpo_deletes_a_source_after_a_confirmation_page(dpo_client, organisation, system, source):
    fake_scan(source, tables=1, columns=2)
    url = reverse("discovery:source_delete", args=[organisation.slug, source.pk])
    assert "will be deleted" in dpo_client.get(url).content.decode()
    assert dpo_client.post(url)["Location"] == page_url(organisation, system)
    assert not Source.objects.exists() and not ScannedColumn.objects.exists()
    assert dpo_client.post(url).status_code == 404


def test_a_source_of_another_organisation_is_404(dpo_client, organisation, other_organisation):
    theirs = source_create(
        organisation=other_organisation, system=SystemFactory(organisation=other_organisation), name="T", url=URL
    )
    for name in ("source_edit", "source_delete", "scan_start"):
        assert dpo_client.post(reverse(f"discovery:{name}", args=[organisation.slug, theirs.pk])).status_code == 404
    assert dpo_client.get(reverse("discovery:system", args=[organisation.slug, theirs.system_id])).status_code == 404


# --- Scans ----------------------------------------------------------------------------------------------------------


def test_the_dpo_scans_a_sqlite_source_and_follows_it_to_its_proposals(
    dpo_client, organisation, system, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "shop.sqlite3"
    shop.create(f"sqlite:///{path}")
    source = source_create(organisation=organisation, system=system, name="Shop", url=f"sqlite:///{path}")
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(reverse("discovery:scan_start", args=[organisation.slug, source.pk]))
    scanning = Scan.objects.get()
    assert response["Location"] == reverse("discovery:scan", args=[organisation.slug, scanning.pk])
    page = dpo_client.get(response["Location"]).content.decode()
    assert "data-run-label>done</strong>" in page and "2 of 2 tables" in page and "Review what it found" in page
    state = dpo_client.get(reverse("discovery:scan_status", args=[organisation.slug, scanning.pk])).json()
    assert state["finished"] and state["steps_done"] == 2
    review = dpo_client.get(page_url(organisation, system, "?show=review")).content.decode()
    assert "<code>courriel</code>" in review and "<code>sku</code>" not in review
    special = dpo_client.get(page_url(organisation, system, "?show=special")).content.decode()
    assert "<code>notes_medicales</code>" in special and "<code>courriel</code>" not in special


def test_a_queued_scan_is_cancelled_and_a_second_start_follows_the_first(dpo_client, organisation, source):
    start = reverse("discovery:scan_start", args=[organisation.slug, source.pk])
    first = dpo_client.post(start)["Location"]
    assert dpo_client.post(start)["Location"] == first  # not two scans at once
    scanning = Scan.objects.get()
    assert "Cancel the scan" in dpo_client.get(first).content.decode()
    cancel = reverse("discovery:scan_cancel", args=[organisation.slug, scanning.pk])
    assert dpo_client.post(cancel)["Location"] == first
    scanning.refresh_from_db()
    assert scanning.status == "cancelled"
    assert dpo_client.post(cancel).status_code == 302  # already finished: said, not an error
    assert "cancelled" in dpo_client.get(first).content.decode()


def test_a_failed_scan_shows_its_reason(dpo_client, organisation, source):
    scanning = Scan.objects.create(source=source, status=Scan.Status.FAILED, reason=Scan.Reason.CREDENTIALS)
    page = dpo_client.get(reverse("discovery:scan", args=[organisation.slug, scanning.pk])).content.decode()
    assert "The source refused the credentials." in page


# --- Decisions ------------------------------------------------------------------------------------------------------


def test_the_dpo_confirms_and_rejects_a_column_and_may_choose_another_data_field(
    dpo_client, dpo, organisation, other_organisation, system, source
):
    scanning = fake_scan(source, tables=1, columns=3)
    email, health, _nothing = ScannedColumn.objects.filter(table__scan=scanning).order_by("pk")
    decide = reverse("discovery:column_decide", args=[organisation.slug, email.pk])
    response = dpo_client.post(decide, {"decision": "confirm", "return_query": "show=review&page=1"})
    assert response["Location"] == page_url(organisation, system, "?show=review&page=1")
    email.refresh_from_db()
    assert (email.decision, email.decided_by, email.data_field.name) == ("confirmed", dpo, "Email address")
    assert "Email address" in dpo_client.get(page_url(organisation, system)).content.decode()  # found
    dpo_client.post(decide, {"decision": "reject"})
    email.refresh_from_db()
    assert email.decision == "rejected"

    contact = DataFieldFactory(organisation=organisation, name="Contact email", category="identification")
    archived = DataFieldFactory(organisation=organisation, name="Old email", category="identification")
    archived.archived_at = archived.created_at
    archived.save()
    theirs = DataFieldFactory(organisation=other_organisation, name="Their email", category="identification")
    page = dpo_client.get(decide).content.decode()
    assert "Contact email" in page and "Old email" not in page
    for bad in [archived.pk, theirs.pk, 999999, "x"]:
        refused = dpo_client.post(decide, {"decision": "confirm", "data_field": bad})
        assert refused.status_code == 200 and "Choose one of the organisation" in refused.content.decode()
    assert dpo_client.post(decide, {"decision": "confirm", "data_field": contact.pk}).status_code == 302
    email.refresh_from_db()
    assert (email.decision, email.data_field) == ("confirmed", contact)

    # Bad input: a message, never a 500.
    assert dpo_client.post(decide, {"decision": "maybe"}).status_code == 302
    nothing = reverse("discovery:column_decide", args=[organisation.slug, _nothing.pk])
    assert dpo_client.post(nothing, {"decision": "confirm"}).status_code == 302
    _nothing.refresh_from_db()
    assert _nothing.decision == "proposed"
    assert dpo_client.post(reverse("discovery:column_decide", args=[organisation.slug, 999999])).status_code == 404
    assert health.decision == "proposed"


def test_a_column_of_another_organisation_s_scan_or_of_an_older_scan_is_404(
    dpo_client, organisation, other_organisation, source
):
    old = fake_scan(source, tables=1, columns=1)
    fake_scan(source, tables=1, columns=1)
    theirs = source_create(
        organisation=other_organisation, system=SystemFactory(organisation=other_organisation), name="T", url=URL
    )
    for scanning in (old, fake_scan(theirs, tables=1, columns=1)):
        column = ScannedColumn.objects.get(table__scan=scanning)
        for name, pk in [
            ("column_decide", column.pk),
            ("table_decide", column.table_id),
            ("date_column", column.table_id),
        ]:
            response = dpo_client.post(
                reverse(f"discovery:{name}", args=[organisation.slug, pk]), {"decision": "reject"}
            )
            assert response.status_code == 404, name


def test_a_table_s_columns_to_review_are_decided_at_once_with_one_recheck(
    dpo_client, dpo, organisation, system, source, monkeypatch
):
    scanning = fake_scan(source, tables=2, columns=4)
    first, second = ScannedTable.objects.filter(scan=scanning).order_by("name")
    kept = ScannedColumn.objects.get(table=first, name="column_1")
    kept.decision = "rejected"
    kept.save()
    rechecks = []
    monkeypatch.setattr("discovery.services.check_after_commit", lambda *args: rechecks.append(args))
    url = reverse("discovery:table_decide", args=[organisation.slug, first.pk])
    dpo_client.post(url, {"decision": "confirm"})
    assert rechecks == [(organisation.pk,)]
    decided = dict(ScannedColumn.objects.filter(table=first).values_list("name", "decision"))
    assert decided == {"column_0": "confirmed", "column_1": "rejected", "column_2": "proposed", "column_3": "proposed"}
    assert DataField.objects.filter(organisation=organisation, name="Email address").count() == 1
    dpo_client.post(reverse("discovery:table_decide", args=[organisation.slug, second.pk]), {"decision": "reject"})
    assert set(ScannedColumn.objects.filter(table=second).exclude(category="").values_list("decision", flat=True)) == {
        "rejected"
    }
    assert len(rechecks) == 2
    response = dpo_client.post(url, {"decision": "confirm"})  # nothing left to review: no re-check
    assert response.status_code == 302 and len(rechecks) == 2
    assert dpo_client.post(url, {"decision": ""}).status_code == 302


def test_the_dpo_marks_and_clears_a_table_s_date_column(dpo_client, organisation, source):
    scanning = fake_scan(source, tables=1, columns=3)
    table = ScannedTable.objects.get(scan=scanning)
    url = reverse("discovery:date_column", args=[organisation.slug, table.pk])
    dpo_client.post(url, {"column": "column_2"})
    assert DateColumn.objects.get().column == "column_2"
    response = dpo_client.post(url, {"column": "no_such\x00column"}, follow=True)
    assert "Choose a column of this table" in response.content.decode()
    assert DateColumn.objects.get().column == "column_2"
    dpo_client.post(url, {"column": ""})
    assert not DateColumn.objects.exists()


# --- What it costs ---------------------------------------------------------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("show", ["", "?show=review", "?show=special"])
def test_the_system_page_costs_the_same_queries_for_3_tables_as_for_60(dpo_client, organisation, system, show):
    small = source_create(organisation=organisation, system=system, name="Small", url=URL)
    fake_scan(small, tables=3, columns=3)
    url = page_url(organisation, system, show)
    dpo_client.get(url)
    few = queries_for(dpo_client, url)
    large = source_create(organisation=organisation, system=system, name="Large", url=URL)
    fake_scan(large, tables=60, columns=12)
    many = queries_for(dpo_client, url)
    assert many == few, (few, many)
    assert few <= 16
    page = dpo_client.get(url).content.decode()
    assert page.count('class="scanned-table"') == 20  # a page of tables, not 63
    assert "Page 1 of 4" in page


def test_the_system_s_catalogue_pages_sum_up_its_discovery(auditor_client, organisation, system, source):
    fake_scan(source, tables=2, columns=3)
    page = auditor_client.get(
        reverse("inventory:item_history", args=[organisation.slug, "systems", system.pk])
    ).content.decode()
    assert "1 source" in page and "4 columns to review" in page and page_url(organisation, system) in page
    other = DataFieldFactory(organisation=organisation, name="Email")
    page = auditor_client.get(
        reverse("inventory:item_history", args=[organisation.slug, "data-fields", other.pk])
    ).content.decode()
    assert "columns to review" not in page


def test_the_home_card_shows_discovery_coverage(auditor_client, dpo, organisation, system, source):
    SystemFactory(organisation=organisation, name="Paper files")
    scanning = fake_scan(source, tables=2, columns=3)
    column = ScannedColumn.objects.filter(table__scan=scanning, category="identification").first()
    column.decision = "confirmed"
    column.save()
    page = auditor_client.get(reverse("organisations:home", args=[organisation.slug])).content.decode()
    assert "1 of 2 systems scanned" in page and "1 of 4 personal columns confirmed" in page
    assert "0 open drift findings" in page
    assert "Boutique en ligne: 3 columns to review" in page and page_url(organisation, system, "?show=review") in page


def test_the_other_discovery_pages_cost_the_same_queries_for_3_tables_as_for_60(dpo_client, organisation, system):
    small = source_create(organisation=organisation, system=system, name="Small", url=URL)
    scanning = fake_scan(small, tables=3, columns=3)
    column = ScannedColumn.objects.filter(table__scan=scanning, category="identification").first()
    urls = [
        reverse("discovery:scan", args=[organisation.slug, scanning.pk]),
        reverse("discovery:scan_status", args=[organisation.slug, scanning.pk]),
        reverse("discovery:column_decide", args=[organisation.slug, column.pk]),
        reverse("discovery:source_edit", args=[organisation.slug, small.pk]),
        reverse("inventory:item_history", args=[organisation.slug, "systems", system.pk]),
        reverse("organisations:home", args=[organisation.slug]),
    ]
    for url in urls:
        dpo_client.get(url)
    few = {url: queries_for(dpo_client, url) for url in urls}
    large = source_create(organisation=organisation, system=system, name="Large", url=URL)
    fake_scan(large, tables=60, columns=12)
    DataFieldFactory.create_batch(30, organisation=organisation, category="identification")
    many = {url: queries_for(dpo_client, url) for url in urls}
    assert many == few


def test_a_table_confirmed_creates_each_data_field_proposed_once(dpo, organisation, source):
    from discovery.services import table_confirm, table_reject

    scanning = fake_scan(source, tables=1, columns=3)
    table = ScannedTable.objects.get(scan=scanning)
    ScannedColumn.objects.create(
        table=table,
        name="email_2",
        type="TEXT",
        kind="email",
        category="identification",
        proposed_field_name="Email address",
    )
    assert table_confirm(table, user=dpo) == 3
    assert DataField.objects.filter(organisation=organisation, name="Email address").count() == 1
    confirmed = ScannedColumn.objects.filter(table=table, decision="confirmed")
    names = sorted(confirmed.values_list("data_field__name", flat=True))
    assert names == ["Email address", "Email address", "Health data"]
    assert table_reject(table, user=dpo) == 0  # nothing left to review


def test_a_table_the_catalogue_refuses_to_confirm_is_said_and_nothing_is_decided(dpo_client, organisation, source):
    scanning = fake_scan(source, tables=1, columns=1)
    table = ScannedTable.objects.get(scan=scanning)
    ScannedColumn.objects.create(table=table, name="odd", type="TEXT", kind="email", category="identification")
    response = dpo_client.post(
        reverse("discovery:table_decide", args=[organisation.slug, table.pk]), {"decision": "confirm"}, follow=True
    )
    assert response.status_code == 200 and "Enter a name." in response.content.decode()
    assert not ScannedColumn.objects.filter(decision="confirmed").exists()  # one transaction: none confirmed
