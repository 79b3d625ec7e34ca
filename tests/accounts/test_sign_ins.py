"""The sign-in audit (#21): each sign-in and each refused one, with when, the address, the browser and the factor;
users see theirs, a DPO the members'; a sign-in from a browser never seen before is emailed to the user."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInEvent
from accounts.sign_ins import DEVICE_COOKIE, forget_old_sign_ins

from .factories import PASSWORD
from .test_two_factor import VERIFY, set_up_app

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def sign_in(client, password=PASSWORD, username="dpo"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="198.51.100.4")


def test_sign_ins_and_refused_ones_are_recorded_and_shown_to_the_user(dpo):
    client = Client(HTTP_USER_AGENT=FIREFOX)
    sign_in(client, password="not-the-password")
    sign_in(client)
    failure, success = SignInEvent.objects.order_by("pk")
    assert (failure.outcome, failure.method, failure.address) == ("failure", "password", "198.51.100.4")
    assert (success.outcome, success.method, success.browser) == ("success", "password", FIREFOX)
    page = client.get(reverse("accounts:profile")).text
    assert "Your recent sign-ins" in page and page.count("198.51.100.4") == 2 and "Refused" in page


def test_with_two_factors_the_sign_in_is_recorded_with_its_second_factor(client, dpo):
    sign_in(client)
    device, codes = set_up_app(client)
    client.post(reverse("accounts:logout"))
    SignInEvent.objects.all().delete()

    sign_in(client)
    assert not SignInEvent.objects.exists()  # the password alone is not a sign-in yet
    client.post(VERIFY, {"code": "12345678"})
    later = timezone.now() + datetime.timedelta(seconds=2)
    import time_machine

    with time_machine.travel(later, tick=False):
        client.post(VERIFY, {"code": codes[0]})
    refused, signed_in = SignInEvent.objects.order_by("pk")
    assert (refused.outcome, refused.method) == ("failure", "app")
    assert (signed_in.outcome, signed_in.method) == ("success", "recovery")
    assert device.pk and "Password and recovery code" in client.get(reverse("accounts:profile")).text


def test_a_sign_in_from_a_browser_not_seen_before_is_emailed(dpo, django_capture_on_commit_callbacks):
    laptop = Client(HTTP_USER_AGENT=FIREFOX)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(laptop)  # the account's first sign-in: nothing to compare with
    assert DEVICE_COOKIE in laptop.cookies and not mail.outbox
    laptop.post(reverse("accounts:logout"))
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(laptop)  # the same browser again
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/605.1"))
    (message,) = mail.outbox
    assert message.to == [dpo.email] and "New sign-in to your account" in message.subject
    assert "from a browser not seen before (address 198.51.100.4)" in message.body and "iPhone" in message.body
    stored = set(SignInEvent.objects.values_list("device", flat=True))
    assert laptop.cookies[DEVICE_COOKIE].value not in stored  # only its hash is kept


def test_the_dpo_sees_the_members_sign_ins_readers_do_not(dpo_client, manager_client, manager, organisation, outsider):
    sign_in(Client(), username="manager")
    sign_in(Client(), username="outsider")
    url = reverse("organisations:member_sign_ins", args=[organisation.slug])
    page = dpo_client.get(url).text
    assert "<td>manager</td>" in page and "outsider" not in page
    assert manager_client.get(url).status_code == 403


def test_sign_ins_are_kept_ninety_days(dpo, settings):
    SignInEvent.objects.create(user=dpo, outcome="success", at=timezone.now() - datetime.timedelta(days=91))
    recent = SignInEvent.objects.create(user=dpo, outcome="success", at=timezone.now() - datetime.timedelta(days=89))
    assert forget_old_sign_ins() == 1
    assert list(SignInEvent.objects.all()) == [recent]
