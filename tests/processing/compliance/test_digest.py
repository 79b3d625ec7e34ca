"""The daily digest: what it tells each DPO, in their language, once, and never when nothing changed."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts.models import Membership
from core import jobs
from core.models import Job
from processing.compliance.check import check_organisation
from processing.compliance.digest import due_digests, send_digests
from processing.compliance.models import DigestSent
from processing.compliance.tasks import plan_digests_task
from processing.services import activity_update

from ...accounts.factories import MembershipFactory, UserFactory
from .test_compliance import draft

pytestmark = pytest.mark.django_db

DAY_1 = datetime.datetime(2026, 11, 27, 6, tzinfo=datetime.UTC)
DAY_2 = DAY_1 + datetime.timedelta(days=1)


@pytest.fixture
def dpo_with_email(dpo, settings):
    settings.SITE_URL = "https://registre.example.org"
    dpo.email = "dpo@hexagone.example"
    dpo.language = "en"
    dpo.save()
    return dpo


def at(moment, action):
    with time_machine.travel(moment):
        return action()


def test_new_and_returning_findings_and_reviews_due_reach_the_dpo_once(dpo_with_email, organisation, manager):
    manager.email = "manager@hexagone.example"
    manager.save()
    with time_machine.travel(DAY_1 - datetime.timedelta(hours=2)):
        activity = draft(organisation, name="Payroll", next_review_on=datetime.date(2026, 11, 1))
        check_organisation(organisation)
        soon = draft(organisation, name="Newsletter", next_review_on=datetime.date(2026, 12, 4))
    assert at(DAY_1, send_digests) == 1
    (first,) = mail.outbox
    assert first.to == ["dpo@hexagone.example"]
    assert first.subject == "[Registre] Hexagone Logiciels SAS: new findings 1, back 0, reviews due 1"
    assert "New findings (1)" in first.body and "The review of this activity was due on 1 Nov 2026" in first.body
    assert f"Newsletter: 4 Dec 2026\n  https://registre.example.org/o/hexagone/register/{soon.pk}/" in first.body
    fix = f"https://registre.example.org/o/hexagone/register/{activity.pk}/edit/risk/"
    assert f"Fix it: {fix}" in first.body
    html, mime = first.alternatives[0]
    assert mime == "text/html" and f'<a href="{fix}">Fix it</a>' in html

    # Sent again the same day: nothing new, nothing sent.
    assert at(DAY_1 + datetime.timedelta(minutes=5), send_digests) == 0
    # The problem is fixed, then comes back: the next digest says it is back, not new.
    with time_machine.travel(DAY_1 + datetime.timedelta(hours=2)):
        activity_update(activity=activity, next_review_on=datetime.date(2027, 6, 1))
        check_organisation(organisation)
    with time_machine.travel(DAY_1 + datetime.timedelta(hours=4)):
        activity_update(activity=activity, next_review_on=datetime.date(2026, 11, 2))
        check_organisation(organisation)
    assert at(DAY_2, send_digests) == 1
    assert "Findings that came back (1)" in mail.outbox[1].body
    assert "New findings" not in mail.outbox[1].body and "Reviews falling due" not in mail.outbox[1].body


def test_no_digest_when_nothing_changed_or_for_those_who_switched_it_off(dpo_with_email, organisation, dpo_client):
    assert at(DAY_1, send_digests) == 0
    with time_machine.travel(DAY_1 + datetime.timedelta(hours=1)):
        draft(organisation, next_review_on=datetime.date(2020, 1, 1))
        check_organisation(organisation)
    # The DPO switches it off on their preferences page.
    page = dpo_client.get(reverse("accounts:profile"))
    assert "Daily digest" in page.content.decode()
    dpo_client.post(
        reverse("accounts:profile"),
        {"email": "dpo@hexagone.example", "time_zone": "Europe/Paris", "language": "en"},
    )
    dpo_with_email.refresh_from_db()
    assert dpo_with_email.daily_digest is False
    assert at(DAY_2, send_digests) == 0 and not mail.outbox


def test_each_dpo_gets_their_own_organisations_in_their_language(
    dpo_with_email, organisation, other_organisation, auditor, django_capture_on_commit_callbacks
):
    french_dpo = UserFactory(username="dpd", email="dpd@autre.example", language="fr", time_zone="Europe/Paris")
    MembershipFactory(user=french_dpo, organisation=other_organisation, role=Membership.Role.DPO)
    auditor.email = "auditor@hexagone.example"
    auditor.save()
    with time_machine.travel(DAY_1 - datetime.timedelta(hours=1)):
        draft(organisation, name="Ours", next_review_on=datetime.date(2020, 1, 1))
        draft(other_organisation, name="Theirs", next_review_on=datetime.date(2020, 1, 1))
        check_organisation(organisation)
        check_organisation(other_organisation)
    # Each digest a job of the outbox, run once its planning commits.
    with time_machine.travel(DAY_1), django_capture_on_commit_callbacks(execute=True):
        assert plan_digests_task() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"dpo@hexagone.example", "dpd@autre.example"}, "auditors get no digest"
    ours, theirs = by_recipient["dpo@hexagone.example"], by_recipient["dpd@autre.example"]
    assert "Ours" in ours.body and "Theirs" not in ours.body
    assert "Theirs" in theirs.body and "Ours" not in theirs.body
    assert "Nouveaux constats (1)" in theirs.body and "Corriger\u00a0:" in theirs.body
    assert theirs.subject == "[Registre] Autre Société SA\u00a0: nouveaux constats 1, revenus 0, revues à faire 0"


def test_a_digest_held_up_by_the_mail_server_goes_when_it_is_back_and_once(
    dpo_with_email, organisation, monkeypatch, django_capture_on_commit_callbacks
):
    """The mail server refuses at 06:00: the digest's job waits its back-off, the digest stays due (nothing it
    covers is counted as told), and it goes once when the server answers; the next hourly planning sends nothing."""
    with time_machine.travel(DAY_1 - datetime.timedelta(hours=1)):
        draft(organisation, name="Payroll", next_review_on=datetime.date(2020, 1, 1))
        check_organisation(organisation)
    real_send = EmailMessage.send

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", refused)
    with time_machine.travel(DAY_1), django_capture_on_commit_callbacks(execute=True):
        assert plan_digests_task() == 1
    job = Job.objects.get(task="processing.send_digest")
    assert (job.status, job.attempts, job.error) == ("pending", 1, "")
    assert not mail.outbox and not DigestSent.objects.exists()

    # The hourly planning meanwhile finds the job still waiting: no second one.
    with time_machine.travel(DAY_1 + datetime.timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        assert plan_digests_task() == 1  # still due, but its job waits already
    assert Job.objects.filter(task="processing.send_digest").count() == 1

    monkeypatch.setattr(EmailMessage, "send", real_send)
    at(DAY_1 + datetime.timedelta(minutes=10), jobs.dispatch_due)  # its back-off over
    job.refresh_from_db()
    assert job.status == "done"
    (digest,) = mail.outbox
    assert "Payroll" in digest.body and "New findings (1)" in digest.body
    with time_machine.travel(DAY_1 + datetime.timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        assert plan_digests_task() == 0
    assert len(mail.outbox) == 1


def test_a_day_whose_planning_never_came_is_made_up_at_the_next_hour(dpo_with_email, organisation):
    """Beat's 06:05 message was lost (or the workers were down all morning): the digest is still due at 09:05, and
    it is due once a day, from DIGEST_HOUR_UTC on."""
    with time_machine.travel(DAY_1 - datetime.timedelta(hours=1)):
        draft(organisation, name="Payroll", next_review_on=datetime.date(2020, 1, 1))
        check_organisation(organisation)
    assert at(DAY_1 + datetime.timedelta(hours=3), due_digests) == [Membership.objects.get(user=dpo_with_email)]
    assert at(DAY_1 + datetime.timedelta(hours=3), send_digests) == 1
    assert at(DAY_1 + datetime.timedelta(hours=4), due_digests) == []
    assert at(DAY_2 - datetime.timedelta(minutes=1), due_digests) == [], "not before the next day's digest time"
    assert len(at(DAY_2, due_digests)) == 1
