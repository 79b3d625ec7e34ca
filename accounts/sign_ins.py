"""The sign-in audit (#21): every sign-in and every refused one, with when, the address, the browser and the factor;
an email to the user when they sign in from a browser never seen before.

A sign-in that needs a second factor is recorded when that factor is given (or refused), with it; a password alone
that is right but never followed by the second factor is not a sign-in. The browser is told apart by a random
identifier in a long-lived cookie (only its SHA-256 is stored), set at a successful sign-in.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import jobs
from core.mail import templated_email
from core.ratelimit import client_address

from .middleware import zone_of
from .models import SignInEvent, User, secret_hash
from .selectors import has_second_factor

DEVICE_COOKIE = "registre_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
PENDING_SESSION_KEY = "sign_in_pending_device"  # a device waiting for its second factor


def _device_id(request) -> str:
    """The browser's identifier: the cookie's, else a new one (set on the response by ``DeviceCookieMiddleware``)."""
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    if not (16 <= len(device) <= 64 and device.replace("-", "").replace("_", "").isalnum()):
        device = secrets.token_urlsafe(24)
    request.registre_device = device
    return device


def record(request, user: User, outcome: str, method: str, device: str = "") -> SignInEvent:
    event = SignInEvent.objects.create(
        user=user,
        address=client_address(request),
        browser=request.headers.get("user-agent", "")[:300],
        device=secret_hash(device) if device else "",
        outcome=outcome,
        method=method,
    )
    if outcome == SignInEvent.Outcome.SUCCESS and device:
        seen_before = (
            SignInEvent.objects.filter(user=user, outcome=SignInEvent.Outcome.SUCCESS).exclude(pk=event.pk).exists()
        )
        known = SignInEvent.objects.filter(user=user, device=event.device).exclude(pk=event.pk).exists()
        if seen_before and not known and user.email:
            jobs.enqueue("accounts.email_new_browser", event.pk)
    return event


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_succeeded")
def sign_in_succeeded(sender, request, user, **kwargs):
    if request is None:
        return
    device = _device_id(request)
    if has_second_factor(user):  # the sign-in is recorded with it
        request.session[PENDING_SESSION_KEY] = device  # recorded with the second factor
    else:
        record(request, user, SignInEvent.Outcome.SUCCESS, SignInEvent.Method.PASSWORD, device)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username")
    user = User.objects.filter(username=username).first() if username else None
    if user is not None and request is not None:
        record(request, user, SignInEvent.Outcome.FAILURE, SignInEvent.Method.PASSWORD)


def second_factor_given(request, method: str, success: bool) -> None:
    """The second factor's outcome: the sign-in it completes (or a refused one: the password was right)."""
    if success:
        device = request.session.pop(PENDING_SESSION_KEY, "") or _device_id(request)
        request.registre_device = device
        record(request, request.user, SignInEvent.Outcome.SUCCESS, method, device)
    else:
        record(request, request.user, SignInEvent.Outcome.FAILURE, method)


class DeviceCookieMiddleware:
    """Sets the browser's identifier cookie after a successful sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        device = getattr(request, "registre_device", None)
        if device and request.COOKIES.get(DEVICE_COOKIE) != device:
            response.set_cookie(
                DEVICE_COOKIE,
                device,
                max_age=DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def email_new_browser(event_id: int) -> None:
    """Tell the user of a sign-in from a browser not seen before, in their language and time zone."""
    event = SignInEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None or not event.user.email:
        return
    user = event.user
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone_of(user)):
        context = {
            "event": event,
            "profile_url": f"{settings.SITE_URL}{reverse('accounts:profile')}",
            "password_url": f"{settings.SITE_URL}{reverse('accounts:password_change')}",
        }
        templated_email(
            subject=_("New sign-in to your account"),
            template="accounts/email/new_browser",
            context=context,
            to=user.email,
        ).send()


@transaction.atomic
def forget_old_sign_ins(now: datetime.datetime | None = None) -> int:
    """Delete sign-ins older than ``SIGN_IN_HISTORY_DAYS``: the audit keeps what security needs, no more."""
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.SIGN_IN_HISTORY_DAYS)
    deleted, _detail = SignInEvent.objects.filter(at__lt=limit).delete()
    return deleted
