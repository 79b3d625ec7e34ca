"""Errors you can see, a breach logged in its first hour, the register's data filled in only as
chosen, and the error pages in the reader's language."""

import datetime
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from breaches.models import Breach

from ..breaches.factories import log_breach
from ..conftest import service_missing
from .harness import AXE_SCRIPT, axe_violations, save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "registre-demo"  # the demo's published password (README)


@pytest.fixture
def axe():
    """axe-core's script (tests/browser/harness.py), installed by `npm ci`."""
    if not AXE_SCRIPT.exists():
        service_missing(f"accessibility tests need axe-core at {AXE_SCRIPT} (run `npm ci`, or `make install-dev`)")
    return AXE_SCRIPT


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as a <script>: the app's strict CSP (script-src 'self') would refuse it.
    return {**browser_context_args, "bypass_csp": True}


def local(hours_ago: float) -> str:
    moment = timezone.now() - datetime.timedelta(hours=hours_ago)
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M")


def expect_summary_with_focus(page, axe):
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    box = summary.bounding_box()  # in view: where the reader is, not 9,000 px below
    assert 0 <= box["y"] < page.viewport_size["height"]
    assert axe_violations(page, axe) == []
    return summary


def test_a_refused_activation_and_a_refused_closure_are_summed_up_at_the_top_with_focus(
    live_server, page, organisation, dpo, password, axe
):
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)

    page.goto(f"{live_server.url}/o/{organisation.slug}/register/new/")
    page.locator("#id_name").fill("Customer portal accounts")
    page.get_by_role("button", name="Save and activate").click()
    summary = expect_summary_with_focus(page, axe)
    expect(summary).to_contain_text("An active activity must record every mandatory item")
    expect(summary).to_contain_text("Art. 30(1)(b): the main purpose")
    save_screenshot(page, "activity-error-summary")

    page.locator("#id_name").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = expect_summary_with_focus(page, axe)
    link = summary.get_by_role("link", name="Name: This field is required.")
    expect(link).to_have_attribute("href", "#id_name")
    link.click()
    expect(page.locator("#id_name")).to_be_focused()

    breach = log_breach(organisation, title="Misdirected payslips")
    page.goto(f"{live_server.url}/o/{organisation.slug}/breaches/{breach.pk}/edit/")
    page.locator("#id_status").select_option("closed")
    page.get_by_role("button", name="Save", exact=True).click()
    summary = expect_summary_with_focus(page, axe)
    link = summary.get_by_role("link", name="Assess the risk before closing the breach.")
    expect(link).to_have_attribute("href", "#id_status")
    link.click()
    expect(page.locator("#id_status")).to_be_focused()
    save_screenshot(page, "breach-closure-error-summary")
    breach.refresh_from_db()
    assert breach.status == Breach.Status.OPEN and console_errors == []


def test_the_dpo_logs_a_breach_in_its_first_hour_with_fewer_than_ten_fields(
    live_server, page, organisation, dpo, password, axe
):
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/breaches/")
    page.get_by_role("link", name="Log a breach").click()
    form = page.locator("main form.form")
    names = form.locator("input:not([type=hidden]), select, textarea").evaluate_all(
        "controls => [...new Set(controls.map(c => c.name))]"
    )
    assert len(names) < 10, names
    page.get_by_role("button", name="Save", exact=True).click()  # nothing typed yet
    summary = expect_summary_with_focus(page, axe)
    expect(summary).to_contain_text("Give the breach a short title")
    assert not Breach.objects.exists()

    page.get_by_label("Title:").fill("Stolen sales laptop")
    page.get_by_label("What happened:", exact=True).fill("A sales laptop was stolen from a car.")
    page.get_by_label("Detected at:").fill(local(3))
    page.get_by_label("Became aware at:").fill(local(2))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".breach-clock")).to_contain_text("left")
    remaining = page.locator("section.completeness")
    expect(remaining.get_by_role("heading", name="What remains to record")).to_be_visible()
    expect(remaining.get_by_role("link", name="Nature and cause")).to_be_visible()
    expect(remaining).to_contain_text("The categories of data concerned (Art. 33(3)(a)).")
    assert axe_violations(page, axe) == []
    save_screenshot(page, "breach-first-hour-logged")
    assert Breach.objects.get().title == "Stolen sales laptop"


def test_filling_in_from_pa_001_and_salesforce_adds_no_health_data(live_server, page, db):
    call_command("seed_demo", force=True)
    sign_in(page, live_server, "dpo", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/o/hexagone-logiciels/breaches/new/?form=full")
    page.locator("#affected").get_by_label("PA-001", exact=False).check()
    page.locator("#affected").get_by_label("Salesforce Sales Cloud").check()
    page.get_by_role("button", name="Fill in data and people from these activities and systems").click()
    expect(page.locator('input[name="data_categories"][value="identification"]')).to_be_checked()
    expect(page.locator('input[name="data_categories"][value="special"]')).not_to_be_checked()
    expect(page.locator('input[name="special_categories"]:checked')).to_have_count(0)
    expect(page.locator('input[name="proposed"]')).to_have_count(0)
    save_screenshot(page, "breach-prefill-chosen-only")

    # The system alone: what it holds is proposed with its source, nothing is ticked for the DPO.
    page.locator("#affected").get_by_label("PA-001", exact=False).uncheck()
    page.locator('input[name="data_categories"]:checked').evaluate_all("boxes => boxes.forEach(b => b.click())")
    page.get_by_role("button", name="Fill in data and people from these activities and systems").click()
    proposals = page.locator("#proposals")
    expect(proposals).to_contain_text("PA-014")
    expect(page.locator('input[name="proposed"]:checked')).to_have_count(0)
    expect(page.locator('input[name="special_categories"]:checked')).to_have_count(0)
    assert not Breach.objects.filter(title="").exists()


def test_the_error_pages_speak_french_and_offer_a_way_back(live_server, page, organisation, manager, password):
    User.objects.filter(pk=manager.pk).update(language="fr")
    breach = log_breach(organisation)
    sign_in(page, live_server, "manager", password)
    detail = f"{live_server.url}/o/{organisation.slug}/breaches/{breach.pk}/"
    page.goto(detail)
    response = page.goto(f"{detail}edit/", referer=detail)
    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Vous n’avez pas le droit de faire cela")).to_be_visible()
    page.get_by_role("link", name="Revenir à la page précédente").click()
    expect(page).to_have_url(detail)

    response = page.goto(f"{live_server.url}/o/{organisation.slug}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    page.get_by_role("link", name="Aller à la page d’accueil").click()
    expect(page).not_to_have_url(re.compile("no-such-page"))
    expect(page.get_by_role("heading", name="Page introuvable")).to_have_count(0)
