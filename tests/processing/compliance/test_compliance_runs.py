"""Compliance check runs: started by a DPO or the nightly sweep, followed on a progress bar,
sent again by the reconcile when their dispatch or their worker was lost."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import jobs
from core.models import Job
from processing.compliance import check, tasks
from processing.compliance.check import check_organisation
from processing.compliance.models import ComplianceRun, Finding
from processing.compliance.rules.registry import load
from processing.compliance.services import start_compliance_run
from processing.compliance.tasks import check_all_organisations, reconcile_compliance_runs, run_compliance_check
from processing.models import ProcessingActivity
from processing.services import activity_create

from ...inventory.factories import DataFieldFactory, SystemFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC)


def draft(organisation, **data):
    return activity_create(organisation=organisation, name=data.pop("name", "Activity"), purpose="P", **data)


def two_problems(organisation):
    """An activity with a review overdue and health data without an Art. 9(2) condition."""
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")
    return draft(organisation, data_fields=[health], next_review_on=datetime.date(2020, 1, 1))


def findings_url(organisation):
    return reverse("compliance:finding_list", args=[organisation.slug])


def start_url(organisation):
    return reverse("compliance:compliance_run_start", args=[organisation.slug])


def run_url(run, name="compliance_run_detail"):
    return reverse(f"compliance:{name}", args=[run.organisation.slug, run.pk])


def queued_run(organisation, **fields):
    return ComplianceRun.objects.create(organisation=organisation, origin=ComplianceRun.Origin.MANUAL, **fields)


@pytest.fixture
def sent():
    """A spy on the reconcile's jobs (the outbox): the run is really written again (and run, eagerly, once the
    reconcile's transaction commits)."""
    with mock.patch.object(tasks.jobs, "enqueue", wraps=tasks.jobs.enqueue) as spy:
        yield spy


def sent_ids(spy):
    return [call.args[1] for call in spy.call_args_list if call.args[0] == "processing.run_compliance_check"]


# --- From the findings page ----------------------------------------------------------------


def test_the_dpo_runs_the_checks_from_the_findings_page_and_they_complete(
    dpo_client, dpo, organisation, django_capture_on_commit_callbacks
):
    two_problems(organisation)
    page = dpo_client.get(findings_url(organisation)).text
    assert "Run the checks now" in page and start_url(organisation) in page
    assert "No full check has been run yet." in page

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = dpo_client.post(start_url(organisation))
    assert len(callbacks) == 1  # sent once the run is committed
    run = ComplianceRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url(run)
    assert (run.status, run.origin, run.requested_by, run.attempts) == ("done", "manual", dpo, 1)
    assert run.steps_done == run.steps_total == len(load())
    assert (run.opened, run.reopened, run.resolved) == (2, 0, 0)
    assert run.dispatched_at and run.started_at <= run.finished_at
    assert sorted(Finding.objects.filter(organisation=organisation).values_list("rule", flat=True)) == [
        "data.special_without_condition",
        "retention.review_overdue",
    ]

    page = dpo_client.get(run_url(run)).text
    assert "2 new findings" in page and "0 findings reopened" in page and "0 findings resolved" in page
    total = run.steps_total
    assert f'max="{total}" value="{total}"' in page and f"{total} of {total} checks" in page
    assert "Refresh" not in page and 'data-finished="true"' in page
    assert findings_url(organisation) in page
    page = dpo_client.get(findings_url(organisation)).text
    assert "Last full check:" in page and "Started by a user" in page and run_url(run) in page


