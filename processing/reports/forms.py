"""The reports' forms: what an export of the register is asked with, and the upload of a register to import."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from processing.as_of import EARLIEST_DAY
from processing.forms import DATE
from processing.reports.services import RegisterExport


class RegisterExportForm(forms.Form):
    """What to export of the register: format, layout, language, which activities, which day."""

    FORMATS = [("xlsx", "XLSX"), ("csv", "CSV"), ("pdf", "PDF"), ("json", "JSON")]
    LAYOUTS = [
        ("register", _("Registre's layout: a Register sheet and a sheet per kind of detail (re-importable)")),
        ("cnil", _("The CNIL model register: a list and a sheet per activity, in French")),
    ]
    SCOPES = [("active", _("Active activities only")), ("all", _("All activities, drafts and archived included"))]

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="xlsx")
    layout = forms.ChoiceField(label=_("Spreadsheet layout"), choices=LAYOUTS, required=False, initial="register")
    lang = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    scope = forms.ChoiceField(label=_("Activities"), choices=SCOPES, required=False, initial="active")
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the register as it is now; a past day gives the register as it stood then."),
    )

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and not (EARLIEST_DAY <= day <= timezone.localdate()):
            raise forms.ValidationError(_("Choose a day between 1 January 1970 and today."), code="out_of_range")
        return day

    def clean(self):
        cleaned = super().clean()
        cleaned["layout"] = cleaned.get("layout") or "register"
        if cleaned["layout"] == "cnil" and cleaned.get("format") != "xlsx":
            self.add_error(
                "layout",
                forms.ValidationError(_("The CNIL model register is a spreadsheet: choose XLSX."), code="cnil_xlsx"),
            )
        return cleaned

    def export(self):

        data = self.cleaned_data
        return RegisterExport(
            format=data["format"],
            language=data["lang"],
            active_only=data.get("scope") != "all",
            as_of=data.get("as_of"),
            layout=data["layout"],
        )


class RegisterImportForm(forms.Form):
    """A register file to import: Registre's XLSX or JSON export, or the CNIL model register."""

    file = forms.FileField(
        label=_("Register file"),
        help_text=_("Registre's own export (.xlsx or .json), or the CNIL model register (.ods or .xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.ods,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is too large (%(size)s MB): Registre imports files up to %(limit)s MB."),
                code="too_large",
                params={"size": round(upload.size / 2**20, 1), "limit": round(settings.IMPORT_MAX_BYTES / 2**20)},
            )
        if not upload.name.lower().endswith((".xlsx", ".ods", ".json")):
            raise forms.ValidationError(_("Choose a .xlsx, .ods or .json file."), code="type")
        return upload
