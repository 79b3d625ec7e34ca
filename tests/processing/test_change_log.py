import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import organisation_update
from processing.services import activity_create, activity_update

from .test_views import form_data, url

pytestmark = pytest.mark.django_db


def test_change_log_lists_register_catalogue_and_identity_changes_filterable(
    dpo_client, auditor_client, dpo, organisation, other_organisation, catalogue, complete_data
):
    dpo_client.post(url(organisation, "activity_create"), form_data(catalogue))  # by the DPO, through the web
    activity = organisation.activities.get()
    activity_update(activity=activity, name="CRM")  # by the system (no request)
    organisation_update(organisation=organisation, city="Paris")
    activity_create(organisation=other_organisation, name="Not ours")

    entries = auditor_client.get(url(organisation, "change_log")).context["entries"]
    labels = {(entry.kind, entry.label, entry.action) for entry in entries}
    assert ("processing activity", "PA-001 · CRM", "changed") in labels
    assert ("processing activity", "PA-001 · Customer relationship management", "created") in labels
    assert ("organisation", "Hexagone Logiciels SAS", "changed") in labels
    assert ("system", "CRM", "created") in labels
    assert ("category of people concerned", "Customers", "created") in labels
    assert not any("Not ours" in entry.label for entry in entries)
    assert [entry.when for entry in entries] == sorted((entry.when for entry in entries), reverse=True)

    by_dpo = auditor_client.get(url(organisation, "change_log") + f"?user={dpo.pk}").context["entries"]
    assert by_dpo and {entry.who for entry in by_dpo} == {"dpo"}
    only_activities = auditor_client.get(url(organisation, "change_log") + "?kind=activity").context["entries"]
    assert {entry.kind for entry in only_activities} == {"processing activity"}
    future = auditor_client.get(url(organisation, "change_log") + "?start=2099-01-01").context["entries"]
    assert future == []
    assert auditor_client.get(url(organisation, "change_log") + "?start=not-a-date").status_code == 200


def test_change_log_query_count_does_not_grow(auditor_client, organisation, complete_data, django_assert_num_queries):
    activity_create(organisation=organisation, **complete_data)
    page = url(organisation, "change_log")
    auditor_client.get(page)
    with CaptureQueriesContext(connection) as few:
        auditor_client.get(page)
    for number in range(30):
        activity_create(organisation=organisation, **{**complete_data, "name": f"Activity {number}"})
    with django_assert_num_queries(len(few)):
        response = auditor_client.get(page)
    assert len(response.context["entries"]) == 50
    assert "before=" in response.context["older_query"]
