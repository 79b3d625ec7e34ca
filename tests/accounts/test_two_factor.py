"""Two factors (#21): an authenticator app set up with a QR code drawn here, its codes asked after the password,
recovery codes kept hashed and good once, and organisations (and superusers) that require two factors."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode

from .factories import PASSWORD

pytestmark = pytest.mark.django_db
TWO_FACTOR = reverse("accounts:two_factor")
VERIFY = reverse("accounts:two_factor_verify")
LOGIN = reverse("accounts:login")


def code_of(device: TOTPDevice, at: datetime.datetime | None = None) -> str:
    """What the user's app shows at ``at`` (now by default): computed here from the secret, as the app does."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = (at or timezone.now()).timestamp()
    return f"{totp.token():06d}"


def set_up_app(client) -> tuple[TOTPDevice, list[str]]:
    page = client.post(reverse("accounts:two_factor_start"))
    assert page.status_code == 200 and "<svg" in page.text  # the QR code, drawn in the page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    device = TOTPDevice.objects.get(user__username=page.wsgi_request.user.username, confirmed=False)
    assert secret.replace(" ", "") in device.config_url  # the key typed by hand is the one in the QR code
    done = client.post(reverse("accounts:two_factor_confirm"), {"code": code_of(device)})
    codes = re.findall(r"<li><code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{5})</code></li>", done.text)
    return device, codes


def sign_in(client, username="dpo", next_page="/"):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_page})


def test_a_user_sets_up_an_app_then_signing_in_asks_for_its_code(client, dpo):
    sign_in(client)
    wrong = client.post(reverse("accounts:two_factor_start"))
    assert wrong.status_code == 200
    refused = client.post(reverse("accounts:two_factor_confirm"), {"code": "000000"})
    assert refused.status_code == 400 and "This code is not the one the app shows now" in refused.text
    device, codes = set_up_app(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed

    client.post(reverse("accounts:logout"))
    signed_in = sign_in(client, next_page="/account/profile/")
    assert signed_in.status_code == 302
    # Nothing but the second factor: every page leads there, the API by session is refused.
    profile = client.get("/account/profile/")
    assert profile.status_code == 302 and profile["Location"] == f"{VERIFY}?next=%2Faccount%2Fprofile%2F"
    assert client.get("/api/v1/organisations/").json()["code"] == "second_factor_required"
    later = timezone.now() + datetime.timedelta(seconds=30)  # the code used to set the app up cannot be used again
    with time_machine.travel(later, tick=False):
        bad = client.post(VERIFY, {"code": code_of(device, timezone.now() - datetime.timedelta(seconds=30))})
        assert bad.status_code == 400 and "This code is not right, or was already used" in bad.text
        hasty = client.post(VERIFY, {"code": code_of(device)})  # a wrong code makes the next try wait a second
        assert hasty.status_code == 400 and "Too many wrong codes: wait a few seconds" in hasty.text
    with time_machine.travel(later + datetime.timedelta(seconds=2), tick=False):
        good = client.post(VERIFY, {"code": code_of(device), "next": "/account/profile/"})
    assert good.status_code == 302 and good["Location"] == "/account/profile/"
    assert client.get("/account/profile/").status_code == 200


def test_a_recovery_code_signs_in_once_and_is_kept_only_hashed(client, dpo):
    sign_in(client)
    _device, codes = set_up_app(client)
    stored = " ".join(f"{c.salt} {c.digest}" for c in RecoveryCode.objects.all())
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    client.post(reverse("accounts:logout"))

    sign_in(client)
    assert client.post(VERIFY, {"code": codes[3].lower()}).status_code == 302  # typed as the user types it
    assert client.get("/account/two-factor/").status_code == 200
    assert "You have 9 recovery codes left." in client.get(TWO_FACTOR).text
    client.post(reverse("accounts:logout"))

    sign_in(client)
    spent = client.post(VERIFY, {"code": codes[3]})
    assert spent.status_code == 400
    assert client.get("/account/profile/").status_code == 302


def test_an_organisation_requiring_two_factors_sends_a_member_without_them_to_set_one_up(
    client, dpo_client, manager, organisation
):
    settings_page = reverse("organisations:settings", kwargs={"organisation_slug": organisation.slug})
    form = dpo_client.get(settings_page).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    saved = dpo_client.post(settings_page, {**data, "require_two_factor": "on"})
    assert saved.status_code == 302
    organisation.refresh_from_db()
    assert organisation.require_two_factor

    sign_in(client, "manager")
    register = reverse("processing:activity_list", kwargs={"organisation_slug": organisation.slug})
    sent = client.get(register)
    assert sent.status_code == 302 and sent["Location"].startswith(f"{TWO_FACTOR}?next=")
    page = client.get(sent["Location"])
    assert "Your organisation requires two factors" in page.text
    assert "Turn off two factors" not in page.text
    device, codes = set_up_app(client)
    assert len(codes) == 10
    assert client.get(register).status_code == 200
    refused = client.post(reverse("accounts:two_factor_remove"), {"password": PASSWORD}, follow=True)
    assert "they cannot be turned off" in refused.text
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_superuser_needs_two_factors_when_debug_is_off(client, superuser, settings):
    settings.DEBUG = False
    sign_in(client, "admin", next_page="/admin/")
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(TWO_FACTOR)
    set_up_app(client)
    assert client.get("/admin/").status_code == 200


def test_a_superuser_may_go_without_in_development(client, superuser, settings):
    settings.DEBUG = True
    sign_in(client, "admin")
    assert client.get("/admin/").status_code == 200


def test_two_factors_turn_off_with_the_password_when_not_required(client, dpo):
    sign_in(client)
    set_up_app(client)
    wrong = client.post(reverse("accounts:two_factor_remove"), {"password": "not-my-password"})
    assert wrong.status_code == 400 and "This is not your password." in wrong.text
    off = client.post(reverse("accounts:two_factor_remove"), {"password": PASSWORD}, follow=True)
    assert "Two factors are off" in off.text
    assert not TOTPDevice.objects.exists() and not RecoveryCode.objects.exists()
    client.post(reverse("accounts:logout"))
    sign_in(client)
    assert client.get("/account/profile/").status_code == 200


def test_the_passkey_script_speaks_french(client):
    """django-otp-webauthn ships no French: its script's messages come from Registre's catalogue
    (locale/fr/LC_MESSAGES/djangojs.po). The passkey journey itself is tests/browser/test_two_factor_journey.py."""
    catalogue = client.get(reverse("otp_webauthn:js-i18n-catalog"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Enregistrement interrompu." in catalogue and "Ajouter une cl" in catalogue
    english = client.get(reverse("otp_webauthn:js-i18n-catalog"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Enregistrement interrompu." not in english
