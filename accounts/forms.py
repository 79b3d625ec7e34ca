import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, Membership, Organisation, User
from .selectors import organisations_for
from .services import ORGANISATION_SETTINGS_FIELDS


class OrganisationIdentityForm(forms.ModelForm):
    fieldsets = [
        (_("Organisation"), ["name", "legal_identifier", "role", "staff_count", "is_public_body"]),
        (_("Address and contact"), ["address", "postcode", "city", "country", "phone", "email"]),
        (_("Data protection officer"), ["dpo_name", "dpo_email", "dpo_phone"]),
        (_("Representative in the EU (Art. 27)"), ["representative_name", "representative_contact"]),
        (_("Compliance checks"), ["tia_review_months"]),
        (_("Security"), ["require_two_factor"]),
    ]

    def grouped_fields(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    class Meta:
        model = Organisation
        fields = ORGANISATION_SETTINGS_FIELDS
        widgets = {
            "representative_contact": forms.Textarea(attrs={"rows": 3}),
        }


class MemberAddForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        help_text=_("The person must already have an account. Ask an administrator to create one."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["email", "time_zone", "language", "daily_digest"]
        help_texts = {"email": _("Used only to reset your password and for notifications.")}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


EXPIRIES = (30, 90, 180, 366)  # days a new API token may last


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses it, for example “nightly export”."))
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text=_("A read-only token cannot change anything, whatever your role."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All your organisations"),
    )
    expires_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=lambda: [
            (days, ngettext("%(count)d day", "%(count)d days", days) % {"count": days}) for days in EXPIRIES
        ],
        initial=90,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_for(user)
