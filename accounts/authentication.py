"""API authentication: a token, then the user's time zone, as the web pages have it."""

from rest_framework import authentication

from .middleware import activate_time_zone


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication; a token's user gets their own time zone for ``?as_of=``
    and every date and time in the answer (the middleware runs before DRF knows the user)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_time_zone(result[0])
        return result
