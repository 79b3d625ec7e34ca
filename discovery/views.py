"""Discovery's pages: a system's sources and what their last scans found, the DPO's decisions on it, the sources'
forms, and a scan's progress. Every role reads the results; the DPO (whoever edits the register) adds sources,
scans and decides. No page ever shows a source's credentials: only its address."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts.permissions import Action, organisation_view
from core.forms import apply_validation_error
from core.progress import progress_state
from inventory.models import System

from . import selectors, services
from .forms import ColumnConfirmForm, SourceForm
from .models import Scan, ScannedColumn, ScannedTable, Source

TABLES_PER_PAGE = 20


def _system(organisation, pk) -> System:
    return get_object_or_404(System.objects.for_organisation(organisation), pk=pk)


def _source(organisation, pk) -> Source:
    return get_object_or_404(Source.objects.select_related("system"), organisation=organisation, pk=pk)


def _last_scan_table(organisation, pk) -> ScannedTable:
    """A table of a source's last scan (an older scan's are history: deciding on them would change nothing)."""
    return get_object_or_404(
        ScannedTable.objects.select_related("scan__source__organisation", "scan__source__system"),
        scan__source__organisation=organisation,
        scan__source__last_scan_id=F("scan_id"),
        pk=pk,
    )


def _system_page(organisation, system, request=None) -> str:
    """Back to the system's page as it was filtered and paged (the query string re-encoded: nothing else gets in)."""
    url = reverse("discovery:system", args=[organisation.slug, system.pk])
    query = QueryDict(request.POST.get("return_query", "")).urlencode() if request is not None else ""
    return f"{url}?{query}" if query else url


