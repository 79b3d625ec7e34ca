"""Background checks of the breach log (Celery): every few minutes, and after each change.

The checks are the compliance watch's (``processing.compliance.check.check_organisation``,
restricted to the breach rules), so a breach's findings have the same lifecycle as the
register's. When a deadline finding opens, comes back or becomes graver, in this check or
any other (a full sweep runs the breach rules too), the organisation's DPOs are emailed at
once (``processing.compliance.rules.registry.on_findings_raised``); a second run finds nothing new and sends
nothing.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from accounts.middleware import zone_of
from accounts.models import Membership, Organisation
from core import jobs
from core.mail import templated_email
from processing.compliance.check import CheckResult, check_organisation
from processing.compliance.rechecks import breach_check_key
from processing.compliance.rules.registry import family_rules, on_findings_raised
from processing.compliance.selectors import ACTIVE
from processing.compliance.tasks import CHECK_TASK

from .clock import State, breach_clock
from .models import Breach
from .rules import FAMILY, WARNING_RULES, deadline_subject

logger = logging.getLogger(__name__)


def organisations_to_check():
    """Those with a breach not closed, or a breach finding still to deal with."""
    return Organisation.objects.filter(
        Q(breaches__status__in=[Breach.Status.OPEN, Breach.Status.CONTAINED])
        | Q(findings__rule__in=family_rules(FAMILY), findings__status__in=ACTIVE)
    ).distinct()


@shared_task(name="breaches.check_breaches", **CHECK_TASK)
def check_breaches_task(organisation_id: int | None = None) -> dict:
    """Run the breach rules on one organisation (after a change to its log), or on every
    organisation that has something to check (the periodic run). One organisation's error
    is logged and does not stop the others'; the next run, minutes later, tries it again."""
    organisations = (
        Organisation.objects.filter(pk=organisation_id) if organisation_id is not None else organisations_to_check()
    )
    checked, failed, raised = [], [], 0
    for organisation in organisations:
        try:
            result = check_organisation(organisation, families={FAMILY})
        except Exception:
            if organisation_id is not None:
                raise  # a single check: Celery retries what is transient
            logger.exception("Breach check of organisation %s failed", organisation.pk)
            failed.append(organisation.pk)
            continue
        checked.append(organisation.pk)
        raised += len(result.opened) + len(result.reopened) + len(result.escalated)
    return {"organisations": checked, "failed": failed, "raised": raised}


check_breaches = check_breaches_task


# --- The DPOs warned of a deadline ------------------------------------------------------


def deadline_breaches(result: CheckResult) -> list[int]:
    """The breaches whose deadline finding (towards the authority, or for a processor towards the
    controller) opened, came back or became graver in a check."""
    breach_ids = {subject_id for code, _type, subject_id in result.opened if code in WARNING_RULES}
    breach_ids |= {
        finding.subject_id for finding in [*result.reopened, *result.escalated] if finding.rule in WARNING_RULES
    }
    return sorted(breach_ids)


def warn_dpos_of_deadlines(organisation, result: CheckResult) -> None:
    """Once a check has committed: send the warnings its deadline findings call for."""
    breach_ids = deadline_breaches(result)
    if breach_ids:
        jobs.enqueue("breaches.send_deadline_warnings", organisation.pk, breach_ids)


on_findings_raised(FAMILY, warn_dpos_of_deadlines)


# A mail server briefly unavailable: the outbox tries the job again, with back-off (``core.jobs.TRANSIENT``).
@shared_task(name="breaches.send_deadline_warnings")
def send_deadline_warnings(organisation_id: int, breach_ids: list[int]) -> int:
    """Email each DPO of the organisation (active, with an address) about each breach, in
    their language and time zone. Returns how many emails were sent."""
    breaches = list(
        Breach.objects.filter(organisation_id=organisation_id, pk__in=breach_ids)
        .select_related("organisation")
        .order_by("aware_at", "pk")
    )
    if not breaches:
        return 0
    dpos = (
        Membership.objects.filter(organisation_id=organisation_id, role=Membership.Role.DPO, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for membership in dpos:
        user = membership.user
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone_of(user)):
            for breach in breaches:
                _deadline_email(breach, user).send()
                sent += 1
    return sent


def _deadline_email(breach: Breach, user):
    clock = breach_clock(breach)
    slug = breach.organisation.slug
    context = {
        "breach": breach,
        "clock": clock,
        "notified_late": clock.state == State.NOTIFIED_LATE,
        "user": user,
        "url": settings.SITE_URL + breach.get_absolute_url(),
        # For a processor, the same draft is the notice to the controller (Art. 33(2)).
        "draft_url": settings.SITE_URL + reverse("breaches:notification_draft", args=[slug, breach.pk]),
        "edit_url": settings.SITE_URL + breach.finding_fix_url("facts" if breach.as_processor else "authority"),
        "organisation": breach.organisation,
    }
    return templated_email(
        subject=deadline_subject(breach.reference, notified=context["notified_late"], processor=breach.as_processor),
        template="breaches/email/deadline",
        context=context,
        to=user.email,
    )


# --- After a change to the log ------------------------------------------------------------


def check_breaches_after_commit(organisation_id: int) -> None:
    """Check the organisation's breaches once this transaction commits: one job, however many changes wait for it."""
    jobs.enqueue("breaches.check_breaches", organisation_id, key=breach_check_key(organisation_id))
