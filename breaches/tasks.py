"""Background checks of the breach log (Celery): every few minutes, and after each change.

The checks are the compliance watch's (``processing.compliance.check_organisation``,
restricted to the breach rules), so a breach's findings have the same lifecycle as the
register's. When a deadline finding opens, comes back or becomes graver, the
organisation's DPOs are emailed at once; a second run finds nothing new and sends nothing.
"""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from accounts.models import Membership, Organisation
from core.mail import templated_email
from processing.compliance import check_organisation
from processing.digest import user_zone
from processing.findings import ACTIVE
from processing.tasks import CHECK_TASK

from .clock import breach_clock
from .models import Breach
from .rules import DEADLINE_RULES, FAMILY, deadline_subject


def organisations_to_check():
    """Those with a breach not closed, or a breach finding still to deal with."""
    return Organisation.objects.filter(
        Q(breaches__status__in=[Breach.Status.OPEN, Breach.Status.CONTAINED])
        | Q(findings__rule__startswith="breach.", findings__status__in=ACTIVE)
    ).distinct()


@shared_task(name="breaches.check_breaches", **CHECK_TASK)
def check_breaches_task(organisation_id: int | None = None) -> dict:
    organisations = (
        Organisation.objects.filter(pk=organisation_id) if organisation_id is not None else organisations_to_check()
    )
    checked, emails = [], 0
    for organisation in organisations:
        result = check_organisation(organisation, families={FAMILY})
        emails += warn_dpos(organisation, result)
        checked.append(organisation.pk)
    return {"organisations": checked, "emails": emails}


def warn_dpos(organisation: Organisation, result) -> int:
    """Email the DPOs about each breach whose deadline finding opened, came back or became
    graver in this check. Returns how many emails were sent."""
    breach_ids = {subject_id for code, _type, subject_id in result.opened if code in DEADLINE_RULES}
    breach_ids |= {
        finding.subject_id for finding in [*result.reopened, *result.escalated] if finding.rule in DEADLINE_RULES
    }
    if not breach_ids:
        return 0
    breaches = list(Breach.objects.filter(organisation=organisation, pk__in=breach_ids).order_by("aware_at"))
    dpos = (
        Membership.objects.filter(organisation=organisation, role=Membership.Role.DPO, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    sent = 0
    for membership in dpos:
        user = membership.user
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(user_zone(user)):
            for breach in breaches:
                _deadline_email(breach, user).send()
                sent += 1
    return sent


def _deadline_email(breach: Breach, user):
    context = {
        "breach": breach,
        "clock": breach_clock(breach),
        "user": user,
        "url": settings.SITE_URL + breach.get_absolute_url(),
        "draft_url": settings.SITE_URL + breach.get_absolute_url() + "notification/",
        "organisation": breach.organisation,
    }
    return templated_email(
        subject=deadline_subject(breach.reference), template="breaches/email/deadline", context=context, to=user.email
    )


class _Check:
    """The on-commit callback that checks one organisation's breaches (once per transaction)."""

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id
        self.done = False

    def __call__(self):
        self.done = True
        check_breaches_task.delay(self.organisation_id)


def check_breaches_after_commit(organisation_id: int) -> None:
    connection = transaction.get_connection()
    for entry in getattr(connection, "run_on_commit", []):
        if isinstance(entry[1], _Check) and entry[1].organisation_id == organisation_id and not entry[1].done:
            return
    transaction.on_commit(_Check(organisation_id))
