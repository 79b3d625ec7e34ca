import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from processing.services import activity_create

from ..accounts.factories import MembershipFactory, UserFactory
from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def test_two_dpos_edit_the_same_activity_and_nothing_is_lost(live_server, browser, organisation, dpo, password):
    MembershipFactory(user=UserFactory(username="colleague"), organisation=organisation, role=Membership.Role.DPO)
    activity = activity_create(organisation=organisation, name="Newsletter", purpose="Send the newsletter.")
    edit_url = f"{live_server.url}/o/{organisation.slug}/register/{activity.pk}/edit/"
    purposes_url = f"{edit_url}purposes/"

    first, second = browser.new_context(), browser.new_context()
    dpo_page, colleague_page = first.new_page(), second.new_page()
    sign_in(dpo_page, live_server, "dpo", password)
    sign_in(colleague_page, live_server, "colleague", password)
    dpo_page.goto(purposes_url)  # each in a section of their own: the name, the purpose
    colleague_page.goto(f"{edit_url}identity/")

    colleague_page.locator("#id_name").fill("Monthly newsletter")
    colleague_page.get_by_role("button", name="Save", exact=True).click()
    expect(colleague_page.get_by_text("“Monthly newsletter” has been saved.")).to_be_visible()

    dpo_page.locator("#id_purpose").fill("Send the monthly newsletter to subscribers.")
    dpo_page.get_by_role("button", name="Save", exact=True).click()
    expect(dpo_page.get_by_text("Someone else changed this activity while you were editing it.")).to_be_visible()
    expect(dpo_page.get_by_text("Name: Newsletter → Monthly newsletter")).to_be_visible()
    # The DPO's own edit is still in the form; having read the colleague's change, they save again.
    expect(dpo_page.locator("#id_purpose")).to_have_value("Send the monthly newsletter to subscribers.")
    save_screenshot(dpo_page, "dpo-edit-conflict")
    dpo_page.get_by_role("button", name="Save", exact=True).click()
    expect(dpo_page.get_by_text("“Monthly newsletter” has been saved.")).to_be_visible()

    activity.refresh_from_db()
    assert (activity.name, activity.purpose) == ("Monthly newsletter", "Send the monthly newsletter to subscribers.")
    first.close()
    second.close()
