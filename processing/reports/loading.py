"""Reading the register into documents (see ``document``), today's or as it stood on a day.

Today's register is streamed from the database in the register's order: one query per table
for the whole register, each table's rows ordered by their activity's reference and read a
``CHUNK`` at a time (``iterator``: server-side cursors on PostgreSQL), so that an activity and
its parts arrive side by side and are put together as they come. Memory holds a chunk of
documents and the catalogue whatever the size of the register, the query count does not grow
with it, and no model instance is built for the hundreds of thousands of rows a large register
has: rows come as tuples, and an activity's links to its data fields, recipients and systems as
lists of ids on its own row (``core.expressions.ListOf``). The catalogue is read once, each
entry made once and shared, with its place in the order of names: sorting each activity's
entries by ``normalise_key`` cost more than reading them.

The register of a past day comes from the history tables (``as_of`` explains why not
``as_of()``), a chunk of activities at a time: there a row's activity as it then stood is not a
join away, so the rows of a chunk's activities are read together and put in the chunk's order.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby, islice, repeat
from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import OuterRef
from django.utils import timezone

from accounts.models import Organisation
from core.expressions import ListOf
from core.text import normalise_key
from inventory.models import DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System, SystemCountry
from processing.as_of import latest_records, moment_of
from processing.history import LINKS, historical_links
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)
from processing.reports import document
from processing.reports.records import record_of

CHUNK = 1000
CATALOGUE = {  # part of the document -> catalogue model
    "data_fields": DataField,
    "data_subjects": DataSubjectCategory,
    "recipients": Recipient,
    "systems": System,
}
ROWS = {  # part of the document -> row model
    "transfers": Transfer,
    "retention_lines": RetentionLine,
    "security_measures": SecurityMeasure,
    "controller_parties": ControllerParty,
}


@dataclass(frozen=True)
class Scope:
    """Which register: all activities or the active ones, today's or as of a day."""

    active_only: bool = True
    as_of: date | None = None

    @property
    def moment(self) -> datetime | None:

        return moment_of(self.as_of) if self.as_of else None


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def _values(row: dict, names) -> dict:
    return {name: _plain(row[name]) for name in names}


def _dates(model, names) -> list[str]:
    """Those of ``names`` that are dates (or times) in ``model``: the document has them as ISO text."""
    dates = []
    for name in names:
        try:
            if isinstance(model._meta.get_field(name), models.DateField):
                dates.append(name)
        except FieldDoesNotExist:
            continue
    return dates


# A transfer's importer and destination as the database has them; the document names them.
TRANSFER_IDS = {
    "country": "country_id",
    "international_organisation": "international_organisation_id",
    "recipient": "recipient_id",
    "system": "system_id",
}


def stored_columns(part: str) -> list[str]:
    """The columns a row of ``part`` is read from, in the order of its fields in the document."""
    return [TRANSFER_IDS.get(name, name) if part == "transfers" else name for name in document.PART_FIELDS[part]]


def _aligned(rows: Iterable[tuple], position: dict, count: int) -> Iterator[list[tuple]]:
    """For each of ``count`` activities in turn, its rows: ``rows`` are ``(*values, activity key)`` in the order of
    the activities (``position``: key -> place). The rows of an activity that is not among them (one added since
    they were counted, say) are left out. The key is read last, and left there rather than cut off each of the
    200,000 rows of a register of 10,000 activities (with ``part_rows`` below, the register read from rows already
    fetched took 0.56 s of CPU against 0.66)."""
    groups = ((position.get(key), list(group)) for key, group in groupby(rows, key=itemgetter(-1)))
    pending = next(groups, None)
    for place in range(count):
        while pending is not None and (pending[0] is None or pending[0] < place):
            pending = next(groups, None)
        if pending is not None and pending[0] == place:
            yield pending[1]
            pending = next(groups, None)
        else:
            yield []


