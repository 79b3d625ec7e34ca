"""A phone (390 px wide): the DPO's everyday pages never scroll sideways; tables become cards
or scroll inside a region of their own."""

import re

import pytest

from .harness import _django_db_helper, axe_violations, save_screenshot  # noqa: F401 (_django_db_helper: see demo_site)
from .test_accessibility import DEMO_ORGANISATION, DEMO_PASSWORD, HOME, speak
from .test_register_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    # bypass_csp: axe-core is injected as a <script> (see test_accessibility).
    return {**browser_context_args, "viewport": PHONE, "bypass_csp": True}


def first_link(page, url, pattern):
    page.goto(url)
    return (
        page.locator(f"main a[href*='{pattern}']")
        .filter(has_not_text=re.compile(r"^$"))
        .evaluate_all("links => links.map(link => link.getAttribute('href')).find(href => /\\/\\d+\\/$/.test(href))")
    )


def overflow(page) -> str:
    """'' when the page fits the screen; else its width and the elements that stick out."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return ""
    culprits = page.evaluate(
        """limit => [...document.querySelectorAll("body *")]
            .filter(element => element.getBoundingClientRect().right > limit
                && element.parentElement.getBoundingClientRect().right <= limit
                && !element.parentElement.closest(".table-scroll"))
            .slice(0, 5).map(element => `${element.tagName.toLowerCase()}.${element.className}`
                + ` in ${element.parentElement.tagName.toLowerCase()}.${element.parentElement.className}`)""",
        PHONE["width"],
    )
    return f"{page.url} is {width} px wide: {', '.join(culprits)}"


def discovery_pages(base: str) -> list[str]:
    """The demo's scanned system: its discovery page (sources, tables of columns, scans) and its scan's page."""
    from discovery.demo import SOURCE
    from discovery.models import Source

    source = Source.objects.get(name=SOURCE, organisation__slug=DEMO_ORGANISATION)
    return [base + f"discovery/systems/{source.system_id}/", base + f"discovery/scans/{source.last_scan_id}/"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_dpo_s_everyday_pages_fit_a_phone(demo_site, page, axe_script, language):
    sign_in(page, demo_site, "dpo", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/o/"))
    page.goto(demo_site.url + HOME)
    speak(page, language)
    base = demo_site.url + HOME
    pages = [
        base,
        base + "register/",
        demo_site.url + first_link(page, base + "register/", "/register/"),
        base + "findings/",
        base + "breaches/",
        demo_site.url + first_link(page, base + "breaches/", "/breaches/"),
        *discovery_pages(base),
    ]
    too_wide, violations = [], []
    for url in pages:
        page.goto(url)
        if problem := overflow(page):
            too_wide.append(problem)
        # What scrolls inside the page (a wide table) must be reachable from the keyboard.
        violations += axe_violations(page, axe_script)
    save_screenshot(page, f"phone-breach-{language}")
    assert too_wide == [], "\n".join(too_wide)
    assert violations == [], "\n".join(violations)
