"""Two factors in Chromium (#21): a DPO scans nothing but types the key shown next to the QR code into "their app"
(the test computes the codes from it, as an app does), keeps the recovery codes, signs out and back in with a code;
every page of the journey passes axe."""

import re

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .harness import axe_violations, save_screenshot
from .test_errors_and_breach_journey import browser_context_args  # noqa: F401  (a fixture: axe needs no CSP)
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser


def app_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app holding ``secret`` (base 32, as the page shows it) displays now, or at ``at``
    (a Unix time)."""
    import base64

    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = timezone.now().timestamp() if at is None else at
    return f"{totp.token():06d}"


def test_a_dpo_turns_on_two_factors_then_signs_in_with_a_code(
    live_server, page, organisation, dpo, password, axe_script
):
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/account/profile/")
    page.get_by_role("link", name="Two-factor authentication").click()
    assert axe_violations(page, axe_script) == []
    page.get_by_role("button", name="Set up an authenticator app").click()

    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert axe_violations(page, axe_script) == []
    save_screenshot(page, "two-factor-setup")
    page.get_by_label("Code").fill("123456" if app_code(secret) != "123456" else "654321")
    page.get_by_role("button", name="Turn on two factors").click()
    expect(
        page.get_by_role("link", name=re.compile("^Code: This code is not the one the app shows now"))
    ).to_be_visible()
    page.wait_for_timeout(1100)  # a wrong code makes the next try wait a second
    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two factors").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{5}", code) for code in codes)
    assert axe_violations(page, axe_script) == []

    page.get_by_role("button", name="Sign out").first.click()
    sign_in(page, live_server, "dpo", password)
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    save_screenshot(page, "two-factor-verify")
    # The code shown while setting up was spent: the app's next one is taken (within the allowed drift). Next to
    # the step spent, not to now: the sign-in may come in the step after it, and now + 30 s would be one too far.
    spent = TOTPDevice.objects.get(user=dpo).last_t
    page.get_by_label("Code").fill(app_code(secret, at=(spent + 1) * TOTPDevice.objects.get(user=dpo).step + 1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/")


def test_a_dpo_adds_a_passkey_then_signs_in_with_it(
    live_server, page, organisation, dpo, password, settings, axe_script
):
    """A passkey (WebAuthn, django-otp-webauthn) as the second factor; Chromium's virtual authenticator stands for
    the phone's (DevTools protocol), with a real key pair and real signatures."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/account/two-factor/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkeys li")).to_have_count(1)
    assert axe_violations(page, axe_script) == []

    page.get_by_role("button", name="Sign out").first.click()
    sign_in(page, live_server, "dpo", password)
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(f"{live_server.url}/o/{organisation.slug}/")
    from accounts.models import SignInEvent

    assert SignInEvent.objects.filter(user=dpo, outcome="success", method="passkey").exists()
