"""Writes of the catalogue. Views, the API, imports and the demo all go through here."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.bulk import clean_unsaved, insert_history, unique_errors, unique_keys
from core.errors import field_error
from core.history import change_author, change_origin
from core.text import normalise_key

from .defaults import DEFAULT_DATA_FIELDS, DEFAULT_DATA_SUBJECT_CATEGORIES
from .models import (
    CatalogueItem,
    Country,
    DataField,
    DataSubjectCategory,
    Recipient,
    System,
    SystemCountry,
    uniqueness_under_name,
)
from .signals import catalogue_written

# The catalogue's tables, those a bulk write (an import, a seed) fills: ``core.bulk.analyze``.
CATALOGUE_MODELS = (DataField, DataSubjectCategory, Recipient, System, SystemCountry)
WRITE_CHUNK = 1000  # rows whose history one statement records


def _storage_countries(countries: Iterable[Country | str], known: dict | None = None) -> set[str]:
    """The codes of ``countries``, checked: at least one, each a known country (``known``: every country by code,
    else asked of the database)."""
    wanted = {country.pk if isinstance(country, Country) else country for country in countries}
    if not wanted:
        raise field_error("countries", _("Choose at least one country where the system stores the data."), "required")
    if known is None:
        known = Country.objects.in_bulk(wanted)
    if wanted - known.keys():
        raise field_error("countries", _("Unknown country code."), "invalid_choice")
    return wanted


def _set_countries(system: System, countries: Iterable[Country | str]) -> None:
    """Make the system's storage countries exactly ``countries`` (rows added and removed)."""
    wanted = _storage_countries(countries)
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


class NewCatalogueItems:
    """New entries of one organisation's catalogue (an import's), each checked as it is added, in memory, as
    ``catalogue_item_create`` checks it and with the same messages, then all written at once with their storage
    countries and their history (``write``): a few statements whatever their number."""

    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        # What a foreign key of a new entry may name: a recipient's country, a system's host given by its key.
        self.known = {
            Country: Country.objects.in_bulk(),
            Recipient: Recipient.objects.filter(organisation=organisation).in_bulk(),
        }
        self.taken: dict[type[CatalogueItem], set] = {}  # model -> the keys of its unique constraints taken
        self.items: list[tuple[CatalogueItem, set[str] | None]] = []  # entries and storage countries, as added

    def add(self, *, model: type[CatalogueItem], countries=None, **fields) -> CatalogueItem:
        """The new entry, not written yet (``write``), or ``ValidationError`` as ``catalogue_item_create`` raises it."""
        item = model(organisation=self.organisation, **fields)
        taken = self._taken(model)
        errors = unique_errors(item, taken, clean_unsaved(item, self.known, parent="organisation"))
        if errors:
            raise ValidationError(uniqueness_under_name(errors))
        wanted = None
        if countries is not None or model is System:
            wanted = _storage_countries(countries or [], self.known[Country])
        taken.update(unique_keys(item))
        self.items.append((item, wanted))
        return item

    def _taken(self, model: type[CatalogueItem]) -> set:
        if model not in self.taken:
            names = model.objects.filter(organisation=self.organisation).values_list("name_key", flat=True)
            self.taken[model] = {key for name_key in names for key in unique_keys(model(name_key=name_key))}
        return self.taken[model]

    def write(self) -> None:
        """Write the entries added since the last ``write``, recorded in the history as saves by the author of the
        current change; the compliance watch is told (``catalogue_written``) as their saves would have told it."""
        if not self.items:
            return
        when, author, origin = timezone.now(), change_author(), change_origin()
        by_model: dict[type, list] = {}
        for item, _wanted in self.items:
            by_model.setdefault(type(item), []).append(item)
        by_model[SystemCountry] = [
            SystemCountry(system=item, country_id=code)
            for item, wanted in self.items
            for code in sorted(wanted or ())  # in the order _set_countries adds them
        ]
        for model in CATALOGUE_MODELS:  # systems after the recipients that host them, then storage countries
            rows = model.objects.bulk_create(by_model.get(model, []))  # a system's new host is given its key here
            for start in range(0, len(rows), WRITE_CHUNK):
                chunk = [row.pk for row in rows[start : start + WRITE_CHUNK]]
                insert_history(model.objects.filter(pk__in=chunk), when=when, user=author, reason=origin)
            if rows:
                catalogue_written.send(sender=model, organisation_id=self.organisation.pk)
        self.items = []


@transaction.atomic
def catalogue_item_update(*, item: CatalogueItem, countries=None, **changes):
    if "oldest_record_on" in changes and changes["oldest_record_on"] != getattr(item, "oldest_record_on", None):
        item.oldest_record_measured_at = None  # typed by hand: no longer what a scan measured
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
