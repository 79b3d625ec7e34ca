"""Writes of the catalogue. Views, the API, imports and the demo all go through here."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.errors import field_error
from core.text import normalise_key

from .defaults import DEFAULT_DATA_FIELDS, DEFAULT_DATA_SUBJECT_CATEGORIES
from .models import CatalogueItem, Country, DataField, DataSubjectCategory, Recipient, System, SystemCountry

# The catalogue's tables, those a bulk write (an import, a seed) fills: ``core.bulk.analyze``.
CATALOGUE_MODELS = (DataField, DataSubjectCategory, Recipient, System, SystemCountry)


def _set_countries(system: System, countries: Iterable[Country | str]) -> None:
    """Make the system's storage countries exactly ``countries`` (rows added and removed)."""
    wanted = {country.pk if isinstance(country, Country) else country for country in countries}
    if not wanted:
        raise field_error("countries", _("Choose at least one country where the system stores the data."), "required")
    unknown = wanted - set(Country.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if unknown:
        raise field_error("countries", _("Unknown country code."), "invalid_choice")
    current = set(system.country_links.values_list("country_id", flat=True))
    system.country_links.filter(country_id__in=current - wanted).delete()
    for code in sorted(wanted - current):  # one by one, so that history records each
        SystemCountry.objects.create(system=system, country_id=code)


@transaction.atomic
def catalogue_item_create(*, model: type[CatalogueItem], organisation: Organisation, countries=None, **fields):
    """Add an entry to the organisation's catalogue (a system with its storage countries)."""
    item = model(organisation=organisation, **fields)
    item.full_clean()
    item.save()
    if countries is not None or model is System:
        _set_countries(item, countries or [])
    return item


@transaction.atomic
def catalogue_item_update(*, item: CatalogueItem, countries=None, **changes):
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    if countries is not None:
        _set_countries(item, countries)
    return item


def catalogue_item_archive(*, item: CatalogueItem) -> CatalogueItem:
    """Hide an entry from new choices; activities that use it keep it."""
    if item.archived_at is None:
        item.archived_at = timezone.now()
        item.save(update_fields=["archived_at", "updated_at"])
    return item


def catalogue_item_restore(*, item: CatalogueItem) -> CatalogueItem:
    if item.archived_at is not None:
        item.archived_at = None
        item.save(update_fields=["archived_at", "updated_at"])
    return item


@transaction.atomic
def default_catalogue_load(*, organisation: Organisation, language: str) -> int:
    """Add the default data fields and data subject categories, in English or French.

    Entries whose name the catalogue already has (ignoring case and accents) are left as
    they are, so loading twice adds nothing. Returns how many entries were added.
    """
    french = language == "fr"
    added = 0
    for category, special_category, english, french_name in DEFAULT_DATA_FIELDS:
        _, created = get_or_create_by_name(
            DataField,
            organisation,
            french_name if french else english,
            category=category,
            special_category=special_category,
        )
        added += created
    for vulnerable, english, french_name in DEFAULT_DATA_SUBJECT_CATEGORIES:
        _, created = get_or_create_by_name(
            DataSubjectCategory, organisation, french_name if french else english, is_vulnerable=vulnerable
        )
        added += created
    return added


def get_or_create_by_name(model, organisation, name, *, also=(), **fields):
    """The organisation's entry named ``name`` or any of ``also`` (ignoring case and accents),
    else a new one named ``name``."""
    keys = {normalise_key(name), *(normalise_key(other) for other in also)}
    existing = model.objects.filter(organisation=organisation, name_key__in=keys).order_by("pk").first()
    if existing is not None:
        return existing, False
    return catalogue_item_create(model=model, organisation=organisation, name=name, **fields), True
