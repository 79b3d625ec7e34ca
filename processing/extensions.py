"""What the apps above the register show on its pages, without the register importing them.

The register list badges each activity with its open findings and filters on them, and the record page knows whether
there are any: the compliance watch, which keeps the findings, says from its ``AppConfig.ready()`` what an activity's
open findings are (``watch_findings``). The register's queries include them as database expressions on the activity's
key, so they cost no query of their own. With nothing watching the register, there are none.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class Findings:
    of_activity: Callable[[object], QuerySet]  # the open findings of the activity whose key is given (an OuterRef)
    page: Callable[[object], Callable[[int], str]]  # organisation -> (an activity's key -> the page of its findings)
    by_section: Callable[[object], dict[str, int]]  # an activity -> its open findings per section of its form


_watch: Findings | None = None


def watch_findings(findings: Findings) -> None:
    global _watch  # set once, by the app that keeps the findings, when it is ready
    _watch = findings


def has_open_findings():
    """Whether the activity of the query has findings to deal with: an expression."""
    if _watch is None:
        return Value(False, output_field=BooleanField())
    return Exists(_watch.of_activity(OuterRef("pk")))


def open_findings_count():
    """How many findings the activity of the query has to deal with: an expression."""
    if _watch is None:
        return Value(0, output_field=IntegerField())
    findings = _watch.of_activity(OuterRef("pk"))
    # COUNT as a plain function, not an aggregate: one row, no GROUP BY, whatever the model.
    counted = findings.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def findings_page(organisation) -> Callable[[int], str] | None:
    """A function from an activity's key to the page of its findings (None with nothing watching the register)."""
    return None if _watch is None else _watch.page(organisation)


def findings_by_section(activity) -> dict[str, int]:
    """How many findings to deal with the activity has, per section of its form that fixes them (one query)."""
    return {} if _watch is None else _watch.by_section(activity)
