"""Bad, forged or excessive input: a clear refusal, never a 500, never a half-written record."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inventory.models import DataField
from inventory.services import catalogue_item_archive
from processing.models import ProcessingActivity, RetentionLine
from processing.services import activity_create, activity_update

from ..inventory.factories import RecipientFactory
from .factories import ActivityFactory
from .test_views import form_data, formset, url

pytestmark = pytest.mark.django_db


def test_copying_an_activity_keeps_its_archived_catalogue_entries(dpo_client, organisation, complete_data, catalogue):
    activity = activity_create(organisation=organisation, **complete_data)
    catalogue_item_archive(item=catalogue["email"])
    catalogue_item_archive(item=catalogue["customers"])
    response = dpo_client.post(url(organisation, "activity_clone", pk=activity.pk))
    assert response.status_code == 302
    copy = ProcessingActivity.objects.exclude(pk=activity.pk).get()
    assert list(copy.data_fields.all()) == [catalogue["email"]]
    assert copy.subject_links.get().category == catalogue["customers"]


def test_copying_an_activity_with_a_very_long_name(dpo_client, organisation):
    activity = ActivityFactory(organisation=organisation, name="x" * 200)
    assert dpo_client.post(url(organisation, "activity_clone", pk=activity.pk)).status_code == 302
    assert len(ProcessingActivity.objects.exclude(pk=activity.pk).get().name) == 200


def test_activation_without_any_row_of_people(dpo_client, organisation, catalogue):
    data = form_data(catalogue, security=False, activate="1", **formset("subjects"))
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert "at least one category of people" in response.text
    assert not ProcessingActivity.objects.exists()


@pytest.mark.parametrize("count", ["3000000000", "100000000000000000000", "-5"])
def test_absurd_numbers_of_people_are_refused(dpo_client, organisation, catalogue, count):
    data = form_data(catalogue)
    data["subjects-0-approximate_count"] = count
    response = dpo_client.post(url(organisation, "activity_create"), data)
    if count == "3000000000":  # three billion people is possible (a global platform)
        assert response.status_code == 302
        assert ProcessingActivity.objects.get().subject_links.get().approximate_count == 3_000_000_000
    else:
        assert response.status_code == 200
        assert not ProcessingActivity.objects.exists()


def test_too_many_rows_are_refused_quickly(dpo_client, organisation, catalogue, django_assert_max_num_queries):
    data = form_data(catalogue)
    data.update(formset("retention", [{"duration": "1", "duration_unit": "years", "end_action": "delete"}] * 200))
    with django_assert_max_num_queries(60):
        response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert "Please submit at most 50 forms." in response.text
    assert not ProcessingActivity.objects.exists()
    # Far more fields than any form has: Django refuses the request outright.
    data.update(formset("retention", [{"duration": "1", "duration_unit": "years", "end_action": "delete"}] * 2000))
    assert dpo_client.post(url(organisation, "activity_create"), data).status_code == 400


def test_missing_management_data_is_refused(dpo_client, organisation, catalogue):
    data = {key: value for key, value in form_data(catalogue).items() if not key.startswith("transfers-")}
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert not ProcessingActivity.objects.exists()


def test_searches_with_a_nul_character(auditor_client, organisation):
    assert auditor_client.get(url(organisation, "activity_list") + "?q=%00").status_code == 200
    catalogue_url = reverse("inventory:item_list", args=[organisation.slug, "systems"]) + "?q=%00"
    assert auditor_client.get(catalogue_url).status_code == 200


def test_a_name_that_folds_too_long_is_refused(dpo_client, organisation):
    response = dpo_client.post(
        reverse("inventory:item_create", args=[organisation.slug, "data-fields"]),
        {"name": "ß" * 199 + "½", "category": "other"},
    )
    assert response.status_code == 200
    assert "This name is too long." in response.text
    assert not DataField.objects.exists()


def test_unknown_country_code_through_the_services(organisation, complete_data):
    complete_data["transfers"] = [{"country_id": "ZZ", "mechanism": "scc_2"}]
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert "transfers.0.country" in error.value.message_dict
    assert not ProcessingActivity.objects.exists()


def test_a_forged_importer_of_another_organisation_is_refused(dpo_client, organisation, other_organisation, catalogue):
    foreign = RecipientFactory(organisation=other_organisation, country_id="US")
    data = form_data(
        catalogue,
        transfers_reviewed="",
        **formset("transfers", [{"country": "US", "recipient": foreign.pk, "mechanism": "scc_2"}]),
    )
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert response.context["formsets"]["transfers"].forms[0].errors["recipient"]
    assert not ProcessingActivity.objects.exists()


def test_an_importer_that_is_not_part_of_the_activity_is_refused(organisation, complete_data, catalogue):
    complete_data["recipients"] = [catalogue["sales"]]  # the US vendor is no longer a recipient
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert "transfers.0.recipient" in error.value.message_dict


def test_rows_of_another_activity_cannot_be_taken_over(organisation, complete_data):
    mine = activity_create(organisation=organisation, **complete_data)
    other = activity_create(organisation=organisation, **{**complete_data, "name": "Other"})
    foreign_line = other.retention_lines.get()
    with pytest.raises(ValidationError):
        activity_update(
            activity=mine, retention_lines=[{"id": foreign_line.pk, "duration": 1, "duration_unit": "days"}]
        )
    foreign_line.refresh_from_db()
    assert (foreign_line.activity, foreign_line.duration) == (other, 3)


def test_the_same_row_twice_is_refused(organisation, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    line = activity.retention_lines.get()
    rows = [
        {"id": line.pk, "duration": 1, "duration_unit": "days"},
        {"id": line.pk, "duration": 9, "duration_unit": "days"},
    ]
    with pytest.raises(ValidationError):
        activity_update(activity=activity, retention_lines=rows)
    assert RetentionLine.objects.get(pk=line.pk).duration == 3


def test_an_archived_activity_is_restored_before_it_changes(dpo_client, organisation, complete_data):
    activity = activity_create(organisation=organisation, status="archived", **complete_data)
    response = dpo_client.get(url(organisation, "activity_edit", pk=activity.pk), follow=True)
    assert "This activity is archived: restore it before changing it." in response.text
    response = dpo_client.post(url(organisation, "activity_activate", pk=activity.pk), follow=True)
    assert "restore it before changing it" in response.text
    with pytest.raises(ValidationError):
        activity_update(activity=activity, name="Renamed")
    activity.refresh_from_db()
    assert (activity.status, activity.name) == ("archived", "Customer relationship management")


def test_only_an_archived_activity_is_restored(dpo_client, organisation, complete_data):
    activity = activity_create(organisation=organisation, status="active", **complete_data)
    response = dpo_client.post(url(organisation, "activity_restore", pk=activity.pk), follow=True)
    assert "Only an archived activity can be restored." in response.text
    activity.refresh_from_db()
    assert activity.status == "active"


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_the_ends_of_the_calendar_in_any_time_zone(auditor_client, auditor, organisation, complete_data, zone):
    """31 December 9999 behind UTC, 1 January 0001 ahead of it: the register as of those days,
    the changes between them and the change log answer, never a 500."""
    activity = activity_create(organisation=organisation, **complete_data)
    auditor.time_zone = zone
    auditor.save()
    far = {"date": "9999-12-31"}
    assert activity.name in auditor_client.get(url(organisation, "activity_list_as_of"), far).content.decode()
    assert auditor_client.get(url(organisation, "activity_detail_as_of", pk=activity.pk), far).status_code == 200
    ends = {"start": "0001-01-01", "end": "9999-12-31"}
    assert activity.name in auditor_client.get(url(organisation, "register_changes"), ends).content.decode()
    assert activity.name in auditor_client.get(url(organisation, "change_log"), ends).content.decode()
