"""The compliance check of an organisation: run every rule, keep the findings in step.

Idempotent: a problem found again keeps its finding (acknowledged or accepted, it stays so);
a problem that comes back reopens its finding; a finding whose problem is gone is resolved.
Running the check twice changes nothing but each finding's "last seen". Set-based: a fixed
number of queries whatever the size of the register.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organisation
from core.errors import field_error

from .models import Finding
from .rules import load

CHANGED_FIELDS = ["status", "severity", "params", "resolved_at", "status_changed_by", "justification", "updated_at"]


@dataclass
class CheckResult:
    opened: list = field(default_factory=list)
    reopened: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    unchanged: int = 0


def check_organisation(
    organisation: Organisation,
    *,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CheckResult:
    """Run every rule on the organisation's register as of ``today`` and record the result.

    ``progress(done, total)`` is told after each rule, so that a run can show how far it is;
    the findings are written at the end, in one transaction.
    """
    today = today or timezone.localdate()
    rules = load()
    total = len(rules)
    found = {}
    for done, rule in enumerate(rules.values(), start=1):
        for hit in rule.find(organisation, today):
            content_type = ContentType.objects.get_for_model(hit.model)
            found[(rule.code, content_type.pk, hit.pk)] = (rule, hit.params)
        if progress is not None:
            progress(done, total)

    now = timezone.now()
    result = CheckResult()
    with transaction.atomic():
        existing = {
            (finding.rule, finding.subject_type_id, finding.subject_id): finding
            for finding in Finding.objects.select_for_update().filter(organisation=organisation)
        }
        new, changed, seen = [], [], []
        for key, (rule, params) in found.items():
            finding = existing.get(key)
            if finding is None:
                code, subject_type, subject_id = key
                new.append(
                    Finding(
                        organisation=organisation,
                        rule=code,
                        subject_type_id=subject_type,
                        subject_id=subject_id,
                        severity=rule.severity,
                        params=params,
                        first_detected_at=now,
                        last_seen_at=now,
                    )
                )
                continue
            seen.append(finding.pk)
            before = (finding.status, finding.severity, finding.params)
            if finding.status == Finding.Status.RESOLVED:
                finding.status, finding.resolved_at = Finding.Status.OPEN, None
                finding.status_changed_by, finding.justification = None, ""
                result.reopened.append(finding)
            finding.severity, finding.params = rule.severity, params
            if (finding.status, finding.severity, finding.params) != before:
                changed.append(finding)
            else:
                result.unchanged += 1
        for key, finding in existing.items():
            if key not in found and finding.status != Finding.Status.RESOLVED:
                finding.status, finding.resolved_at = Finding.Status.RESOLVED, now
                changed.append(finding)
                result.resolved.append(finding)
        if new:
            result.opened = bulk_create_with_history(new, Finding, batch_size=500)
        if changed:
            for finding in changed:
                finding.updated_at = now
            bulk_update_with_history(changed, Finding, CHANGED_FIELDS, batch_size=500)
        if seen:
            # Seen again: no history entry, nothing else changes.
            Finding.objects.filter(pk__in=seen).update(last_seen_at=now)
    return result


def finding_acknowledge(*, finding: Finding, user) -> Finding:
    """Someone has seen it and is dealing with it: it stays on the list until fixed."""
    if finding.status != Finding.Status.OPEN:
        raise field_error("status", _("Only an open finding can be acknowledged."), "not_open")
    finding.status, finding.status_changed_by = Finding.Status.ACKNOWLEDGED, user
    finding.save(update_fields=["status", "status_changed_by", "updated_at"])
    return finding


def finding_accept_risk(*, finding: Finding, user, justification: str) -> Finding:
    """The organisation accepts the risk, and says why: it leaves the list of things to deal
    with; if the problem disappears it is resolved, if it comes back after that, reopened."""
    justification = (justification or "").strip()
    if not justification:
        raise field_error("justification", _("Say why the risk is accepted."), "required")
    if finding.status not in (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED):
        raise field_error("status", _("This finding is not open."), "not_open")
    finding.status, finding.status_changed_by, finding.justification = Finding.Status.RISK_ACCEPTED, user, justification
    finding.save(update_fields=["status", "status_changed_by", "justification", "updated_at"])
    return finding
