"""Dates and times one way per language, in the reader's time zone, on pages, in emails and PDFs:
"6 Dec 2026, 02:26" in English, « 6 déc. 2026, 02:26 » in French (``config/formats``).

Machines keep ISO dates (CSV and JSON exports, the API, HTML date inputs, a finding's stored params)."""

import datetime
import io
import re
import zoneinfo
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from accounts.models import User
from breaches.tasks import send_deadline_warnings
from core.dates import day_text, iso_day, moment_text, time_zone_of
from core.history import labelled
from processing.compliance.check import check_organisation
from processing.compliance.digest import send_digests
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load
from processing.reports.services import export_log
from processing.services import activity_create

from .breaches.factories import log_breach
from .conftest import client_for

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 12, 6, 1, 26, tzinfo=datetime.UTC)  # 02:26 in Paris
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NBSP = "\u00a0"

# What must never reach a reader: a day one reader takes for the month (12/06/2026), a 12-hour
# clock, an ISO date meant for machines.
AMBIGUOUS = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[ap]\.m\.|\b\d{4}-\d{2}-\d{2}\b")
ENGLISH_MOMENT = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2}\b")


# --- The formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("en", "6 Dec 2026", "6 Dec 2026, 02:26"), ("fr", "6 déc. 2026", "6 déc. 2026, 02:26")],
)
def test_each_language_writes_days_and_moments_one_way(language, day, moment):
    local = timezone.localtime(MOMENT, PARIS)
    with translation.override(language):
        assert date_format(local.date(), "DATE_FORMAT") == date_format(local.date(), "SHORT_DATE_FORMAT") == day
        assert date_format(local, "DATETIME_FORMAT") == date_format(local, "SHORT_DATETIME_FORMAT") == moment
        assert date_format(local, "TIME_FORMAT") == "02:26"
        assert date_format(local.replace(hour=14), "TIME_FORMAT") == "14:26"  # a 24-hour clock


def test_french_abbreviates_the_months_as_french_typography_does():
    """Django's own catalogue says « jan. » and « fév. »; ours, read first, says « janv. » and « févr. »."""
    with translation.override("fr"):
        months = [date_format(datetime.date(2026, month, 1), "DATE_FORMAT") for month in range(1, 13)]
    assert [day.split(" ")[1] for day in months] == [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ]  # fmt: skip


def test_templates_write_moments_in_the_readers_time_zone():
    template = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }} · {{ when|date:"DATE_FORMAT" }} · {{ when }}')
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert template.render(Context({"when": MOMENT})) == "5 Dec 2026, 20:26 · 5 Dec 2026 · 5 Dec 2026, 20:26"
    with translation.override("fr"), timezone.override(PARIS):
        assert template.render(Context({"when": MOMENT})) == "6 déc. 2026, 02:26 · 6 déc. 2026 · 6 déc. 2026, 02:26"


def test_the_date_helpers_read_iso_days_and_moments():
    assert iso_day("2026-11-03") == datetime.date(2026, 11, 3)
    assert iso_day("2026-13-03") is None and iso_day("PA-2026-11") is None and iso_day(MOMENT) is None
    with translation.override("fr"), timezone.override(PARIS):
        assert day_text("2026-11-03") == "3 nov. 2026"
        assert moment_text(MOMENT) == "6 déc. 2026, 02:26" and moment_text(None) == ""
    assert time_zone_of(User(time_zone="Asia/Tokyo")) == zoneinfo.ZoneInfo("Asia/Tokyo")
    assert time_zone_of(None) == timezone.get_default_timezone()


# --- Pages ---------------------------------------------------------------------------------


class PageText(HTMLParser):
    """The text a reader sees on a page (not its scripts, styles nor attributes) and its links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        if tag == "a" and (href := dict(attrs).get("href")):
            self.links.append(href)

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


# Links not to follow: files, other languages, the admin and the API, leaving.
NOT_PAGES = ("logout", "/api/", "/admin/", "export", "download", "pdf", "language", "/static/", "/media/")


def crawl(client, start="/", limit=120) -> dict[str, str]:
    """The text of every page reachable from ``start``, one page per kind of address
    (/register/1/ stands for /register/2/): the demo's main pages, each once."""
    pages, kinds, queue = {}, set(), [start]
    while queue and len(pages) < limit:
        url = queue.pop(0)
        kind = re.sub(r"/\d+/", "/N/", url)
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        parser = PageText()
        parser.feed(response.content.decode())
        pages[url] = " ".join(" ".join(parser.text).split())
        for href in parser.links:
            address = urlsplit(href)
            if (
                not address.netloc
                and address.path.startswith("/")
                and not any(part in address.path for part in NOT_PAGES)
            ):
                queue.append(address.path)
    return pages


@pytest.fixture
def demo():
    call_command("seed_demo", force=True)
    return User.objects.get(username="dpo")


def test_the_demos_pages_write_no_ambiguous_date_in_english(demo):
    demo.language, demo.time_zone = "en", "Europe/Paris"
    demo.save()
    pages = crawl(client_for(demo))
    assert len(pages) >= 30  # the register, its records and history, findings, breaches, reports, settings…
    ambiguous = {url: match.group(0) for url, text in pages.items() if (match := AMBIGUOUS.search(text))}
    assert ambiguous == {}, 'write dates with the named formats: |date:"DATE_FORMAT", core.dates.day_text…'
    assert any(ENGLISH_MOMENT.search(text) for text in pages.values())
    # A finding's stored day (ISO, for machines) reads as the language writes it.
    findings = pages[reverse("compliance:finding_list", args=["hexagone-logiciels"])]
    assert re.search(r"The review of this activity was due on \d{1,2} [A-Z][a-z]{2} \d{4}\.", findings)


