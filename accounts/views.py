"""Pages of the accounts app: sign-in, profile, language, organisations and their members."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language

from core import ratelimit
from core.forms import apply_validation_error
from core.history import object_history
from core.mail import templated_email
from core.views import too_many_requests

from . import services, sso
from .forms import (
    ApiTokenForm,
    InvitationForm,
    InvitedAccountForm,
    LanguageForm,
    MembershipRoleForm,
    OrganisationIdentityForm,
    ProfileForm,
)
from .models import Invitation, Membership, SignInEvent
from .permissions import SESSION_ORGANISATION_KEY, Action, organisation_access, organisation_view
from .selectors import organisation_members, organisations_for

MEMBERS_PER_PAGE = 50
RECENT_SIGN_INS = 20  # shown on one's profile
logger = logging.getLogger(__name__)


@require_safe
@login_required
def home(request):
    """Open the organisation used last, else the one the user joined first; explain when
    there is none."""
    organisations = organisations_for(request.user)
    last = request.session.get(SESSION_ORGANISATION_KEY)
    organisation = organisations.filter(slug=last).first() if last else None
    first_joined = request.user.memberships.order_by("created_at", "pk").select_related("organisation").first()
    organisation = organisation or (first_joined.organisation if first_joined else organisations.first())
    if organisation is None:
        return render(request, "accounts/no_organisation.html")
    return redirect("organisations:home", organisation_slug=organisation.slug)


@require_safe
@login_required
def switch_organisation(request):
    """The organisation switcher (a plain GET form, so it works without JavaScript)."""
    slug = request.GET.get("organisation", "")
    access = organisation_access(request.user, slug)
    return redirect("organisations:home", organisation_slug=access.organisation.slug)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(
            user=request.user,
            email=form.cleaned_data["email"],
            time_zone=form.cleaned_data["time_zone"],
            language=form.cleaned_data["language"],
            daily_digest=form.cleaned_data["daily_digest"],
        )
        response = redirect("accounts:profile")
        if form.cleaned_data["language"]:
            # So that the sign-in page after signing out speaks the same language.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                form.cleaned_data["language"],
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        messages.success(request, _("Your preferences have been saved."))
        return response
    return _profile_page(request, form)


def _profile_page(request, form, token_form=None, new_token=None, status=200):
    context = {
        "form": form,
        "now_time": timezone.now(),
        "tokens": request.user.api_tokens.select_related("organisation"),
        "token_form": token_form or ApiTokenForm(user=request.user),
        "new_token": new_token,
        "sign_ins": request.user.sign_ins.all()[:RECENT_SIGN_INS],
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_POST
def api_token_create(request):
    """Create a token and show its key, this once: the page is the answer to the POST, so the key is never kept in
    a message, a URL or the database."""
    form = ApiTokenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            token, key = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _profile_page(request, ProfileForm(instance=request.user), new_token=(token, key))
    return _profile_page(request, ProfileForm(instance=request.user), token_form=form, status=400)


@login_required
@require_POST
def api_token_revoke(request, token_id):
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token has been revoked: scripts using it are refused from now on."))
    return redirect("accounts:profile")


@require_POST
def switch_language(request):
    """Django's set_language (which also checks ``next``); a signed-in user's choice is
    remembered in their profile."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=form.cleaned_data["language"])
    return set_language(request)


@organisation_view()
def organisation_home(request, organisation):
    return render(request, "accounts/organisation_home.html", {"organisation": organisation})


@organisation_view(read=Action.VIEW, write=Action.MANAGE_ORGANISATION)
def organisation_settings(request, organisation):
    """The organisation's identity: the header of its Art. 30 record."""
    form = OrganisationIdentityForm(request.POST or None, instance=organisation)
    if not request.access.can_manage_organisation:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            services.organisation_update(organisation=organisation, **changes)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The organisation's identity has been saved."))
            return redirect("organisations:settings", organisation_slug=organisation.slug)
    return render(
        request,
        "accounts/organisation_settings.html",
        {"organisation": organisation, "form": form, "section": "settings"},
    )


@organisation_view()
def organisation_history(request, organisation):
    """Every change to the organisation's identity, the header of its record, for every role."""
    changes = object_history(organisation, subject=organisation.name)
    return render(
        request,
        "accounts/organisation_history.html",
        {"organisation": organisation, "changes": changes, "section": "settings"},
    )


@organisation_view(read=Action.VIEW, write=Action.MANAGE_ORGANISATION)
def members(request, organisation):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        refused = _invitation_refused(request, email)
        if refused:
            form.add_error("email", refused)
        else:
            invitation, key = services.invitation_create(
                organisation=organisation, email=email, role=form.cleaned_data["role"], invited_by=request.user
            )
            if _send_invitation(request, invitation, key):
                messages.success(
                    request,
                    _("An invitation has been sent to %(email)s. They become %(role)s once they accept it.")
                    % {"email": invitation.email, "role": invitation.get_role_display()},
                )
                return redirect("organisations:members", organisation_slug=organisation.slug)
            link = request.build_absolute_uri(reverse("accounts:invitation", args=[key]))
            messages.warning(
                request,
                _(
                    "The invitation could not be emailed (the mail server did not answer). Send this link to "
                    "%(email)s yourself; it is shown only this once: %(link)s"
                )
                % {"email": invitation.email, "link": link},
            )
            return redirect("organisations:members", organisation_slug=organisation.slug)
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "page": Paginator(organisation_members(organisation), MEMBERS_PER_PAGE).get_page(request.GET.get("page")),
            "invitations": organisation.invitations.filter(
                status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
            ).select_related("invited_by"),
            "form": form,
            "roles": Membership.Role.choices,
            "section": "settings",
        },
    )


