"""What-if on adequacy decisions: the findings a change would bring or remove, predicted
for a known register, and nothing saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import AdequacyDecision
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.whatif import Change, predict, scenario_for
from processing.models import ProcessingActivity
from processing.services import activity_create

from ...inventory.factories import RecipientFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
RECENT = TODAY - datetime.timedelta(days=10)  # a transfer impact assessment


def draft(organisation, name, **data):
    return activity_create(organisation=organisation, name=name, purpose="P", **data)


@pytest.fixture
def register(organisation):
    """One activity per way of relying on a destination outside the EEA."""
    cloud = RecipientFactory(organisation=organisation, name="Cloud Inc.", country_id="US", is_dpf_certified=True)
    helpdesk = RecipientFactory(
        organisation=organisation, name="Helpdesk Inc.", country_id="US", is_dpf_certified=False
    )
    return {
        "us": draft(
            organisation,
            "Hosting",
            recipients=[cloud],
            transfers=[{"country_id": "US", "recipient": cloud, "mechanism": "adequacy"}],
        ),
        "us_uncertified": draft(
            organisation,
            "Support",
            recipients=[helpdesk],
            transfers=[{"country_id": "US", "recipient": helpdesk, "mechanism": "adequacy"}],
        ),
        "gb": draft(organisation, "London office", transfers=[{"country_id": "GB", "mechanism": "adequacy"}]),
        "in_scc": draft(
            organisation,
            "Payroll",
            transfers=[{"country_id": "IN", "mechanism": "scc_2", "tia_date": RECENT}],
        ),
        # Recorded as relying on adequacy, which India does not have (nor China): flagged today.
        "in_adequacy": draft(
            organisation,
            "Development",
            transfers=[{"country_id": "IN", "mechanism": "adequacy"}, {"country_id": "CN", "mechanism": "adequacy"}],
        ),
        "jp": draft(
            organisation,
            "Tokyo office",
            transfers=[{"country_id": "JP", "mechanism": "adequacy", "adequacy_scope_confirmed": True}],
        ),
    }


def what_if(organisation, change, country, starts_on=None, evaluated_on=None):
    scenario = scenario_for(change=change, country=country, starts_on=starts_on, evaluated_on=evaluated_on, today=TODAY)
    return predict(organisation, scenario)


def summary(rows, register):
    """(activity key, rule, destinations) of each predicted finding."""
    names = {activity.pk: key for key, activity in register.items()}
    return sorted(
        (names[row.finding.subject_id], row.finding.rule, row.finding.params.get("destinations"))
        for row in rows
        if row.finding.subject_type.model_class() is ProcessingActivity
    )


def reference_data():
    return list(AdequacyDecision.objects.order_by("pk").values())


# --- Predictions for a known register ----------------------------------------------------


def test_the_eu_us_decision_falling_flags_every_us_transfer_relying_on_it(organisation, register):
    prediction = what_if(organisation, Change.ENDS, "US", starts_on=datetime.date(2027, 1, 1))
    assert prediction.scenario.evaluated_on == datetime.date(2027, 1, 1)
    assert summary(prediction.gained, register) == [
        ("us", "transfer.no_valid_tool", [["US", "Cloud Inc."]]),
        ("us_uncertified", "transfer.no_valid_tool", [["US", "Helpdesk Inc."]]),
    ]
    # Outside the decision's scope today; with no decision at all, that finding gives way.
    assert summary(prediction.lost, register) == [
        ("us_uncertified", "transfer.adequacy_out_of_scope", [["US", "Helpdesk Inc."]]),
    ]
    gained = {row.finding.subject_id: row for row in prediction.gained}
    assert gained[register["us"].pk].message.startswith(
        "Transfers with no valid transfer tool today: United States of America (Cloud Inc.)."
    )
    assert gained[register["us"].pk].destinations == ["United States of America (Cloud Inc.)"]


def test_a_decision_known_to_end_warns_six_months_ahead(organisation, register):
    prediction = what_if(
        organisation,
        Change.ENDS,
        "US",
        starts_on=datetime.date(2027, 1, 1),
        evaluated_on=datetime.date(2026, 12, 1),
    )
    assert summary(prediction.gained, register) == [
        ("us", "transfer.adequacy_expiring", [["US", "Cloud Inc."]]),
        ("us_uncertified", "transfer.adequacy_expiring", [["US", "Helpdesk Inc."]]),
    ]
    assert prediction.lost == []


def test_the_uk_decision_not_renewed_flags_the_gb_transfer_after_27_december_2031(organisation, register):
    prediction = what_if(organisation, Change.NOT_RENEWED, "GB")
    assert prediction.scenario.starts_on == datetime.date(2031, 12, 28)
    assert prediction.scenario.evaluated_on == datetime.date(2031, 12, 28)
    assert summary(prediction.gained, register) == [("gb", "transfer.no_valid_tool", [["GB", ""]])]
    # By then the Payroll assessment is five years old: flagged either way, so not the change's doing.
    assert prediction.lost == []
    # Payroll's assessment, Development's India and China, Support's uncertified importer.
    assert prediction.unchanged == 4


def test_the_uk_decision_not_renewed_warns_from_six_months_before_its_end(organisation, register):
    before_the_warning = what_if(organisation, Change.NOT_RENEWED, "GB", evaluated_on=datetime.date(2031, 6, 26))
    assert before_the_warning.gained == before_the_warning.lost == []
    prediction = what_if(organisation, Change.NOT_RENEWED, "GB", evaluated_on=datetime.date(2031, 6, 27))
    assert summary(prediction.gained, register) == [("gb", "transfer.adequacy_expiring", [["GB", ""]])]
    assert prediction.lost == []


def test_a_new_decision_for_india_clears_the_transfer_recorded_as_adequacy_and_no_other(organisation, register):
    prediction = what_if(organisation, Change.NEW, "IN", starts_on=datetime.date(2027, 3, 1))
    assert prediction.gained == []
    # Only India leaves the finding: China still has no decision. The clauses need their assessment either way.
    assert summary(prediction.lost, register) == [("in_adequacy", "transfer.no_valid_tool", [["IN", ""]])]
    assert prediction.lost[0].message.startswith("Transfers with no valid transfer tool today: India.")


def test_a_new_decision_is_not_in_force_before_its_first_day(organisation, register):
    prediction = what_if(
        organisation, Change.NEW, "IN", starts_on=datetime.date(2027, 3, 1), evaluated_on=datetime.date(2027, 2, 28)
    )
    assert prediction.gained == prediction.lost == []


# --- Nothing is saved --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "country", "starts_on"),
    [
        (Change.ENDS, "US", datetime.date(2027, 1, 1)),
        (Change.NEW, "IN", datetime.date(2027, 3, 1)),
        (Change.NOT_RENEWED, "GB", None),
    ],
)
def test_a_what_if_leaves_no_trace(
    organisation, register, django_capture_on_commit_callbacks, change, country, starts_on
):
    check_organisation(organisation, today=TODAY)
    decisions, findings = reference_data(), list(Finding.objects.order_by("pk").values())
    decision_history, finding_history = AdequacyDecision.history.count(), Finding.history.count()
    assert findings  # the register has findings today, which a what-if must not touch
    with django_capture_on_commit_callbacks() as callbacks:
        prediction = what_if(organisation, change, country, starts_on=starts_on)
    assert prediction.gained or prediction.lost
    assert callbacks == []  # no re-check queued
    assert reference_data() == decisions
    assert AdequacyDecision.history.count() == decision_history
    assert list(Finding.objects.order_by("pk").values()) == findings
    assert Finding.history.count() == finding_history
    # The checks still read the reference data as it is.
    assert AdequacyDecision.objects.in_force_on(datetime.date(2027, 1, 1)).filter(country_id="US").exists()
    assert not AdequacyDecision.objects.filter(country_id="IN").exists()


def test_a_re_check_or_history_written_inside_the_what_if_is_undone_with_it(
    organisation, other_organisation, register, django_capture_on_commit_callbacks
):
    """The change is written without signals; were it saved the ordinary way (a re-check of
    every organisation queued, a history row written), the rollback would undo both."""
    from processing.compliance.whatif import _hits_with

    decision_history = AdequacyDecision.history.count()

    def save_the_ordinary_way():
        decision = AdequacyDecision.objects.get(country_id="US")
        decision.ends_on = datetime.date(2026, 12, 31)
        decision.save()
        assert AdequacyDecision.history.count() == decision_history + 1
        assert len(connection.run_on_commit) > queued  # the other organisation's re-check

    queued = len(connection.run_on_commit)
    with django_capture_on_commit_callbacks() as callbacks:
        hits = _hits_with(organisation, datetime.date(2027, 1, 1), save_the_ordinary_way)
    assert ("transfer.no_valid_tool", ProcessingActivity, register["us"].pk, ("US", "Cloud Inc."), "{}") in hits
    assert callbacks == []
    assert len(connection.run_on_commit) == queued
    assert AdequacyDecision.history.count() == decision_history
    assert AdequacyDecision.objects.get(country_id="US").ends_on is None


@pytest.mark.django_db(transaction=True)
def test_a_what_if_outside_any_transaction_is_rolled_back_too(organisation, register):
    """As on a page: no transaction around the request, so the what-if's own is the outermost."""
    decisions, decision_history = reference_data(), AdequacyDecision.history.count()
    findings = list(Finding.objects.order_by("pk").values())  # each save was checked once committed
    prediction = what_if(organisation, Change.ENDS, "US", starts_on=datetime.date(2027, 1, 1))
    assert len(prediction.gained) == 2
    assert not connection.in_atomic_block
    assert reference_data() == decisions
    assert AdequacyDecision.history.count() == decision_history
    assert list(Finding.objects.order_by("pk").values()) == findings


