"""Registre's JSON read back: the document itself, checked key by key against
``document``, each problem located by the activity's rank and the key's path."""

import datetime
import json
import re

from django.utils.translation import gettext as _
from django_countries import countries

from processing.reports.document import ACTIVITY_FIELDS, FORMAT, PART_FIELDS, VERSION
from processing.reports.problems import ERROR, WARNING, Problem, Reading, UnreadableFile
from processing.reports.records import record_of
from processing.reports.registre_reader.fields import ISO_DATE, REGISTER, _Field, _fields, _key, _quoted, too_long

JSON_SHEET = "JSON"
MAX_JSON_BYTES = 50 * 1024 * 1024
# "records" describes the two records of Art. 30 for the JSON's readers: it is not read back, nor is an activity's
# "record" (its role decides it).
HEADER = ("format", "version", "generated_at", "language", "as_of", "scope", "organisation", "activities", "records")
ORGANISATION = {  # the organisation block: text, or a block of texts
    "name": None,
    "legal_identifier": None,
    "address": None,
    "postcode": None,
    "city": None,
    "phone": None,
    "email": None,
    "dpo": {"name": None, "email": None, "phone": None},
    "representative": {"name": None, "contact": None},
}


_MISSING = object()


# What each kind of field accepts from a JSON document.
_ACCEPTS = {
    "text": lambda field, value: isinstance(value, str),
    "choice": lambda field, value: isinstance(value, str) and (value == "" or value in field.codes),
    "bool": lambda field, value: isinstance(value, bool),
    "number": lambda field, value: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
    "date": lambda field, value: isinstance(value, str) and _is_iso_date(value),
    "country": lambda field, value: _is_country_code(value),
    "countries": lambda field, value: isinstance(value, list) and all(_is_country_code(code) for code in value),
}


class _JsonChecker:
    """Checks the values of a document against ``document``: a problem for each value of the
    wrong type or unknown code (which is then left empty), one warning per unknown key."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.unknown: dict[str, tuple[int | None, str]] = {}  # key path without ranks -> first place

    def error(self, row: int | None, path: str | None, message: str) -> None:
        self.problems.append(Problem(JSON_SHEET, row, path, message, ERROR))

    def wrong(self, row: int | None, path: str | None, value, expected: str) -> None:
        found = json.dumps(value, ensure_ascii=False)
        found = found if len(found) <= 80 else found[:79] + "…"
        self.error(
            row, path, _("Found %(found)s where %(expected)s is expected.") % {"found": found, "expected": expected}
        )

    def unknown_keys(self, row: int | None, path: str, item: dict, known) -> None:
        for key in sorted(item.keys() - set(known)):
            pattern = re.sub(r"\[\d+\]", "[]", f"{path}{key}")
            self.unknown.setdefault(pattern, (row, f"{path}{key}"))

    def warnings(self) -> list[Problem]:
        message = _(
            "“%(key)s” is not a key of Registre's register document: it was ignored, here and wherever else it appears."
        )
        return [
            Problem(JSON_SHEET, row, path, message % {"key": path.rsplit(".", 1)[-1]}, WARNING)
            for row, path in self.unknown.values()
        ]

    def value(self, field: _Field, value, row: int, path: str):
        """The document's value of a key, or its empty value with a problem if it is wrong."""
        if value is _MISSING:
            return field.empty()
        if value is None and field.nullable:
            return None
        checked = self.checked(field, value)
        if checked is _MISSING:
            self.wrong(row, path, value, self.expected(field))
            return field.empty()
        if field.kind == "text" and (refused := too_long(checked, field.max_length)):
            self.error(row, path, refused)
            return field.empty()
        return checked

    @staticmethod
    def checked(field: _Field, value):
        """The value if it is of the field's kind (a whole float as an integer), else ``_MISSING``."""
        if field.kind == "number" and isinstance(value, float) and value.is_integer():
            value = int(value)
        return value if _ACCEPTS[field.kind](field, value) else _MISSING

    @staticmethod
    def expected(field: _Field) -> str:
        expected = {
            "text": _("text"),
            "bool": _("true or false"),
            "number": _("a whole number of 0 or more"),
            "date": _("a date such as “2026-01-31”"),
            "country": _("an ISO country code such as “FR”"),
            "countries": _("a list of ISO country codes such as [“FR”, “US”]"),
        }.get(field.kind)
        if field.kind == "choice":
            expected = _("one of the codes %(codes)s") % {"codes": _quoted(field.codes)}
        return _("%(expected)s or null") % {"expected": expected} if field.nullable else expected

    def activity(self, item, row: int) -> dict | None:
        if not isinstance(item, dict):
            self.wrong(row, None, item, _("an object holding an activity's fields"))
            return None
        fields = _fields()
        activity = {
            name: self.value(field, item.get(name, _MISSING), row, name) for name, field in fields[REGISTER].items()
        }
        activity["record"] = record_of(activity["role"])
        self.unknown_keys(row, "", item, [*ACTIVITY_FIELDS, "record", *PART_FIELDS])
        for part in PART_FIELDS:
            rows = item.get(part, [])
            if not isinstance(rows, list):
                self.wrong(row, part, rows, _("a list of objects"))
                rows = []
            activity[part] = []
            for rank, values in enumerate(rows):
                path = f"{part}[{rank}]"
                if not isinstance(values, dict):
                    self.wrong(row, path, values, _("an object"))
                    continue
                activity[part].append(
                    {
                        name: self.value(field, values.get(name, _MISSING), row, f"{path}.{name}")
                        for name, field in fields[part].items()
                    }
                )
                self.unknown_keys(row, f"{path}.", values, fields[part])
        return activity

    def organisation(self, value, spec: dict = ORGANISATION, path: str = "organisation") -> dict:
        """The organisation block, every key filled ("" when missing)."""
        if value is None or value is _MISSING:
            value = {}
        if not isinstance(value, dict):
            self.wrong(None, path, value, _("an object"))
            value = {}
        block = {}
        for name, inner in spec.items():
            found = value.get(name, _MISSING)
            if inner is not None:
                block[name] = self.organisation(found, inner, f"{path}.{name}")
            elif found is _MISSING:
                block[name] = ""
            elif not isinstance(found, str):
                self.wrong(None, f"{path}.{name}", found, _("text"))
                block[name] = ""
            else:
                block[name] = found
        self.unknown_keys(None, f"{path}.", value, spec)
        return block


