"""Cells of Registre's XLSX turned back into the document's values: texts, whole numbers,
dates, countries, yes and no, and labels of either language into their codes."""

import datetime
import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_countries import countries

from processing.reports.cnil import country_code
from processing.reports.document import PART_FIELDS
from processing.reports.records import PROCESSOR_RECORD
from processing.reports.registre_reader.fields import (
    ISO_DATE,
    PROCESSOR_REGISTER,
    REGISTER,
    _fields_of,
    _key,
    _quoted,
    too_long,
)
from processing.reports.tables import Column, part_columns, register_columns

# Words for yes and no besides the labels the export writes ("Yes", "Oui"…).
TRUE_WORDS = {"yes", "oui", "true", "vrai", "1"}
FALSE_WORDS = {"no", "non", "false", "faux", "0"}
DAY_FIRST_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
NAMED_COUNTRY = re.compile(r"(?s)(.*?)\s*\(([A-Za-z]{2})\)")


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def _text(value) -> str:
    """A cell as the text it shows: numbers without a useless ".0", dates in ISO."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _limited_text(value, max_length: int) -> str:
    text = _text(value)
    if len(text) > max_length:  # tested here first: the cells that fit, almost all, are not checked again
        raise _CellError(too_long(text, max_length))
    return text


# The largest whole number the register keeps (a count of people, a duration): the database's integer.
MAX_WHOLE_NUMBER = 2_147_483_647


def _whole_number(value) -> int:
    """3 from 3, 3.0 or "3"; refused: 2.5, -1, "three", a date or a yes-or-no, and a number larger than the register
    keeps (before Python converts a string of thousands of digits, which it refuses beyond 4,300)."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0*)?\s*", value):
        digits = value.strip().split(".")[0].lstrip("0")
        number = int(digits or "0") if len(digits) <= len(str(MAX_WHOLE_NUMBER)) else MAX_WHOLE_NUMBER + 1
    if number is not None and number > MAX_WHOLE_NUMBER:
        shown = _text(value).strip()
        shown = shown if len(shown) <= 20 else f"{shown[:20]}…"
        largest = number_format(MAX_WHOLE_NUMBER, force_grouping=True)
        raise _CellError(
            _("“%(value)s” is too large: the register keeps whole numbers up to %(largest)s.")
            % {"value": shown, "largest": largest}
        )
    if number is None or number < 0:
        raise _CellError(
            _("“%(value)s” is not a whole number: expected a whole number of 0 or more, such as 3.")
            % {"value": _text(value)}
        )
    return number


