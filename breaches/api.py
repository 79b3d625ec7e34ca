"""API of the breach log: breaches with their timeline and their 72-hour clock.

A breach is written through ``breaches.services`` (the web form's validation, history, the
timeline's events); updates need ``If-Match`` with the ETag read. The timeline is
append-only: ``POST …/timeline/`` adds a note, or further information sent to the authority.

A breach with ``role: processor`` is refused what the controller alone does (the authority's
and the people's fields: Art. 33(1), 34) by the same services as the web form; its clock says
"inform the controller without undue delay" (Art. 33(2)), with no deadline.
"""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import OrganisationField, OrganisationScopedViewSet, OwnEntries
from core.api import MomentField, StrictKeys
from core.history import object_history
from inventory.models import DataField, DataSubjectCategory, System
from processing.api import ChangeSerializer
from processing.models import ProcessingActivity

from . import services
from .clock import State, breach_clock
from .models import Breach, TimelineEntry


class TimelineEntrySerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="None for an event the system recorded."
    )

    class Meta:
        model = TimelineEntry
        fields = ["id", "happened_at", "kind", "text", "author", "recorded_at"]
        read_only_fields = fields


class NewTimelineEntrySerializer(StrictKeys, serializers.Serializer):
    text = serializers.CharField(max_length=10_000, help_text="What happened.")
    kind = serializers.ChoiceField(
        [TimelineEntry.Kind.NOTE, TimelineEntry.Kind.FOLLOW_UP],
        default=TimelineEntry.Kind.NOTE,
        help_text="note, or follow_up: further information sent to the authority, or for a processor to the "
        "controller (Art. 33(4)).",
    )
    happened_at = MomentField(required=False, help_text="When; now if omitted.")


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        [
            State.RUNNING,
            State.NEAR,
            State.OVERDUE,
            State.NOTIFIED,
            State.NOTIFIED_LATE,
            State.NOT_REQUIRED,
            State.INFORM_CONTROLLER,
            State.CONTROLLER_INFORMED,
        ],
        help_text="inform_controller / controller_informed for a processor's breach (Art. 33(2)).",
    )
    deadline = serializers.DateTimeField(
        allow_null=True,
        help_text="Became aware + the notification delay (72 hours); null for a processor's breach (without undue "
        "delay).",
    )
    seconds_left = serializers.IntegerField(
        allow_null=True, help_text="Negative once the deadline has passed; null without a deadline."
    )
    words = serializers.CharField(help_text='"11 hours 59 minutes left", "late by 5 hours", in your language.')


class BreachSerializer(StrictKeys, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: MomentField,
    }
    organisation = OrganisationField()
    systems = OwnEntries(System, required=False, help_text="Ids of the systems affected.")
    activities = OwnEntries(ProcessingActivity, required=False, help_text="Ids of the processing activities affected.")
    subject_categories = OwnEntries(DataSubjectCategory, required=False, help_text="Ids of categories of people.")
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(DataField.Category.choices), required=False, max_length=50
    )
    special_categories = serializers.ListField(
        child=serializers.ChoiceField(DataField.SpecialCategory.choices), required=False, max_length=50
    )
    clock = serializers.SerializerMethodField(help_text="Where the 72-hour clock of the notification stands.")
    timeline = TimelineEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Breach
        fields = [
            "id",
            "organisation",
            "reference",
            *[name for name in services.SCALAR_FIELDS if name != "reference"],
            *services.LINK_FIELDS,
            "clock",
            "closed_at",
            "timeline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["closed_at", "created_at", "updated_at"]
        extra_kwargs = {
            "reference": {"required": False, "allow_blank": True, "help_text": "Given the next BR-yyyy-nnn if omitted."}
        }
        validators = []  # the services validate, with their messages, in the same transaction

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["organisation"].read_only = True  # a breach never moves to another organisation
        return fields

    @extend_schema_field(ClockSerializer)
    def get_clock(self, breach) -> dict:
        clock = breach_clock(breach)
        return {
            "state": clock.state,
            "deadline": None
            if clock.deadline is None
            else serializers.DateTimeField().to_representation(clock.deadline),
            "seconds_left": None if clock.left is None else int(clock.left.total_seconds()),
            "words": clock.words,
        }

    def create(self, validated_data):
        data = dict(validated_data)
        organisation = data.pop("organisation")
        return services.breach_create(organisation=organisation, author=self.context["request"].user, **data)

    def update(self, breach, validated_data):
        data = {key: value for key, value in validated_data.items() if key != "organisation"}
        return services.breach_update(breach=breach, author=self.context["request"].user, **data)


@extend_schema_view(
    list=extend_schema(summary="The breach log of your organisations, with each breach's clock and timeline"),
    retrieve=extend_schema(summary="One breach, with its ETag"),
    create=extend_schema(summary="Log a breach (the DPO)"),
    update=extend_schema(summary="Replace a breach's fields (If-Match required)"),
    partial_update=extend_schema(summary="Change a breach's fields (If-Match required)"),
)
class BreachViewSet(OrganisationScopedViewSet):
    queryset = Breach.objects.prefetch_related(
        "systems",
        "activities",
        "subject_categories",
        Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author")),
    ).order_by("-aware_at", "-pk")
    serializer_class = BreachSerializer

    @extend_schema(
        summary="Every recorded change of the breach record, newest first (the timeline says what happened)",
        responses=ChangeSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        changes = object_history(self.get_object(), subject=gettext("Breach"))
        return Response(ChangeSerializer(changes, many=True).data)

    @extend_schema(
        request=NewTimelineEntrySerializer,
        responses={201: TimelineEntrySerializer},
        summary="Add a dated entry to the breach's timeline (append-only)",
    )
    @action(detail=True, methods=["post"])
    def timeline(self, request, pk=None):
        breach = self.get_object()
        body = NewTimelineEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.timeline_entry_add(breach=breach, author=request.user, **body.validated_data)
        return Response(TimelineEntrySerializer(entry).data, status=201)
