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
from inventory.models import DataField
from processing.compliance.selectors import subject_findings
from processing.reports.models import ExportLog
from processing.reports.services import export_log

from . import services
from .clock import RUNNING, breach_clock
from .exports import breach_register_csv, breach_register_pdf, breach_register_xlsx, register_breaches
from .forms import BreachForm, FirstHourBreachForm, TimelineEntryForm
from .models import Breach
from .remaining import breach_remaining
from .selectors import affected_from_register, breach_with_details, organisation_breaches, proposed_from_systems


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
            "remaining": breach_remaining(breach),
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
ASKING = ("prefill", "add_proposed")  # buttons that fill the form in from the register and save nothing


def _chosen(form, names) -> dict:
    """What the DPO ticked, as far as it is valid, without asking for the rest of the form yet."""
    chosen = {}
    for name in names:
        try:
            chosen[name] = form.fields[name].clean(form[name].value())
        except ValidationError:
            chosen[name] = []
    return chosen


def _found(request, organisation, chosen) -> tuple[dict, list]:
    """(what to add to the categories, what to propose). The activities chosen give their data and people; a system
    chosen adds nothing of its own, since it also holds other activities' data: with no activity chosen, what it
    holds is proposed, each item with its source, and added only once ticked."""
    if chosen["activities"]:
        messages.info(request, _("Filled in from the activities you chose: check and complete, then save."))
        return affected_from_register(organisation, activities=chosen["activities"]), []
    proposals = proposed_from_systems(organisation, chosen["systems"])
    if not chosen["systems"]:
        messages.warning(request, _("Choose the processing activities affected first, or the systems."))
    elif "add_proposed" in request.POST:
        ticked = set(request.POST.getlist("proposed"))
        added = {
            name: [item.value for item in proposals if item.field == name and item.key in ticked] for name in PREFILLED
        }
        if added["special_categories"]:
            added["data_categories"].append(DataField.Category.SPECIAL)
        if not ticked:
            messages.warning(request, _("Tick what the breach affects, then add it."))
            return {}, proposals
        messages.info(request, _("Added what you ticked: check and complete, then save."))
        return added, []
    elif not proposals:
        messages.info(request, _("No activity of the register stores data in these systems."))
    return {}, proposals


def _prefilled(request, organisation, breach) -> tuple[BreachForm, list]:
    """The form as typed, with what the DPO chose from the register added to the categories; nothing saved, and
    nothing required yet (the DPO may not have typed a title when asking)."""
    typed = BreachForm(request.POST, instance=breach, organisation=organisation)
    chosen = _chosen(typed, ("activities", "systems", *PREFILLED))
    found, proposals = _found(request, organisation, chosen)
    values = {name: typed[name].value() for name in typed.fields}
    for name in ("data_categories", "special_categories"):
        values[name] = sorted({*chosen[name], *found.get(name, [])})
    people = {category.pk for category in chosen["subject_categories"]}
    values["subject_categories"] = sorted(people | {int(pk) for pk in found.get("subject_categories", [])})
    return BreachForm(initial=values, instance=breach, organisation=organisation), proposals


def _breach_form(request, organisation, breach, *, first_hour: bool = False):
    asking = request.method == "POST" and not first_hour and any(name in request.POST for name in ASKING)
    proposals = []
    if asking:
        form, proposals = _prefilled(request, organisation, breach)
    else:
        form_class = FirstHourBreachForm if first_hour else BreachForm
        form = form_class(request.POST or None, instance=breach, organisation=organisation)
    if request.method == "POST" and not asking and form.is_valid():
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
        {
            "organisation": organisation,
            "breach": breach,
            "form": form,
            "first_hour": first_hour,
            "proposals": proposals,
            "section": "breaches",
        },
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def breach_create(request, organisation):
    """The first-hour form: under ten questions, enough to start the clock; the rest is completed afterwards,
    section by section. ``?form=full`` shows the whole record at once. A POST says which form it is
    (``form=first_hour``); without it, the whole record, as the full form and scripts send it."""
    if request.method == "POST":
        first_hour = request.POST.get("form") == "first_hour"
    else:
        first_hour = request.GET.get("form") != "full"
    return _breach_form(request, organisation, Breach(organisation=organisation), first_hour=first_hour)


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
