"""The Reports page: exports of the register (at once, or prepared by a worker and followed
on a progress page), their downloads, and the log of every export."""

from django.conf import settings
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache

from accounts.permissions import Action, organisation_view

from .exports import (
    CONTENT_TYPES,
    RegisterExport,
    register_export_is_immediate,
    register_export_now,
    register_export_refusal,
    register_export_start,
)
from .forms import RegisterExportForm
from .models import ExportLog
from .views import activities_progress_state

EXPORTS_SHOWN = 100


def _page(request, organisation, form, status=200):
    exports = ExportLog.objects.filter(organisation=organisation).select_related("requested_by")[:EXPORTS_SHOWN]
    return render(
        request,
        "processing/report_list.html",
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
            "processing/export_confirm.html",
            {"organisation": organisation, "form": form, "export": export, "section": "reports"},
        )
    started = register_export_start(organisation=organisation, user=request.user, request=export)
    return redirect("processing:export_detail", organisation_slug=organisation.slug, pk=started.pk)


def _export(organisation, pk) -> ExportLog:
    return get_object_or_404(ExportLog.objects.select_related("requested_by"), organisation=organisation, pk=pk)


@never_cache
@organisation_view(read=Action.EXPORT)
def export_detail(request, organisation, pk):
    export = _export(organisation, pk)
    return render(
        request,
        "processing/export_detail.html",
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
            "processing/export_detail.html",
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
