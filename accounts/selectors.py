"""Reads of the accounts app."""

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import Membership, Organisation, User


def token_organisation_id(user) -> int | None:
    """The one organisation the API token the user signed in with is limited to, if it is."""
    token = getattr(user, "api_token", None)
    return token.organisation_id if token is not None else None


def organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations a user may open: their memberships; every one for a superuser; of those, only the one an
    API token is limited to."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    organisations = (
        Organisation.objects.all() if user.is_superuser else Organisation.objects.filter(memberships__user=user)
    )
    if (only := token_organisation_id(user)) is not None:
        organisations = organisations.filter(pk=only)
    return organisations.order_by("name")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def passkeys_of(user: User) -> QuerySet:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_app(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are a spare, not a factor)."""
    return has_app(user) or passkeys_of(user).exists()
