"""The one permission layer: what each role may do in an organisation.

Every organisation page (and later every API endpoint) goes through ``organisation_access``:
a user who is not a member gets 404, so the existence of another organisation never leaks;
a member whose role does not allow the action gets 403. No view checks a role by hand.
"""

import enum
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_re
from django.http import Http404, HttpResponseNotAllowed

from .models import Membership, Organisation
from .selectors import token_organisation_id

SESSION_ORGANISATION_KEY = "registre_organisation"


class Action(enum.StrEnum):
    VIEW = "view"  # read register, catalogue, breaches, findings, history, export log
    EXPORT = "export"  # export reports (each export is logged)
    EDIT_REGISTER = "edit_register"  # create / edit / archive entries, catalogue, breaches
    MANAGE_ORGANISATION = "manage_organisation"  # identity, members, retention policies
    RUN_CHECKS = "run_checks"  # acknowledge findings, run checks
    ACCEPT_RISK = "accept_risk"  # accept a risk on a finding, with justification


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Membership.Role.DPO: frozenset(Action),
    Membership.Role.MANAGER: frozenset({Action.VIEW, Action.EXPORT, Action.ACCEPT_RISK}),
    Membership.Role.AUDITOR: frozenset({Action.VIEW, Action.EXPORT}),
}


@dataclass(frozen=True)
class OrganisationAccess:
    """What one user may do in one organisation. Superusers may do everything."""

    organisation: Organisation
    role: str | None  # None for a superuser who is not a member
    is_superuser: bool = False

    @property
    def actions(self) -> frozenset[Action]:
        if self.is_superuser:
            return frozenset(Action)
        return ROLE_ACTIONS.get(self.role, frozenset())

    def can(self, action: Action) -> bool:
        return action in self.actions

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise PermissionDenied

    # Template conveniences: {% if access.can_edit_register %}
    @property
    def can_edit_register(self) -> bool:
        return self.can(Action.EDIT_REGISTER)

    @property
    def can_manage_organisation(self) -> bool:
        return self.can(Action.MANAGE_ORGANISATION)

    @property
    def can_export(self) -> bool:
        return self.can(Action.EXPORT)

    @property
    def can_run_checks(self) -> bool:
        return self.can(Action.RUN_CHECKS)

    @property
    def can_accept_risk(self) -> bool:
        return self.can(Action.ACCEPT_RISK)


def organisation_access(user, organisation_slug: str) -> OrganisationAccess:
    """Load the organisation for ``user``; 404 unless they are a member (or a superuser)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if not isinstance(organisation_slug, str) or not slug_re.match(organisation_slug):
        raise Http404  # not a slug (a NUL character, say, which PostgreSQL refuses): no such organisation
    only = token_organisation_id(user)  # an API token limited to one organisation sees no other
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=organisation_slug)
        .first()
    )
    if membership is not None and only in (None, membership.organisation_id):
        return OrganisationAccess(membership.organisation, membership.role, user.is_superuser)
    if user.is_superuser:
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is not None and only in (None, organisation.pk):
            return OrganisationAccess(organisation, None, True)
    raise Http404


def may_anywhere(user, action: Action) -> bool:
    """Whether ``user`` may do ``action`` in at least one organisation (one query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user)
    if (only := token_organisation_id(user)) is not None:
        memberships = memberships.filter(organisation_id=only)
    roles = memberships.values_list("role", flat=True).distinct()
    return any(action in ROLE_ACTIONS.get(role, ()) for role in roles)


SAFE_METHODS = frozenset({"GET", "HEAD"})


def organisation_view(*, read: Action | None = Action.VIEW, write: Action | None = None):
    """Decorate a view under ``/o/<organisation_slug>/``.

    GET and HEAD need ``read``; POST needs ``write``. Every other method, and a method whose
    action is None, gets 405 (OPTIONS and the like skip Django's CSRF check, so they must
    never reach a view that writes). The view receives the organisation as its second
    argument and finds the access on ``request.access``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, organisation_slug, *args, **kwargs):
            access = organisation_access(request.user, organisation_slug)
            action = read if request.method in SAFE_METHODS else write if request.method == "POST" else None
            if action is None:
                allowed = [
                    method for method, needed in (("GET", read), ("HEAD", read), ("POST", write)) if needed is not None
                ]
                return HttpResponseNotAllowed(allowed)
            access.require(action)
            request.access = access
            if request.session.get(SESSION_ORGANISATION_KEY) != access.organisation.slug:
                request.session[SESSION_ORGANISATION_KEY] = access.organisation.slug
            return view(request, access.organisation, *args, **kwargs)

        wrapped.organisation_actions = {"read": read, "write": write}
        return login_required(wrapped)

    return decorator
