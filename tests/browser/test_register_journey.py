import re

import pytest
from playwright.sync_api import expect

from inventory.models import Recipient
from inventory.services import catalogue_item_create, default_catalogue_load
from processing.models import ProcessingActivity

from .harness import save_screenshot

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()


def test_dpo_records_and_activates_an_activity_then_the_auditor_reads_it(
    live_server, page, organisation, dpo, auditor, password
):
    default_catalogue_load(organisation=organisation, language="en")
    catalogue_item_create(
        model=Recipient, organisation=organisation, name="Sales team", kind="internal", country_id="FR"
    )

    sign_in(page, live_server, "dpo", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.get_by_role("link", name="Record an activity").click()

    # Section by section, in the order of Art. 30: a draft from its name, then each section saved as it comes.
    page.get_by_label("Name (required)").fill("Customer portal accounts")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Main purpose (required to activate)").fill(
        "Give customers access to their account on the portal."
    )
    page.get_by_label("Lawful basis (Art. 6) (required to activate)").select_option("contract")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Email address").check()
    page.locator("#id_new_data_field").fill("Customer number")
    page.locator("#id_new_data_field_category").select_option("identification")
    page.get_by_role("button", name="Add a category of people").click()
    page.locator("#id_subjects-0-category").select_option(label="Customers")
    page.locator("#id_subjects-0-approximate_count").fill("500")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Sales team").check()
    page.locator("#id_new_system").fill("Portal on US cloud")
    page.locator("#id_new_system_kind").select_option("cloud")
    page.locator("#id_new_system_country").select_option("US")
    page.get_by_role("button", name="Save and continue").click()

    # The new system stores data in the USA: the transfers section proposes a row naming it.
    expect(page.get_by_text("Transfer rows are proposed below")).to_be_visible()
    expect(page.locator("#id_transfers-0-country")).to_have_value("US")
    page.locator("#id_transfers-0-mechanism").select_option("scc_2")
    page.locator("#id_transfers-0-tia_date").fill("2026-11-20")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Add a retention period").click()
    page.locator("#id_retention-0-duration").fill("3")
    page.locator("#id_retention-0-duration_unit").select_option("years")
    page.locator("#id_retention-0-trigger").select_option("end_of_contract")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("User access control").check()
    page.get_by_role("button", name="Save and activate").click()

    expect(page.get_by_text("Every mandatory item is recorded")).to_be_visible()
    expect(page.locator(".status-active").first).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("module 2"))).to_be_visible()
    save_screenshot(page, "dpo-activated-activity")
    activity = ProcessingActivity.objects.get(organisation=organisation)
    assert activity.status == "active"
    assert {field.name for field in activity.data_fields.all()} == {"Email address", "Customer number"}
    transfer = activity.transfers.get()
    assert (transfer.country_id, transfer.mechanism, transfer.system.name) == ("US", "scc_2", "Portal on US cloud")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "auditor", password)
    page.goto(f"{live_server.url}{activity.get_absolute_url()}")
    expect(page.get_by_role("heading", name=re.compile("Customer portal accounts"))).to_be_visible()
    expect(page.get_by_text("Every mandatory item is recorded")).to_be_visible()
    for control in ("Edit", "Activate", "Archive", "Copy"):
        expect(page.get_by_role("main").get_by_role("button", name=control)).to_have_count(0)
        expect(page.get_by_role("main").get_by_role("link", name=control, exact=True)).to_have_count(0)
    save_screenshot(page, "auditor-reads-activity")
