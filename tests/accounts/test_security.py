"""The ways into the register, hardened (#21): sign-in throttling that stops password spraying, capped reset emails,
rate limits on forms, passwords of 12 characters or more wherever one is set, no-store on whatever a signed-in user
is shown."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
SPRAYER = "203.0.113.66"


def sign_in(client, username, password, address=SPRAYER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_thirty_wrong_passwords_over_ten_usernames_from_one_address_end_in_429s(client, settings):
    """Password spraying: three guesses at each of ten accounts never reaches one username's limit of five, but the
    address's twenty failures stop it, with the right password too; other addresses are not affected."""
    users = [UserFactory(username=f"person{n}") for n in range(10)]
    statuses = [
        sign_in(client, user.username, f"Guess-{attempt}").status_code for attempt in range(3) for user in users
    ]
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT == 20
    assert statuses[:19] == [200] * 19  # the form again, "Please enter a correct username and password"
    assert statuses[19:] == [429] * 11  # the 20th failure locks the address out
    refused = sign_in(client, "person0", PASSWORD)
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "person0", PASSWORD, address="198.51.100.1").status_code == 302


def test_a_good_password_does_not_wipe_out_the_addresss_failures(client):
    """One account the sprayer owns does not reset the count of the address's failures over other accounts."""
    UserFactory(username="mine")
    targets = [UserFactory(username=f"target{n}") for n in range(5)]
    for _round in range(3):
        for user in targets:
            sign_in(client, user.username, "Guess-guess")
        assert sign_in(client, "mine", PASSWORD).status_code == 302
        client.post(reverse("accounts:logout"))
    for user in targets:  # 15 failures so far, 20 now
        sign_in(client, user.username, "Guess-guess")
    assert sign_in(client, "mine", PASSWORD).status_code == 429


def test_reset_emails_are_capped_per_account_and_requests_per_address(client, dpo):
    reset = reverse("accounts:password_reset")
    for n in range(5):  # five requests from five addresses for the same account
        response = client.post(reset, {"email": dpo.email}, REMOTE_ADDR=f"198.51.100.{n}")
        assert response.status_code == 302  # the page says the same whether or not an email left
    assert len(mail.outbox) == 3
    for _ in range(4):  # one address, five requests in all, for unknown addresses
        client.post(reset, {"email": "nobody@example.org"}, REMOTE_ADDR="198.51.100.0")
    refused = client.post(reset, {"email": "nobody@example.org"}, REMOTE_ADDR="198.51.100.0")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.text


def test_form_posts_beyond_the_rate_get_a_429_page_and_save_nothing(dpo_client, organisation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "posts": "3/minute"}
    url = reverse("organisations:settings", kwargs={"organisation_slug": organisation.slug})
    statuses = []
    for n in range(4):
        page = dpo_client.get(url)
        data = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
        statuses.append(dpo_client.post(url, {**data, "name": f"Renamed {n}"}).status_code)
    assert statuses[:3] != [429] * 3 and statuses[3] == 429
    organisation.refresh_from_db()
    assert organisation.name != "Renamed 3"


TEN_CHARACTERS = "Kx7#pq2!Lm"


def test_a_ten_character_password_is_refused_wherever_a_password_is_set(client, dpo_client, dpo, superuser):
    message = "This password is too short. It must contain at least 12 characters."
    # Changing one's own password
    changed = dpo_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": TEN_CHARACTERS, "new_password2": TEN_CHARACTERS},
    )
    assert message in changed.text
    # Choosing one from a reset email
    client.post(reverse("accounts:password_reset"), {"email": dpo.email})
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    chosen = client.post(form.redirect_chain[-1][0], {"new_password1": TEN_CHARACTERS, "new_password2": TEN_CHARACTERS})
    assert message in chosen.text
    # The administrators' command
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command(
            "add_member", "newcomer", "hexagone", "auditor", "--password", TEN_CHARACTERS, stdout=io.StringIO()
        )
    assert not get_user_model().objects.filter(username="newcomer").exists()
    # The admin site: a new account, and a password set for another
    admin = client_signed_in(superuser)
    added = admin.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer", "password1": TEN_CHARACTERS, "password2": TEN_CHARACTERS, "usable_password": "true"},
    )
    assert message in added.text
    reset_by_admin = admin.post(
        reverse("admin:auth_user_password_change", args=[dpo.pk]),
        {"password1": TEN_CHARACTERS, "password2": TEN_CHARACTERS},
    )
    assert message in reset_by_admin.text
    dpo.refresh_from_db()
    assert dpo.check_password(PASSWORD)


def client_signed_in(user):
    from ..conftest import client_for

    return client_for(user)


def test_signed_in_pages_api_answers_and_downloads_are_never_stored(dpo_client, organisation):
    page = dpo_client.get(reverse("organisations:home", kwargs={"organisation_slug": organisation.slug}))
    download = dpo_client.get(reverse("reports:register_export", args=[organisation.slug]) + "?format=csv&lang=en")
    answer = dpo_client.get("/api/v1/organisations/")
    for response in (page, download, answer):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert download["Content-Type"].startswith("text/csv")


def test_without_a_provider_single_sign_on_is_not_offered(client):
    """The provider's own journey is tests/browser/test_sso_journey.py, against a real provider on loopback."""
    assert "Sign in with" not in client.get(LOGIN).text
    assert client.get(reverse("accounts:sso")).status_code == 404
    assert client.get(reverse("accounts:sso_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_with_a_provider_the_sign_in_page_offers_it(client, settings):
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_PROVIDER_NAME = "registre", "Hexagone SSO"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://sso.hexagone.example/auth"
    page = client.get(LOGIN + "?next=/account/profile/").text
    assert "Sign in with Hexagone SSO" in page and 'href="/account/sso/?next=/account/profile/"' in page
    start = client.get(reverse("accounts:sso"), {"next": "/account/profile/"})
    assert start.status_code == 302 and start["Location"].startswith("https://sso.hexagone.example/auth?")
    assert "code_challenge=" in start["Location"] and "client_id=registre" in start["Location"]
