"""Issue #23: sources re-scanned on their schedule (``scans_plan``, hourly), a scan's time limit, a scan cancelled or
its source deleted while it ran, and a source's name unique in its system."""

import datetime
import sqlite3

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from core.models import Job
from discovery import services
from discovery.models import Scan, ScannedTable, Source
from discovery.services import scan_run, scan_start, scans_plan, source_create
from discovery.tasks import plan_scans

from ..inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 4, 12, 20, tzinfo=datetime.UTC)


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


def a_source(organisation, system, name, every=7, url="sqlite:////tmp/none.sqlite3"):
    return source_create(organisation=organisation, system=system, name=name, url=url, scan_every_days=every)


def scanned(source, days_ago, status=Scan.Status.DONE):
    with time_machine.travel(NOW - datetime.timedelta(days=days_ago), tick=False):
        return Scan.objects.create(source=source, status=status)


def scans_of(source):
    return list(source.scans.order_by("created_at").values_list("status", flat=True))


def test_the_planner_starts_the_scans_that_are_due_and_only_those(organisation, system):
    due = a_source(organisation, system, "Due")
    scanned(due, days_ago=7)  # exactly its period: due
    failed_long_ago = a_source(organisation, system, "Failed long ago")
    scanned(failed_long_ago, days_ago=8, status=Scan.Status.FAILED)  # the latest created, whatever became of it
    never = a_source(organisation, system, "Never scanned")
    recent = a_source(organisation, system, "Recent")
    scanned(recent, days_ago=6)
    cancelled_lately = a_source(organisation, system, "Cancelled yesterday")
    scanned(cancelled_lately, days_ago=30)
    scanned(cancelled_lately, days_ago=1, status=Scan.Status.CANCELLED)
    on_demand = a_source(organisation, system, "Only when asked", every=0)
    scanned(on_demand, days_ago=365)
    busy = a_source(organisation, system, "Busy")
    scanned(busy, days_ago=20, status=Scan.Status.RUNNING)
    daily = a_source(organisation, system, "Daily", every=1)
    scanned(daily, days_ago=1)

    with time_machine.travel(NOW, tick=False):
        assert scans_plan() == 4
    assert scans_of(due) == ["done", "queued"]
    assert scans_of(failed_long_ago) == ["failed", "queued"]
    assert scans_of(never) == ["queued"]
    assert scans_of(daily) == ["done", "queued"]
    assert scans_of(recent) == ["done"]
    assert scans_of(cancelled_lately) == ["done", "cancelled"]
    assert scans_of(on_demand) == ["done"]
    assert scans_of(busy) == ["running"]  # its unfinished scan is left to finish
    assert Job.objects.filter(task="discovery.run_scan").count() == 4

    # Run again (the next hour, or a second beat), nothing more: each started scan is now the latest.
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert plan_scans() == {"started": 0}
    for source in (due, failed_long_ago, never, daily):
        Scan.objects.filter(source=source, status="queued").update(status=Scan.Status.DONE)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        assert scans_plan() == 0
    assert Job.objects.filter(task="discovery.run_scan").count() == 4


def test_two_planners_racing_start_one_scan(organisation, system):
    source = a_source(organisation, system, "Shop")
    scanned(source, days_ago=10)
    since = NOW - datetime.timedelta(days=7)
    with time_machine.travel(NOW, tick=False):
        first, created = scan_start(source, unless_scanned_since=since)
        assert created
        # The second planner read the source as due before the first one's scan: under the lock it sees it.
        Scan.objects.filter(pk=first.pk).update(status=Scan.Status.DONE)
        assert scan_start(source, unless_scanned_since=since) == (first, False)
    assert source.scans.count() == 2


def test_the_planner_is_on_the_hourly_beat_and_expires():
    entry = settings.CELERY_BEAT_SCHEDULE["discovery-plan-scans"]
    assert entry["task"] == "discovery.plan_scans"
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24
    assert entry["options"]["expires"] < 3600


