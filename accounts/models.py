"""Who uses Registre: users, the organisations whose registers they keep, and their roles."""

import hashlib
import hmac
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_otp.models import Device, ThrottlingMixin
from simple_history.models import HistoricalRecords

from core.errors import field_error
from core.models import TimeStampedModel
from core.text import normalise_key


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), code="invalid_time_zone", params={"value": value}
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


class User(AbstractUser):
    """A person who signs in. We keep as little about them as the product needs:
    a username, an email address for password resets, and display preferences."""

    # Privacy by design: no first or last name; a membership shows the username.
    first_name = None
    last_name = None

    email = models.EmailField(_("email address"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Dates and deadlines are shown in this time zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_(
            "As a DPO: an email each morning when findings appeared or reopened, or reviews fall due; "
            "none when nothing changed."
        ),
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("Another account already uses this email address."),
            ),
        ]

    def get_full_name(self):
        return self.username

    def get_short_name(self):
        return self.username


class Organisation(TimeStampedModel):
    """The legal entity whose register this is: the Art. 30(1)(a) / 30(2)(a) header."""

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        PROCESSOR = "processor", _("Processor")
        BOTH = "both", _("Controller and processor")

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=400, editable=False)
    slug = models.SlugField(
        _("short name in addresses"),
        max_length=60,
        unique=True,
        help_text=_("Used in the page addresses; it cannot change once the organisation exists."),
    )
    legal_identifier = models.CharField(
        _("legal identifier"),
        max_length=50,
        blank=True,
        help_text=_("Company registration number, for example the SIREN in France."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), default="FR")
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    role = models.CharField(
        _("acts as"),
        max_length=20,
        choices=Role.choices,
        default=Role.CONTROLLER,
        help_text=_(
            "A controller decides why and how personal data is processed. A processor "
            "processes it on behalf of a controller. An organisation doing both keeps two records."
        ),
    )
    representative_name = models.CharField(
        _("EU representative"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only for organisations established outside the European Union (Art. 27): "
            "the person or company that represents you in the EU."
        ),
    )
    representative_contact = models.TextField(_("EU representative's contact details"), blank=True)
    dpo_name = models.CharField(
        _("data protection officer (DPO)"),
        max_length=200,
        blank=True,
        help_text=_("The person or firm appointed as DPO, if any (Art. 37)."),
    )
    dpo_email = models.EmailField(_("DPO email"), blank=True)
    dpo_phone = models.CharField(_("DPO telephone"), max_length=40, blank=True)
    staff_count = models.PositiveIntegerField(
        _("approximate staff count"),
        null=True,
        blank=True,
        help_text=_("Organisations under 250 staff are exempt from some record-keeping (Art. 30(5))."),
    )
    is_public_body = models.BooleanField(
        _("public authority or body"),
        default=False,
        help_text=_("Public bodies must appoint a DPO and cannot rely on legitimate interests for their tasks."),
    )
    tia_review_months = models.PositiveSmallIntegerField(
        _("review interval of transfer impact assessments (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "A transfer under standard contractual clauses or binding corporate rules whose assessment is "
            "older than this is flagged, so that the law and practice of the destination are looked at again."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two factors"),
        default=False,
        help_text=_(
            "Members without an authenticator app are asked to set one up at their next sign-in, and reach nothing "
            "until they have."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", verbose_name=_("members")
    )
    history = HistoricalRecords(excluded_fields=["name_key", "updated_at"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "name_key",
                name="accounts_organisation_name_unique_ci",
                violation_error_message=_("An organisation with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["controller", "processor", "both"]),
                name="accounts_organisation_role_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:home", kwargs={"organisation_slug": self.slug})

    # How the compliance watch names a finding on the organisation itself, and where it is fixed.
    def finding_label(self) -> str:
        return _("Organisation: %(name)s") % {"name": self.name}

    def finding_fix_url(self, section: str) -> str:
        return reverse("organisations:settings", kwargs={"organisation_slug": self.slug}) + f"#id_{section}"

    def clean(self):
        super().clean()
        self.name_key = normalise_key(self.name)
        if not self.name_key:
            raise field_error("name", _("Enter the organisation's name."), "required")
        if len(self.name_key) > 400:  # folding can lengthen a name: "ß" → "ss"
            raise field_error("name", _("This name is too long."), "max_length")

    def save(self, *args, **kwargs):
        self.name_key = normalise_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class Membership(TimeStampedModel):
    """A user's single role in one organisation."""

    class Role(models.TextChoices):
        DPO = "dpo", _("DPO")
        MANAGER = "manager", _("Manager")
        AUDITOR = "auditor", _("Auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="accounts_membership_one_role_per_organisation",
                violation_error_message=_("This person is already a member of the organisation."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["dpo", "manager", "auditor"]),
                name="accounts_membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


def secret_hash(secret: str) -> str:
    """What is stored of a random secret (an API token, an invitation's key, a browser's id): its SHA-256. The
    secrets are 128 random bits or more, so a fast hash cannot be reversed."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A key a script calls the API with, as its user: named, with an expiry and a scope (read only or read and
    write, all the user's organisations or one). Only its SHA-256 is stored, with its first characters to tell it
    apart: the key itself is shown once, when it is created, and can never be read back."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    PREFIX = "rg_"  # every key starts so: a key pasted where it should not be is easy to spot

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it, for example “nightly export”."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    start = models.CharField(_("starts with"), max_length=16, editable=False)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.WRITE)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Only this organisation; empty for all of yours."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="accounts_apitoken_one_name_per_user",
                violation_error_message=_("You already have a token of this name."),
            ),
            models.CheckConstraint(condition=models.Q(scope__in=["read", "write"]), name="accounts_apitoken_scope"),
        ]

    def __str__(self):
        return f"{self.name} ({self.start}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """A user's recovery codes, as one second factor of django-otp: each code signs in once. Only a salted
    HMAC-SHA256 of each is kept (``accounts.two_factor``); wrong codes slow further tries down."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def verify_token(self, token) -> bool:
        verified = self.spend(str(token))
        if verified:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return verified

    def get_throttle_factor(self) -> int:
        return 1

    def spend(self, code: str) -> bool:
        """Whether ``code`` is one of these codes; if so it is spent (deleted)."""
        for stored in self.codes.select_for_update():
            if hmac.compare_digest(stored.digest, RecoveryCode.digest_of(stored.salt, code)):
                stored.delete()
                return True
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.device} #{self.pk}"  # never the code, which is not kept

    @staticmethod
    def digest_of(salt: str, code: str) -> str:
        """What is kept of a code: its HMAC-SHA256 under a salt of its own, whatever its case, spaces or dashes."""
        normalised = "".join(code.split()).replace("-", "").upper()
        return hmac.new(salt.encode(), normalised.encode(), hashlib.sha256).hexdigest()


class Invitation(models.Model):
    """A DPO's invitation to join the organisation with a role, sent by email: the person becomes a member only
    once they accept it (signing in, or creating their account). Only the SHA-256 of the link's key is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["dpo", "manager", "auditor"]), name="accounts_invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "declined", "cancelled"]),
                name="accounts_invitation_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.email} · {self.organisation} · {self.get_role_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class SignInEvent(models.Model):
    """One sign-in, or one refused: when, from which address and browser, with which factor. Kept
    ``SIGN_IN_HISTORY_DAYS`` (then deleted): users see theirs, a DPO their members'. ``device`` is the SHA-256 of
    a random identifier the browser keeps in a cookie, to tell a browser never seen before."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Signed in")
        FAILURE = "failure", _("Refused")

    class Method(models.TextChoices):
        PASSWORD = "password", _("Password")
        APP = "app", _("Password and authenticator app")
        RECOVERY_CODE = "recovery", _("Password and recovery code")
        PASSKEY = "passkey", _("Password and passkey")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("user")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    browser = models.CharField(_("browser"), max_length=300, blank=True)
    device = models.CharField(max_length=64, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    method = models.CharField(_("factor"), max_length=10, choices=Method.choices, default=Method.PASSWORD)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="accounts_signin_user_at")]

    def __str__(self):
        return f"{self.user} · {self.at:%Y-%m-%d %H:%M} · {self.outcome}"
