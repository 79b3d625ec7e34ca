"""What every endpoint of the API shares: pagination, the write rate limit, errors and the
schema's description of them.

Errors are JSON, translated by ``Accept-Language``, always in one shape::

    {"status": 400, "code": "invalid", "detail": "…",
     "errors": [{"field": "transfers.1.mechanism", "code": "required", "message": "…"}]}

``code`` values are stable: scripts test them, not the translated ``detail``.
"""

import datetime
import functools
import operator
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class RelatedList(serializers.ListField):
    """Several related objects by key (ids by default), read in one query whatever their number.

    DRF's ``many=True`` related fields read them one query each; this one also caps their
    number and refuses anything that is not a key (``1.5`` is not an id).
    """

    default_error_messages = {"does_not_exist": gettext_lazy("Unknown: {values}.")}

    def __init__(self, *, queryset=None, key="pk", child=None, max_length=500, **kwargs):
        self.queryset, self.key = queryset, key
        child = child or serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        super().__init__(child=child, max_length=max_length, **kwargs)

    def get_queryset(self):
        return self.queryset.all()

    def to_internal_value(self, data):
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # before reading anything
        keys = list(dict.fromkeys(super().to_internal_value(data)))  # in order, once each
        found = {getattr(obj, self.key): obj for obj in self.get_queryset().filter(**{f"{self.key}__in": keys})}
        if missing := [str(key) for key in keys if key not in found]:
            self.fail("does_not_exist", values=", ".join(missing))
        return [found[key] for key in keys]

    def to_representation(self, value):
        return [getattr(obj, self.key) for obj in value.all()]


@functools.cache
def plain_representation(
    serializer_class: type[serializers.ModelSerializer],
    *,
    read: Callable = operator.getitem,
    computed: frozenset[str] = frozenset(),
) -> Callable[..., dict]:
    """``to_representation`` of ``serializer_class`` for rows read as plain column values (``values()`` dicts, or with
    ``read=getattr`` model instances), key for key: each column is read by its attname and shown by its field's own
    ``to_representation``, so the formats stay the serializer's. The fields named in ``computed`` are not one column:
    ``represent(row, computed)`` takes a function of the row for each.

    DRF's generic path looks each value up through ``get_attribute``, and nested rows through their related managers,
    field by field and row by row, and builds every field of every serializer again for each request: on a page of 50
    activities with their rows, most of the API's time. These are built once per serializer class, without a
    request: not for fields that read it (hyperlinks)."""
    serializer = serializer_class()
    steps = []  # (key, what ``read`` reads or None for a computed field, how the value is shown)
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if name in computed:
            steps.append((name, None, None))
            continue
        model_field = serializer_class.Meta.model._meta.get_field(field.source)
        if not isinstance(field, serializers.RelatedField):
            steps.append((name, model_field.attname, field.to_representation))
        elif field.use_pk_only_optimization():
            by_key = lambda key, field=field: field.to_representation(PKOnlyObject(key))  # noqa: E731
            steps.append((name, model_field.attname, by_key))
        elif read is getattr:  # shown by another of its fields (a slug): the related object, loaded with the row
            steps.append((name, model_field.name, field.to_representation))
        else:
            raise TypeError(f"{serializer_class.__name__}.{name} is not shown by its key: compute it.")

    def represent(row, computed: dict | None = None) -> dict:
        shown = {}
        for name, column, show in steps:
            if column is None:
                shown[name] = computed[name](row)
            else:
                value = read(row, column)
                shown[name] = None if value is None else show(value)  # as Serializer.to_representation does
        return shown

    return represent


EARLIEST_MOMENT = datetime.date(1970, 1, 1)


class MomentField(serializers.DateTimeField):
    """A date and time no earlier than 1970: a naive "0001-01-01T00:00" read in a time zone
    east of UTC would fall into year 0 and overflow the database (a 500, not a 400)."""

    default_error_messages = {"too_early": gettext_lazy("Enter a date after 1970-01-01.")}

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            self.fail("too_early")
        if moment.date() < EARLIEST_MOMENT:
            self.fail("too_early")
        return moment


class StrictKeys:
    """A serializer mixin: a key the resource does not have is refused (a typo never passes
    silently), and so is a new value for a key in ``guarded`` (read-only, such as the
    status, which changes through actions). Other read-only keys (``id``, ``version``, …) are
    ignored, so a client may send back what it read."""

    guarded: dict = {}  # field name -> message saying how to change it

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, dict):
            for key in data:
                if key not in self.fields:
                    errors[key] = [exceptions.ErrorDetail(_("This field does not exist."), code="unknown")]
            for key, message in self.guarded.items():
                if key in data and self.instance is not None and self._changes(key, data[key]):
                    errors[key] = [exceptions.ErrorDetail(str(message), code="read_only")]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)

    def _changes(self, key, value) -> bool:
        field = self.fields.get(key)
        return (
            field is not None
            and field.read_only
            and value != field.to_representation(field.get_attribute(self.instance))
        )


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy("Send the If-Match header with the ETag you read: it protects others' changes.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "Someone else changed this object since you read it: read it again, then re-apply your change."
    )
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "payload_too_large"


