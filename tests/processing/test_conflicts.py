"""No lost update: the second of two DPOs editing one activity sees the first one's changes."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership
from processing.models import ProcessingActivity
from processing.services import EditConflict, activity_create, activity_update

from ..accounts.factories import MembershipFactory, UserFactory
from ..conftest import client_for
from .test_views import form_data, url

pytestmark = pytest.mark.django_db


def test_the_second_save_is_refused_with_what_the_first_changed(dpo_client, organisation, catalogue):
    dpo_client.post(url(organisation, "activity_create"), form_data(catalogue))
    activity = ProcessingActivity.objects.get()
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, organisation=organisation, role=Membership.Role.DPO)
    colleague_client = client_for(colleague)

    # Both open the edit page at the same version.
    edited = dpo_client.get(url(organisation, "activity_edit", pk=activity.pk)).context["form"]["version"].value()
    assert colleague_client.get(url(organisation, "activity_edit", pk=activity.pk)).status_code == 200

    first = form_data(catalogue, name="CRM (renamed by colleague)", version=str(edited))
    assert colleague_client.post(url(organisation, "activity_edit", pk=activity.pk), first).status_code == 302

    second = form_data(catalogue, purpose="A better purpose", version=str(edited))
    response = dpo_client.post(url(organisation, "activity_edit", pk=activity.pk), second)
    assert response.status_code == 200
    assert "Someone else changed this activity while you were editing it." in response.text
    assert "Name: Customer relationship management → CRM (renamed by colleague)" in response.text
    assert "colleague" in response.text
    activity.refresh_from_db()
    assert (activity.name, activity.purpose) == ("CRM (renamed by colleague)", "Manage our customers.")

    # The DPO re-applies their edit on top of the new version: both changes survive.
    again = response.context["form"].data.copy()
    again["name"] = "CRM (renamed by colleague)"
    assert dpo_client.post(url(organisation, "activity_edit", pk=activity.pk), again).status_code == 302
    activity.refresh_from_db()
    assert (activity.name, activity.purpose) == ("CRM (renamed by colleague)", "A better purpose")


def test_every_write_raises_the_version_and_a_stale_one_is_refused(organisation, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    assert activity.version == 1
    activity_update(activity=activity, expected_version=1, name="Second")
    activity.refresh_from_db()
    assert activity.version == 2
    with pytest.raises(EditConflict) as conflict:
        activity_update(activity=activity, expected_version=1, name="Stale")
    assert (conflict.value.edited_version, conflict.value.current_version) == (1, 2)
    assert isinstance(conflict.value, ValidationError)
    activity.refresh_from_db()
    assert activity.name == "Second"
