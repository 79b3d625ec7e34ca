"""The compliance watch's records: findings, the organisation's retention policy, check runs and digests.

They keep the ``processing`` app label (and their tables) of the register they watch: Django loads them with the
``processing.compliance`` app, and no data moved when they left ``processing/models.py``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from core.models import StepsProgress, TimeStampedModel
from core.text import duration_text
from inventory.models import DataField, DataSubjectCategory
from processing.models import RetentionLine


class FindingQuerySet(models.QuerySet):
    def with_last_seen(self):
        """Each finding with ``seen_at``, when a check last found it: its own ``last_seen_at``, or for one still
        unresolved, the organisation's last whole check if later (``RegisterCheck``)."""
        whole = RegisterCheck.objects.filter(organisation=models.OuterRef("organisation")).values("checked_at")
        return self.annotate(
            seen_at=models.Case(
                models.When(status=Finding.Status.RESOLVED, then=models.F("last_seen_at")),
                default=Greatest(models.F("last_seen_at"), Coalesce(models.Subquery(whole), models.F("last_seen_at"))),
            )
        )


class Finding(TimeStampedModel):
    """A compliance problem a check found on one object of the register.

    One row per (organisation, rule, object) whatever its status: a problem that comes back
    reopens the same row, so its history tells the whole story. The message is the rule's,
    in the reader's language, filled with ``params`` (see ``processing.compliance.rules``).
    """

    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("finding status", "Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RISK_ACCEPTED = "risk_accepted", _("Risk accepted")
        RESOLVED = "resolved", _("Resolved")

    # Indexes a sweep writes 280,000 entries in, each about 1 s at 100,000 activities: the organisation is the first
    # column of the unique constraint and of the status index, a content type picks out no few rows, and a finding
    # a check writes has no one who changed its status (a partial index, below).
    # Nor are the organisation and the content type foreign keys in the database (``db_constraint``): PostgreSQL checks
    # such a key row by row, a query each at commit, and a first sweep of 100,000 activities writes 280,000 findings
    # (4.9 s of commit for those checks alone, measured in psql). Findings are derived data, written by the check
    # alone with keys it has just read, and deleting an organisation deletes its findings as before: Django cascades
    # (``on_delete``) itself, never through the database's keys.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="findings", db_index=False, db_constraint=False
    )
    rule = models.CharField(_("rule"), max_length=60)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    first_detected_at = models.DateTimeField(_("first detected"))
    # When a check last found it, or changed it; a whole check writes its time once, on RegisterCheck, instead of on
    # each of its findings: read it through Finding.objects.with_last_seen().
    last_seen_at = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    justification = models.TextField(_("justification"), blank=True)
    # The history is read by finding (id), by organisation and date (the digest): the other keys are not indexed.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "last_seen_at"], no_db_index=["subject_type", "status_changed_by"]
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        app_label = "processing"
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-first_detected_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule", "subject_type", "subject_id"], name="processing_finding_one_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="processing_finding_status"),
            # For SET NULL when a user is deleted: only the findings someone changed.
            models.Index(
                fields=["status_changed_by"],
                condition=Q(status_changed_by__isnull=False),
                name="processing_finding_changed_by",
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.subject_type_id}:{self.subject_id}"

    @property
    def is_active(self) -> bool:
        """Still to be dealt with (not resolved; a risk accepted is dealt with)."""
        return self.status in (self.Status.OPEN, self.Status.ACKNOWLEDGED)


def months_of(duration: int | None, unit: str) -> float:
    """A duration in months, to compare periods given in different units (a year is 12
    months, a month 30.44 days)."""
    if duration is None:
        return 0
    return {"years": 12 * duration, "months": duration, "days": duration / 30.44}.get(unit, 0)


