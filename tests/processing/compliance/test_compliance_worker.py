"""The compliance watch with the real Celery worker process, through Redis."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from processing.compliance.models import ComplianceRun, Finding
from processing.compliance.rules.registry import load
from processing.services import activity_create, activity_update

from ...core.test_worker import wait_for
from ...inventory.factories import SystemFactory

pytestmark = pytest.mark.worker


def test_a_worker_flags_data_stored_in_india_and_resolves_it_once_covered(celery_worker, organisation):
    bangalore = SystemFactory(organisation=organisation, name="Bangalore support desk", countries=["IN"])
    activity = activity_create(organisation=organisation, name="Support", purpose="Help customers", systems=[bangalore])

    def finding():
        return Finding.objects.filter(organisation=organisation, rule="transfer.destination_uncovered").first()

    opened = wait_for(lambda: (found := finding()) and found.status == Finding.Status.OPEN and found)
    assert opened, celery_worker.log()
    assert opened.params == {"destinations": [["IN", "Bangalore support desk"]]}

    activity_update(
        activity=activity,
        transfers=[
            {
                "country_id": "IN",
                "system": bangalore,
                "mechanism": "scc_2",
                "tia_date": date.today() - timedelta(days=30),
                "tia_reference": "TIA-7",
            }
        ],
    )
    assert wait_for(lambda: finding().status == Finding.Status.RESOLVED), celery_worker.log()


def test_a_run_started_from_the_findings_page_is_done_by_the_worker(celery_worker, dpo_client, organisation):
    # A review date passed: the run records a finding.
    activity_create(organisation=organisation, name="Payroll", purpose="Pay staff", next_review_on=date(2020, 1, 1))
    started = dpo_client.post(reverse("compliance:compliance_run_start", args=[organisation.slug]))
    run = ComplianceRun.objects.get(organisation=organisation)
    assert started["Location"] == reverse("compliance:compliance_run_detail", args=[organisation.slug, run.pk])
    status_url = reverse("compliance:compliance_run_status", args=[organisation.slug, run.pk])

    status = wait_for(lambda: (body := dpo_client.get(status_url).json())["finished"] and body)
    assert status, celery_worker.log()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("done", 1, ""), celery_worker.log()
    assert run.steps_done == run.steps_total == len(load()) and status["percent"] == 100
    assert run.started_at <= run.finished_at
    assert Finding.objects.get().rule == "retention.review_overdue"
