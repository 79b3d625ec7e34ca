"""The document's fields as the readers check them: each with its model field, its
labels in every language and its choices."""

import dataclasses
import enum
import functools
import re

from django.utils.translation import gettext as _

from core.text import normalise_key
from processing.models import ProcessingActivity
from processing.reports.document import ACTIVITY_FIELDS, PART_FIELDS
from processing.reports.records import CONTROLLER
from processing.reports.tables import PART_MODELS, _model_field, column_of

REGISTER = "register"  # the kind of the controller's record sheet (the Register sheet); the other kinds are the parts
PROCESSOR_REGISTER = "processor_register"  # the processor's record sheet: the same fields under its own headings
REGISTER_KINDS = (REGISTER, PROCESSOR_REGISTER)
LISTED = 30  # labels quoted at most in a message saying what is expected
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _key(text: str) -> str:
    """A header's or a label's matching key: no case, no accents, either apostrophe."""
    return normalise_key(text.replace("’", "'"))


def _quoted(items) -> str:
    items = list(items)
    shown = ", ".join(f"“{item}”" for item in items[:LISTED])
    return shown + (", …" if len(items) > LISTED else "")


def too_long(text: str, max_length: int | None) -> str | None:
    """Why a text is refused for a field keeping at most ``max_length`` characters, or None. Issue #20: refused at
    reading, with its place, rather than by the database or at the end of the import."""
    if max_length is None or len(text) <= max_length:
        return None
    shown = text if len(text) <= 30 else f"{text[:30]}…"
    return _("“%(value)s” is too long: at most %(limit)d characters are kept here (it has %(length)d).") % {
        "value": shown,
        "limit": max_length,
        "length": len(text),
    }


# --- The fields of the document --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Field:
    """One key of an activity or of a part: its kind (as ``Column.kind``), its value when
    empty or missing, and its codes when it is a choice."""

    name: str
    kind: str
    default: object
    nullable: bool
    codes: tuple[str, ...] = ()
    max_length: int | None = None  # of a text

    def empty(self):
        return [] if self.kind == "countries" else self.default


def _field(models_: tuple, name: str) -> _Field:
    model_field = _model_field(models_, name)
    kind = column_of(models_, name).kind
    if kind == "countries":
        return _Field(name, kind, None, False)
    # The model's default: "" for text and choices, None where the field may be null, False
    # for yes-or-no, and the model's own default where it has one ("draft", "delete"…).
    codes = tuple(str(code) for code, _label in model_field.flatchoices) if model_field.choices else ()
    default = model_field.get_default()
    default = default.value if isinstance(default, enum.Enum) else default
    max_length = model_field.max_length if kind == "text" else None
    return _Field(name, kind, default, model_field.null, codes, max_length)


@functools.cache
def _fields() -> dict[str, dict[str, _Field]]:
    """The fields of an activity (under REGISTER) and of each part."""
    fields = {REGISTER: {name: _field((ProcessingActivity,), name) for name in ACTIVITY_FIELDS}}
    for part, names in PART_FIELDS.items():
        fields[part] = {name: _field(PART_MODELS[part], name) for name in names}
    return fields


def _fields_of(kind: str) -> dict[str, _Field]:
    """The fields a kind of sheet holds: both records' sheets hold an activity's."""
    return _fields()[REGISTER if kind in REGISTER_KINDS else kind]


@functools.cache
def _empty_values(kind: str) -> tuple[dict, dict[str, _Field]]:
    """An empty activity's or row's values, in the order of its fields, to be copied, and the fields whose empty value
    is a list, which each copy needs made anew (``_empty``): the 100,000 rows of a register of 5,000 activities are
    each read into a copy (building every value again was a sixth of reading the part sheets)."""
    own = {name: field for name, field in _fields()[kind].items() if isinstance(field.empty(), list | dict)}
    return {name: field.empty() for name, field in _fields()[kind].items()}, own


def _empty(kind: str) -> dict:
    """The empty values of an activity or a row, in the order of their fields: the shared ones copied, each list
    made anew in its place."""
    template, own = _empty_values(kind)
    values = template.copy()
    for name, field in own.items():
        values[name] = field.empty()
    return values


def _empty_activity() -> dict:
    return _empty(REGISTER) | {"record": CONTROLLER} | {part: [] for part in PART_FIELDS}


def _empty_row(part: str) -> dict:
    return _empty(part)
