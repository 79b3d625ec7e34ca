import pytest
from playwright.sync_api import expect

from inventory.models import AdequacyDecision
from processing.compliance.models import Finding
from processing.services import activity_create

from ..inventory.factories import RecipientFactory
from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def test_the_dpo_asks_what_the_eu_us_decision_falling_would_change(live_server, browser, organisation, dpo, password):
    cloud = RecipientFactory(organisation=organisation, name="Cloud Inc.", country_id="US", is_dpf_certified=True)
    activity_create(
        organisation=organisation,
        name="Hosting",
        purpose="Host the website",
        recipients=[cloud],
        transfers=[{"country_id": "US", "recipient": cloud, "mechanism": "adequacy"}],
    )
    activity_create(
        organisation=organisation,
        name="London office",
        purpose="Share files with the London office",
        transfers=[{"country_id": "GB", "mechanism": "adequacy"}],
    )
    findings = list(Finding.objects.values())
    decisions = list(AdequacyDecision.objects.values())
    page = browser.new_context().new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)

    page.goto(f"{live_server.url}/o/{organisation.slug}/findings/")
    save_screenshot(page, "whatif-link-on-findings")
    page.get_by_role("link", name="What if an adequacy decision changed?").click()
    page.get_by_label("The country's adequacy decision no longer applies from a date").check()
    page.get_by_role("combobox", name="Country").select_option("US")
    page.get_by_label("From:", exact=True).fill("2027-01-01")
    page.get_by_role("button", name="Show the findings it would change").click()
    expect(page.get_by_role("heading", name="1 finding would appear")).to_be_visible()
    expect(page.get_by_role("heading", name="0 findings would disappear")).to_be_visible()
    gained = page.get_by_role("table", name="1 finding would appear")
    expect(gained.get_by_role("link", name="Hosting")).to_be_visible()
    expect(gained).to_contain_text("Transfers with no valid transfer tool today: United States of America (Cloud Inc.)")
    save_screenshot(page, "whatif-eu-us-falls")

    page.get_by_label("The country's adequacy decision is not renewed: it ends on its end date").check()
    page.get_by_role("combobox", name="Country").select_option("GB")
    page.get_by_label("From:", exact=True).fill("")
    page.get_by_role("button", name="Show the findings it would change").click()
    expect(page.get_by_role("heading", name="If the adequacy decision for United Kingdom")).to_be_visible()
    expect(page.get_by_role("table", name="1 finding would appear").get_by_role("link")).to_contain_text(
        "London office"
    )
    save_screenshot(page, "whatif-uk-not-renewed")

    page.get_by_label("The country's adequacy decision no longer applies from a date").check()
    page.get_by_role("combobox", name="Country").select_option("IN")
    page.get_by_label("From:", exact=True).fill("2027-01-01")
    page.get_by_role("button", name="Show the findings it would change").click()
    error = "India has no adequacy decision in force on 31 Dec 2026: there is none to end."
    expect(page.get_by_text(error, exact=True)).to_be_visible()  # next to the field
    expect(page.get_by_role("link", name=f"Country: {error}")).to_be_visible()  # and in the summary above

    save_screenshot(page, "whatif-error")

    assert list(Finding.objects.values()) == findings
    assert list(AdequacyDecision.objects.values()) == decisions
    assert console_errors == []
