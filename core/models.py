"""Project-wide technical models: the timestamp base and the worker heartbeat."""

from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class ChoiceLabels:
    """``get_FOO_display()`` from a table of labels built once per field, not on every call.

    Django rebuilds a dictionary of every choice on each call, hashing each lazy label, which
    translates it: on a page of 50 activities that was a fifth of the rendering time.
    """

    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_registre_labels")
        if labels is None:
            labels = field._registre_labels = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class StepsProgress:
    """A job counted in steps (``steps_done`` of ``steps_total``: rules, activities, tables) for its progress bar;
    ``progress_complete`` says when the bar is full whatever the count (done, ready, finished)."""

    @property
    def progress_complete(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def percent(self) -> int:
        if self.progress_complete:
            return 100
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


class TimeStampedModel(ChoiceLabels, models.Model):
    """Base for every Registre model: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the periodic heartbeat task.

    Operators read it on /healthz to know whether background work is running at all.
    """

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    pid = models.PositiveIntegerField(_("process id"))
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self):
        return self.hostname


class Job(models.Model):
    """A background job, written in the same transaction as the change that needs it (the outbox).

    Celery is how it reaches a worker, not where it is kept: a job whose dispatch failed (the broker was down) or whose
    worker died is still here, and ``core.jobs.dispatch_due`` sends it again. A worker takes a job with a
    compare-and-set update, so a job delivered twice runs once; while it runs, its heartbeat moves every few seconds.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    task = models.CharField(_("task"), max_length=100)  # the registered name of the job's handler
    args = models.JSONField(_("arguments"), default=list)
    # Jobs with the same key wait as one (the re-checks of one organisation in one transaction, say).
    key = models.CharField(_("key"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("due at"))  # a retry waits for its back-off
    dispatched_at = models.DateTimeField(_("sent at"), null=True, blank=True)  # last sent to the broker
    attempts = models.PositiveIntegerField(_("attempts"), default=0)  # times a worker took it
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["status", "available_at"], name="core_job_status_due"),
            models.Index(fields=["key", "status"], name="core_job_key_status"),
        ]

    def __str__(self):
        return f"{self.task} #{self.pk} ({self.status})"
