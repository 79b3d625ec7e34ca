"""Writes of the accounts app. Views, forms, commands and the admin all go through here."""

import datetime
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.errors import field_error

from .models import ApiToken, Invitation, Membership, Organisation, User, secret_hash
from .selectors import organisations_for

ORGANISATION_IDENTITY_FIELDS = (
    "name",
    "legal_identifier",
    "address",
    "postcode",
    "city",
    "country",
    "phone",
    "email",
    "role",
    "representative_name",
    "representative_contact",
    "dpo_name",
    "dpo_email",
    "dpo_phone",
    "staff_count",
    "is_public_body",
    "tia_review_months",
)
# What the DPO sets on the Settings page: the identity, and whether members need two factors (not over the API: an
# API token cannot turn a security requirement off).
ORGANISATION_SETTINGS_FIELDS = (*ORGANISATION_IDENTITY_FIELDS, "require_two_factor")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, suffix = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def organisation_create(*, name: str, slug: str = "", **identity) -> Organisation:
    """Create an organisation; its slug comes from its name unless given."""
    organisation = Organisation(name=name, slug=slug or _unique_slug(name), **identity)
    organisation.full_clean()
    organisation.save()
    return organisation


def organisation_update(*, organisation: Organisation, **changes) -> Organisation:
    """Change the organisation's identity (Art. 30(1)(a) header) or its settings. The slug never changes."""
    unknown = set(changes) - set(ORGANISATION_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not settings fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save(update_fields=[*changes, "updated_at"])
    return organisation


def user_preferences_update(
    *, user: User, email: str, time_zone: str, language: str, daily_digest: bool | None = None
) -> User:
    """A user's own contact address, display preferences and notifications."""
    user.email, user.time_zone, user.language = email, time_zone, language
    if daily_digest is not None:
        user.daily_digest = daily_digest
    user.full_clean()
    user.save(update_fields=["email", "time_zone", "language", "daily_digest"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language a user chose from the switch on every page (a code of ``settings.LANGUAGES``)."""
    user.language = language
    user.save(update_fields=["language"])
    return user


def _refuse_losing_last_dpo(membership: Membership) -> None:
    """Refuse a change that would leave the organisation without a DPO.

    The organisation's DPO rows are locked, so two DPOs demoting each other at the same
    moment cannot both succeed (PostgreSQL; SQLite serialises writers anyway).
    """
    if membership.role != Membership.Role.DPO:
        return
    dpos = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.DPO)
        .values_list("pk", flat=True)
    )
    if set(dpos) <= {membership.pk}:
        raise ValidationError(_("An organisation needs at least one DPO: appoint another DPO first."), code="last_dpo")


INVITATION_DAYS = 14  # how long an invitation's link works


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, invited_by: User) -> tuple[Invitation, str]:
    """An invitation to ``email`` to join with ``role``; returns it with the key of its link, which is never stored.
    An earlier invitation still waiting for the same address is cancelled: only the latest link works. Whether an
    account has this address is neither checked nor told."""
    email = User.objects.normalize_email(email.strip())
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    key = secrets.token_urlsafe(32)
    invitation.key_hash = secret_hash(key)
    invitation.full_clean()
    organisation.invitations.filter(email__iexact=email, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.CANCELLED, answered_at=timezone.now()
    )
    invitation.save()
    return invitation, key


def invitation_by_key(key: str) -> Invitation | None:
    """The invitation of a link, whatever its state (the page says if it was answered or expired)."""
    return Invitation.objects.select_related("organisation", "invited_by").filter(key_hash=secret_hash(key)).first()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """``user`` accepts: they become a member with the invitation's role (keeping a role they already have)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or was already answered."), code="closed")
    membership = Membership.objects.filter(user=user, organisation=invitation.organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=invitation.organisation, role=invitation.role)
        membership.full_clean()
        membership.save()
    invitation.status, invitation.answered_at, invitation.accepted_by = (
        Invitation.Status.ACCEPTED,
        timezone.now(),
        user,
    )
    invitation.save(update_fields=["status", "answered_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_close(*, invitation: Invitation, status: str) -> None:
    """Decline (the person) or cancel (the DPO) an invitation still waiting."""
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=status, answered_at=timezone.now()
    )


@transaction.atomic
def account_create_for_invitation(*, invitation: Invitation, username: str, password: str) -> tuple[User, Membership]:
    """A new account, with the invitation's email address, that accepts it at once."""
    user = User(username=username, email=invitation.email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, invitation_accept(invitation=invitation, user=user)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    if role != membership.role:
        _refuse_losing_last_dpo(membership)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    _refuse_losing_last_dpo(membership)
    membership.delete()


@transaction.atomic
def member_grant(
    *, username: str, organisation: Organisation, role: str, email: str = "", password: str | None = None
) -> tuple[Membership, bool]:
    """Create the account if needed and give it ``role`` (the ``add_member`` command).

    Returns the membership and whether the account was created.
    """
    user = User.objects.filter(username=username).first()
    created = user is None
    if password:  # the rules every other way of setting a password applies (length, common, like the username)
        validate_password(password, user or User(username=username, email=email))
    if created:
        user = User(username=username, email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    else:
        update_fields = []
        if email and email != user.email:
            user.email = email
            update_fields.append("email")
        if password:
            user.set_password(password)
            update_fields.append("password")
        if update_fields:
            user.full_clean()
            user.save(update_fields=update_fields)
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
        membership.full_clean()
        membership.save()
    elif membership.role != role:
        membership = membership_change_role(membership=membership, role=role)
    return membership, created


API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 366


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.WRITE,
    organisation: Organisation | None = None,
    expires_days: int = API_TOKEN_DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns it with its key, which is never stored and so never shown again.

    It acts with the user's roles (an auditor's token reads, whatever its scope), narrowed by its own scope.
    """
    if organisation is not None and not organisations_for(user).filter(pk=organisation.pk).exists():
        raise field_error("organisation", _("You are not a member of this organisation."))
    if not 1 <= expires_days <= API_TOKEN_MAX_DAYS:
        raise field_error(
            "expires_days",
            _("A token lasts from 1 to %(days)d days: create a new one when it ends.") % {"days": API_TOKEN_MAX_DAYS},
        )
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        scope=scope,
        organisation=organisation,
        key_hash=secret_hash(key),
        start=key[: len(ApiToken.PREFIX) + 6],
        created_at=now,
        expires_at=now + datetime.timedelta(days=expires_days),
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens (scripts using it are refused from then on); False if there is none such."""
    deleted, _detail = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0
