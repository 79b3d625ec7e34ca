"""Single sign-on in Chromium (#21), against a real OpenID Connect provider the test starts on loopback (npm's
oidc-provider, tests/oidc/provider.mjs), not a mock of the protocol: a member signs in with the provider and lands
in their organisation; a provider's user with no account here, or whose address the provider has not verified, or
outside the allowed domains, is sent back to the sign-in page with the reason."""

import socket
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import SignInEvent

from ..accounts.factories import UserFactory
from ..conftest import require_executable, service_missing
from .harness import axe_violations
from .test_errors_and_breach_journey import browser_context_args  # noqa: F401  (a fixture: axe needs no CSP)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "tests" / "oidc" / "provider.mjs"


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def provider(live_server, settings):
    """The provider, running, and Registre set up to use it."""
    node = require_executable("node", "apt-get install nodejs npm")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        service_missing("the SSO tests need npm's oidc-provider (run `npm ci`, or `make install-dev`)")
    port = spare_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [node, str(PROVIDER), str(port), f"{live_server.url}/account/sso/callback/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        said = []  # its warnings (a development provider), then "ready"; nothing more if it stopped
        while (line := process.stdout.readline()) and line.strip() != "ready" and len(said) < 50:
            said.append(line)
        if line.strip() != "ready":
            pytest.fail(f"The OpenID Connect provider did not start: {''.join(said)[:2000]}")
        settings.OIDC_PROVIDER_NAME = "Test IdP"
        settings.OIDC_RP_CLIENT_ID = "registre"
        settings.OIDC_RP_CLIENT_SECRET = "registre-test-secret"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_with_the_provider(page, live_server, login: str):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password: the provider's development form")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]", has_text="Continue")
    if consent.count():
        consent.click()


def test_a_member_signs_in_with_the_provider(live_server, page, provider, organisation, axe_script):
    from accounts.models import Membership

    lea = UserFactory(username="lea", email="Lea@Example.org")
    Membership.objects.create(user=lea, organisation=organisation, role="auditor")
    page.goto(f"{live_server.url}/account/login/")
    assert axe_violations(page, axe_script) == []
    sign_in_with_the_provider(page, live_server, "lea")
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/")
    expect(page.get_by_role("link", name="lea")).to_be_visible()
    assert SignInEvent.objects.filter(user=lea, outcome="success").exists()


@pytest.mark.parametrize(
    ("login", "allowed_domains"),
    [("outsider", []), ("unverified", []), ("lea", ["hexagone.example"])],
    ids=["no-account", "email-not-verified", "domain-not-allowed"],
)
def test_who_has_no_account_here_is_turned_back_with_the_reason(
    live_server, page, provider, organisation, settings, login, allowed_domains
):
    UserFactory(username="lea", email="lea@example.org")
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = allowed_domains
    sign_in_with_the_provider(page, live_server, login)
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    expect(page.get_by_text("Signing in with Test IdP did not work")).to_be_visible()
