"""The findings through the API: read them, acknowledge one (the DPO), accept its risk (the DPO or a manager)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from accounts.api import (
    OrganisationScopedReadViewSet,
    OrganisationSlugFilter,
)
from accounts.permissions import Action
from processing.compliance import services
from processing.compliance.filters import FindingFilter
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load


class FindingSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    subject_type = serializers.SerializerMethodField(help_text="activity, system or recipient (later: breach).")
    message = serializers.SerializerMethodField(help_text="What is wrong and what to do, in the caller's language.")
    article = serializers.SerializerMethodField()
    status_changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    last_seen_at = serializers.DateTimeField(source="seen_at", read_only=True, help_text="When a check last found it.")

    class Meta:
        model = Finding
        fields = [
            "id",
            "organisation",
            "rule",
            "severity",
            "subject_type",
            "subject_id",
            "article",
            "message",
            "params",
            "status",
            "first_detected_at",
            "last_seen_at",
            "resolved_at",
            "status_changed_by",
            "justification",
        ]
        read_only_fields = fields

    def get_subject_type(self, finding) -> str:
        return "activity" if finding.subject_type.model == "processingactivity" else finding.subject_type.model

    def get_message(self, finding) -> str:
        rule = load().get(finding.rule)
        return rule.render(finding.params) if rule else finding.rule

    def get_article(self, finding) -> str:
        rule = load().get(finding.rule)
        return rule.article if rule else ""


class JustificationSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=5000, help_text="Why the organisation accepts the risk.")


class FindingApiFilter(FindingFilter):
    organisation = OrganisationSlugFilter()

    class Meta(FindingFilter.Meta):
        fields = ["organisation", *FindingFilter.Meta.fields]


@extend_schema_view(
    list=extend_schema(summary="Findings of the compliance checks in your organisations"),
    retrieve=extend_schema(summary="One finding"),
)
class FindingViewSet(OrganisationScopedReadViewSet):
    queryset = (
        Finding.objects.with_last_seen()
        .select_related("subject_type", "status_changed_by")
        .order_by("-first_detected_at", "pk")
    )
    serializer_class = FindingSerializer
    filterset_class = FindingApiFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    action_permissions = {"acknowledge": Action.RUN_CHECKS, "accept_risk": Action.ACCEPT_RISK}

    def etag(self, finding) -> str:
        return f'"{finding.status}-{finding.updated_at.timestamp()}"'

    @extend_schema(request=None, summary="Acknowledge an open finding (the DPO)")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        finding = services.finding_acknowledge(finding=self.get_object(), user=request.user)
        return self._respond(finding)

    @extend_schema(request=JustificationSerializer, summary="Accept the risk, with a justification (DPO, manager)")
    @action(detail=True, methods=["post"], url_path="accept-risk")
    def accept_risk(self, request, pk=None):
        finding = self.get_object()
        body = JustificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        finding = services.finding_accept_risk(
            finding=finding, user=request.user, justification=body.validated_data["justification"]
        )
        return self._respond(finding)
