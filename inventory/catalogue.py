"""The four kinds of catalogue entry, described once for the pages that list and edit them."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .forms import DataFieldForm, DataSubjectCategoryForm, RecipientForm, SystemForm
from .models import CatalogueItem, DataField, DataSubjectCategory, Recipient, System
from .selectors import catalogue_entries


@dataclass(frozen=True)
class CatalogueKind:
    slug: str
    model: type[CatalogueItem]
    form: type
    title: Promise
    add_label: Promise
    help: Promise

    def queryset(self, organisation) -> QuerySet:
        return catalogue_entries(self.model, organisation)


KINDS = {
    kind.slug: kind
    for kind in (
        CatalogueKind(
            "data-fields",
            DataField,
            DataFieldForm,
            _("Personal data fields"),
            _("Add a data field"),
            _("The kinds of personal data you hold, grouped by category (Art. 30(1)(c))."),
        ),
        CatalogueKind(
            "data-subjects",
            DataSubjectCategory,
            DataSubjectCategoryForm,
            _("Data subject categories"),
            _("Add a category of people"),
            _("The people whose data you process: employees, customers, prospects… (Art. 30(1)(c))."),
        ),
        CatalogueKind(
            "recipients",
            Recipient,
            RecipientForm,
            _("Recipients"),
            _("Add a recipient"),
            _("Who receives the data: departments, processors, partners, authorities (Art. 30(1)(d))."),
        ),
        CatalogueKind(
            "systems",
            System,
            SystemForm,
            _("Systems and storage locations"),
            _("Add a system"),
            _("Where the data physically lives, and in which countries."),
        ),
    )
}


class CatalogueKindConverter:
    """URL converter: /catalogue/<catalogue_kind:kind>/ gives the view the CatalogueKind."""

    regex = "|".join(KINDS)

    def to_python(self, value: str) -> CatalogueKind:
        return KINDS[value]

    def to_url(self, value) -> str:
        return value.slug if isinstance(value, CatalogueKind) else value
