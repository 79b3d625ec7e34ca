"""The compliance checks: each rule on both sides of its boundary, and the findings' lifecycle."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import organisation_update
from core.models import Job
from inventory.models import AdequacyDecision, System
from processing.compliance.check import check_organisation
from processing.compliance.models import ComplianceRun, Finding
from processing.compliance.selectors import shown
from processing.compliance.services import retention_policy_create
from processing.models import ProcessingActivity, RetentionLine
from processing.services import activity_create, activity_update

from ...inventory.factories import DataFieldFactory, RecipientFactory, SystemFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
RECENT = TODAY - datetime.timedelta(days=10)  # a transfer impact assessment


def open_rules(organisation, today=TODAY, activity=None):
    check_organisation(organisation, today=today)
    findings = Finding.objects.filter(organisation=organisation).exclude(status=Finding.Status.RESOLVED)
    if activity is not None:
        findings = findings.filter(subject_id=activity.pk)
    return sorted(findings.values_list("rule", flat=True))


def draft(organisation, **data):
    return activity_create(organisation=organisation, name=data.pop("name", "Activity"), purpose="P", **data)


# --- Transfers --------------------------------------------------------------------------


def test_a_destination_outside_the_eea_needs_a_transfer_row(organisation):
    crm = SystemFactory(organisation=organisation, name="CRM", countries=["US", "FR"])
    activity = draft(organisation, systems=[crm])
    assert open_rules(organisation) == ["transfer.destination_uncovered"]
    finding = Finding.objects.get()
    assert finding.params == {"destinations": [["US", "CRM"]]}
    activity_update(
        activity=activity, transfers=[{"country_id": "US", "system": crm, "mechanism": "scc_2", "tia_date": RECENT}]
    )
    assert open_rules(organisation) == []
    assert Finding.objects.get().status == Finding.Status.RESOLVED


def test_a_row_naming_the_systems_host_covers_the_system(organisation):
    host = RecipientFactory(organisation=organisation, name="Salesforce, Inc.", country_id="US")
    crm = SystemFactory(organisation=organisation, name="Sales Cloud", countries=["US"], hosting_provider=host)
    draft(
        organisation,
        systems=[crm],
        recipients=[host],
        transfers=[{"country_id": "US", "recipient": host, "mechanism": "scc_2", "tia_date": RECENT}],
    )
    assert open_rules(organisation) == []


def test_adequacy_counts_only_while_the_decision_is_in_force(organisation):
    draft(organisation, transfers=[{"country_id": "GB", "mechanism": "adequacy"}])
    assert open_rules(organisation, today=datetime.date(2031, 6, 26)) == []
    # Six months before the UK decision's end, and up to its last day: plan another tool.
    assert open_rules(organisation, today=datetime.date(2031, 6, 27)) == ["transfer.adequacy_expiring"]
    assert open_rules(organisation, today=datetime.date(2031, 12, 27)) == ["transfer.adequacy_expiring"]
    assert open_rules(organisation, today=datetime.date(2031, 12, 28)) == ["transfer.no_valid_tool"]


def test_a_decision_revoked_in_the_reference_data_raises_findings_without_any_edit(organisation):
    japan = {"country_id": "JP", "mechanism": "adequacy", "adequacy_scope_confirmed": True}
    draft(organisation, transfers=[japan, {"country_id": "IN", "mechanism": "adequacy"}])
    assert open_rules(organisation) == ["transfer.no_valid_tool"]
    assert Finding.objects.get().params == {"destinations": [["IN", ""]]}
    AdequacyDecision.objects.filter(country_id="JP").update(ends_on=TODAY - datetime.timedelta(days=1))
    open_rules(organisation)
    assert Finding.objects.get().params == {"destinations": [["IN", ""], ["JP", ""]]}


def test_obsolete_instruments_are_flagged(organisation):
    vendor = RecipientFactory(organisation=organisation, name="SurveyNow Inc.", country_id="US")
    activity = draft(
        organisation,
        recipients=[vendor],
        transfers=[{"country_id": "US", "recipient": vendor, "mechanism": "privacy_shield"}],
    )
    assert open_rules(organisation) == ["transfer.obsolete_instrument"]
    scc = {"country_id": "US", "recipient": vendor, "mechanism": "scc_2", "tia_date": RECENT}
    activity_update(activity=activity, transfers=[scc])
    assert open_rules(organisation) == []


def test_adequacy_relied_on_outside_its_scope(organisation):
    vendor = RecipientFactory(organisation=organisation, name="Helpdesk Inc.", country_id="US", is_dpf_certified=False)
    activity = draft(
        organisation,
        recipients=[vendor],
        transfers=[{"country_id": "US", "recipient": vendor, "mechanism": "adequacy"}],
    )
    assert open_rules(organisation) == ["transfer.adequacy_out_of_scope"]
    assert Finding.objects.get().params == {"destinations": [["US", "Helpdesk Inc."]]}
    vendor.is_dpf_certified = True
    vendor.save()
    assert open_rules(organisation) == []
    # Canada's decision is partial: the DPO confirms the importer is within it.
    activity_update(activity=activity, recipients=[], transfers=[{"country_id": "CA", "mechanism": "adequacy"}])
    assert open_rules(organisation) == ["transfer.adequacy_out_of_scope"]
    activity_update(
        activity=activity,
        recipients=[],
        transfers=[{"country_id": "CA", "mechanism": "adequacy", "adequacy_scope_confirmed": True}],
    )
    assert open_rules(organisation) == []


def test_clauses_need_a_transfer_impact_assessment_within_the_organisations_interval(organisation):
    activity = draft(organisation, transfers=[{"country_id": "IN", "mechanism": "scc_2"}])
    assert open_rules(organisation) == ["transfer.tia_missing"]
    assert Finding.objects.get().params == {"destinations": [["IN", ""]], "months": 24}
    assert "or one older than 24 months: India." in shown(Finding.objects.all(), organisation)[0].message
    # 24 months by default: assessed on 28 November 2024, still valid on 28 November 2026.
    assessed = datetime.date(2024, 11, 28)
    activity_update(activity=activity, transfers=[{"country_id": "IN", "mechanism": "scc_2", "tia_date": assessed}])
    assert open_rules(organisation) == []
    assert open_rules(organisation, today=TODAY + datetime.timedelta(days=1)) == ["transfer.tia_missing"]
    # The DPO sets a shorter interval in the organisation's settings.
    organisation_update(organisation=organisation, tia_review_months=12)
    assert open_rules(organisation, today=datetime.date(2025, 11, 28)) == []
    assert open_rules(organisation, today=datetime.date(2025, 11, 29)) == ["transfer.tia_missing"]
    assert Finding.objects.get().params["months"] == 12


@pytest.mark.parametrize(
    ("mechanism", "needs_a_tia"),
    [
        ("scc_1", True),
        ("scc_2", True),
        ("scc_3", True),
        ("scc_4", True),
        ("scc_authority", True),
        ("bcr", True),
        ("code_of_conduct", True),
        ("certification", True),
        ("ad_hoc_clauses", True),
        ("public_body", True),
        ("admin_arrangement", True),
        ("derogation_b", False),
        ("compelling_interest", False),
    ],
)
def test_every_art_46_tool_needs_a_transfer_impact_assessment(organisation, mechanism, needs_a_tia):
    """Schrems II (CJEU C-311/18, paras 134-135) and EDPB Recommendations 01/2020 v2.0, step 3: whatever the Art. 46
    transfer tool relied on, the exporter assesses whether the law and practice of the third country impinge on its
    effectiveness. The Art. 49 derogations are not Art. 46 tools and need none (their own conditions apply)."""
    row = {"country_id": "IN", "mechanism": mechanism, "safeguards": "Documented", "documentation": "DOC-1"}
    draft(organisation, transfers=[row])
    assert ("transfer.tia_missing" in open_rules(organisation)) is needs_a_tia


@pytest.mark.parametrize(
    ("role", "importer_role", "module", "fits"),
    [
        ("controller", "controller", "scc_1", True),
        ("controller", "processor", "scc_2", True),
        ("joint_controller", "sub_processor", "scc_2", True),
        ("processor", "sub_processor", "scc_3", True),
        ("processor", "controller", "scc_4", True),
        ("controller", "processor", "scc_1", False),
        ("controller", "controller", "scc_2", False),
        ("processor", "processor", "scc_2", False),
        ("processor", "controller", "scc_3", False),
        ("controller", "", "scc_4", True),  # the importer's role not given: nothing to compare
    ],
)
def test_the_clauses_module_fits_the_roles(organisation, role, importer_role, module, fits):
    """Commission Implementing Decision (EU) 2021/914, Annex: Module One applies to transfers from a controller to a
    controller, Module Two controller to processor, Module Three processor to processor, Module Four processor to
    controller. Clauses of the wrong module do not describe the parties' obligations: not an appropriate safeguard."""
    row = {"country_id": "IN", "mechanism": module, "importer_role": importer_role, "tia_date": TODAY}
    draft(organisation, role=role, transfers=[row])
    assert ("transfer.scc_module_mismatch" in open_rules(organisation)) is not fits
    if not fits:
        message = shown(Finding.objects.filter(rule="transfer.scc_module_mismatch"), organisation)[0].message
        assert "India" in message and "2 from a controller to a processor" in message


