"""Reads of the accounts app."""

from django.db.models import QuerySet

from .models import Membership, Organisation, User


def organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations a user may open: their memberships; every one for a superuser."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def user_by_username_or_email(identifier: str) -> User | None:
    """Find an account by its username, or its email address, ignoring case."""
    identifier = identifier.strip()
    if not identifier:
        return None
    users = User.objects.filter(is_active=True)
    if "@" in identifier:
        found = users.filter(email__iexact=identifier).first()
        if found:
            return found
    exact = users.filter(username=identifier).first()
    if exact:
        return exact
    # Ignoring case, only an unambiguous match counts: "Lea" and "lea" may both exist.
    matches = list(users.filter(username__iexact=identifier)[:2])
    return matches[0] if len(matches) == 1 else None
