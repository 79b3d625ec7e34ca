"""The what-if page: the findings a change to an adequacy decision would bring or remove.

For the DPO and managers (``Action.ACCEPT_RISK``): the people who decide which risks the
organisation carries are the ones who plan for a decision falling. The prediction writes
the change to the database inside a transaction it rolls back, so it holds a write lock
on the reference data for a moment: read-only members (auditors) do not start it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Action, organisation_view
from core.forms import apply_validation_error
from core.text import normalise_key
from inventory.models import AdequacyDecision, Country

from . import whatif
from .forms import DATE


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


@organisation_view(read=Action.ACCEPT_RISK)
def what_if(request, organisation):
    """Nothing is saved: the page reads, so it answers GET and its address can be shared."""
    today = timezone.localdate()
    form = WhatIfForm(request.GET or None, today=today, initial={"change": whatif.Change.ENDS, "country": "US"})
    prediction = whatif.predict(organisation, form.scenario) if form.is_bound and form.is_valid() else None
    return render(
        request,
        "processing/whatif.html",
        {"organisation": organisation, "form": form, "prediction": prediction, "section": "findings"},
    )
