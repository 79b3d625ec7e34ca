"""Reading the register into documents (see ``document``), today's or as it stood on a day.

Activities are read a chunk at a time, and each chunk's links and rows in one query per
kind, as plain values: the catalogue is read once and shared, so memory holds one chunk and
the catalogue whatever the size of the register, and no model instance is built for the
hundreds of thousands of links a large register has. The register of a past day comes from
the history tables the same way (``as_of`` explains why not ``as_of()``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.utils import timezone

from accounts.models import Organisation
from core.text import normalise_key
from inventory.models import DataField, DataSubjectCategory, InternationalOrganisation, Recipient, System, SystemCountry
from processing.as_of import latest_records, moment_of
from processing.history import LINKS
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


class _Source:
    """Where the rows come from: the live tables (``moment`` None) or their history."""

    def __init__(self, organisation: Organisation, moment: datetime | None):
        self.organisation = organisation
        self.moment = moment

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

    def activities(self, active_only: bool):
        """(key, id) of each activity in reference order; the key finds its links."""
        rows = self.table(ProcessingActivity, organisation_id=self.organisation.pk)
        if active_only:
            rows = rows.filter(status=ProcessingActivity.Status.ACTIVE)
        key = "id" if self.moment is None else "history_id"
        return rows.order_by("reference").values_list(key, "id", "role")

    def activity_rows(self, keys):
        key = "id" if self.moment is None else "history_id"
        table = ProcessingActivity if self.moment is None else ProcessingActivity.history.model
        return (
            table.objects.filter(**{f"{key}__in": keys}).order_by("reference").values("id", *document.ACTIVITY_FIELDS)
        )

    def links(self, name: str, keys) -> list[tuple[int, int]]:
        """(activity key, catalogue id) pairs of one many-to-many link."""
        column, _model = LINKS[name]
        if self.moment is None:
            through = getattr(ProcessingActivity, name).through
            return list(
                through.objects.filter(processingactivity_id__in=keys).values_list("processingactivity_id", column)
            )
        through = apps.get_model("processing", f"HistoricalProcessingActivity_{name}")
        return list(through.objects.filter(history_id__in=keys).values_list("history_id", column))


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
        self.source = _Source(organisation, scope.moment)
        self._keys, self._records = [], {}
        for key, pk, role in self.source.activities(scope.active_only):
            self._keys.append((key, pk))
            self._records[pk] = record_of(role)
        self._catalogue = None

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
        source = self.source
        recipients = source.catalogue(Recipient)
        countries = _system_countries(source.table(SystemCountry, system__organisation=self.organisation))
        if source.moment is not None:  # the links of a system without history then are shown as now
            for system, codes in _system_countries(
                SystemCountry.objects.filter(system__organisation=self.organisation)
            ).items():
                countries.setdefault(system, codes)
        entries = {}
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
        entries["international"] = dict(InternationalOrganisation.objects.values_list("id", "name"))
        return entries

    def chunks(self, record: str | None = None) -> Iterator[list[dict]]:
        """The activities' documents, ``chunk`` at a time, in reference order: all of them, or one record's."""
        if self._catalogue is None:
            self._catalogue = self._load_catalogue()
        keys = self._keys if record is None else [key for key in self._keys if self._records[key[1]] == record]
        for start in range(0, len(keys), self.chunk):
            yield self._documents(keys[start : start + self.chunk])

    def _documents(self, keys: list[tuple[int, int]]) -> list[dict]:
        catalogue = self._catalogue
        source = self.source
        by_key = [key for key, _pk in keys]
        ids = [pk for _key, pk in keys]
        documents = {}
        for row in source.activity_rows(by_key):
            documents[row["id"]] = {
                **_values(row, document.ACTIVITY_FIELDS),
                "record": record_of(row["role"]),
                **{part: [] for part in document.PART_FIELDS},
            }
        pk_of = dict(keys)
        for part in ("data_fields", "recipients", "systems"):
            for key, target in source.links(part, by_key):
                entry = catalogue[part].get(target)
                if entry is not None:
                    documents[pk_of[key]][part].append(entry)
        for row in source.table(ActivityDataSubject, activity_id__in=ids).order_by("id").values():
            entry = catalogue["data_subjects"].get(row["category_id"])
            if entry is not None:
                documents[row["activity_id"]]["data_subjects"].append(
                    {**entry, "approximate_count": row["approximate_count"]}
                )
        names = {"recipient": catalogue["recipients"], "system": catalogue["systems"]}
        for part, model in ROWS.items():
            fields = document.PART_FIELDS[part]
            for row in source.table(model, activity_id__in=ids).order_by("id").values():
                if model is Transfer:
                    row["country"] = row["country_id"]
                    row["international_organisation"] = catalogue["international"].get(
                        row["international_organisation_id"]
                    )
                    for name, entries in names.items():
                        entry = entries.get(row[f"{name}_id"])
                        row[name] = entry["name"] if entry else None
                documents[row["activity_id"]][part].append(_values(row, fields))
        for activity in documents.values():
            for part in CATALOGUE:
                activity[part].sort(key=lambda entry: normalise_key(entry["name"]))
        return [documents[pk] for pk in ids if pk in documents]
