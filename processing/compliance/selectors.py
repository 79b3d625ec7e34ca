"""Reading findings: the organisation's list with its filters, and an activity's own."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import Job
from inventory.models import System
from processing.compliance.models import Finding
from processing.compliance.rechecks import breach_check_key, recheck_key, run_key
from processing.compliance.rules.registry import FAMILY_LABELS, load
from processing.forms import SECTION_KEYS
from processing.models import ProcessingActivity

ACTIVE = (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED)
SEVERITY_ORDER = {Finding.Severity.HIGH: 0, Finding.Severity.MEDIUM: 1, Finding.Severity.LOW: 2}
# Open first, then acknowledged (still to deal with), then those dealt with: risk accepted, resolved.
STATUS_ORDER = {
    Finding.Status.OPEN: 0,
    Finding.Status.ACKNOWLEDGED: 1,
    Finding.Status.RISK_ACCEPTED: 2,
    Finding.Status.RESOLVED: 2,
}


def _rank(field: str, order: dict) -> Case:
    return Case(*(When(**{field: value}, then=Value(rank)) for value, rank in order.items()), default=Value(9))


def findings_in_order(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings as the DPO deals with them: by status (open, acknowledged, then accepted or resolved), by severity
    (high, medium, low: not the labels' alphabet), then the oldest first detected first — the problem left
    standing longest comes first."""
    return findings.order_by(
        _rank("status", STATUS_ORDER), _rank("severity", SEVERITY_ORDER), "first_detected_at", "pk"
    )


class Shown:
    """A finding as the pages show it: its rule's message in the reader's language, and the
    object it concerns with the link that fixes it."""

    def __init__(self, finding, organisation, subject=None):
        self.finding = finding
        self.rule = load().get(finding.rule)
        self.subject = subject
        self.slug = organisation.slug

    @property
    def message(self) -> str:
        return self.rule.render(self.finding.params) if self.rule else self.finding.rule

    @property
    def subject_label(self) -> str:
        if isinstance(self.subject, ProcessingActivity):
            return f"{self.subject.reference} · {self.subject.name}"
        if isinstance(self.subject, System):
            return _("System: %(name)s") % {"name": self.subject.name}
        if hasattr(self.subject, "finding_label"):  # a breach, say: other apps name their own
            return self.subject.finding_label()
        return str(self.subject or "—")

    @property
    def subject_url(self) -> str | None:
        if isinstance(self.subject, ProcessingActivity):
            return reverse("processing:activity_detail", args=[self.slug, self.subject.pk])
        if isinstance(self.subject, System):  # every role reads a system's history page
            return reverse("inventory:item_history", args=[self.slug, "systems", self.subject.pk])
        if hasattr(self.subject, "get_absolute_url"):
            return self.subject.get_absolute_url()
        return None

    @property
    def fix_url(self) -> str | None:
        """The form section that fixes it (an archived activity is restored first)."""
        section = self.rule.section if self.rule else ""
        if isinstance(self.subject, ProcessingActivity) and self.subject.status != ProcessingActivity.Status.ARCHIVED:
            if section in SECTION_KEYS:
                return reverse("processing:activity_edit_section", args=[self.slug, self.subject.pk, section])
            return reverse("processing:activity_edit", args=[self.slug, self.subject.pk])
        if isinstance(self.subject, System) and self.subject.archived_at is None:
            return reverse("inventory:item_edit", args=[self.slug, "systems", self.subject.pk]) + f"#id_{section}"
        if hasattr(self.subject, "finding_fix_url"):
            return self.subject.finding_fix_url(section)
        return None


def shown(findings, organisation) -> list[Shown]:
    """Findings with their subjects, in one query per kind of subject."""
    findings = list(findings)
    by_type = {}
    for finding in findings:
        by_type.setdefault(finding.subject_type_id, set()).add(finding.subject_id)
    subjects = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for subject in model._default_manager.filter(pk__in=ids):
            if getattr(subject, "organisation_id", None) == organisation.pk:
                subject.organisation = organisation  # its links name it: no query per subject
            subjects[(type_id, subject.pk)] = subject
    return [
        Shown(finding, organisation, subjects.get((finding.subject_type_id, finding.subject_id)))
        for finding in findings
    ]


def activity_findings(activity: ProcessingActivity) -> list[Shown]:
    """The activity's findings still to deal with, most severe first."""
    if not getattr(activity, "has_open_findings", True):  # known already: no query
        return []
    return subject_findings(activity)


