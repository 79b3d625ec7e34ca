"""The reports' records: the log of every export (with the file a worker prepared) and the imports of registers.

They keep the ``processing`` app label (and their tables): Django loads them with the ``processing.reports`` app, and
no data moved when they left ``processing/models.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import StepsProgress, TimeStampedModel


class ExportLog(StepsProgress, TimeStampedModel):
    """One export of a report: who took it, when, in which format and language, with which
    options. Every role reads the log (a regulator may ask who had the register when).

    A small export is drawn at once and handed over (``delivered``); a large one, and every
    PDF, is prepared by a worker into ``file``, which members of the organisation can fetch
    until ``expires_at``, when the file is deleted and the entry stays in the log."""

    class Report(models.TextChoices):
        REGISTER = "register", _("Record of processing activities")
        BREACHES = "breaches", _("Breach register")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Downloaded at once")
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.CharField(_("report"), max_length=20, choices=Report.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10)
    options = models.JSONField(_("options"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("entries"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DELIVERED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        app_label = "processing"
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="processing_export_status")]

    def __str__(self):
        return f"{self.report} · {self.format} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def restarted(self) -> bool:
        """Taken again after the worker preparing it stopped (``attempts`` counts the workers that took it)."""
        return self.attempts > 1

    @property
    def progress_complete(self) -> bool:
        return self.status == self.Status.READY


class RegisterImport(StepsProgress, TimeStampedModel):
    """An import of a register file into an organisation: read and previewed by a worker, then,
    once the DPO confirms, applied in one transaction (``processing.imports``). The uploaded
    file is deleted as soon as it is read; the document read from it is kept with the import
    until it is applied or discarded."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        READING = "reading", _("Being read")
        PREVIEWED = "previewed", _("Ready to review")
        UNREADABLE = "unreadable", _("Could not be read")
        APPLYING = "applying", _("Being imported")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Not imported")
        DISCARDED = "discarded", _("Discarded")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255)
    language = models.CharField(_("language"), max_length=10)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    document = models.JSONField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)  # what the preview (then the import) did
    error = models.TextField(blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    restarts = models.PositiveIntegerField(default=0)  # runs started again after their worker stopped

    @property
    def restarted(self) -> bool:
        return self.restarts > 0

    class Meta:
        app_label = "processing"
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.organisation_id} · {self.filename} · {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.READING, self.Status.APPLYING)

    @property
    def progress_complete(self) -> bool:
        return self.is_finished

    @property
    def problems(self) -> list[dict]:
        return self.outcome.get("problems", [])

    @property
    def has_errors(self) -> bool:
        return any(problem["level"] == "error" for problem in self.problems)
