import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from breaches.models import Breach

from ..breaches.factories import log_breach
from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

PARIS = zoneinfo.ZoneInfo("Europe/Paris")  # the users' time zone (the default of their profile)


def local(hours_ago: float) -> str:
    moment = timezone.now() - datetime.timedelta(hours=hours_ago)
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M")


def test_the_dpo_logs_a_breach_watches_the_clock_notifies_late_and_the_auditor_reads_the_timeline(
    live_server, browser, organisation, dpo, auditor, password
):
    fresh = log_breach(organisation, title="Misdirected payslips", aware_hours_ago=2)
    page = browser.new_context().new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)

    page.goto(f"{live_server.url}/o/{organisation.slug}/breaches/")
    page.get_by_role("link", name="Log a breach").click()
    page.get_by_label("Title:").fill("Credential stuffing on the customer portal")
    page.get_by_label("What happened:", exact=True).fill("240 accounts accessed with leaked passwords.")
    page.get_by_label("Detected at:").fill(local(81))
    page.get_by_label("Became aware at:").fill(local(80))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Notification to the supervisory authority")).to_be_visible()
    expect(page.locator(".breach-clock")).to_contain_text("Overdue")
    expect(page.locator(".breach-clock")).to_contain_text("late by 8 hours")

    page.get_by_role("link", name="Breaches", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text="Credential stuffing")
    expect(row).to_contain_text("Overdue")
    # The overdue breach comes first; the fresh one counts down below it.
    expect(page.get_by_role("row").nth(1)).to_contain_text("Credential stuffing")
    expect(page.get_by_role("row").nth(2)).to_contain_text(re.compile(r"2 days 21 hours left\s*Deadline:"))
    save_screenshot(page, "breach-list-overdue")

    page.get_by_role("link", name="Misdirected payslips").click()
    expect(page.locator(".breach-clock")).to_contain_text("2 days 21 hours left")
    save_screenshot(page, "breach-detail-running")
    page.go_back()

    row.get_by_role("link").first.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Authority notified at:").fill(local(0))
    page.get_by_label("Supervisory authority:").fill("CNIL")
    page.get_by_label("Authority's reference:").fill("NOT-2026-0042")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_delay_reasons_error")).to_contain_text("give the reasons for the delay")
    assert Breach.objects.exclude(pk=fresh.pk).get().notified_at is None  # refused: nothing written

    page.get_by_label("Reasons for the delay:").fill("The attack was confirmed only after the forensic report.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".breach-clock")).to_contain_text("Notified late")
    expect(page.get_by_text("Notified to CNIL. Reference: NOT-2026-0042.")).to_be_visible()
    save_screenshot(page, "breach-notified-late")
    assert console_errors == []

    auditor_page = browser.new_context().new_page()
    sign_in(auditor_page, live_server, "auditor", password)
    logged = Breach.objects.exclude(pk=fresh.pk).get()
    auditor_page.goto(f"{live_server.url}/o/{organisation.slug}/breaches/{logged.pk}/")
    timeline = auditor_page.locator("#timeline")
    expect(timeline).to_contain_text("Breach logged.")
    expect(timeline).to_contain_text("Notified to CNIL. Reference: NOT-2026-0042.")
    expect(auditor_page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(auditor_page.get_by_role("button", name="Add")).to_have_count(0)
    save_screenshot(auditor_page, "breach-timeline-auditor")
