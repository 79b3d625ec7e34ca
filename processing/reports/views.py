"""The Reports page: exports of the register (at once, or prepared by a worker and followed
on a progress page), their downloads, and the log of every export."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import Action, organisation_view
from core.progress import activities_progress_state
from processing.models import ProcessingActivity
from processing.reports.forms import RegisterExportForm, RegisterImportForm
from processing.reports.models import ExportLog, RegisterImport
from processing.reports.services import (
    CONTENT_TYPES,
    RegisterExport,
    import_confirm,
    import_discard,
    import_start,
    register_export_is_immediate,
    register_export_now,
    register_export_refusal,
    register_export_start,
)
from processing.reports.tables import part_title

EXPORTS_SHOWN = 100


def _page(request, organisation, form, status=200):
    exports = ExportLog.objects.filter(organisation=organisation).select_related("requested_by")[:EXPORTS_SHOWN]
    return render(
        request,
        "reports/report_list.html",
        {"organisation": organisation, "exports": exports, "form": form, "section": "reports"},
        status=status,
    )


@organisation_view()
def report_list(request, organisation):
    """The reports on offer, and the log of every export taken (who, when, what)."""
    form = RegisterExportForm(initial={"lang": translation.get_language()})
    return _page(request, organisation, form)


def _checked(organisation, form) -> RegisterExport | None:
    """The export asked for, or None with the form's errors said."""
    if not form.is_valid():
        return None
    export = form.export()
    refusal = register_export_refusal(organisation, export)
    if refusal:
        form.add_error("format" if export.format == "pdf" else "layout", refusal)
        return None
    return export


@organisation_view(read=Action.EXPORT, write=Action.EXPORT)
def register_export(request, organisation):
    """The register in the format asked for (``?format=xlsx&lang=fr&scope=all&as_of=2026-01-31``).

    A small register comes back at once; a larger one, and a PDF, is prepared by a worker: a
    GET then offers the button that asks for it (a link never starts work by itself), the
    POST starts it and leads to its progress page."""
    data = request.POST if request.method == "POST" else request.GET
    form = RegisterExportForm(data)
    export = _checked(organisation, form)
    if export is None:
        return _page(request, organisation, form, status=400)
    if register_export_is_immediate(organisation, export):
        content = register_export_now(organisation=organisation, user=request.user, request=export)
        response = HttpResponse(content, content_type=CONTENT_TYPES[export.format])
        response["Content-Disposition"] = f'attachment; filename="{export.filename(organisation)}"'
        return response
    if request.method == "GET":
        return render(
            request,
            "reports/export_confirm.html",
            {"organisation": organisation, "form": form, "export": export, "section": "reports"},
        )
    started = register_export_start(organisation=organisation, user=request.user, request=export)
    return redirect("reports:export_detail", organisation_slug=organisation.slug, pk=started.pk)


def _export(organisation, pk) -> ExportLog:
    return get_object_or_404(ExportLog.objects.select_related("requested_by"), organisation=organisation, pk=pk)


@never_cache
@organisation_view(read=Action.EXPORT)
def export_detail(request, organisation, pk):
    export = _export(organisation, pk)
    return render(
        request,
        "reports/export_detail.html",
        {
            "organisation": organisation,
            "export": export,
            "state": activities_progress_state(export),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
            "section": "reports",
        },
    )


@never_cache
@organisation_view(read=Action.EXPORT)
def export_status(request, organisation, pk):
    return JsonResponse(activities_progress_state(_export(organisation, pk)))


@never_cache
@organisation_view(read=Action.EXPORT)
def export_download(request, organisation, pk):
    """The prepared file, for the organisation's members only, until it expires."""
    export = _export(organisation, pk)
    if export.status != ExportLog.Status.READY or not export.file:
        return render(
            request,
            "reports/export_detail.html",
            {
                "organisation": organisation,
                "export": export,
                "state": activities_progress_state(export),
                "section": "reports",
            },
            status=410 if export.status == ExportLog.Status.EXPIRED else 404,
        )
    filename = RegisterExport.of(export).filename(organisation)
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[export.format]
    )


IMPORTS_SHOWN = 20


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def import_upload(request, organisation):
    form = RegisterImportForm(request.POST, request.FILES) if request.method == "POST" else RegisterImportForm()
    if request.method == "POST" and form.is_valid():
        register_import = import_start(
            organisation=organisation,
            user=request.user,
            upload=form.cleaned_data["file"],
            language=translation.get_language(),
        )
        return redirect("reports:import_detail", organisation_slug=organisation.slug, pk=register_import.pk)
    imports = RegisterImport.objects.filter(organisation=organisation).select_related("requested_by")
    return render(
        request,
        "reports/import_upload.html",
        {"organisation": organisation, "form": form, "imports": imports[:IMPORTS_SHOWN], "section": "register"},
        status=400 if form.errors else 200,
    )


def _import(organisation, pk) -> RegisterImport:
    return get_object_or_404(
        RegisterImport.objects.select_related("requested_by").defer("document"), organisation=organisation, pk=pk
    )


def _activity_labels(organisation, register_import, references: list[str]) -> list[str]:
    """Each activity of the import as the register names it ("EC-01 · Payroll"): its name in the document read (what
    the import writes), else in the register (the document is dropped once imported)."""
    names = {}
    if register_import.status != RegisterImport.Status.APPLIED:
        document = RegisterImport.objects.filter(pk=register_import.pk).values_list("document", flat=True).get()
        for activity in (document or {}).get("activities", []):
            if isinstance(activity, dict) and activity.get("name"):
                names.setdefault(activity.get("reference"), activity["name"])
    missing = [reference for reference in references if reference not in names]
    if missing:
        names.update(
            ProcessingActivity.objects.filter(organisation=organisation, reference__in=missing).values_list(
                "reference", "name"
            )
        )
    return [f"{reference} · {names[reference]}" if names.get(reference) else reference for reference in references]


@never_cache
@organisation_view(read=Action.EDIT_REGISTER)
def import_detail(request, organisation, pk):
    register_import = _import(organisation, pk)
    outcome = register_import.outcome
    created, updated = outcome.get("created", []), outcome.get("updated", [])
    if created or updated:
        labels = _activity_labels(organisation, register_import, [*created, *updated])
        outcome = {**outcome, "created": labels[: len(created)], "updated": labels[len(created) :]}
    return render(
        request,
        "reports/import_detail.html",
        {
            "organisation": organisation,
            "register_import": register_import,
            "state": activities_progress_state(register_import),
            "outcome": outcome,
            "catalogue": [(part_title(part), names) for part, names in outcome.get("catalogue", {}).items()],
            "errors": [p for p in register_import.problems if p["level"] == "error"],
            "warnings": [p for p in register_import.problems if p["level"] != "error"],
            "section": "register",
        },
    )


@never_cache
@organisation_view(read=Action.EDIT_REGISTER)
def import_status(request, organisation, pk):
    return JsonResponse(activities_progress_state(_import(organisation, pk)))


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def import_decide(request, organisation, pk):
    """The DPO confirms the previewed import (``confirm``) or discards it."""
    register_import = _import(organisation, pk)
    if request.POST.get("decision") == "discard":
        if import_discard(register_import=register_import):
            messages.info(request, _("The import was discarded: nothing was written."))
        return redirect("reports:import_upload", organisation_slug=organisation.slug)
    try:
        confirmed = import_confirm(register_import=register_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        confirmed = False
    if not confirmed and register_import.status != RegisterImport.Status.PREVIEWED:
        messages.info(request, _("This import was already decided."))
    return redirect("reports:import_detail", organisation_slug=organisation.slug, pk=register_import.pk)
