"""Invitations instead of silent adds (#21): the DPO invites by email; the person accepts (signing in, or creating
their account) before becoming a member, or declines; the Members page never tells whether an account exists."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User

from ..conftest import client_for
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def members_url(organisation):
    return reverse("organisations:members", kwargs={"organisation_slug": organisation.slug})


def invite(dpo_client, organisation, email, role="auditor"):
    response = dpo_client.post(members_url(organisation), {"email": email, "role": role}, follow=True)
    link = re.search(r"https?://[^/]+(/account/invitations/[\w-]+/)", mail.outbox[-1].body).group(1)
    return response, link


def test_an_invitation_says_the_same_whether_or_not_an_account_exists(dpo_client, organisation):
    UserFactory(username="lea", email="lea@example.org")
    known, _link = invite(dpo_client, organisation, "lea@example.org")
    unknown, _link = invite(dpo_client, organisation, "nobody@example.org")
    for response, email in ((known, "lea@example.org"), (unknown, "nobody@example.org")):
        assert f"An invitation has been sent to {email}. They become Auditor once they accept it." in response.text
    assert not Membership.objects.filter(user__username="lea").exists()  # nobody is added without consenting
    assert [m.to for m in mail.outbox] == [["lea@example.org"], ["nobody@example.org"]]
    assert "invites you to join the record of processing activities of Hexagone Logiciels SAS" in mail.outbox[0].body
    page = dpo_client.get(members_url(organisation)).text
    assert "Invitations waiting for an answer" in page and "nobody@example.org" in page


def test_a_person_with_an_account_signs_in_and_accepts(client, dpo_client, organisation):
    lea = UserFactory(username="lea", email="lea@example.org")
    _response, link = invite(dpo_client, organisation, "lea@example.org", role="manager")
    page = client.get(link)
    assert "Sign in to accept" in page.text and "as <strong>Manager</strong>" in page.text
    client.post(reverse("accounts:login"), {"username": "lea", "password": PASSWORD, "next": link})
    accepted = client.post(link, {"action": "accept"}, follow=True)
    assert "Welcome: you are now Manager of Hexagone Logiciels SAS." in accepted.text
    assert Membership.objects.get(user=lea, organisation=organisation).role == "manager"
    invitation = Invitation.objects.get()
    assert invitation.status == "accepted" and invitation.accepted_by == lea
    assert "expired or was already answered" in client.get(link).text
    assert "Invitations waiting for an answer" not in dpo_client.get(members_url(organisation)).text


def test_a_person_without_an_account_creates_one_and_accepts(client, dpo_client, organisation):
    _response, link = invite(dpo_client, organisation, "Sam@Example.org")
    weak = client.post(
        link, {"action": "create", "username": "sam", "password1": "Kx7#pq2!Lm", "password2": "Kx7#pq2!Lm"}
    )
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    assert not User.objects.filter(username="sam").exists()
    created = client.post(
        link,
        {"action": "create", "username": "sam", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
        follow=True,
    )
    assert "Welcome: you are now Auditor of Hexagone Logiciels SAS." in created.text
    sam = User.objects.get(username="sam")
    assert sam.email == "Sam@example.org" and sam.check_password("a-long-passphrase")
    assert Membership.objects.get(user=sam).role == "auditor"


def test_a_declined_expired_or_cancelled_invitation_adds_nobody(client, dpo_client, organisation):
    _response, declined = invite(dpo_client, organisation, "no@example.org")
    assert client.post(declined, {"action": "decline"}).status_code == 302
    assert Invitation.objects.get(email="no@example.org").status == "declined"
    assert "expired or was already answered" in client.get(declined).text

    _response, late = invite(dpo_client, organisation, "late@example.org")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        refused = client.post(
            late,
            {
                "action": "create",
                "username": "late",
                "password1": "a-long-passphrase",
                "password2": "a-long-passphrase",
            },
        )
    assert "expired or was already answered" in refused.text and not User.objects.filter(username="late").exists()

    _response, cancelled = invite(dpo_client, organisation, "gone@example.org")
    invitation = Invitation.objects.get(email="gone@example.org")
    dpo_client.post(reverse("organisations:invitation_cancel", args=[organisation.slug, invitation.pk]))
    assert "expired or was already answered" in client.get(cancelled).text
    assert client.get("/account/invitations/not-a-key/").status_code == 404
    assert Membership.objects.filter(organisation=organisation).count() == 1  # the DPO alone


def test_a_new_invitation_to_the_same_address_replaces_the_old_link(client, dpo_client, organisation):
    _response, first = invite(dpo_client, organisation, "lea@example.org")
    _response, second = invite(dpo_client, organisation, "lea@example.org", role="manager")
    assert "expired or was already answered" in client.get(first).text
    assert "as <strong>Manager</strong>" in client.get(second).text


def test_the_link_s_key_is_kept_only_hashed(dpo_client, organisation):
    _response, link = invite(dpo_client, organisation, "lea@example.org")
    key = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(key_hash__contains=key).exists()
    assert key not in str(list(Invitation.objects.values()))


def test_invitations_are_limited_per_address_and_per_dpo(dpo_client, organisation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation_email": "2/day", "invitations": "4/hour"}
    for _ in range(2):
        invite(dpo_client, organisation, "lea@example.org")
    third = dpo_client.post(members_url(organisation), {"email": "lea@example.org", "role": "auditor"})
    assert "This address has received several invitations today" in third.text
    dpo_client.post(members_url(organisation), {"email": "b@example.org", "role": "auditor"})
    refused = dpo_client.post(members_url(organisation), {"email": "c@example.org", "role": "auditor"})
    assert "You have sent many invitations in a short time" in refused.text
    assert len(mail.outbox) == 3


def test_when_the_mail_server_fails_the_dpo_gets_the_link_once(dpo_client, organisation, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens there
    response = dpo_client.post(members_url(organisation), {"email": "lea@example.org", "role": "auditor"}, follow=True)
    assert response.status_code == 200
    link = re.search(r"(/account/invitations/[\w-]+/)", response.text).group(1)
    assert "The invitation could not be emailed" in response.text
    assert "Create my account and accept" in client_for(None).get(link).text
    assert link not in dpo_client.get(members_url(organisation)).text  # shown once
