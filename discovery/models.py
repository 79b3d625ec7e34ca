"""Data sources (a system's database to scan, its credentials encrypted), their scans, and what each scan found: tables
and columns with the kind of personal data each holds. No sampled value is ever stored: a column's row says what it
holds and why (the evidence), never what it read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from core.models import StepsProgress, TimeStampedModel
from inventory.models import DataField, System


class Source(TimeStampedModel):
    """A database one of the organisation's systems holds, to be scanned read-only."""

    class Kind(models.TextChoices):
        POSTGRESQL = "postgresql", "PostgreSQL"
        MYSQL = "mysql", "MySQL / MariaDB"
        SQLITE = "sqlite", "SQLite"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="discovery_sources")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of database"), max_length=20, choices=Kind.choices)
    # Scheme, host, port and database only: what pages and the API show. The whole URL is only in ``credentials``.
    address = models.CharField(_("address"), max_length=500)
    credentials = models.TextField(editable=False)  # the URL, password included, as a Fernet token (discovery.secrets)
    scan_every_days = models.PositiveSmallIntegerField(
        _("scan every (days)"), default=7, help_text=_("0: only when asked.")
    )
    history = HistoricalRecords(excluded_fields=["credentials", "last_scan"])  # who changed what, never the secret
    # The last scan that finished reading it: what the source is known to hold (pages, drift findings).
    last_scan = models.ForeignKey("Scan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="discovery_source_name_unique_in_system"),
        ]

    def __str__(self):
        return self.name


class Scan(StepsProgress, TimeStampedModel):
    """One reading of a source: its progress while it runs, then its tables and columns."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("scanning")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Reason(models.TextChoices):  # why a scan failed, in words of our own: no driver message, no value
        CREDENTIALS = "credentials", _("The source refused the credentials.")
        TIMEOUT = "timeout", _("The source took too long to answer (time limit).")
        UNREACHABLE = "unreachable", _("The source's host did not answer.")
        MISSING = "missing", _("The database does not exist, or the account may not open it.")
        FORBIDDEN = "forbidden", _("The account may not read this.")
        ENCODING = "encoding", _("Text that is not valid in its encoding.")
        UNSUPPORTED = "unsupported", _("This kind of source is not supported.")
        KEY = "key", _("The credentials were encrypted with a key no longer configured; enter them again.")
        OTHER = "other", _("The source could not be read.")
        CRASH = "crash", _("The scan stopped on an error; it has been logged.")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    steps_total = models.PositiveIntegerField(default=0)  # tables
    steps_done = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "-created_at"], name="discovery_scan_latest")]

    def __str__(self):
        return f"{self.source_id} · {self.created_at:%Y-%m-%d %H:%M} · {self.status}"


class DateColumn(TimeStampedModel):
    """A table of the source the DPO marked with the column that dates its records (created, last activity): each
    scan measures the oldest record it holds, which becomes the system's oldest record (``retention.kept_beyond``)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="date_columns")
    schema = models.CharField(_("schema"), max_length=200, blank=True)
    table = models.CharField(_("table"), max_length=200)
    column = models.CharField(_("date column"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("date column")
        verbose_name_plural = _("date columns")
        ordering = ["schema", "table", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "schema", "table"], name="discovery_date_column_one_per_table"),
        ]

    def __str__(self):
        return f"{self.schema}.{self.table}.{self.column}" if self.schema else f"{self.table}.{self.column}"


class ScannedTable(models.Model):
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="tables")
    schema = models.CharField(_("schema"), max_length=200, blank=True)
    name = models.CharField(_("table"), max_length=200)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    reason = models.CharField(_("not read because"), max_length=20, choices=Scan.Reason.choices, blank=True)
    # The oldest record by the table's date column, when the DPO marked one (``DateColumn``).
    oldest_record_on = models.DateField(_("oldest record"), null=True, blank=True)

    class Meta:
        ordering = ["schema", "name", "pk"]

    def __str__(self):
        return f"{self.schema}.{self.name}" if self.schema else self.name


class ScannedColumn(models.Model):
    """A column and the personal data it holds by the scan's reading; the DPO confirms or rejects the proposal."""

    class Decision(models.TextChoices):
        PROPOSED = "proposed", _("to review")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    table = models.ForeignKey(ScannedTable, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(_("column"), max_length=200)
    type = models.CharField(_("type"), max_length=200)
    kind = models.CharField(_("kind of datum"), max_length=40, blank=True)  # discovery.classify.KINDS; "" if none
    category = models.CharField(_("category"), max_length=30, choices=DataField.Category.choices, blank=True)
    special_category = models.CharField(
        _("kind of special category"), max_length=20, choices=DataField.SpecialCategory.choices, blank=True
    )
    data_field = models.ForeignKey(DataField, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_field_name = models.CharField(_("data field proposed"), max_length=200, blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, default=0)
    evidence = models.JSONField(_("evidence"), default=list)  # "name", "values": never a value
    review = models.BooleanField(_("to be reviewed"), default=False)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, default=Decision.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["table", "category"], name="discovery_column_personal")]

    def __str__(self):
        return self.name

    @property
    def personal(self) -> bool:
        return bool(self.category)
