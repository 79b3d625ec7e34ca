"""Issue #23: what the scans find, held against the register. The oldest record measured on the column the DPO marked
(it feeds ``retention.kept_beyond`` instead of a date typed by hand); the DPO's decisions kept from one scan to the
next; and the drift findings: data found in a system that no activity storing data there declares (graver for a
special category), and data an activity declares that no scan of its systems saw."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from discovery.models import DateColumn, Scan, ScannedColumn, ScannedTable
from discovery.services import (
    column_confirm,
    column_reject,
    date_column_clear,
    date_column_mark,
    scan_run,
    source_create,
)
from inventory.models import DataField, System
from inventory.services import catalogue_item_update
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.rules.registry import RULES
from processing.services import activity_create, activity_update

from ..inventory.factories import SystemFactory
from . import source as shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne", countries=["FR"])


@pytest.fixture
def shop_source(organisation, system, tmp_path):
    path = tmp_path / "shop.sqlite3"
    rows = shop.create(f"sqlite:///{path}")
    source = source_create(organisation=organisation, system=system, name="Shop", url=f"sqlite:///{path}")
    source.rows = rows
    return source


def scanned(source) -> Scan:
    scanning = Scan.objects.create(source=source)
    assert scan_run(scanning.pk) == "done"
    source.refresh_from_db()
    assert source.last_scan_id == scanning.pk
    return scanning


def column(scanning, table, name) -> ScannedColumn:
    return ScannedColumn.objects.select_related("table__scan__source").get(
        table__scan=scanning, table__name=table, name=name
    )


def open_findings(organisation, rule) -> list[Finding]:
    return list(Finding.objects.filter(organisation=organisation, rule=rule).exclude(status=Finding.Status.RESOLVED))


def test_the_oldest_record_is_measured_on_the_column_the_dpo_marked_and_dates_the_system(
    organisation, system, shop_source, dpo
):
    first = scanned(shop_source)
    assert not ScannedTable.objects.filter(scan=first, oldest_record_on__isnull=False).exists()
    system.refresh_from_db()
    assert system.oldest_record_on is None  # nothing marked: nothing measured, the system left as it was

    with pytest.raises(ValidationError) as refused:
        date_column_mark(shop_source, schema="", table="customers", column="no_such_column", user=dpo)
    assert "column" in refused.value.message_dict
    date_column_mark(shop_source, schema="", table="customers", column="created_at", user=dpo)
    date_column_mark(shop_source, schema="", table="orders", column="ordered_on", user=dpo)

    second = scanned(shop_source)
    oldest = {
        "customers": min(row["created_at"] for row in shop_source.rows["customers"]).date(),
        "orders": min(row["ordered_on"] for row in shop_source.rows["orders"]),
    }
    assert dict(ScannedTable.objects.filter(scan=second).values_list("name", "oldest_record_on")) == oldest
    system.refresh_from_db()
    assert system.oldest_record_on == min(oldest.values()) and system.oldest_record_measured_at is not None
    assert system.history.first().oldest_record_on == system.oldest_record_on  # in the system's history

    # Typed by hand, the date is no longer what a scan measured.
    catalogue_item_update(item=system, oldest_record_on=datetime.date(2020, 1, 1))
    system.refresh_from_db()
    assert system.oldest_record_measured_at is None

    date_column_clear(shop_source, schema="", table="customers", user=dpo)
    assert list(DateColumn.objects.values_list("table", flat=True)) == ["orders"]
    scanned(shop_source)
    system.refresh_from_db()
    assert system.oldest_record_on == oldest["orders"] and system.oldest_record_measured_at is not None


def test_the_oldest_record_measured_raises_kept_beyond_when_older_than_every_period(organisation, system, shop_source):
    activity_create(
        organisation=organisation,
        name="Orders",
        purpose="Deliver orders",
        systems=[system],
        retention_lines=[{"duration": 1, "duration_unit": "months", "trigger": "collection"}],
    )
    scanned(shop_source)
    check_organisation(organisation)
    assert not open_findings(organisation, "retention.kept_beyond")
    date_column_mark(shop_source, schema="", table="customers", column="created_at")
    scanned(shop_source)  # customers created up to two years ago, kept a month
    check_organisation(organisation)
    (finding,) = open_findings(organisation, "retention.kept_beyond")
    assert finding.subject_id == system.pk


def test_the_dpo_s_decisions_carry_over_to_the_next_scan(organisation, shop_source, dpo):
    first = scanned(shop_source)
    column_confirm(column(first, "customers", "courriel"), user=dpo)
    column_reject(column(first, "orders", "device_id"), user=dpo)

    second = scanned(shop_source)
    email = column(second, "customers", "courriel")
    assert (email.decision, email.decided_by, email.data_field) == (
        "confirmed",
        dpo,
        column(first, "customers", "courriel").data_field,
    )
    assert column(second, "orders", "device_id").decision == "rejected"
    assert column(second, "customers", "nir").decision == "proposed"


def test_data_found_and_confirmed_but_declared_by_no_activity_storing_data_there_is_a_finding(
    organisation, system, shop_source, dpo
):
    activity = activity_create(organisation=organisation, name="Orders", purpose="Deliver orders", systems=[system])
    first = scanned(shop_source)
    check_organisation(organisation)
    assert not open_findings(organisation, "discovery.found_undeclared")  # proposals alone raise nothing

    column_confirm(column(first, "customers", "courriel"), user=dpo)
    column_confirm(column(first, "customers", "notes_medicales"), user=dpo)
    check_organisation(organisation)
    email = DataField.objects.get(organisation=organisation, category="identification", name="Email address")
    health = DataField.objects.get(organisation=organisation, special_category="health")
    (found,) = open_findings(organisation, "discovery.found_undeclared")
    (special,) = open_findings(organisation, "discovery.special_undeclared")
    assert (found.subject_id, found.params, found.severity) == (system.pk, {"fields": [email.name]}, "medium")
    assert (special.subject_id, special.params, special.severity) == (system.pk, {"fields": [health.name]}, "high")
    assert f"found {email.name} (confirmed by the DPO)" in RULES[found.rule].render(found.params)

    # Declared by the activity storing data there: resolved.
    activity_update(activity=activity, data_fields=[email, health], special_condition="a")
    check_organisation(organisation)
    assert not open_findings(organisation, "discovery.found_undeclared")
    assert not open_findings(organisation, "discovery.special_undeclared")


def test_data_declared_that_no_scan_of_the_activity_s_systems_saw_is_told(organisation, system, shop_source, dpo):
    salary = DataField.objects.create(organisation=organisation, name="Salaire", category="economic")
    email = DataField.objects.create(organisation=organisation, name="Adresse e-mail", category="identification")
    paper = SystemFactory(organisation=organisation, name="Paper files", countries=["FR"])
    activity = activity_create(
        organisation=organisation,
        name="Orders",
        purpose="Deliver orders",
        systems=[system, paper],
        data_fields=[salary, email],
    )
    check_organisation(organisation)
    assert not open_findings(organisation, "discovery.declared_not_found")  # nothing scanned: nothing to say

    first = scanned(shop_source)
    assert column(first, "customers", "courriel").data_field == email  # the organisation's own field, proposed
    check_organisation(organisation)
    (finding,) = open_findings(organisation, "discovery.declared_not_found")
    assert (finding.subject_id, finding.severity) == (activity.pk, "low")
    assert finding.params == {"fields": ["Salaire"], "systems": "Boutique en ligne"}  # the paper files prove nothing

    column_reject(column(first, "customers", "courriel"), user=dpo)  # the scan was wrong: email not seen after all
    check_organisation(organisation)
    (finding,) = open_findings(organisation, "discovery.declared_not_found")
    assert finding.params["fields"] == ["Adresse e-mail", "Salaire"]


def test_a_system_archived_or_a_source_never_scanned_raises_no_drift(organisation, system, shop_source, dpo):
    first = scanned(shop_source)
    column_confirm(column(first, "customers", "courriel"), user=dpo)
    check_organisation(organisation)
    assert open_findings(organisation, "discovery.found_undeclared")
    System.objects.filter(pk=system.pk).update(archived_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    check_organisation(organisation)
    assert not open_findings(organisation, "discovery.found_undeclared")


def test_a_scan_out_of_time_keeps_the_decisions_on_the_tables_it_could_not_read(
    organisation, system, shop_source, dpo, settings
):
    """The weekly re-scan that hit its time limit before a table must not make the DPO decide on it all over again,
    nor let "declared, not found" claim that a table never read lacks a declared datum."""
    salary = DataField.objects.create(organisation=organisation, name="Salaire", category="economic")
    activity_create(organisation=organisation, name="Orders", purpose="Deliver", systems=[system], data_fields=[salary])
    first = scanned(shop_source)
    confirmed = column_confirm(column(first, "orders", "ip_address"), user=dpo)
    check_organisation(organisation)
    assert open_findings(organisation, "discovery.declared_not_found")  # every table read, no salary anywhere

    settings.DISCOVERY_SCAN_TIME_LIMIT = 0  # the next scan reads its first table only (customers), not orders
    partial = scanned(shop_source)
    assert dict(partial.tables.values_list("name", "reason")) == {"customers": "", "orders": "timeout"}
    check_organisation(organisation)
    assert not open_findings(organisation, "discovery.declared_not_found")  # a table unread proves no absence

    settings.DISCOVERY_SCAN_TIME_LIMIT = 240
    full = scanned(shop_source)
    again = column(full, "orders", "ip_address")
    assert (again.decision, again.data_field_id, again.decided_by) == ("confirmed", confirmed.data_field_id, dpo)