def test_a_public_authority_cannot_rely_on_legitimate_interests(organisation):
    """Art. 6(1), last subparagraph, GDPR: "Point (f) of the first subparagraph shall not apply to processing carried
    out by public authorities in the performance of their tasks"."""
    draft(organisation, lawful_basis="legitimate_interests")
    assert "data.legitimate_interests_public_body" not in open_rules(organisation)
    organisation_update(organisation=organisation, is_public_body=True)
    assert "data.legitimate_interests_public_body" in open_rules(organisation)
    ProcessingActivity.objects.update(lawful_basis="public_task")
    assert "data.legitimate_interests_public_body" not in open_rules(organisation)


def test_a_finding_recorded_under_an_older_message_still_reads(organisation):
    draft(organisation, transfers=[{"country_id": "IN", "mechanism": "scc_2"}])
    open_rules(organisation)
    Finding.objects.update(params={"destinations": [["IN", ""]], "years": "2"})  # as before the change
    assert "or one older than … months: India." in shown(Finding.objects.all(), organisation)[0].message


# --- Retention, review, data -------------------------------------------------------------


def test_an_active_activity_whose_retention_was_lost_is_flagged_but_not_a_processors(organisation, complete_data):
    controller = activity_create(organisation=organisation, **{**complete_data, "status": "active"})
    assert "retention.undefined" not in open_rules(organisation)
    RetentionLine.objects.filter(activity=controller).delete()  # as an import of old data might leave it
    assert "retention.undefined" in open_rules(organisation)
    ProcessingActivity.objects.filter(pk=controller.pk).update(role="processor")
    assert "retention.undefined" not in open_rules(organisation)


