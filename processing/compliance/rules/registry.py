"""The compliance rules: what the checks look for in a register, one module per family.

Each rule has a stable code, a severity, the article it enforces, a message that says what
is wrong and what to do (translated when shown, filled with the finding's ``params``), the
form section that fixes it, and a function that finds every object of an organisation that
breaks it — set-based: a few queries for the whole register, whatever its size.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.dates import day_text, iso_day
from core.text import duration_text, kept_text
from inventory.models import DataField, System, country_name
from processing.models import ProcessingActivity


@dataclass(frozen=True)
class Hit:
    """An object that breaks a rule, and what the message needs to name."""

    model: type[Model]
    pk: int
    params: dict
    severity: str | None = None  # the rule's, unless this object's case is graver


@dataclass(frozen=True)
class Rule:
    code: str
    family: str  # "transfers", "retention" or "data"
    severity: str  # processing.models.Finding.Severity
    article: str
    message: Promise  # with %(…)s placeholders filled by ``render``
    section: str  # the activity form's section that fixes it
    find: Callable[[object, datetime.date], Iterable[Hit]]
    # Its findings concern activities, each on its own: a check of some activities runs it on
    # them alone. A rule on a system weighs every activity storing data there (``per_system``):
    # a check of some activities runs it on the systems they touch, with all their activities.
    per_activity: bool = True
    # Its findings may change when activities change (a register rule); a rule on breaches
    # does not, and runs in the full sweep and the breach checks only.
    reads_register: bool = True
    # Turns a finding's params into the words of its message (for families outside processing).
    describe: Callable[[dict], dict] | None = None
    # Where the rule comes from beyond the GDPR's article: a judgment, a guideline, an authority's list.
    source: Promise | str = ""
    # A few words naming the rule for a reader (filters, charts), translated when shown; its code if none.
    title: Promise | str = ""
    # Its findings concern systems, each weighing the activities storing data there (``current_systems``).
    per_system: bool = False

    @property
    def label(self) -> str:
        """The rule's title in the reader's language (its code when it has none)."""
        return str(self.title) if self.title else self.code

    def render(self, params: dict, language: str | None = None) -> str:
        """The message, in the active language, naming countries in it too."""
        values = dict(params)
        if self.describe is not None:
            values = self.describe(values)
        language = language or get_language()  # the cache of names is keyed by language
        if "destinations" in values:
            values["destinations"] = ", ".join(
                f"{country_name(code, language)}{f' ({importer})' if importer else ''}"
                for code, importer in values["destinations"]
            )
        if "kept" in values:
            values["kept"] = kept_text(values["kept"])
        if "categories" in values:
            values["categories"] = ", ".join(str(category_label(code)) for code in values["categories"])
        if "reasons" in values:
            values["reasons"] = "; ".join(reason_text(*reason) for reason in values["reasons"])
        if "periods" in values:
            values["periods"] = "; ".join(period_text(*period) for period in values["periods"])
        # Params are stored as JSON, so a day is an ISO date ("2026-11-03"): the reader sees it
        # as their language writes dates ("3 Nov 2026", « 3 nov. 2026 »).
        for key, value in values.items():
            if isinstance(value, str) and iso_day(value):
                values[key] = day_text(value)
        # A finding recorded before its rule's message changed may lack a placeholder's value
        # until the next check: show "…" rather than fail.
        return str(self.message) % defaultdict(lambda: "…", values)


def category_label(code: str):

    return dict(DataField.Category.choices).get(code, code)


def reason_text(code: str, count: int = 0) -> str:
    """Why an activity likely needs a DPIA (``data.dpia_missing``)."""
    if code == "criteria":
        return _("%(count)d of the EDPB's nine criteria") % {"count": count}
    if code == "special_large_scale":
        return _("special categories of data on a large scale, Art. 35(3)(b)")
    if code == "criminal_large_scale":
        return _("data relating to criminal convictions and offences on a large scale, Art. 35(3)(b)")
    if code == "cnil_list":
        return _("a type of processing on the CNIL's list of those requiring a DPIA (délibération 2018-327)")
    return _("automated decisions with legal or similarly significant effects, Art. 35(3)(a)")


def period_text(policy: str, kept: list, bound: str, limit: int, limit_unit: str) -> str:
    """A retention line against a policy's limit, as ``retention.*`` findings name it."""
    values = {"policy": policy, "kept": kept_text(kept), "limit": duration_text(limit, limit_unit)}
    if bound == "max":
        return _("%(policy)s: kept %(kept)s, at most %(limit)s") % values
    return _("%(policy)s: kept %(kept)s, at least %(limit)s") % values


