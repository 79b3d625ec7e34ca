"""Register pages: the list, the Art. 30 record of one activity, and the DPO's guided form."""

import copy
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_htmx.http import HttpResponseClientRedirect

from accounts.permissions import Action, organisation_view
from core.templatetags.error_summary import Problem
from inventory.models import Country, SystemCountry
from processing import as_of, changelog, extensions, history, services
from processing.completeness import ITEM_FIELDS, completeness_facts, missing_items
from processing.filters import ActivityFilter
from processing.forms import (
    EDITOR_SECTIONS,
    SECTION_FORMSETS,
    SECTION_KEYS,
    SECTION_NEEDS,
    ActivityForm,
    AsOfForm,
    BulkActionForm,
    ChangelogForm,
    ChangesForm,
    ControllerPartyFormSet,
    DataSubjectFormSet,
    RetentionLineFormSet,
    SecurityMeasuresForm,
    TransferFormSet,
    transfer_choices,
)
from processing.models import ProcessingActivity
from processing.selectors import activity_with_details, organisation_activities, storage_countries
from processing.transfer_proposals import Destination, destinations_outside_the_eea, uncovered

ACTIVITIES_PER_PAGE = 50


@organisation_view()
def activity_list(request, organisation):
    activities = organisation_activities(organisation)
    stored_in = Country.objects.filter(
        code__in=SystemCountry.objects.filter(system__organisation=organisation).values("country_id")
    )
    filters = ActivityFilter(
        request.GET or None,
        queryset=activities,
        countries=[(country.pk, country.name) for country in stored_in],
    )
    filtered = filters.qs if filters.is_bound else activities
    if not filters.is_bound or not request.GET.get("ordering"):
        filtered = filtered.order_by("reference")
    page = Paginator(filtered, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    # The list reads facts computed by the database, not every row of every activity.
    shown = list(
        page.object_list.only("organisation", "reference", "name", "status", *ITEM_FIELDS).annotate(
            open_findings=extensions.open_findings_count()
        )
    )
    facts = completeness_facts(activity.pk for activity in shown)
    countries = storage_countries([activity.pk for activity in shown])
    rows = []
    for activity in shown:
        ProcessingActivity.organisation.field.set_cached_value(activity, organisation)  # known: no query, no join
        found = facts[activity.pk]
        rows.append((activity, missing_items(activity, found), countries.get(activity.pk, []), activity.open_findings))
    query = request.GET.copy()
    query.pop("page", None)
    without_ordering = query.copy()
    without_ordering.pop("ordering", None)
    return render(
        request,
        "processing/activity_list.html",
        {
            "organisation": organisation,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "query_without_ordering": without_ordering.urlencode(),
            "current_ordering": request.GET.get("ordering", "reference"),
            "sortable_columns": [
                ("reference", gettext_lazy("Reference")),
                ("name", gettext_lazy("Name")),
                ("status", gettext_lazy("Status")),
            ],
            "register_is_empty": not page.paginator.count and (not filters.is_bound or not activities.exists()),
            "section": "register",
        },
    )


def _activity(organisation, pk) -> ProcessingActivity:
    return activity_with_details(organisation, pk)


@organisation_view()
def activity_detail(request, organisation, pk):
    return _record_page(request, organisation, _activity(organisation, pk))


def _record_page(request, organisation, activity, problems=()):
    """The Art. 30 record of one activity, with the problems of a refused action on top."""
    context = {
        "organisation": organisation,
        "activity": activity,
        "missing": missing_items(activity),
        "problems": problems,
        "section": "register",
    }
    return render(request, "processing/activity_detail.html", context)


@organisation_view()
def activity_history(request, organisation, pk):
    activity = _activity(organisation, pk)
    return render(
        request,
        "processing/activity_history.html",
        {
            "organisation": organisation,
            "activity": activity,
            "changes": history.activity_history(activity),
            "section": "register",
        },
    )


def _days(request, form_class, **defaults):
    """The day(s) asked for in the query string, today's by default, validated by the form."""
    form = form_class({**{key: value.isoformat() for key, value in defaults.items()}, **request.GET.dict()})
    return form, form.is_valid()


@organisation_view()
def activity_list_as_of(request, organisation):
    form, valid = _days(request, AsOfForm, date=timezone.localdate())
    context = {"organisation": organisation, "form": form, "section": "register", "as_of": None}
    if valid:
        day = form.cleaned_data["date"]
        moment = as_of.moment_of(day)
        page = Paginator(as_of.activity_records_as_of(organisation, moment), ACTIVITIES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        activities = as_of.activities_as_of(organisation, moment, page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            as_of=day,
            page=page,
            rows=[(activity, missing_items(activity), activity.storage_countries()) for activity in activities],
            query=query.urlencode(),
        )
    return render(request, "processing/activity_list_as_of.html", context)


@organisation_view()
def activity_detail_as_of(request, organisation, pk):
    form, valid = _days(request, AsOfForm, date=timezone.localdate())
    if not valid:
        return redirect("processing:activity_detail", organisation_slug=organisation.slug, pk=pk)
    day = form.cleaned_data["date"]
    moment = as_of.moment_of(day)
    records = as_of.activity_records_as_of(organisation, moment).filter(id=pk)
    activities = as_of.activities_as_of(organisation, moment, records)
    if not activities:
        raise Http404
    activity = activities[0]
    return render(
        request,
        "processing/activity_detail.html",
        {
            "organisation": organisation,
            "activity": activity,
            "missing": missing_items(activity),
            "as_of": day,
            "section": "register",
        },
    )


@organisation_view()
def register_changes(request, organisation):
    today = timezone.localdate()
    form, valid = _days(request, ChangesForm, start=today - timedelta(days=30), end=today)
    context = {"organisation": organisation, "form": form, "section": "register"}
    if valid:
        context["changes"] = as_of.register_changes(
            organisation, as_of.moment_of(form.cleaned_data["start"]), as_of.moment_of(form.cleaned_data["end"])
        )
    return render(request, "processing/register_changes.html", context)


@organisation_view()
def change_log(request, organisation):
    form = ChangelogForm(request.GET or None, organisation=organisation, kinds=changelog.KIND_LABELS)
    filters = form.cleaned_data if form.is_valid() else {}
    before = parse_datetime(request.GET.get("before", "") or "") if request.GET.get("before") else None
    entries = changelog.changelog(
        organisation,
        user_id=filters.get("user").pk if filters.get("user") else None,
        kind=filters.get("kind") or None,
        start=as_of.moment_of(filters["start"]).replace(hour=0, minute=0, second=0, microsecond=0)
        if filters.get("start")
        else None,
        end=as_of.moment_of(filters["end"]) if filters.get("end") else None,
        before=before,
    )
    has_older = len(entries) > changelog.PAGE_SIZE
    entries = entries[: changelog.PAGE_SIZE]
    older = request.GET.copy()
    if has_older:
        older["before"] = entries[-1].when.isoformat()
    return render(
        request,
        "processing/change_log.html",
        {
            "organisation": organisation,
            "form": form,
            "entries": entries,
            "older_query": older.urlencode() if has_older else "",
            "section": "register",
        },
    )


# --- The guided form ---------------------------------------------------------------------


def _as_initial(values: dict) -> dict:
    return {name: value.pk if isinstance(value, Model) else value for name, value in values.items()}


def _row_initial(rows, fields) -> list[dict]:
    return [{"id": row.pk, **_as_initial({name: getattr(row, name) for name in fields})} for row in rows]


def _formsets(data, organisation, activity, transfer_initial=None):
    """The activity's row formsets, bound to POST data or filled from the activity."""
    existing = activity.pk is not None

    def build(formset, prefix, initial, **extra):
        return formset(data, prefix=prefix, initial=None if data else initial, organisation=organisation, **extra)

    subjects = list(activity.subject_links.all()) if existing else []
    return {
        "subjects": build(
            DataSubjectFormSet,
            "subjects",
            [{"category": link.category_id, "approximate_count": link.approximate_count} for link in subjects],
            form_kwargs={"current_ids": [link.category_id for link in subjects]},
        ),
        "parties": build(
            ControllerPartyFormSet,
            "parties",
            _row_initial(activity.controller_parties.all(), ["name", "contact", "representative", "dpo_contact"])
            if existing
            else [],
        ),
        "transfers": build(
            TransferFormSet,
            "transfers",
            transfer_initial
            if transfer_initial is not None
            else (_row_initial(activity.transfers.all(), TRANSFER_FIELDS) if existing else []),
            form_kwargs={"choices": transfer_choices(organisation)},
        ),
        "retention": build(
            RetentionLineFormSet,
            "retention",
            _row_initial(
                activity.retention_lines.all(),
                [name for name in RetentionLineFormSet.form.base_fields if name != "id"],
            )
            if existing
            else [],
        ),
    }


TRANSFER_FIELDS = [name for name in TransferFormSet.form.base_fields if name != "id"]
SERVICE_ROWS = {"parties": "controller_parties", "transfers": "transfers", "retention": "retention_lines"}


def _transfer_proposals(form, activity, transfer_rows, declined: set[str]) -> list[Destination]:
    """Destinations outside the EEA that no row covers and the DPO has not declined yet: those of the systems and
    recipients in the form posted, else those stored on the activity."""
    if form.is_bound and "systems" in form.fields:
        entries = form.new_catalogue_entries()
        new_countries = [
            *entries.get("new_system", {}).get("countries", []),
            entries.get("new_recipient", {}).get("country_id"),
        ]
        systems, recipients = form.cleaned_data["systems"], form.cleaned_data["recipients"].select_related("country")
        extra = Country.objects.filter(pk__in=[code for code in new_countries if code])
    else:
        systems, recipients, extra = activity.systems.all(), activity.recipients.select_related("country"), ()
    destinations = destinations_outside_the_eea(systems, recipients, extra_countries=extra)
    rows = [values for values, _form in transfer_rows]
    return [destination for destination in uncovered(destinations, rows) if destination.key not in declined]


def _show_service_errors(error: ValidationError, form, row_forms):
    """Put each error of the services next to the field or row it names (else on top)."""
    for key, messages_ in error.message_dict.items():
        parts = key.split(".")
        forms_of_kind = row_forms.get(parts[0], [])
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(forms_of_kind):
            row_form = forms_of_kind[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in row_form.fields else None
            row_form.add_error(field, messages_)
        else:
            form.add_error(key if key in form.fields else None, error.error_dict.get(key, messages_))


ALL_SECTIONS = "all"
ROW_FORMSETS = {
    "parties": ControllerPartyFormSet,
    "subjects": DataSubjectFormSet,
    "transfers": TransferFormSet,
    "retention": RetentionLineFormSet,
}


def _with_a_blank_row(data: QueryDict, prefix: str) -> QueryDict:
    """The posted data with one more row of that kind, holding the fields' defaults: a row left as it is shown is
    not saved and not checked."""
    data = data.copy()
    total = f"{prefix}-TOTAL_FORMS"
    count = data.get(total, "")
    if not count.isdigit():
        return data  # the formset reports its broken management form
    for name, field in ROW_FORMSETS[prefix].form.base_fields.items():
        initial = field.initial() if callable(field.initial) else field.initial
        if initial not in (None, "", False):
            data[f"{prefix}-{count}-{name}"] = str(initial)
    data[total] = str(int(count) + 1)
    return data


class ActivityEditor:
    """The activity form, whole (``section`` "all") or one Art. 30 section at a time (the others keep what is
    stored): its form, row formsets and security checklist, bound to the POST data or filled from the activity."""

    def __init__(self, request, organisation, activity, section):
        self.request, self.organisation, self.activity, self.section = request, organisation, activity, section
        keys = SECTION_KEYS if section == ALL_SECTIONS else [section]
        self.keys = keys
        data = request.POST if request.method == "POST" else None
        # "Add a row" without JavaScript: the same form again with one more blank row of that kind, nothing saved.
        self.adding = data is not None and data.get("add_row") in SECTION_FORMSETS
        if self.adding:
            data = _with_a_blank_row(data, data["add_row"])
        self.data = data
        self.form = ActivityForm(data, instance=activity, organisation=organisation, sections=keys)
        self.formsets = {
            key: formset
            for key, formset in _formsets(data, organisation, activity).items()
            if SECTION_FORMSETS[key] in keys
        }
        self.security = (
            SecurityMeasuresForm(
                data,
                prefix="security",
                initial=None if activity.pk is None else SecurityMeasuresForm.initial_for(activity),
            )
            if "security" in keys
            else None
        )
        self.declined = set(filter(None, (data or {}).get("transfers_reviewed", "").split(",")))
        self.proposals = []

    def parts(self) -> list[dict]:
        """The sections shown, in the order of Art. 30: key, title, and the activity's own fields among them."""
        fields = {key: section_fields for key, _title, section_fields in self.form.sections()}
        return [
            {"key": key, "title": title, "fields": fields.get(key, []), "needs": SECTION_NEEDS.get(key, "")}
            for key, title in EDITOR_SECTIONS
            if key in self.keys
        ]

    def is_valid(self) -> bool:
        parts = [self.form, *self.formsets.values(), *([self.security] if self.security else [])]
        valid = [part.is_valid() for part in parts]  # every part validated, so that every error shows
        return all(valid)

    def propose_transfers(self, *, stored=False) -> bool:
        """Whether rows were proposed for destinations outside the EEA that no row covers (the DPO then reviews
        them and saves again); ``stored``: against the rows the activity records, for the form being shown."""
        if "transfers" not in self.formsets or (stored and self.activity.pk is None):
            return False
        if stored:
            current = _row_initial(self.activity.transfers.all(), TRANSFER_FIELDS)
            rows = [(row, None) for row in current]
        else:
            rows = self.formsets["transfers"].rows()
            current = [_as_initial(values) for values, _form in rows]
        self.proposals = _transfer_proposals(self.form, self.activity, rows, self.declined)
        if not self.proposals:
            return False
        # A proposal shown once and removed by the DPO is not proposed again.
        self.declined |= {destination.key for destination in self.proposals}
        self.formsets["transfers"] = _formsets(
            None,
            self.organisation,
            self.activity,
            transfer_initial=current + [destination.as_row() for destination in self.proposals],
        )["transfers"]
        return True

    def save(self):
        """Save through the services: (the activity saved, None), or (None, what others changed when the save was
        refused because someone saved first), the errors shown next to their fields."""
        form, request = self.form, self.request
        service_data = form.service_data()
        row_forms = {}
        for key, rows in ((key, formset.rows()) for key, formset in self.formsets.items()):
            name = SERVICE_ROWS.get(key, "data_subjects")
            service_data[name] = [values for values, _form in rows]
            row_forms[name] = [row_form for _values, row_form in rows]
        if self.security is not None:
            service_data["security_measures"] = self.security.rows()
        if "activate" in request.POST:
            service_data["status"] = ProcessingActivity.Status.ACTIVE
        activity = self.activity
        try:
            return services.activity_save(
                organisation=self.organisation,
                activity=None if activity.pk is None else activity,
                new_entries=form.new_catalogue_entries(),
                new_subject_count=form.cleaned_data.get("new_subject_count"),
                expected_version=None if activity.pk is None else form.cleaned_data["version"],
                **service_data,
            ), None
        except services.EditConflict as conflict:
            # Nothing was saved. Show what the other person changed; the DPO's own edits are
            # still in the form, and saving again applies them on top of the new version.
            form.data = form.data.copy()
            form.data["version"] = conflict.current_version
            messages.error(request, conflict.messages[0])
            return None, history.changes_since(activity, conflict.edited_version)
        except ValidationError as error:
            _show_service_errors(error, form, row_forms)
            return None, None


def _section_url(organisation, activity, key: str) -> str:
    if activity.pk is None:
        name = "processing:activity_create_all" if key == ALL_SECTIONS else "processing:activity_create"
        return reverse(name, args=[organisation.slug])
    return reverse("processing:activity_edit_section", args=[organisation.slug, activity.pk, key])


def section_states(organisation, activity, current: str) -> list[dict]:
    """The editor's list of sections: for each, what activation still needs there and its open findings."""
    missing, findings = {}, {}
    if activity.pk is not None:
        for item in missing_items(activity):
            missing.setdefault(item.section, []).append(item.message)
        findings = extensions.findings_by_section(activity)
    findings_page = extensions.findings_page(organisation) if activity.pk else None
    return [
        {
            "key": key,
            "title": title,
            "needs": SECTION_NEEDS.get(key, ""),
            "url": _section_url(organisation, activity, key),
            "current": key == current,
            "missing": missing.get(key, []),
            "findings": findings.get(key, 0),
            "findings_url": findings_page(activity.pk) if findings_page and findings.get(key) else "",
            "started": activity.pk is not None,
        }
        for key, title in EDITOR_SECTIONS
    ]


def _after_save(request, organisation, saved, section: str):
    """Where a saved form leads: the record (the whole form, or an activation), the next section ("Save and
    continue"), the transfers when the storage saved leaves data uncovered outside the EEA, else the same section."""
    messages.success(request, _("“%(name)s” has been saved.") % {"name": saved.name})
    if section == ALL_SECTIONS or "activate" in request.POST:
        # Out of the editor: htmx is told to load the record as a whole page.
        if request.htmx:
            return HttpResponseClientRedirect(saved.get_absolute_url())
        return redirect(saved.get_absolute_url())
    if section == "recipients":
        destinations = destinations_outside_the_eea(saved.systems.all(), saved.recipients.select_related("country"))
        if uncovered(destinations, saved.transfers.values("country", "system", "recipient")):
            return redirect(_section_url(organisation, saved, "transfers"))
    if "continue" in request.POST:
        following = SECTION_KEYS[min(SECTION_KEYS.index(section) + 1, len(SECTION_KEYS) - 1)]
        return redirect(_section_url(organisation, saved, following))
    return redirect(_section_url(organisation, saved, section))


def _activity_form(request, organisation, activity, section):
    """The activity's form, whole or one section (None: the first where activation still needs something, else the
    first): saved through the services, each section on its own."""
    states = section_states(organisation, activity, section)
    if section is None:
        section = next((state["key"] for state in states if state["missing"]), SECTION_KEYS[0])
        for state in states:
            state["current"] = state["key"] == section
    # The form writes what is posted on the instance it edits: the page shows the activity as stored.
    editing = copy.copy(activity)
    editing._state = copy.copy(activity._state)
    editor = ActivityEditor(request, organisation, editing, section)
    conflict_changes = None
    if request.method == "POST" and not editor.adding and editor.is_valid():
        if editor.propose_transfers():
            _say_transfers_proposed(request)
        else:
            saved, conflict_changes = editor.save()
            if saved is not None:
                return _after_save(request, organisation, saved, section)
    elif request.method == "GET" and editor.propose_transfers(stored=True):
        _say_transfers_proposed(request)
    position = SECTION_KEYS.index(section) if section in SECTION_KEYS else None
    context = {
        "organisation": organisation,
        "activity": None if activity.pk is None else activity,
        "editor": editor,
        "form": editor.form,
        "formsets": editor.formsets,
        "security": editor.security,
        "current": section,
        "all_sections": section == ALL_SECTIONS,
        "all_url": _section_url(organisation, activity, ALL_SECTIONS),
        "sections_url": _section_url(organisation, activity, SECTION_KEYS[0]),
        "states": states,
        "title": dict(EDITOR_SECTIONS).get(section, ""),
        "has_next": position is not None and position + 1 < len(SECTION_KEYS),
        "transfers_reviewed": ",".join(sorted(editor.declined)),
        "conflict_changes": conflict_changes,
        "section": "register",
    }
    template = "processing/activity_form.html"
    response = render(request, f"{template}#editor" if request.htmx else template, context)
    if request.htmx and request.method == "GET":
        # A new section is a new step in the browser's history; the same one saved again replaces it.
        path = request.get_full_path()
        response["HX-Replace-Url" if request.htmx.current_url_abs_path == path else "HX-Push-Url"] = path
    return response


def _say_transfers_proposed(request):
    messages.warning(
        request,
        _(
            "Data of this activity is stored or received outside the EEA. Transfer rows are proposed "
            "below: choose the transfer tool for each, or remove those you do not want, then save again."
        ),
    )


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def activity_create(request, organisation, section=SECTION_KEYS[0]):
    # A POST without a section is the whole form (the one-page form, or a script posting every field).
    if request.method == "POST":
        section = request.POST.get("section", ALL_SECTIONS)
    if section not in (SECTION_KEYS[0], ALL_SECTIONS):
        raise Http404
    return _activity_form(request, organisation, ProcessingActivity(organisation=organisation), section)


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def activity_edit(request, organisation, pk, section=None):
    activity = _activity(organisation, pk)
    if activity.status == ProcessingActivity.Status.ARCHIVED:
        messages.error(request, _("This activity is archived: restore it before changing it."))
        return redirect(activity.get_absolute_url())
    if request.method == "POST":
        section = request.POST.get("section", section or ALL_SECTIONS)
    if section not in (None, *SECTION_KEYS, ALL_SECTIONS):
        raise Http404
    return _activity_form(request, organisation, activity, section)


# --- Status changes and copies -----------------------------------------------------------


def _status_change(request, organisation, pk, change, done_message):
    activity = _activity(organisation, pk)
    try:
        activity = change(activity=activity)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message % {"name": activity.name})
    return redirect(activity.get_absolute_url())


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def activity_activate(request, organisation, pk):
    activity = _activity(organisation, pk)
    try:
        services.activity_activate(activity=activity)
    except ValidationError as error:
        # Refused: the record again, the summary on top linking each missing item to its section of the form.
        activity = _activity(organisation, pk)
        problems = [
            Problem(message, _section_url(organisation, activity, params["section"]) if params else "")
            for message, params in _error_messages(error)
        ]
        return _record_page(request, organisation, activity, problems)
    messages.success(request, _("“%(name)s” is now active.") % {"name": activity.name})
    return redirect(activity.get_absolute_url())


def _error_messages(error: ValidationError) -> list[tuple[str, dict | None]]:
    """Each message of a services' error, with the parameters it carries (such as the section that fixes it)."""
    items = [item for errors in error.error_dict.values() for item in errors] if hasattr(error, "error_dict") else error
    return [
        (str(item.message % item.params if item.params else item.message), item.params or None)
        for item in (items.error_list if isinstance(items, ValidationError) else items)
    ]


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def activity_archive(request, organisation, pk):
    return _status_change(request, organisation, pk, services.activity_archive, gettext_lazy("“%(name)s” is archived."))


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def activity_restore(request, organisation, pk):
    return _status_change(
        request,
        organisation,
        pk,
        services.activity_restore,
        gettext_lazy("“%(name)s” is back in the register as a draft."),
    )


def _refusal(activity, error: ValidationError) -> str:
    """Why one activity of a bulk action was refused, on one line: "PA-002 · Payroll: … Missing: a; b"."""
    reasons = error.messages
    if len(reasons) > 1:
        reasons = [f"{reasons[0]} {'; '.join(reasons[1:])}"]
    return _("%(activity)s: %(reasons)s") % {
        "activity": f"{activity.reference} · {activity.name}",
        "reasons": reasons[0],
    }


def _bulk_change(request, activities, change, *, refuse) -> int:
    """``change(activity=…)`` on each activity unless ``refuse(activity)`` says why not (None: go on; "": pass it
    over in silence); a refusal of the service is listed with what it lacks. Returns how many were changed."""
    done = 0
    for activity in activities:
        reason = refuse(activity)
        if reason is not None:
            if reason:
                messages.error(request, _refusal(activity, ValidationError(reason)))
            continue
        try:
            change(activity=activity)
        except ValidationError as error:
            messages.error(request, _refusal(activity, error))
        else:
            done += 1
    return done


def _bulk_activate(request, activities) -> None:
    """Each draft through the activation service, which refuses an incomplete one with what it lacks."""
    done = _bulk_change(
        request,
        activities,
        services.activity_activate,
        refuse=lambda activity: (
            None if activity.status == ProcessingActivity.Status.DRAFT else _("not a draft, so not activated.")
        ),
    )
    if done:
        messages.success(
            request,
            ngettext("%(count)d activity is now active.", "%(count)d activities are now active.", done)
            % {"count": done},
        )


def _bulk_archive(request, activities) -> None:
    archived = ProcessingActivity.Status.ARCHIVED  # archived already: nothing to do
    done = _bulk_change(
        request,
        activities,
        services.activity_archive,
        refuse=lambda activity: "" if activity.status == archived else None,
    )
    if done:
        messages.success(
            request,
            ngettext("%(count)d activity is archived.", "%(count)d activities are archived.", done) % {"count": done},
        )


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def activity_bulk(request, organisation):
    """Activate or archive the activities chosen on the register list (after an import, say)."""
    form = BulkActionForm(request.POST, organisation=organisation)
    if form.is_valid():
        if form.cleaned_data["action"] == BulkActionForm.ACTIVATE:
            _bulk_activate(request, form.chosen())
        else:
            _bulk_archive(request, form.chosen())
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    # Back to the list as it was filtered (the query string re-encoded: nothing else gets in).
    query = QueryDict(request.POST.get("return_query", "")).urlencode()
    return redirect(reverse("processing:activity_list", args=[organisation.slug]) + (f"?{query}" if query else ""))


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def activity_clone(request, organisation, pk):
    activity = _activity(organisation, pk)
    try:
        copy = services.activity_clone(activity=activity)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(activity.get_absolute_url())
    messages.success(request, _("This is a copy, saved as a draft: adapt it, then activate it."))
    return redirect("processing:activity_edit", organisation_slug=organisation.slug, pk=copy.pk)
