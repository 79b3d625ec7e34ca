"""The compliance check of an organisation: run every rule, keep the findings in step.

Idempotent: a problem found again keeps its finding (acknowledged or accepted, it stays so);
a problem that comes back reopens its finding; a finding whose problem is gone is resolved.
Running the check twice changes nothing but each finding's "last seen". Set-based: a fixed
number of queries whatever the size of the register.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Organisation

from .models import Finding
from .rules import load

CHANGED_FIELDS = ["status", "severity", "params", "resolved_at", "status_changed_by", "justification", "updated_at"]


@dataclass
class CheckResult:
    opened: list = field(default_factory=list)
    reopened: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    unchanged: int = 0


def check_organisation(organisation: Organisation, *, today: datetime.date | None = None) -> CheckResult:
    """Run every rule on the organisation's register as of ``today`` and record the result."""
    today = today or timezone.localdate()
    rules = load()
    found = {}
    for rule in rules.values():
        for hit in rule.find(organisation, today):
            content_type = ContentType.objects.get_for_model(hit.model)
            found[(rule.code, content_type.pk, hit.pk)] = (rule, hit.params)

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
