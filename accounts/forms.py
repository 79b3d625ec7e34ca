import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
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


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "The person receives a link to accept, with their account or one they create; they become a member once "
            "they have."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.AUDITOR)


class InvitedAccountForm(forms.Form):
    """The account someone invited creates: a username and a password (their email is the invitation's)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password, not like your username or email."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken: choose another."), code="unique")
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


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
