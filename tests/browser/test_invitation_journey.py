"""An invitation in Chromium (#21): the DPO invites by email from Members; the person opens the link, creates their
account and lands in the organisation; both pages pass axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership

from .harness import axe_violations
from .test_errors_and_breach_journey import browser_context_args  # noqa: F401  (a fixture: axe needs no CSP)
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def test_a_dpo_invites_and_the_person_creates_an_account_to_accept(
    live_server, browser, organisation, dpo, password, axe_script
):
    dpo_page = browser.new_context(bypass_csp=True).new_page()
    sign_in(dpo_page, live_server, "dpo", password)
    dpo_page.goto(f"{live_server.url}/o/{organisation.slug}/settings/members/")
    dpo_page.get_by_label("Email address").fill("sam@example.org")
    dpo_page.get_by_label("Role").last.select_option("manager")
    dpo_page.get_by_role("button", name="Send the invitation").click()
    expect(dpo_page.get_by_text("An invitation has been sent to sam@example.org.")).to_be_visible()
    expect(dpo_page.get_by_role("table").filter(has_text="sam@example.org")).to_be_visible()
    assert axe_violations(dpo_page, axe_script) == []

    link = re.search(r"https?://\S+/account/invitations/[\w-]+/", mail.outbox[-1].body).group(0)
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(link)
    expect(page.get_by_text("as Manager")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    page.get_by_label("Username").fill("sam")
    page.locator("#id_password1").fill("a-long-passphrase")
    page.get_by_label("The same password again").fill("a-long-passphrase")
    page.get_by_role("button", name="Create my account and accept").click()
    expect(page.get_by_text("Welcome: you are now Manager of Hexagone Logiciels SAS.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/")
    assert Membership.objects.get(user__username="sam", organisation=organisation).role == "manager"