class _Source:
    """Where the rows come from: the live tables (``moment`` None), streamed, or their history, a chunk at a time."""

    def __init__(self, organisation: Organisation, moment: datetime | None, active_only: bool):
        self.organisation = organisation
        self.moment = moment
        self.active_only = active_only

    def table(self, model, **filters):
        if self.moment is None:
            return model.objects.filter(**filters)
        return latest_records(model.history.model, self.moment, **filters)

    def catalogue(self, model) -> dict[int, dict]:
        """The organisation's entries by id; in the past, under the names they had then (an
        entry without history at that moment, loaded before history was kept, as it is now)."""
        rows = {row["id"]: row for row in model.objects.filter(organisation=self.organisation).values()}
        if self.moment is not None:
            rows.update({row["id"]: row for row in self.table(model, organisation_id=self.organisation.pk).values()})
        return rows

    def activities(self):
        """(key, id, role) of each activity in reference order; the key finds its links."""
        rows = self.table(ProcessingActivity, organisation_id=self.organisation.pk)
        if self.active_only:
            rows = rows.filter(status=ProcessingActivity.Status.ACTIVE)
        key = "id" if self.moment is None else "history_id"
        return rows.order_by("reference").values_list(key, "id", "role")

    def _selection(self, record: str | None, prefix: str) -> dict:
        """The filters that choose the activities read (``prefix``: the way to them from a table of their rows)."""
        filters = {f"{prefix}organisation_id": self.organisation.pk}
        if self.active_only:
            filters[f"{prefix}status"] = ProcessingActivity.Status.ACTIVE
        if record is not None:
            roles = [role for role in ProcessingActivity.Role.values if record_of(role) == record]
            filters[f"{prefix}role__in"] = roles
        return filters

    def _stream(self, rows):
        return rows.iterator(chunk_size=CHUNK)

    def _by_chunk(self, keys: list, position: dict, read) -> Iterator[tuple]:
        """The rows ``read(keys of a chunk)`` gives, chunk after chunk, each chunk's in the order of ``keys``."""
        for start in range(0, len(keys), CHUNK):
            yield from sorted(read(keys[start : start + CHUNK]), key=lambda row: position[row[-1]])

    def activity_rows(self, record: str | None, keys: list, position: dict) -> Iterator[tuple]:
        """(*ACTIVITY_FIELDS, *the ids of its LINKS' entries, a list each, key) of each activity of ``record`` (every
        record: None), in reference order."""
        if self.moment is None:
            rows = ProcessingActivity.objects.filter(**self._selection(record, ""))
            links = _linked(lambda name: getattr(ProcessingActivity, name).through, "processingactivity_id", "id")
            return self._stream(
                rows.annotate(**links).order_by("reference").values_list(*document.ACTIVITY_FIELDS, *links, "id")
            )
        table = ProcessingActivity.history.model.objects
        links = _linked(historical_links, "history_id", "history_id")
        return self._by_chunk(
            keys,
            position,
            lambda chunk: (
                table.filter(history_id__in=chunk)
                .annotate(**links)
                .values_list(*document.ACTIVITY_FIELDS, *links, "history_id")
            ),
        )

    def rows(self, model, columns: list[str], record: str | None, ids: list, position: dict) -> Iterator[tuple]:
        """(*columns, activity id) of the rows of ``model`` (an activity's part), in the activities' order, each
        activity's in the order they were added."""
        if self.moment is None:
            rows = model.objects.filter(**self._selection(record, "activity__"))
            return self._stream(rows.order_by("activity__reference", "id").values_list(*columns, "activity_id"))
        return self._by_chunk(
            ids,
            position,
            lambda chunk: self.table(model, activity_id__in=chunk).order_by("id").values_list(*columns, "activity_id"),
        )


def _linked(through, to_activity: str, key: str) -> dict[str, ListOf]:
    """Each of the activity's ``LINKS`` as the list of its entries' ids (``through(name)``: the table of a link,
    joined to the activity's ``key`` by ``to_activity``), named ``<link>_ids``."""
    activity = {to_activity: OuterRef(key)}
    return {
        f"{name}_ids": ListOf(through(name).objects.filter(**activity).values(column))
        for name, (column, _model) in LINKS.items()
    }


def _system_countries(links) -> dict[int, set[str]]:
    countries = {}
    for system, country in links.values_list("system_id", "country_id"):
        countries.setdefault(system, set()).add(country)
    return countries