def open_findings_of_activity(activity_key) -> QuerySet[Finding]:
    """The findings still to deal with of the activity whose key is given (an ``OuterRef`` in the register's query)."""
    return Finding.objects.filter(
        subject_type=ContentType.objects.get_for_model(ProcessingActivity), subject_id=activity_key, status__in=ACTIVE
    )


def page_url(organisation, name: str, **query) -> str:
    """The address of one of the organisation's pages, with the query (values None left out)."""
    base = reverse(name, args=[organisation.slug])
    query = {key: value for key, value in query.items() if value is not None}
    return f"{base}?{urlencode(query)}" if query else base


def activity_findings_page(organisation) -> Callable[[int], str]:
    """A function from an activity's key to the findings page filtered on it."""
    page = reverse("compliance:finding_list", args=[organisation.slug])
    return lambda pk: f"{page}?activity={pk}"


def activity_findings_by_section(activity) -> dict[str, int]:
    """The activity's findings to deal with, counted per section of its form that fixes them."""
    rules = load()
    counts = {}
    for code in open_findings_of_activity(activity.pk).values_list("rule", flat=True):
        section = rules[code].section if code in rules else ""
        counts[section] = counts.get(section, 0) + 1
    return counts


def activity_findings_panel(context) -> dict:
    """The record page's findings (none on the register as of a day, which shows no findings)."""
    if context.get("as_of"):
        return {"findings": []}
    activity = context["activity"]
    return {
        "findings": activity_findings(activity),
        "all_findings_url": page_url(
            context["organisation"], "compliance:finding_list", activity=activity.pk, status=""
        ),
        "all_findings_label": _("All findings of this activity"),
    }


def system_findings_panel(context) -> dict:
    """A system's findings on its catalogue pages (the register's rules find none on other catalogue entries)."""
    if context["kind"].slug != "systems":
        return {"findings": []}
    return {
        "findings": subject_findings(context["item"]),
        "all_findings_url": page_url(context["organisation"], "compliance:finding_list", kind="system", status=""),
        "all_findings_label": _("Findings on systems"),
    }


def subject_findings(subject) -> list[Shown]:
    """The findings still to deal with of an activity or a system, most severe first."""
    subject_type = ContentType.objects.get_for_model(type(subject))
    findings = Finding.objects.filter(
        organisation_id=subject.organisation_id, subject_type=subject_type, subject_id=subject.pk, status__in=ACTIVE
    )
    ordered = sorted(findings, key=lambda finding: (SEVERITY_ORDER.get(finding.severity, 9), finding.rule))
    return [Shown(finding, subject.organisation, subject) for finding in ordered]


@dataclass(frozen=True)
class CatalogueRule:
    code: str
    description: str  # its message, the parts a finding fills in shown as "…"
    article: str
    source: str
    severity: str
    severity_label: str
    open_count: int
    findings_url: str


def rule_catalogue(organisation) -> list[tuple[str, list[CatalogueRule]]]:
    """Every rule the checks apply, by family: what it checks, its article and source, its severity, and how many of
    the organisation's findings under it are still to deal with (one query)."""
    counts = dict(
        Finding.objects.filter(organisation=organisation, status__in=ACTIVE)
        .values("rule")
        .annotate(count=Count("pk"))
        .values_list("rule", "count")
    )
    severities = dict(Finding.Severity.choices)
    families = {}
    for code, each in sorted(load().items(), key=lambda item: (SEVERITY_ORDER[item[1].severity], item[0])):
        families.setdefault(each.family, []).append(
            CatalogueRule(
                code=code,
                description=each.render({}),
                article=each.article,
                source=str(each.source),
                severity=each.severity,
                severity_label=str(severities[each.severity]),
                open_count=counts.get(code, 0),
                findings_url=page_url(organisation, "compliance:finding_list", rule=code, status="active"),
            )
        )
    return [(str(FAMILY_LABELS.get(family, family)), families[family]) for family in sorted(families)]


# A check waiting longer than this for a worker is said to wait (the task queue or the workers are away).
WAITING_NOTICE_AFTER = datetime.timedelta(minutes=1)


def checks_waiting(organisation) -> int:
    """How many of the organisation's checks are written in the outbox and wait for a worker for over a minute."""
    keys = [recheck_key(organisation.pk), run_key(organisation.pk), breach_check_key(organisation.pk)]
    since = timezone.now() - WAITING_NOTICE_AFTER
    return Job.objects.filter(key__in=keys, status=Job.Status.PENDING, created_at__lt=since).count()