def test_a_what_if_costs_the_same_queries_for_5_and_for_50_activities(organisation, dpo_client):
    cloud = RecipientFactory(organisation=organisation, name="Cloud Inc.", country_id="US", is_dpf_certified=True)

    def grow(count):
        while ProcessingActivity.objects.filter(organisation=organisation).count() < count:
            draft(
                organisation,
                "Activity",
                recipients=[cloud],
                transfers=[
                    {"country_id": "US", "recipient": cloud, "mechanism": "adequacy"},
                    {"country_id": "IN", "mechanism": "adequacy"},
                ],
            )

    url = reverse("compliance:what_if", args=[organisation.slug])
    query = {"change": "ends", "country": "US", "starts_on": "2027-01-01"}
    grow(5)
    dpo_client.get(url, query)  # the session notes the organisation once
    with CaptureQueriesContext(connection) as small:
        response = dpo_client.get(url, query)
    assert response.status_code == 200
    assert len(response.context["prediction"].gained) == 5
    grow(50)
    with CaptureQueriesContext(connection) as large:
        response = dpo_client.get(url, query)
    assert len(response.context["prediction"].gained) == 50
    assert len(large) == len(small)


# --- The page ------------------------------------------------------------------------------


def test_the_dpo_sees_what_would_change_and_why(organisation, register, dpo_client, django_assert_max_num_queries):
    url = reverse("compliance:what_if", args=[organisation.slug])
    # The rules run twice (as recorded, then with the change): about 29 queries each, whatever the register's size
    # (the Art. 49 rules, systematic derogations and the compelling-interests transfer's information, add one each;
    # the three drift rules of discovery one each while no system was scanned).
    with django_assert_max_num_queries(74):
        response = dpo_client.get(url, {"change": "ends", "country": "US", "starts_on": "2027-01-01"})
    assert response.status_code == 200
    page = response.text
    assert "If the adequacy decision for United States of America no longer applied from" in page
    assert "2 findings would appear" in page
    assert "1 finding would disappear" in page
    assert "Transfers with no valid transfer tool today: United States of America (Cloud Inc.)." in page
    assert reverse("processing:activity_detail", args=[organisation.slug, register["us"].pk]) in page
    assert "Nothing has been changed or saved." in page


