from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import normalise_key

from .models import AdequacyDecision, Country, DataField, DataSubjectCategory, Recipient, System


def country_choices(*, blank: bool, with_status: bool = False):
    """Countries by their name in the active language (the table is ordered by code); ``with_status`` says of each
    whether it is in the EEA or has an adequacy decision in force today (and whether it is partial)."""
    status = _transfer_status() if with_status else {}
    choices = sorted(
        ((country.pk, f"{country.name}{status.get(country.pk, '')}") for country in Country.objects.all()),
        key=lambda c: normalise_key(c[1]),
    )
    return [("", "---------"), *choices] if blank else choices


def _transfer_status() -> dict:
    """Country code → " (EEA)", " (adequacy decision)" or " (partial adequacy decision)", in two queries."""
    status = {code: " " + str(_("(EEA)")) for code in Country.objects.filter(is_eea=True).values_list("pk", flat=True)}
    decisions = AdequacyDecision.objects.in_force_on(timezone.localdate()).filter(country__isnull=False)
    for code, scope in decisions.values_list("country_id", "scope"):
        partial = scope == AdequacyDecision.Scope.PARTIAL
        status[code] = " " + str(_("(partial adequacy decision)") if partial else _("(adequacy decision)"))
    return status


class CatalogueItemForm(forms.ModelForm):
    """Base form: the organisation comes from the page, never from the request body."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "countries"}


class DataFieldForm(CatalogueItemForm):
    class Meta:
        model = DataField
        fields = ["name", "category", "special_category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DataSubjectCategoryForm(CatalogueItemForm):
    class Meta:
        model = DataSubjectCategory
        fields = ["name", "is_vulnerable", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RecipientForm(CatalogueItemForm):
    class Meta:
        model = Recipient
        fields = [
            "name",
            "kind",
            "country",
            "contact",
            "has_processing_agreement",
            "processing_agreement_reference",
            "is_dpf_certified",
            "description",
        ]
        widgets = {"contact": forms.Textarea(attrs={"rows": 3}), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(blank=True)


class SystemForm(CatalogueItemForm):
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        label=_("Countries where the data is stored"),
        # static/js/country-picker.js turns it into a search box with the chosen countries listed, each removable;
        # without JavaScript it stays a list where Ctrl (or ⌘) adds to the choice.
        widget=forms.SelectMultiple(
            attrs={
                "size": 8,
                "data-country-picker": "",
                "data-search-label": _("Add a country"),
                "data-search-help": _(
                    "Type part of its name, then choose it with the arrow keys and Enter, or with a click."
                ),
                "data-chosen-label": _("Countries chosen"),
                "data-none-chosen": _("No country chosen yet."),
                "data-remove-label": _("Remove"),
                "data-no-match": _("No country matches."),
            }
        ),
        help_text=_(
            "Every country where the data or its copies are stored. Hold Ctrl (or ⌘) to choose several: a plain click "
            "keeps only the country clicked."
        ),
    )

    class Meta:
        model = System
        fields = ["name", "kind", "hosting_provider", "countries", "oldest_record_on", "description"]
        widgets = {
            "oldest_record_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active recipients, and the current one even if it has since been archived.
        self.fields["hosting_provider"].queryset = Recipient.objects.for_organisation(self.organisation).filter(
            Q(archived_at__isnull=True) | Q(pk=self.instance.hosting_provider_id)
        )
        self.fields["countries"].choices = country_choices(blank=False, with_status=True)
        if self.instance.pk:
            self.initial["countries"] = list(self.instance.country_links.values_list("country_id", flat=True))
