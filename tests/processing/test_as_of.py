"""The register as it stood on a given day, and the changes between two days."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import System
from inventory.services import catalogue_item_create, catalogue_item_update
from processing.as_of import activities_as_of, activity_records_as_of, moment_of, register_changes
from processing.services import activity_archive, activity_create, activity_update

from .test_views import url

pytestmark = pytest.mark.django_db

JANUARY = datetime.date(2026, 1, 15)
FEBRUARY = datetime.date(2026, 2, 15)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def changed_register(organisation, catalogue, complete_data):
    """An activity recorded in January, changed in February (links, rows and fields)."""
    with at(JANUARY):
        catalogue_item_update(item=catalogue["intranet"], description="Our own servers")  # its January state
        activity = activity_create(organisation=organisation, **complete_data)
        archived = activity_create(organisation=organisation, **{**complete_data, "name": "Old survey"})
    with at(FEBRUARY):
        salesforce = catalogue_item_create(
            model=System, organisation=organisation, name="Salesforce", kind="saas", countries=["FR"]
        )
        catalogue_item_update(item=catalogue["intranet"], name="Intranet v2")
        activity_update(
            activity=activity,
            name="CRM",
            systems=[salesforce],
            retention_lines=[{"duration": 2, "duration_unit": "years"}],
            security_measures=[],
        )
        activity_archive(activity=archived)
        new = activity_create(organisation=organisation, name="Newsletter")
    return activity, archived, new


def snapshot(organisation, day, pk):
    moment = moment_of(day)
    return next(
        a for a in activities_as_of(organisation, moment, activity_records_as_of(organisation, moment)) if a.pk == pk
    )


def test_an_activity_as_of_january_has_its_january_links_rows_and_names(organisation, changed_register):
    activity, _archived, new = changed_register
    january = snapshot(organisation, JANUARY, activity.pk)
    assert january.name == "Customer relationship management"
    # The link removed in February is still there as of January (simple-history's as_of would lose it).
    assert [system.name for system in january.systems.all()] == ["CRM", "Intranet"]
    assert [line.summary for line in january.retention_lines.all()] == ["3 years · last contact"]
    assert [measure.kind for measure in january.security_measures.all()] == ["access_control"]
    assert [link.country_id for link in january.systems.all()[0].country_links.all()] == ["US"]

    february = snapshot(organisation, FEBRUARY, activity.pk)
    assert february.name == "CRM"
    assert [system.name for system in february.systems.all()] == ["Salesforce"]
    assert [line.summary for line in february.retention_lines.all()] == ["2 years"]
    moment = moment_of(JANUARY)
    assert new.pk not in {
        a.pk for a in activities_as_of(organisation, moment, activity_records_as_of(organisation, moment))
    }


def test_changes_between_two_days(organisation, changed_register):
    activity, archived, _new = changed_register
    changes = register_changes(organisation, moment_of(JANUARY), moment_of(FEBRUARY))
    assert [a.name for a in changes["added"]] == ["Newsletter"]
    details = {a.pk: d for a, d in changes["changed"]}
    assert "Name: Customer relationship management → CRM" in details[activity.pk]
    assert "Systems (storage): + Salesforce, − CRM, − Intranet" in details[activity.pk]
    assert "Security measure: − User access control" in details[activity.pk]
    assert "Status: Draft → Archived" in details[archived.pk]


def test_as_of_pages_are_read_only_and_clearly_marked(dpo_client, organisation, changed_register):
    activity, _archived, _new = changed_register
    page = dpo_client.get(url(organisation, "activity_list_as_of") + "?date=2026-01-31").text
    assert "The register as it stood at the end of" in page
    assert "Customer relationship management" in page and "Newsletter" not in page
    detail = dpo_client.get(url(organisation, "activity_detail_as_of", pk=activity.pk) + "?date=2026-01-31").text
    assert "Intranet" in detail and "Salesforce" not in detail
    for control in ("/edit/", "/activate/", "/archive/", "/clone/"):
        assert control not in detail
    # An activity that did not exist yet on that day.
    assert (
        dpo_client.get(url(organisation, "activity_detail_as_of", pk=_new.pk) + "?date=2026-01-31").status_code == 404
    )
    # A bad date is explained, not a crash.
    assert "Enter a valid date." in dpo_client.get(url(organisation, "activity_list_as_of") + "?date=2026-13-45").text
    changes = dpo_client.get(url(organisation, "register_changes") + "?start=2026-01-31&end=2026-02-28").text
    assert "Name: Customer relationship management → CRM" in changes
    backwards = dpo_client.get(url(organisation, "register_changes") + "?start=2026-02-28&end=2026-01-31").text
    assert "The first day must come before the second." in backwards


def test_as_of_list_query_count_does_not_grow(auditor_client, organisation, complete_data, django_assert_num_queries):
    with at(JANUARY):
        activity_create(organisation=organisation, **complete_data)
    page_url = url(organisation, "activity_list_as_of") + "?date=2026-01-31"
    auditor_client.get(page_url)
    with CaptureQueriesContext(connection) as few:
        auditor_client.get(page_url)
    with at(JANUARY):
        for number in range(199):  # 200 activities: four pages
            activity_create(organisation=organisation, **{**complete_data, "name": f"Activity {number}"})
    with django_assert_num_queries(len(few)):
        assert auditor_client.get(page_url).status_code == 200
