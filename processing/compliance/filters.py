"""The findings page's filters: status, severity, rule, what a finding concerns, activity."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from inventory.models import System
from processing.compliance.models import Finding
from processing.compliance.rules.registry import SUBJECT_KINDS, load
from processing.compliance.selectors import ACTIVE
from processing.models import ProcessingActivity


def rule_choices():
    """Each rule by its title in the reader's language (the query string keeps its stable code)."""
    return sorted(((code, each.label) for code, each in load().items()), key=lambda choice: choice[1].casefold())


def activity_choices(organisation) -> list[tuple[int, str]]:
    """The organisation's activities, as the register names them ("PA-001 · CRM"), archived ones included."""
    activities = ProcessingActivity.objects.filter(organisation=organisation).order_by("reference")
    return [(pk, f"{reference} · {name}") for pk, reference, name in activities.values_list("pk", "reference", "name")]


def kind_choices():
    """Activities, systems, and the kinds other apps register (breaches)."""
    load()
    return [
        ("activity", _("Activities")),
        ("system", _("Systems")),
        *((kind.value, kind.label) for kind in SUBJECT_KINDS.values()),
    ]


class FindingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("active", _("Open or acknowledged")), *Finding.Status.choices], method="by_status"
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Finding.Severity.choices)
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=rule_choices)
    kind = django_filters.ChoiceFilter(
        label=_("Concerns"),
        choices=kind_choices,
        method="by_kind",
    )
    activity = django_filters.NumberFilter(label=_("Activity"), method="by_activity")

    class Meta:
        model = Finding
        fields = ["status", "severity", "rule", "kind", "activity"]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:  # the page offers the activities by name; the API filters on a key
            activity = django_filters.ChoiceFilter(
                field_name="activity", label=_("Activity"), choices=activity_choices(organisation), method="by_activity"
            )
            activity.model, activity.parent = Finding, self
            self.filters["activity"] = activity

    def by_kind(self, queryset, name, value: str):  # the type: its choices come from the registry
        if value in SUBJECT_KINDS:
            kind = SUBJECT_KINDS[value]
            return queryset.filter(subject_type__app_label=kind.app_label, subject_type__model=kind.model)
        model = System if value == "system" else ProcessingActivity
        return queryset.filter(subject_type=ContentType.objects.get_for_model(model))

    def by_status(self, queryset, name, value):
        return queryset.filter(status__in=ACTIVE) if value == "active" else queryset.filter(status=value)

    def by_activity(self, queryset, name, value):
        activity_type = ContentType.objects.get_for_model(ProcessingActivity)
        return queryset.filter(subject_type=activity_type, subject_id=int(value))
