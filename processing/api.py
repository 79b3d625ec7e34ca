"""API of the register: activities with their links and rows, their history, and the
register as of a date.

An activity is written with its transfer rows, retention lines and other rows in one
request, through ``processing.services`` (one transaction, the web form's validation, the
history). Updates need ``If-Match`` with the activity's ETag, its version: a client never
overwrites a change it has not seen. Status changes are actions (activate, archive,
restore), refused with the list of what is missing, as on the record page.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import (
    OrganisationField,
    OrganisationScopedViewSet,
    OrganisationSlugFilter,
    OwnEntries,
    OwnEntry,
)
from accounts.permissions import organisation_access
from core.api import StrictKeys, plain_representation, require_if_match
from inventory.models import Country, DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System
from processing import as_of, history, services
from processing.completeness import completeness_facts, missing_items
from processing.filters import ActivityFilter
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from processing.selectors import activities_for_api, activity_rows


def row_fields(model) -> list[str]:
    """The fields of a row a client writes: all but its activity and timestamps."""
    technical = {"id", "activity", "created_at", "updated_at"}
    return ["id", *(field.name for field in model._meta.concrete_fields if field.name not in technical)]


class RowSerializer(StrictKeys, serializers.ModelSerializer):
    """A row of the activity: with ``id`` to keep (and change) an existing one, without to add one."""

    id = serializers.IntegerField(required=False, help_text="Omit to add a row; rows left out are removed.")


class SubjectSerializer(StrictKeys, serializers.ModelSerializer):
    category = OwnEntry(DataSubjectCategory, help_text="A data subject category's id.")

    class Meta:
        model = ActivityDataSubject
        fields = ["category", "approximate_count"]


class ControllerPartySerializer(RowSerializer):
    class Meta:
        model = ControllerParty
        fields = row_fields(ControllerParty)


class TransferSerializer(RowSerializer):
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), allow_null=True, required=False, help_text="ISO code of the destination."
    )
    international_organisation = serializers.PrimaryKeyRelatedField(
        queryset=InternationalOrganisation.objects.all(), allow_null=True, required=False
    )
    recipient = OwnEntry(Recipient, allow_null=True, required=False, help_text="The importer, a recipient.")
    system = OwnEntry(System, allow_null=True, required=False, help_text="The importer, a system.")

    class Meta:
        model = Transfer
        fields = row_fields(Transfer)


class RetentionLineSerializer(RowSerializer):
    class Meta:
        model = RetentionLine
        fields = row_fields(RetentionLine)


class SecurityMeasureSerializer(RowSerializer):
    class Meta:
        model = SecurityMeasure
        fields = row_fields(SecurityMeasure)


class ChangeSerializer(serializers.Serializer):
    """One change of the history (``core.history.Change``)."""

    when = serializers.DateTimeField()
    who = serializers.CharField(help_text="The username, or system for a command or import.")
    subject = serializers.CharField()
    kind = serializers.ChoiceField(["created", "changed", "deleted"])
    via = serializers.CharField(help_text="web or api; empty for a command, an import or the demo.")
    details = serializers.ListField(child=serializers.CharField(), help_text="Field: before → after.")


class MissingItemSerializer(serializers.Serializer):
    article = serializers.CharField(help_text='As the GDPR cites it: "30(1)(b)", "9(2)".')
    section = serializers.CharField(help_text="The form section where it is filled in.")
    message = serializers.CharField()


ROWS = {  # field of the API -> (serializer, the activity's related name)
    "data_subjects": (SubjectSerializer, "subject_links"),
    "controller_parties": (ControllerPartySerializer, "controller_parties"),
    "transfers": (TransferSerializer, "transfers"),
    "retention_lines": (RetentionLineSerializer, "retention_lines"),
    "security_measures": (SecurityMeasureSerializer, "security_measures"),
}
ROW_LIMIT = 50  # as in the web form


class ActivitySerializer(StrictKeys, serializers.ModelSerializer):
    guarded = {
        "organisation": gettext_lazy("An activity stays in its organisation."),
        "status": gettext_lazy("Change the status with the activate/, archive/ or restore/ actions."),
    }
    organisation = OrganisationField()
    data_fields = OwnEntries(DataField, required=False, help_text="Ids of data fields.")
    recipients = OwnEntries(Recipient, required=False, help_text="Ids of recipients.")
    systems = OwnEntries(System, required=False, help_text="Ids of systems (where data is stored).")
    data_subjects = SubjectSerializer(many=True, required=False, source="subject_links", max_length=ROW_LIMIT)
    controller_parties = ControllerPartySerializer(many=True, required=False, max_length=ROW_LIMIT)
    transfers = TransferSerializer(many=True, required=False, max_length=ROW_LIMIT)
    retention_lines = RetentionLineSerializer(many=True, required=False, max_length=ROW_LIMIT)
    security_measures = SecurityMeasureSerializer(many=True, required=False, max_length=ROW_LIMIT)
    cnil_dpia_types = serializers.ListField(
        child=serializers.ChoiceField(ProcessingActivity.CnilDpiaType.choices),
        required=False,
        max_length=len(ProcessingActivity.CnilDpiaType.choices),
        help_text="Types on the CNIL's list of processing requiring a DPIA (délibération 2018-327) it falls under.",
    )
    missing = serializers.SerializerMethodField(help_text="What the activity lacks before it can be active.")

    class Meta:
        model = ProcessingActivity
        fields = [
            "id",
            "organisation",
            "reference",
            *[name for name in services.SCALAR_FIELDS if name != "reference"],
            "data_fields",
            "recipients",
            "systems",
            *ROWS,
            "version",
            "missing",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]
        extra_kwargs = {
            "reference": {"required": False, "allow_blank": True, "help_text": "Given the next PA-nnn when omitted."}
        }
        validators = []  # uniqueness is the services' (with their message), in the same transaction

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["organisation"].read_only = True  # an activity never moves to another organisation
        return fields

    @extend_schema_field(MissingItemSerializer(many=True))
    def get_missing(self, activity, facts=None) -> list[dict]:
        return [
            {"article": item.article, "section": item.section, "message": str(item.message)}
            for item in missing_items(activity, facts)
        ]

    def page_representation(self, activities: list[ProcessingActivity]) -> list[dict]:
        """What ``to_representation`` gives for each of these activities (read with their organisation, without their
        rows), from their rows read as plain values, in a fixed number of queries: a list's page."""
        related_names = [related_name for _serializer, related_name in ROWS.values()]
        rows = activity_rows((activity.pk for activity in activities), links=services.LINK_FIELDS, rows=related_names)
        facts = completeness_facts((activity.pk for activity in activities), name_destinations=True)

        def nested(serializer_class, by_activity):
            represent = plain_representation(serializer_class)
            return lambda activity: [represent(row) for row in by_activity.get(activity.pk, ())]

        computed = {
            **{name: lambda activity, ids=rows[name]: ids.get(activity.pk, []) for name in services.LINK_FIELDS},
            **{name: nested(serializer, rows[related_name]) for name, (serializer, related_name) in ROWS.items()},
            "missing": lambda activity: self.get_missing(activity, facts[activity.pk]),
        }
        represent = plain_representation(type(self), read=getattr, computed=frozenset(computed))
        return [represent(activity, computed) for activity in activities]

    def _service_data(self, validated):
        data = dict(validated)
        data.pop("organisation", None)
        if "subject_links" in data:
            data["data_subjects"] = data.pop("subject_links")
        for name in ("controller_parties", "transfers", "retention_lines", "security_measures"):
            if name in data:
                data[name] = [
                    {key: value for key, value in row.items() if key != "id" or value is not None} for row in data[name]
                ]
        return data

    def create(self, validated_data):
        return services.activity_create(
            organisation=validated_data["organisation"], **self._service_data(validated_data)
        )

    def update(self, activity, validated_data):
        return services.activity_update(
            activity=activity, expected_version=activity.version, **self._service_data(validated_data)
        )


