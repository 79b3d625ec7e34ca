import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.models import Membership, Organisation, User
from processing.models import ProcessingActivity

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_add_member_creates_the_account_and_grants_the_role(organisation):
    call_command(
        "add_member", "lea", organisation.slug, "auditor", "--password", "long-enough-pass", "--email", "l@x.org"
    )
    lea = User.objects.get(username="lea")
    assert lea.check_password("long-enough-pass")
    assert lea.email == "l@x.org"
    assert Membership.objects.get(user=lea, organisation=organisation).role == "auditor"


def test_add_member_changes_the_role_of_an_existing_member(organisation, dpo, auditor):
    call_command("add_member", "auditor", organisation.slug, "manager")
    assert Membership.objects.get(user=auditor).role == "manager"
    assert User.objects.filter(username="auditor").count() == 1


def test_add_member_refuses_an_unknown_organisation_or_role(db):
    with pytest.raises(CommandError, match="No organisation has the slug 'nowhere'"):
        call_command("add_member", "lea", "nowhere", "dpo")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("add_member", "lea", "nowhere", "owner")
    assert not User.objects.filter(username="lea").exists()


def test_seed_demo_refuses_to_run_in_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_keeps_what_people_changed(client):
    call_command("seed_demo", force=True)
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    activities = ProcessingActivity.objects.count()
    assert activities == 16  # PA-016, archived, is part of the demo's past
    Organisation.objects.filter(slug="hexagone-logiciels").update(dpo_name="Nouvelle DPO")
    dpo = User.objects.get(username="dpo")
    dpo.set_password("my-own-long-password")
    dpo.save()
    call_command("seed_demo", force=True)
    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts
    assert ProcessingActivity.objects.count() == activities
    assert Organisation.objects.get(slug="hexagone-logiciels").dpo_name == "Nouvelle DPO"
    assert User.objects.get(username="dpo").check_password("my-own-long-password")
    dpo.set_password(DEMO_PASSWORD)
    dpo.save()

    organisation = Organisation.objects.get(slug="hexagone-logiciels")
    assert organisation.dpo_name and organisation.legal_identifier.startswith("SIREN")
    expected = {"dpo": "dpo", "manager": "manager", "auditor": "auditor"}
    assert dict(organisation.memberships.values_list("user__username", "role")) == expected
    for username in ("dpo", "manager", "auditor"):
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post(reverse("accounts:logout"))
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert client_for(admin).get("/admin/").status_code == 200
