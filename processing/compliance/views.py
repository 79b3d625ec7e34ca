"""The organisation's retention policy: every role reads it, the DPO keeps it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import Action, organisation_view
from core.forms import apply_validation_error
from core.history import set_history
from core.progress import progress_state
from processing.compliance import selectors, services, whatif
from processing.compliance.filters import FindingFilter
from processing.compliance.forms import RetentionPolicyForm, WhatIfForm
from processing.compliance.models import ComplianceRun, Finding, RetentionPolicy
from processing.compliance.services import start_compliance_run


def _policy(organisation, pk) -> RetentionPolicy:
    return get_object_or_404(RetentionPolicy.objects.filter(organisation=organisation), pk=pk)


@organisation_view()
def policy_list(request, organisation):
    policies = organisation.retention_policies.select_related("subject_category", "data_field")
    return render(
        request,
        "compliance/retention_policy_list.html",
        {"organisation": organisation, "policies": policies, "section": "register"},
    )


@organisation_view(read=Action.MANAGE_ORGANISATION, write=Action.MANAGE_ORGANISATION)
def policy_edit(request, organisation, pk=None):
    policy = _policy(organisation, pk) if pk else None
    form = RetentionPolicyForm(request.POST or None, instance=policy, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        try:
            if policy is None:
                policy = services.retention_policy_create(organisation=organisation, **fields)
            else:
                services.retention_policy_update(policy=policy, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": policy.name})
            return redirect("compliance:policy_list", organisation_slug=organisation.slug)
    return render(
        request,
        "compliance/retention_policy_form.html",
        {"organisation": organisation, "form": form, "policy": policy, "section": "register"},
    )


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def policy_delete(request, organisation, pk):
    policy = _policy(organisation, pk)
    services.retention_policy_delete(policy=policy)
    messages.success(request, _("“%(name)s” has been removed from the policy.") % {"name": policy.name})
    return redirect("compliance:policy_list", organisation_slug=organisation.slug)


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def policy_seed(request, organisation):
    language = request.POST.get("language") or get_language()
    added = services.retention_policy_seed(organisation=organisation, language=language)
    messages.success(request, _("%(count)d periods were added to the policy.") % {"count": added})
    return redirect("compliance:policy_list", organisation_slug=organisation.slug)


@organisation_view()
def policy_history(request, organisation):
    """Every change to the policy, removed periods included."""
    records = RetentionPolicy.history.filter(organisation_id=organisation.pk)
    return render(
        request,
        "compliance/retention_policy_history.html",
        {
            "organisation": organisation,
            "changes": set_history(RetentionPolicy, records, subject=lambda record: record.name),
            "section": "register",
        },
    )


FINDINGS_PER_PAGE = 50


@organisation_view()
def finding_list(request, organisation):
    """The organisation's findings, still to deal with first (see ``selectors.findings_in_order``); filters by status,
    severity, rule (by its title), what it concerns and activity (by its name)."""
    findings_of = Finding.objects.filter(organisation=organisation).select_related("status_changed_by")
    filters = FindingFilter(request.GET or {"status": "active"}, queryset=findings_of, organisation=organisation)
    ordered = selectors.findings_in_order(filters.qs)
    page = Paginator(ordered, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/finding_list.html",
        {
            "organisation": organisation,
            "filters": filters,
            "page": page,
            "rows": selectors.shown(page.object_list, organisation),
            "query": query.urlencode(),
            "never_checked": not findings_of.exists(),
            "latest_run": ComplianceRun.objects.filter(organisation=organisation).first(),
            "checks_waiting": selectors.checks_waiting(organisation),
            "section": "findings",
        },
    )


@organisation_view()
def rule_catalogue(request, organisation):
    """Every rule the checks apply, with its source and severity: what the findings rest on, for every role."""
    return render(
        request,
        "compliance/rule_catalogue.html",
        {"organisation": organisation, "families": selectors.rule_catalogue(organisation), "section": "findings"},
    )


def _finding_change(request, organisation, pk, change, **kwargs):
    finding = get_object_or_404(Finding, organisation=organisation, pk=pk)
    try:
        change(finding=finding, user=request.user, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The finding is now “%(status)s”.") % {"status": finding.get_status_display()})
    return redirect(reverse("compliance:finding_list", args=[organisation.slug]) + _safe_query(request))


def _safe_query(request) -> str:
    """Back to the list as it was filtered (the query string re-encoded: nothing else gets in)."""
    query = QueryDict(request.POST.get("return_query", "")).urlencode()
    return f"?{query}" if query else ""


@organisation_view(read=None, write=Action.RUN_CHECKS)
def finding_acknowledge(request, organisation, pk):
    return _finding_change(request, organisation, pk, services.finding_acknowledge)


@organisation_view(read=None, write=Action.ACCEPT_RISK)
def finding_accept_risk(request, organisation, pk):
    justification = request.POST.get("justification", "")
    return _finding_change(request, organisation, pk, services.finding_accept_risk, justification=justification)


@organisation_view(read=None, write=Action.RUN_CHECKS)
def compliance_run_start(request, organisation):
    """Run every check now (or follow the run already under way), then watch its progress."""
    run, created = start_compliance_run(organisation, user=request.user, origin=ComplianceRun.Origin.MANUAL)
    if not created:
        messages.info(request, _("The checks were already under way: here is how far they are."))
    return redirect("compliance:compliance_run_detail", organisation_slug=organisation.slug, pk=run.pk)


def _run_state(run: ComplianceRun) -> dict:
    if run.steps_total:
        progress = ngettext("%(done)d of %(total)d check", "%(done)d of %(total)d checks", run.steps_total) % {
            "done": run.steps_done,
            "total": run.steps_total,
        }
    else:
        progress = _("Not started yet")
    return progress_state(run, progress, run.status in (ComplianceRun.Status.DONE, ComplianceRun.Status.FAILED))


def _run(organisation, pk) -> ComplianceRun:
    return get_object_or_404(ComplianceRun.objects.select_related("requested_by"), organisation=organisation, pk=pk)


@never_cache
@organisation_view()
def compliance_run_detail(request, organisation, pk):
    run = _run(organisation, pk)
    return render(
        request,
        "compliance/compliance_run.html",
        {"organisation": organisation, "run": run, "state": _run_state(run), "section": "findings"},
    )


@never_cache
@organisation_view()
def compliance_run_status(request, organisation, pk):
    return JsonResponse(_run_state(_run(organisation, pk)))


@organisation_view(read=Action.ACCEPT_RISK)
def what_if(request, organisation):
    """Nothing is saved: the page reads, so it answers GET and its address can be shared."""
    today = timezone.localdate()
    form = WhatIfForm(request.GET or None, today=today, initial={"change": whatif.Change.ENDS, "country": "US"})
    prediction = whatif.predict(organisation, form.scenario) if form.is_bound and form.is_valid() else None
    return render(
        request,
        "compliance/whatif.html",
        {"organisation": organisation, "form": form, "prediction": prediction, "section": "findings"},
    )
