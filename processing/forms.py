"""The guided activity form: one main form, in sections that follow Art. 30, and its rows.

The forms only shape the input; every rule is checked again by the services, whose errors
are shown next to the field or row they concern.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from inventory.forms import country_choices
from inventory.models import DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System
from processing.models import ControllerParty, ProcessingActivity, RetentionLine, SecurityMeasure, Transfer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})

# The form's sections, in the order of Art. 30, with the fields each shows.
SECTIONS = [
    ("identity", _("Activity and parties (Art. 30(1)(a))"), [
        "reference", "name", "description", "owner_unit", "owner_contact", "software", "role", "joint_arrangement",
    ]),
    ("purposes", _("Purposes and lawful basis (Art. 30(1)(b), Art. 6, 9 and 10)"), [
        "purpose", "sub_purposes", "lawful_basis", "lawful_basis_evidence", "special_condition",
        "special_condition_reference", "criminal_data_basis",
    ]),
    ("data", _("People and personal data (Art. 30(1)(c))"), [
        "data_fields", "source_data_subject", "source_third_party", "source_public", "source_social_networks",
        "source_details",
    ]),
    ("recipients", _("Recipients and storage (Art. 30(1)(d))"), ["recipients", "systems"]),
    ("risk", _("Risk: DPIA and automated decisions (Art. 35, Art. 22)"), [
        *ProcessingActivity.DPIA_CRITERIA, "cnil_dpia_types", "dpia_status", "dpia_date", "dpia_reference",
        "has_automated_decision", "automated_decision_details",
    ]),
    ("review", _("Review"), ["last_reviewed_on", "next_review_on"]),
]  # fmt: skip

# The editor's steps, in the order of Art. 30: the sections of activity fields above, and those made of rows.
EDITOR_SECTIONS = [
    *[(key, title) for key, title, _names in SECTIONS[:4]],
    ("transfers", _("Transfers outside the EEA (Art. 30(1)(e))")),
    ("retention", _("Retention (Art. 30(1)(f))")),
    ("security", _("Security measures (Art. 30(1)(g))")),
    *[(key, title) for key, title, _names in SECTIONS[4:]],
]
SECTION_KEYS = [key for key, _title in EDITOR_SECTIONS]

# The row formsets of each section (the form's key -> the sections showing it).
SECTION_FORMSETS = {"parties": "identity", "subjects": "data", "transfers": "transfers", "retention": "retention"}

# What activation needs in each section, said before the DPO starts (completeness.missing_items checks it).
SECTION_NEEDS = {
    "identity": _(
        "To activate: the organisation's contact details (Settings); joint controllers, or the controllers you act "
        "for, with their contact details and, for joint controllers, your arrangement."
    ),
    "purposes": _(
        "To activate: the main purpose and the lawful basis; for special categories of data, the Art. 9(2) "
        "condition; for criminal-offence data, its legal basis."
    ),
    "data": _("To activate: at least one category of people and one category of personal data."),
    "recipients": _("To activate: at least one recipient."),
    "transfers": _("To activate: the transfer tool of every transfer, and the safeguards of a one-off transfer."),
    "retention": _("To activate: how long the data is kept (a duration or the criteria)."),
    "security": _("To activate: at least one security measure."),
}  # fmt: skip

# What activation requires of the form's own fields, whatever the activity records (completeness.missing_items says
# the rest, such as the conditions for special categories): marked on the form as "required to activate".
REQUIRED_TO_ACTIVATE = frozenset({"purpose", "lawful_basis", "data_fields", "recipients"})


def _catalogue_choices(model, organisation, current_ids):
    """The organisation's active entries, plus those already linked even if archived."""
    return model.objects.for_organisation(organisation).filter(Q(archived_at__isnull=True) | Q(pk__in=current_ids))


def _grouped_by_category(data_fields):
    """Data field choices grouped under their CNIL category, in the category order."""
    groups = {value: [] for value, _label in DataField.Category.choices}
    for field in data_fields.order_by("name_key"):
        groups[field.category].append((field.pk, field.name))
    return [(DataField.Category(value).label, choices) for value, choices in groups.items() if choices]


