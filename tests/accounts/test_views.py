import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation

from ..conftest import client_for
from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def settings_url(organisation, name="settings"):
    return reverse(f"organisations:{name}", kwargs={"organisation_slug": organisation.slug})


# --- Signing in and out, passwords -----------------------------------------------------


def test_sign_in_takes_the_user_to_their_organisation(client, dpo, password, organisation):
    response = client.post(reverse("accounts:login"), {"username": "dpo", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == f"/o/{organisation.slug}/"
    assert "Hexagone Logiciels SAS" in response.text


def test_wrong_password_is_refused_with_a_message(client, dpo):
    response = client.post(reverse("accounts:login"), {"username": "dpo", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_username_out_for_a_while(client, dpo, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "dpo", "password": "guess"})
    # Even the right password is refused now, with an explanation.
    response = client.post(reverse("accounts:login"), {"username": "dpo", "password": password})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert "_auth_user_id" not in client.session
    # The cool-off ends it.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        response = client.post(reverse("accounts:login"), {"username": "dpo", "password": password})
    assert response.status_code == 302


def test_a_lockout_of_one_username_does_not_lock_another(client, dpo, manager, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "dpo", "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "manager", "password": password})
    assert response.status_code == 302


def test_sign_out_ends_the_session(dpo_client):
    response = dpo_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert dpo_client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in dpo_client.session


def test_password_change(dpo_client, dpo, password):
    response = dpo_client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    dpo.refresh_from_db()
    assert dpo.check_password("a-new-long-passphrase")


def test_password_reset_by_email_link(client, dpo):
    response = client.post(reverse("accounts:password_reset"), {"email": dpo.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    set_password_url = form_page.redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": "reset-long-passphrase", "new_password2": "reset-long-passphrase"})
    dpo.refresh_from_db()
    assert dpo.check_password("reset-long-passphrase")


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- Language and time zone ------------------------------------------------------------


def test_visitor_switches_to_french(client, db):
    response = client.post(reverse("accounts:language"), {"language": "fr", "next": "/account/login/"}, follow=True)
    assert '<html lang="fr">' in response.text
    assert "Connexion" in response.text


def test_signed_in_users_language_is_remembered_in_their_profile(dpo_client, dpo, organisation):
    dpo_client.post(reverse("accounts:language"), {"language": "fr", "next": "/"})
    dpo.refresh_from_db()
    assert dpo.language == "fr"
    # Another browser, without the language cookie, still gets French.
    response = client_for(dpo).get(settings_url(organisation, "home"))
    assert '<html lang="fr">' in response.text
    assert "Paramètres" in response.text


def test_unknown_language_is_refused(client, db):
    assert client.post(reverse("accounts:language"), {"language": "xx"}).status_code == 400


def test_language_switch_never_redirects_to_another_site(client, db):
    response = client.post(reverse("accounts:language"), {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@time_machine.travel("2026-07-01 12:00:00+00:00", tick=False)
def test_time_zone_chosen_in_the_profile_is_used_for_times(dpo_client, dpo):
    response = dpo_client.post(
        reverse("accounts:profile"), {"email": dpo.email, "time_zone": "America/New_York", "language": ""}
    )
    assert response.status_code == 302
    page = dpo_client.get(reverse("accounts:profile")).text
    assert "America/New_York, where it is now 08:00" in page


def test_profile_refuses_an_invalid_email_next_to_the_field(dpo_client, dpo):
    response = dpo_client.post(
        reverse("accounts:profile"), {"email": "nope", "time_zone": "Europe/Paris", "language": "fr"}
    )
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.text
    dpo.refresh_from_db()
    assert dpo.language == ""


# --- Organisations and the switcher ----------------------------------------------------


def test_home_opens_the_organisation_used_last(dpo, organisation):
    second = OrganisationFactory(name="Hexagone Formation")
    MembershipFactory(user=dpo, organisation=second, role=Membership.Role.AUDITOR)
    client = client_for(dpo)
    client.get(settings_url(second, "home"))
    assert client.get(reverse("home"))["Location"] == f"/o/{second.slug}/"


def test_switcher_lists_only_the_users_organisations(dpo, organisation, other_organisation):
    second = OrganisationFactory(name="Hexagone Formation")
    MembershipFactory(user=dpo, organisation=second, role=Membership.Role.MANAGER)
    client = client_for(dpo)
    page = client.get(settings_url(organisation, "home")).text
    assert "Hexagone Formation" in page
    assert other_organisation.name not in page
    response = client.get(reverse("accounts:switch_organisation"), {"organisation": second.slug})
    assert response["Location"] == f"/o/{second.slug}/"
    assert (
        client.get(reverse("accounts:switch_organisation"), {"organisation": other_organisation.slug}).status_code
        == 404
    )


def test_user_without_organisation_is_told_what_to_do(db):
    client = client_for(UserFactory(username="newcomer"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Ask your organisation's DPO to add you" in response.text
    assert "newcomer" in response.text


def test_dpo_edits_the_organisation_identity(dpo_client, organisation):
    data = {
        "name": "Hexagone Logiciels SAS",
        "legal_identifier": "SIREN 812 345 679",
        "address": "18 rue de la République",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
        "phone": "",
        "email": "contact@hexagone.example",
        "role": Organisation.Role.BOTH,
        "representative_name": "",
        "representative_contact": "",
        "dpo_name": "Claire Martin",
        "dpo_email": "dpo@hexagone.example",
        "dpo_phone": "",
        "staff_count": "180",
        "is_public_body": "",
        "tia_review_months": "12",
    }
    response = dpo_client.post(settings_url(organisation), data, follow=True)
    assert "The organisation&#x27;s identity has been saved." in response.text
    organisation.refresh_from_db()
    assert organisation.tia_review_months == 12
    assert (organisation.role, organisation.staff_count, organisation.address) == (
        "both",
        180,
        "18 rue de la République",
    )


def test_invalid_identity_is_explained_and_nothing_is_saved(dpo_client, organisation):
    response = dpo_client.post(settings_url(organisation), {"name": "", "country": "FR", "role": "controller"})
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.text
    organisation.refresh_from_db()
    assert organisation.name == "Hexagone Logiciels SAS"


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_readers_see_the_identity_without_any_edit_control(request, persona, organisation, dpo):
    client = request.getfixturevalue(f"{persona}_client")
    identity = client.get(settings_url(organisation)).text
    assert "Claire Martin" in identity
    members = client.get(settings_url(organisation, "members")).text
    assert "<td>dpo</td>" in members
    assert 'name="legal_identifier"' not in identity
    assert "Invite someone" not in members
    for text in (identity, members):
        assert text.count('method="post"') == 2  # the header's language switcher and sign-out only
        assert "Change role" not in text
        assert "Remove" not in text


def test_dpo_changes_and_removes_a_member(dpo_client, dpo, organisation):
    lea = MembershipFactory(user=UserFactory(username="lea"), organisation=organisation, role="auditor")
    role_url = reverse("organisations:member_role", args=[organisation.slug, lea.pk])
    dpo_client.post(role_url, {"role": "manager"})
    lea.refresh_from_db()
    assert lea.role == "manager"

    remove_url = reverse("organisations:member_remove", args=[organisation.slug, lea.pk])
    assert "lea (Manager) will no longer have access" in dpo_client.get(remove_url).text
    dpo_client.post(remove_url)
    assert not Membership.objects.filter(pk=lea.pk).exists()


def test_removing_the_last_dpo_is_refused_with_a_message(dpo_client, dpo, organisation):
    membership = Membership.objects.get(user=dpo)
    response = dpo_client.post(
        reverse("organisations:member_remove", args=[organisation.slug, membership.pk]), follow=True
    )
    assert "An organisation needs at least one DPO" in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_organisation_cannot_be_reached_through_mine(dpo_client, organisation, outsider):
    foreign = Membership.objects.get(user=outsider)
    url = reverse("organisations:member_remove", args=[organisation.slug, foreign.pk])
    assert dpo_client.get(url).status_code == 404
    assert dpo_client.post(url).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_throttling_counts_the_client_behind_the_proxy_not_the_proxy(settings, rf):
    from core.ratelimit import client_address as client_ip_address

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.BEHIND_TLS_PROXY = False
    assert client_ip_address(request) == "10.0.0.2"
    settings.BEHIND_TLS_PROXY = True
    assert client_ip_address(request) == "203.0.113.9"  # the entry our proxy added, not the client's claim


def test_first_visit_opens_the_organisation_joined_first(dpo, organisation):
    earlier_in_the_alphabet = OrganisationFactory(name="Aardvark SA")
    MembershipFactory(user=dpo, organisation=earlier_in_the_alphabet, role=Membership.Role.AUDITOR)
    assert client_for(dpo).get(reverse("home"))["Location"] == f"/o/{organisation.slug}/"


def test_the_identity_history_shows_who_changed_which_field(dpo_client, auditor_client, organisation):
    identity = dpo_client.get(settings_url(organisation)).context["form"].initial
    data = {name: "" if value is None else value for name, value in identity.items()}
    dpo_client.post(settings_url(organisation), {**data, "email": "privacy@hexagone.example", "staff_count": "200"})
    page = auditor_client.get(settings_url(organisation, "history"))
    assert page.status_code == 200
    latest = page.context["changes"][0]
    assert latest.who == "dpo" and latest.kind == "changed"
    assert "Contact email: contact@example.org → privacy@hexagone.example" in latest.details
    assert "Approximate staff count: — → 200" in latest.details
    assert "privacy@hexagone.example" in page.text
    assert settings_url(organisation, "history") in auditor_client.get(settings_url(organisation)).text


def test_the_organisation_switcher_refuses_what_is_not_a_slug(dpo_client):
    assert dpo_client.get(reverse("accounts:switch_organisation"), {"organisation": "hexa\x00gone"}).status_code == 404