class RegisterReader:
    """The documents of an organisation's activities, a chunk at a time."""

    def __init__(self, organisation: Organisation, scope: Scope, chunk: int = CHUNK):
        self.organisation = organisation
        self.scope = scope
        self.chunk = chunk
        self.source = _Source(organisation, scope.moment, scope.active_only)
        self._keys, self._records = [], {}
        for key, pk, role in self.source.activities():
            self._keys.append((key, pk))
            self._records[pk] = record_of(role)
        self._catalogue = self._order = self._ranked = None

    def __len__(self):
        return len(self._keys)

    def count(self, record: str) -> int:
        """How many activities the record (``records.CONTROLLER`` or ``PROCESSOR``) holds."""
        return sum(1 for found in self._records.values() if found == record)

    def organisation_header(self) -> dict:
        o = self.organisation
        return {
            **{name: getattr(o, name) for name in ("name", "legal_identifier", "address", "postcode", "city")},
            "phone": o.phone,
            "email": o.email,
            "dpo": {"name": o.dpo_name, "email": o.dpo_email, "phone": o.dpo_phone},
            "representative": {"name": o.representative_name, "contact": o.representative_contact},
        }

    def header(self, language: str) -> dict:
        """Everything of the document but its activities."""
        return {
            "format": document.FORMAT,
            "version": document.VERSION,
            "generated_at": timezone.localtime().isoformat(timespec="seconds"),
            "language": language,
            "as_of": _plain(self.scope.as_of),
            "scope": "active" if self.scope.active_only else "all",
            "organisation": self.organisation_header(),
        }

    def _load_catalogue(self) -> dict[str, dict[int, dict]]:
        """Each part's entries by id, as the document has them, and (``_order``) each entry's place by name."""
        source = self.source
        recipients = source.catalogue(Recipient)
        countries = _system_countries(source.table(SystemCountry, system__organisation=self.organisation))
        if source.moment is not None:  # the links of a system without history then are shown as now
            for system, codes in _system_countries(
                SystemCountry.objects.filter(system__organisation=self.organisation)
            ).items():
                countries.setdefault(system, codes)
        entries, self._order, self._ranked = {}, {}, {}
        for part, model in CATALOGUE.items():
            rows = recipients if model is Recipient else source.catalogue(model)
            fields = document.PART_FIELDS[part]
            made = {}
            for pk, row in rows.items():
                if model is Recipient:
                    row["country"] = row["country_id"]
                if model is System:
                    row["countries"] = sorted(countries.get(pk, ()))
                    host = recipients.get(row["hosting_provider_id"])
                    row["hosting_provider"] = host["name"] if host else None
                made[pk] = _values({**row, "approximate_count": None}, fields)
            entries[part] = made
            ranked = sorted(made, key=lambda pk, made=made: normalise_key(made[pk]["name"]))
            self._order[part] = {pk: rank for rank, pk in enumerate(ranked)}
            self._ranked[part] = [made[pk] for pk in ranked]  # each entry at its place
        entries["international"] = dict(InternationalOrganisation.objects.values_list("id", "name"))
        return entries

    def chunks(self, record: str | None = None) -> Iterator[list[dict]]:
        """The activities' documents, ``chunk`` at a time, in reference order: all of them, or one record's."""
        if self._catalogue is None:
            self._catalogue = self._load_catalogue()
        keys = self._keys if record is None else [key for key in self._keys if self._records[key[1]] == record]
        if not keys:  # no query for a record that has no activity
            return
        documents = self._documents(keys, record)
        while chunk := list(islice(documents, self.chunk)):
            yield chunk

    def _documents(self, keys: list[tuple[int, int]], record: str | None) -> Iterator[dict]:
        catalogue, order, source = self._catalogue, self._order, self.source
        by_key = [key for key, _pk in keys]
        ids = [pk for _key, pk in keys]
        position = {key: place for place, key in enumerate(by_key)}
        place_of_id = {pk: place for place, pk in enumerate(ids)}
        count = len(keys)
        activities = _aligned(source.activity_rows(record, by_key, position), position, count)
        subjects = _aligned(
            source.rows(ActivityDataSubject, ["category_id", "approximate_count"], record, ids, place_of_id),
            place_of_id,
            count,
        )
        rows = [
            _aligned(source.rows(model, stored_columns(part), record, ids, place_of_id), place_of_id, count)
            for part, model in ROWS.items()
        ]
        activity_dates = _dates(ProcessingActivity, document.ACTIVITY_FIELDS)
        row_dates = {part: _dates(model, document.PART_FIELDS[part]) for part, model in ROWS.items()}
        names = {"recipient": catalogue["recipients"], "system": catalogue["systems"]}

        ranked, links = self._ranked, slice(len(document.ACTIVITY_FIELDS), len(document.ACTIVITY_FIELDS) + len(LINKS))

        def linked(part, ids):
            """The entries linked, by name: their places sorted, those not found (deleted since the catalogue was
            read) placed last and dropped; without a Python call per link."""
            in_order, missing = ranked[part], len(ranked[part])
            places = sorted(map(order[part].get, ids, repeat(missing)))
            if places and places[-1] == missing:
                places = [place for place in places if place != missing]
            return list(map(in_order.__getitem__, places))

        def part_rows(part, found):
            if not found:
                return []
            # A dict of each row, the key (last) left out by ``zip``; ``map`` rather than a comprehension: a register of
            # 10,000 activities has 90,000 such rows.
            made = list(map(dict, map(zip, repeat(document.PART_FIELDS[part]), found)))
            for name in row_dates[part]:
                for row in made:
                    if row[name] is not None:
                        row[name] = row[name].isoformat()
            if part == "transfers":
                for row in made:
                    row["international_organisation"] = catalogue["international"].get(
                        row["international_organisation"]
                    )
                    for name, entries in names.items():
                        entry = entries.get(row[name])
                        row[name] = entry["name"] if entry else None
            return made

        for found, people, *parts in zip(activities, subjects, *rows, strict=True):
            if not found:  # deleted since it was counted
                continue
            activity = dict(zip(document.ACTIVITY_FIELDS, found[0], strict=False))  # the links and key left out
            linked_ids = dict(zip(LINKS, found[0][links], strict=True))
            for name in activity_dates:
                if activity[name] is not None:
                    activity[name] = activity[name].isoformat()
            entries, rank = catalogue["data_subjects"], order["data_subjects"]
            people = sorted((row for row in people if row[0] in entries), key=lambda row: rank[row[0]])
            yield {
                **activity,
                "record": record_of(activity["role"]),
                "data_fields": linked("data_fields", linked_ids["data_fields"]),
                "data_subjects": [{**entries[pk], "approximate_count": number} for pk, number, _key in people],
                "recipients": linked("recipients", linked_ids["recipients"]),
                "systems": linked("systems", linked_ids["systems"]),
                **{part: part_rows(part, found) for part, found in zip(ROWS, parts, strict=True)},
            }
