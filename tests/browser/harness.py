"""Playwright on Debian's Chromium: no browser download, no network beyond localhost."""

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
