"""The web form and the API refuse the same activity with the same reasons: one validation layer."""

import html

import pytest

from processing.models import ProcessingActivity

from ..processing.test_views import form_data, url

pytestmark = pytest.mark.django_db


def test_the_form_and_the_api_refuse_the_same_activation_for_the_same_reasons(
    dpo_client, dpo_api, organisation, catalogue
):
    # Health data (Art. 9) without an Art. 9(2) condition, and no security measure: not complete.
    form = form_data(catalogue, security=False, activate="1", data_fields=[catalogue["health"].pk])
    page = dpo_client.post(url(organisation, "activity_create"), form)
    assert page.status_code == 200 and not ProcessingActivity.objects.exists()

    body = {
        "organisation": organisation.slug,
        "name": form["name"],
        "role": "controller",
        "purpose": form["purpose"],
        "lawful_basis": "contract",
        "data_fields": [catalogue["health"].pk],
        "recipients": [catalogue["sales"].pk],
        "systems": [catalogue["intranet"].pk],
        "data_subjects": [{"category": catalogue["customers"].pk, "approximate_count": 5000}],
        "retention_lines": [{"duration": 3, "duration_unit": "years", "end_action": "delete"}],
    }
    draft = dpo_api.post("/api/v1/activities/", body, format="json").json()
    refused = dpo_api.post(f"/api/v1/activities/{draft['id']}/activate/")
    assert refused.status_code == 400
    api_messages = [error["message"] for error in refused.json()["errors"]]
    assert {error["code"] for error in refused.json()["errors"]} == {"incomplete"}
    assert api_messages == [
        "An active activity must record every mandatory item. Missing:",
        "Art. 30(1)(g): at least one security measure",
        "Art. 9(2): the Art. 9(2) condition for the special categories of data",
    ]
    shown = html.unescape(page.content.decode())
    assert all(message in shown for message in api_messages), "the form shows every reason the API gives"
    # The record's completeness, as both read it.
    assert [f"Art. {item['article']}: {item['message']}" for item in draft["missing"]] == api_messages[1:]
