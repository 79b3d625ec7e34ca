"""The storage countries of a system chosen by keyboard alone, none ever dropped silently (issue #19, item 7)."""

import pytest
from playwright.sync_api import expect

from inventory.models import System

from ..inventory.factories import SystemFactory
from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def test_the_dpo_adds_and_removes_storage_countries_by_keyboard(live_server, browser, organisation, dpo, password):
    crm = SystemFactory(organisation=organisation, name="CRM", countries=["FR", "US"])
    page = browser.new_context().new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/catalogue/systems/{crm.pk}/")

    chosen = page.locator(".country-picker-chosen")
    expect(chosen).to_contain_text("France (EEA)")
    expect(chosen).to_contain_text("United States of America (partial adequacy decision)")
    # Keyboard alone: from the hosting provider's list, Tab reaches the search box.
    page.locator("#id_hosting_provider").focus()
    page.keyboard.press("Tab")
    search = page.get_by_role("combobox", name="Add a country")
    expect(search).to_be_focused()
    page.keyboard.type("japa")
    expect(page.get_by_role("option", name="Japan (partial adequacy decision)")).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.type("ind")
    page.keyboard.press("ArrowDown")  # the first match is the British Indian Ocean Territory; the second, India
    page.keyboard.press("Enter")
    expect(chosen).to_contain_text("Japan (partial adequacy decision)")
    expect(chosen.get_by_text("India", exact=True)).to_be_visible()  # no adequacy decision, not in the EEA
    expect(chosen).to_contain_text("France (EEA)"), "adding a country keeps the ones already chosen"
    save_screenshot(page, "country-picker")
    # Remove the United States with the keyboard: Tab to its button, Enter.
    remove = page.get_by_role("button", name="Remove United States of America (partial adequacy decision)")
    remove.focus()
    page.keyboard.press("Enter")
    expect(chosen).not_to_contain_text("United States")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/o/{organisation.slug}/catalogue/systems/")
    assert sorted(System.objects.get(pk=crm.pk).country_links.values_list("country_id", flat=True)) == [
        "FR",
        "IN",
        "JP",
    ]
    assert console_errors == []
