import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership, Organisation
from core.text import normalise_key

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_normalise_key_ignores_case_accents_and_spacing():
    assert normalise_key("  Données   de SANTÉ ") == "donnees de sante"
    assert normalise_key("Hexagone Logiciels") != normalise_key("Hexagone Logiciel")


def test_organisation_names_differing_only_by_case_or_accents_are_refused():
    OrganisationFactory(name="Société Générale d'Études")
    duplicate = Organisation(name="SOCIETE generale d'etudes", slug="other")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "An organisation with this name already exists." in error.value.messages
    # The database enforces it too, on SQLite as on PostgreSQL.
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_email_addresses_are_unique_whatever_their_case():
    UserFactory(username="claire", email="Claire.Martin@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="claire2", email="claire.martin@EXAMPLE.org")


def test_several_users_may_leave_their_email_empty():
    UserFactory(username="a", email="")
    UserFactory(username="b", email="")


def test_a_user_has_one_role_per_organisation():
    membership = MembershipFactory(role=Membership.Role.AUDITOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, organisation=membership.organisation, role="dpo")


def test_the_database_refuses_an_unknown_role():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(role="owner")


def test_unknown_time_zone_is_refused():
    user = UserFactory()
    user.time_zone = "Europe/Atlantis"
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "time_zone" in error.value.error_dict


def test_new_users_get_the_default_display_time_zone(settings):
    assert UserFactory().time_zone == settings.TIME_ZONE
