"""Middleware of the core app."""

from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext as _

from . import jobs
from .views import healthz


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
