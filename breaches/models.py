"""The breach log (Art. 33(5)): every personal data breach, notified or not, with its facts,
effects and remedial action, the 72-hour clock to the supervisory authority (Art. 33(1)) and
the communication to the people concerned (Art. 34).

Those two duties are the controller's. When the organisation acts as a processor, its duty is
to inform the controller without undue delay (Art. 33(2)), with the Art. 33(3) content; it
neither notifies the authority nor informs the people in its own name, and need not assess the
risk first (EDPB Guidelines 9/2022 on personal data breach notification, section II.A.4,
"Processor obligations": the controller assesses the risk once the processor has informed it).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from core.models import TimeStampedModel
from inventory.models import DataField, DataSubjectCategory, System
from processing.models import MAX_PEOPLE, ProcessingActivity

# A date a few minutes ahead is a clock difference, not a typing error.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def notification_delay() -> datetime.timedelta:
    """How long after becoming aware the authority must be notified (Art. 33(1): 72 hours; a
    setting, since a reform would change it)."""
    return datetime.timedelta(hours=settings.BREACH_NOTIFICATION_HOURS)


class Breach(TimeStampedModel):
    """A personal data breach: what happened, what it affects, how serious it is, and what was
    done about it: with the authority, with the people concerned, and to contain it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("breach status", "Open")
        CONTAINED = "contained", _("Contained")
        CLOSED = "closed", _("Closed")

    class Role(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        PROCESSOR = "processor", _("Processor (on behalf of a controller)")

    class Cause(models.TextChoices):
        ACCIDENTAL = "accidental", _("Accidental")
        MALICIOUS = "malicious", _("Malicious")

    class Origin(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    class Risk(models.TextChoices):
        NO_RISK = "no_risk", _("Unlikely to result in a risk")
        RISK = "risk", pgettext_lazy("risk level", "Risk")
        HIGH_RISK = "high_risk", _("High risk")

    class Exemption(models.TextChoices):
        ENCRYPTED = "unintelligible", _("Art. 34(3)(a): the data is unintelligible (encrypted…)")
        MITIGATED = "mitigated", _("Art. 34(3)(b): later measures mean the high risk is no longer likely")
        DISPROPORTIONATE = "public", _("Art. 34(3)(c): disproportionate effort, a public communication instead")

    # The exceptions that dispense with informing the people: Art. 34(3)(a) and (b). (c) only changes the means: "there
    # shall instead be a public communication or similar measure", dated like any other information of the people.
    DISPENSING = (Exemption.ENCRYPTED, Exemption.MITIGATED)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="breaches")
    reference = models.CharField(_("reference"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    # When
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    is_ongoing = models.BooleanField(_("still ongoing"), default=False)
    detected_at = models.DateTimeField(_("detected at"))
    aware_at = models.DateTimeField(
        _("became aware at"),
        help_text=_(
            "When the organisation became reasonably certain that personal data was compromised: the "
            "72-hour clock starts here."
        ),
    )
    reported_by = models.CharField(_("reported by"), max_length=200, blank=True)
    role = models.CharField(_("our role"), max_length=10, choices=Role.choices, default=Role.CONTROLLER)
    controller_name = models.CharField(_("controller"), max_length=200, blank=True)
    controller_informed_at = models.DateTimeField(_("controller informed at"), null=True, blank=True)
    # Asked by the CNIL's online form: another organisation involved in the breach (a processor, a
    # subcontractor, a joint controller…).
    other_organisations = models.TextField(
        _("other organisations involved"),
        blank=True,
        help_text=_("A processor or subcontractor involved in the breach, a joint controller…: name and role."),
    )

    # Nature and cause
    confidentiality = models.BooleanField(_("confidentiality (disclosure or access)"), default=False)
    integrity = models.BooleanField(_("integrity (alteration)"), default=False)
    availability = models.BooleanField(_("availability (loss or destruction)"), default=False)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, blank=True)
    discovery = models.TextField(_("how it was discovered"), blank=True)

    # What is affected
    systems = models.ManyToManyField(System, blank=True, related_name="breaches", verbose_name=_("systems"))
    activities = models.ManyToManyField(
        ProcessingActivity, blank=True, related_name="breaches", verbose_name=_("processing activities")
    )
    data_categories = models.JSONField(_("categories of data"), default=list, blank=True)
    special_categories = models.JSONField(_("special categories of data"), default=list, blank=True)
    subject_categories = models.ManyToManyField(
        DataSubjectCategory, blank=True, related_name="+", verbose_name=_("categories of people")
    )
    people_count = models.PositiveBigIntegerField(
        _("approximate number of people"), null=True, blank=True, validators=[MaxValueValidator(MAX_PEOPLE)]
    )
    records_count = models.PositiveBigIntegerField(_("approximate number of records"), null=True, blank=True)

    # Effects and risk
    consequences = models.TextField(_("likely consequences"), blank=True)
    risk = models.CharField(_("risk to people"), max_length=10, choices=Risk.choices, blank=True)
    risk_reasoning = models.TextField(_("why this level of risk"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_proposed = models.TextField(_("measures proposed"), blank=True)

    # Cross-border (Art. 56; EDPB Guidelines 9/2022, section II.C.1: tell the lead authority in which
    # Member States people are likely to be affected, and whether other authorities were notified).
    cross_border = models.BooleanField(_("people in other EU Member States affected"), default=False)
    member_states = models.CharField(_("which Member States"), max_length=300, blank=True)

    # The supervisory authority (Art. 33)
    not_notified_reason = models.TextField(_("why the authority is not notified"), blank=True)
    notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority = models.CharField(_("supervisory authority"), max_length=200, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    delay_reasons = models.TextField(_("reasons for the delay"), blank=True)
    other_authorities = models.TextField(_("other supervisory authorities notified"), blank=True)

    # The people concerned (Art. 34)
    communicated_at = models.DateTimeField(_("people informed at"), null=True, blank=True)
    communication_means = models.TextField(_("how they were informed"), blank=True)
    communication_exception = models.CharField(
        _("exception to informing them"), max_length=15, choices=Exemption.choices, blank=True
    )
    exception_justification = models.TextField(_("why the exception applies"), blank=True)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords(
        m2m_fields=[systems, activities, subject_categories],
        excluded_fields=["updated_at"],
        cascade_delete_history=False,
    )

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-aware_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="breaches_breach_reference_unique",
                violation_error_message=_("Another breach of the log already has this reference."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "contained", "closed"]), name="breaches_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(aware_at__gte=models.F("detected_at")), name="breaches_aware_after_detected"
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self):
        return reverse("breaches:breach_detail", kwargs={"organisation_slug": self.organisation.slug, "pk": self.pk})

    # --- The 72-hour clock ------------------------------------------------------------------

    @property
    def as_processor(self) -> bool:
        """Acting for a controller: the authority and the people are the controller's to tell (Art. 33(1), 34),
        ours is to tell the controller (Art. 33(2))."""
        return self.role == self.Role.PROCESSOR

    @property
    def notification_deadline(self) -> datetime.datetime:
        return self.aware_at + notification_delay()

    @property
    def notification_required(self) -> bool:
        """Notify the authority unless the breach is unlikely to result in a risk (Art. 33(1);
        the threshold is a setting). Until the risk is assessed, it is presumed: the clock runs.
        Never for a processor: Art. 33(1) binds the controller."""
        if self.as_processor:
            return False
        if not self.risk:
            return True
        return RISK_ORDER[self.risk] >= RISK_ORDER[settings.BREACH_NOTIFICATION_THRESHOLD]

    @property
    def clock_running(self) -> bool:
        return self.notification_required and self.notified_at is None

    def time_left(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        """Until the deadline (negative once it has passed)."""
        return self.notification_deadline - (now or timezone.now())

    @property
    def notified_late(self) -> bool:
        return self.notified_at is not None and self.notified_at > self.notification_deadline

    @property
    def communication_required(self) -> bool:
        """High risk: tell the people concerned (Art. 34(1)), unless an exception applies. The controller's duty: a
        processor does not contact the controller's people."""
        return self.risk == self.Risk.HIGH_RISK and not self.as_processor

    @property
    def people_informed(self) -> bool:
        """Informed (under Art. 34(3)(c), by the public communication), or dispensed by Art. 34(3)(a) or (b)."""
        return self.communicated_at is not None or self.communication_exception in self.DISPENSING

    @property
    def nature_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in ("confidentiality", "integrity", "availability")
            if getattr(self, name)
        ]

    @property
    def data_category_labels(self) -> list[str]:
        labels = dict(DataField.Category.choices)
        return [str(labels.get(code, code)) for code in self.data_categories]

    @property
    def special_category_labels(self) -> list[str]:
        labels = dict(DataField.SpecialCategory.choices)
        return [str(labels.get(code, code)) for code in self.special_categories]

    # How a finding names this breach (``processing.findings.Shown``).
    def finding_label(self) -> str:
        return _("Breach %(breach)s") % {"breach": self}

    def finding_fix_url(self, section: str) -> str:
        return reverse("breaches:breach_edit", args=[self.organisation.slug, self.pk]) + f"#{section}"

    def clean(self):
        super().clean()
        self.reference, self.title = self.reference.strip(), self.title.strip()
        special = DataField.Category.SPECIAL
        if self.special_categories and isinstance(self.data_categories, list) and special not in self.data_categories:
            self.data_categories = [*self.data_categories, special]
        errors: dict[str, list] = {}
        checks = (self._check_dates, self._check_categories, self._check_authority, self._check_people)
        if self.as_processor:
            checks = (self._check_dates, self._check_categories, self._check_processor)
        for check in checks:
            for field, message, code in check():
                errors.setdefault(field, []).append(ValidationError(message, code=code))
        if self.status == self.Status.CLOSED:
            for message, code in self.missing_before_closing():
                errors.setdefault("status", []).append(ValidationError(message, code=code))
        if errors:
            raise ValidationError(errors)

    def _check_dates(self):
        """Nothing in the future, and the moments in their order: started, detected, aware (then ended, informed,
        notified)."""
        latest = timezone.now() + FUTURE_TOLERANCE
        for name in DATE_FIELDS:
            value = getattr(self, name)
            if value is not None and value > latest:
                yield name, _("This date is in the future."), "future"
        yield from self._check_order()
        if self.role == self.Role.PROCESSOR and not self.controller_name.strip():
            yield "controller_name", _("As a processor, name the controller you act for (Art. 33(2))."), "required"

    def _check_order(self):
        detected = self.detected_at
        if self.started_at and detected and detected < self.started_at:
            yield "detected_at", _("A breach cannot be detected before it started."), "before_start"
        if detected and self.aware_at and self.aware_at < detected:
            yield (
                "aware_at",
                _("The organisation cannot become aware of a breach before it was detected."),
                "before_detection",
            )
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            yield "ended_at", _("A breach cannot end before it started."), "before_start"
        if self.ended_at and self.is_ongoing:
            yield "ended_at", _("A breach still ongoing has no end: clear one or the other."), "ongoing"
        for name in ("controller_informed_at", "notified_at", "communicated_at"):
            value = getattr(self, name)
            if value and detected and value < detected:
                yield name, _("This cannot be before the breach was detected."), "before_detection"

    def _check_categories(self):
        for name, choices in (
            ("data_categories", DataField.Category),
            ("special_categories", DataField.SpecialCategory),
        ):
            values = getattr(self, name)
            if not isinstance(values, list) or any(value not in choices.values for value in values):
                yield name, _("Choose among the listed categories."), "invalid_choice"

    def _check_authority(self):
        if self.risk and not self.risk_reasoning.strip():
            yield "risk_reasoning", _("Say why you assess the risk at this level."), "required"
        if (
            self.risk
            and not self.notification_required
            and not self.notified_at
            and not self.not_notified_reason.strip()
        ):
            yield (
                "not_notified_reason",
                _("Record why the breach is unlikely to result in a risk, and so is not notified (Art. 33(5))."),
                "required",
            )
        if not self.notified_at:
            return
        if not self.authority.strip():
            yield "authority", _("Name the authority you notified."), "required"
        if self.aware_at and self.notified_late and not self.delay_reasons.strip():
            yield (
                "delay_reasons",
                _("Notified more than %(hours)d hours after becoming aware: give the reasons for the delay.")
                % {"hours": settings.BREACH_NOTIFICATION_HOURS},
                "required",
            )

    def _check_people(self):
        if self.communicated_at and not self.communication_means.strip():
            yield "communication_means", _("Say how the people concerned were informed."), "required"
        if self.communication_exception and not self.exception_justification.strip():
            yield "exception_justification", _("Explain why the exception applies (Art. 34(3))."), "required"

    def _check_processor(self):
        """A processor records when it informed the controller, not a notification to the authority nor an
        information of the people (Art. 33(1), 33(2), 34): those fields are refused, each with the reason."""
        if self.risk and not self.risk_reasoning.strip():
            yield "risk_reasoning", _("Say why you assess the risk at this level."), "required"
        authority = _(
            "As a processor, you do not notify the supervisory authority: the controller does (Art. 33(1)). Clear "
            "this field and record when you informed the controller (Art. 33(2))."
        )
        people = _(
            "As a processor, you do not inform the people concerned: the controller does (Art. 34). Clear this field."
        )
        for names, message in ((CONTROLLER_AUTHORITY_FIELDS, authority), (CONTROLLER_PEOPLE_FIELDS, people)):
            for name in names:
                if getattr(self, name):
                    yield name, message, "controller_duty"

    def missing_before_closing(self) -> list[tuple]:
        """What must be done before the breach is closed: (message, code) pairs. A processor's breach closes once the
        controller is informed (Art. 33(2)); the authority and the people are the controller's (Art. 33(1), 34)."""
        if self.as_processor:
            if self.controller_informed_at is None:
                return [
                    (
                        _("Inform the controller (Art. 33(2)) and record when, before closing the breach."),
                        "controller_not_informed",
                    )
                ]
            return []
        missing = []
        if not self.risk:
            missing.append((_("Assess the risk before closing the breach."), "risk_missing"))
        elif self.notification_required and not self.notified_at:
            missing.append((_("Notify the authority before closing the breach."), "not_notified"))
        if self.communication_required and not self.people_informed:
            if self.communication_exception == self.Exemption.DISPROPORTIONATE:
                message, code = (
                    _(
                        "Art. 34(3)(c): record when and how the public communication informed the people concerned "
                        "before closing."
                    ),
                    "public_communication_missing",
                )
            else:
                message, code = (
                    _("High risk: inform the people concerned, or record the exception that applies, before closing."),
                    "not_communicated",
                )
            missing.append((message, code))
        return missing


DATE_FIELDS = (
    "started_at",
    "ended_at",
    "detected_at",
    "aware_at",
    "controller_informed_at",
    "notified_at",
    "communicated_at",
)


# A controller's duties, which a processor's breach leaves empty (Art. 33(1), 34).
CONTROLLER_AUTHORITY_FIELDS = (
    "not_notified_reason",
    "notified_at",
    "authority",
    "authority_reference",
    "delay_reasons",
    "other_authorities",
)
CONTROLLER_PEOPLE_FIELDS = (
    "communicated_at",
    "communication_means",
    "communication_exception",
    "exception_justification",
)

RISK_ORDER = {Breach.Risk.NO_RISK: 0, Breach.Risk.RISK: 1, Breach.Risk.HIGH_RISK: 2}


class TimelineEntry(models.Model):
    """One dated line of a breach's timeline: who did what when. Append-only: written by
    ``breaches.services`` and never changed afterwards."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        LOGGED = "logged", _("Breach logged")
        STATUS = "status", _("Status changed")
        NOTIFIED = "notified", _("Authority notified")
        # To the authority, or for a processor to the controller (Art. 33(4); Guidelines 9/2022, II.A.4).
        FOLLOW_UP = "follow_up", _("Further information sent (Art. 33(4))")
        COMMUNICATED = "communicated", _("People informed")
        CONTROLLER_INFORMED = "controller", _("Controller informed (Art. 33(2))")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="timeline")
    happened_at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("what happened"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["happened_at", "pk"]

    def __str__(self):
        return f"{self.happened_at:%Y-%m-%d %H:%M} · {self.text[:50]}"
