"""The breach checks: the 72-hour clock's findings on both sides of each boundary, the DPOs
warned once, and the same lifecycle as the register's findings."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from breaches.clock import breach_clock
from breaches.rules import DEADLINE_RULES
from breaches.services import breach_update, timeline_entry_add
from breaches.tasks import check_breaches_task, organisations_to_check
from core.models import Job
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load
from processing.services import activity_create

from ..accounts.factories import MembershipFactory, UserFactory
from .factories import log_breach

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
DUE, OVERDUE = DEADLINE_RULES


def at(hours: float):
    return time_machine.travel(T0 + datetime.timedelta(hours=hours), tick=False)


def open_findings(organisation, rules=None):
    findings = Finding.objects.filter(organisation=organisation, rule__startswith="breach.").exclude(status="resolved")
    if rules is not None:
        findings = findings.filter(rule__in=rules)
    return sorted(findings.values_list("rule", "severity"))


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """Run a check as the workers do: what follows its commit (the DPOs' emails) runs too."""

    def run(organisation=None, **options):
        with django_capture_on_commit_callbacks(execute=True):
            if organisation is None:
                return check_breaches_task()
            return check_organisation(organisation, **options)

    return run


@pytest.fixture
def breach(organisation):
    with at(0):
        return log_breach(organisation, aware_hours_ago=0, title="Credential stuffing")


def test_the_clock_raises_due_then_graver_then_overdue_and_warns_the_dpos_once_each(
    breach, organisation, dpo, manager, auditor, check
):
    with at(47.98):
        check()
    assert open_findings(organisation) == [] and mail.outbox == []
    with at(48.02):
        check()
        check()  # idempotent: nothing new, no second email
    assert open_findings(organisation) == [(DUE, "medium")]
    assert [message.to for message in mail.outbox] == [[dpo.email]]  # the DPO, not the manager nor the auditor
    assert "BR-2026-001" in mail.outbox[0].subject and "23 hours" in mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert f"http://testserver{breach.get_absolute_url()}" in html or breach.get_absolute_url() in html
    with at(57.5):
        check()
    assert open_findings(organisation) == [(DUE, "medium")] and len(mail.outbox) == 1
    with at(57.7):  # 80 % of the 72 hours gone: the same finding, graver, and a second email
        check()
        check()
    assert open_findings(organisation) == [(DUE, "high")] and len(mail.outbox) == 2
    assert Finding.objects.filter(rule=DUE).count() == 1
    with at(72.02):
        check()
    assert open_findings(organisation, DEADLINE_RULES) == [(OVERDUE, "high")]
    assert len(mail.outbox) == 3
    assert "breach.record_incomplete" in dict(open_findings(organisation))  # past the deadline, still bare
    with at(73):
        breach_update(breach=breach, notified_at=T0 + datetime.timedelta(hours=73), authority="CNIL",
                      delay_reasons="Forensics needed two more hours")  # fmt: skip
        check()
    assert open_findings(organisation, DEADLINE_RULES) == [] and len(mail.outbox) == 3


@pytest.mark.parametrize(
    "hours, expected",
    [
        (47 + 59 / 60, []),  # more than 24 hours left
        (48 + 1 / 60, [(DUE, "medium")]),
        (57.58, [(DUE, "medium")]),
        (57.6, [(DUE, "high")]),  # 80 % of 72 hours: 14.4 hours left
        (71 + 59 / 60, [(DUE, "high")]),
        (72 + 1 / 60, [(OVERDUE, "high")]),
    ],
)
def test_each_deadline_rule_on_both_sides_of_its_boundary(breach, organisation, check, hours, expected):
    with at(hours):
        check()
    assert open_findings(organisation, DEADLINE_RULES) == expected


@pytest.mark.parametrize(
    "aware, warned, deadline",
    [
        # Summer time until Sunday 25 October 2026: 48 and 72 real hours later are 9:00, winter time.
        (
            datetime.datetime(2026, 10, 24, 10, 0, tzinfo=PARIS),
            datetime.datetime(2026, 10, 26, 9, 0, tzinfo=PARIS),
            datetime.datetime(2026, 10, 27, 9, 0, tzinfo=PARIS),
        ),
        # Winter time until Sunday 29 March 2026: they are 11:00, summer time.
        (
            datetime.datetime(2026, 3, 27, 10, 0, tzinfo=PARIS),
            datetime.datetime(2026, 3, 29, 11, 0, tzinfo=PARIS),
            datetime.datetime(2026, 3, 30, 11, 0, tzinfo=PARIS),
        ),
    ],
)
def test_the_deadline_is_72_real_hours_across_a_daylight_saving_change(organisation, check, aware, warned, deadline):
    with time_machine.travel(aware, tick=False):
        breach = log_breach(organisation, aware_hours_ago=0)
    assert breach_clock(breach).deadline.astimezone(PARIS) == deadline
    minute = datetime.timedelta(minutes=1)
    # (Arithmetic on a Paris datetime is wall-clock arithmetic: the moments are named on the wall clock.)
    for moment, expected in [
        (warned - minute, []),
        (warned + minute, [(DUE, "medium")]),
        (deadline - minute, [(DUE, "high")]),
        (deadline + minute, [(OVERDUE, "high")]),
    ]:
        with time_machine.travel(moment, tick=False):
            check(organisation, families={"breaches"})
        assert open_findings(organisation, DEADLINE_RULES) == expected, moment


def test_the_delay_and_threshold_are_settings(breach, organisation, settings, check):
    settings.BREACH_NOTIFICATION_HOURS = 96
    with at(72.02):
        check()
    assert open_findings(organisation) == [(DUE, "medium")]
    with at(76.7):  # 80 % of 96 hours: 76.8
        check()
    assert open_findings(organisation) == [(DUE, "medium")]
    with at(76.9):
        check()
    assert open_findings(organisation) == [(DUE, "high")]
    settings.BREACH_NOTIFICATION_THRESHOLD = "high_risk"
    breach_update(breach=breach, risk="risk", risk_reasoning="Contact data", not_notified_reason="Not high")
    with at(76.9):
        check()
    assert open_findings(organisation) == []


def test_a_notification_late_without_reasons_is_flagged_once_the_delay_is_shorter(
    breach, organisation, dpo, settings, check
):
    with at(60):
        breach_update(breach=breach, notified_at=T0 + datetime.timedelta(hours=60), authority="CNIL")
        check()
    assert open_findings(organisation, DEADLINE_RULES) == []
    settings.BREACH_NOTIFICATION_HOURS = 48  # a shorter delay: that notification is now late
    with at(61):
        check()
    assert open_findings(organisation, DEADLINE_RULES) == [(OVERDUE, "high")]
    finding = Finding.objects.get(rule=OVERDUE)
    message = load()[OVERDUE].render(finding.params)
    assert "after the deadline" in message and "Record them on the breach" in message
    assert [email.to for email in mail.outbox] == [[dpo.email]]
    assert "record the reasons for the late notification" in mail.outbox[0].subject
    assert reverse("breaches:breach_edit", args=[organisation.slug, breach.pk]) + "#authority" in mail.outbox[0].body
    with at(62):
        breach_update(breach=breach, delay_reasons="Forensics first")
        check()
    assert open_findings(organisation, DEADLINE_RULES) == []


def test_a_closed_breach_keeps_its_clock_stopped_but_its_record_checked(organisation, settings, check):
    with at(0):
        closed = log_breach(
            organisation,
            aware_hours_ago=100,
            status="closed",
            risk="no_risk",
            risk_reasoning="Encrypted laptop",
            not_notified_reason="Unlikely to result in a risk",
        )
    settings.BREACH_NOTIFICATION_THRESHOLD = "no_risk"  # every breach notified, from now on
    with at(1):
        check(organisation, families={"breaches"})
    assert open_findings(organisation) == [("breach.record_incomplete", "medium")]
    assert Finding.objects.get().subject_id == closed.pk and mail.outbox == []


def test_the_dpo_is_warned_in_their_own_language(breach, organisation, dpo, check):
    dpo.language = "fr"
    dpo.save()
    with at(48.02):
        check()
    assert mail.outbox[0].subject == "[Registre] Violation BR-2026-001\u00a0: notifiez l’autorité de contrôle"


def test_only_active_dpos_with_an_address_are_warned_each_in_their_language(breach, organisation, dpo, check):
    french = MembershipFactory(
        organisation=organisation, role=Membership.Role.DPO, user=UserFactory(username="dpo2", language="fr")
    ).user
    MembershipFactory(organisation=organisation, role=Membership.Role.DPO, user=UserFactory(username="n", email=""))
    MembershipFactory(
        organisation=organisation, role=Membership.Role.DPO, user=UserFactory(username="gone", is_active=False)
    )
    with at(48.02):
        check()
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert set(subjects) == {dpo.email, french.email}
    assert "notify the supervisory authority" in subjects[dpo.email]
    assert "notifiez l’autorité de contrôle" in subjects[french.email]


def test_a_deadline_found_by_another_check_warns_the_dpos_too(breach, organisation, dpo, check):
    """The nightly sweep or a save elsewhere in the register runs the breach rules as well."""
    with at(48.02):
        check(organisation)  # every rule
        check()  # then the breach check: nothing new
    assert open_findings(organisation, DEADLINE_RULES) == [(DUE, "medium")]
    assert [message.to for message in mail.outbox] == [[dpo.email]]


def test_a_check_rolled_back_warns_nobody(breach, organisation, dpo, django_capture_on_commit_callbacks):
    with at(48.02), django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        check_organisation(organisation, families={"breaches"})
        raise RuntimeError
    assert mail.outbox == [] and open_findings(organisation) == []


def test_a_high_risk_breach_needs_its_people_informed(breach, organisation, check):
    breach_update(breach=breach, risk="high_risk", risk_reasoning="Health data")
    check(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") in open_findings(organisation)
    breach_update(breach=breach, communication_exception="unintelligible", exception_justification="AES-256")
    check(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") not in open_findings(organisation)
    breach_update(breach=breach, communication_exception="", exception_justification="")
    check(organisation, families={"breaches"})
    assert Finding.objects.get(rule="breach.people_not_informed").status == "open"  # reopened
    breach_update(breach=breach, communicated_at=breach.aware_at, communication_means="Email to each patient")
    check(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") not in open_findings(organisation)


def test_a_public_communication_not_yet_made_leaves_the_people_uninformed(breach, organisation, check):
    """Art. 34(3)(c): the disproportionate-effort case calls for a public communication instead; until it is made
    (dated), the people are not informed. (a) and (b) dispense with informing them."""
    breach_update(breach=breach, risk="high_risk", risk_reasoning="Health data")
    breach_update(breach=breach, communication_exception="public", exception_justification="400,000 people")
    check(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") in open_findings(organisation)
    breach_update(breach=breach, communicated_at=breach.aware_at, communication_means="Notice in the national press")
    check(organisation, families={"breaches"})
    assert ("breach.people_not_informed", "high") not in open_findings(organisation)


def test_the_record_is_checked_once_contained_or_past_its_deadline(breach, organisation, check):
    with at(1):
        check()
    assert "breach.record_incomplete" not in dict(open_findings(organisation))  # the first hours go elsewhere
    breach_update(breach=breach, status="contained")
    with at(2):
        check()
    finding = Finding.objects.get(rule="breach.record_incomplete")
    assert finding.params["missing"] == ["facts", "effects", "remedial_action"]
    message = load()["breach.record_incomplete"].render(finding.params)
    assert "the facts (nature of the breach, categories of data)" in message and "remedial action" in message
    breach_update(breach=breach, confidentiality=True, data_categories=["identification"])
    with at(2):
        check()
    finding.refresh_from_db()
    assert finding.params["missing"] == ["effects", "remedial_action"] and finding.status == "open"
    breach_update(
        breach=breach,
        consequences="Phishing",
        risk="risk",
        risk_reasoning="Contact data",
        measures_taken="Passwords reset",
    )
    with at(2):
        check()
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_breach_checks_and_register_checks_leave_each_others_findings_alone(breach, organisation, check):
    activity = activity_create(
        organisation=organisation, name="Payroll", purpose="P", next_review_on=datetime.date(2020, 1, 1)
    )
    check(organisation)
    with at(48.02):
        check()
    rules = dict(Finding.objects.exclude(status="resolved").values_list("rule", "status"))
    assert rules == {"retention.review_overdue": "open", "breach.notification_due": "open"}
    with at(80):  # the breach would now be overdue: a check of the register must not say so
        check(organisation, activities=[activity.pk])  # a save of the activity
        check(organisation, families={"retention"})
    assert dict(Finding.objects.exclude(status="resolved").values_list("rule", "status")) == rules
    assert open_findings(organisation, DEADLINE_RULES) == [(DUE, "medium")]


def breach_checks_written() -> int:
    """The breach checks written in the outbox so far."""
    return Job.objects.filter(task="breaches.check_breaches").count()


def test_saving_a_breach_or_its_timeline_checks_the_log_after_commit(organisation, django_capture_on_commit_callbacks):
    with at(0), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        breach = log_breach(organisation, aware_hours_ago=0)
        breach_update(breach=breach, title="Credential stuffing")
    assert breach_checks_written() == 1  # one check per transaction
    with at(60), django_capture_on_commit_callbacks(execute=True):
        timeline_entry_add(breach=breach, text="Logs requested from the host")
    assert breach_checks_written() == 2 and open_findings(organisation, DEADLINE_RULES) == [(DUE, "high")]
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


def test_the_periodic_check_visits_organisations_with_something_to_check(organisation, other_organisation):
    assert list(organisations_to_check()) == []
    log_breach(organisation, aware_hours_ago=1)
    assert list(organisations_to_check()) == [organisation]


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


def test_a_breach_check_of_thirty_breaches_stays_within_a_few_queries(organisation, django_assert_max_num_queries):
    with at(0):
        for hours in range(30):
            log_breach(organisation, aware_hours_ago=40 + hours, status="contained")
    # One query per rule (two for the overdue one; five rules since the processor's Art. 33(2) rule joined them), the
    # findings read and "last seen" written…
    with at(1), django_assert_max_num_queries(10 + 4):
        check_organisation(organisation, families={"breaches"})  # …and the new findings with their history
    with at(1), django_assert_max_num_queries(10):
        check_organisation(organisation, families={"breaches"})  # the same again: nothing new


def test_a_breach_finding_links_to_the_breach_and_the_form_section(breach, organisation, auditor_client, check):
    with at(48.02):
        check()
    page = auditor_client.get(reverse("compliance:finding_list", args=[organisation.slug])).content.decode()
    assert f"Breach {breach.reference}" in page
    assert reverse("breaches:breach_detail", args=[organisation.slug, breach.pk]) in page


def test_the_findings_page_filters_breach_findings_and_links_them_to_their_form(
    organisation, dpo_client, check, django_assert_max_num_queries
):
    activity_create(organisation=organisation, name="Payroll", purpose="P", next_review_on=datetime.date(2020, 1, 1))
    with at(0):
        breaches = [log_breach(organisation, aware_hours_ago=50 + hours) for hours in range(8)]
    with at(1):
        check(organisation)
    url = reverse("compliance:finding_list", args=[organisation.slug]) + "?kind=breach&status=active"
    with django_assert_max_num_queries(25):
        page = dpo_client.get(url).content.decode()
    assert '<code class="help">retention.review_overdue</code>' not in page
    assert page.count('<code class="help">breach.notification_due</code>') == 8
    edit = reverse("breaches:breach_edit", args=[organisation.slug, breaches[0].pk])
    assert f'href="{edit}#authority"' in page  # "Fix it": the form's section on the authority
    with at(0):
        for hours in range(8):
            log_breach(organisation, aware_hours_ago=50 + hours)
    with at(1):
        check(organisation)
    with django_assert_max_num_queries(25):
        assert dpo_client.get(url).status_code == 200  # twice the breach findings, the same queries
    activities = reverse("compliance:finding_list", args=[organisation.slug]) + "?kind=activity&status=active"
    assert '<code class="help">breach.notification_due</code>' not in dpo_client.get(activities).content.decode()
