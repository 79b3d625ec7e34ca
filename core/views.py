from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found, server_error

from .health import health_report
from .history import API_PREFIX


@never_cache
@require_safe
def healthz(request):
    """Liveness for orchestrators: 200 when every configured service answers, else 503."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def not_found(request, exception=None):
    """404: the API's JSON error for an address under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        body = {"status": 404, "code": "not_found", "detail": _("Not found."), "errors": []}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)


def failed(request):
    """500: the API's JSON error under /api/ (a script can read it), Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        body = {"status": 500, "code": "server_error", "detail": _("The server failed: try again later."), "errors": []}
        return JsonResponse(body, status=500)
    return server_error(request)
