"""The organisation's home page: its figures, the lists behind them, its cost."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from processing.compliance.check import check_organisation
from processing.compliance.dashboard import dashboard, findings_trend, month_ends
from processing.compliance.models import Finding
from processing.services import activity_create, activity_update

from ...inventory.factories import SystemFactory
from .test_compliance import draft

pytestmark = pytest.mark.django_db


def bars(chart):
    return {bar.label: bar.value for bar in chart.bars}


def charts_of(organisation):
    board = dashboard(organisation)
    return board, {str(chart.title): chart for chart in board["charts"]}


@pytest.fixture
def register(organisation, complete_data, catalogue):
    """Two active activities (one stores data in India with no transfer row), two drafts
    (one ready to activate), one archived."""
    india = SystemFactory(organisation=organisation, name="Desk", countries=["IN"])
    activity_create(organisation=organisation, **{**complete_data, "status": "active"})
    activity_create(
        organisation=organisation,
        **{**complete_data, "name": "Support", "status": "active", "systems": [india], "lawful_basis": "consent"},
    )
    activity_create(organisation=organisation, **{**complete_data, "name": "Ready draft"})
    draft(organisation, name="Bare draft", next_review_on=datetime.date(2020, 1, 1))
    archived = activity_create(organisation=organisation, **{**complete_data, "name": "Old"})
    activity_update(activity=archived, status="archived")
    check_organisation(organisation)
    return organisation


def test_the_home_page_sums_up_the_register(register):
    board, charts = charts_of(register)
    done = board["completeness"]
    assert (done.active, done.drafts, done.drafts_ready, done.percent) == (2, 2, 1, 75)
    assert bars(charts["Activities by status"]) == {"Draft": 2, "Active": 2, "Archived": 1}
    assert bars(charts["Active activities by lawful basis (Art. 6)"]) == {
        "(a) Consent": 1,
        "(b) Contract with the person": 1,
    }
    stored = bars(charts["Where the active activities store data (activities per country)"])
    assert stored == {
        "France · EEA": 1,
        "United States of America · outside the EEA": 1,
        "India · outside the EEA": 1,
    }
    # complete_data's CRM system (US) has no transfer row of its own, and its clauses no TIA.
    assert bars(charts["Open findings by severity"]) == {"High": 3, "Medium": 3, "Low": 1}
    assert bars(charts["Open findings by rule"]) == {
        "Art. 44, 30(1)(e) · Destination outside the EEA without a transfer row": 3,
        "Art. 46 · Transfer impact assessment missing": 3,
        "Art. 5(2), 24 · Review of the record overdue": 1,
    }
    assert Finding.objects.filter(status="resolved").count() == 0


def test_every_figure_links_to_the_list_behind_it(auditor_client, register):
    _board, charts = charts_of(register)
    for title in ("Open findings by severity", "Open findings by rule"):
        for bar in charts[title].bars:
            listed = auditor_client.get(bar.url).context["page"].paginator.count
            assert listed == bar.value, (title, bar.label)
    for title in (
        "Activities by status",
        "Active activities by lawful basis (Art. 6)",
        "Where the active activities store data (activities per country)",
    ):
        for bar in charts[title].bars:
            listed = auditor_client.get(bar.url).context["page"].paginator.count
            assert listed == bar.value, (title, bar.label)
    page = auditor_client.get(reverse("organisations:home", args=[register.slug])).content.decode()
    assert "The register is 75% complete." in page
    assert f'href="{charts["Open findings by severity"].bars[0].url.replace("&", "&amp;")}"' in page
    assert "<table" in page, "each chart reads as a table too"


def test_the_trend_counts_findings_open_at_each_months_end(organisation):
    with time_machine.travel(datetime.datetime(2026, 7, 10, 12, tzinfo=datetime.UTC)):
        activity = draft(organisation, next_review_on=datetime.date(2026, 7, 1))
        check_organisation(organisation)
    with time_machine.travel(datetime.datetime(2026, 9, 15, 12, tzinfo=datetime.UTC)):
        activity_update(activity=activity, next_review_on=datetime.date(2027, 7, 1))
        check_organisation(organisation)  # resolved
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        activity_update(activity=activity, next_review_on=datetime.date(2026, 11, 1))
        check_organisation(organisation)  # reopened
    trend = findings_trend(organisation, today=datetime.date(2026, 11, 28))
    assert [bar.value for bar in trend.bars] == [0, 1, 1, 0, 0, 1]  # June … October, today
    assert [bar.label for bar in trend.bars][:2] == ["June 2026", "July 2026"]
    assert month_ends(datetime.date(2026, 3, 31), 3) == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]


def test_the_home_page_costs_the_same_queries_for_5_and_for_40_activities(
    dpo_client, organisation, complete_data, catalogue
):
    url = reverse("organisations:home", args=[organisation.slug])

    def grow(count):
        for number in range(count):
            activity_create(organisation=organisation, **{**complete_data, "name": f"A{number}-{count}"})
            draft(organisation, name=f"D{number}-{count}", next_review_on=datetime.date(2020, 1, 1))
        check_organisation(organisation)

    grow(5)
    dpo_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert dpo_client.get(url).status_code == 200
    queries = len(few)
    grow(35)
    with CaptureQueriesContext(connection) as many:
        assert dpo_client.get(url).status_code == 200
    assert len(many) == queries


def test_the_home_page_in_french(auditor_client, auditor, register):
    auditor.language = "fr"
    auditor.save()
    page = auditor_client.get(reverse("organisations:home", args=[register.slug])).content.decode()
    assert "Le registre est complet à 75 %." in page
    assert "Constats ouverts par gravité" in page and "Inde · hors EEE" in page
