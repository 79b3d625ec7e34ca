"""Issue #19 item 1, in Chromium: the activity form section by section. A draft saved from its name alone; each
section opens and saves in place (htmx) with Save always in view and the list of sections keeping count; the same
journey without JavaScript, page by page; every section page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from processing.forms import EDITOR_SECTIONS
from processing.models import ProcessingActivity, RetentionLine
from processing.services import activity_create

from .harness import axe_violations, save_screenshot
from .test_errors_and_breach_journey import browser_context_args  # noqa: F401  (a fixture: axe needs no CSP)
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

TITLES = {key: str(title) for key, title in EDITOR_SECTIONS}


def test_a_draft_from_its_name_then_each_section_saved_in_place(
    live_server, page, organisation, dpo, password, axe_script
):
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/new/")
    expect(page.get_by_label("Name (required)")).to_be_visible()
    page.get_by_label("Name (required)").fill("Visitor badges")
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(re.compile(r"/register/\d+/edit/purposes/$"))
    activity = ProcessingActivity.objects.get(organisation=organisation, name="Visitor badges")
    expect(page.get_by_text("“Visitor badges” has been saved.")).to_be_visible()
    expect(page.locator("#editor-title")).to_be_focused()
    # From here on, sections open and save without reloading the page: a mark left on the window stays.
    page.evaluate("window.stillTheSamePage = true")

    sections = page.get_by_role("navigation", name="Sections of the activity")
    purposes = sections.get_by_role("listitem").filter(has_text=TITLES["purposes"])
    expect(purposes).to_contain_text("Missing: the main purpose, the lawful basis")
    page.get_by_label("Main purpose (required to activate)").fill("Let visitors into the building.")
    page.get_by_label("Lawful basis (Art. 6) (required to activate)").select_option("legitimate_interests")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(purposes).to_contain_text("Complete")
    assert page.evaluate("window.stillTheSamePage === true")
    assert axe_violations(page, axe_script) == []

    # A long section: wherever the DPO is in it, Save is in view.
    sections.get_by_role("link", name=TITLES["security"]).click()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/security/")
    page.mouse.wheel(0, 1500)
    save = page.get_by_role("button", name="Save", exact=True)
    box = save.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
    page.get_by_label("Access control").check()
    save.click()
    expect(sections.get_by_role("listitem").filter(has_text=TITLES["security"])).to_contain_text("Complete")
    assert axe_violations(page, axe_script) == []

    # Retention: no blank row, an Add button; the row it adds is saved.
    sections.get_by_role("link", name=TITLES["retention"]).click()
    expect(page.locator("#id_retention-0-duration")).to_have_count(0)
    page.get_by_role("button", name="Add a retention period").click()
    expect(page.locator("#id_retention-0-data_category")).to_be_focused()  # the new row's first field
    page.locator("#id_retention-0-duration").fill("2")
    page.locator("#id_retention-0-duration_unit").select_option(RetentionLine.Unit.YEARS)
    page.locator("#id_retention-0-trigger").select_option(RetentionLine.Trigger.END_OF_CONTRACT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(sections.get_by_role("listitem").filter(has_text=TITLES["retention"])).to_contain_text("Complete")
    assert page.evaluate("window.stillTheSamePage === true")
    save_screenshot(page, "activity-sections")

    activity.refresh_from_db()
    assert activity.purpose == "Let visitors into the building."
    assert activity.retention_lines.get().duration == 2 and activity.security_measures.count() == 1
    # The browser's back button returns to the previous section.
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/security/")
    assert console_errors == []


def test_without_javascript_each_section_is_a_page_and_add_asks_the_server(
    live_server, browser, organisation, dpo, password
):
    activity = activity_create(organisation=organisation, name="Payroll")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/retention/")
    page.get_by_role("button", name="Add a retention period").click()
    page.locator("#id_retention-0-duration").fill("6")
    page.locator("#id_retention-0-duration_unit").select_option(RetentionLine.Unit.YEARS)
    page.locator("#id_retention-0-trigger").select_option(RetentionLine.Trigger.END_OF_CONTRACT)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/security/")
    expect(page.get_by_text("“Payroll” has been saved.")).to_be_visible()
    assert activity.retention_lines.get().duration == 6
    context.close()


def test_every_section_of_an_activity_passes_axe_in_french(live_server, page, organisation, dpo, password, axe_script):
    activity = activity_create(organisation=organisation, name="Payroll")
    sign_in(page, live_server, "dpo", password)
    page.get_by_role("button", name="Français").click()
    for key in TITLES:
        page.goto(f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/{key}/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        assert axe_violations(page, axe_script) == [], key
