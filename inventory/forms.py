from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import normalise_key

from .models import Country, DataField, DataSubjectCategory, Recipient, System


def country_choices(*, blank: bool):
    """Countries by their name in the active language (the table is ordered by code)."""
    choices = sorted(
        ((country.pk, country.name) for country in Country.objects.all()), key=lambda c: normalise_key(c[1])
    )
    return [("", "---------"), *choices] if blank else choices


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
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Every country where the data or its copies are stored. Hold Ctrl (or ⌘) to choose several."),
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
        self.fields["countries"].choices = country_choices(blank=False)
        if self.instance.pk:
            self.initial["countries"] = list(self.instance.country_links.values_list("country_id", flat=True))
