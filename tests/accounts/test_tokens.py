"""API tokens (#21): several per user, named, each with an expiry and a scope, stored hashed and shown once,
listed with their last use, revocable; created from the profile or the command line."""

import datetime
import hashlib
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from processing.models import ProcessingActivity

from ..api.conftest import token_key
from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
ORGANISATIONS = "/api/v1/organisations/"
ACTIVITIES = "/api/v1/activities/"


def script(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def create(dpo_client, **fields):
    data = {"name": "nightly export", "scope": "write", "organisation": "", "expires_days": 90} | fields
    return dpo_client.post(reverse("accounts:api_token_create"), data)


def test_a_user_creates_two_tokens_sees_each_once_then_revokes_one(dpo_client, dpo):
    assert "You have no token." in dpo_client.get(reverse("accounts:profile")).text
    first = create(dpo_client, name="nightly export")
    key = re.search(r'<code class="token" id="new-token">(rg_[\w-]+)</code>', first.text).group(1)
    second = create(dpo_client, name="dashboard", scope="read")
    other_key = re.search(r'id="new-token">(rg_[\w-]+)<', second.text).group(1)
    assert script(key).get(ORGANISATIONS).status_code == 200
    assert script(other_key).get(ORGANISATIONS).status_code == 200  # both work side by side

    page = dpo_client.get(reverse("accounts:profile")).text
    assert key not in page and other_key not in page  # shown only once
    assert f"<code>{key[:9]}…</code>" in page and "Read only" in page
    token = ApiToken.objects.get(name="nightly export")
    assert (
        token.last_used_at is not None and token.expires_at.date() == (timezone.now() + datetime.timedelta(90)).date()
    )

    revoked = dpo_client.post(reverse("accounts:api_token_revoke", args=[token.pk]), follow=True)
    assert "The token has been revoked" in revoked.text
    assert script(key).get(ORGANISATIONS).status_code == 401
    assert script(other_key).get(ORGANISATIONS).status_code == 200


def test_the_token_table_holds_no_token_in_clear(dpo):
    key = token_key(dpo)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored and key[len("rg_") + 6 :] not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored  # what is kept: the hash, and the first characters


def test_a_read_only_token_reads_and_is_refused_on_a_write(dpo, organisation):
    reader = script(token_key(dpo, scope="read"))
    assert reader.get(ACTIVITIES).status_code == 200
    refused = reader.post(ACTIVITIES, {"organisation": organisation.slug, "name": "Payroll"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_token"
    assert "may only read" in refused.json()["detail"]
    assert not ProcessingActivity.objects.exists()
    writer = script(token_key(dpo, scope="write"))
    assert (
        writer.post(ACTIVITIES, {"organisation": organisation.slug, "name": "Payroll"}, format="json").status_code
        == 201
    )


def test_a_token_limited_to_one_organisation_sees_no_other(dpo, organisation):
    other = OrganisationFactory(name="Filiale SAS", slug="filiale")
    MembershipFactory(user=dpo, organisation=other, role="dpo")
    limited = script(token_key(dpo, organisation=organisation))
    assert [o["slug"] for o in limited.get(ORGANISATIONS).json()["results"]] == [organisation.slug]
    assert limited.get(f"{ORGANISATIONS}{other.pk}/").status_code == 404
    refused = limited.post(ACTIVITIES, {"organisation": other.slug, "name": "Payroll"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "organisation"
    assert (
        limited.post(ACTIVITIES, {"organisation": organisation.slug, "name": "Payroll"}, format="json").status_code
        == 201
    )
    everywhere = script(token_key(dpo))
    assert len(everywhere.get(ORGANISATIONS).json()["results"]) == 2


def test_an_expired_token_is_refused_with_its_date(dpo):
    key = token_key(dpo, expires_days=30)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        refused = script(key).get(ORGANISATIONS)
    assert refused.status_code == 401 and "This token expired on" in refused.json()["detail"]
    assert refused["WWW-Authenticate"] == "Token"


def test_unknown_tokens_from_one_address_are_slowed_down(client, settings, dpo):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token_failures": "3/minute"}
    statuses = [script(f"rg_guess{n}").get(ORGANISATIONS).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert script(token_key(dpo)).get(ORGANISATIONS).status_code == 200  # a good token is never slowed


def test_a_token_of_another_organisation_s_member_is_not_shown_nor_revoked(dpo_client, outsider):
    theirs = ApiToken.objects.get(key_hash=hashlib.sha256(token_key(outsider).encode()).hexdigest())
    assert theirs.name not in dpo_client.get(reverse("accounts:profile")).text
    dpo_client.post(reverse("accounts:api_token_revoke", args=[theirs.pk]))
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_token_cannot_outlive_a_year_nor_name_an_organisation_its_user_is_not_in(dpo_client, other_organisation):
    too_long = create(dpo_client, expires_days=3650)
    assert too_long.status_code == 400 and "Select a valid choice" in too_long.text
    foreign = create(dpo_client, organisation=other_organisation.pk)
    assert foreign.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_command_prints_the_token_alone_on_its_last_line(dpo, organisation):
    out = io.StringIO()
    call_command(
        "create_token", "dpo", "--scope", "read", "--organisation", organisation.slug, "--expires-days", "7", stdout=out
    )
    key = out.getvalue().splitlines()[-1]
    token = ApiToken.objects.get(user=dpo)
    assert key.startswith("rg_") and token.scope == "read" and token.organisation == organisation
    assert (token.expires_at - token.created_at).days == 7
    assert script(key).get(ORGANISATIONS).status_code == 200
    default = io.StringIO()
    call_command("create_token", "dpo", "--name", "backup", stdout=default)
    backup = ApiToken.objects.get(name="backup")
    assert (
        backup.scope == "write" and backup.organisation is None and (backup.expires_at - backup.created_at).days == 90
    )
    with pytest.raises(CommandError, match="No account"):
        call_command("create_token", "nobody", stdout=io.StringIO())
