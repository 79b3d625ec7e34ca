"""Two factors (#21): an authenticator app (TOTP, django-otp) and recovery codes, and who must have them.

A user with an authenticator app gives one of its codes (or a recovery code) after their password. A user who must
have two factors (a member of an organisation whose DPO requires them, or a superuser when ``DEBUG`` is off) and has
none is sent to set one up at sign-in, and reaches nothing else until done (``TwoFactorMiddleware``).

What was decided for a session is kept in it (``SESSION_KEY``): a requirement turned on applies from each member's
next sign-in, as the DPO's Settings page says, and a page costs no query for it.
"""

import base64
import secrets
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import sign_ins
from .models import Membership, RecoveryCode, RecoveryCodeDevice, SignInEvent, User
from .selectors import has_second_factor

SESSION_KEY = "two_factor"  # "verified", "not_needed", "verify" (has a device, not yet given a code), "enrol"
VERIFIED, NOT_NEEDED, VERIFY, ENROL = "verified", "not_needed", "verify", "enrol"
WRONG, WAIT = "wrong", "wait"  # what ``verify`` says besides VERIFIED
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 8  # 64 random bits each, written as 13 base-32 characters in groups


def required(user: User) -> bool:
    """Whether ``user`` must have two factors: a superuser when DEBUG is off, or a member of an organisation that
    requires them."""
    if user.is_superuser and not settings.DEBUG:
        return True
    return Membership.objects.filter(user=user, organisation__require_two_factor=True).exists()


def state_at_sign_in(user: User) -> str:
    if has_second_factor(user):
        return VERIFY
    return ENROL if required(user) else NOT_NEEDED


def session_state(request) -> str:
    """The session's two-factor state, worked out once per session. A device django-otp recorded in the session (a
    passkey used or just added, through django-otp-webauthn's views) verifies it."""
    state = request.session.get(SESSION_KEY)
    if state in (VERIFY, ENROL) and request.session.get(DEVICE_ID_SESSION_KEY):
        if state == VERIFY:
            sign_ins.second_factor_given(request, SignInEvent.Method.PASSKEY, success=True)
        state = request.session[SESSION_KEY] = VERIFIED
    if state is None:
        state = request.session[SESSION_KEY] = state_at_sign_in(request.user)
    return state


# --- The authenticator app ----------------------------------------------------------------------


def app_setup_start(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (any earlier unconfirmed one is dropped): it counts once a code
    from the app has been given back (``app_setup_confirm``)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def app_being_set_up(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def app_setup_confirm(request, device: TOTPDevice, code: str) -> list[str] | str:
    """Confirm the app with a code it shows; returns new recovery codes (shown once), or WRONG, or WAIT after wrong
    codes typed too fast. The session counts as verified: the user has just proved they hold the app."""
    if not device.verify_is_allowed()[0]:
        return WAIT
    if not device.verify_token(_digits(code)):
        return WRONG
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()  # one app at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(device.user)
    mark_verified(request, device)
    return codes


def secret_of(device: TOTPDevice) -> str:
    """The app's secret as people type it when they cannot scan: base 32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The QR code of the app's configuration, drawn here (segno) as inline SVG: the secret never leaves the page."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=_("QR code to scan with your authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 - drawn here: modules of the code, and a title of ours (escaped by segno)


@transaction.atomic
def two_factors_remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()


# --- Recovery codes -----------------------------------------------------------------------------


def _digits(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def recovery_codes_renew(user: User) -> list[str]:
    """New recovery codes for ``user``, replacing any left: returned once, only their salted hashes are kept."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": _("Recovery codes"), "confirmed": True}
    )
    device.codes.all().delete()
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().rstrip("=")
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        salt = secrets.token_hex(8)
        RecoveryCode.objects.create(device=device, salt=salt, digest=RecoveryCode.digest_of(salt, code))
        codes.append(code)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


# --- Signing in with the second factor ----------------------------------------------------------


@transaction.atomic
def verify(request, code: str) -> str:
    """Check the second factor of the signed-in user: a code of their app, or one of their recovery codes. Returns
    VERIFIED, WRONG, or WAIT when wrong codes were typed too fast (each failure doubles the wait)."""
    user = request.user
    devices = [
        TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update().first(),
        RecoveryCodeDevice.objects.filter(user=user).select_for_update().first(),
    ]
    devices = [device for device in devices if device is not None]
    allowed = [device for device in devices if device.verify_is_allowed()[0]]
    if not allowed:
        return WAIT if devices else WRONG
    for device in allowed:
        if isinstance(device, TOTPDevice) and not _digits(code).isdigit():
            continue  # a recovery code: not counted as a wrong app code
        token = _digits(code) if isinstance(device, TOTPDevice) else code
        if device.verify_token(token):
            mark_verified(request, device)
            sign_ins.second_factor_given(request, _method(device), success=True)
            return VERIFIED
    sign_ins.second_factor_given(
        request, _method(allowed[0] if _digits(code).isdigit() else devices[-1]), success=False
    )
    return WRONG


def _method(device) -> str:
    return SignInEvent.Method.APP if isinstance(device, TOTPDevice) else SignInEvent.Method.RECOVERY_CODE


def mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session[SESSION_KEY] = VERIFIED


def mark_not_needed(request) -> None:
    request.session[SESSION_KEY] = NOT_NEEDED


# --- Nothing else until the second factor is given ----------------------------------------------

# What a signed-in user may reach before giving their second factor or setting one up.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:logout",
    "accounts:language",
    "accounts:two_factor",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:two_factor_verify",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


class TwoFactorMiddleware:
    """A signed-in user who has two factors and has not given the second, or who must have two factors and has none,
    reaches only the two-factor pages (and signing out): pages redirect there, the API (by session) answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = session_state(request)
        if state in (VERIFIED, NOT_NEEDED):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = None
        if name in OPEN_BEFORE_SECOND_FACTOR:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            detail = _("Give your second factor in the browser first, or use an API token.")
            return JsonResponse({"status": 403, "code": "second_factor_required", "detail": detail}, status=403)
        target = reverse("accounts:two_factor_verify" if state == VERIFY else "accounts:two_factor")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
