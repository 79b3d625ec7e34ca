from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error

from .health import CHECKS, health_report
from .history import API_PREFIX


@never_cache
def healthz(request):
    """Liveness for orchestrators: 200 when every configured service answers, else 503, always JSON. Answered by
    ``core.middleware.HealthCheckMiddleware`` before the session or the user are read. ``?checks=database``: the web
    process's own liveness (a container probe), without the broker or a worker."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"status": "fail", "detail": "GET only"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    asked = request.GET.get("checks")
    healthy, report = health_report(CHECKS & set(asked.split(",")) if asked else CHECKS)
    return JsonResponse(report, status=200 if healthy else 503)


def _api_error(status: int, code: str, detail) -> JsonResponse:
    return JsonResponse({"status": status, "code": code, "detail": str(detail), "errors": []}, status=status)


def _way_back(request) -> str:
    """The page the reader came from, if it is one of ours: else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very reason for a 400, maybe
        return reverse("home")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return reverse("home")


def _error_page(request, template_name: str, status: int, **context) -> HttpResponse:
    """An error page in the app's layout and the reader's language (already active: the locale and the user's
    preferences are read before any view), with a way back."""
    access = getattr(request, "access", None)  # set by accounts.permissions once the organisation is known
    context = {
        "back_url": _way_back(request),
        "error_status": status,
        "organisation": getattr(access, "organisation", None),
        **context,
    }
    return render(request, template_name, context, status=status)


def bad_request(request, exception=None):
    """400: a request the server could not read (a bad host name, a malformed form…)."""
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "bad_request", _("The request could not be read."))
    return _error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    """403: a member whose role does not allow the action (``accounts.permissions``)."""
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "permission_denied", _("You do not have permission to perform this action."))
    return _error_page(request, "403.html", 403)


def csrf_failure(request, reason=""):
    """403 of a form sent without its security token, or with an expired one (``CSRF_FAILURE_VIEW``): most often a
    page left open across a sign-out or a new session. Django's reason stays in the log, not on the page."""
    return _error_page(request, "403.html", 403, csrf_failed=True)


def not_found(request, exception=None):
    """404: the API's JSON error for an address under /api/, the app's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not_found", _("Not found."))
    return _error_page(request, "404.html", 404)


def failed(request):
    """500: the API's JSON error under /api/ (a script can read it), the app's page elsewhere. Drawn from the
    template alone, without the request's context: the database or the session may be what failed."""
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "server_error", _("The server failed: try again later."))
    try:
        page = loader.get_template("500.html").render({"back_url": "/", "error_status": 500})
    except Exception:  # the error page must never fail in turn: Django's bare one then
        return server_error(request)
    return HttpResponseServerError(page)


def too_many_requests(request, retry_after: int):
    """The 429 page: nothing was done, try again in so many seconds."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
