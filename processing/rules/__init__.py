"""The compliance rules: what the checks look for in a register, one module per family.

Each rule has a stable code, a severity, the article it enforces, a message that says what
is wrong and what to do (translated when shown, filled with the finding's ``params``), the
form section that fixes it, and a function that finds every object of an organisation that
breaks it — set-based: a few queries for the whole register, whatever its size.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise

from inventory.models import country_name


@dataclass(frozen=True)
class Hit:
    """An object that breaks a rule, and what the message needs to name."""

    model: type[Model]
    pk: int
    params: dict


@dataclass(frozen=True)
class Rule:
    code: str
    family: str  # "transfers", "retention" or "data"
    severity: str  # processing.models.Finding.Severity
    article: str
    message: Promise  # with %(…)s placeholders filled by ``render``
    section: str  # the activity form's section that fixes it
    find: Callable[[object, datetime.date], Iterable[Hit]]

    def render(self, params: dict, language: str | None = None) -> str:
        """The message, in the active language, naming countries in it too."""
        values = dict(params)
        if "destinations" in values:
            values["destinations"] = ", ".join(
                f"{country_name(code, language)}{f' ({importer})' if importer else ''}"
                for code, importer in values["destinations"]
            )
        return str(self.message) % values


RULES: dict[str, Rule] = {}


def rule(code, *, family, severity, article, message, section):
    """Register the decorated function as the finder of a rule."""

    def register(find):
        RULES[code] = Rule(code, family, severity, article, message, section, find)
        return find

    return register


def load() -> dict[str, Rule]:
    """Every rule (importing the families registers them)."""
    from . import data, retention, transfers  # noqa: F401

    return RULES
