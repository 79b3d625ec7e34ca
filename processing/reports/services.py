"""Every write of the reports: exports of the register and their log (every report taken out of Registre, whoever
took it), and imports of registers (started, previewed, confirmed or discarded, applied; ``imports.py`` reads them).

A register of up to ``REGISTER_EXPORT_IMMEDIATE_MAX`` activities is drawn at once in the
request; a larger one, and every PDF, is prepared by a worker (``register_export_start`` then
the task ``processing.export_register``), the page following its progress, and the file is
kept ``EXPORT_KEEP_HOURS`` for the organisation's members to fetch.
"""

import io
import tempfile
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core import jobs
from core.dates import time_zone_of
from core.history import acting_as
from processing.reports import (
    cnil,  # its limit read when asked (a setting the tests lower)
    writers,
)
from processing.reports.imports import import_document, read_import_file
from processing.reports.loading import RegisterReader, Scope
from processing.reports.models import ExportLog, RegisterImport
from processing.reports.pdf import write_pdf
from processing.reports.problems import UnreadableFile

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def export_log(*, organisation: Organisation, user, report: str, format: str, language: str, options=None, rows=0):
    """Record an export (called as the file is handed over)."""
    return ExportLog.objects.create(
        organisation=organisation,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        report=report,
        format=format,
        language=language,
        options=options or {},
        rows=rows,
    )


@dataclass(frozen=True)
class RegisterExport:
    """What was asked for: the format, the language, and which register."""

    format: str
    language: str
    active_only: bool = True
    as_of: date | None = None
    layout: str = "register"  # or "cnil", the CNIL model register (XLSX only)

    @property
    def scope(self) -> Scope:
        return Scope(active_only=self.active_only, as_of=self.as_of)

    def options(self) -> dict:
        options = asdict(self)
        del options["format"], options["language"]
        options["as_of"] = self.as_of.isoformat() if self.as_of else None
        return options

    @classmethod
    def of(cls, export: ExportLog) -> "RegisterExport":
        options = dict(export.options)
        as_of = options.pop("as_of", None)
        return cls(
            format=export.format,
            language=export.language,
            as_of=date.fromisoformat(as_of) if as_of else None,
            **options,
        )

    def filename(self, organisation: Organisation) -> str:
        day = (self.as_of or timezone.localdate()).isoformat()
        name = "register-cnil" if self.layout == "cnil" else "register"
        return f"{name}-{organisation.slug}-{day}.{self.format}"


def register_export_write(organisation: Organisation, request: RegisterExport, output, progress=None) -> int:
    """Write the export to ``output`` (a binary file); returns the number of activities."""

    reader = RegisterReader(organisation, request.scope)
    with translation.override(request.language):
        if request.format == "xlsx" and request.layout == "cnil":
            activities = [activity for chunk in reader.chunks() for activity in chunk]
            output.write(cnil.cnil_workbook({**reader.header(request.language), "activities": activities}))
        elif request.format == "xlsx":
            writers.write_xlsx(reader, output, progress)
        elif request.format == "pdf":
            write_pdf(reader, output, request.language, progress)
        else:
            text = io.TextIOWrapper(output, encoding="utf-8", newline="", write_through=True)
            if request.format == "csv":
                writers.write_csv_register(reader, text, progress)
            else:
                writers.write_json(reader, text, request.language, progress)
            text.detach()  # leave ``output`` open for the caller
    return len(reader)


def register_export_refusal(organisation: Organisation, request: RegisterExport) -> str | None:
    """Why this export cannot be made, if it cannot: the layouts that grow with every activity
    have a limit (a CNIL record sheet per activity; a PDF's pages are laid out whole, about
    4 MB of a worker's memory per activity)."""

    if request.layout != "cnil" and request.format != "pdf":
        return None
    count = len(RegisterReader(organisation, request.scope))
    if request.layout == "cnil" and count > cnil.CNIL_LAYOUT_LIMIT:
        return _("The CNIL model register has a sheet per activity: it is offered up to %(limit)d activities.") % {
            "limit": cnil.CNIL_LAYOUT_LIMIT
        }
    if request.format == "pdf" and count > settings.REGISTER_PDF_MAX_ACTIVITIES:
        return _(
            "A PDF is offered up to %(limit)d activities: this register has %(count)d. Export it as XLSX, "
            "or narrow it to the active activities."
        ) % {"limit": settings.REGISTER_PDF_MAX_ACTIVITIES, "count": count}
    return None


