"""The API's JSON parser, pagination and write rate limit, named in settings.REST_FRAMEWORK (kept apart
from ``core.api``, which imports DRF's views: those read these settings as they load)."""

import logging

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


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
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache (Redis) is away: the write goes through, the outage is logged
            logger.warning("API write rate limit not applied: its cache does not answer", exc_info=True)
            return True


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a translated message; a body nested too deeply to parse
    (``[[[[…]]]]`` thousands of levels down) is refused as malformed, not answered 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            reason = str(exc.__context__ or exc.detail)  # json's own words: where and what
        except RecursionError:
            reason = _("nested too deeply")
        raise ParseError(_("The request body is not valid JSON: %(reason)s.") % {"reason": reason})
