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
    return [(code, code) for code in sorted(load())]


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
        return queryset.filter(subject_type=activity_type, subject_id=value)