def test_each_category_of_data_needs_a_retention_line(organisation, complete_data, catalogue):
    """complete_data holds an email address (identification); its line covers all the data."""
    salary = DataFieldFactory(organisation=organisation, name="Salary", category="economic")
    active = {**complete_data, "status": "active", "data_fields": [catalogue["email"], salary]}
    activity = activity_create(organisation=organisation, **active)
    assert "retention.categories_uncovered" not in open_rules(organisation)
    activity.retention_lines.update(data_category="identification")
    assert "retention.categories_uncovered" in open_rules(organisation)
    finding = Finding.objects.get(rule="retention.categories_uncovered")
    assert finding.params == {"categories": ["economic"]}
    assert (
        "covers some of this activity's data: Economic and financial information."
        in shown([finding], organisation)[0].message
    )
    activity_update(
        activity=activity,
        retention_lines=[
            {"id": activity.retention_lines.get().pk, "duration": 3, "duration_unit": "years"},
            {"duration": 10, "duration_unit": "years", "data_category": "economic"},
        ],
    )
    assert "retention.categories_uncovered" not in open_rules(organisation)


def test_a_review_is_overdue_the_day_after_it_was_due(organisation):
    draft(organisation, next_review_on=TODAY)
    assert open_rules(organisation) == []
    assert open_rules(organisation, today=TODAY + datetime.timedelta(days=1)) == ["retention.review_overdue"]


