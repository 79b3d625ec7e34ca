"""Catalogue pages: list, add, edit, archive and restore each kind of entry, and its history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.permissions import Action, organisation_view
from core.forms import apply_validation_error
from core.history import RowSet, object_history
from core.text import normalise_key

from . import services
from .catalogue import KINDS
from .models import System, SystemCountry
from .selectors import active_counts

ITEMS_PER_PAGE = 50


@organisation_view()
def catalogue_index(request, organisation):
    counts = active_counts(organisation, [kind.model for kind in KINDS.values()])
    kinds = list(zip(KINDS.values(), counts, strict=True))
    return render(
        request,
        "inventory/catalogue_index.html",
        {"organisation": organisation, "kinds": kinds, "section": "register"},
    )


@organisation_view()
def item_list(request, organisation, kind):
    archived = request.GET.get("archived") == "1"
    query = request.GET.get("q", "").replace("\x00", "").strip()
    items = kind.queryset(organisation).filter(archived_at__isnull=not archived)
    if query:
        items = items.filter(Q(name_key__contains=normalise_key(query)) | Q(description__icontains=query))
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    kept_query = request.GET.copy()
    kept_query.pop("page", None)
    return render(
        request,
        f"inventory/{kind.model._meta.model_name}_list.html",
        {
            "organisation": organisation,
            "kind": kind,
            "page": page,
            "archived": archived,
            "query": query,
            "page_query": kept_query.urlencode(),
            "section": "register",
        },
    )


def _save(form, *, organisation, kind, item=None):
    """Create or update through the services; their errors go next to the fields."""
    fields = form.service_fields()
    countries = form.cleaned_data.get("countries") if "countries" in form.fields else None
    try:
        if item is None:
            return services.catalogue_item_create(
                model=kind.model, organisation=organisation, countries=countries, **fields
            )
        return services.catalogue_item_update(item=item, countries=countries, **fields)
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def item_create(request, organisation, kind):
    form = kind.form(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        item = _save(form, organisation=organisation, kind=kind)
        if item is not None:
            messages.success(request, _("“%(name)s” has been added.") % {"name": item.name})
            return redirect("inventory:item_list", organisation_slug=organisation.slug, kind=kind)
    return render(
        request,
        "inventory/item_form.html",
        {"organisation": organisation, "kind": kind, "form": form, "section": "register"},
    )


def _item(organisation, kind, pk):
    return get_object_or_404(kind.model.objects.for_organisation(organisation), pk=pk)


@organisation_view(read=Action.EDIT_REGISTER, write=Action.EDIT_REGISTER)
def item_edit(request, organisation, kind, pk):
    item = _item(organisation, kind, pk)
    form = kind.form(request.POST or None, instance=item, organisation=organisation)
    if request.method == "POST" and form.is_valid() and _save(form, organisation=organisation, kind=kind, item=item):
        messages.success(request, _("“%(name)s” has been saved.") % {"name": item.name})
        return redirect("inventory:item_list", organisation_slug=organisation.slug, kind=kind)
    return render(
        request,
        "inventory/item_form.html",
        {"organisation": organisation, "kind": kind, "form": form, "item": item, "section": "register"},
    )


@organisation_view()
def item_history(request, organisation, kind, pk):
    """Every change to one catalogue entry, for every role (archived entries included)."""
    item = _item(organisation, kind, pk)
    rows = (RowSet(SystemCountry, "system", "country", _("Storage countries")),) if kind.model is System else ()
    return render(
        request,
        "inventory/item_history.html",
        {
            "organisation": organisation,
            "kind": kind,
            "item": item,
            "changes": object_history(item, subject=item.name, rows=rows),
            "section": "register",
        },
    )


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def item_archive(request, organisation, kind, pk):
    item = services.catalogue_item_archive(item=_item(organisation, kind, pk))
    messages.success(
        request, _("“%(name)s” is archived: it is no longer offered for new entries.") % {"name": item.name}
    )
    return redirect("inventory:item_list", organisation_slug=organisation.slug, kind=kind)


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def item_restore(request, organisation, kind, pk):
    item = services.catalogue_item_restore(item=_item(organisation, kind, pk))
    messages.success(request, _("“%(name)s” is back in the catalogue.") % {"name": item.name})
    return redirect("inventory:item_list", organisation_slug=organisation.slug, kind=kind)


@organisation_view(read=None, write=Action.EDIT_REGISTER)
def load_defaults(request, organisation):
    language = request.POST.get("language") or get_language()
    added = services.default_catalogue_load(organisation=organisation, language=language)
    messages.success(request, _("%(count)d entries were added to the catalogue.") % {"count": added})
    return redirect("inventory:catalogue", organisation_slug=organisation.slug)
