"""Playwright on Debian's Chromium: no browser download, no network beyond localhost."""

import io
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium_path():
    from ..conftest import service_missing

    if not Path(CHROMIUM).exists():
        service_missing(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(chromium_path):
    """Override pytest-playwright's launch arguments."""
    return {
        "executable_path": chromium_path,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def save_screenshot(page, name: str) -> Path:
    """Keep the last page of a journey under test-artifacts/ (git-ignored) to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Accessibility: axe-core (npm, pinned in package-lock.json), injected by the tests only --------

AXE_SCRIPT = ARTIFACTS.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, installed by `npm ci` (`make install-dev`); never served by the app."""
    from ..conftest import service_missing

    if not AXE_SCRIPT.exists():
        service_missing(f"accessibility tests need axe-core at {AXE_SCRIPT} (run `npm ci`, or `make install-dev`)")
    return AXE_SCRIPT


def axe_violations(page, axe_script: Path) -> list[str]:
    """Run axe-core over the page as it stands (WCAG 2.1 A and AA): one line per violation and node."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        WCAG_21_AA,
    )
    return [
        f"{violation['id']} ({violation['impact']}) at {page.url}: {', '.join(map(str, node['target']))}"
        f" — {violation['help']}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


@pytest.fixture
def _django_db_helper(django_db_setup, django_db_blocker):
    """For the modules that import it with ``demo_site``: the tests only read the demo seeded for
    the module and leave it as it is. pytest-django's own (pinned) would hold each test in a
    transaction, which locks SQLite against the live server's writes, or empty the database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo (``seed_demo``) served by a live server of the module's own, seeded once for all
    the module's tests, which only read it, and emptied after them. Mark the module's tests
    ``django_db`` (so that the test database is made) and import ``_django_db_helper`` with it.

    pytest-django's ``live_server`` empties the database after each test: seeding the demo for
    each of a crawl's role and language would cost more than the crawl.
    """
    from django.core.management import call_command
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    from config.celery_app import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the demo's checks run now, whatever the broker
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        try:
            call_command("seed_demo", force=True, stdout=io.StringIO())
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield server
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            celery_app.conf.task_always_eager = eager
