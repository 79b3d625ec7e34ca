"""API of discovery: data sources, their scans, and the columns each scan found (issue #23).

``data-sources/`` lists and adds sources; a source's ``url`` (its credentials) is written, never read back: answers
give its ``address`` without user or password. ``data-sources/{id}/scan/`` starts a scan (202; 200 with the scan not
finished yet), ``scans/{id}/`` follows it, ``scans/{id}/cancel/`` stops it; ``scanned-columns/?scan={id}`` lists
what it found, and the DPO confirms or rejects each proposal. Every write goes through ``discovery.services``, as the
pages do; the DPO writes, managers and auditors read, other organisations' objects are 404.
"""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import OrganisationField, OrganisationScopedReadViewSet, OrganisationSlugFilter, OwnEntry
from core.api import StrictKeys
from inventory.models import DataField, System

from . import services
from .models import Scan, ScannedColumn, Source


class ScanSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(source="source.organisation", slug_field="slug", read_only=True)
    reason_label = serializers.CharField(
        source="get_reason_display", read_only=True, help_text="Why it failed, in your language; empty if it did not."
    )
    reason = serializers.ChoiceField(
        Scan.Reason.choices, allow_blank=True, read_only=True, help_text="Why it failed; empty if it did not."
    )
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null for a scheduled scan."
    )

    class Meta:
        model = Scan
        fields = [
            "id",
            "organisation",
            "source",
            "status",
            "steps_done",
            "steps_total",
            "cancel_requested",
            "reason",
            "reason_label",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class LastScanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scan
        fields = ["id", "status", "started_at", "finished_at"]
        read_only_fields = fields


class SourceSerializer(StrictKeys, serializers.ModelSerializer):
    organisation = OrganisationField()
    system = OwnEntry(System, help_text="The id of the system of your catalogue that holds the database.")
    url = serializers.CharField(
        write_only=True,
        max_length=2000,
        trim_whitespace=True,
        help_text="postgresql://user:password@host:5432/database, mysql://…, mariadb://… or "
        "sqlite:////path/to/file.sqlite3. Kept encrypted; never shown again (see address).",
    )
    last_scan = LastScanSerializer(
        read_only=True, allow_null=True, help_text="The last scan that finished reading it: what it is known to hold."
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "organisation",
            "system",
            "name",
            "kind",
            "address",
            "url",
            "scan_every_days",
            "last_scan",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["kind", "address", "created_at", "updated_at"]
        extra_kwargs = {"scan_every_days": {"max_value": 366, "help_text": "0: only when asked. 7 if omitted."}}
        validators = []  # the services validate (a name taken in the system, the URL), with their messages

    def create(self, validated_data):
        return services.source_create(**validated_data)


class ColumnSerializer(serializers.ModelSerializer):
    scan = serializers.IntegerField(source="table.scan_id", read_only=True)
    schema = serializers.CharField(source="table.schema", read_only=True)
    table = serializers.CharField(source="table.name", read_only=True)
    personal = serializers.BooleanField(read_only=True, help_text="Whether the scan found personal data in it.")
    category = serializers.ChoiceField(
        DataField.Category.choices, allow_blank=True, read_only=True, help_text="Empty: no personal data found."
    )
    special_category = serializers.ChoiceField(DataField.SpecialCategory.choices, allow_blank=True, read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ScannedColumn
        fields = [
            "id",
            "scan",
            "schema",
            "table",
            "name",
            "type",
            "personal",
            "kind",
            "category",
            "special_category",
            "data_field",
            "proposed_field_name",
            "confidence",
            "evidence",
            "review",
            "decision",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class ConfirmSerializer(StrictKeys, serializers.Serializer):
    data_field = OwnEntry(
        DataField,
        required=False,
        allow_null=True,
        help_text="The id of the data field of your catalogue it holds; omitted, the one proposed (a new catalogue "
        "entry named as proposed when the organisation has none).",
    )


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number the database can hold (a huge or decimal one is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class SourceFilter(django_filters.FilterSet):
    organisation = OrganisationSlugFilter()
    system = IdFilter(field_name="system_id", help_text="A system's id.")


class ScanFilter(django_filters.FilterSet):
    organisation = OrganisationSlugFilter("source__organisation")
    source = IdFilter(field_name="source_id", help_text="A data source's id: its scans.")
    status = django_filters.ChoiceFilter(choices=Scan.Status.choices)


class ColumnFilter(django_filters.FilterSet):
    organisation = OrganisationSlugFilter("table__scan__source__organisation")
    scan = IdFilter(field_name="table__scan_id", help_text="A scan's id: the columns it read.")
    personal = django_filters.BooleanFilter(method="filter_personal", help_text="true: personal data found.")
    special = django_filters.BooleanFilter(method="filter_special", help_text="true: a special category (Art. 9).")
    decision = django_filters.ChoiceFilter(choices=ScannedColumn.Decision.choices)

    def filter_personal(self, queryset, name, value):
        return queryset.exclude(category="") if value else queryset.filter(category="")

    def filter_special(self, queryset, name, value):
        special = Q(category=DataField.Category.SPECIAL)
        return queryset.filter(special) if value else queryset.exclude(special)


def scan_etag(scanning: Scan) -> str:
    """Changes with the scan's status and progress."""
    return f'"{scanning.status}-{scanning.steps_done}-{int(scanning.cancel_requested)}"'


@extend_schema_view(
    list=extend_schema(summary="The data sources of your organisations (databases their systems hold)"),
    retrieve=extend_schema(summary="One data source, with its last scan"),
    create=extend_schema(summary="Add a data source (the DPO); its url is kept encrypted and never shown again"),
)
class SourceViewSet(OrganisationScopedReadViewSet):
    queryset = Source.objects.select_related("last_scan").order_by("name", "pk")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created_at"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_write(serializer.validated_data["organisation"])
        source = serializer.save()
        return self._respond(self.get_queryset().get(pk=source.pk), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={202: ScanSerializer, 200: ScanSerializer},
        summary="Start a scan of the source (202), or follow the one not finished yet (200)",
    )
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        scanning, created = services.scan_start(self.get_object(), user=request.user)
        scanning = ScanViewSet.queryset.get(pk=scanning.pk)
        response = Response(
            ScanSerializer(scanning, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )
        response["ETag"] = scan_etag(scanning)
        response["Location"] = request.build_absolute_uri(f"/api/v1/scans/{scanning.pk}/")
        return response


@extend_schema_view(
    list=extend_schema(summary="Scans of your organisations' data sources, newest first (?source= for one's)"),
    retrieve=extend_schema(summary="One scan: its status and progress (poll it until it is finished)"),
)
class ScanViewSet(OrganisationScopedReadViewSet):
    queryset = Scan.objects.select_related("source__organisation", "requested_by").order_by("-created_at", "-pk")
    serializer_class = ScanSerializer
    filterset_class = ScanFilter
    organisation_path = "source__organisation"
    ordering_fields = ["created_at"]

    def etag(self, scanning) -> str:
        return scan_etag(scanning)

    @extend_schema(request=None, summary="Stop the scan: a queued one at once, a running one after its current table")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        scanning = self.get_object()
        services.scan_cancel(scanning)
        return self._respond(self.get_queryset().get(pk=scanning.pk))


@extend_schema_view(
    list=extend_schema(summary="Columns the scans read (?scan= for one scan's; filter personal, special, decision)"),
    retrieve=extend_schema(summary="One column a scan read: what it holds, and the DPO's decision"),
)
class ColumnViewSet(OrganisationScopedReadViewSet):
    queryset = ScannedColumn.objects.select_related("table", "decided_by").order_by("table_id", "pk")
    serializer_class = ColumnSerializer
    filterset_class = ColumnFilter
    organisation_path = "table__scan__source__organisation"
    search_fields = ["name", "table__name"]
    ordering_fields = ["confidence", "name"]

    def etag(self, column) -> str:
        decided = column.decided_at.isoformat() if column.decided_at else ""
        return f'"{column.decision}-{column.data_field_id}-{decided}"'

    @extend_schema(
        request=ConfirmSerializer,
        responses=ColumnSerializer,
        summary="Confirm what the scan found (the DPO), with the data field it holds",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        column = self.get_object()
        body = ConfirmSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        services.column_confirm(column, user=request.user, data_field=body.validated_data.get("data_field"))
        return self._respond(self.get_queryset().get(pk=column.pk))

    @extend_schema(request=None, responses=ColumnSerializer, summary="Reject what the scan found (the DPO)")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        column = self.get_object()
        services.column_reject(column, user=request.user)
        return self._respond(self.get_queryset().get(pk=column.pk))