def test_special_categories_need_an_art_9_condition(organisation):
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    activity = draft(organisation, data_fields=[health])
    assert open_rules(organisation) == ["data.special_without_condition"]
    activity_update(activity=activity, special_condition="b", special_condition_reference="Code du travail")
    assert open_rules(organisation) == []


def test_criminal_data_needs_its_legal_basis(organisation):
    record = DataFieldFactory(organisation=organisation, category="criminal")
    activity = draft(organisation, data_fields=[record])
    assert open_rules(organisation) == ["data.criminal_without_basis"]
    activity_update(activity=activity, criminal_data_basis="Code du travail, L1121-1")
    assert open_rules(organisation) == []


def test_archived_activities_are_not_checked(organisation):
    activity = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    assert open_rules(organisation) == ["retention.review_overdue"]
    activity_update(activity=activity, status="archived")
    assert open_rules(organisation) == []


# --- Lifecycle ----------------------------------------------------------------------------


def test_checking_twice_changes_nothing_and_a_problem_that_comes_back_reopens_its_finding(organisation):
    activity = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    first = check_organisation(organisation, today=TODAY)
    finding = Finding.objects.get()
    history = finding.history.count()
    again = check_organisation(organisation, today=TODAY)
    assert (len(first.opened), len(again.opened), again.unchanged) == (1, 0, 1)
    assert finding.history.count() == history  # nothing recorded: nothing changed

    activity_update(activity=activity, next_review_on=TODAY + datetime.timedelta(days=30))
    assert len(check_organisation(organisation, today=TODAY).resolved) == 1
    activity_update(activity=activity, next_review_on=TODAY - datetime.timedelta(days=1))
    reopened = check_organisation(organisation, today=TODAY).reopened
    assert [f.pk for f in reopened] == [finding.pk]  # the same row
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN and finding.resolved_at is None
    assert list(finding.history.values_list("status", flat=True)) == ["open", "resolved", "open"]


def test_an_organisation_deleted_takes_its_findings_with_it_and_leaves_the_others(organisation, other_organisation):
    # Findings keep their organisation and subject type without the database's foreign keys (a sweep's commit would
    # check each of them): Django's cascade is what deletes them, as it deletes an organisation's other rows.
    draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    draft(other_organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    check_organisation(organisation, today=TODAY)
    check_organisation(other_organisation, today=TODAY)
    organisation.delete()
    assert list(Finding.objects.values_list("organisation", flat=True)) == [other_organisation.pk]


def test_each_new_finding_is_recorded_once_in_history_and_every_finding_found_is_seen_again(organisation):
    first = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    with time_machine.travel(datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC), tick=False):
        check_organisation(organisation, today=TODAY)
        # A second check at the same instant (a frozen clock) that finds one more problem.
        second = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=1))
        check_organisation(organisation, today=TODAY)
    findings = Finding.objects.filter(organisation=organisation).order_by("subject_id")
    assert [finding.subject_id for finding in findings] == [first.pk, second.pk]
    for finding in findings:
        (record,) = finding.history.all()
        assert (record.history_type, record.history_user_id, record.rule, record.status) == (
            "+",
            None,
            "retention.review_overdue",
            "open",
        )
        assert record.params == finding.params and record.first_detected_at == finding.first_detected_at

    activity_update(activity=second, next_review_on=TODAY + datetime.timedelta(days=30))
    later = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(later, tick=False):
        check_organisation(organisation, today=TODAY)
    seen = dict(Finding.objects.with_last_seen().values_list("subject_id", "seen_at"))
    assert seen[first.pk] == later  # found again
    assert seen[second.pk] < later  # resolved: last seen before


