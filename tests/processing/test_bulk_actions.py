"""Issue #19: the DPO activates or archives many activities of the register list at once (after an import, say)."""

import pytest

from processing.models import ProcessingActivity
from processing.services import activity_create

from .factories import ActivityFactory
from .test_views import url

pytestmark = pytest.mark.django_db


def bulk(client, organisation, action, activities, **extra):
    return client.post(
        url(organisation, "activity_bulk"),
        {"action": action, "activities": [activity.pk for activity in activities], **extra},
        follow=True,
    )


def statuses(*activities):
    return [ProcessingActivity.objects.get(pk=activity.pk).status for activity in activities]


def test_activating_the_chosen_drafts_activates_the_complete_and_says_why_the_others_are_refused(
    dpo_client, organisation, complete_data
):
    complete = activity_create(organisation=organisation, **complete_data)
    incomplete = activity_create(organisation=organisation, name="Payroll")
    response = bulk(dpo_client, organisation, "activate", [complete, incomplete], return_query="status=draft")
    assert response.redirect_chain[-1][0] == url(organisation, "activity_list") + "?status=draft"
    assert statuses(complete, incomplete) == ["active", "draft"]
    shown = [str(message) for message in response.context["messages"]]
    assert "1 activity is now active." in shown
    [refusal] = [message for message in shown if message.startswith(incomplete.reference)]
    assert refusal.startswith(f"{incomplete.reference} · Payroll: An active activity must record every mandatory item.")
    assert "Art. 30(1)(g)" in refusal
    assert incomplete.history.count() == 1  # the refused activation wrote nothing


def test_an_active_activity_chosen_for_activation_is_left_as_it_is(dpo_client, organisation, complete_data):
    active = activity_create(organisation=organisation, status="active", **complete_data)
    response = bulk(dpo_client, organisation, "activate", [active])
    assert statuses(active) == ["active"]
    assert active.history.count() == 1
    assert f"{active.reference} · {active.name}: not a draft, so not activated." in response.text


def test_archiving_the_chosen_activities(dpo_client, organisation):
    first, second, untouched = (ActivityFactory(organisation=organisation) for _ in range(3))
    response = bulk(dpo_client, organisation, "archive", [first, second])
    assert statuses(first, second, untouched) == ["archived", "archived", "draft"]
    assert "2 activities are archived." in response.text


def test_an_activity_of_another_organisation_refuses_the_whole_request(dpo_client, organisation, other_organisation):
    mine = ActivityFactory(organisation=organisation)
    theirs = ActivityFactory(organisation=other_organisation)
    response = bulk(dpo_client, organisation, "archive", [mine, theirs])
    assert statuses(mine, theirs) == ["draft", "draft"]
    assert "Some of the chosen activities are not in this register: nothing was changed." in response.text
    assert theirs.name not in response.text


@pytest.mark.parametrize(
    "data",
    [{"action": "archive"}, {"action": "archive", "activities": ["x"]}, {"action": "delete", "activities": ["1"]}],
)
def test_a_bad_bulk_request_changes_nothing(dpo_client, organisation, data):
    activity = ActivityFactory(organisation=organisation)
    data = {key: [str(activity.pk)] if value == ["1"] else value for key, value in data.items()}
    response = dpo_client.post(url(organisation, "activity_bulk"), data, follow=True)
    assert response.status_code == 200
    assert statuses(activity) == ["draft"]
    assert any(message.level_tag == "error" for message in response.context["messages"])


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_readers_cannot_act_on_many_activities_nor_see_the_controls(request, persona, organisation):
    client = request.getfixturevalue(f"{persona}_client")
    activity = ActivityFactory(organisation=organisation)
    assert (
        client.post(url(organisation, "activity_bulk"), {"action": "archive", "activities": [activity.pk]}).status_code
        == 403
    )
    assert statuses(activity) == ["draft"]
    page = client.get(url(organisation, "activity_list")).text
    assert 'name="activities"' not in page and "bulk-actions" not in page


def test_the_list_offers_a_box_per_activity_to_the_dpo_in_few_queries(
    dpo_client, organisation, django_assert_max_num_queries
):
    activities = [ActivityFactory(organisation=organisation) for _ in range(3)]
    with django_assert_max_num_queries(25):
        page = dpo_client.get(url(organisation, "activity_list")).text
    for activity in activities:
        assert f'name="activities" value="{activity.pk}" form="bulk-actions"' in page
        assert f'aria-label="Choose {activity.reference} · {activity.name}"' in page