RULES: dict[str, Rule] = {}


def rule(
    code,
    *,
    family,
    severity,
    article,
    message,
    section,
    per_activity=True,
    reads_register=True,
    describe=None,
    source="",
    title="",
    per_system=False,
):
    """Register the decorated function as the finder of a rule. Other apps register their
    families too (``breaches.rules``, from its AppConfig.ready), without processing knowing them."""

    def register(find):
        RULES[code] = Rule(
            code,
            family,
            severity,
            article,
            message,
            section,
            find,
            per_activity,
            reads_register,
            describe,
            source,
            title,
            per_system,
        )
        return find

    return register


# The families' names on the rules' catalogue page; another app names its own (``family_label``).
FAMILY_LABELS: dict[str, Promise] = {
    "transfers": gettext_lazy("Transfers outside the EEA (Chapter V)"),
    "retention": gettext_lazy("Retention and upkeep of the register"),
    "data": gettext_lazy("Lawful basis, sensitive data, DPIA and DPO"),
}


def family_label(family: str, label: Promise) -> None:
    FAMILY_LABELS[family] = label


@dataclass(frozen=True)
class SubjectKind:
    """A kind of object other apps' rules find problems on (a breach, say): the findings
    page's "Concerns" filter offers it, by its model's label, without processing importing it."""

    value: str  # in the filter's query string
    label: Promise
    app_label: str
    model: str  # lower case, as ContentType stores it


SUBJECT_KINDS: dict[str, SubjectKind] = {}


def subject_kind(value: str, *, label: Promise, model: str) -> None:
    """Register a kind of subject, ``model`` as "app_label.modelname"."""
    app_label, model_name = model.lower().split(".")
    SUBJECT_KINDS[value] = SubjectKind(value, label, app_label, model_name)


# What a family wants done at once when a check raises its findings: family → callbacks,
# each called as ``callback(organisation, result)`` (a ``processing.compliance.check.CheckResult``) once the
# check has committed — the breach log warns the DPOs of a deadline.
RAISED_LISTENERS: dict[str, list[Callable]] = {}


def on_findings_raised(family: str, callback: Callable) -> None:
    """Register ``callback`` for the findings of ``family`` that a check opens, reopens or
    makes graver (registering it twice keeps one)."""
    listeners = RAISED_LISTENERS.setdefault(family, [])
    if callback not in listeners:
        listeners.append(callback)


def family_rules(family: str) -> list[str]:
    """The codes of a family's rules."""
    return sorted(code for code, each in load().items() if each.family == family)


# The activities a check is restricted to (None: the whole register); read by
# ``current_activities``, the start of every per-activity rule's queries.
_ONLY: ContextVar[frozenset | None] = ContextVar("only_activities", default=None)


# The systems a check is restricted to (None: all), read by ``current_systems``.
_ONLY_SYSTEMS: ContextVar[frozenset | None] = ContextVar("only_systems", default=None)


@contextmanager
def _only(variable: ContextVar, ids: Collection[int]) -> Iterator[None]:
    token = variable.set(frozenset(ids))
    try:
        yield
    finally:
        variable.reset(token)


def only_activities(ids: Collection[int]):
    """While inside, per-activity rules look at these activities alone (consume their hits inside)."""
    return _only(_ONLY, ids)


def only_systems(ids: Collection[int]):
    """While inside, per-system rules look at these systems alone (consume their hits inside)."""
    return _only(_ONLY_SYSTEMS, ids)


def systems_restricted() -> bool:
    """Whether the check looks at some systems only (a re-check of what a change touched)."""
    return _ONLY_SYSTEMS.get() is not None


def current_systems(organisation):
    """The organisation's systems in use (not archived), or those of them a check is restricted to."""
    systems = System.objects.filter(organisation=organisation, archived_at__isnull=True)
    if (only := _ONLY_SYSTEMS.get()) is not None:
        systems = systems.filter(pk__in=only)
    return systems


def current_activities(organisation):
    """Activities that are part of the register (drafts and active ones, not archived), or
    those of them a check is restricted to."""

    activities = ProcessingActivity.objects.filter(organisation=organisation).exclude(
        status=ProcessingActivity.Status.ARCHIVED
    )
    if (only := _ONLY.get()) is not None:
        activities = activities.filter(pk__in=only)
    return activities


def load() -> dict[str, Rule]:
    """Every rule: the families register theirs when their app is ready (``ComplianceConfig.ready``)."""
    return RULES