def test_a_double_click_follows_the_run_already_under_way(dpo_client, organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = dpo_client.post(start_url(organisation))
        second = dpo_client.post(start_url(organisation), follow=True)
    run = ComplianceRun.objects.get()
    assert run.status == ComplianceRun.Status.QUEUED
    assert len(callbacks) == 1  # one run, sent once
    assert first["Location"] == run_url(run) and second.redirect_chain == [(run_url(run), 302)]
    assert "The checks were already under way: here is how far they are." in second.text
    # The page shows a run waiting for a worker: the bar is indeterminate, the link refreshes it.
    assert "Waiting for a worker" in second.text and "Not started yet" in second.text
    assert '<progress id="run-progress">' in second.text and "Refresh" in second.text
    findings_page = dpo_client.get(findings_url(organisation)).text
    assert "The checks are under way: follow their progress" in findings_page and run_url(run) in findings_page


def test_a_new_run_starts_once_the_last_one_has_finished(organisation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = start_compliance_run(organisation, origin=ComplianceRun.Origin.MANUAL)
    assert created and ComplianceRun.objects.get(pk=first.pk).status == "done"
    with django_capture_on_commit_callbacks(execute=True):
        second, created = start_compliance_run(organisation, origin=ComplianceRun.Origin.MANUAL)
    assert created and second.pk != first.pk


@pytest.mark.parametrize("persona", ["manager_client", "auditor_client"])
def test_only_who_may_run_checks_starts_a_run(request, persona, organisation):
    client = request.getfixturevalue(persona)
    assert not client.get(findings_url(organisation)).context["access"].can_run_checks
    assert "Run the checks now" not in client.get(findings_url(organisation)).text
    assert client.post(start_url(organisation)).status_code == 403
    assert not ComplianceRun.objects.exists()


def test_a_failed_run_says_so_and_the_dpo_may_start_again(dpo_client, auditor_client, organisation):
    run = queued_run(organisation, status="failed", error="Gave up after 5 attempts")
    page = dpo_client.get(run_url(run)).text
    assert "The checks could not finish." in page and "Gave up after 5 attempts" in page
    assert "Run the checks again" in page and start_url(organisation) in page
    assert "Run the checks again" not in auditor_client.get(run_url(run)).text


# --- The run's pages: members read them, nobody else ---------------------------------------


def test_the_status_reports_the_progress_to_any_member(auditor_client, organisation, django_assert_max_num_queries):
    run = queued_run(organisation, status="running", steps_done=3, steps_total=13, attempts=1)
    with django_assert_max_num_queries(7):  # the first request records the organisation in the session
        body = auditor_client.get(run_url(run, "compliance_run_status")).json()
    assert body == {
        "status": "running",
        "status_label": "Running",
        "steps_done": 3,
        "steps_total": 13,
        "percent": 23,
        "progress": "3 of 13 checks",
        "finished": False,
    }
    with django_assert_max_num_queries(8):
        page = auditor_client.get(run_url(run))
    assert page["Cache-Control"].startswith("max-age=0") and "no-cache" in page["Cache-Control"]
    text = page.text
    assert '<progress id="run-progress" max="13" value="3">23%</progress>' in text
    assert "3 of 13 checks" in text and 'data-finished="false"' in text
    assert run_url(run, "compliance_run_status") in text
    assert '<script src="/static/js/progress.js" defer></script>' in text  # no inline script: the CSP forbids it


def test_another_organisations_run_is_not_found(dpo_client, outsider_client, organisation, other_organisation):
    theirs = queued_run(other_organisation)
    ours = queued_run(organisation)
    for name in ("compliance_run_detail", "compliance_run_status"):
        assert dpo_client.get(run_url(theirs, name)).status_code == 404
        # Their run's number under our organisation's address: still not found.
        wrong = reverse(f"compliance:{name}", args=[organisation.slug, theirs.pk])
        assert dpo_client.get(wrong).status_code == 404
        assert outsider_client.get(run_url(ours, name)).status_code == 404


# --- The task ------------------------------------------------------------------------------


def test_the_check_tells_its_progress_after_each_rule(organisation):
    calls = []
    check_organisation(organisation, progress=lambda done, total: calls.append((done, total)))
    total = len(load())
    assert calls == [(done, total) for done in range(1, total + 1)]


def test_the_task_is_safe_to_run_twice(organisation):
    two_problems(organisation)
    run = queued_run(organisation)
    assert run_compliance_check.delay(run.pk).get() == {"run": run.pk, "ran": True, "attempt": 1}
    run.refresh_from_db()
    done = (run.status, run.attempts, run.started_at, run.finished_at, run.opened)
    assert done[0] == "done" and run.opened == 2
    # Delivered again (acks_late): the run is done, the task leaves it alone.
    assert run_compliance_check.delay(run.pk).get() == {"run": run.pk, "ran": False}
    run.refresh_from_db()
    assert (run.status, run.attempts, run.started_at, run.finished_at, run.opened) == done
    assert run_compliance_check.delay(run.pk + 1000).get() == {"run": run.pk + 1000, "ran": False}  # deleted


def test_a_run_taken_over_by_a_later_attempt_is_not_written_by_the_earlier_one(organisation):
    run = queued_run(organisation)

    def overtaken(*args, progress, **kwargs):
        # Meanwhile the reconcile sent the run again and another worker claimed it.
        ComplianceRun.objects.filter(pk=run.pk).update(attempts=2)
        return check_organisation(*args, progress=progress, **kwargs)

    with mock.patch.object(check, "check_organisation", side_effect=overtaken):
        run_compliance_check.delay(run.pk)
    run.refresh_from_db()
    assert (run.status, run.steps_done, run.attempts) == ("running", 0, 2)  # left to the attempt that owns it


def test_an_unexpected_error_marks_the_run_failed(organisation):
    run = queued_run(organisation)
    with (
        mock.patch.object(check, "check_organisation", side_effect=ValueError("a rule is broken")),
        pytest.raises(ValueError),
    ):
        run_compliance_check.delay(run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "ValueError: a rule is broken")
    assert run.finished_at is not None


def test_a_transient_database_error_is_retried(organisation):
    two_problems(organisation)
    run = queued_run(organisation)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database is restarting")
        return check_organisation(*args, **kwargs)

    with mock.patch.object(check, "check_organisation", side_effect=flaky):
        # Not propagating the first error: Celery applies the retry in-process, as a worker would.
        result = run_compliance_check.apply((run.pk,), throw=False)
    assert result.get() == {"run": run.pk, "ran": True, "attempt": 2}
    assert len(calls) == 2
    run.refresh_from_db()
    assert (run.status, run.attempts, run.opened, run.error) == ("done", 2, 2, "")


def test_a_run_that_has_had_its_attempts_is_not_started_again(organisation, settings):
    settings.COMPLIANCE_RUN_MAX_ATTEMPTS = 2
    run = queued_run(organisation, status="running", attempts=2)
    assert run_compliance_check.delay(run.pk).get() == {"run": run.pk, "ran": False}
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 2)
    assert run.error.startswith("Gave up after 2 attempts")


def test_the_run_costs_the_same_queries_for_few_and_many_activities(organisation):
    crm = SystemFactory(organisation=organisation, countries=["US"])
    health = DataFieldFactory(organisation=organisation, category="special", special_category="health")

    def grow(count):
        while ProcessingActivity.objects.filter(organisation=organisation).count() < count:
            draft(
                organisation,
                systems=[crm],
                data_fields=[health],
                next_review_on=datetime.date(2020, 1, 1),
                transfers=[{"country_id": "IN", "mechanism": "adequacy"}],
            )

    def run_once():
        run = queued_run(organisation)
        with CaptureQueriesContext(connection) as queries:
            run_compliance_check(run.pk)
        assert ComplianceRun.objects.get(pk=run.pk).status == "done"
        return len(queries)

    grow(3)
    run_once()  # opens the findings
    with CaptureQueriesContext(connection) as check_alone:
        check_organisation(organisation)
    few = run_once()
    # The run adds its claim, its result and one cheap update per rule to the check's queries.
    assert few <= len(check_alone) + len(load()) + 5
    grow(60)
    run_once()
    assert run_once() == few


# --- The nightly sweep ---------------------------------------------------------------------


NIGHT = datetime.datetime(2026, 11, 28, 2, 0, tzinfo=datetime.UTC)  # NIGHTLY_SWEEP_HOUR_UTC


def test_the_nightly_sweep_runs_each_organisation_once(
    organisation, other_organisation, django_capture_on_commit_callbacks
):
    two_problems(organisation)
    with time_machine.travel(NIGHT - datetime.timedelta(minutes=10)):
        under_way = queued_run(other_organisation, dispatched_at=NIGHT)  # started before the night's time
    with time_machine.travel(NIGHT), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert check_all_organisations() == 2
    assert len(callbacks) == 1  # the other organisation's run was already under way: followed, not doubled
    nightly = ComplianceRun.objects.get(organisation=organisation)
    assert (nightly.origin, nightly.status, nightly.opened, nightly.requested_by) == ("nightly", "done", 2, None)
    assert list(ComplianceRun.objects.filter(organisation=other_organisation)) == [under_way]


def test_a_night_whose_sweep_never_came_is_made_up_at_the_next_hour_and_only_once(
    organisation, other_organisation, django_capture_on_commit_callbacks
):
    """Beat's 02:00 message was lost, or no worker ran then: the 05:00 planning starts the night's runs; the 06:00 one
    starts none (each organisation has had its run since 02:00), and neither does one before the next night."""
    two_problems(organisation)
    with time_machine.travel(NIGHT + datetime.timedelta(hours=1)):
        queued_run(other_organisation)  # a DPO's own run after 02:00 counts as the night's
    with time_machine.travel(NIGHT + datetime.timedelta(hours=3)), django_capture_on_commit_callbacks(execute=True):
        assert check_all_organisations() == 1
    assert ComplianceRun.objects.get(organisation=organisation, origin="nightly").status == "done"
    for later in (datetime.timedelta(hours=4), datetime.timedelta(hours=23, minutes=59)):
        with time_machine.travel(NIGHT + later), django_capture_on_commit_callbacks(execute=True):
            assert check_all_organisations() == 0
    with time_machine.travel(NIGHT + datetime.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        assert check_all_organisations() == 2
    assert ComplianceRun.objects.filter(organisation=organisation, origin="nightly").count() == 2
    assert ComplianceRun.objects.filter(organisation=other_organisation).count() == 1  # still queued: followed


# --- The reconcile -------------------------------------------------------------------------


def test_the_reconcile_sends_again_a_run_whose_dispatch_was_lost(
    organisation, django_capture_on_commit_callbacks, sent
):
    two_problems(organisation)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # the process died right after the commit
            run, _created = start_compliance_run(organisation, origin=ComplianceRun.Origin.MANUAL)
        assert run.dispatched_at == NOW
    with time_machine.travel(NOW + datetime.timedelta(minutes=9), tick=False):
        assert reconcile_compliance_runs() == {"redispatched": [], "failed": []}  # recent: left alone
    assert sent_ids(sent) == [run.pk]  # its first job only
    with time_machine.travel(NOW + datetime.timedelta(minutes=11), tick=False):
        assert reconcile_compliance_runs() == {"redispatched": [run.pk], "failed": []}
        assert sent_ids(sent) == [run.pk, run.pk]
        assert Job.objects.filter(task="processing.run_compliance_check").count() == 1  # the same job, waiting
        jobs.dispatch_due()  # the outbox's dispatcher (beat) sends it
        run.refresh_from_db()
        assert (run.status, run.attempts, run.opened) == ("done", 1, 2)  # the real check ran
        assert reconcile_compliance_runs() == {"redispatched": [], "failed": []}  # twice: nothing more
    assert Finding.objects.filter(organisation=organisation).count() == 2


def test_the_reconcile_sends_again_a_run_whose_worker_died(
    organisation, settings, sent, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_TIME_LIMIT = 360
    two_problems(organisation)
    run = queued_run(organisation, status="running", dispatched_at=NOW, started_at=NOW, attempts=1, steps_done=4)
    with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
        assert reconcile_compliance_runs()["redispatched"] == []  # maybe still working: within its time limit
    with (
        time_machine.travel(NOW + datetime.timedelta(minutes=8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert reconcile_compliance_runs()["redispatched"] == [run.pk]
    with time_machine.travel(NOW + datetime.timedelta(minutes=8), tick=False):
        assert reconcile_compliance_runs()["redispatched"] == []
    assert sent_ids(sent) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.opened) == ("done", 2, 2)


def test_the_reconcile_does_not_pile_up_copies_while_no_worker_takes_the_run(organisation, settings):
    run = queued_run(organisation, dispatched_at=NOW)
    with time_machine.travel(NOW + datetime.timedelta(minutes=11), tick=False):
        reconcile_compliance_runs()  # its job written (not sent: no commit here, as with no worker to take it)
    with time_machine.travel(NOW + datetime.timedelta(minutes=22), tick=False):
        reconcile_compliance_runs()  # the job still waiting is the one
    assert list(Job.objects.filter(task="processing.run_compliance_check").values_list("args", "status")) == [
        ([run.pk], "pending")
    ]
    run.refresh_from_db()
    assert (run.status, run.dispatched_at) == ("queued", NOW + datetime.timedelta(minutes=22))


def test_the_reconcile_gives_up_after_the_last_attempt(organisation, settings, sent):
    settings.COMPLIANCE_RUN_MAX_ATTEMPTS = 3
    stuck = queued_run(organisation, status="running", dispatched_at=NOW, started_at=NOW, attempts=3)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        assert reconcile_compliance_runs() == {"redispatched": [], "failed": [stuck.pk]}
        assert reconcile_compliance_runs() == {"redispatched": [], "failed": []}
    assert not sent.called
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.finished_at == NOW + datetime.timedelta(hours=1)
    assert stuck.error.startswith("Gave up after 3 attempts")


def test_the_reconcile_leaves_finished_and_recent_runs_alone(organisation, other_organisation, sent):
    queued_run(organisation, status="done", dispatched_at=NOW, started_at=NOW, finished_at=NOW)
    queued_run(organisation, status="failed", dispatched_at=NOW, started_at=NOW, finished_at=NOW)
    queued_run(other_organisation, status="running", dispatched_at=NOW, started_at=NOW, attempts=1)
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        assert reconcile_compliance_runs() == {"redispatched": [], "failed": []}
    assert not sent.called