def test_the_page_starts_with_an_empty_form(organisation, dpo_client):
    response = dpo_client.get(reverse("compliance:what_if", args=[organisation.slug]))
    assert response.status_code == 200
    assert response.context["prediction"] is None
    assert not response.context["form"].is_bound


def test_a_manager_may_ask_an_auditor_may_not_an_outsider_sees_nothing(
    organisation, manager_client, auditor_client, outsider_client
):
    url = reverse("compliance:what_if", args=[organisation.slug])
    query = {"change": "not_renewed", "country": "GB"}
    assert manager_client.get(url, query).status_code == 200
    assert auditor_client.get(url, query).status_code == 403
    assert outsider_client.get(url, query).status_code == 404


def test_the_findings_page_links_to_the_what_if_for_those_allowed(organisation, dpo_client, auditor_client):
    url = reverse("compliance:finding_list", args=[organisation.slug])
    link = reverse("compliance:what_if", args=[organisation.slug])
    assert link in dpo_client.get(url).text
    assert link not in auditor_client.get(url).text


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"change": "ends", "country": "IN", "starts_on": "2027-01-01"}, "country", "no_decision"),
        ({"change": "ends", "country": "US"}, "starts_on", "required"),
        ({"change": "new", "country": "JP", "starts_on": "2027-01-01"}, "country", "already_adequate"),
        ({"change": "not_renewed", "country": "US"}, "country", "no_end_date"),
        ({"change": "not_renewed", "country": "IN"}, "country", "no_decision"),
        ({"change": "ends", "country": "FR", "starts_on": "2027-01-01"}, "country", "invalid_choice"),  # in the EEA
        ({"change": "ends", "country": "XX", "starts_on": "2027-01-01"}, "country", "invalid_choice"),
        ({"change": "ends", "country": "US\x00", "starts_on": "2027-01-01"}, "country", "invalid_choice"),
        ({"change": "revoked", "country": "US", "starts_on": "2027-01-01"}, "change", "invalid_choice"),
        ({"change": "ends", "country": "US", "starts_on": "1900-01-01"}, "starts_on", "out_of_range"),
        ({"change": "ends", "country": "US", "starts_on": "2027-01-01", "evaluated_on": "9999-12-31"}, "evaluated_on",
         "out_of_range"),
        ({"change": "ends", "country": "US", "starts_on": "2027-13-45"}, "starts_on", "invalid"),
        ({"change": "ends", "country": "US", "starts_on": "99999-01-01"}, "starts_on", "invalid"),
        ({"change": "new", "country": "IN", "starts_on": "0001-01-01"}, "starts_on", "out_of_range"),
        ({"country": "US"}, "change", "required"),
    ],
)  # fmt: skip
def test_bad_input_is_shown_next_to_its_field_never_a_500(organisation, dpo_client, query, field, code):
    response = dpo_client.get(reverse("compliance:what_if", args=[organisation.slug]), query)
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["prediction"] is None
    assert [error.code for error in form.errors.as_data()[field]] == [code]


def test_a_decision_cannot_fall_before_it_came_into_force(organisation):
    """The US decision applies from 10 July 2023: it cannot stop applying on that day."""
    with pytest.raises(ValidationError) as raised:
        scenario_for(change=Change.ENDS, country="US", starts_on=datetime.date(2023, 7, 10), today=TODAY)
    assert raised.value.error_dict["country"][0].code == "no_decision"
    scenario = scenario_for(change=Change.ENDS, country="US", starts_on=datetime.date(2023, 7, 11), today=TODAY)
    assert scenario.decision_reference == "(EU) 2023/1795"
