"""Middleware of the core app."""

from django.conf import settings
from django.contrib import messages
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import jobs, ratelimit
from .views import healthz, too_many_requests


class HealthCheckMiddleware:
    """/healthz answered before the session, the user and the language are looked up: those read the database, and a
    probe carrying a cookie must still get its JSON 503 when the database is gone, never an HTML error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == settings.HEALTHZ_PATH:
            return healthz(request)
        return self.get_response(request)


class JobsNoticeMiddleware:
    """A save whose background jobs could not reach the task queue (Redis down) is kept, and they will run once it is
    back (``core.jobs``): the user is told so, rather than shown stale findings without a word."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with jobs.noting_unsent():
            response = self.get_response(request)
            if jobs.unsent() and hasattr(request, "_messages"):
                messages.warning(
                    request,
                    _(
                        "Saved. The checks that follow will run when the task queue is back: it does not answer "
                        "now, and nothing is lost."
                    ),
                )
        return response


class PostRateLimitMiddleware:
    """Form posts per signed-in user (``posts``) or, before signing in, per address (``anonymous_posts``): beyond the
    rate, a 429 page saying how long to wait; the API counts its own requests (``core.api_defaults.RateThrottle``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path_info.startswith("/api/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        scope = "posts" if user is not None and user.is_authenticated else "anonymous_posts"
        verdict = ratelimit.hit(scope, ratelimit.requester(request))
        if verdict.allowed:
            return self.get_response(request)
        return too_many_requests(request, verdict.retry_after)


class NoStoreMiddleware:
    """Nothing of the register stays in a browser's or a proxy's cache: every page shown to a signed-in user, every
    API answer and every download is sent with ``Cache-Control: no-store`` (and ``private``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
