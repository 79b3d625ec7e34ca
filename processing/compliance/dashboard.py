"""The organisation at a glance: the figures of its home page, each with the list behind it.

Every figure is one aggregate query (the trend one per month shown), so the page costs the
same whatever the size of the register. Charts are drawn server-side as SVG from
``Chart`` rows; each chart also reads as a table.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inventory.models import SystemCountry, country_name
from processing.completeness import missing_items, organisation_facts
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load
from processing.compliance.selectors import ACTIVE, SEVERITY_ORDER, page_url
from processing.models import ProcessingActivity

TREND_MONTHS = 6


@dataclass
class Bar:
    label: str
    value: int
    url: str
    percent: float = 0  # of the chart's largest value, for the bar's length
    tone: str = ""  # a CSS class: "high", "eea", …


@dataclass
class Chart:
    title: object
    bars: list[Bar] = field(default_factory=list)
    total_url: str = ""

    def __post_init__(self):
        self.scale()

    def scale(self):
        top = max((bar.value for bar in self.bars), default=0)
        for bar in self.bars:
            bar.percent = round(100 * bar.value / top, 1) if top else 0
        return self

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def height(self) -> int:
        return 34 * len(self.bars)


def findings_by_severity(organisation) -> Chart:
    counts = dict(
        Finding.objects.filter(organisation=organisation, status__in=ACTIVE)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    return Chart(
        _("Open findings by severity"),
        [
            Bar(
                str(label),
                counts.get(value, 0),
                page_url(organisation, "compliance:finding_list", status="active", severity=value),
                tone=value,
            )
            for value, label in sorted(Finding.Severity.choices, key=lambda choice: SEVERITY_ORDER[choice[0]])
        ],
        page_url(organisation, "compliance:finding_list", status="active"),
    )


def findings_by_rule(organisation) -> Chart:
    rules = load()
    counts = (
        Finding.objects.filter(organisation=organisation, status__in=ACTIVE)
        .values("rule")
        .annotate(n=Count("pk"))
        .order_by("-n", "rule")
    )
    return Chart(
        _("Open findings by rule"),
        [
            Bar(
                _("Art. %(article)s · %(title)s")
                % {"article": rules[row["rule"]].article, "title": rules[row["rule"]].label}
                if row["rule"] in rules
                else row["rule"],
                row["n"],
                page_url(organisation, "compliance:finding_list", status="active", rule=row["rule"]),
            )
            for row in counts
        ],
    )


def activities_by(organisation, field_name: str, choices, title, *, status: str | None = None) -> Chart:
    """Activities (of one ``status``, or all) counted by the values of ``field_name``."""
    queryset = ProcessingActivity.objects.filter(organisation=organisation)
    if status is not None:
        queryset = queryset.filter(status=status)
    counts = dict(queryset.values_list(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))
    return Chart(
        title,
        [
            Bar(
                str(label),
                counts[value],
                page_url(organisation, "processing:activity_list", **{"status": status, field_name: value}),
            )
            for value, label in choices
            if counts.get(value)
        ],
    )


def storage(organisation) -> Chart:
    """Countries where the active activities' systems store data, by number of activities."""
    active = ProcessingActivity.objects.filter(organisation=organisation, status=ProcessingActivity.Status.ACTIVE)
    rows = (
        SystemCountry.objects.filter(system__activities__in=active)
        .values("country_id", "country__is_eea")
        .annotate(n=Count("system__activities", distinct=True))
        .order_by("-n", "country_id")
    )
    bars = []
    for row in rows:
        inside = row["country__is_eea"]
        # Translated outside the f-string: xgettext does not see inside one (the catalogue lacked "EEA").
        where = _("EEA") if inside else _("outside the EEA")
        label = f"{country_name(row['country_id'], get_language())} · {where}"
        url = page_url(
            organisation, "processing:activity_list", status=ProcessingActivity.Status.ACTIVE, country=row["country_id"]
        )
        bars.append(Bar(label, row["n"], url, tone="eea" if inside else "outside"))
    return Chart(_("Where the active activities store data (activities per country)"), bars)


@dataclass
class Completeness:
    active: int
    drafts: int
    drafts_ready: int
    url_active: str
    url_drafts: str

    @property
    def current(self) -> int:
        return self.active + self.drafts

    @property
    def complete(self) -> int:
        return self.active + self.drafts_ready

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.current) if self.current else 100


def completeness(organisation) -> Completeness:
    """An active activity is complete by rule (it cannot lose a mandatory item); a draft is
    ready when it lacks nothing: read in two queries, whatever the number of drafts."""
    status = ProcessingActivity.Status
    active = ProcessingActivity.objects.filter(organisation=organisation, status=status.ACTIVE).count()
    facts = organisation_facts(organisation.pk, status.DRAFT)
    drafts = ProcessingActivity.objects.filter(pk__in=facts) if facts else []
    ready = 0
    for draft in drafts:
        draft.organisation = organisation
        ready += not missing_items(draft, facts[draft.pk])
    return Completeness(
        active=active,
        drafts=len(facts),
        drafts_ready=ready,
        url_active=page_url(organisation, "processing:activity_list", status=status.ACTIVE),
        url_drafts=page_url(organisation, "processing:activity_list", status=status.DRAFT),
    )


def month_ends(today: datetime.date, months: int) -> list[datetime.date]:
    """The last day of each of the ``months - 1`` previous months, then today."""
    ends = []
    year, month = today.year, today.month
    for _step in range(months - 1):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        ends.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
    return [*reversed(ends), today]


def findings_trend(organisation, today: datetime.date | None = None) -> Chart:
    """Open findings at the end of each of the last months, from the findings' history."""

    today = today or timezone.localdate()
    history = Finding.history.model.objects.filter(organisation_id=organisation.pk)
    bars = []
    for end in month_ends(today, TREND_MONTHS):
        moment = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
        latest = history.filter(history_date__lte=moment).values("id").annotate(last=Max("history_id")).values("last")
        count = history.filter(history_id__in=latest, status__in=ACTIVE).exclude(history_type="-").count()
        label = str(_("today")) if end == today else date_format(end, "YEAR_MONTH_FORMAT")
        bars.append(Bar(label, count, page_url(organisation, "compliance:finding_list", status="active")))
    return Chart(_("Open findings, month by month"), bars)


def dashboard(organisation) -> dict:
    return {
        "completeness": completeness(organisation),
        "charts": [
            findings_by_severity(organisation),
            findings_by_rule(organisation),
            findings_trend(organisation),
            activities_by(organisation, "status", ProcessingActivity.Status.choices, _("Activities by status")),
            activities_by(
                organisation,
                "lawful_basis",
                ProcessingActivity.LawfulBasis.choices,
                _("Active activities by lawful basis (Art. 6)"),
                status=ProcessingActivity.Status.ACTIVE,
            ),
            storage(organisation),
        ],
    }