def _date(value) -> str:
    """An ISO date from a date cell, "2026-01-31" or "31/01/2026" (day first, as in Europe)."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = _text(value).strip()
    try:
        if ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text).isoformat()
        if match := DAY_FIRST_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise _CellError(
        _("“%(value)s” is not a date: expected a date such as 2026-01-31 (or 31/01/2026).") % {"value": _text(value)}
    )


def _country(text: str) -> str:
    """The ISO code of "France (FR)", "FR", "France" or "Allemagne"."""
    text = text.strip()
    match = NAMED_COUNTRY.fullmatch(text)
    if match and match.group(2).upper() in countries:
        return match.group(2).upper()
    code = country_code(text.upper() if len(text) == 2 else text)
    if code is None:
        raise _CellError(
            _(
                "“%(value)s” is not a country Registre knows: expected its name in English or French, "
                "or its ISO code, such as “France (FR)” or “FR”."
            )
            % {"value": text}
        )
    return code


class _Vocabulary:
    """Registre's export sheets in every language: the header of each kind of sheet, and
    every label a cell may hold (the labels of any language, and the codes themselves)."""

    def __init__(self):
        self.columns: dict[tuple[str, str], list[Column]] = {}
        yes, no = set(TRUE_WORDS), set(FALSE_WORDS)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                self.columns[(REGISTER, language)] = register_columns()
                self.columns[(PROCESSOR_REGISTER, language)] = register_columns(PROCESSOR_RECORD)
                for part in PART_FIELDS:
                    self.columns[(part, language)] = part_columns(part)
                yes.add(_key(_("Yes")))
                no.add(_key(_("No")))
        self.booleans = dict.fromkeys(no, False) | dict.fromkeys(yes, True)
        self.headers = {
            layout: {_key(column.header): column for column in columns} for layout, columns in self.columns.items()
        }
        self.labels: dict[tuple[str, str], dict[str, str]] = {}
        for (kind, _language), columns in self.columns.items():
            for column in columns:
                if column.kind in ("choice", "flags"):
                    words = self.labels.setdefault((kind, column.key), {})
                    for code, label in column.labels.items():
                        words.setdefault(_key(label), code)
        for (kind, name), words in self.labels.items():  # codes after every label: a label wins
            if name in _fields_of(kind) and _fields_of(kind)[name].kind == "choice":
                for code in _fields_of(kind)[name].codes:
                    words.setdefault(_key(code), code)

    def reader(self, kind: str, column: Column) -> Callable:
        """A function from a cell (not empty) to the document's value; ``_CellError`` if unreadable."""
        if column.kind == "text":
            if column.max_length is None:
                return _text
            return functools.partial(_limited_text, max_length=column.max_length)
        if column.kind == "number":
            return _whole_number
        if column.kind == "date":
            return _date
        if column.kind == "bool":
            return _cached(functools.partial(self._boolean, column=column))
        if column.kind == "country":
            return _cached(lambda value: _country(_text(value)))
        if column.kind == "countries":
            codes = _cached(self._countries)
            return lambda value: list(codes(value))  # a list of its own for each row
        if column.kind == "choice":
            return _cached(functools.partial(self._choice, words=self.labels[(kind, column.key)], column=column))
        if column.kind == "flags":
            return functools.partial(self._flags, words=self.labels[(kind, column.key)], column=column)
        raise ValueError(column.kind)  # summaries are not read

    def _boolean(self, value, column: Column) -> bool:
        if isinstance(value, bool):
            return value
        found = self.booleans.get(_key(_text(value)))
        if found is None:
            raise _CellError(
                _("“%(value)s” is neither yes nor no: expected “%(yes)s” or “%(no)s”.")
                % {"value": _text(value), "yes": column.cell(True), "no": column.cell(False)}
            )
        return found

    @staticmethod
    def _countries(value) -> list[str]:
        codes, unknown = set(), []
        for line in re.split(r"[\n;]", _text(value)):
            if line.strip():
                try:
                    codes.add(_country(line))
                except _CellError:
                    unknown.append(line.strip())
        if unknown:
            raise _CellError(
                _(
                    "%(values)s: not countries Registre knows. Expected one country a line, by its name in "
                    "English or French or its ISO code, such as “France (FR)” or “FR”."
                )
                % {"values": _quoted(unknown)}
            )
        return sorted(codes)

    @staticmethod
    def _choice(value, words: dict, column: Column) -> str:
        code = words.get(_key(_text(value)))
        if code is None:
            raise _CellError(
                _("“%(value)s” is not one of the choices for “%(column)s”: expected one of %(labels)s.")
                % {"value": _text(value), "column": column.header, "labels": _quoted(column.labels.values())}
            )
        return code

    @staticmethod
    def _flags(value, words: dict, column: Column) -> dict[str, bool]:
        flags = dict.fromkeys(column.labels, False)
        unknown = []
        for line in _text(value).split("\n"):
            if line.strip():
                name = words.get(_key(line))
                if name is None:
                    unknown.append(line.strip())
                else:
                    flags[name] = True
        if unknown:
            raise _CellError(
                _("%(values)s: not among the items of “%(column)s”. Expected one a line of %(labels)s.")
                % {"values": _quoted(unknown), "column": column.header, "labels": _quoted(column.labels.values())}
            )
        return flags


def _cached(read: Callable) -> Callable:
    """``read`` remembering its answers: a register repeats the same few labels a thousand times."""
    answers: dict = {}

    def cached(value):
        if not isinstance(value, str):
            return read(value)
        if value not in answers:
            answers[value] = read(value)
        return answers[value]

    return cached
