"""Breach log pages: the list with each breach's clock, a breach's record and timeline, the
DPO's form, and the history of every change."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import Action, organisation_view
from core.history import object_history
from processing.compliance.selectors import subject_findings
from processing.reports.models import ExportLog
from processing.reports.services import export_log

from . import services
from .clock import RUNNING, breach_clock
from .exports import breach_register_csv, breach_register_pdf, breach_register_xlsx, register_breaches
from .forms import BreachForm, TimelineEntryForm
from .models import Breach
from .selectors import affected_from_register, breach_with_details, organisation_breaches


@organisation_view()
def breach_list(request, organisation):
    status = request.GET.get("status", "")
    breaches = organisation_breaches(organisation)
    if status in Breach.Status.values:
        breaches = breaches.filter(status=status)
    rows = [(breach, breach_clock(breach)) for breach in breaches]
    # Running clocks first, the nearest deadline on top; then the rest, newest first. A processor's breach whose
    # controller is not informed yet is due at once (Art. 33(2)): its deadline is when it became aware.
    running = sorted(
        (row for row in rows if row[1].state in RUNNING), key=lambda row: row[1].deadline or row[0].aware_at
    )
    rest = [row for row in rows if row[1].state not in RUNNING]
    return render(
        request,
        "breaches/breach_list.html",
        {
            "organisation": organisation,
            "rows": running + rest,
            "status": status,
            "statuses": Breach.Status.choices,
            "any_breach": status != "" or bool(rows) or organisation_breaches(organisation).exists(),
            "section": "breaches",
        },
    )


@organisation_view()
def breach_detail(request, organisation, pk):
    return _detail(request, organisation, breach_with_details(organisation, pk), TimelineEntryForm())


def _detail(request, organisation, breach, timeline_form):
    return render(
        request,
        "breaches/breach_detail.html",
        {
            "organisation": organisation,
            "breach": breach,
            "clock": breach_clock(breach),
            "timeline_form": timeline_form,
            "findings": subject_findings(breach),
            "section": "breaches",
        },
    )


@organisation_view()
def breach_history(request, organisation, pk):
    breach = breach_with_details(organisation, pk)
    return render(
        request,
        "breaches/breach_history.html",
        {
            "organisation": organisation,
            "breach": breach,
            "changes": object_history(breach, subject=_("Breach")),
            "section": "breaches",
        },
    )


def _show_errors(form, error: ValidationError) -> None:
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in items:
        for item in errors:
            form.add_error(field if field in form.fields else None, item)


PREFILLED = ("data_categories", "special_categories", "subject_categories")


def _prefilled(request, organisation, breach) -> BreachForm:
    """The form as typed, with what the register says the chosen activities and systems hold
    added to the categories; nothing saved, and nothing required yet (the DPO may not have
    typed a title when asking)."""
    typed = BreachForm(request.POST, instance=breach, organisation=organisation)
    chosen = {}
    for name in ("activities", "systems", *PREFILLED):
        try:
            chosen[name] = typed.fields[name].clean(typed[name].value())
        except ValidationError:
            chosen[name] = []
    found = affected_from_register(organisation, activities=chosen["activities"], systems=chosen["systems"])
    values = {name: typed[name].value() for name in typed.fields}
    values["data_categories"] = sorted({*chosen["data_categories"], *found["data_categories"]})
    values["special_categories"] = sorted({*chosen["special_categories"], *found["special_categories"]})
    people = {category.pk for category in chosen["subject_categories"]} | set(found["subject_categories"])
    values["subject_categories"] = sorted(people)
    messages.info(request, _("Filled in from the register: check and complete, then save."))
    return BreachForm(initial=values, instance=breach, organisation=organisation)


def _breach_form(request, organisation, breach):
    if request.method == "POST" and "prefill" in request.POST:
        form = _prefilled(request, organisation, breach)
    else:
        form = BreachForm(request.POST or None, instance=breach, organisation=organisation)
    if request.method == "POST" and "prefill" not in request.POST and form.is_valid():
        data = form.service_fields()
        try:
            with transaction.atomic():
                if breach.pk is None:
                    saved = services.breach_create(organisation=organisation, author=request.user, **data)
                else:
                    saved = services.breach_update(breach=breach, author=request.user, **data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Breach %(reference)s saved.") % {"reference": saved.reference})
            return redirect("breaches:breach_detail", organisation.slug, saved.pk)
    return render(
        request,
        "breaches/breach_form.html",
        {"organisation": organisation, "breach": breach, "form": form, "section": "breaches"},
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def breach_create(request, organisation):
    return _breach_form(request, organisation, Breach(organisation=organisation))


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def breach_edit(request, organisation, pk):
    return _breach_form(request, organisation, breach_with_details(organisation, pk))


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def timeline_add(request, organisation, pk):
    breach = breach_with_details(organisation, pk)
    form = TimelineEntryForm(request.POST)
    if form.is_valid():
        try:
            services.timeline_entry_add(breach=breach, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Added to the timeline."))
            return redirect(breach.get_absolute_url() + "#timeline")
    return _detail(request, organisation, breach, form)


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


@organisation_view(read=Action.EXPORT)
def breach_export(request, organisation):
    """The breach register as XLSX, CSV or PDF (``?format=``), in English or French
    (``?lang=``); every export is logged. Drawn at once: a breach log holds tens of entries."""
    format_ = request.GET.get("format", "xlsx")
    language = request.GET.get("lang") or translation.get_language()
    if format_ not in EXPORT_TYPES or language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose the format (xlsx, csv or pdf) and the language (en or fr)."))
    breaches = list(register_breaches(organisation))
    with translation.override(language):
        if format_ == "pdf":
            content = breach_register_pdf(organisation, breaches, language)
        elif format_ == "xlsx":
            content = breach_register_xlsx(breaches)
        else:
            content = breach_register_csv(breaches)
    export_log(
        organisation=organisation,
        user=request.user,
        report=ExportLog.Report.BREACHES,
        format=format_,
        language=language,
        rows=len(breaches),
    )
    response = HttpResponse(content, content_type=EXPORT_TYPES[format_])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="breaches-{organisation.slug}-{day}.{format_}"'
    return response