def _path(field: str | None, key) -> str | None:
    """``transfers`` + 0 → ``transfers.0``; a missing part is left out."""
    if key is None:
        return field
    return f"{field}.{key}" if field is not None else str(key)


def _flatten(detail, field=None):
    """DRF's nested error details as a flat list of {field, code, message}."""
    if isinstance(detail, dict):
        # Keys are field names, or row numbers (ints, 0 included) for a nested list's rows.
        for key, value in detail.items():
            yield from _flatten(value, _path(field, None if key == api_settings.NON_FIELD_ERRORS_KEY else key))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            yield from _flatten(value, _path(field, index) if isinstance(value, dict | list) else field)
    else:
        yield {"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}


def _django_errors(error: DjangoValidationError):
    """A Django ValidationError (from the services) as DRF details, keeping each code."""
    if hasattr(error, "error_dict"):
        return {
            field: [exceptions.ErrorDetail(message, code=item.code or "invalid") for item in items for message in item]
            for field, items in error.error_dict.items()
        }
    return [
        exceptions.ErrorDetail(message, code=item.code or "invalid") for item in error.error_list for message in item
    ]


def exception_handler(exc, context):
    """Every error in the one JSON shape above."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "conflict":
        # processing.services.EditConflict: saved by someone else between If-Match and the write.
        exc = PreconditionFailed()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django answers 500 and logs it
    if isinstance(exc, exceptions.ValidationError):
        code, detail, errors = "invalid", _("The request is invalid: see errors."), list(_flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc.detail, str) else _("The request failed.")
        code, errors = getattr(exc.detail, "code", None) or exc.default_code, []
    response.data = {"status": response.status_code, "code": code, "detail": str(detail), "errors": errors}
    return response


ERROR = inline_serializer(
    "Error",
    {
        "status": serializers.IntegerField(),
        "code": serializers.CharField(help_text="Stable, for scripts: invalid, not_authenticated, …"),
        "detail": serializers.CharField(help_text="Translated by Accept-Language."),
        "errors": inline_serializer(
            "FieldError",
            {
                "field": serializers.CharField(allow_null=True, help_text="Path: name, transfers.1.mechanism"),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        ),
    },
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR, description=description)


class Schema(AutoSchema):
    """Documents, on every operation, the errors it can answer (views add their own, such as
    412 and 428, in ``extra_error_responses``: {method: {status: description}})."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra = {
            "401": gettext_lazy("No valid credentials: send Authorization: Token … or sign in."),
            "403": gettext_lazy("Your role in this organisation does not allow it."),
            "404": gettext_lazy("Not found, or another organisation's."),
        }
        if method == "GET" and self._is_list_view():
            extra["400"] = gettext_lazy("A filter or page is invalid: each error names its parameter.")
        if method != "GET":
            extra["429"] = gettext_lazy("Too many writes: wait, then retry (see the Retry-After header).")
        if method in ("POST", "PUT", "PATCH"):
            extra["400"] = gettext_lazy("Invalid: each error names its field and code.")
            extra["413"] = gettext_lazy("The request body is too large.")
        extra.update(getattr(self.view, "extra_error_responses", {}).get(method, {}))
        for code, description in extra.items():
            responses.setdefault(
                str(code), self._get_response_for_code(error(description), str(code), direction=direction)
            )
        return responses


def precondition_errors(method):
    """The extra errors of an update that requires If-Match."""
    return {
        method: {
            412: "If-Match does not match the current ETag: someone else changed it.",
            428: "If-Match is missing.",
        }
    }


def require_if_match(request, etag: str) -> None:
    """Refuse an update that does not say which version it changes (428), or an old one (412)."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise PreconditionRequired()
    # RFC 9110 13.1.1: If-Match compares strongly, so a weak tag (W/"v2") never matches.
    candidates = [value.strip() for value in sent.split(",")]
    if "*" not in candidates and etag not in candidates:
        raise PreconditionFailed()


def ok_response(serializer_data, etag=None, status_code=200) -> Response:
    response = Response(serializer_data, status=status_code)
    if etag:
        response["ETag"] = etag
    return response
