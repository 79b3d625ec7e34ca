"""The API's JSON parser, pagination and rate limits, named in settings.REST_FRAMEWORK (kept apart
from ``core.api``, which imports DRF's views: those read these settings as they load)."""

import logging

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from core import ratelimit

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    """``?page=N`` and ``?page_size=N`` (up to 200); answers carry ``count``."""

    page_size_query_param = "page_size"
    max_page_size = 200


class RateThrottle(BaseThrottle):
    """The API's rate limits (``core.ratelimit``): reads and writes per user, whatever their token or session;
    requests without credentials per address. Answered 429 with Retry-After."""

    def allow_request(self, request, view):
        if request.user is not None and request.user.is_authenticated:
            scope = "api_reads" if request.method in SAFE_METHODS else "api_writes"
        else:
            scope = "api_anonymous"
        verdict = ratelimit.hit(scope, ratelimit.requester(request))
        self.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self):
        return self.retry_after


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
