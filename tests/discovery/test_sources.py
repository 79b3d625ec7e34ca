"""Issue #23: data sources with their credentials encrypted at rest (and never in the history), scans run as jobs of
the outbox, their results kept without any value, failures with a reason of our own, keys rotated; proposals confirmed
into the catalogue or rejected."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core.models import Job
from discovery import secrets
from discovery.models import Scan, ScannedColumn, ScannedTable, Source
from discovery.services import (
    column_confirm,
    column_reject,
    scan_cancel,
    scan_run,
    scan_start,
    source_create,
)
from inventory.models import DataField

from ..inventory.factories import SystemFactory
from . import source as shop
from .test_discover import assert_no_value_in_registre

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


def test_credentials_are_kept_encrypted_shown_without_password_and_never_in_history(organisation, system):
    source = source_create(
        organisation=organisation, system=system, name="Shop", url="postgresql://scan:s3cret-pw@db.example:5433/shop"
    )
    source.refresh_from_db()
    assert source.address == "postgresql://db.example:5433/shop" and source.kind == "postgresql"
    assert "s3cret" not in source.credentials and "scan" not in source.credentials
    assert secrets.decrypt(source.credentials) == "postgresql://scan:s3cret-pw@db.example:5433/shop"
    (recorded,) = source.history.all()
    assert not hasattr(recorded, "credentials") and "s3cret" not in str(recorded.__dict__)


def test_a_source_must_be_a_database_registre_scans_and_one_of_the_organisation_s_systems(
    organisation, other_organisation, system
):
    with pytest.raises(ValidationError) as refused:
        source_create(organisation=organisation, system=system, name="Files", url="s3://bucket/folder")
    assert "PostgreSQL, MySQL, MariaDB and SQLite" in refused.value.message_dict["url"][0]
    theirs = SystemFactory(organisation=other_organisation)
    with pytest.raises(ValidationError) as refused:
        source_create(organisation=organisation, system=theirs, name="Theirs", url="sqlite:////tmp/x.sqlite3")
    assert "system" in refused.value.message_dict
    assert not Source.objects.exists()


@pytest.mark.django_db(transaction=True)  # committed, as a worker would find it; pg_dump sees it
def test_a_scan_runs_as_a_job_and_keeps_what_each_column_holds_never_a_value(
    organisation, system, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "shop.sqlite3"
    rows = shop.create(f"sqlite:///{path}")
    source = source_create(organisation=organisation, system=system, name="Shop", url=f"sqlite:///{path}")
    scanning, created = scan_start(source)  # run at once: eager Celery, committed
    assert created
    scanning.refresh_from_db()
    assert scanning.status == "done" and scanning.steps_done == scanning.steps_total == 2
    assert Job.objects.get(task="discovery.run_scan").status == "done"
    kept = {
        (column.table.name, column.name): (column.category, column.special_category or None)
        if column.category
        else None
        for column in ScannedColumn.objects.filter(table__scan=scanning).select_related("table")
    }
    assert kept == {
        (table, name): expected for table, columns in shop.EXPECTED.items() for name, expected in columns.items()
    }
    notes = ScannedColumn.objects.get(table__scan=scanning, name="notes_medicales")
    assert notes.review and notes.evidence and notes.decision == "proposed"
    assert_no_value_in_registre(rows)


def test_a_second_click_follows_the_scan_under_way(organisation, system, django_capture_on_commit_callbacks):
    source = source_create(organisation=organisation, system=system, name="Shop", url="sqlite:////tmp/none.db")
    with django_capture_on_commit_callbacks(execute=False):
        scanning, created = scan_start(source)
        assert created and scan_start(source) == (scanning, False)
    assert Job.objects.filter(task="discovery.run_scan").count() == 1


def test_a_scan_that_cannot_reach_its_source_fails_with_a_reason_of_our_own(organisation, system):
    source = source_create(
        organisation=organisation, system=system, name="Away", url="postgresql://scan:pw@127.0.0.1:1/shop"
    )
    scanning = Scan.objects.create(source=source)
    assert scan_run(scanning.pk) == "failed"
    scanning.refresh_from_db()
    assert scanning.reason == "unreachable" and scanning.get_reason_display() == "The source's host did not answer."
    assert not scanning.tables.exists()


def test_a_queued_scan_cancelled_never_runs_and_a_crash_fails_it(organisation, system, monkeypatch, tmp_path):
    path = tmp_path / "shop.sqlite3"
    shop.create(f"sqlite:///{path}")
    source = source_create(organisation=organisation, system=system, name="Shop", url=f"sqlite:///{path}")
    cancelled = Scan.objects.create(source=source)
    scan_cancel(cancelled)
    assert scan_run(cancelled.pk) == "cancelled" and not cancelled.tables.exists()
    stopping = Scan.objects.create(source=source, status="running", cancel_requested=True)  # asked while it ran
    assert scan_run(stopping.pk) == "cancelled" and not stopping.tables.exists()

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("discovery.services.scan", crash)
    crashing = Scan.objects.create(source=source)
    with pytest.raises(RuntimeError):
        scan_run(crashing.pk)
    crashing.refresh_from_db()
    assert (crashing.status, crashing.reason) == ("failed", "crash")


def test_keys_rotate_and_a_key_dropped_too_soon_is_said(organisation, system, settings, tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.DISCOVERY_KEYS = [old]
    source = source_create(organisation=organisation, system=system, name="Shop", url=f"sqlite:///{tmp_path}/s.db")
    settings.DISCOVERY_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_discovery_keys", stdout=out)
    assert "1 source(s)" in out.getvalue()
    settings.DISCOVERY_KEYS = [new]  # the old key dropped: the credentials still read
    source.refresh_from_db()
    assert secrets.decrypt(source.credentials) == f"sqlite:///{tmp_path}/s.db"
    settings.DISCOVERY_KEYS = [Fernet.generate_key().decode()]  # a key that never encrypted them
    with pytest.raises(CommandError, match="Nothing done"):
        call_command("rotate_discovery_keys", stdout=io.StringIO())
    scanning = Scan.objects.create(source=source)
    assert scan_run(scanning.pk) == "failed"
    scanning.refresh_from_db()
    assert scanning.reason == "key"


def test_the_dpo_confirms_a_proposal_into_the_catalogue_or_rejects_it(organisation, other_organisation, system, dpo):
    source = source_create(organisation=organisation, system=system, name="Shop", url="sqlite:////tmp/none.db")
    table = ScannedTable.objects.create(scan=Scan.objects.create(source=source, status="done"), name="customers")
    nir = ScannedColumn.objects.create(
        table=table, name="nir", type="TEXT", kind="national_id", category="national_id",
        proposed_field_name="Social security number (NIR)", confidence="0.95", evidence=["name", "values"],
    )  # fmt: skip
    notes = ScannedColumn.objects.create(
        table=table, name="notes", type="TEXT", kind="health", category="special", special_category="health",
        proposed_field_name="Health data", confidence="0.50", evidence=["values"], review=True,
    )  # fmt: skip
    sku = ScannedColumn.objects.create(table=table, name="sku", type="TEXT")

    column_confirm(nir, user=dpo)  # the organisation has no such field: one is added to its catalogue
    created = DataField.objects.get(organisation=organisation, name="Social security number (NIR)")
    assert (created.category, nir.data_field, nir.decision, nir.decided_by) == (
        "national_id",
        created,
        "confirmed",
        dpo,
    )
    assert created.history.count() == 1  # added like any catalogue entry, with its history

    column_reject(notes, user=dpo)
    notes.refresh_from_db()
    assert notes.decision == "rejected" and notes.data_field is None
    with pytest.raises(ValidationError, match="nothing to confirm"):
        column_confirm(sku, user=dpo)
    theirs = DataField.objects.create(organisation=other_organisation, name="Theirs", category="identification")
    with pytest.raises(ValidationError):
        column_confirm(notes, user=dpo, data_field=theirs)
    notes.refresh_from_db()
    assert notes.decision == "rejected"
