"""Search and filters of the register list (one FilterSet, for the pages and later the API)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.text import normalise_key
from inventory.models import DataField, Recipient, System, SystemCountry
from processing.extensions import has_open_findings
from processing.models import ProcessingActivity, Transfer

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Name, purpose, data field or system")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProcessingActivity.Status.choices)
    lawful_basis = django_filters.ChoiceFilter(label=_("Lawful basis"), choices=ProcessingActivity.LawfulBasis.choices)
    special = django_filters.ChoiceFilter(label=_("Special categories"), choices=YES_NO, method="filter_special")
    country = django_filters.ChoiceFilter(label=_("Stored in"), method="filter_country", choices=[])
    transfers = django_filters.ChoiceFilter(
        label=_("Transfers outside the EEA"), choices=YES_NO, method="filter_transfers"
    )
    findings = django_filters.ChoiceFilter(
        label=_("Open findings"),
        choices=YES_NO,
        method="filter_findings",
        help_text=_("Found by the compliance checks"),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("reference", "reference"), ("name", "name"), ("status", "status"), ("updated_at", "updated")),
        # django-filter words the descending choices when the class is made, in English: ours, translated when shown.
        field_labels={
            "reference": _("Reference"),
            "-reference": _("Reference (descending)"),
            "name": _("Name"),
            "-name": _("Name (descending)"),
            "status": _("Status"),
            "-status": _("Status (descending)"),
            "updated_at": _("Last change"),
            "-updated": _("Last change (descending)"),
        },
    )

    class Meta:
        model = ProcessingActivity
        fields = ["q", "status", "lawful_basis", "special", "country", "transfers", "findings"]

    def __init__(self, *args, countries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if countries is not None:  # the pages offer the countries the organisation's systems use
            self.filters["country"].extra["choices"] = countries

    def search(self, queryset, name, value):
        # Subqueries rather than joins: no duplicate rows, so no DISTINCT over the register.
        key = normalise_key(value)
        return queryset.filter(
            Q(name__icontains=value)
            | Q(reference__icontains=value)
            | Q(purpose__icontains=value)
            | Exists(DataField.objects.filter(activities=OuterRef("pk"), name_key__contains=key))
            | Exists(System.objects.filter(activities=OuterRef("pk"), name_key__contains=key))
        )

    def filter_special(self, queryset, name, value):
        special = Exists(DataField.objects.filter(activities=OuterRef("pk"), category=DataField.Category.SPECIAL))
        return queryset.filter(special) if value == "yes" else queryset.exclude(special)

    def filter_country(self, queryset, name, value):
        stored = Exists(SystemCountry.objects.filter(system__activities=OuterRef("pk"), country_id=value))
        return queryset.filter(stored)

    def filter_transfers(self, queryset, name, value):
        """Data leaves the EEA: a transfer row, a system or a recipient outside it."""
        leaves = (
            Exists(Transfer.objects.filter(activity=OuterRef("pk")))
            | Exists(SystemCountry.objects.filter(system__activities=OuterRef("pk"), country__is_eea=False))
            | Exists(Recipient.objects.filter(activities=OuterRef("pk"), country__is_eea=False))
        )
        return queryset.filter(leaves) if value == "yes" else queryset.exclude(leaves)

    def filter_findings(self, queryset, name, value):
        open_findings = has_open_findings()
        return queryset.filter(open_findings) if value == "yes" else queryset.exclude(open_findings)
