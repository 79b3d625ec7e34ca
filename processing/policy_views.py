"""The organisation's retention policy: every role reads it, the DPO keeps it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.permissions import Action, organisation_view
from core.forms import apply_validation_error
from core.history import set_history

from . import retention_policy
from .forms import RetentionPolicyForm
from .models import RetentionPolicy


def _policy(organisation, pk) -> RetentionPolicy:
    return get_object_or_404(RetentionPolicy.objects.filter(organisation=organisation), pk=pk)


@organisation_view()
def policy_list(request, organisation):
    policies = organisation.retention_policies.select_related("subject_category")
    return render(
        request,
        "processing/retention_policy_list.html",
        {"organisation": organisation, "policies": policies, "section": "register"},
    )


@organisation_view(read=Action.MANAGE_ORGANISATION, write=Action.MANAGE_ORGANISATION)
def policy_edit(request, organisation, pk=None):
    policy = _policy(organisation, pk) if pk else None
    form = RetentionPolicyForm(request.POST or None, instance=policy, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in retention_policy.EDITABLE_FIELDS}
        try:
            if policy is None:
                policy = retention_policy.retention_policy_create(organisation=organisation, **fields)
            else:
                retention_policy.retention_policy_update(policy=policy, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("“%(name)s” has been saved.") % {"name": policy.name})
            return redirect("processing:policy_list", organisation_slug=organisation.slug)
    return render(
        request,
        "processing/retention_policy_form.html",
        {"organisation": organisation, "form": form, "policy": policy, "section": "register"},
    )


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def policy_delete(request, organisation, pk):
    policy = _policy(organisation, pk)
    retention_policy.retention_policy_delete(policy=policy)
    messages.success(request, _("“%(name)s” has been removed from the policy.") % {"name": policy.name})
    return redirect("processing:policy_list", organisation_slug=organisation.slug)


@organisation_view(read=None, write=Action.MANAGE_ORGANISATION)
def policy_seed(request, organisation):
    language = request.POST.get("language") or get_language()
    added = retention_policy.retention_policy_seed(organisation=organisation, language=language)
    messages.success(request, _("%(count)d periods were added to the policy.") % {"count": added})
    return redirect("processing:policy_list", organisation_slug=organisation.slug)


@organisation_view()
def policy_history(request, organisation):
    """Every change to the policy, removed periods included."""
    records = RetentionPolicy.history.filter(organisation_id=organisation.pk)
    return render(
        request,
        "processing/retention_policy_history.html",
        {
            "organisation": organisation,
            "changes": set_history(RetentionPolicy, records, subject=lambda record: record.name),
            "section": "register",
        },
    )