def register_export_is_immediate(organisation: Organisation, request: RegisterExport) -> bool:
    """Whether to draw the export in the request: every format but PDF, for a small register."""
    if request.format == "pdf":
        return False
    return len(RegisterReader(organisation, request.scope)) <= settings.REGISTER_EXPORT_IMMEDIATE_MAX


def register_export_now(*, organisation: Organisation, user, request: RegisterExport) -> bytes:
    """Draw the export in this request, log it, and return its content."""
    output = io.BytesIO()
    rows = register_export_write(organisation, request, output)
    export_log(
        organisation=organisation,
        user=user,
        report=ExportLog.Report.REGISTER,
        format=request.format,
        language=request.language,
        options=request.options(),
        rows=rows,
    )
    return output.getvalue()


def register_export_start(*, organisation: Organisation, user, request: RegisterExport) -> ExportLog:
    """Log the export and have a worker prepare it once the transaction has committed."""

    with transaction.atomic():
        export = ExportLog.objects.create(
            organisation=organisation,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            report=ExportLog.Report.REGISTER,
            format=request.format,
            language=request.language,
            options=request.options(),
            status=ExportLog.Status.QUEUED,
            dispatched_at=timezone.now(),
        )
        # The job is written with the export (the outbox): a broker that is down delays it, never loses it.
        jobs.enqueue("processing.export_register", export.pk, key=export_key(export.pk))
    return export


def export_key(export_id: int) -> str:
    return f"processing.export:{export_id}"


