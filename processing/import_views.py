"""Importing a register: upload, the preview (what it will create or update, every problem
with its place in the file), the DPO's confirmation, the result. Reading and importing run
on a worker; the page follows them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import Action, organisation_view

from .forms import RegisterImportForm
from .imports import import_confirm, import_discard, import_start
from .models import RegisterImport
from .reports.tables import part_title
from .views import activities_progress_state

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
        return redirect("processing:import_detail", organisation_slug=organisation.slug, pk=register_import.pk)
    imports = RegisterImport.objects.filter(organisation=organisation).select_related("requested_by")
    return render(
        request,
        "processing/import_upload.html",
        {"organisation": organisation, "form": form, "imports": imports[:IMPORTS_SHOWN], "section": "register"},
        status=400 if form.errors else 200,
    )


def _import(organisation, pk) -> RegisterImport:
    return get_object_or_404(
        RegisterImport.objects.select_related("requested_by").defer("document"), organisation=organisation, pk=pk
    )


@never_cache
@organisation_view(read=Action.EDIT_REGISTER)
def import_detail(request, organisation, pk):
    register_import = _import(organisation, pk)
    outcome = register_import.outcome
    return render(
        request,
        "processing/import_detail.html",
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
        return redirect("processing:import_upload", organisation_slug=organisation.slug)
    try:
        confirmed = import_confirm(register_import=register_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        confirmed = False
    if not confirmed and register_import.status != RegisterImport.Status.PREVIEWED:
        messages.info(request, _("This import was already decided."))
    return redirect("processing:import_detail", organisation_slug=organisation.slug, pk=register_import.pk)
