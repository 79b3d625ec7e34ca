"""The compliance watch's forms: a period of the retention policy, and the what-if page's change of reference data."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import apply_validation_error
from core.text import normalise_key
from inventory.models import AdequacyDecision, Country, DataField, DataSubjectCategory
from processing.compliance import whatif
from processing.compliance.models import RetentionPolicy
from processing.compliance.services import EDITABLE_FIELDS
from processing.forms import DATE


class RetentionPolicyForm(forms.ModelForm):
    """One period of the retention policy; the organisation comes from the page."""

    class Meta:
        model = RetentionPolicy
        fields = EDITABLE_FIELDS

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        people = DataSubjectCategory.objects.filter(organisation=organisation)
        current = self.instance.subject_category_id
        self.fields["subject_category"].queryset = people.filter(Q(archived_at__isnull=True) | Q(pk=current))
        fields = DataField.objects.filter(organisation=organisation)
        current = self.instance.data_field_id
        self.fields["data_field"].queryset = fields.filter(Q(archived_at__isnull=True) | Q(pk=current))


def country_choices(today):
    """Countries outside the EEA by name, those with an adequacy decision in force first."""
    adequate = set(AdequacyDecision.objects.in_force_on(today).values_list("country_id", flat=True))
    groups = {True: [], False: []}
    for country in Country.objects.filter(is_eea=False):
        groups[country.pk in adequate].append((country.pk, country.name))
    for choices in groups.values():
        choices.sort(key=lambda choice: normalise_key(choice[1]))
    return [
        ("", "---------"),
        (_("With an adequacy decision in force"), groups[True]),
        (_("Other countries outside the EEA"), groups[False]),
    ]


class WhatIfForm(forms.Form):
    change = forms.ChoiceField(label=_("The change"), choices=whatif.Change.choices, widget=forms.RadioSelect)
    country = forms.ChoiceField(label=_("Country"))
    starts_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=DATE,
        help_text=_(
            "The first day the change applies. Not needed for a decision not renewed: it ends on its end date."
        ),
    )
    evaluated_on = forms.DateField(
        label=_("Findings on"),
        required=False,
        widget=DATE,
        help_text=_("The day on which to compare the findings; by default, the first day of the change."),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.scenario = None
        self.fields["country"].choices = country_choices(today)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.scenario = whatif.scenario_for(
                change=cleaned["change"],
                country=cleaned["country"],
                starts_on=cleaned.get("starts_on"),
                evaluated_on=cleaned.get("evaluated_on"),
                today=self.today,
            )
        except ValidationError as error:
            apply_validation_error(self, error)
        return cleaned
