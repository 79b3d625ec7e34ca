"""API authentication: ``Authorization: Token rg_…``, one of the user's named tokens (``accounts.models.ApiToken``),
then the user's time zone, as the web pages have it; and the token's scope, read only or one organisation."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from core import ratelimit

from .middleware import activate_time_zone
from .models import ApiToken, secret_hash

LAST_USE_PRECISION = datetime.timedelta(minutes=1)  # a token's last use is written at most this often


class TokenAuthentication(authentication.BaseAuthentication):
    """A token's user, with the token on ``request.auth`` and on the user (``user.api_token``), so that the
    organisation rules see a token limited to one organisation. Unknown and expired tokens are refused with a
    reason; an address sending many unknown tokens is slowed down (429)."""

    keyword = "Token"

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token after the word Token, without spaces in it."))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        token = ApiToken.objects.select_related("user").filter(key_hash=secret_hash(key)).first()
        if token is None or not token.user.is_active:
            verdict = ratelimit.hit("api_token_failures", ratelimit.client_address(request))
            if not verdict.allowed:
                raise exceptions.Throttled(verdict.retry_after)
            raise exceptions.AuthenticationFailed(_("Unknown or revoked token."))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s: create a new one in your preferences.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "DATETIME_FORMAT")}
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.user
        user.api_token = token
        activate_time_zone(user)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScope(permissions.BasePermission):
    """A read-only token reads: any other method is refused (403 ``read_only_token``)."""

    message = gettext_lazy("This token may only read: create a read-and-write token to change the register.")
    code = "read_only_token"

    def has_permission(self, request, view):
        token = request.auth
        return not isinstance(token, ApiToken) or token.can_write or request.method in permissions.SAFE_METHODS


class TokenScheme(OpenApiAuthenticationExtension):
    """The tokens in the API's schema (and its explorer's Authorize button), as drf-spectacular describes DRF's."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A token of yours (Your preferences → API tokens), after the word "Token".',
        }
