"""The log of exports: every report taken out of Registre, whoever took it."""

from accounts.models import Organisation

from .models import ExportLog


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
