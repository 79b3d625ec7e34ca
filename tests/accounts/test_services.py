import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership, User
from accounts.services import (
    member_grant,
    membership_change_role,
    membership_remove,
    organisation_update,
)

from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_last_dpo_cannot_be_demoted_or_removed(organisation, dpo):
    membership = Membership.objects.get(user=dpo)
    for change in (
        lambda: membership_change_role(membership=membership, role=Membership.Role.MANAGER),
        lambda: membership_remove(membership=membership),
    ):
        with pytest.raises(ValidationError) as error:
            change()
        assert error.value.messages == ["An organisation needs at least one DPO: appoint another DPO first."]
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.DPO


def test_a_dpo_can_step_down_once_another_dpo_is_appointed(organisation, dpo, manager):
    membership_change_role(membership=Membership.objects.get(user=manager), role=Membership.Role.DPO)
    membership_remove(membership=Membership.objects.get(user=dpo))
    assert list(organisation.memberships.values_list("user__username", "role")) == [("manager", "dpo")]


def test_a_dpo_of_another_organisation_does_not_count(organisation, dpo, outsider):
    with pytest.raises(ValidationError):
        membership_remove(membership=Membership.objects.get(user=dpo))


def test_organisation_update_validates_and_keeps_the_slug(organisation):
    organisation_update(organisation=organisation, name="Hexagone Logiciels SA", dpo_email="dpo@hexagone.example")
    organisation.refresh_from_db()
    assert (organisation.name, organisation.slug, organisation.dpo_email) == (
        "Hexagone Logiciels SA",
        "hexagone",
        "dpo@hexagone.example",
    )
    with pytest.raises(ValidationError) as error:
        organisation_update(organisation=organisation, dpo_email="not an email")
    assert "dpo_email" in error.value.error_dict
    organisation.refresh_from_db()
    assert organisation.dpo_email == "dpo@hexagone.example"
    with pytest.raises(TypeError):
        organisation_update(organisation=organisation, slug="renamed")


def test_member_grant_creates_the_account_then_updates_the_role():
    organisation = OrganisationFactory()
    membership, created = member_grant(
        username="sam", organisation=organisation, role="auditor", email="sam@example.org", password="s3cret-pass!"
    )
    assert created
    assert User.objects.get(username="sam").check_password("s3cret-pass!")
    MembershipFactory(organisation=organisation, role="dpo")  # so that sam may later stop being DPO
    membership, created = member_grant(username="sam", organisation=organisation, role="dpo")
    assert not created
    assert membership.role == "dpo"
    assert Membership.objects.filter(user__username="sam").count() == 1