def test_a_french_reader_sees_french_dates_in_their_time_zone(dpo, organisation):
    with time_machine.travel(MOMENT, tick=False):
        breach = log_breach(organisation, aware_hours_ago=0)
    dpo.language, dpo.time_zone = "fr", "America/Martinique"  # UTC-4
    dpo.save()
    page = client_for(dpo).get(breach.get_absolute_url()).content.decode()
    parser = PageText()
    parser.feed(page)
    text = " ".join(" ".join(parser.text).split())
    assert "5 déc. 2026, 21:26" in text  # became aware
    assert "8 déc. 2026, 21:26" in text  # the deadline, 72 hours later
    assert not AMBIGUOUS.search(text)
    for value in re.findall(r'datetime="([^"]+)"', page):
        assert datetime.datetime.fromisoformat(value)  # machines still read ISO


def test_a_findings_day_is_stored_iso_and_read_in_the_readers_language(organisation):
    with time_machine.travel(MOMENT, tick=False):
        activity_create(organisation=organisation, name="Paie", purpose="P", next_review_on=datetime.date(2026, 11, 3))
        check_organisation(organisation)
    finding = Finding.objects.get(rule="retention.review_overdue")
    assert finding.params == {"due": "2026-11-03"}  # unchanged: what the API and exports give
    rule = load()["retention.review_overdue"]
    assert "was due on 3 Nov 2026." in rule.render(finding.params)
    with translation.override("fr"):
        assert "3 nov. 2026" in rule.render(finding.params)


def test_the_export_log_writes_the_day_of_an_export_as_of_a_day(dpo_client, organisation):
    export_log(
        organisation=organisation, user=None, report="register", format="csv", language="fr",
        options={"as_of": "2026-01-31", "active_only": False},
    )  # fmt: skip
    page = dpo_client.get(reverse("reports:report_list", args=[organisation.slug])).content.decode()
    assert "As of 31 Jan 2026" in page and "2026-01-31" not in page


def test_history_writes_the_separator_each_language_uses():
    assert labelled("duration", "— → 3") == "Duration: — → 3"
    with translation.override("fr"):
        assert labelled("durée", "— → 3") == f"Durée{NBSP}: — → 3"


# --- Emails ----------------------------------------------------------------------------------


def test_the_digest_writes_days_in_the_dpos_language(dpo, organisation, settings):
    settings.SITE_URL = "https://registre.example.org"
    dpo.email, dpo.language = "dpo@hexagone.example", "fr"
    dpo.save()
    with time_machine.travel(MOMENT - datetime.timedelta(hours=2), tick=False):
        activity_create(organisation=organisation, name="Paie", purpose="P", next_review_on=datetime.date(2026, 11, 3))
        activity_create(
            organisation=organisation, name="Lettre", purpose="P", next_review_on=datetime.date(2026, 12, 13)
        )
        check_organisation(organisation)
    with time_machine.travel(MOMENT, tick=False):
        assert send_digests() == 1
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert "3 nov. 2026" in body  # the finding's day
        assert "13 déc. 2026" in body  # the review falling due in a week
        assert not AMBIGUOUS.search(body.replace("https://", ""))


def test_the_deadline_warning_writes_moments_in_the_dpos_time_zone(dpo, organisation):
    dpo.email, dpo.language, dpo.time_zone = "dpo@hexagone.example", "en", "Asia/Tokyo"  # UTC+9
    dpo.save()
    with time_machine.travel(MOMENT, tick=False):
        breach = log_breach(organisation, aware_hours_ago=0)
    with time_machine.travel(MOMENT + datetime.timedelta(hours=50), tick=False):
        assert send_deadline_warnings(organisation.pk, [breach.pk]) == 1
    (email,) = mail.outbox
    for body in (email.body, email.alternatives[0][0]):
        assert "6 Dec 2026, 10:26" in body  # became aware
        assert "9 Dec 2026, 10:26" in body  # deadline
        assert not AMBIGUOUS.search(body)


# --- PDFs ------------------------------------------------------------------------------------


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())


def test_the_notification_draft_pdf_writes_moments_in_the_language_of_the_draft(dpo, organisation):
    with time_machine.travel(MOMENT, tick=False):
        breach = log_breach(organisation, aware_hours_ago=0)
    dpo.time_zone = "Europe/Paris"
    dpo.save()
    url = reverse("breaches:notification_draft_pdf", args=[organisation.slug, breach.pk])
    french = pdf_text(client_for(dpo).get(url + "?lang=fr"))
    assert "6 déc. 2026, 02:26" in french and "9 déc. 2026, 02:26" in french
    english = pdf_text(client_for(dpo).get(url + "?lang=en"))
    assert "6 Dec 2026, 02:26" in english and not AMBIGUOUS.search(english)


def test_the_breach_register_pdf_writes_moments_as_the_language_does(dpo, organisation):
    with time_machine.travel(MOMENT, tick=False):
        log_breach(organisation, aware_hours_ago=0)
    dpo.time_zone = "Europe/Paris"
    dpo.save()
    response = client_for(dpo).get(reverse("breaches:breach_export", args=[organisation.slug]) + "?format=pdf&lang=fr")
    text = pdf_text(response)
    assert "6 déc. 2026, 02:26" in text and not AMBIGUOUS.search(text)
    # The CSV keeps a sortable moment for machines and spreadsheets.
    csv = client_for(dpo).get(reverse("breaches:breach_export", args=[organisation.slug]) + "?format=csv&lang=fr")
    assert "2026-12-06 02:26" in csv.content.decode()
