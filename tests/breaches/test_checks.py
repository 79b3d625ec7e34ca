"""The breach checks: the 72-hour clock's findings on both sides of each boundary, the DPOs
warned once, and the same lifecycle as the register's findings."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from breaches.clock import breach_clock
from breaches.rules import DEADLINE_RULES
from breaches.services import breach_update
from breaches.tasks import check_breaches_task
from processing.compliance import check_organisation
from processing.models import Finding
from processing.services import activity_create

from .factories import log_breach

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def at(hours: float):
    return time_machine.travel(T0 + datetime.timedelta(hours=hours), tick=False)


def open_findings(organisation, rules=None):
    findings = Finding.objects.filter(organisation=organisation, rule__startswith="breach.").exclude(status="resolved")
    if rules is not None:
        findings = findings.filter(rule__in=rules)
    return sorted(findings.values_list("rule", "severity"))


@pytest.fixture
def breach(organisation):
    with at(0):
        return log_breach(organisation, aware_hours_ago=0, title="Credential stuffing")


def test_the_clock_raises_due_then_graver_then_overdue_and_warns_the_dpos_once_each(breach, organisation, dpo, manager):
    with at(47.98):
        check_breaches_task()
    assert open_findings(organisation) == [] and mail.outbox == []
    with at(48.02):
        check_breaches_task()
        check_breaches_task()  # idempotent: nothing new, no second email
    assert open_findings(organisation) == [("breach.notification_due", "medium")]
    assert [message.to for message in mail.outbox] == [[dpo.email]]  # the DPO, not the manager
    assert "BR-2026-001" in mail.outbox[0].subject and "23 hours" in mail.outbox[0].body
    with at(57.5):
        check_breaches_task()
    assert open_findings(organisation) == [("breach.notification_due", "medium")] and len(mail.outbox) == 1
    with at(57.7):  # 80 % of the 72 hours gone
        check_breaches_task()
    assert open_findings(organisation) == [("breach.notification_due", "high")] and len(mail.outbox) == 2
    with at(72.02):
        check_breaches_task()
    assert open_findings(organisation, DEADLINE_RULES) == [("breach.notification_overdue", "high")]
    assert len(mail.outbox) == 3
    assert "breach.record_incomplete" in dict(open_findings(organisation))  # past the deadline, still bare
    with at(73):
        breach_update(breach=breach, notified_at=T0 + datetime.timedelta(hours=73), authority="CNIL",
                      delay_reasons="Forensics needed two more hours")  # fmt: skip
        check_breaches_task()
    assert open_findings(organisation, DEADLINE_RULES) == [] and len(mail.outbox) == 3


def test_the_deadline_is_72_real_hours_across_a_daylight_saving_change(organisation):
    aware = datetime.datetime(2026, 10, 24, 10, 0, tzinfo=PARIS)  # summer time; clocks go back on the 25th
    with time_machine.travel(aware, tick=False):
        breach = log_breach(organisation, aware_hours_ago=0)
    deadline = breach_clock(breach).deadline.astimezone(PARIS)
    assert deadline == datetime.datetime(2026, 10, 27, 9, 0, tzinfo=PARIS)  # 9:00, not 10:00, in winter time
    with time_machine.travel(datetime.datetime(2026, 10, 27, 8, 59, tzinfo=PARIS), tick=False):
        assert breach_clock(breach).state == "near"
    with time_machine.travel(datetime.datetime(2026, 10, 27, 9, 1, tzinfo=PARIS), tick=False):
        assert breach_clock(breach).state == "overdue"


def test_the_delay_and_threshold_are_settings(breach, organisation, settings):
    settings.BREACH_NOTIFICATION_HOURS = 96
    with at(72.02):
        check_breaches_task()
    assert open_findings(organisation) == [("breach.notification_due", "medium")]
    settings.BREACH_NOTIFICATION_THRESHOLD = "high_risk"
    breach_update(breach=breach, risk="risk", risk_reasoning="Contact data", not_notified_reason="Not high")
    with at(72.02):
        check_breaches_task()
    assert open_findings(organisation) == []


def test_the_dpo_is_warned_in_their_own_language(breach, organisation, dpo):
    dpo.language = "fr"
    dpo.save()
    with at(48.02):
        check_breaches_task()
    assert mail.outbox[0].subject == "[Registre] Violation BR-2026-001 : notifiez l'autorité de contrôle"


def test_a_high_risk_breach_needs_its_people_informed(breach, organisation):
    breach_update(breach=breach, risk="high_risk", risk_reasoning="Health data")
    check_organisation(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") in open_findings(organisation)
    breach_update(breach=breach, communicated_at=breach.aware_at, communication_means="Email to each patient")
    check_organisation(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") not in open_findings(organisation)


def test_the_record_is_checked_once_contained_or_past_its_deadline(breach, organisation):
    with at(1):
        check_breaches_task()
    assert "breach.record_incomplete" not in dict(open_findings(organisation))  # the first hours go elsewhere
    breach_update(breach=breach, status="contained")
    with at(2):
        check_breaches_task()
    finding = Finding.objects.get(rule="breach.record_incomplete")
    assert finding.params["missing"] == ["facts", "effects", "remedial_action"]
    from processing.rules import load

    message = load()["breach.record_incomplete"].render(finding.params)
    assert "the facts (nature of the breach, categories of data)" in message and "remedial action" in message
    breach_update(
        breach=breach,
        confidentiality=True,
        data_categories=["identification"],
        consequences="Phishing",
        risk="risk",
        risk_reasoning="Contact data",
        measures_taken="Passwords reset",
    )
    with at(2):
        check_breaches_task()
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_breach_checks_and_register_checks_leave_each_others_findings_alone(breach, organisation):
    activity = activity_create(
        organisation=organisation, name="Payroll", purpose="P", next_review_on=datetime.date(2020, 1, 1)
    )
    check_organisation(organisation)
    with at(48.02):
        check_breaches_task()
    rules = dict(Finding.objects.exclude(status="resolved").values_list("rule", "status"))
    assert rules == {"retention.review_overdue": "open", "breach.notification_due": "open"}
    check_organisation(organisation, activities=[activity.pk])  # a save of the activity
    check_organisation(organisation, families={"retention"})
    assert dict(Finding.objects.exclude(status="resolved").values_list("rule", "status")) == rules


def test_the_check_costs_the_same_queries_for_2_and_for_12_breaches(organisation):
    with at(0):
        for _ in range(2):
            log_breach(organisation, aware_hours_ago=60)
    with at(1), CaptureQueriesContext(connection) as small:
        check_organisation(organisation, families={"breaches"})
    with at(0):
        for _ in range(10):
            log_breach(organisation, aware_hours_ago=60)
    with at(1), CaptureQueriesContext(connection) as large:
        check_organisation(organisation, families={"breaches"})
    with at(1), CaptureQueriesContext(connection) as again:
        check_organisation(organisation, families={"breaches"})
    assert len(large) <= len(small) + 2  # the new findings and their history, in one batch each
    assert Finding.objects.filter(rule="breach.notification_due").count() == 12
    with at(1), CaptureQueriesContext(connection) as again_small:
        check_organisation(organisation, families={"breaches"})
    assert len(again) == len(again_small)


def test_a_breach_finding_links_to_the_breach_and_the_form_section(breach, organisation, auditor_client):
    with at(48.02):
        check_breaches_task()
    page = auditor_client.get(reverse("processing:finding_list", args=[organisation.slug])).content.decode()
    assert f"Breach {breach.reference}" in page
    assert reverse("breaches:breach_detail", args=[organisation.slug, breach.pk]) in page