def _is_iso_date(text: str) -> bool:
    try:
        return bool(ISO_DATE.fullmatch(text)) and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _is_country_code(value) -> bool:
    return isinstance(value, str) and len(value) == 2 and value.isupper() and value in countries


def _not_a_register() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This file is not a register exported by Registre: its JSON export is an object whose “format” "
            "is “%(format)s”."
        )
        % {"format": FORMAT}
    )


# No number of the register (a count of people, a duration) has more digits than this: a longer one is refused as
# it is read, before Python spends time on it (beyond 4,300 digits it would refuse to convert it at all).
MAX_DIGITS = 18


def _whole_number_reader(text: str):
    """``json.loads``'s reader of whole numbers, refusing one too long for the register, named by its place."""

    def read(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            offset = text.find(digits)
            line = text.count("\n", 0, offset) + 1
            column = offset - text.rfind("\n", 0, offset)
            raise UnreadableFile(
                _(
                    "This file holds a number of %(digits)s digits at line %(line)s, column %(column)s: no number "
                    "of a register is that long."
                )
                % {"digits": len(digits.lstrip("-")), "line": line, "column": column}
            )
        return int(digits)

    return read


def read_registre_json(data: bytes) -> Reading:
    """The register document of Registre's JSON export (``writers.write_json``), checked,
    every key filled, and the problems found in it.

    Raises ``UnreadableFile`` when the file is larger than 50 MB, is not UTF-8 JSON, is not
    Registre's register document, or comes from a newer version of Registre.
    """
    if len(data) > MAX_JSON_BYTES:
        raise UnreadableFile(
            _("This file is larger than %(size)s MB: Registre reads JSON exports of up to %(size)s MB.")
            % {"size": MAX_JSON_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
        content = json.loads(text, parse_int=_whole_number_reader(text))
    except UnicodeDecodeError as error:
        raise UnreadableFile(_("This file is not UTF-8 text: Registre's JSON export always is.")) from error
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            _("This file is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise UnreadableFile(_("This JSON is nested too deeply to be a register.")) from error
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise _not_a_register()
    version = content.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnreadableFile(
            _("This register has no valid “version”: expected a whole number, %(version)s for this Registre.")
            % {"version": VERSION}
        )
    if version > VERSION:
        raise UnreadableFile(
            _(
                "This register was exported by a newer version of Registre (format version %(found)s); this one "
                "reads up to version %(supported)s. Export it again from a Registre of the same version."
            )
            % {"found": version, "supported": VERSION}
        )
    activities = content.get("activities")
    if not isinstance(activities, list):
        raise UnreadableFile(_("This register has no list of activities (“activities”)."))
    checker = _JsonChecker()
    document = {key: content.get(key) for key in HEADER[:6]}
    document["organisation"] = checker.organisation(content.get("organisation"))
    document["activities"] = []
    first_rows = {}  # a reference's matching key -> the rank of the activity that has it
    for row, item in enumerate(activities, start=1):
        activity = checker.activity(item, row)
        if activity is None:
            continue
        key = _key(activity["reference"] or "")
        if key and key in first_rows:
            message = _("The reference “%(reference)s” is already the one of row %(row)s: each activity needs its own.")
            checker.error(row, "reference", message % {"reference": activity["reference"], "row": first_rows[key]})
            continue
        first_rows.setdefault(key, row)
        document["activities"].append(activity)
    checker.unknown_keys(None, "", content, HEADER)
    return Reading(document, [*checker.problems, *checker.warnings()])