def test_a_whole_check_says_once_when_it_saw_its_findings_and_a_resolved_one_keeps_its_last_sighting(organisation):
    first = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    opened, confirmed, fixed = (datetime.datetime(2026, 11, day, 9, 0, tzinfo=datetime.UTC) for day in (27, 28, 29))
    with time_machine.travel(opened, tick=False):
        check_organisation(organisation, today=TODAY)
    with time_machine.travel(confirmed, tick=False), CaptureQueriesContext(connection) as queries:
        check_organisation(organisation, today=TODAY)
    assert not [query for query in queries if query["sql"].startswith('UPDATE "processing_finding"')]
    assert set(Finding.objects.with_last_seen().values_list("seen_at", flat=True)) == {confirmed}

    activity_update(activity=first, next_review_on=TODAY + datetime.timedelta(days=30))
    with time_machine.travel(fixed, tick=False):
        check_organisation(organisation, today=TODAY)
    seen = dict(Finding.objects.with_last_seen().values_list("subject_id", "seen_at"))
    assert seen.pop(first.pk) == confirmed  # resolved: last seen by the check before
    assert list(seen.values()) == [fixed]


def test_an_accepted_risk_stays_accepted_while_the_problem_lasts(organisation, dpo):
    activity = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    check_organisation(organisation, today=TODAY)
    Finding.objects.update(status=Finding.Status.RISK_ACCEPTED, justification="Reviewed yearly", status_changed_by=dpo)
    check_organisation(organisation, today=TODAY)
    assert Finding.objects.get().status == Finding.Status.RISK_ACCEPTED
    activity_update(activity=activity, next_review_on=TODAY + datetime.timedelta(days=30))
    check_organisation(organisation, today=TODAY)
    assert Finding.objects.get().status == Finding.Status.RESOLVED


def test_the_database_refuses_two_findings_for_one_rule_and_object(organisation):
    draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    check_organisation(organisation, today=TODAY)
    finding = Finding.objects.get()
    finding.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        finding.save()


def test_the_check_costs_the_same_queries_for_5_and_for_200_activities(organisation):
    """Every rule has something to find: a retention policy, a system's oldest record, DPIA criteria."""
    crm = SystemFactory(organisation=organisation, countries=["US"], oldest_record_on=datetime.date(2020, 1, 1))
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    retention_policy_create(organisation=organisation, name="Everything", maximum=1, maximum_unit="years")

    def grow(count):
        while ProcessingActivity.objects.filter(organisation=organisation).count() < count:
            draft(
                organisation,
                systems=[crm],
                data_fields=[health],
                next_review_on=TODAY - datetime.timedelta(days=1),
                transfers=[
                    {"country_id": "IN", "mechanism": "adequacy"},
                    {"country_id": "US", "mechanism": "privacy_shield"},
                ],
                retention_lines=[{"duration": 2, "duration_unit": "years", "trigger": "collection"}],
                criterion_monitoring=True,
                criterion_large_scale=True,
            )

    grow(5)
    check_organisation(organisation, today=TODAY)
    with CaptureQueriesContext(connection) as small:
        check_organisation(organisation, today=TODAY)
    grow(200)
    with CaptureQueriesContext(connection) as first_on_large:
        check_organisation(organisation, today=TODAY)  # the new findings, in batches
    with CaptureQueriesContext(connection) as large:
        check_organisation(organisation, today=TODAY)
    assert len(large) == len(small)
    # Nor do the statements themselves: none lists the findings or the activities it touches.
    longest = max(len(query["sql"]) for query in small)
    assert max(len(query["sql"]) for query in large) < longest + 100
    # 1,201 new findings and their history, in batches (SQLite caps a statement's parameters).
    assert len(first_on_large) <= len(small) + 60
    # Six rules on each activity, and the system's oldest record.
    assert Finding.objects.filter(organisation=organisation).count() == 200 * 6 + 1
    assert set(Finding.objects.values_list("rule", flat=True)) >= {
        "retention.beyond_policy",
        "retention.kept_beyond",
        "data.dpia_missing",
    }


