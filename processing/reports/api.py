"""``/api/v1/exports/``: ask for an export of the register, follow it, download it; and the
export log (every export, whoever took it and however: web pages or API)."""

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action

from accounts.api import OrganisationField, OrganisationScopedReadViewSet
from accounts.permissions import Action
from core.api import StrictKeys
from processing.as_of import EARLIEST_DAY
from processing.reports.forms import RegisterExportForm
from processing.reports.models import ExportLog
from processing.reports.schema import register_document_serializer
from processing.reports.services import CONTENT_TYPES, RegisterExport, register_export_refusal, register_export_start


class ExportSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to fetch the file once it is ready.")

    class Meta:
        model = ExportLog
        fields = [
            "id",
            "organisation",
            "report",
            "format",
            "language",
            "options",
            "rows",
            "status",
            "percent",
            "requested_by",
            "created_at",
            "finished_at",
            "expires_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, export) -> str | None:
        if export.status != ExportLog.Status.READY:
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/exports/{export.pk}/download/")


@extend_schema_field(OpenApiTypes.STR)
class OrganisationSlug(OrganisationField):
    """An organisation of the caller's, by slug."""


class ExportRequestSerializer(StrictKeys, serializers.Serializer):
    organisation = OrganisationSlug()
    format = serializers.ChoiceField(choices=RegisterExportForm.FORMATS)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    scope = serializers.ChoiceField(choices=["active", "all"], default="active")
    as_of = serializers.DateField(required=False, allow_null=True, help_text="The register as it stood that day.")

    def validate_as_of(self, day):
        if day and not (EARLIEST_DAY <= day <= timezone.localdate()):
            raise serializers.ValidationError(gettext_lazy("Choose a day between 1 January 1970 and today."))
        return day


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"
    default_detail = gettext_lazy("This export is not ready: poll it until its status is ready.")


class Expired(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "expired"
    default_detail = gettext_lazy("This export has expired and its file was deleted: ask for a new one.")


@extend_schema_view(
    list=extend_schema(summary="The export log of your organisations (every export, web or API)"),
    retrieve=extend_schema(summary="One export: its status and progress"),
)
class ExportViewSet(OrganisationScopedReadViewSet):
    queryset = ExportLog.objects.select_related("requested_by").order_by("-created_at", "-pk")
    serializer_class = ExportSerializer
    read_action = Action.VIEW
    write_action = Action.EXPORT
    action_permissions = {"download": Action.EXPORT}

    def etag(self, export) -> str:
        return f'"{export.status}-{export.steps_done}"'

    @extend_schema(
        request=ExportRequestSerializer,
        responses={202: ExportSerializer},
        summary="Ask for an export of the register; a worker prepares it (poll it, then download it)",
    )
    def create(self, request):
        body = ExportRequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        self.check_write(data["organisation"])
        asked = RegisterExport(
            format=data["format"],
            language=data["language"],
            active_only=data["scope"] != "all",
            as_of=data.get("as_of"),
        )
        refusal = register_export_refusal(data["organisation"], asked)
        if refusal:
            raise serializers.ValidationError({"format": [refusal]})
        export = register_export_start(organisation=data["organisation"], user=request.user, request=asked)
        response = self._respond(export, status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(f"/api/v1/exports/{export.pk}/")
        return response

    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(
                register_document_serializer(),
                description="A JSON export: the register document, every Art. 30 item of every activity.",
            ),
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="An XLSX or CSV export: the file."
            ),
        },
        summary="Download a prepared export (members of its organisation, until it expires)",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        export = self.get_object()
        if export.status == ExportLog.Status.EXPIRED:
            raise Expired
        if export.status != ExportLog.Status.READY or not export.file:
            raise NotReady
        name = RegisterExport.of(export).filename(export.organisation)
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[export.format]
        )
