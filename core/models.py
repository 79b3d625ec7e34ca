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
