import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from processing.compliance.models import ComplianceRun
from processing.compliance.rules.registry import load
from processing.services import activity_create

from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def test_the_dpo_runs_the_checks_and_watches_a_run_move_without_reloading(
    live_server, browser, organisation, dpo, password
):
    activity_create(
        organisation=organisation, name="Payroll", purpose="Pay staff", next_review_on=datetime.date(2020, 1, 1)
    )
    context = browser.new_context()
    page = context.new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)

    # Celery runs eagerly here: the run is done by the time the page shows it.
    page.goto(f"{live_server.url}/o/{organisation.slug}/findings/")
    page.get_by_role("button", name="Run the checks now").click()
    expect(page.get_by_role("heading", name="Compliance checks")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Done")).to_be_visible()
    total = len(load())
    expect(page.get_by_label("Checks done")).to_have_js_property("value", total)
    expect(page.get_by_text(f"{total} of {total} checks")).to_be_visible()
    page.get_by_role("link", name="See the findings").click()
    expect(page.get_by_text("Last full check:")).to_be_visible()
    save_screenshot(page, "findings-last-run")

    # A run a worker is doing: the script asks its status and moves the bar, then shows the result.
    run = ComplianceRun.objects.create(
        organisation=organisation, origin=ComplianceRun.Origin.NIGHTLY, dispatched_at=timezone.now()
    )
    page.goto(f"{live_server.url}/o/{organisation.slug}/findings/runs/{run.pk}/")
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()  # the script refreshes instead
    ComplianceRun.objects.filter(pk=run.pk).update(status="running", steps_done=3, steps_total=13)
    expect(page.get_by_text("3 of 13 checks")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Running")
    expect(page.get_by_label("Checks done")).to_have_js_property("value", 3)
    expect(page.get_by_label("Checks done")).to_have_js_property("max", 13)
    save_screenshot(page, "compliance-run-progress")
    ComplianceRun.objects.filter(pk=run.pk).update(
        status="done", steps_done=13, opened=4, resolved=1, finished_at=timezone.now()
    )
    expect(page.get_by_text("4 new findings")).to_be_visible()
    expect(page.get_by_text("1 finding resolved")).to_be_visible()
    save_screenshot(page, "compliance-run-done")
    assert console_errors == []  # a CSP violation would show here
    context.close()

    # Without JavaScript, the page offers a link to look again.
    ComplianceRun.objects.filter(pk=run.pk).update(status="running", steps_done=5)
    no_script = browser.new_context(java_script_enabled=False)
    page = no_script.new_page()
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/findings/runs/{run.pk}/")
    expect(page.get_by_text("5 of 13 checks")).to_be_visible()
    ComplianceRun.objects.filter(pk=run.pk).update(steps_done=9)
    page.get_by_role("link", name="Refresh").click()
    expect(page.get_by_text("9 of 13 checks")).to_be_visible()
    no_script.close()
