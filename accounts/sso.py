"""Single sign-on with OpenID Connect (#21), through mozilla-django-oidc: one provider per deployment, from settings
(``OIDC_*``, docs/configuration.md). A provider's user signs in as the Registre account with the same email address,
if the provider says that address is verified (and, where ``OIDC_ALLOWED_EMAIL_DOMAINS`` is set, in one of those
domains). No account is created: people join an organisation by invitation, then may sign in either way. Two factors
still apply to an account that has them.

When no provider is set up, the pages answer 404 and the backend authenticates nobody.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import User

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name() -> str:
    return getattr(settings, "OIDC_PROVIDER_NAME", "") or _("your organisation's account")


def _email_allowed(email: str) -> bool:
    domains = [domain.lower().lstrip("@") for domain in getattr(settings, "OIDC_ALLOWED_EMAIL_DOMAINS", [])]
    return not domains or email.rsplit("@", 1)[-1].lower() in domains


class Backend(OIDCAuthenticationBackend):
    """Matches the provider's user to an active account by verified email; never creates one."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not enabled() or request is None or "code" not in request.GET:
            return None  # a password sign-in, or no provider: not this backend's
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims) -> bool:
        email = claims.get("email") or ""
        if not (super().verify_claims(claims) and claims.get("email_verified") is True):
            logger.warning("SSO sign-in refused: the provider did not say the email address is verified")
            return False
        if not _email_allowed(email):
            logger.warning("SSO sign-in refused: the email address is not in an allowed domain")
            return False
        return True

    def filter_users_by_claims(self, claims):
        return User.objects.filter(email__iexact=claims.get("email", ""), is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        """The one active account of the verified address, else nobody (the sign-in page then says why): no account
        is created, invitations are the way in; two accounts sharing the address cannot be told apart."""
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            return None
        users = list(self.filter_users_by_claims(claims)[:2])
        return users[0] if len(users) == 1 else None

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()


class SignInView(OIDCAuthenticationRequestView):
    """Off to the provider (404 when none is set up)."""

    def __init__(self, *args, **kwargs):
        if enabled():
            super().__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: signed in, or the sign-in page saying why not."""

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Signing in with %(provider)s did not work: no active Registre account has the verified email "
                "address it gave, or that address is not allowed here. Ask your DPO for an invitation."
            )
            % {"provider": provider_name()},
        )
        return super().login_failure()