def several_tables(path, count=4):
    with sqlite3.connect(path) as connection:
        for number in range(1, count + 1):
            connection.execute(f"CREATE TABLE t{number} (id INTEGER PRIMARY KEY, courriel TEXT)")
            connection.executemany(
                f"INSERT INTO t{number} (courriel) VALUES (?)",  # noqa: S608 (the test's own table names)
                [(f"person{i}@example.fr",) for i in range(10)],
            )
    return f"sqlite:///{path}"


def test_a_scan_past_its_time_limit_ends_done_with_what_it_read(organisation, system, tmp_path, settings):
    settings.DISCOVERY_SCAN_TIME_LIMIT = 0  # no table begun after the first
    source = a_source(organisation, system, "Shop", url=several_tables(tmp_path / "four.sqlite3"))
    scanning = Scan.objects.create(source=source)
    assert scan_run(scanning.pk) == "done"
    scanning.refresh_from_db()
    assert (scanning.status, scanning.reason, scanning.steps_done, scanning.steps_total) == ("done", "", 1, 4)
    tables = {table.name: (table.rows, table.reason) for table in ScannedTable.objects.filter(scan=scanning)}
    assert tables == {"t1": (10, ""), "t2": (None, "timeout"), "t3": (None, "timeout"), "t4": (None, "timeout")}
    assert [column.category for column in ScannedTable.objects.get(scan=scanning, name="t1").columns.all()] == [
        "",
        "identification",
    ]
    assert not ScannedTable.objects.get(scan=scanning, name="t2").columns.exists()
    source.refresh_from_db()
    assert source.last_scan == scanning

    settings.DISCOVERY_SCAN_TIME_LIMIT = 240
    again = Scan.objects.create(source=source)
    assert scan_run(again.pk) == "done"
    assert set(again.tables.values_list("reason", flat=True)) == {""}


def test_a_scan_cancelled_or_its_source_deleted_while_it_ran_writes_nothing(
    organisation, system, tmp_path, monkeypatch
):
    url = several_tables(tmp_path / "two.sqlite3", count=2)
    source = a_source(organisation, system, "Shop", url=url)
    real_scan = services.scan
    meanwhile = {}

    def scan_then(*args, **kwargs):
        tables = real_scan(*args, **kwargs)
        meanwhile["then"]()  # after the last table's progress, before the results are written
        return tables

    monkeypatch.setattr("discovery.services.scan", scan_then)
    cancelled = Scan.objects.create(source=source)
    meanwhile["then"] = lambda: services.scan_cancel(Scan.objects.get(pk=cancelled.pk))
    assert scan_run(cancelled.pk) == "cancelled"
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled" and not cancelled.tables.exists()
    source.refresh_from_db()
    assert source.last_scan is None

    deleted = Scan.objects.create(source=source)
    meanwhile["then"] = lambda: Source.objects.get(pk=source.pk).delete()
    assert scan_run(deleted.pk) == "gone"
    assert not ScannedTable.objects.exists() and not Scan.objects.exists()


def test_a_second_source_of_the_same_name_in_a_system_is_refused_on_its_name(organisation, system, monkeypatch):
    a_source(organisation, system, "Shop")
    with pytest.raises(ValidationError) as refused:
        a_source(organisation, system, " Shop ")
    assert refused.value.message_dict == {"name": ["This system already has a source of this name: choose another."]}
    # Another system may have its own "Shop".
    a_source(organisation, SystemFactory(organisation=organisation, name="ERP"), "Shop")
    # Created by someone else between the check and the insert: the constraint's refusal, said the same way.
    monkeypatch.setattr(Source.objects, "filter", lambda **kwargs: Source.objects.none())
    with pytest.raises(ValidationError) as raced:
        a_source(organisation, system, "Shop")
    assert list(raced.value.message_dict) == ["name"]
    assert Source.objects.count() == 2
