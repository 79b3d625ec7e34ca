"""Issue #19: the findings page in the order a DPO works, filtered by words a DPO reads (not codes, not ids)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from processing.compliance.dashboard import findings_by_rule
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load
from processing.models import ProcessingActivity

from ...processing.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def finding(organisation, activity, rule, *, severity, status="open", days_ago=0):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return Finding.objects.create(
        organisation=organisation,
        rule=rule,
        subject_type=ContentType.objects.get_for_model(ProcessingActivity),
        subject_id=activity.pk,
        severity=severity,
        status=status,
        first_detected_at=when,
        last_seen_at=when,
    )


def findings_url(organisation, **query):
    base = reverse("compliance:finding_list", args=[organisation.slug])
    return base + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_every_rule_has_a_title():
    assert all(each.title for each in load().values())


def test_findings_come_by_status_then_severity_then_the_oldest_first(
    auditor_client, organisation, django_assert_max_num_queries
):
    crm, payroll = ActivityFactory(organisation=organisation), ActivityFactory(organisation=organisation)
    expected = [
        finding(organisation, crm, "retention.undefined", severity="high", days_ago=30),
        finding(organisation, payroll, "retention.undefined", severity="high", days_ago=2),
        finding(organisation, crm, "data.dpia_missing", severity="medium", days_ago=40),
        finding(organisation, crm, "retention.review_overdue", severity="low", days_ago=50),
        finding(organisation, payroll, "data.dpia_missing", severity="high", status="acknowledged", days_ago=1),
        finding(organisation, payroll, "retention.review_overdue", severity="low", status="acknowledged"),
        finding(organisation, payroll, "transfer.tia_missing", severity="high", status="risk_accepted", days_ago=9),
        finding(organisation, crm, "transfer.tia_missing", severity="low", status="resolved", days_ago=9),
    ]
    with django_assert_max_num_queries(14):
        response = auditor_client.get(findings_url(organisation, status=""))
    assert [row.finding.pk for row in response.context["rows"]] == [item.pk for item in expected]


def test_the_rule_filter_names_each_rule_by_its_title_in_the_readers_language(auditor_client, organisation):
    crm = ActivityFactory(organisation=organisation, reference="PA-001", name="CRM")
    finding(organisation, crm, "transfer.tia_missing", severity="high")
    finding(organisation, crm, "retention.undefined", severity="high")
    english = auditor_client.get(findings_url(organisation))
    choices = dict(english.context["filters"].form.fields["rule"].choices)
    assert choices["transfer.tia_missing"] == "Transfer impact assessment missing"
    assert "Art. 46 · Transfer impact assessment missing" in english.text
    assert '<option value="transfer.tia_missing">Transfer impact assessment missing</option>' in english.text
    filtered = auditor_client.get(findings_url(organisation, rule="transfer.tia_missing"))
    assert [row.finding.rule for row in filtered.context["rows"]] == ["transfer.tia_missing"]


def test_the_activity_filter_offers_the_organisations_activities_by_name(
    auditor_client, organisation, other_organisation
):
    crm = ActivityFactory(organisation=organisation, reference="PA-001", name="CRM")
    payroll = ActivityFactory(organisation=organisation, reference="PA-002", name="Payroll")
    foreign = ActivityFactory(organisation=other_organisation, reference="PA-001", name="Their CRM")
    finding(organisation, crm, "retention.undefined", severity="high")
    finding(organisation, payroll, "retention.undefined", severity="high")
    response = auditor_client.get(findings_url(organisation, activity=payroll.pk))
    assert dict(response.context["filters"].form.fields["activity"].choices) == {
        "": "---------",
        crm.pk: "PA-001 · CRM",
        payroll.pk: "PA-002 · Payroll",
    }
    assert [row.subject for row in response.context["rows"]] == [payroll]
    assert f'<option value="{payroll.pk}" selected>PA-002 · Payroll</option>' in response.text
    # Another organisation's activity is no choice: the filter says so and shows nothing of it.
    refused = auditor_client.get(findings_url(organisation, activity=foreign.pk))
    assert "activity" in refused.context["filters"].form.errors
    assert "Their CRM" not in refused.text


def test_the_api_still_filters_findings_on_an_activity_key(organisation):
    from processing.compliance.api import FindingApiFilter

    crm = ActivityFactory(organisation=organisation)
    kept = finding(organisation, crm, "retention.undefined", severity="high")
    filters = FindingApiFilter({"activity": str(crm.pk)}, queryset=Finding.objects.all())
    assert list(filters.qs) == [kept]


def test_the_dashboard_names_rules_by_their_title_not_their_code(organisation):
    crm = ActivityFactory(organisation=organisation)
    finding(organisation, crm, "transfer.destination_uncovered", severity="high")
    [bar] = findings_by_rule(organisation).bars
    assert bar.label == "Art. 44, 30(1)(e) · Destination outside the EEA without a transfer row"
    assert "transfer.destination_uncovered" not in bar.label
