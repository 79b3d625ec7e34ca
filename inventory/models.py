"""The catalogue an organisation reuses across its activities, and the reference data on
countries and adequacy decisions that every organisation shares."""

import datetime
import functools

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from core.errors import field_error
from core.models import ChoiceLabels, TimeStampedModel
from core.text import normalise_key

# --- Reference data ----------------------------------------------------------------------


class Country(models.Model):
    """An ISO 3166-1 country or territory, and whether it is in the EU / EEA."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    is_eu = models.BooleanField(_("in the European Union"), default=False)
    is_eea = models.BooleanField(
        _("in the European Economic Area"),
        default=False,
        help_text=_("The EU plus Iceland, Liechtenstein and Norway: data flows freely within it."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(is_eu=False) | Q(is_eea=True), name="inventory_country_eu_is_in_eea"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        """The country's name in the active language."""
        return country_name(self.code, get_language())


@functools.lru_cache(maxsize=4096)
def country_name(code: str, language: str | None) -> str:
    """A country's name in ``language``, the active one (django-countries translates its whole
    list on each lookup; a page naming 150 countries spent a tenth of its time there)."""
    return countries.name(code) or code


class InternationalOrganisation(models.Model):
    """An international organisation data may be transferred to (Art. 44-49)."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("international organisation")
        verbose_name_plural = _("international organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AdequacyDecisionQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date):
        """Decisions that apply on ``day``: in force from a date, until their end (if any)."""
        return self.filter(in_force_from__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def by_destination_on(self, day: datetime.date) -> dict:
        """The decision in force on ``day`` for each destination, keyed as ``AdequacyDecision.destination_key``
        (one query). A destination whose decision was replaced (the United Kingdom's 2021 decision and its 2025
        renewal) has one decision a day; should two overlap, the one in force last is kept."""
        decisions = self.in_force_on(day).order_by("in_force_from", "pk")
        return {decision.destination_key: decision for decision in decisions}


class AdequacyDecision(ChoiceLabels, models.Model):
    """A Commission decision that a destination protects personal data adequately (Art. 45)."""

    class Scope(models.TextChoices):
        FULL = "full", _("Full")
        PARTIAL = "partial", _("Partial")

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="adequacy_decisions"
    )
    international_organisation = models.ForeignKey(
        InternationalOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="adequacy_decisions"
    )
    reference = models.CharField(
        _("legal reference"),
        max_length=200,
        help_text=_(
            "Its number in the Official Journal, as published. One that could not be checked against the Official "
            "Journal is said to be unverified in the notes, never guessed."
        ),
    )
    in_force_from = models.DateField(_("in force from"), help_text=_("First day it applies."))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Last day it applies: expiry, repeal or annulment.")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.FULL)
    scope_description = models.TextField(_("scope (English)"), blank=True)
    scope_description_fr = models.TextField(_("scope (French)"), blank=True)
    requires_dpf_certification = models.BooleanField(
        _("only for importers certified under the EU-US Data Privacy Framework"), default=False
    )
    notes = models.TextField(
        _("sources and notes"),
        blank=True,
        help_text=_(
            "Where the reference and dates were checked (the Official Journal, the Commission's list), what could "
            "not be verified, and changes such as an extension or a renewal."
        ),
    )
    history = HistoricalRecords()

    objects = AdequacyDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("adequacy decision")
        verbose_name_plural = _("adequacy decisions")
        ordering = ["country_id", "in_force_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=False, international_organisation__isnull=True)
                | Q(country__isnull=True, international_organisation__isnull=False),
                name="inventory_adequacy_one_destination",
                violation_error_message=_("Choose either a country or an international organisation."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("in_force_from")),
                name="inventory_adequacy_ends_after_start",
                violation_error_message=_("The end date cannot be before the date it came into force."),
            ),
            models.CheckConstraint(
                condition=Q(scope="full") | ~Q(scope_description=""),
                name="inventory_adequacy_partial_scope_described",
                violation_error_message=_("Describe who a partial decision covers."),
            ),
        ]

    def __str__(self):
        return f"{self.destination} · {self.reference}"

    @property
    def destination(self):
        return self.country or self.international_organisation

    @property
    def destination_key(self) -> tuple[str, object]:
        """("country", code) or ("organisation", id): what a transfer row names as its destination."""
        if self.country_id:
            return ("country", self.country_id)
        return ("organisation", self.international_organisation_id)

    @property
    def scope_text(self) -> str:
        """Who it covers, in the active language (the English text when there is no French one)."""
        if (get_language() or "").startswith("fr") and self.scope_description_fr:
            return self.scope_description_fr
        return self.scope_description


# --- The organisation's catalogue -------------------------------------------------------

NAME_KEY_MAX_LENGTH = 400


class CatalogueItemQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def active(self):
        return self.filter(archived_at__isnull=True)


class CatalogueItem(TimeStampedModel):
    """Base of every catalogue entry: owned by one organisation, named, archivable.

    The name is unique in the organisation whatever its case and accents (``name_key``),
    so that "Adresse e-mail" and "adresse E-MAIL" are one item on SQLite and PostgreSQL.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    # Folding can lengthen a name ("ß" → "ss"): the key has room, and clean() checks it.
    name_key = models.CharField(max_length=NAME_KEY_MAX_LENGTH, editable=False)
    description = models.TextField(_("details"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(inherit=True, excluded_fields=["name_key", "updated_at"])

    objects = CatalogueItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name_key"],
                name="%(app_label)s_%(class)s_name_unique_in_organisation",
                violation_error_message=_("The catalogue already has an entry with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def clean(self):
        super().clean()
        self.name = " ".join(self.name.split())
        self.name_key = normalise_key(self.name)
        if not self.name_key:
            raise field_error("name", _("Enter a name."), "required")
        if len(self.name_key) > NAME_KEY_MAX_LENGTH:
            raise field_error("name", _("This name is too long."), "max_length")

    def save(self, *args, **kwargs):
        self.name_key = normalise_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # name_key is not a form field; check the name's uniqueness under the name.
        exclude = set(exclude or ()) - {"name_key", "organisation"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                uniqueness_under_name(error.error_dict)
            raise


def uniqueness_under_name(errors: dict) -> dict:
    """``errors`` (lists by field) with the constraint's errors, which concern ``name_key``, under the name."""
    if NON_FIELD_ERRORS in errors:
        errors.setdefault("name", []).extend(errors.pop(NON_FIELD_ERRORS))
    return errors


class DataField(CatalogueItem):
    """One kind of personal data the organisation holds ("email address", "salary")."""

    class Category(models.TextChoices):
        # Aligned with the rows of the CNIL model register.
        IDENTIFICATION = "identification", _("Civil status, identity, identification data, images")
        PERSONAL_LIFE = "personal_life", _("Personal life (habits, family situation…)")
        PROFESSIONAL_LIFE = "professional_life", _("Professional life (CV, education, career…)")
        ECONOMIC = "economic", _("Economic and financial information")
        CONNECTION = "connection", _("Connection data (IP address, logs…)")
        LOCATION = "location", _("Location data (travel, GPS…)")
        ONLINE_IDENTIFIERS = "online_identifiers", _("Internet: cookies, trackers, online identifiers")
        NATIONAL_ID = "national_id", _("National identification number (social security number…)")
        SPECIAL = "special", _("Special category of data (Art. 9)")
        CRIMINAL = "criminal", _("Criminal convictions and offences (Art. 10)")
        OTHER = "other", _("Other")

    class SpecialCategory(models.TextChoices):
        # Art. 9(1) GDPR
        RACIAL_ETHNIC = "racial_ethnic", _("Racial or ethnic origin")
        POLITICAL = "political", _("Political opinions")
        RELIGIOUS = "religious", _("Religious or philosophical beliefs")
        TRADE_UNION = "trade_union", _("Trade union membership")
        GENETIC = "genetic", _("Genetic data")
        BIOMETRIC = "biometric", _("Biometric data for unique identification")
        HEALTH = "health", _("Health")
        SEX_LIFE = "sex_life", _("Sex life or sexual orientation")

    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    special_category = models.CharField(
        _("kind of special category"),
        max_length=20,
        choices=SpecialCategory.choices,
        blank=True,
        help_text=_("Art. 9(1): processing these is forbidden unless an Art. 9(2) condition applies."),
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("personal data field")
        verbose_name_plural = _("personal data fields")
        constraints = [
            *CatalogueItem.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(category="special") & ~Q(special_category=""))
                | (~Q(category="special") & Q(special_category="")),
                name="inventory_datafield_special_kind_iff_special",
                violation_error_message=_("Choose the kind of special category, and only for special categories."),
            ),
        ]

    @property
    def is_special_category(self) -> bool:
        return self.category == self.Category.SPECIAL

    @property
    def is_criminal(self) -> bool:
        return self.category == self.Category.CRIMINAL

    @property
    def is_national_id(self) -> bool:
        return self.category == self.Category.NATIONAL_ID

    def clean(self):
        super().clean()
        if self.category == self.Category.SPECIAL and not self.special_category:
            raise field_error("special_category", _("Choose which special category of Art. 9(1) this is."), "required")
        if self.category != self.Category.SPECIAL:
            self.special_category = ""


class DataSubjectCategory(CatalogueItem):
    """A category of people whose data is processed (employees, prospects, minors…)."""

    is_vulnerable = models.BooleanField(
        _("vulnerable people"),
        default=False,
        help_text=_("Children, patients, employees towards their employer, elderly people…: an EDPB DPIA criterion."),
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("data subject category")
        verbose_name_plural = _("data subject categories")


class Recipient(CatalogueItem):
    """Who receives personal data: a department, a processor, another controller, an authority."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal department")
        PROCESSOR = "processor", _("Processor")
        SUB_PROCESSOR = "sub_processor", _("Sub-processor")
        CONTROLLER = "controller", _("Other controller or partner")
        PUBLIC_AUTHORITY = "public_authority", _("Public authority")
        OTHER = "other", _("Other")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"), null=True, blank=True
    )
    contact = models.TextField(_("contact"), blank=True)
    has_processing_agreement = models.BooleanField(
        _("data processing agreement in place"),
        default=False,
        help_text=_("Art. 28: a processor acts under a written contract with the required clauses."),
    )
    processing_agreement_reference = models.CharField(_("agreement reference"), max_length=200, blank=True)
    is_dpf_certified = models.BooleanField(
        _("certified under the EU-US Data Privacy Framework"),
        default=False,
        help_text=_("For US recipients: the US adequacy decision covers only certified organisations."),
    )

    class Meta(CatalogueItem.Meta):
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")


class System(CatalogueItem):
    """Where personal data physically lives: an application, a data centre, a paper archive."""

    class Kind(models.TextChoices):
        SAAS = "saas", _("SaaS application")
        OWN_DATA_CENTRE = "own_data_centre", _("Own data centre")
        CLOUD = "cloud", _("Cloud infrastructure (IaaS / PaaS)")
        PAPER = "paper", _("Paper archive")
        ENDPOINT = "endpoint", _("Endpoints (laptops, phones)")
        OTHER = "other", _("Other")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    hosting_provider = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_systems",
        verbose_name=_("hosting provider"),
        help_text=_("The company that operates it, from your recipients."),
    )
    countries = models.ManyToManyField(
        Country,
        through="SystemCountry",
        related_name="+",
        verbose_name=_("countries where the data is stored"),
    )
    oldest_record_on = models.DateField(
        _("date of the oldest record held"),
        null=True,
        blank=True,
        help_text=_("Kept by hand or by a discovery tool; used to spot data kept beyond its retention period."),
    )
    # When a scan of the system's databases measured the oldest record (discovery); empty when typed by hand.
    oldest_record_measured_at = models.DateTimeField(
        _("oldest record measured at"), null=True, blank=True, editable=False
    )

    # Kinds the organisation may run itself. With no hosting provider, such a system is the organisation's own
    # storage: data kept there in a third country is not transferred (EDPB Guidelines 05/2021 on the interplay
    # between Art. 3 and Chapter V, v2.0: its second criterion, another controller or processor, the importer).
    SELF_OPERATED_KINDS = (Kind.OWN_DATA_CENTRE, Kind.ENDPOINT, Kind.PAPER)

    class Meta(CatalogueItem.Meta):
        verbose_name = _("system")
        verbose_name_plural = _("systems")

    @property
    def is_self_operated(self) -> bool:
        """Run by the organisation itself: no company hosts it (see ``SELF_OPERATED_KINDS``)."""
        return self.hosting_provider_id is None and self.kind in self.SELF_OPERATED_KINDS

    @classmethod
    def self_operated(cls, prefix: str = "") -> Q:
        """``is_self_operated`` as a filter, on the system reached through ``prefix`` ("system__" from a link)."""
        return Q(**{f"{prefix}hosting_provider__isnull": True, f"{prefix}kind__in": cls.SELF_OPERATED_KINDS})

    def clean(self):
        super().clean()
        if self.hosting_provider_id and self.hosting_provider.organisation_id != self.organisation_id:
            raise field_error("hosting_provider", _("Choose one of your own recipients."), "invalid")


class SystemCountry(ChoiceLabels, models.Model):
    """One country where a system stores data (a row, so both databases can query it)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="country_links")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("storage country")
        verbose_name_plural = _("storage countries")
        constraints = [
            models.UniqueConstraint(fields=["system", "country"], name="inventory_systemcountry_unique"),
        ]

    def __str__(self):
        return f"{self.system} · {self.country_id}"


CATALOGUE_MODELS = (DataField, DataSubjectCategory, Recipient, System)