def register_export_run(export_id: int) -> bool:
    """Prepare a queued export into its file. Safe to run twice: the export is claimed with a
    compare-and-set update, and one already taken, finished or expired is left alone."""
    export = ExportLog.objects.select_related("organisation", "requested_by").filter(pk=export_id).first()
    if export is None or not (export.status == ExportLog.Status.QUEUED or _restarted(export.status, RUNNING_STATES)):
        return False
    attempt = export.attempts + 1
    claimed = ExportLog.objects.filter(pk=export.pk, status=export.status, attempts=export.attempts).update(
        status=ExportLog.Status.RUNNING, attempts=attempt, steps_done=0, dispatched_at=timezone.now()
    )
    if not claimed:
        return False
    mine = ExportLog.objects.filter(pk=export.pk, status=ExportLog.Status.RUNNING, attempts=attempt)
    request = RegisterExport.of(export)

    def progress(done: int, total: int) -> None:
        mine.update(steps_done=done, steps_total=total)

    try:
        # The worker writes moments (the PDF's "produced on") in the time zone of whoever asked.
        with tempfile.TemporaryFile() as output, timezone.override(time_zone_of(export.requested_by)):
            rows = register_export_write(export.organisation, request, output, progress)
            output.seek(0)
            export.file.save(request.filename(export.organisation), File(output), save=False)
    except Exception as error:
        mine.update(
            status=ExportLog.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
        raise
    now = timezone.now()
    if not mine.update(
        status=ExportLog.Status.READY,
        file=export.file.name,
        rows=rows,
        steps_done=rows,
        steps_total=rows,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    ):
        export.file.delete(save=False)  # taken over in between (housekeeping): not ours to keep
    return True


def exports_housekeeping(now=None) -> dict:
    """Delete the files of expired exports (the log keeps the entry); send again the exports
    whose dispatch was lost; fail those whose worker never finished."""

    now = now or timezone.now()
    expired = 0
    for export in ExportLog.objects.filter(status=ExportLog.Status.READY, expires_at__lte=now):
        if ExportLog.objects.filter(pk=export.pk, status=ExportLog.Status.READY).update(
            status=ExportLog.Status.EXPIRED, file=""
        ):
            export.file.delete(save=False)
            expired += 1
    lost = now - timedelta(minutes=settings.EXPORT_REDISPATCH_MINUTES)
    resent = []
    for export in ExportLog.objects.filter(status=ExportLog.Status.QUEUED, dispatched_at__lt=lost):
        if ExportLog.objects.filter(pk=export.pk, status=export.status, dispatched_at=export.dispatched_at).update(
            dispatched_at=now
        ):
            # Through the outbox: its job still waiting is the one (the dispatcher sends it), else a new one.
            jobs.enqueue("processing.export_register", export.pk, key=export_key(export.pk))
            resent.append(export.pk)
    dead = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - timedelta(minutes=5)  # since claimed
    failed = ExportLog.objects.filter(status=ExportLog.Status.RUNNING, dispatched_at__lt=dead).update(
        status=ExportLog.Status.FAILED, finished_at=now, error="The worker preparing it stopped."
    )
    return {"expired": expired, "resent": resent, "failed": failed}


def import_start(*, organisation: Organisation, user, upload, language: str) -> RegisterImport:
    """Keep the uploaded file and have a worker read and preview it once this commits."""

    with transaction.atomic():
        register_import = RegisterImport(
            organisation=organisation,
            requested_by=user,
            filename=upload.name[:255],
            language=language,
            dispatched_at=timezone.now(),
        )
        register_import.file.save("upload", upload, save=False)
        register_import.save()
        jobs.enqueue("processing.preview_import", register_import.pk)
    return register_import


def _progress_of(queryset):
    def progress(done: int, total: int) -> None:
        queryset.update(steps_done=done, steps_total=total)

    return progress


def _restarted(status: str, running: tuple) -> bool:
    """Whether this run takes over one cut short: the row says it is running, and the job running it now is a new
    attempt of the one that started it (its worker stopped; ``core.jobs``)."""
    job = jobs.current()
    return status in running and job is not None and job.attempts > 1


RUNNING_STATES = (ExportLog.Status.RUNNING,)


def import_preview_run(import_id: int) -> bool:
    """Read the file and say what importing it would do. Safe to run twice (compare-and-set); one cut short (its
    worker stopped) starts again from the file. Any failure marks the import failed with a reason the DPO can read,
    and frees its upload."""
    found = RegisterImport.objects.filter(pk=import_id).values_list("status", flat=True).first()
    if found is None:
        return False
    restarted = _restarted(found, (RegisterImport.Status.READING,))
    if not RegisterImport.objects.filter(
        pk=import_id, status=RegisterImport.Status.READING if restarted else RegisterImport.Status.QUEUED
    ).update(status=RegisterImport.Status.READING, steps_done=0, restarts=F("restarts") + int(restarted)):
        return False
    register_import = RegisterImport.objects.select_related("organisation").get(pk=import_id)
    mine = RegisterImport.objects.filter(pk=import_id, status=RegisterImport.Status.READING)
    try:
        _preview(register_import, mine)
    except Exception as error:
        _import_failed(register_import, mine, error)
        raise
    return True


def _import_failed(register_import: RegisterImport, mine, error: Exception | None) -> None:
    """An import whose run crashed (``error``) or was given up (None): failed, saying so in the DPO's language; its
    upload deleted (the job logged the error)."""
    with translation.override(register_import.language):
        if error is None:
            reason = _("The import stopped: the workers running it kept stopping. Nothing was imported; try again.")
        else:
            reason = _("The import stopped on an unexpected error (%(error)s). Nothing was imported; try again or "
                       "report it.") % {"error": type(error).__name__}  # fmt: skip
    mine.update(status=RegisterImport.Status.FAILED, error=reason, file="", document=None)
    if register_import.file:
        register_import.file.delete(save=False)


def _preview(register_import: RegisterImport, mine) -> None:
    with translation.override(register_import.language):
        try:
            with register_import.file.open("rb") as upload:
                reading = read_import_file(upload.read())
        except UnreadableFile as refusal:
            mine.update(status=RegisterImport.Status.UNREADABLE, error=refusal.message, file="")
            register_import.file.delete(save=False)
            return
        outcome = import_document(
            organisation=register_import.organisation,
            document=reading.document,
            commit=False,
            progress=_progress_of(mine),
        )
    outcome.problems = [*reading.problems, *outcome.problems]
    mine.update(status=RegisterImport.Status.PREVIEWED, document=reading.document, outcome=outcome.as_json(), file="")
    register_import.file.delete(save=False)  # the document read from it is all that is needed now


def import_confirm(*, register_import: RegisterImport) -> bool:
    """The DPO confirms a preview without errors: a worker imports it once this commits."""

    with transaction.atomic():
        confirmed = RegisterImport.objects.filter(pk=register_import.pk, status=RegisterImport.Status.PREVIEWED).update(
            status=RegisterImport.Status.APPLYING, steps_done=0, steps_total=0, dispatched_at=timezone.now()
        )
        if confirmed and register_import.has_errors:
            raise ValidationError(_("Correct the file first: this import has errors."), code="has_errors")
        if confirmed:
            jobs.enqueue("processing.apply_import", register_import.pk)
    return bool(confirmed)


def import_discard(*, register_import: RegisterImport) -> bool:
    return bool(
        RegisterImport.objects.filter(pk=register_import.pk, status=RegisterImport.Status.PREVIEWED).update(
            status=RegisterImport.Status.DISCARDED, document=None
        )
    )


def import_apply_run(import_id: int) -> bool:
    """Import a confirmed document, all of it or nothing. Safe to run twice: the first run
    marks the import as taken (its step total) before writing."""
    register_import = RegisterImport.objects.select_related("organisation").filter(pk=import_id).first()
    if register_import is None or register_import.status != RegisterImport.Status.APPLYING:
        return False
    total = len(register_import.document.get("activities", []))
    # A run cut short wrote nothing (the import is one transaction): it starts again from the document.
    restarted = _restarted(register_import.status, (RegisterImport.Status.APPLYING,))
    taken = RegisterImport.objects.filter(pk=import_id, status=RegisterImport.Status.APPLYING)
    if not restarted:
        taken = taken.filter(steps_total=0)
    if not taken.update(steps_total=max(total, 1), steps_done=0, restarts=F("restarts") + int(restarted)):
        return False  # another run took it
    mine = RegisterImport.objects.filter(pk=import_id, status=RegisterImport.Status.APPLYING)
    try:
        with translation.override(register_import.language), acting_as(register_import.requested_by, "import"):
            outcome = import_document(
                organisation=register_import.organisation,
                document=register_import.document,
                commit=True,
                progress=_progress_of(mine),
            )
    except Exception as error:
        _import_failed(register_import, mine, error)
        raise
    if outcome.has_errors:  # the register changed since the preview: nothing was written
        mine.update(status=RegisterImport.Status.FAILED, outcome=outcome.as_json())
    else:
        mine.update(
            status=RegisterImport.Status.APPLIED, outcome=outcome.as_json(), document=None, applied_at=timezone.now()
        )
    return True


WORKERS_STOPPED = "Given up: the workers preparing it kept stopping."


def export_given_up(export_id: int) -> bool:
    """The export's job was given up (``core.jobs.on_give_up``): failed, not left "running" for ever."""
    return bool(
        ExportLog.objects.filter(pk=export_id, status__in=[ExportLog.Status.QUEUED, ExportLog.Status.RUNNING]).update(
            status=ExportLog.Status.FAILED, finished_at=timezone.now(), error=WORKERS_STOPPED
        )
    )


def import_given_up(import_id: int) -> bool:
    """The import's job was given up: failed with a reason the DPO can read, its upload freed."""
    register_import = RegisterImport.objects.filter(
        pk=import_id,
        status__in=[RegisterImport.Status.QUEUED, RegisterImport.Status.READING, RegisterImport.Status.APPLYING],
    ).first()
    if register_import is None:
        return False
    mine = RegisterImport.objects.filter(pk=import_id, status=register_import.status)
    _import_failed(register_import, mine, None)
    return True