class RetentionPolicy(TimeStampedModel):
    """The organisation's own retention schedule: for a category of people and/or a category
    of data, the longest period allowed and, when a law sets one, the shortest.

    The checks compare each activity's retention lines with it (``retention.beyond_policy``,
    ``retention.below_minimum``). Seeded with common French references
    (``processing.retention_policy.SEEDS``); the DPO keeps it current.
    """

    Unit = RetentionLine.Unit

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="retention_policies")
    name = models.CharField(_("name"), max_length=200, help_text=_("What it covers, as your staff say it."))
    subject_category = models.ForeignKey(
        DataSubjectCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_policies",
        verbose_name=_("category of people"),
        help_text=_("Leave empty when it applies whoever the people are."),
    )
    data_category = models.CharField(
        _("category of data"),
        max_length=30,
        choices=DataField.Category.choices,
        blank=True,
        help_text=_("Leave empty when it applies to all their data."),
    )
    # Narrower than a category when the source is (CCTV footage, not all identification data; badge records,
    # not all location data): the policy then covers only activities that use this data field.
    data_field = models.ForeignKey(
        DataField,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_policies",
        verbose_name=_("personal data"),
        help_text=_(
            "Only this kind of personal data, when the source covers no more than that (its category is then "
            "the policy's)."
        ),
    )
    maximum = models.PositiveIntegerField(_("kept at most"), null=True, blank=True)
    maximum_unit = models.CharField(_("unit"), max_length=10, choices=RetentionLine.Unit.choices, blank=True)
    minimum = models.PositiveIntegerField(
        _("kept at least"), null=True, blank=True, help_text=_("Only when a law requires keeping it that long.")
    )
    minimum_unit = models.CharField(_("unit"), max_length=10, choices=RetentionLine.Unit.choices, blank=True)
    counted_from = models.CharField(_("counted from"), max_length=25, choices=RetentionLine.Trigger.choices, blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("The law, the authority's guidance or your decision.")
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        app_label = "processing"
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum__isnull=True) | ~Q(maximum_unit=""), name="processing_policy_maximum_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | ~Q(minimum_unit=""), name="processing_policy_minimum_has_unit"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def maximum_text(self) -> str:

        return duration_text(self.maximum, self.maximum_unit) if self.maximum is not None else ""

    @property
    def minimum_text(self) -> str:

        return duration_text(self.minimum, self.minimum_unit) if self.minimum is not None else ""

    @property
    def maximum_months(self) -> float | None:
        return months_of(self.maximum, self.maximum_unit) if self.maximum is not None else None

    @property
    def minimum_months(self) -> float | None:
        return months_of(self.minimum, self.minimum_unit) if self.minimum is not None else None

    def clean(self):
        super().clean()
        errors = {}
        self.name = self.name.strip()
        if self.maximum is None and self.minimum is None:
            errors["maximum"] = _("Give the longest period allowed, the shortest required, or both.")
        if self.maximum is not None and not self.maximum_unit:
            errors["maximum_unit"] = _("Give the unit of the duration.")
        if self.minimum is not None and not self.minimum_unit:
            errors["minimum_unit"] = _("Give the unit of the duration.")
        both = self.maximum is not None and self.minimum is not None and self.maximum_unit and self.minimum_unit
        if both and self.minimum_months > self.maximum_months:
            errors["minimum"] = _("The shortest period cannot be longer than the longest.")
        if self.subject_category_id and self.subject_category.organisation_id != self.organisation_id:
            errors["subject_category"] = _("Choose one of your own categories of people.")
        if self.data_field_id:
            if self.data_field.organisation_id != self.organisation_id:
                errors["data_field"] = _("Choose one of your own data fields.")
            elif self.data_category and self.data_category != self.data_field.category:
                errors["data_category"] = _("This category is not the one of the chosen data field: leave it empty.")
            else:
                self.data_category = self.data_field.category
        if errors:
            raise ValidationError(errors)


class ComplianceRun(StepsProgress, TimeStampedModel):
    """One run of the compliance checks on an organisation: asked for from the findings page,
    by the nightly sweep or by a change; its progress feeds the page's progress bar, and a run
    whose dispatch was lost is sent again by the periodic reconcile."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Started by a user")
        NIGHTLY = "nightly", _("Nightly sweep")
        COMMAND = "command", _("Command on the server")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="compliance_runs")
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    opened = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        app_label = "processing"
        verbose_name = _("compliance check run")
        verbose_name_plural = _("compliance check runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "dispatched_at"], name="processing_run_pending")]

    def __str__(self):
        return f"{self.organisation_id} · {self.created_at:%Y-%m-%d %H:%M} · {self.status}"


class DigestSent(models.Model):
    """Up to when a DPO's daily digest of an organisation has told them what changed: the
    next one starts there, so a digest sent twice repeats nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()

    class Meta:
        app_label = "processing"
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="processing_digest_one_per_user")]

    def __str__(self):
        return f"{self.organisation_id} · {self.user_id} · {self.until:%Y-%m-%d %H:%M}"


class RegisterCheck(models.Model):
    """When the organisation's register was last checked whole (every rule, every activity): each of its findings
    still unresolved then was found then. Written once per check rather than on each finding: at 100,000
    activities a sweep confirms 280,000 of them, and updating them all took PostgreSQL 9 s."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+")
    checked_at = models.DateTimeField()

    class Meta:
        app_label = "processing"

    def __str__(self):
        return f"{self.organisation_id} checked at {self.checked_at:%Y-%m-%d %H:%M}"
