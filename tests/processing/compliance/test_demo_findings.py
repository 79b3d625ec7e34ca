"""The demo raises the findings its deliberate gaps plant, each one the law supports, and no other."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation
from breaches.models import Breach
from inventory.models import System
from processing.as_of import activity_records_as_of, register_changes
from processing.compliance.check import check_organisation
from processing.compliance.dashboard import findings_trend
from processing.compliance.models import Finding
from processing.compliance.selectors import ACTIVE, shown
from processing.models import ProcessingActivity

pytestmark = pytest.mark.django_db

# (rule, what it concerns: an activity's reference, a system's name or a breach's reference) → why the law supports it.
EXPECTED = {
    (
        "breach.notification_due",
        "BR-2026-003",
    ): "Art. 33(1): a controller's breach, 72 hours from awareness, not notified",
    # Informational (low): the web site's database, the one source scanned on its server, holds none of these. Art.
    # 30(1)(c) (the record describes the data processed) and 5(1)(d) (accurate): the DPO adds the server's other
    # databases as sources (Matomo's cookies, the payments) or corrects the record.
    ("discovery.declared_not_found", "PA-010"): "Art. 30(1)(c): cookie identifiers not in the scanned database",
    ("discovery.declared_not_found", "PA-011"): "Art. 30(1)(c): IBANs and invoices not in the scanned database",
    ("data.criminal_without_basis", "PA-009"): "Art. 10: a criminal-record check with no official authority or law",
    ("data.dpia_missing", "PA-003"): "Art. 35(1), WP248 rev.01: three of the EDPB's criteria (profiling, matching…)",
    ("data.special_without_condition", "PA-014"): "Art. 9(1), (2): health data with no condition",
    ("retention.below_minimum", "PA-006"): "Code du travail L3243-4: payslips kept 3 years, 5 required",
    ("retention.beyond_policy", "PA-002"): "CNIL, prospecting: prospects kept 5 years, 3 at most",
    ("retention.categories_uncovered", "PA-005"): "Art. 30(1)(f): the contact details' period is not set",
    ("retention.kept_beyond", "Enregistreur vidéo du siège"): "Art. 5(1)(e): footage older than its 1 month",
    ("retention.kept_beyond", "SurveyNow"): "Art. 5(1)(e): answers older than their 2 years",
    ("retention.review_overdue", "PA-014"): "Art. 5(2), 24: the review date is passed",
    ("transfer.adequacy_out_of_scope", "PA-009"): "Decision 2023/1795: Supportly is not DPF-certified",
    ("transfer.destination_uncovered", "PA-009"): "Art. 44, 46: the Indian support desk has no transfer row",
    ("transfer.destination_uncovered", "PA-014"): "Art. 44, 46: Salesforce in the US has no transfer row",
    ("transfer.no_valid_tool", "PA-014"): "Art. 45: India has no adequacy decision",
    ("transfer.obsolete_instrument", "PA-015"): "Schrems II (C-311/18): the Privacy Shield is invalid",
    ("transfer.tia_missing", "PA-003"): "Schrems II paras 134-135; EDPB Recommendations 01/2020: SCCs without TIA",
}


def subject_key(row) -> str:
    subject = row.subject
    if isinstance(subject, ProcessingActivity | Breach):
        return subject.reference
    if isinstance(subject, System):
        return subject.name
    return str(subject)


def test_the_demo_raises_exactly_its_planted_findings():
    """Issue #18, "Done when": the demo raises no finding that the law does not support. Each expected finding
    names its source above; a new one (or one gone) fails here until it is justified or its cause fixed."""
    call_command("seed_demo", force=True)
    organisation = Organisation.objects.get(slug="hexagone-logiciels")
    check_organisation(organisation)
    findings = Finding.objects.filter(organisation=organisation, status__in=ACTIVE)
    raised = {(row.finding.rule, subject_key(row)) for row in shown(findings, organisation)}
    assert sorted(raised - EXPECTED.keys()) == [], "findings the demo should not raise"
    assert sorted(EXPECTED.keys() - raised) == [], "planted findings the demo no longer raises"


def test_the_demo_has_a_past_of_twelve_months():
    """Issue #19 (a demo with a past): the register as of a date, the changes between two dates and the findings'
    trend tell a story on first run — activities recorded over the year, periods set wrong then corrected (their
    findings opened, then resolved, on those days), a contest recorded then archived."""
    call_command("seed_demo", force=True)
    organisation = Organisation.objects.get(slug="hexagone-logiciels")
    now = timezone.now()

    def as_of(days_ago):
        moment = now - datetime.timedelta(days=days_ago)
        return {record.reference for record in activity_records_as_of(organisation, moment)}

    assert as_of(370) == set()
    assert as_of(350) == {"PA-001"}
    assert {"PA-001", "PA-010", "PA-016"} <= as_of(160) and "PA-015" not in as_of(160)
    assert len(as_of(0)) == 16

    changes = register_changes(organisation, now - datetime.timedelta(days=200), now - datetime.timedelta(days=180))
    assert [activity.reference for activity, _details in changes["changed"]] == ["PA-011"]  # corrected 190 days ago
    archived = ProcessingActivity.objects.get(organisation=organisation, reference="PA-016")
    assert archived.status == "archived"

    resolved = Finding.objects.filter(organisation=organisation, status=Finding.Status.RESOLVED)
    assert {(finding.rule, finding.resolved_at.date()) for finding in resolved} >= {
        ("retention.below_minimum", (now - datetime.timedelta(days=190)).date()),
        ("retention.beyond_policy", (now - datetime.timedelta(days=95)).date()),
    }
    trend = [bar.value for bar in findings_trend(organisation).bars]
    assert trend[0] > 0 and len(set(trend)) > 1, "a trend with a story, not a flat line from zero"
