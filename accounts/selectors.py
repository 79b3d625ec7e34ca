"""Reads of the accounts app."""

from django.db.models import QuerySet

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
