"""The register of processing activities: Art. 30(1) (controller) and 30(2) (processor)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from core.errors import field_error
from core.fields import ChoiceListField
from core.models import ChoiceLabels, TimeStampedModel
from inventory.models import Country, DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System

# Kept by name: the services write one historical record per save of an activity, with its
# final links, instead of one per kind of link changed (``services._apply``).
ACTIVITY_HISTORY = HistoricalRecords(
    m2m_fields=["data_fields", "recipients", "systems"], excluded_fields=["updated_at"], cascade_delete_history=False
)


class ProcessingActivity(TimeStampedModel):
    """One entry of the register: what is done with personal data, why, and how safely."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        JOINT_CONTROLLER = "joint_controller", _("Joint controller")
        PROCESSOR = "processor", _("Processor on behalf of a controller")

    class LawfulBasis(models.TextChoices):
        # Art. 6(1)
        CONSENT = "consent", _("(a) Consent")
        CONTRACT = "contract", _("(b) Contract with the person")
        LEGAL_OBLIGATION = "legal_obligation", _("(c) Legal obligation")
        VITAL_INTERESTS = "vital_interests", _("(d) Vital interests")
        PUBLIC_TASK = "public_task", _("(e) Public task")
        LEGITIMATE_INTERESTS = "legitimate_interests", _("(f) Legitimate interests")

    class SpecialCondition(models.TextChoices):
        # Art. 9(2)
        EXPLICIT_CONSENT = "a", _("(a) Explicit consent")
        EMPLOYMENT = "b", _("(b) Employment and social security law")
        VITAL_INTERESTS = "c", _("(c) Vital interests when consent is impossible")
        NOT_FOR_PROFIT = "d", _("(d) Not-for-profit body, members only")
        MADE_PUBLIC = "e", _("(e) Manifestly made public by the person")
        LEGAL_CLAIMS = "f", _("(f) Legal claims or courts")
        PUBLIC_INTEREST = "g", _("(g) Substantial public interest under law")
        HEALTH_CARE = "h", _("(h) Health or social care, occupational medicine")
        PUBLIC_HEALTH = "i", _("(i) Public health")
        ARCHIVING_RESEARCH = (
            "j",
            _("(j) Archiving in the public interest, scientific or historical research, statistics"),
        )

    class DpiaStatus(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed")
        NOT_REQUIRED = "not_required", _("Not required")
        PLANNED = "planned", _("Required, not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    class CnilDpiaType(models.TextChoices):
        """The CNIL's list of processing for which a DPIA is always required (Art. 35(4)): délibération n° 2018-327
        of 11 October 2018, JORF of 6 November 2018 (https://www.cnil.fr/fr/liste-traitements-aipd-requise). One is
        enough, whatever the count of the EDPB's criteria."""

        HEALTH_CARE = (
            "health_care",
            _("Health data processed by health or medico-social establishments for patient care"),
        )
        GENETIC_VULNERABLE = (
            "genetic_vulnerable",
            _("Genetic data of vulnerable people (patients, employees, children…)"),
        )
        HR_PROFILING = "hr_profiling", _("Profiling of people for human-resources management")
        EMPLOYEE_MONITORING = "employee_monitoring", _("Constant monitoring of employees' activity")
        SOCIAL_HEALTH_ALERTS = (
            "social_health_alerts",
            _("Management of alerts and reports on social and health matters"),
        )
        WHISTLEBLOWING = "whistleblowing", _("Management of professional alerts and reports (whistleblowing)")
        HEALTH_WAREHOUSE = "health_warehouse", _("Health data gathered into a data warehouse or a registry")
        PROFILING_EXCLUSION = (
            "profiling_exclusion",
            _("Profiling that may exclude people from a contract, or suspend or end it"),
        )
        SHARED_BREACHES_OF_CONTRACT = (
            "shared_breaches_of_contract",
            _("Pooled records of breaches of contract that may lead to exclusion from, or suspension of, a contract"),
        )
        PROFILING_EXTERNAL = "profiling_external", _("Profiling using data from external sources")
        BIOMETRIC_VULNERABLE = (
            "biometric_vulnerable",
            _(
                "Biometric recognition of people among whom are vulnerable people (pupils, elderly people, patients, "
                "asylum seekers…)"
            ),
        )
        SOCIAL_HOUSING = "social_housing", _("Examination of applications for, and management of, social housing")
        SOCIAL_SUPPORT = "social_support", _("Social or medico-social support of people")
        LARGE_SCALE_LOCATION = "large_scale_location", _("Location data on a large scale")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities", verbose_name=_("organisation")
    )
    reference = models.CharField(
        _("reference"), max_length=30, help_text=_("Your own code for this entry, for example PA-012.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    # Who: Art. 30(1)(a) and 30(2)(a)
    owner_unit = models.CharField(_("business unit"), max_length=200, blank=True)
    owner_contact = models.CharField(_("contact in the business"), max_length=200, blank=True)
    software = models.CharField(_("software used"), max_length=300, blank=True)
    role = models.CharField(
        _("our role"),
        max_length=20,
        choices=Role.choices,
        default=Role.CONTROLLER,
        help_text=_(
            "Controller: you decide why and how. Joint controller: you decide together with another "
            "organisation. Processor: you process the data on behalf of a client who decides."
        ),
    )
    joint_arrangement = models.TextField(
        _("arrangement between joint controllers"),
        blank=True,
        help_text=_("Art. 26: who does what, notably towards the people concerned."),
    )

    # Why: Art. 30(1)(b)
    purpose = models.TextField(_("main purpose"), blank=True, help_text=_("Why the data is processed, in plain words."))
    sub_purposes = models.TextField(_("sub-purposes"), blank=True, help_text=_("One per line."))
    lawful_basis = models.CharField(
        _("lawful basis (Art. 6)"),
        max_length=25,
        choices=LawfulBasis.choices,
        blank=True,
        help_text=_("What makes the processing lawful. Each activity has one main basis."),
    )
    lawful_basis_evidence = models.TextField(
        _("evidence of the lawful basis"),
        blank=True,
        help_text=_(
            "The law for a legal obligation or public task, the legitimate interests assessment for "
            "legitimate interests, how consent is recorded for consent."
        ),
    )
    special_condition = models.CharField(
        _("condition for special categories (Art. 9(2))"),
        max_length=1,
        choices=SpecialCondition.choices,
        blank=True,
        help_text=_("Needed whenever health, biometric or other special-category data is processed."),
    )
    special_condition_reference = models.TextField(
        _("legal reference for that condition"),
        blank=True,
        # Art. 9(2)(b): "Union or Member State law or a collective agreement pursuant to Member State law"; (h): "Union
        # or Member State law or pursuant to contract with a health professional"; (g), (i), (j): Union or Member
        # State law.
        help_text=_(
            "Conditions (g), (i) and (j) rest on a law: cite it. (b) rests on a law or a collective agreement, (h) on "
            "a law or a contract with a health professional: cite the one you rely on."
        ),
    )
    criminal_data_basis = models.TextField(
        _("legal basis for criminal-offence data (Art. 10)"),
        blank=True,
        help_text=_("Only under official authority or a law that authorises it: cite it."),
    )

    # Whose data and which: Art. 30(1)(c)
    data_subjects = models.ManyToManyField(
        DataSubjectCategory,
        through="ActivityDataSubject",
        related_name="activities",
        verbose_name=_("categories of people"),
    )
    data_fields = models.ManyToManyField(DataField, related_name="activities", verbose_name=_("personal data"))
    source_data_subject = models.BooleanField(_("collected from the person"), default=False)
    source_third_party = models.BooleanField(_("received from a third party"), default=False)
    source_public = models.BooleanField(_("from public sources"), default=False)
    source_social_networks = models.BooleanField(_("from social networks"), default=False)
    source_details = models.TextField(_("details on the sources"), blank=True)

    # Who receives it and where it lives: Art. 30(1)(d)
    recipients = models.ManyToManyField(Recipient, related_name="activities", verbose_name=_("recipients"))
    systems = models.ManyToManyField(System, related_name="activities", verbose_name=_("systems (storage)"))

    # Risk: Art. 35 inputs and Art. 22
    criterion_evaluation = models.BooleanField(_("evaluation or scoring"), default=False)
    criterion_automated_decision = models.BooleanField(
        _("automated decision with legal or similar effect"), default=False
    )
    criterion_monitoring = models.BooleanField(_("systematic monitoring"), default=False)
    criterion_sensitive = models.BooleanField(_("sensitive or highly personal data"), default=False)
    # Also the "large-scale yes/no" that Art. 35(3)(b) and (c) turn on.
    criterion_large_scale = models.BooleanField(_("data processed on a large scale"), default=False)
    criterion_matching = models.BooleanField(_("matching or combining datasets"), default=False)
    criterion_vulnerable = models.BooleanField(_("data concerning vulnerable people"), default=False)
    criterion_innovative = models.BooleanField(_("innovative use of technology"), default=False)
    criterion_prevents_right = models.BooleanField(
        _("prevents people from exercising a right or using a service"), default=False
    )
    cnil_dpia_types = ChoiceListField(
        _("on the CNIL's list of processing requiring a DPIA"),
        item_choices=CnilDpiaType.choices,
        help_text=_(
            "Tick the types this activity falls under (CNIL, délibération 2018-327): one is enough to require a DPIA."
        ),
    )
    dpia_status = models.CharField(
        _("DPIA status"),
        max_length=15,
        choices=DpiaStatus.choices,
        default=DpiaStatus.NOT_ASSESSED,
        help_text=_(
            "A data protection impact assessment (Art. 35) is needed before processing likely to result in a "
            "high risk; meeting two or more of the criteria above usually means one is, and a type on the CNIL's "
            "list always does."
        ),
    )
    dpia_date = models.DateField(_("DPIA date"), null=True, blank=True)
    dpia_reference = models.CharField(_("DPIA reference"), max_length=200, blank=True)
    has_automated_decision = models.BooleanField(_("automated decision-making or profiling (Art. 22)"), default=False)
    automated_decision_details = models.TextField(_("explanation of the automated decision"), blank=True)

    # Upkeep
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)
    # Raised by one on every write: a form (or an API client) says which version it edited,
    # so that a second save cannot silently overwrite the first (no lost update).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = ACTIVITY_HISTORY

    DPIA_CRITERIA = (
        "criterion_evaluation",
        "criterion_automated_decision",
        "criterion_monitoring",
        "criterion_sensitive",
        "criterion_large_scale",
        "criterion_matching",
        "criterion_vulnerable",
        "criterion_innovative",
        "criterion_prevents_right",
    )

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="processing_activity_reference_unique",
                violation_error_message=_("Another activity of the register already has this reference."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "archived"]), name="processing_activity_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.name}"

    def get_absolute_url(self):
        return reverse(
            "processing:activity_detail", kwargs={"organisation_slug": self.organisation.slug, "pk": self.pk}
        )

    def storage_countries(self) -> list[Country]:
        """The distinct countries where the activity's systems store data (reads prefetched rows)."""
        countries = {
            link.country_id: link.country for system in self.systems.all() for link in system.country_links.all()
        }
        return [countries[code] for code in sorted(countries)]

    @property
    def cnil_dpia_type_labels(self) -> list[str]:
        labels = self._meta.get_field("cnil_dpia_types").labels
        return [str(labels.get(code, code)) for code in self.cnil_dpia_types]

    @property
    def dpia_criteria_met(self) -> list[str]:
        return [name for name in self.DPIA_CRITERIA if getattr(self, name)]

    def clean(self):
        super().clean()
        self.reference = self.reference.strip()
        if self.next_review_on and self.last_reviewed_on and self.next_review_on < self.last_reviewed_on:
            raise field_error("next_review_on", _("The next review cannot be before the last one."), "invalid")


MAX_PEOPLE = 10_000_000_000  # more than the world's population: anything above is a typing error


class ActivityDataSubject(ChoiceLabels, models.Model):
    """A category of people concerned by an activity, with roughly how many they are."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="subject_links")
    category = models.ForeignKey(
        DataSubjectCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category of people")
    )
    approximate_count = models.PositiveBigIntegerField(
        _("approximate number of people"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PEOPLE)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category of people concerned")
        verbose_name_plural = _("categories of people concerned")
        constraints = [
            models.UniqueConstraint(fields=["activity", "category"], name="processing_activitysubject_unique"),
        ]

    def __str__(self):
        return str(self.category)


class ControllerParty(ChoiceLabels, models.Model):
    """A joint controller (Art. 26) or, for a processor's record, a controller it acts for (Art. 30(2)(a))."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="controller_parties")
    name = models.CharField(_("name"), max_length=200)
    contact = models.TextField(_("contact details"), blank=True)
    representative = models.CharField(_("EU representative"), max_length=200, blank=True)
    dpo_contact = models.CharField(_("DPO contact"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("other controller")
        verbose_name_plural = _("other controllers")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Transfer(TimeStampedModel):
    """A transfer outside the EEA (Art. 30(1)(e)) and the Chapter V tool that allows it."""

    class ImporterRole(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        PROCESSOR = "processor", _("Processor")
        SUB_PROCESSOR = "sub_processor", _("Sub-processor")

    class Mechanism(models.TextChoices):
        ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
        SCC_MODULE_1 = "scc_1", _("Standard contractual clauses 2021, module 1 (controller to controller)")
        SCC_MODULE_2 = "scc_2", _("Standard contractual clauses 2021, module 2 (controller to processor)")
        SCC_MODULE_3 = "scc_3", _("Standard contractual clauses 2021, module 3 (processor to processor)")
        SCC_MODULE_4 = "scc_4", _("Standard contractual clauses 2021, module 4 (processor to controller)")
        SCC_AUTHORITY = "scc_authority", _("Standard data protection clauses adopted by an authority (Art. 46(2)(d))")
        BCR = "bcr", _("Binding corporate rules (Art. 47)")
        CODE_OF_CONDUCT = "code_of_conduct", _("Approved code of conduct (Art. 46(2)(e))")
        CERTIFICATION = "certification", _("Approved certification (Art. 46(2)(f))")
        AD_HOC_CLAUSES = "ad_hoc_clauses", _("Ad hoc contractual clauses authorised (Art. 46(3)(a))")
        PUBLIC_BODY = "public_body", _("Legally binding instrument between public bodies (Art. 46(2)(a))")
        ADMINISTRATIVE_ARRANGEMENT = (
            "admin_arrangement",
            _("Administrative arrangement between public bodies, authorised (Art. 46(3)(b))"),
        )
        DEROGATION_A = "derogation_a", _("Derogation: explicit consent (Art. 49(1)(a))")
        DEROGATION_B = "derogation_b", _("Derogation: contract with the person (Art. 49(1)(b))")
        DEROGATION_C = "derogation_c", _("Derogation: contract in the person's interest (Art. 49(1)(c))")
        DEROGATION_D = "derogation_d", _("Derogation: important public interest (Art. 49(1)(d))")
        DEROGATION_E = "derogation_e", _("Derogation: legal claims (Art. 49(1)(e))")
        DEROGATION_F = "derogation_f", _("Derogation: vital interests (Art. 49(1)(f))")
        DEROGATION_G = "derogation_g", _("Derogation: public register (Art. 49(1)(g))")
        COMPELLING_INTEREST = (
            "compelling_interest",
            _("One-off transfer for compelling legitimate interests (Art. 49(1), second subparagraph)"),
        )
        SCC_PRE_2021 = "scc_pre_2021", _("Old standard contractual clauses (2001, 2004, 2010): obsolete")
        PRIVACY_SHIELD = "privacy_shield", _("EU-US Privacy Shield: invalidated in 2020")

    # Art. 49 derogations: exceptions for occasional transfers, never for systematic ones (EDPB Guidelines 2/2018).
    DEROGATIONS = (
        Mechanism.DEROGATION_A,
        Mechanism.DEROGATION_B,
        Mechanism.DEROGATION_C,
        Mechanism.DEROGATION_D,
        Mechanism.DEROGATION_E,
        Mechanism.DEROGATION_F,
        Mechanism.DEROGATION_G,
        Mechanism.COMPELLING_INTEREST,
    )
    # Art. 49(3): "Points (a), (b) and (c) of the first subparagraph of paragraph 1 and the second subparagraph
    # thereof shall not apply to activities carried out by public authorities in the exercise of their public powers."
    NOT_FOR_PUBLIC_POWERS = (
        Mechanism.DEROGATION_A,
        Mechanism.DEROGATION_B,
        Mechanism.DEROGATION_C,
        Mechanism.COMPELLING_INTEREST,
    )

    # Indexed with its country (Meta.indexes), which serves every lookup by activity too.
    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="transfers", db_index=False)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("destination")
    )
    international_organisation = models.ForeignKey(
        InternationalOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or international organisation"),
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("importer")
    )
    system = models.ForeignKey(
        System,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or system"),
        help_text=_("When the importer is the company hosting one of your systems."),
    )
    importer_role = models.CharField(_("importer's role"), max_length=15, choices=ImporterRole.choices, blank=True)
    mechanism = models.CharField(_("transfer tool"), max_length=25, choices=Mechanism.choices, blank=True)
    adequacy_scope_confirmed = models.BooleanField(
        _("the importer is within the adequacy decision's scope"),
        default=False,
        help_text=_("For partial decisions (Canada, Israel, Japan, Korea, Brazil, the USA): you checked it applies."),
    )
    tia_date = models.DateField(
        _("transfer impact assessment date"),
        null=True,
        blank=True,
        help_text=_(
            "Needed for every Art. 46 safeguard since Schrems II (clauses, binding corporate rules, codes of conduct, "
            "certification, instruments between public bodies): does the law there undo them?"
        ),
    )
    tia_reference = models.CharField(_("transfer impact assessment reference"), max_length=200, blank=True)
    documentation = models.CharField(_("link to the documentation"), max_length=500, blank=True)
    safeguards = models.TextField(
        _("suitable safeguards"),
        blank=True,
        help_text=_("Required for a one-off transfer on compelling legitimate interests (Art. 30(1)(e))."),
    )
    # Art. 49(1), second subparagraph: "The controller shall inform the supervisory authority of the transfer" and
    # "inform the data subject of the transfer and on the compelling legitimate interests pursued".
    authority_informed_on = models.DateField(
        _("supervisory authority informed on"),
        null=True,
        blank=True,
        help_text=_("For a one-off transfer on compelling legitimate interests: when you informed the authority."),
    )
    people_informed_on = models.DateField(
        _("people informed on"),
        null=True,
        blank=True,
        help_text=_(
            "For a one-off transfer on compelling legitimate interests: when you informed the people of the "
            "transfer and of the interests pursued."
        ),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("transfer outside the EEA")
        verbose_name_plural = _("transfers outside the EEA")
        ordering = ["pk"]
        indexes = [
            # The rules look an activity's transfers up by their destination ("is there a row for this activity and
            # this country?", transfer.destination_uncovered). With the activity alone indexed, SQLite, which plans
            # without statistics, read every transfer to the country instead: 54 s for 10,000 activities, 0.1 s so.
            models.Index(fields=["activity", "country"], name="processing_transfer_activity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=True) | Q(international_organisation__isnull=True),
                name="processing_transfer_one_destination",
                violation_error_message=_("Choose a country or an international organisation, not both."),
            ),
        ]

    def __str__(self):
        return f"{self.destination or '?'} · {self.get_mechanism_display() or '?'}"

    @property
    def destination(self):
        return self.country or self.international_organisation

    @property
    def importer(self):
        return self.recipient or self.system

    def clean(self):
        super().clean()
        errors = {}
        if self._meta.get_field("country").is_cached(self):
            country = self.country  # given with the transfer: no query
        else:
            country = Country.objects.filter(pk=self.country_id).first() if self.country_id else None
        if self.country_id is None and self.international_organisation_id is None:
            errors["country"] = _("Choose the country (or international organisation) the data goes to.")
        if country is not None and country.is_eea:
            errors["country"] = _("This country is in the EEA: no transfer tool is needed.")
        if self.country_id is not None and self.international_organisation_id is not None:
            errors["country"] = _("Choose a country or an international organisation, not both.")
        if self.mechanism == self.Mechanism.COMPELLING_INTEREST and not self.safeguards.strip():
            errors["safeguards"] = _("Describe the safeguards of this one-off transfer (Art. 49(1) and 30(1)(e)).")
        if self.mechanism in self.NOT_FOR_PUBLIC_POWERS and self.under_public_powers():
            errors["mechanism"] = ValidationError(
                _(
                    "A public authority cannot rely on this derogation for an activity carried out in the exercise "
                    "of its public powers (Art. 49(3)): explicit consent, a contract and the one-off transfer on "
                    "compelling legitimate interests are not open to it. Choose an adequacy decision or an Art. 46 "
                    "safeguard (an instrument or arrangement between public bodies, clauses), or another derogation "
                    "such as an important public interest (Art. 49(1)(d))."
                ),
                code="public_powers",
            )
        importers = self.importers_allowed() if self.recipient_id or self.system_id else None
        if importers is not None:
            recipient_ids, system_ids = importers
            if self.recipient_id and self.recipient_id not in recipient_ids:
                errors["recipient"] = _("Choose a recipient of this activity, or the host of one of its systems.")
            if self.system_id and self.system_id not in system_ids:
                errors["system"] = _("Choose one of this activity's systems.")
        if errors:
            raise ValidationError(errors)

    def under_public_powers(self) -> bool:
        """Whether the activity is carried out by a public authority in the exercise of its public powers, as far as
        the record says it: the organisation is a public body and the activity rests on a task carried out in the
        public interest or in the exercise of official authority (Art. 6(1)(e)). Other activities of a public body
        may be outside its public powers (``transfer.derogation_public_powers`` asks the DPO to say so)."""
        if self.activity_id is None and not self._meta.get_field("activity").is_cached(self):
            return False
        activity = self.activity
        if activity.lawful_basis != ProcessingActivity.LawfulBasis.PUBLIC_TASK:
            return False
        return activity.organisation.is_public_body

    def importers_allowed(self) -> tuple[set, set] | None:
        """The recipients (the activity's own, and the hosts of its systems) and the systems
        this transfer may name as its importer; None while the activity is not saved, unless
        the caller gave them (``allowed_importers``: a new activity checked before it is written)."""
        given = getattr(self, "allowed_importers", None)
        if given is not None or not self.activity_id:
            return given
        systems = dict(self.activity.systems.values_list("pk", "hosting_provider_id"))
        recipients = set(self.activity.recipients.values_list("pk", flat=True))
        return recipients | {host for host in systems.values() if host}, set(systems)


class RetentionLine(TimeStampedModel):
    """How long data is kept (Art. 30(1)(f)), for the whole activity or one category of data."""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        MONTHS = "months", _("months")
        YEARS = "years", _("years")

    class Trigger(models.TextChoices):
        COLLECTION = "collection", _("collection")
        LAST_CONTACT = "last_contact", _("last contact")
        END_OF_CONTRACT = "end_of_contract", _("end of the contract")
        END_OF_EMPLOYMENT = "end_of_employment", _("end of employment")
        END_OF_FINANCIAL_YEAR = "end_of_financial_year", _("end of the financial year")
        PAYMENT = "payment", _("payment")
        CASE_CLOSED = "case_closed", _("case closed")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("withdrawal of consent")
        OTHER = "other", _("other event")

    class EndAction(models.TextChoices):
        DELETE = "delete", _("Delete")
        ANONYMISE = "anonymise", _("Anonymise")
        ARCHIVE = "archive", _("Intermediate archive, then delete")

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="retention_lines")
    data_category = models.CharField(
        _("data concerned"),
        max_length=30,
        choices=DataField.Category.choices,
        blank=True,
        help_text=_("Leave empty when the period applies to all the activity's data."),
    )
    duration = models.PositiveIntegerField(_("duration"), null=True, blank=True)
    duration_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    criteria = models.TextField(
        _("criteria"), blank=True, help_text=_("Where no figure is possible: the criteria that set the period.")
    )
    trigger = models.CharField(_("counted from"), max_length=25, choices=Trigger.choices, blank=True)
    trigger_details = models.CharField(_("event"), max_length=200, blank=True)
    end_action = models.CharField(
        _("at the end"),
        max_length=10,
        choices=EndAction.choices,
        default=EndAction.DELETE,
        help_text=_("An intermediate archive keeps data out of daily use, for a legal obligation or a dispute."),
    )
    archive_duration = models.PositiveIntegerField(_("archive duration"), null=True, blank=True)
    archive_duration_unit = models.CharField(_("archive unit"), max_length=10, choices=Unit.choices, blank=True)
    legal_reference = models.TextField(_("legal reference or justification"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | ~Q(duration_unit=""),
                name="processing_retention_duration_has_unit",
                violation_error_message=_("Give the unit of the duration."),
            ),
        ]

    def __str__(self):
        return self.summary

    @property
    def is_defined(self) -> bool:
        return self.duration is not None or bool(self.criteria.strip())

    @property
    def summary(self) -> str:
        if self.duration is not None:
            text = f"{self.duration} {self.get_duration_unit_display()}"
            if self.trigger:
                text += " · " + str(self.get_trigger_display())
            return text
        return self.criteria.strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.duration is not None and not self.duration_unit:
            errors["duration_unit"] = _("Give the unit of the duration.")
        if self.duration is None and not self.criteria.strip():
            errors["duration"] = _("Give a duration, or the criteria used when no figure is possible.")
        if self.trigger == self.Trigger.OTHER and not self.trigger_details.strip():
            errors["trigger_details"] = _("Say which event starts the period.")
        if self.end_action == self.EndAction.ARCHIVE and (
            self.archive_duration is None or not self.archive_duration_unit
        ):
            errors["archive_duration"] = _("Give how long the intermediate archive keeps the data.")
        if errors:
            raise ValidationError(errors)


class SecurityMeasure(ChoiceLabels, models.Model):
    """A technical or organisational security measure (Art. 30(1)(g), Art. 32), from the CNIL list."""

    class Kind(models.TextChoices):
        TRACEABILITY = "traceability", _("Traceability (logging of access)")
        SOFTWARE_PROTECTION = "software_protection", _("Software protection (updates, antivirus)")
        BACKUP = "backup", _("Data backups")
        ENCRYPTION = "encryption", _("Encryption")
        ACCESS_CONTROL = "access_control", _("User access control")
        PROCESSOR_CONTROL = "processor_control", _("Control of processors")
        OTHER = "other", _("Other measures")

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="security_measures")
    kind = models.CharField(_("measure"), max_length=25, choices=Kind.choices)
    details = models.TextField(_("details"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind"], name="processing_securitymeasure_unique"),
        ]

    def __str__(self):
        return self.get_kind_display()
