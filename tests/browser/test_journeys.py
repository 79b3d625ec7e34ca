import re

import pytest
from playwright.sync_api import expect

from .harness import save_screenshot

pytestmark = pytest.mark.browser


def test_dpo_signs_in_switches_to_french_and_signs_out(live_server, page, dpo, password, organisation):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/login/"))

    page.get_by_label("Username").fill("dpo")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(rf"/o/{organisation.slug}/$"))
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Register")).to_be_visible()

    page.get_by_role("button", name="Français").click()

    navigation = page.get_by_role("navigation", name="Principale")
    for label in ("Registre", "Violations", "Constats", "Rapports", "Paramètres"):
        expect(navigation.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    save_screenshot(page, "dpo-french-organisation-home")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/account/login/"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    save_screenshot(page, "dpo-signed-out")
