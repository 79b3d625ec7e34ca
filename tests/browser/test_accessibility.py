"""WCAG 2.1 AA: axe-core over every page a member reaches, for each role and language.

The crawl starts from the demo organisation's home page and follows the links a person can
follow within the organisation and the account pages, one page per URL pattern: one activity
record stands for all fifteen, one catalogue list for the four. The API explorer and the pages
before signing in are the same for everyone: they are scanned once per language.
"""

import re
import time
from urllib.parse import urldefrag, urlsplit

import pytest

from .harness import _django_db_helper, axe_violations  # noqa: F401 (_django_db_helper: see demo_site)
from .test_register_journey import sign_in

# The demo is seeded once for the module (harness.demo_site); the mark only has the test database made.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DEMO_ORGANISATION = "hexagone-logiciels"
DEMO_PASSWORD = "registre-demo"  # the demo's published password (README)
HOME = f"/o/{DEMO_ORGANISATION}/"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

# Links that are not pages to read: files, fragments that htmx polls, the machine-readable API.
NOT_PAGES = re.compile(r"/(download|export|pdf|status)/$")
PAGE_LIMIT = 80  # a safety net: the demo has about 50 patterns (each section of the activity form is one)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as a <script>: the app's strict CSP (script-src 'self') would refuse it.
    return {**browser_context_args, "bypass_csp": True}


def pattern_of(path: str) -> str:
    """``/register/12/`` and ``/register/13/`` are one page; so are the catalogue's four lists."""
    path = re.sub(r"/\d+(?=/)", "/<id>", path)
    return re.sub(r"/catalogue/[\w-]+/", "/catalogue/<kind>/", path)


def in_scope(path: str) -> bool:
    return path.startswith((HOME, "/account/")) and path != "/account/logout/" and not NOT_PAGES.search(path)


def speak(page, language: str):
    """Switch with the header's language buttons (a member's choice is kept on their account)."""
    if page.locator("html").get_attribute("lang") != language:
        url = page.url
        page.get_by_role("button", name=LANGUAGE_NAMES[language], exact=True).click()
        page.wait_for_url(url)
    assert page.locator("html").get_attribute("lang") == language


def crawl(page, base_url: str, axe_script, language: str):
    """Breadth-first over the links in scope, one page per pattern: (pages scanned, violations)."""
    queue, seen, scanned, violations = [HOME], set(), [], []
    host = urlsplit(base_url).netloc
    while queue and len(scanned) < PAGE_LIMIT:
        path = queue.pop(0)
        if pattern_of(urlsplit(path).path) in seen:
            continue
        seen.add(pattern_of(urlsplit(path).path))
        response = page.goto(base_url + path)
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            continue
        scanned.append(path)
        violations += axe_violations(page, axe_script)
        if page.locator("html").get_attribute("lang") != language:
            violations.append(f"html-lang: {page.url} is not in {language!r}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            url = urlsplit(urldefrag(href).url)
            if url.netloc == host and in_scope(url.path) and pattern_of(url.path) not in seen:
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return scanned, violations


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("username", ["dpo", "manager", "auditor"])
def test_every_page_a_member_reaches_passes_axe(demo_site, page, axe_script, username, language):
    started = time.monotonic()
    sign_in(page, demo_site, username, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/o/"))
    page.goto(demo_site.url + HOME)
    speak(page, language)

    scanned, violations = crawl(page, demo_site.url, axe_script, language)

    print(f"{username}/{language}: {len(scanned)} pages in {time.monotonic() - started:.0f} s")
    assert len(scanned) >= 20, scanned  # the crawl really went round the organisation
    # Discovery's pages, reached from the home's card (the demo's scanned system has columns to review).
    for discovery in ("/discovery/systems/", "/discovery/scans/"):
        assert any(discovery in path for path in scanned), discovery
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pages_before_signing_in_and_the_api_explorer_pass_axe(demo_site, page, axe_script, language):
    page.goto(f"{demo_site.url}/account/login/")
    speak(page, language)
    violations = axe_violations(page, axe_script)
    page.goto(f"{demo_site.url}/account/password/reset/")
    violations += axe_violations(page, axe_script)
    # The explorer (Swagger UI) draws the page from the schema after loading it.
    page.goto(f"{demo_site.url}/api/docs/")
    page.locator(".opblock-summary-control").first.wait_for()
    violations += axe_violations(page, axe_script)
    assert page.locator("html").get_attribute("lang") == "en"  # Swagger UI and the schema are English
    assert violations == [], "\n".join(violations)


def test_the_api_explorer_passes_axe_once_an_operation_is_tried_out(demo_site, page, axe_script):
    """Swagger UI draws more once the DPO opens an operation, tries it out and executes it: the parameters' fields,
    the examples, the response and the curl command. The fixes: static/css/api-explorer.css, static/js/api-explorer.js
    and the code theme in SPECTACULAR_SETTINGS."""
    sign_in(page, demo_site, "dpo", DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/o/"))
    page.goto(f"{demo_site.url}/api/docs/")
    operation = page.locator(".opblock").first
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    execute = operation.get_by_role("button", name="Execute")
    execute.wait_for()
    violations = axe_violations(page, axe_script)
    execute.click()
    operation.locator(".live-responses-table .response-col_status").first.wait_for()
    violations += axe_violations(page, axe_script)
    assert violations == [], "\n".join(violations)
