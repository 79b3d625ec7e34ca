"""The register list's bulk actions: the DPO ticks every activity of the page at once ("Select all on this page",
static/js/select-all.js), with the keyboard only, then archives them."""

import pytest
from playwright.sync_api import expect

from processing.models import ProcessingActivity
from processing.services import activity_create

from .harness import axe_violations, save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

NAMES = ("Newsletter", "Visitors' badges", "Job applications")


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as a <script>: the app's strict CSP (script-src 'self') would refuse it.
    return {**browser_context_args, "bypass_csp": True}


def test_dpo_selects_every_activity_of_the_page_with_the_keyboard_and_archives_them(
    live_server, page, organisation, dpo, password, axe_script
):
    activities = [activity_create(organisation=organisation, name=name, purpose="To test.") for name in NAMES]
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/?lang=en")

    select_all = page.get_by_role("checkbox", name="Select all on this page")
    boxes = [page.get_by_label(f"Choose {activity.reference} · {activity.name}") for activity in activities]
    expect(select_all).to_be_visible()
    expect(select_all).not_to_be_checked()
    assert axe_violations(page, axe_script) == []

    # Keyboard only: focus the box, Space ticks every activity of the page.
    select_all.focus()
    page.keyboard.press("Space")
    expect(select_all).to_be_checked()
    for box in boxes:
        expect(box).to_be_checked()

    # One unticked (Space on its own box): the select-all box turns mixed; Space on it ticks all again.
    boxes[1].focus()
    page.keyboard.press("Space")
    expect(boxes[1]).not_to_be_checked()
    assert select_all.evaluate("box => box.indeterminate") is True
    expect(select_all).not_to_be_checked()
    select_all.focus()
    page.keyboard.press("Space")
    assert select_all.evaluate("box => box.indeterminate") is False
    for box in boxes:
        expect(box).to_be_checked()

    # Space again unticks them all.
    page.keyboard.press("Space")
    for box in boxes:
        expect(box).not_to_be_checked()
    page.keyboard.press("Space")
    save_screenshot(page, "dpo-select-all")

    archive = page.get_by_role("button", name="Archive the chosen activities")
    archive.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text(f"{len(NAMES)} activities are archived.")).to_be_visible()
    expect(page.locator("tbody .status-archived")).to_have_count(len(NAMES))  # the list shows them archived
    expect(select_all).not_to_be_checked()
    assert {activity.status for activity in ProcessingActivity.objects.filter(organisation=organisation)} == {
        ProcessingActivity.Status.ARCHIVED
    }