class ActivityForm(forms.ModelForm):
    data_fields = forms.ModelMultipleChoiceField(
        queryset=DataField.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Personal data"),
        help_text=_("Every kind of personal data the activity uses. Missing one? Add it to the catalogue."),
    )
    recipients = forms.ModelMultipleChoiceField(
        queryset=Recipient.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Recipients"),
        help_text=_("Everyone who receives the data, inside or outside the organisation."),
    )
    systems = forms.ModelMultipleChoiceField(
        queryset=System.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Systems where the data is stored"),
        help_text=_(
            "A system outside the EEA run or hosted by another company needs a transfer row below; one you run "
            "yourself there is no transfer, but its risks must be assessed."
        ),
    )

    # Catalogue entries created from the form itself, without leaving it.
    new_data_field = forms.CharField(
        label=_("New data field"), required=False, max_length=200, help_text=_("Not in the list? Name it here.")
    )
    new_data_field_category = forms.ChoiceField(
        label=_("Category of the new data field"),
        required=False,
        choices=[("", "---------"), *DataField.Category.choices],
    )
    new_data_field_special = forms.ChoiceField(
        label=_("Its kind of special category"),
        required=False,
        choices=[("", "---------"), *DataField.SpecialCategory.choices],
    )
    new_system = forms.CharField(
        label=_("New system"), required=False, max_length=200, help_text=_("Not in the list? Name it here.")
    )
    new_system_kind = forms.ChoiceField(
        label=_("Type of the new system"), required=False, choices=[("", "---------"), *System.Kind.choices]
    )
    new_system_country = forms.ChoiceField(label=_("Country where the new system stores the data"), required=False)
    new_recipient = forms.CharField(
        label=_("New recipient"), required=False, max_length=200, help_text=_("Not in the list? Name it here.")
    )
    new_recipient_kind = forms.ChoiceField(
        label=_("Type of the new recipient"), required=False, choices=[("", "---------"), *Recipient.Kind.choices]
    )
    new_recipient_country = forms.ChoiceField(label=_("Country of the new recipient"), required=False)
    new_subject = forms.CharField(
        label=_("New category of people"),
        required=False,
        max_length=200,
        help_text=_("Not in the list? Name it here."),
    )
    new_subject_count = forms.IntegerField(
        label=_("Approximate number of people in the new category"), required=False, min_value=0
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    NEW_ENTRY_FIELDS = {
        "data": [
            "new_data_field",
            "new_data_field_category",
            "new_data_field_special",
            "new_subject",
            "new_subject_count",
        ],
        "recipients": [
            "new_recipient",
            "new_recipient_kind",
            "new_recipient_country",
            "new_system",
            "new_system_kind",
            "new_system_country",
        ],
    }

    class Meta:
        model = ProcessingActivity
        fields = [name for _key, _title, names in SECTIONS for name in names if name not in ("data_fields",)]
        widgets = {
            "description": SHORT_TEXT,
            "joint_arrangement": SHORT_TEXT,
            "purpose": SHORT_TEXT,
            "sub_purposes": forms.Textarea(attrs={"rows": 3}),
            "lawful_basis_evidence": SHORT_TEXT,
            "special_condition_reference": SHORT_TEXT,
            "criminal_data_basis": SHORT_TEXT,
            "source_details": SHORT_TEXT,
            "automated_decision_details": SHORT_TEXT,
            "dpia_date": DATE,
            "last_reviewed_on": DATE,
            "next_review_on": DATE,
        }

    def __init__(self, *args, organisation, sections=None, **kwargs):
        """``sections``: the keys of the sections to edit (the others keep what is stored); None for all of them."""
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.section_keys = [key for key, _title, _names in SECTIONS if sections is None or key in sections]
        shown = {"version", *(name for key, names in self._section_fields() for name in names)}
        for name in [name for name in self.fields if name not in shown]:
            del self.fields[name]
        if "new_system_country" in self.fields:
            self.fields["new_system_country"].choices = country_choices(blank=True)
            self.fields["new_recipient_country"].choices = country_choices(blank=True)
        self.initial["version"] = self.instance.version
        if "reference" in self.fields:
            self.fields["reference"].required = False
            self.fields["reference"].help_text = _("Leave empty to number it automatically (PA-001, PA-002…).")
        for name in REQUIRED_TO_ACTIVATE & set(self.fields):
            self.fields[name].required_to_activate = True
        for name, model in (("data_fields", DataField), ("recipients", Recipient), ("systems", System)):
            if name not in self.fields:
                continue
            current = list(getattr(self.instance, name).values_list("pk", flat=True)) if self.instance.pk else []
            self.fields[name].queryset = _catalogue_choices(model, organisation, current)
            if self.instance.pk:
                self.initial[name] = current
        if "data_fields" in self.fields:
            self.fields["data_fields"].choices = _grouped_by_category(self.fields["data_fields"].queryset)

    def _section_fields(self):
        return [
            (key, [*names, *self.NEW_ENTRY_FIELDS.get(key, [])])
            for key, _title, names in SECTIONS
            if key in self.section_keys
        ]

    def sections(self):
        titles = {key: title for key, title, _names in SECTIONS}
        return [(key, titles[key], [self[name] for name in names]) for key, names in self._section_fields()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_data_field") and not cleaned.get("new_data_field_category"):
            self.add_error("new_data_field_category", _("Choose the category of the new data field."))
        if cleaned.get("new_recipient") and not cleaned.get("new_recipient_kind"):
            self.add_error("new_recipient_kind", _("Choose the type of the new recipient."))
        if cleaned.get("new_system"):
            if not cleaned.get("new_system_kind"):
                self.add_error("new_system_kind", _("Choose the type of the new system."))
            if not cleaned.get("new_system_country"):
                self.add_error("new_system_country", _("Choose where the new system stores the data."))
        return cleaned

    def new_catalogue_entries(self) -> dict:
        """What to add to the catalogue with this activity (``services.activity_save`` creates it, atomically)."""
        entries = {}
        if self.cleaned_data.get("new_data_field"):
            entries["new_data_field"] = {
                "name": self.cleaned_data["new_data_field"],
                "category": self.cleaned_data["new_data_field_category"],
                "special_category": self.cleaned_data["new_data_field_special"],
            }
        if self.cleaned_data.get("new_subject"):
            entries["new_subject"] = {"name": self.cleaned_data["new_subject"]}
        if self.cleaned_data.get("new_recipient"):
            entries["new_recipient"] = {
                "name": self.cleaned_data["new_recipient"],
                "kind": self.cleaned_data["new_recipient_kind"],
                "country_id": self.cleaned_data["new_recipient_country"] or None,
            }
        if self.cleaned_data.get("new_system"):
            entries["new_system"] = {
                "name": self.cleaned_data["new_system"],
                "kind": self.cleaned_data["new_system_kind"],
                "countries": [self.cleaned_data["new_system_country"]],
            }
        return entries

    def service_data(self) -> dict:
        """The activity's fields this form edits, as the services take them."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        for name in ("data_fields", "recipients", "systems"):
            if name in self.fields:
                data[name] = list(self.cleaned_data[name])
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows given to the services as dicts; a row's "id" ties it to the one it updates."""

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "organisation": self.organisation}

    def rows(self) -> list[tuple[dict, forms.Form]]:
        """The rows to keep, in order, and the form each came from (to show errors).

        Rows shown from the start are kept unless marked for deletion; blank extra rows are
        ignored.
        """
        kept = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            values = {name: value for name, value in form.cleaned_data.items() if name != "DELETE"}
            if not values.get("id"):
                values.pop("id", None)
            kept.append((values, form))
        return kept


class RowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation


def _model_fields(model, names, **overrides):
    """Form fields for ``names`` built from the model's own definitions (labels, help, choices)."""
    fields = {}
    for name in names:
        field = model._meta.get_field(name).formfield()
        if name in overrides:
            field.widget = overrides[name]
        fields[name] = field
    return fields


class DataSubjectRowForm(RowForm):
    category = forms.ModelChoiceField(queryset=DataSubjectCategory.objects.none(), label=_("Category of people"))
    approximate_count = forms.IntegerField(min_value=0, required=False, label=_("Approximate number of people"))

    def __init__(self, *args, current_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _catalogue_choices(DataSubjectCategory, self.organisation, current_ids)

    def clean(self):
        # The catalogue entry is the row's identity: an "id" is not needed.
        cleaned = super().clean()
        cleaned.pop("id", None)
        return cleaned


class ControllerPartyRowForm(RowForm):
    pass


ControllerPartyRowForm.base_fields.update(
    _model_fields(ControllerParty, ["name", "contact", "representative", "dpo_contact"], contact=SHORT_TEXT)
)


class TransferRowForm(RowForm):
    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["international_organisation"].queryset = InternationalOrganisation.objects.all()
        self.fields["recipient"].queryset = Recipient.objects.for_organisation(self.organisation)
        self.fields["system"].queryset = System.objects.for_organisation(self.organisation)
        # The formset computes the choice lists once for all its rows (see transfer_choices).
        for name, field_choices in (choices or transfer_choices(self.organisation)).items():
            self.fields[name].choices = field_choices


def transfer_choices(organisation) -> dict:
    """The choice lists of a transfer row, built once per form rather than once per row."""
    blank = [("", "---------")]
    return {
        "country": country_choices(blank=True),
        "international_organisation": blank
        + [(item.pk, str(item)) for item in InternationalOrganisation.objects.all()],
        "recipient": blank + [(item.pk, str(item)) for item in Recipient.objects.for_organisation(organisation)],
        "system": blank + [(item.pk, str(item)) for item in System.objects.for_organisation(organisation)],
    }


TransferRowForm.base_fields.update(
    _model_fields(
        Transfer,
        [
            "country",
            "international_organisation",
            "recipient",
            "system",
            "importer_role",
            "mechanism",
            "adequacy_scope_confirmed",
            "tia_date",
            "tia_reference",
            "documentation",
            "safeguards",
            "authority_informed_on",
            "people_informed_on",
        ],
        tia_date=DATE,
        safeguards=SHORT_TEXT,
        authority_informed_on=DATE,
        people_informed_on=DATE,
    )
)


class RetentionLineRowForm(RowForm):
    pass


RetentionLineRowForm.base_fields.update(
    _model_fields(
        RetentionLine,
        [
            "data_category",
            "duration",
            "duration_unit",
            "criteria",
            "trigger",
            "trigger_details",
            "end_action",
            "archive_duration",
            "archive_duration_unit",
            "legal_reference",
        ],
        criteria=SHORT_TEXT,
        legal_reference=SHORT_TEXT,
    )
)


MAX_ROWS = 50  # per kind of row in one activity: more is a mistake, or an attack on the server


def row_formset(form, *, extra=0):
    """Rows with no blank one shown: the form's "Add" button adds one (formset.js, or the server without JavaScript)."""
    return forms.formset_factory(
        form,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS,
    )


DataSubjectFormSet = row_formset(DataSubjectRowForm)
ControllerPartyFormSet = row_formset(ControllerPartyRowForm)
TransferFormSet = row_formset(TransferRowForm)
RetentionLineFormSet = row_formset(RetentionLineRowForm)


class SecurityMeasuresForm(forms.Form):
    """The CNIL checklist: tick a measure, say how it is done."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in SecurityMeasure.Kind.choices:
            self.fields[f"{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"{kind}_details"] = forms.CharField(
                label=_("How"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def measures(self):
        return [(self[kind], self[f"{kind}_details"]) for kind, _label in SecurityMeasure.Kind.choices]

    def rows(self) -> list[dict]:
        return [
            {"kind": kind, "details": self.cleaned_data[f"{kind}_details"]}
            for kind, _label in SecurityMeasure.Kind.choices
            if self.cleaned_data[kind]
        ]

    @staticmethod
    def initial_for(activity) -> dict:
        initial = {}
        for measure in activity.security_measures.all():
            initial[measure.kind] = True
            initial[f"{measure.kind}_details"] = measure.details
        return initial


class BulkActionForm(forms.Form):
    """Activities chosen on the register list, and what to do with them. Only the organisation's own activities may
    be chosen: one from elsewhere (or gone) refuses the whole request."""

    ACTIVATE, ARCHIVE = "activate", "archive"

    action = forms.ChoiceField(choices=[(ACTIVATE, _("Activate")), (ARCHIVE, _("Archive"))])
    activities = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    return_query = forms.CharField(required=False)

    error_messages = {
        "foreign": _("Some of the chosen activities are not in this register: nothing was changed."),
    }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["activities"].error_messages.update(
            required=_("Choose at least one activity in the list."),
            invalid_choice=self.error_messages["foreign"],
        )

    def full_clean(self):
        # The choices are the organisation's activities among those sent (not its whole register).
        sent = [value for value in self.data.getlist("activities") if str(value).isdigit()] if self.is_bound else []
        own = ProcessingActivity.objects.filter(organisation=self.organisation, pk__in=sent)
        self.fields["activities"].choices = [(pk, pk) for pk in own.values_list("pk", flat=True)]
        super().full_clean()

    def chosen(self):
        """The chosen activities, in the register's order."""
        return list(
            ProcessingActivity.objects.filter(
                organisation=self.organisation, pk__in=self.cleaned_data["activities"]
            ).order_by("reference")
        )


class AsOfForm(forms.Form):
    """The day to view the register at (as it stood at the end of that day)."""

    date = forms.DateField(label=_("As of"), widget=DATE)


class ChangesForm(forms.Form):
    """Two days to compare the register between."""

    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError(_("The first day must come before the second."), code="order")
        return cleaned


class ChangelogForm(forms.Form):
    """Filters of the change log."""

    user = forms.ModelChoiceField(queryset=None, required=False, label=_("By"))
    kind = forms.ChoiceField(required=False, label=_("What"))
    start = forms.DateField(required=False, label=_("From"), widget=DATE)
    end = forms.DateField(required=False, label=_("To"), widget=DATE)

    def __init__(self, *args, organisation, kinds, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["user"].queryset = User.objects.filter(memberships__organisation=organisation).order_by("username")
        self.fields["kind"].choices = [("", _("Everything")), *[(key, str(label)) for key, label in kinds.items()]]