class AsOfQuery(serializers.Serializer):
    """The parameters of the register as of a date, checked before anything is read."""

    as_of = serializers.DateField(input_formats=["iso-8601"])
    organisation = serializers.SlugField(
        error_messages={"required": gettext_lazy("Say which organisation's register, with its slug.")}
    )


class ActivityApiFilter(ActivityFilter):
    """The register pages' filters, plus the organisation; countries by ISO code."""

    organisation = OrganisationSlugFilter()
    country = django_filters.CharFilter(method="filter_country", help_text="ISO code of a storage country.")
    as_of = django_filters.DateFilter(
        method="keep", help_text="The register as it stood at the end of that day (needs organisation)."
    )

    class Meta(ActivityFilter.Meta):
        fields = ["organisation", *ActivityFilter.Meta.fields, "as_of"]

    def keep(self, queryset, name, value):
        return queryset  # read by the view, which rebuilds the register from its history


@extend_schema_view(
    list=extend_schema(summary="The register: activities of your organisations (or as of a date)"),
    retrieve=extend_schema(summary="One activity, with its ETag (its version)"),
    create=extend_schema(summary="Record an activity (a draft) with its links and rows, in one transaction"),
    update=extend_schema(summary="Replace an activity's fields and rows (If-Match required)"),
    partial_update=extend_schema(summary="Change an activity's fields or rows (If-Match required)"),
)
class ActivityViewSet(OrganisationScopedViewSet):
    queryset = activities_for_api(ProcessingActivity.objects.all())
    serializer_class = ActivitySerializer
    filterset_class = ActivityApiFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        # By organisation, then reference: the order of the index behind their uniqueness, so a page of 50 is read
        # from it rather than sorted out of the whole register (ordered by the organisation's name, PostgreSQL
        # joined and sorted all 100,000 activities for each page: about 110 ms).
        return super().get_queryset().order_by("organisation_id", "reference")

    def etag(self, activity) -> str:
        return f'"v{activity.version}"'

    def locked_object(self):
        activity = self.get_object()
        require_if_match(self.request, self.etag(activity))
        return activity  # services.activity_update locks it and re-checks its version

    def list(self, request, *args, **kwargs):
        day = request.query_params.get("as_of")
        if day is not None:
            return self._list_as_of(request, day)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).prefetch_related(None))
        return self.get_paginated_response(self.get_serializer().page_representation(page))

    def _list_as_of(self, request, day):
        query = AsOfQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        date, slug = query.validated_data["as_of"], query.validated_data["organisation"]
        organisation = organisation_access(request.user, slug).organisation
        moment = as_of.moment_of(date)
        page = self.paginate_queryset(as_of.activity_records_as_of(organisation, moment))
        activities = as_of.activities_as_of(organisation, moment, page)
        return self.get_paginated_response(self.get_serializer(activities, many=True).data)

    @extend_schema(request=None, summary="Make a draft active: refused with what is missing unless complete")
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._transition(services.activity_activate)

    @extend_schema(request=None, summary="Archive an activity: it leaves the current register, keeps its history")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._transition(services.activity_archive)

    @extend_schema(request=None, summary="Restore an archived activity, as a draft")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._transition(services.activity_restore)

    def _transition(self, change):
        activity = change(activity=self.get_object())
        return self._respond(self.get_queryset().get(pk=activity.pk))

    @extend_schema(
        summary="Every recorded change of the activity, its links and rows, newest first",
        responses=ChangeSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        return Response(ChangeSerializer(history.activity_history(self.get_object()), many=True).data)
