"""Every change to an activity is kept: who, when, and what, field by field."""

import pytest
from django.urls import reverse

from inventory.models import System
from inventory.services import catalogue_item_create
from processing.history import activity_history
from processing.services import activity_create, activity_update

from .test_views import form_data, url

pytestmark = pytest.mark.django_db


def test_history_records_fields_links_and_rows_with_their_author(
    dpo_client, dpo, organisation, catalogue, complete_data
):
    response = dpo_client.post(url(organisation, "activity_create"), form_data(catalogue))
    assert response.status_code == 302
    activity = organisation.activities.get()
    salesforce = catalogue_item_create(
        model=System, organisation=organisation, name="Salesforce", kind="saas", countries=["FR"]
    )
    line = activity.retention_lines.get()
    activity_update(
        activity=activity,
        name="CRM",
        systems=[catalogue["intranet"], salesforce],
        retention_lines=[{"id": line.pk, "duration": 2, "duration_unit": "years", "end_action": "delete"}],
        security_measures=[],
    )
    changes = activity_history(activity)
    assert changes[-1].subject == "Activity" and changes[-1].kind == "created"
    assert changes[-1].who == "dpo"  # recorded from the web request
    everything = [(change.subject, change.kind, detail) for change in changes for detail in change.details or [""]]
    assert ("Activity", "changed", "Name: Customer relationship management → CRM") in everything
    assert ("Activity", "changed", "Systems (storage): + Salesforce") in everything
    assert ("Retention period · 2 years", "changed", "Duration: 3 → 2") in everything
    assert ("Security measure · User access control", "deleted", "") in everything
    assert any(subject.startswith("Category of people · Customers") for subject, kind, _detail in everything)


def test_history_page_for_every_role_and_its_query_count_does_not_grow(
    auditor_client, organisation, complete_data, catalogue, django_assert_max_num_queries
):
    activity = activity_create(organisation=organisation, **complete_data)
    page = reverse("processing:activity_history", args=[organisation.slug, activity.pk])
    auditor_client.get(page)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        text = auditor_client.get(page).text
    assert "Customer relationship management" in text
    for number in range(30):
        activity_update(
            activity=activity,
            name=f"Name {number}",
            retention_lines=[{"duration": number + 1, "duration_unit": "days"}],
        )
    with django_assert_max_num_queries(len(few)):
        text = auditor_client.get(page).text
    assert "Name: Name 28 → Name 29" in text


def test_one_save_is_one_entry_even_though_links_are_written_after_the_activity(organisation, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    activity_entries = [change for change in activity_history(activity) if change.subject == "Activity"]
    assert [change.kind for change in activity_entries] == ["created"]
    assert "Systems (storage): + CRM, + Intranet" in activity_entries[0].details