def test_the_command_checks_every_organisation_or_one(organisation, other_organisation):
    draft(organisation, next_review_on=datetime.date(2020, 1, 1))
    out = StringIO()
    call_command("check_compliance", stdout=out)
    assert "hexagone: 1 new, 0 reopened, 0 resolved, 0 unchanged" in out.getvalue()
    assert "autre: 0 new" in out.getvalue()
    out = StringIO()
    call_command("check_compliance", "--organisation", "hexagone", stdout=out)
    assert out.getvalue().strip() == "hexagone: 0 new, 0 reopened, 0 resolved, 1 unchanged"
    # Each check is a run, so the findings page says when the register was last checked.
    runs = ComplianceRun.objects.filter(organisation=organisation).order_by("pk")
    assert [(run.origin, run.status, run.opened) for run in runs] == [("command", "done", 1), ("command", "done", 0)]


def check_jobs_after(job_pk: int) -> list[list]:
    """The re-checks written in the outbox since the job ``job_pk``: their (organisation, activities)."""
    jobs = Job.objects.filter(task="processing.check_organisation", pk__gt=job_pk).order_by("pk")
    return [job.args for job in jobs]


def last_job() -> int:
    return Job.objects.order_by("pk").values_list("pk", flat=True).last() or 0


def test_a_committed_change_triggers_a_check(organisation, other_organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft(organisation, next_review_on=datetime.date(2020, 1, 1))
    assert len(callbacks) == 1  # one check for the whole save (activity, links, rows)
    assert Finding.objects.filter(rule="retention.review_overdue").exists()
    # A catalogue change, saved by inventory's services: the register of its organisation is re-checked.
    with django_capture_on_commit_callbacks(execute=True):
        crm = SystemFactory(organisation=other_organisation, countries=["FR"])
        draft(other_organisation, systems=[crm])
    before = last_job()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        crm.country_links.create(country_id="IN")
        crm.save()
    assert check_jobs_after(before) == [[other_organisation.pk, None]]  # once
    assert Finding.objects.filter(organisation=other_organisation, rule="transfer.destination_uncovered").exists()


def test_saving_activities_re_checks_them_alone_and_a_catalogue_change_the_whole_register(
    organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # committed, checked
        crm = SystemFactory(organisation=organisation, countries=["FR"])
    before = last_job()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = draft(organisation, next_review_on=datetime.date(2020, 1, 1))
        second = draft(organisation, next_review_on=datetime.date(2020, 1, 1))
    assert check_jobs_after(before) == [[organisation.pk, [first.pk, second.pk]]]
    assert Finding.objects.filter(rule="retention.review_overdue").count() == 2
    before = last_job()
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        activity_update(activity=first, name="Renamed")
        crm.country_links.create(country_id="IN")
        crm.save()  # the system concerns every activity storing data there
    assert check_jobs_after(before) == [[organisation.pk, None]]


def test_many_activities_saved_at_once_re_check_the_whole_register(
    organisation, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("processing.compliance.rechecks.SCOPED_CHECK_MAX_ACTIVITIES", 2)
    before = last_job()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(3):
            draft(organisation, next_review_on=datetime.date(2020, 1, 1))
    assert check_jobs_after(before) == [[organisation.pk, None]]
    assert Finding.objects.filter(rule="retention.review_overdue").count() == 3


def test_a_check_of_some_activities_leaves_the_others_findings_alone(organisation):
    first = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    second = draft(organisation, next_review_on=TODAY - datetime.timedelta(days=3))
    check_organisation(organisation, today=TODAY)
    ProcessingActivity.objects.update(next_review_on=TODAY + datetime.timedelta(days=30))  # both fixed, unseen

    result = check_organisation(organisation, today=TODAY, activities=[first.pk])
    status = dict(Finding.objects.values_list("subject_id", "status"))
    assert [finding.subject_id for finding in result.resolved] == [first.pk]
    assert status == {first.pk: "resolved", second.pk: "open"}  # the other activity waits for its own check
    check_organisation(organisation, today=TODAY)
    assert Finding.objects.get(subject_id=second.pk).status == "resolved"


def test_a_check_of_one_activity_still_weighs_every_activity_on_a_system(organisation, catalogue):
    """The oldest record of a system proves something only if every activity storing data
    there counts its periods from collection: one activity's check cannot decide alone."""
    archive = SystemFactory(organisation=organisation, oldest_record_on=TODAY - datetime.timedelta(days=3 * 365))
    two_years = [{"duration": 2, "duration_unit": "years", "trigger": "collection"}]
    kept = draft(organisation, systems=[archive], retention_lines=two_years)
    check_organisation(organisation, today=TODAY)
    assert open_rules(organisation, activity=archive) == ["retention.kept_beyond"]

    event_based = [{"duration": 5, "duration_unit": "years", "trigger": "end_of_contract"}]
    other = draft(organisation, systems=[archive], retention_lines=event_based)
    check_organisation(organisation, today=TODAY, activities=[other.pk])
    finding = Finding.objects.get(rule="retention.kept_beyond")
    assert finding.status == "resolved"  # another activity's period runs from an event
    activity_update(activity=other, status="archived")
    check_organisation(organisation, today=TODAY, activities=[kept.pk])
    finding.refresh_from_db()
    assert finding.status == "open"


def test_a_check_of_one_activity_weighs_again_the_system_it_left(organisation):
    """The activity whose period ran from an event is taken off the archive: what it kept from being concluded is
    concluded by its own check, though it no longer stores data there (its earlier version names the system)."""
    archive = SystemFactory(organisation=organisation, oldest_record_on=TODAY - datetime.timedelta(days=3 * 365))
    draft(
        organisation,
        systems=[archive],
        retention_lines=[{"duration": 2, "duration_unit": "years", "trigger": "collection"}],
    )
    contracts = draft(
        organisation,
        systems=[archive],
        retention_lines=[{"duration": 5, "duration_unit": "years", "trigger": "end_of_contract"}],
    )
    check_organisation(organisation, today=TODAY)
    assert open_rules(organisation, activity=archive) == []

    activity_update(activity=contracts, systems=[])
    check_organisation(organisation, today=TODAY, activities=[contracts.pk])
    assert open_rules(organisation, activity=archive) == ["retention.kept_beyond"]


def test_a_check_of_one_activity_leaves_the_other_systems_findings_alone(organisation):
    two_years = [{"duration": 2, "duration_unit": "years", "trigger": "collection"}]
    old = TODAY - datetime.timedelta(days=3 * 365)
    watched_system, other_system = (SystemFactory(organisation=organisation, oldest_record_on=old) for _ in range(2))
    watched = draft(organisation, systems=[watched_system], retention_lines=two_years)
    draft(organisation, systems=[other_system], retention_lines=two_years)
    check_organisation(organisation, today=TODAY)
    assert Finding.objects.filter(rule="retention.kept_beyond", status="open").count() == 2
    System.objects.update(oldest_record_on=TODAY)  # both fixed, unseen: only the watched one is looked at again

    result = check_organisation(organisation, today=TODAY, activities=[watched.pk])
    assert [finding.subject for finding in result.resolved if finding.rule == "retention.kept_beyond"] == [
        watched_system
    ]
    assert Finding.objects.get(rule="retention.kept_beyond", subject_id=other_system.pk).status == "open"


def test_a_check_of_one_activity_costs_the_same_queries_in_a_small_and_a_large_register(organisation):
    crm = SystemFactory(organisation=organisation, countries=["US"], oldest_record_on=datetime.date(2020, 1, 1))
    rows = {
        "systems": [crm],
        "transfers": [{"country_id": "US", "mechanism": ""}],
        "retention_lines": [{"duration": 1, "duration_unit": "years", "trigger": "collection"}],
    }
    watched = draft(organisation, **rows)
    check_organisation(organisation, today=TODAY)
    with CaptureQueriesContext(connection) as small:
        check_organisation(organisation, today=TODAY, activities=[watched.pk])
    for _ in range(30):
        draft(organisation, **rows)
    check_organisation(organisation, today=TODAY)
    with CaptureQueriesContext(connection) as large:
        result = check_organisation(organisation, today=TODAY, activities=[watched.pk])
    assert len(large) == len(small)
    assert result.unchanged == 2  # its own finding, and the system's: the other 30 are not read


# --- Pages --------------------------------------------------------------------------------


def test_the_findings_page_and_the_record_say_what_is_wrong_and_link_to_the_fix(
    dpo_client, auditor_client, organisation
):
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    activity = draft(organisation, name="Occupational health", data_fields=[health])
    check_organisation(organisation)
    edit = reverse("processing:activity_edit_section", args=[organisation.slug, activity.pk, "purposes"])
    page = dpo_client.get(reverse("compliance:finding_list", args=[organisation.slug]))
    assert "Occupational health" in page.text and "without an Art. 9(2) condition" in page.text
    assert edit in page.text and "data.special_without_condition" in page.text
    assert edit not in auditor_client.get(reverse("compliance:finding_list", args=[organisation.slug])).text
    record = dpo_client.get(reverse("processing:activity_detail", args=[organisation.slug, activity.pk]))
    assert "1 compliance finding" in record.text and edit in record.text
    french = dpo_client.get(
        reverse("compliance:finding_list", args=[organisation.slug]), headers={"accept-language": "fr"}
    )
    assert "sans condition de l’article 9(2)" in french.text and "Élevée" in french.text
    resolved = dpo_client.get(reverse("compliance:finding_list", args=[organisation.slug]) + "?status=resolved")
    assert resolved.context["page"].paginator.count == 0


def test_the_dpo_acknowledges_and_a_manager_accepts_a_risk_with_a_reason(dpo_client, manager_client, organisation):
    draft(organisation, next_review_on=datetime.date(2020, 1, 1))
    check_organisation(organisation)
    finding = Finding.objects.get()
    findings_page = reverse("compliance:finding_list", args=[organisation.slug])
    acknowledged = dpo_client.post(
        reverse("compliance:finding_acknowledge", args=[organisation.slug, finding.pk]), {"return_query": "rule=x"}
    )
    assert acknowledged.status_code == 302 and acknowledged["Location"] == findings_page + "?rule=x"
    finding.refresh_from_db()
    assert finding.status == "acknowledged" and finding.status_changed_by.username == "dpo"

    accept = reverse("compliance:finding_accept_risk", args=[organisation.slug, finding.pk])
    refused = manager_client.post(accept, {"justification": "  "}, follow=True)
    assert "Say why the risk is accepted." in refused.text
    finding.refresh_from_db()
    assert finding.status == "acknowledged"
    manager_client.post(accept, {"justification": "The review is planned with the new CRM."})
    finding.refresh_from_db()
    assert (finding.status, finding.status_changed_by.username) == ("risk_accepted", "manager")
    page = dpo_client.get(findings_page + "?status=risk_accepted").text
    assert "The review is planned with the new CRM. — manager" in page
    # Still true at the next check: the accepted risk stays accepted, out of the list of things to do.
    check_organisation(organisation)
    assert Finding.objects.get().status == "risk_accepted"
    assert dpo_client.get(findings_page).context["page"].paginator.count == 0


def test_a_message_names_countries_in_the_language_it_is_read_in(organisation):
    """Found by the what-if's tests: names were cached under no language, the first one won."""
    from django.utils import translation

    draft(organisation, transfers=[{"country_id": "US", "mechanism": "adequacy"}])
    open_rules(organisation)
    with translation.override("fr"):
        assert "États-Unis" in shown(Finding.objects.all(), organisation)[0].message
    with translation.override("en"):
        assert "United States of America" in shown(Finding.objects.all(), organisation)[0].message
