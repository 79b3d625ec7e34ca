"""The API's pagination and write rate limit, named in settings.REST_FRAMEWORK (kept apart
from ``core.api``, which imports DRF's views: those read these settings as they load)."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import UserRateThrottle


class Pagination(PageNumberPagination):
    """``?page=N`` and ``?page_size=N`` (up to 200); answers carry ``count``."""

    page_size_query_param = "page_size"
    max_page_size = 200


class WriteRateThrottle(UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per user, whatever their token or session; reads are free."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
