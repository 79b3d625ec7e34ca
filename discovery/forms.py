"""The discovery forms: a data source (its URL, password included, typed and never shown back) and the data field a
column is confirmed as. Validation is the services' (``discovery.services``): the form only reads what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField

from .services import EXAMPLE


class SourceForm(forms.Form):
    """A new source needs its URL; an edited one keeps its credentials when the URL is left blank."""

    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.CharField(
        label=_("Database URL, with the user and password to scan with"),
        max_length=2000,
        # Never rendered back: not after an error, not on the edit page (a password must not reach a page).
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("For example %(example)s. Kept encrypted; pages show the address without user or password.")
        % {"example": EXAMPLE},
    )
    scan_every_days = forms.IntegerField(
        label=_("Scan every (days)"),
        min_value=0,
        max_value=365,
        initial=7,
        help_text=_("0: only when asked."),
    )

    def __init__(self, *args, source=None, **kwargs):
        if source is not None:
            kwargs.setdefault("initial", {"name": source.name, "scan_every_days": source.scan_every_days})
        super().__init__(*args, **kwargs)
        if source is not None:
            self.fields["url"].required = False
            self.fields["url"].label = _("New database URL (leave blank to keep the credentials)")
            self.fields["url"].help_text = _("Now scanned: %(address)s. A new URL replaces the credentials.") % {
                "address": source.address
            }


class ColumnConfirmForm(forms.Form):
    """Confirm a column as one of the organisation's current data fields."""

    data_field = forms.ModelChoiceField(
        label=_("Data field it holds"),
        queryset=DataField.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the organisation's data fields.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_field"].queryset = (
            DataField.objects.filter(organisation=organisation).active().order_by("name_key")
        )
