"""The daily digest: an email to each DPO of an organisation when findings appeared or
reopened, or reviews fall due, since their last digest; none when nothing changed.

Each DPO's digest covers the time since the previous one (``DigestSent``), so sending twice
repeats nothing. Digests fall due every day at ``DIGEST_HOUR_UTC``; an hourly planner writes one
outbox job per DPO whose digest is due (``plan_digests``), so a digest delayed by a fault goes as
soon as the fault ends. A review is announced once, a week before it falls due. The email is in the
DPO's language and time zone, as plain text and HTML, with links to the pages that fix each
item (``SITE_URL``).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.middleware import zone_of
from accounts.models import Membership, Organisation
from core import jobs
from core.mail import templated_email
from processing.compliance.models import DigestSent, Finding
from processing.compliance.rules.registry import current_activities
from processing.compliance.selectors import ACTIVE, SEVERITY_ORDER, Shown, shown
from processing.models import ProcessingActivity

REVIEW_NOTICE = datetime.timedelta(days=7)  # a review is announced this long before it falls due
FIRST_WINDOW = datetime.timedelta(days=1)  # a DPO's first digest looks back this far


@dataclass
class Digest:
    organisation: Organisation
    appeared: list[Shown]
    reopened: list[Shown]
    reviews_due: list[ProcessingActivity]

    def __bool__(self):
        return bool(self.appeared or self.reopened or self.reviews_due)


def digest_for(organisation: Organisation, since: datetime.datetime, until: datetime.datetime) -> Digest:
    """What changed in the organisation's findings and reviews between two moments."""
    findings = Finding.objects.filter(organisation=organisation, status__in=ACTIVE)
    appeared = findings.filter(first_detected_at__gt=since, first_detected_at__lte=until)
    history = Finding.history.model.objects
    before = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
    reopenings = (
        history.filter(organisation_id=organisation.pk, history_date__gt=since, history_date__lte=until)
        .filter(history_type="~", status=Finding.Status.OPEN)
        .annotate(previous=Subquery(before.values("status")[:1]))
        .filter(previous=Finding.Status.RESOLVED)
        .values("id")
    )
    reopened = findings.filter(pk__in=reopenings).exclude(first_detected_at__gt=since)
    first_day = timezone.localdate(since) + REVIEW_NOTICE
    last_day = timezone.localdate(until) + REVIEW_NOTICE
    reviews = current_activities(organisation).filter(next_review_on__gt=first_day, next_review_on__lte=last_day)

    def most_severe_first(queryset):
        rows = shown(queryset.order_by("rule", "pk"), organisation)
        return sorted(rows, key=lambda row: SEVERITY_ORDER.get(row.finding.severity, 9))

    return Digest(
        organisation=organisation,
        appeared=most_severe_first(appeared),
        reopened=most_severe_first(reopened),
        reviews_due=list(reviews.order_by("next_review_on", "reference")),
    )


def _absolute(path: str | None) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def _message(digest: Digest, user):
    organisation = digest.organisation
    context = {
        "user": user,
        "organisation": organisation,
        "digest": digest,
        "rows": [
            (title, [(row, _absolute(row.subject_url), _absolute(row.fix_url)) for row in rows])
            for title, rows in ((_("New findings"), digest.appeared), (_("Findings that came back"), digest.reopened))
            if rows
        ],
        "reviews": [
            (activity, _absolute(reverse("processing:activity_detail", args=[organisation.slug, activity.pk])))
            for activity in digest.reviews_due
        ],
        "findings_url": _absolute(reverse("compliance:finding_list", args=[organisation.slug]) + "?status=active"),
        "profile_url": _absolute(reverse("accounts:profile")),
    }
    subject = _("%(organisation)s: new findings %(new)d, back %(reopened)d, reviews due %(reviews)d") % {
        "organisation": organisation.name,
        "new": len(digest.appeared),
        "reopened": len(digest.reopened),
        "reviews": len(digest.reviews_due),
    }
    return templated_email(subject=subject, template="compliance/email/digest", context=context, to=user.email)


def _subscribers():
    return (
        Membership.objects.filter(role=Membership.Role.DPO, user__daily_digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "organisation")
    )


def due_digests(now: datetime.datetime | None = None) -> list[Membership]:
    """The DPOs (one membership each) whose digest of the day has not gone yet: never sent, or last sent before the
    day's digest time. A digest missed (the workers or the broker were down then) is due until it goes."""
    now = now or timezone.now()
    sent = DigestSent.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        user_id=OuterRef("user_id"),
        until__gte=jobs.last_daily_time(now, settings.DIGEST_HOUR_UTC),
    )
    return list(_subscribers().exclude(Exists(sent)).order_by("organisation_id", "user_id"))


def plan_digests(now: datetime.datetime | None = None) -> int:
    """Write a job in the outbox for each digest due (``processing.send_digest``): one DPO's mail server error or a
    worker's death delays theirs, it loses nobody's, and a planning run that never came (beat's message lost) is made
    up by the next one, an hour later. Returns how many were planned."""
    due = due_digests(now or timezone.now())
    with transaction.atomic():
        for membership in due:
            jobs.enqueue(
                "processing.send_digest",
                membership.organisation_id,
                membership.user_id,
                key=f"digest:{membership.organisation_id}:{membership.user_id}",
            )
    return len(due)


def send_digest(organisation_id: int, user_id: int, now: datetime.datetime | None = None) -> bool:
    """Send one DPO the digest of one organisation, if they still want it and it has not gone since the day's digest
    time; returns whether an email went. The digest covers the time since their previous one (``DigestSent``),
    which is moved on in the same transaction: sent twice, it repeats nothing."""
    now = now or timezone.now()
    membership = _subscribers().filter(organisation_id=organisation_id, user_id=user_id).first()
    if membership is None:
        return False
    user, organisation = membership.user, membership.organisation
    with transaction.atomic():
        state, _created = DigestSent.objects.select_for_update().get_or_create(
            organisation=organisation, user=user, defaults={"until": now - FIRST_WINDOW}
        )
        if not _created and state.until >= jobs.last_daily_time(now, settings.DIGEST_HOUR_UTC):
            return False  # already sent today (a job delivered again)
        with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone_of(user)):
            digest = digest_for(organisation, state.until, now)
            if digest:
                # Sent before the transaction commits: a mail server that fails leaves the digest due, and the job
                # is tried again (``core.jobs.TRANSIENT``).
                _message(digest, user).send()
        state.until = now
        state.save(update_fields=["until"])
    return bool(digest)


def send_digests(now: datetime.datetime | None = None) -> int:
    """Send now, in this process, every digest due (``manage.py`` and tests); returns how many emails went."""
    now = now or timezone.now()
    return sum(send_digest(m.organisation_id, m.user_id, now) for m in due_digests(now))