@organisation_view()
def system_page(request, organisation, pk):
    system = _system(organisation, pk)
    show = request.GET.get("show", "")
    if show not in selectors.COLUMN_FILTERS:
        show = ""
    sources = selectors.system_sources(system)
    page = Paginator(selectors.last_scans_tables(sources, show), TABLES_PER_PAGE).get_page(request.GET.get("page"))
    marked = selectors.date_columns_of(sources)
    tables = [
        {
            "table": table,
            "source": table.scan.source,
            "columns": selectors.columns_shown(table, show),
            "to_review": len(selectors.columns_shown(table, "review")),
            "date_column": marked.get((table.scan.source_id, table.schema, table.name), ""),
        }
        for table in page
    ]
    kept_query = request.GET.copy()
    kept_query.pop("page", None)
    return render(
        request,
        "discovery/system.html",
        {
            "organisation": organisation,
            "system": system,
            "sources": sources,
            "page": page,
            "tables": tables,
            "show": show,
            "filters": [(code, label) for code, (label, _condition) in selectors.COLUMN_FILTERS.items()],
            "page_query": kept_query.urlencode(),
            "return_query": request.GET.urlencode(),
            "counts": selectors.column_counts(sources),
            "found_fields": selectors.found_fields(system),
            "history": selectors.scan_history(sources),
            "section": "register",
        },
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def source_create(request, organisation, pk):
    system = _system(organisation, pk)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_create(
                organisation=organisation,
                system=system,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                scan_every_days=form.cleaned_data["scan_every_days"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The source “%(name)s” has been added.") % {"name": source.name})
            return redirect(_system_page(organisation, system))
    return render(
        request,
        "discovery/source_form.html",
        {"organisation": organisation, "system": system, "form": form, "section": "register"},
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def source_edit(request, organisation, pk):
    source = _source(organisation, pk)
    form = SourceForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            services.source_update(
                source,
                name=form.cleaned_data["name"],
                scan_every_days=form.cleaned_data["scan_every_days"],
                url=form.cleaned_data["url"] or None,
                user=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            source.refresh_from_db()  # the page names the source as it is saved
        else:
            messages.success(request, _("The source “%(name)s” has been saved.") % {"name": source.name})
            return redirect(_system_page(organisation, source.system))
    return render(
        request,
        "discovery/source_form.html",
        {"organisation": organisation, "system": source.system, "source": source, "form": form, "section": "register"},
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def source_delete(request, organisation, pk):
    source = _source(organisation, pk)
    if request.method == "POST":
        services.source_delete(source, user=request.user)
        messages.success(request, _("The source “%(name)s” and its scans have been deleted.") % {"name": source.name})
        return redirect(_system_page(organisation, source.system))
    return render(
        request,
        "discovery/source_delete.html",
        {"organisation": organisation, "source": source, "system": source.system, "section": "register"},
    )


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def scan_start(request, organisation, pk):
    """Scan the source now (or follow the scan already under way), then watch its progress."""
    scanning, created = services.scan_start(_source(organisation, pk), user=request.user)
    if not created:
        messages.info(request, _("This source was already being scanned: here is how far the scan is."))
    return redirect("discovery:scan", organisation_slug=organisation.slug, pk=scanning.pk)


def _scan(organisation, pk) -> Scan:
    return get_object_or_404(
        Scan.objects.select_related("source__system", "requested_by"), source__organisation=organisation, pk=pk
    )


def _scan_state(scanning: Scan) -> dict:
    if scanning.steps_total:
        progress = ngettext("%(done)d of %(total)d table", "%(done)d of %(total)d tables", scanning.steps_total) % {
            "done": scanning.steps_done,
            "total": scanning.steps_total,
        }
    else:
        progress = _("Not started yet")
    if scanning.cancel_requested and scanning.status == Scan.Status.RUNNING:
        progress = _("Stopping after the table it is reading. %(progress)s") % {"progress": progress}
    return progress_state(scanning, progress, scanning.status not in services.UNFINISHED)


@never_cache
@organisation_view()
def scan_detail(request, organisation, pk):
    scanning = _scan(organisation, pk)
    return render(
        request,
        "discovery/scan.html",
        {
            "organisation": organisation,
            "scan": scanning,
            "system": scanning.source.system,
            "state": _scan_state(scanning),
            "section": "register",
        },
    )


@never_cache
@organisation_view()
def scan_status(request, organisation, pk):
    return JsonResponse(_scan_state(_scan(organisation, pk)))


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def scan_cancel(request, organisation, pk):
    scanning = _scan(organisation, pk)
    if scanning.status in services.UNFINISHED:
        services.scan_cancel(scanning)
        messages.success(request, _("The scan is being cancelled."))
    else:
        messages.info(request, _("This scan had already finished."))
    return redirect("discovery:scan", organisation_slug=organisation.slug, pk=scanning.pk)


def _column(organisation, pk) -> ScannedColumn:
    return get_object_or_404(
        ScannedColumn.objects.select_related(
            "table__scan__source__organisation", "table__scan__source__system", "data_field", "decided_by"
        ),
        table__scan__source__organisation=organisation,
        table__scan__source__last_scan_id=F("table__scan_id"),
        pk=pk,
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def column_decide(request, organisation, pk):
    """A column's proposal: confirmed as proposed or as another data field, or rejected. The system's page posts its
    buttons here; GET shows the column with the choice of its data field."""
    column = _column(organisation, pk)
    system = column.table.scan.source.system
    decision = request.POST.get("decision", "")
    # The column's page posts the data field chosen; the system's page posts a decision alone.
    chosen = decision == "confirm" and "data_field" in request.POST
    form = ColumnConfirmForm(request.POST if chosen else None, organisation=organisation)
    if request.method == "POST" and (not chosen or form.is_valid()):
        try:
            if decision == "reject":
                services.column_reject(column, user=request.user)
            elif decision != "confirm":
                raise ValidationError(_("Choose whether to confirm or reject the proposal."))
            else:
                field = form.cleaned_data["data_field"] if chosen else None
                services.column_confirm(column, user=request.user, data_field=field)
        except ValidationError as error:
            if not chosen:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(_system_page(organisation, system, request))
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The column “%(column)s” is now “%(decision)s”.")
                % {"column": column.name, "decision": column.get_decision_display()},
            )
            return redirect(_system_page(organisation, system, request))
    return render(
        request,
        "discovery/column.html",
        {
            "organisation": organisation,
            "column": column,
            "system": system,
            "form": form,
            "return_query": request.POST.get("return_query", request.GET.get("return_query", "")),
            "section": "register",
        },
    )


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def table_decide(request, organisation, pk):
    """Confirm or reject, at once, every personal column of the table still to review."""
    table = _last_scan_table(organisation, pk)
    decision = request.POST.get("decision", "")
    back = redirect(_system_page(organisation, table.scan.source.system, request))
    try:
        if decision == "confirm":
            count = services.table_confirm(table, user=request.user)
            text = ngettext(
                "%(count)d column confirmed in “%(table)s”.", "%(count)d columns confirmed in “%(table)s”.", count
            )
        elif decision == "reject":
            count = services.table_reject(table, user=request.user)
            text = ngettext(
                "%(count)d column rejected in “%(table)s”.", "%(count)d columns rejected in “%(table)s”.", count
            )
        else:
            raise ValidationError(_("Choose whether to confirm or reject the proposals."))
    except ValidationError as error:  # a data field the catalogue refuses to create, say: nothing was decided
        for message in error.messages:
            messages.error(request, message)
        return back
    messages.success(request, text % {"count": count, "table": table})
    return back


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def date_column(request, organisation, pk):
    """Mark the column that dates the table's records (measured at the next scan), or clear it."""
    table = _last_scan_table(organisation, pk)
    source = table.scan.source
    column = request.POST.get("column", "").replace("\x00", "")  # PostgreSQL refuses NUL: such a name matches none
    try:
        if column:
            services.date_column_mark(source, schema=table.schema, table=table.name, column=column, user=request.user)
            messages.success(
                request,
                _("“%(column)s” dates the records of “%(table)s”: the next scan measures the oldest.")
                % {"column": column, "table": table},
            )
        else:
            services.date_column_clear(source, schema=table.schema, table=table.name, user=request.user)
            messages.success(request, _("The records of “%(table)s” are no longer dated.") % {"table": table})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(_system_page(organisation, source.system, request))
