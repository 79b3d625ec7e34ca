from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import health_report


@never_cache
@require_safe
def healthz(request):
    """Liveness for orchestrators: 200 when every configured service answers, else 503."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
