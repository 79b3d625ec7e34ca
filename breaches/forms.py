"""The breach forms: the record in sections a DPO fills in the order things become known,
and a dated line for the timeline. Validation is the services' (``Breach.clean``).

A breach logged as a processor's does not show the sections on the supervisory authority and
the people concerned: those are the controller's duties (Art. 33(1), 34). Switching a breach
to the processor role with them filled in is refused by the services, field by field."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField, DataSubjectCategory, System
from processing.models import ProcessingActivity

from .models import CONTROLLER_AUTHORITY_FIELDS, CONTROLLER_PEOPLE_FIELDS, Breach, TimelineEntry

# In the reader's time zone (activated from their profile): a datetime-local input carries none.
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
# No breach is dated before this: a typo like year 0001 would not survive the conversion to UTC.
EARLIEST = datetime.date(1970, 1, 1)
TEXT = forms.Textarea(attrs={"rows": 3})


class MomentField(forms.DateTimeField):
    """A date and time typed in the reader's time zone, no earlier than 1970."""

    widget = MOMENT
    input_formats = MOMENT_FORMATS
    default_error_messages = {"too_early": _("Enter a date after %(earliest)s.")}

    def to_python(self, value):
        moment = super().to_python(value)  # in the reader's time zone: no conversion, which could overflow
        if moment is not None and moment.date() < EARLIEST:
            raise ValidationError(
                self.error_messages["too_early"], code="too_early", params={"earliest": date_format(EARLIEST)}
            )
        return moment


SECTIONS = [
    (
        "facts",
        _("What happened"),
        [
            "title",
            "description",
            "started_at",
            "ended_at",
            "is_ongoing",
            "detected_at",
            "aware_at",
            "reported_by",
            "role",
            "controller_name",
            "controller_informed_at",
            "other_organisations",
        ],
    ),
    ("nature", _("Nature and cause"), ["confidentiality", "integrity", "availability", "cause", "origin", "discovery"]),
    (
        "affected",
        _("What is affected"),
        [
            "systems",
            "activities",
            "data_categories",
            "special_categories",
            "subject_categories",
            "people_count",
            "records_count",
            "cross_border",
            "member_states",
        ],
    ),
    (
        "risk",
        _("Consequences, risk and measures"),
        ["consequences", "risk", "risk_reasoning", "measures_taken", "measures_proposed"],
    ),
    (
        "authority",
        _("Supervisory authority (Art. 33)"),
        list(CONTROLLER_AUTHORITY_FIELDS),
    ),
    (
        "people",
        _("People concerned (Art. 34)"),
        list(CONTROLLER_PEOPLE_FIELDS),
    ),
    ("status", _("Status"), ["status"]),
]
# The controller's duties: not asked of a processor (Art. 33(1), 34; EDPB Guidelines 9/2022, section II.A.4).
CONTROLLER_SECTIONS = ("authority", "people")
TEXT_FIELDS = [field.name for field in Breach._meta.concrete_fields if isinstance(field, models.TextField)]
FIELDS = [name for _anchor, _legend, names in SECTIONS for name in names]


def _moment_field(model_field, **kwargs):
    if isinstance(model_field, models.DateTimeField):
        return model_field.formfield(form_class=MomentField, **kwargs)
    return model_field.formfield(**kwargs)


class BreachForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("Categories of data"),
        choices=DataField.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    special_categories = forms.MultipleChoiceField(
        label=_("Special categories of data"),
        choices=DataField.SpecialCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Breach
        fields = FIELDS
        formfield_callback = _moment_field
        widgets = {
            **{name: MOMENT for name in FIELDS if name.endswith("_at")},
            **dict.fromkeys(TEXT_FIELDS, TEXT),
            "systems": forms.CheckboxSelectMultiple,
            "activities": forms.CheckboxSelectMultiple,
            "subject_categories": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "description": _("The facts, in plain words: what was exposed, to whom, how."),
            "role": _(
                "As a processor, you inform the controller without undue delay (Art. 33(2)); the controller notifies "
                "its supervisory authority and informs the people concerned."
            ),
            "controller_informed_at": _("As a processor: when you told the controller (Art. 33(2))."),
            "member_states": _("Where people likely to be affected live, outside your own country."),
            "other_authorities": _("Other supervisory authorities you notified as well, with their references."),
            "detected_at": _("The first sign of the incident."),
            "people_count": _("An estimate is enough now: refine it as you learn more (Art. 33(4))."),
            "records_count": _("An estimate is enough now: refine it as you learn more (Art. 33(4))."),
            "risk": _(
                "Weigh the type of breach, how sensitive and how much data, how easily people can be identified, "
                "how severe the consequences, vulnerable people (children…), the nature of your organisation "
                "(a hospital, a bank…), and how many people."
            ),
            "not_notified_reason": _("Only when the breach is unlikely to result in a risk."),
            "delay_reasons": _("Required when the authority is notified more than 72 hours after becoming aware."),
            "communication_exception": _("High risk: inform the people concerned, unless one of these applies."),
            "status": _("Contained: the breach has stopped. Closed: every obligation has been met."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        # Archived entries cannot be chosen, but a breach keeps those it already names.
        kept = self.instance.pk is not None
        systems = [system.pk for system in self.instance.systems.all()] if kept else []
        activities = [activity.pk for activity in self.instance.activities.all()] if kept else []
        choices = {
            "systems": System.objects.filter(organisation=organisation).filter(
                Q(archived_at__isnull=True) | Q(pk__in=systems)
            ),
            "activities": ProcessingActivity.objects.filter(organisation=organisation)
            .filter(~Q(status=ProcessingActivity.Status.ARCHIVED) | Q(pk__in=activities))
            .order_by("reference"),
            "subject_categories": DataSubjectCategory.objects.filter(organisation=organisation),
        }
        for name, queryset in choices.items():
            if name in self.fields:  # the first-hour form asks fewer questions
                self.fields[name].queryset = queryset
        for name in ("description", "detected_at", "aware_at"):
            self.fields[name].required = True
        # As saved: a breach switched to the processor role keeps these sections until it is saved.
        self.hidden_sections = CONTROLLER_SECTIONS if self.instance.as_processor else ()
        for anchor, _legend, names in SECTIONS:
            if anchor in self.hidden_sections:
                for name in names:
                    self.fields.pop(name, None)

    def sections(self):
        return [
            (anchor, legend, [self[name] for name in names])
            for anchor, legend, names in SECTIONS
            if anchor not in self.hidden_sections
        ]

    def _post_clean(self):
        # The services validate the whole record (Breach.clean) in their transaction.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS if name in self.fields}


# The first hour: what is known at once, enough to start the clock (Art. 33(1): from becoming aware). The rest of
# the record is completed afterwards in the full form, section by section.
FIRST_HOUR_FIELDS = [
    "title",
    "description",
    "started_at",
    "detected_at",
    "aware_at",
    "systems",
    "data_categories",
    "special_categories",
    "subject_categories",
]


class FirstHourBreachForm(BreachForm):
    """The breach as logged in its first hour: under ten questions, what is affected optional. A breach logged
    here is a controller's, open; the full form changes that afterwards."""

    class Meta(BreachForm.Meta):
        fields = FIRST_HOUR_FIELDS
        help_texts = {
            **BreachForm.Meta.help_texts,
            "started_at": _("If you know it. Leave it empty otherwise."),
            "systems": _("Only what you know now: you can add more afterwards."),
        }

    required_messages = {
        "title": _("Give the breach a short title, such as “Laptop stolen from a car”."),
        "description": _("Say what happened, in a few words: you can add to it afterwards."),
        "detected_at": _("Enter when the breach was detected."),
        "aware_at": _("Enter when you became aware of the breach: the clock starts there."),
    }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        for name, field in self.fields.items():
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]

    def sections(self):
        return [
            ("facts", _("What happened"), [self[name] for name in FIRST_HOUR_FIELDS[:5]]),
            ("affected", _("What you know is affected (optional)"), [self[name] for name in FIRST_HOUR_FIELDS[5:]]),
        ]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIRST_HOUR_FIELDS}


class TimelineEntryForm(forms.Form):
    happened_at = MomentField(label=_("When"), required=False, help_text=_("Now, if left empty."))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind.value, kind.label) for kind in (TimelineEntry.Kind.NOTE, TimelineEntry.Kind.FOLLOW_UP)],
        initial=TimelineEntry.Kind.NOTE,
    )
    text = forms.CharField(label=_("What happened"), widget=TEXT, max_length=10_000)