def _invitation_refused(request, email: str) -> str | None:
    """Invitations are limited per DPO and per email address: a flood of emails in the organisation's name is not."""
    if not ratelimit.hit("invitations", ratelimit.requester(request)).allowed:
        return _("You have sent many invitations in a short time: wait a while before sending more.")
    if not ratelimit.hit("invitation_email", email.strip().lower()).allowed:
        return _("This address has received several invitations today: wait until tomorrow to invite it again.")
    return None


def _send_invitation(request, invitation, key: str) -> bool:
    """Email the invitation's link, in the inviter's language; False if the mail server did not take it."""
    context = {
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": request.user.username,
        "link": request.build_absolute_uri(reverse("accounts:invitation", args=[key])),
        "expires_at": invitation.expires_at,
    }
    subject = _("Invitation to the register of %(organisation)s") % {"organisation": invitation.organisation.name}
    try:
        templated_email(
            subject=subject, template="accounts/email/invitation", context=context, to=invitation.email
        ).send()
    except Exception:  # SMTP down, refused…: the invitation stands, its link is shown to the DPO instead
        logger.exception("Invitation %s could not be emailed", invitation.pk)
        return False
    return True


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def invitation_cancel(request, organisation, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    services.invitation_close(invitation=invitation, status=Invitation.Status.CANCELLED)
    messages.success(request, _("The invitation to %(email)s has been cancelled.") % {"email": invitation.email})
    return redirect("organisations:members", organisation_slug=organisation.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, key):
    """The page of an invitation's link: accept or decline it, signed in or creating an account."""
    found = services.invitation_by_key(key)
    if found is None:
        return render(request, "accounts/invitation.html", {"invitation": None}, status=404)
    account_form = InvitedAccountForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST" and found.is_open:
        action = request.POST.get("action")
        if action == "decline":
            services.invitation_close(invitation=found, status=Invitation.Status.DECLINED)
            messages.success(request, _("You have declined the invitation."))
            return redirect("accounts:login" if not request.user.is_authenticated else "home")
        if action == "accept" and request.user.is_authenticated:
            membership = services.invitation_accept(invitation=found, user=request.user)
            return _welcome(request, membership)
        if action == "create" and not request.user.is_authenticated and account_form.is_valid():
            try:
                user, membership = services.account_create_for_invitation(
                    invitation=found,
                    username=account_form.cleaned_data["username"],
                    password=account_form.cleaned_data["password1"],
                )
            except ValidationError as error:
                apply_validation_error(account_form, error)
            else:
                auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return _welcome(request, membership)
    context = {"invitation": found, "account_form": account_form, "key": key}
    return render(request, "accounts/invitation.html", context, status=400 if account_form.errors else 200)


def _welcome(request, membership):
    messages.success(
        request,
        _("Welcome: you are now %(role)s of %(organisation)s.")
        % {"role": membership.get_role_display(), "organisation": membership.organisation.name},
    )
    return redirect("organisations:home", organisation_slug=membership.organisation.slug)


@organisation_view(read=Action.MANAGE_ORGANISATION, write=None)
def member_sign_ins(request, organisation):
    """The DPO's view of the members' sign-ins (and refused ones), newest first."""
    events = SignInEvent.objects.filter(user__memberships__organisation=organisation).select_related("user")
    return render(
        request,
        "accounts/member_sign_ins.html",
        {
            "organisation": organisation,
            "page": Paginator(events, MEMBERS_PER_PAGE).get_page(request.GET.get("page")),
            "section": "settings",
            "days": settings.SIGN_IN_HISTORY_DAYS,
        },
    )


def _membership(organisation, membership_id) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, organisation=organisation)


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def member_role(request, organisation, membership_id):
    membership = _membership(organisation, membership_id)
    form = MembershipRoleForm(request.POST)
    if form.is_valid():
        try:
            membership = services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s.") % {"user": membership.user, "role": membership.get_role_display()},
            )
    else:
        messages.error(request, _("Choose one of the roles offered."))
    return redirect("organisations:members", organisation_slug=organisation.slug)


@organisation_view(read=Action.MANAGE_ORGANISATION, write=Action.MANAGE_ORGANISATION)
def member_remove(request, organisation, membership_id):
    membership = _membership(organisation, membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(user)s no longer has access to this organisation.") % {"user": membership.user}
            )
            if membership.user == request.user and not request.user.is_superuser:
                return redirect("home")
        return redirect("organisations:members", organisation_slug=organisation.slug)
    return render(
        request,
        "accounts/member_remove.html",
        {"organisation": organisation, "membership": membership, "section": "settings"},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with two limits: requests per address (beyond them a 429 page), and emails to one
    address (beyond them nothing is sent, and the page says what it always says, so that it tells nobody whether an
    account exists)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        verdict = ratelimit.hit("password_reset_address", ratelimit.client_address(request))
        if not verdict.allowed:
            return too_many_requests(request, verdict.retry_after)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.hit("password_reset_account", email).allowed:
            logger.warning("Password reset not sent: too many requested for one email address")
            return redirect(self.success_url)
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    """Django's sign-in page, offering single sign-on when a provider is set up (``accounts.sso``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = sso.provider_name() if sso.enabled() else None
        return context
