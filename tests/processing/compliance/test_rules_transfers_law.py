"""Chapter V as the law has it (issue #18, items 9, 10, 18, 23, 24): derogations, international organisations, the
United Kingdom's two decisions, storage by the organisation itself, the US decision under appeal."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import organisation_update
from inventory.models import AdequacyDecision, InternationalOrganisation, System
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.selectors import shown
from processing.models import ProcessingActivity
from processing.services import activity_create, activity_update
from processing.transfer_proposals import destinations_outside_the_eea

from ...inventory.factories import RecipientFactory, SystemFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def findings(organisation, today=TODAY, rule=None):
    """The open findings after a check: {rule: params} (one finding per rule in these tests)."""
    check_organisation(organisation, today=today)
    found = Finding.objects.filter(organisation=organisation).exclude(status=Finding.Status.RESOLVED)
    if rule is not None:
        found = found.filter(rule=rule)
    return {finding.rule: finding.params for finding in found}


def draft(organisation, **data):
    return activity_create(organisation=organisation, name=data.pop("name", "Activity"), purpose="P", **data)


# --- Item 9: Art. 49 derogations -------------------------------------------------------------------------------


def test_a_derogation_to_a_system_is_systematic_and_flagged_high(organisation):
    """EDPB Guidelines 2/2018 on Art. 49, section 1: derogations are for occasional transfers and must not become the
    rule; data kept in a third-country system is transferred continuously."""
    crm = SystemFactory(organisation=organisation, name="Helpdesk", countries=["IN"])
    draft(organisation, systems=[crm], transfers=[{"country_id": "IN", "system": crm, "mechanism": "derogation_a"}])
    assert findings(organisation)["transfer.derogation_systematic"] == {"destinations": [["IN", "Helpdesk"]]}
    assert Finding.objects.get(rule="transfer.derogation_systematic").severity == "high"


def test_a_derogation_to_a_systems_host_is_systematic(organisation):
    """EDPB Guidelines 2/2018, section 1: the host of a system the activity stores data in receives it continuously."""
    host = RecipientFactory(organisation=organisation, name="Support Pvt Ltd", country_id="IN")
    desk = SystemFactory(organisation=organisation, name="Desk", countries=["IN"], hosting_provider=host)
    row = {"country_id": "IN", "recipient": host, "mechanism": "derogation_b"}
    draft(organisation, systems=[desk], transfers=[row])
    assert findings(organisation)["transfer.derogation_systematic"] == {"destinations": [["IN", "Support Pvt Ltd"]]}


def test_a_derogation_to_an_active_activitys_recipient_is_systematic_but_not_to_a_drafts(organisation, complete_data):
    """EDPB Guidelines 2/2018, section 1 and 2.3 (recital 113: "not repetitive"): a recipient of an activity that is
    going on receives the data as it goes on (medium: it may really be occasional, which the DPO says by accepting the
    risk). A draft's recipient receives nothing yet; a row naming no importer says nothing either way."""
    lawyer = RecipientFactory(organisation=organisation, name="Law firm LLP", country_id="IN", kind="controller")
    complete_data["recipients"] = [*complete_data["recipients"], lawyer]
    complete_data["transfers"] = [
        *complete_data["transfers"],
        {"country_id": "IN", "recipient": lawyer, "mechanism": "derogation_e"},
    ]
    activity = activity_create(organisation=organisation, **complete_data)
    assert "transfer.derogation_systematic" not in findings(organisation)
    activity_update(activity=activity, status=ProcessingActivity.Status.ACTIVE)
    assert findings(organisation)["transfer.derogation_systematic"] == {"destinations": [["IN", "Law firm LLP"]]}
    assert Finding.objects.get(rule="transfer.derogation_systematic").severity == "medium"


def test_a_derogation_naming_no_importer_is_not_presumed_systematic(organisation):
    """EDPB Guidelines 2/2018: whether a transfer is occasional depends on its importer and frequency; a row naming
    no importer gives the register nothing to conclude from."""
    draft(organisation, transfers=[{"country_id": "IN", "mechanism": "derogation_a"}])
    assert "transfer.derogation_systematic" not in findings(organisation)


def public_authority(organisation):
    organisation_update(organisation=organisation, is_public_body=True)
    organisation.refresh_from_db()
    return organisation


@pytest.mark.parametrize("mechanism", ["derogation_a", "derogation_b", "derogation_c", "compelling_interest"])
def test_a_public_authority_under_its_public_powers_cannot_record_these_derogations(organisation, mechanism):
    """Art. 49(3): "Points (a), (b) and (c) of the first subparagraph of paragraph 1 and the second subparagraph
    thereof shall not apply to activities carried out by public authorities in the exercise of their public powers."
    The record shows public powers by the organisation being a public body and the activity resting on a public task
    (Art. 6(1)(e)): the service refuses the row."""
    public_authority(organisation)
    row = {"country_id": "IN", "mechanism": mechanism, "safeguards": "Encrypted, minimal data"}
    with pytest.raises(ValidationError) as refused:
        draft(organisation, lawful_basis="public_task", transfers=[row])
    assert "(Art. 49(3))" in refused.value.message_dict["transfers.0.mechanism"][0]
    assert not ProcessingActivity.objects.exists()


@pytest.mark.parametrize("mechanism", ["derogation_d", "derogation_e", "derogation_f", "derogation_g", "scc_2"])
def test_a_public_authority_may_rely_on_the_other_derogations_and_safeguards(organisation, mechanism):
    """Art. 49(3) names only (a), (b), (c) and the second subparagraph: an important public interest (d), legal claims
    (e), vital interests (f), a public register (g) and the Art. 46 safeguards stay open to public authorities."""
    public_authority(organisation)
    draft(organisation, lawful_basis="public_task", transfers=[{"country_id": "IN", "mechanism": mechanism}])
    assert ProcessingActivity.objects.count() == 1


def test_a_company_may_rely_on_explicit_consent(organisation):
    """Art. 49(1)(a) is open to anyone but public authorities exercising public powers (Art. 49(3))."""
    draft(organisation, lawful_basis="public_task", transfers=[{"country_id": "IN", "mechanism": "derogation_a"}])
    assert "transfer.derogation_public_powers" not in findings(organisation)


def test_existing_rows_of_a_public_authority_are_flagged_where_a_refusal_came_too_late(organisation):
    """Art. 49(3): rows recorded before the organisation was marked a public authority, or on activities whose record
    does not say whether they are carried out under public powers, are flagged (the DPO accepts the risk for an
    activity outside its public powers)."""
    draft(organisation, lawful_basis="public_task", transfers=[{"country_id": "IN", "mechanism": "derogation_a"}])
    draft(
        organisation,
        name="Canteen",
        lawful_basis="contract",
        transfers=[{"country_id": "US", "mechanism": "derogation_b"}],
    )
    assert "transfer.derogation_public_powers" not in findings(organisation)
    public_authority(organisation)
    check_organisation(organisation, today=TODAY)
    flagged = Finding.objects.filter(rule="transfer.derogation_public_powers", status="open")
    assert sorted(finding.params["destinations"][0][0] for finding in flagged) == ["IN", "US"]
    assert "Art. 49(3)" in shown(flagged, organisation)[0].message


def test_the_web_form_refuses_consent_for_a_public_authority_under_public_powers(dpo_client, organisation, catalogue):
    """Art. 49(3), through the activity form: the row's error is shown next to its transfer tool, nothing is saved."""
    from ..test_views import form_data, formset, url

    public_authority(organisation)
    data = form_data(catalogue, lawful_basis="public_task")
    data.update(formset("transfers", [{"country": "IN", "mechanism": "derogation_a"}]))
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 200
    assert "in the exercise of its public powers (Art. 49(3))" in response.text
    assert not ProcessingActivity.objects.exists()


def test_the_api_refuses_consent_for_a_public_authority_under_public_powers(dpo, organisation, catalogue):
    """Art. 49(3), through the API: the same service refuses the row, with the field named."""
    from tests.api.conftest import token_client

    public_authority(organisation)
    client = token_client(dpo)
    body = {
        "organisation": organisation.slug,
        "name": "Visa applications",
        "purpose": "Examine visa applications.",
        "lawful_basis": "public_task",
        "data_fields": [catalogue["email"].pk],
        "transfers": [{"country": "IN", "mechanism": "derogation_c"}],
    }
    response = client.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400, response.content
    assert "Art. 49(3)" in str(response.json())
    assert not ProcessingActivity.objects.exists()


def test_a_compelling_interests_transfer_records_when_the_authority_and_the_people_were_informed(organisation):
    """Art. 49(1), second subparagraph: "The controller shall inform the supervisory authority of the transfer" and
    "inform the data subject of the transfer and on the compelling legitimate interests pursued"."""
    row = {"country_id": "IN", "mechanism": "compelling_interest", "safeguards": "Pseudonymised, one file"}
    activity = draft(organisation, transfers=[row])
    assert findings(organisation)["transfer.compelling_interest_not_informed"] == {"destinations": [["IN", ""]]}
    activity_update(activity=activity, transfers=[{**row, "authority_informed_on": datetime.date(2026, 11, 2)}])
    assert "transfer.compelling_interest_not_informed" in findings(organisation)
    informed = {"authority_informed_on": datetime.date(2026, 11, 2), "people_informed_on": datetime.date(2026, 11, 3)}
    activity_update(activity=activity, transfers=[{**row, **informed}])
    assert "transfer.compelling_interest_not_informed" not in findings(organisation)
    transfer = activity.transfers.get()
    assert (transfer.authority_informed_on, transfer.people_informed_on) == (
        informed["authority_informed_on"],
        informed["people_informed_on"],
    )


def test_the_form_records_when_the_authority_and_the_people_were_informed(dpo_client, organisation, catalogue):
    """Art. 49(1), second subparagraph: the dates are part of the transfer row, in the form and on the record page."""
    from ..test_views import form_data, formset, url

    data = form_data(catalogue)
    row = {
        "country": "IN",
        "mechanism": "compelling_interest",
        "safeguards": "One file, encrypted",
        "authority_informed_on": "2026-11-02",
        "people_informed_on": "2026-11-03",
    }
    data.update(formset("transfers", [row]))
    response = dpo_client.post(url(organisation, "activity_create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    transfer = ProcessingActivity.objects.get().transfers.get()
    assert transfer.authority_informed_on == datetime.date(2026, 11, 2)
    assert transfer.people_informed_on == datetime.date(2026, 11, 3)
    page = dpo_client.get(response["Location"]).text
    assert "Supervisory authority informed on" in page


# --- Item 10: international organisations -----------------------------------------------------------------------


@pytest.fixture
def who(db):
    return InternationalOrganisation.objects.create(name="World Health Organization")


@pytest.fixture
def epo(db):
    return InternationalOrganisation.objects.get(name="European Patent Organisation")


def test_a_transfer_to_an_international_organisation_needs_a_tool(organisation, who):
    """Art. 44: Chapter V applies to transfers "to a third country or to an international organisation" alike."""
    draft(organisation, transfers=[{"international_organisation": who}])
    assert findings(organisation)["transfer.no_valid_tool"] == {"destinations": [["World Health Organization", ""]]}
    message = shown(Finding.objects.filter(rule="transfer.no_valid_tool"), organisation)[0].message
    assert "World Health Organization" in message


def test_only_the_european_patent_organisation_has_an_adequacy_decision(organisation, who, epo):
    """Art. 45(1) and Commission Implementing Decision (EU) 2025/1382 of 15 July 2025: the European Patent
    Organisation is the only international organisation found adequate; adequacy claimed for another one is no tool."""
    draft(organisation, transfers=[{"international_organisation": who, "mechanism": "adequacy"}])
    draft(organisation, name="Patents", transfers=[{"international_organisation": epo, "mechanism": "adequacy"}])
    assert findings(organisation)["transfer.no_valid_tool"] == {"destinations": [["World Health Organization", ""]]}
    # Before the decision, the patent office's transfers had no adequacy either.
    before = findings(organisation, today=datetime.date(2025, 7, 14))
    assert Finding.objects.filter(rule="transfer.no_valid_tool", status="open").count() == 2
    assert before["transfer.no_valid_tool"]


def test_obsolete_tools_and_missing_assessments_are_flagged_for_international_organisations(organisation, who):
    """Art. 46 and Schrems II (C-311/18): an obsolete instrument protects no transfer, and an Art. 46 safeguard needs a
    transfer impact assessment (EDPB Recommendations 01/2020), whether the importer is a country's or an
    organisation's."""
    draft(organisation, transfers=[{"international_organisation": who, "mechanism": "privacy_shield"}])
    draft(organisation, name="Clauses", transfers=[{"international_organisation": who, "mechanism": "scc_2"}])
    found = findings(organisation)
    assert found["transfer.obsolete_instrument"] == {"destinations": [["World Health Organization", ""]]}
    assert found["transfer.tia_missing"]["destinations"] == [["World Health Organization", ""]]


# --- Item 18: the United Kingdom's two decisions -----------------------------------------------------------------


def test_the_united_kingdom_has_two_decisions_one_after_the_other(db):
    """Commission Implementing Decision (EU) 2021/1772 of 28 June 2021 (Art. 1(2): not for immigration control),
    extended in June 2025 to 27 December 2025; renewed on 19 December 2025 from 28 December 2025 to 27 December 2031,
    immigration data now in scope."""
    on = AdequacyDecision.objects.filter(country="GB").by_destination_on
    first = on(datetime.date(2025, 12, 27))[("country", "GB")]
    assert (first.reference, first.ends_on, first.scope) == ("(EU) 2021/1772", datetime.date(2025, 12, 27), "partial")
    assert "immigration control" in first.scope_description and "immigration" in first.scope_description_fr
    second = on(datetime.date(2025, 12, 28))[("country", "GB")]
    assert second.in_force_from == datetime.date(2025, 12, 28) and second.ends_on == datetime.date(2031, 12, 27)
    assert second.scope == "full" and "19 December 2025" in second.reference
    # Its Official Journal number could not be verified: the admin's notes say so rather than guess one.
    assert "NOT VERIFIED" in second.notes


def test_a_uk_transfer_is_judged_under_the_decision_of_the_day_checked(organisation):
    """Decision (EU) 2021/1772, Art. 1(2): before 28 December 2025 immigration-control data was outside the decision,
    so an unconfirmed UK transfer was out of its scope; under the 2025 renewal the decision is full."""
    draft(organisation, transfers=[{"country_id": "GB", "mechanism": "adequacy"}])
    assert "transfer.adequacy_out_of_scope" in findings(organisation, today=datetime.date(2024, 6, 1))
    assert findings(organisation, today=datetime.date(2026, 1, 5)) == {}


def test_a_renewed_decision_is_not_announced_as_ending(organisation):
    """Decision (EU) 2021/1772 ended on 27 December 2025, but its renewal of 19 December 2025 applies from the next
    day: no "ends within six months" warning in December 2025. The renewal's own end (27 December 2031) is warned of
    six months ahead, as before."""
    draft(organisation, transfers=[{"country_id": "GB", "mechanism": "adequacy", "adequacy_scope_confirmed": True}])
    assert "transfer.adequacy_expiring" not in findings(organisation, today=datetime.date(2025, 12, 20))
    assert "transfer.adequacy_expiring" in findings(organisation, today=datetime.date(2031, 6, 27))
    assert "transfer.no_valid_tool" in findings(organisation, today=datetime.date(2031, 12, 28))


def test_the_register_as_of_a_day_cites_the_decision_in_force_that_day(dpo_client, organisation):
    """Art. 30(1)(e) read with Art. 45: the record of a UK transfer on adequacy cites Decision (EU) 2021/1772 as of
    2024, and the renewal of 19 December 2025 today."""
    with time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        activity = draft(organisation, transfers=[{"country_id": "GB", "mechanism": "adequacy"}])
    today = dpo_client.get(activity.get_absolute_url()).text
    assert "renewing (EU) 2021/1772" in today
    as_of = reverse(
        "processing:activity_detail_as_of", kwargs={"organisation_slug": organisation.slug, "pk": activity.pk}
    )
    then = dpo_client.get(as_of, {"date": "2024-06-02"}).text
    assert "Decision: (EU) 2021/1772." in then and "renewing" not in then
    assert "immigration control" in then


# --- Item 23: storage by the organisation itself ------------------------------------------------------------------


def test_storage_in_the_organisations_own_data_centre_abroad_is_not_a_transfer_but_is_to_be_assessed(organisation):
    """EDPB Guidelines 05/2021 on the interplay between Art. 3 and Chapter V (v2.0), criterion 2: without another
    controller or processor receiving the data there is no transfer, yet the risks of the third country's law must be
    assessed."""
    own = SystemFactory(organisation=organisation, name="Singapore racks", kind="own_data_centre", countries=["SG"])
    draft(organisation, systems=[own])
    found = findings(organisation)
    assert "transfer.destination_uncovered" not in found
    assert found["transfer.own_storage_outside_eea"] == {"destinations": [["SG", ""]]}
    finding = Finding.objects.get(rule="transfer.own_storage_outside_eea")
    assert finding.subject == own
    message = shown(Finding.objects.filter(pk=finding.pk), organisation)[0].message
    assert "Singapore" in message and "not a transfer" in message and "assess the risks" in message
    assert destinations_outside_the_eea([own], []) == []


def test_a_data_centre_run_by_a_company_is_a_transfer(organisation):
    """EDPB Guidelines 05/2021 (v2.0), criterion 2: a company running the system (its host) is an importer: Chapter V
    applies."""
    host = RecipientFactory(organisation=organisation, name="Racks Pte Ltd", country_id="SG")
    hosted = SystemFactory(
        organisation=organisation, name="Racks", kind="own_data_centre", countries=["SG"], hosting_provider=host
    )
    draft(organisation, systems=[hosted])
    found = findings(organisation)
    assert found["transfer.destination_uncovered"] == {"destinations": [["SG", "Racks"]]}
    assert "transfer.own_storage_outside_eea" not in found
    assert not System.objects.get(pk=hosted.pk).is_self_operated


# --- Item 24: the US decision under appeal ------------------------------------------------------------------------


def test_the_us_scope_names_the_pending_appeal_the_review_and_the_fallback(dpo_client, organisation):
    """Decision (EU) 2023/1795 was upheld by the General Court on 3 September 2025 (T-553/23, Latombe) and appealed
    (C-703/25 P); the Commission reviews it (Art. 3; first review 9 October 2024). Relying on it, keep standard
    contractual clauses ready (informational: the record page says it, no finding)."""
    us = AdequacyDecision.objects.get(country="US")
    assert "C-703/25 P" in us.scope_description and "review" in us.scope_description
    assert "C-703/25 P" in us.scope_description_fr and "clauses contractuelles types" in us.scope_description_fr
    vendor = RecipientFactory(organisation=organisation, name="Cloud Inc.", country_id="US", is_dpf_certified=True)
    activity = draft(
        organisation,
        recipients=[vendor],
        transfers=[{"country_id": "US", "recipient": vendor, "mechanism": "adequacy"}],
    )
    assert findings(organisation) == {}
    page = dpo_client.get(activity.get_absolute_url()).text
    assert "C-703/25 P" in page and "fallback" in page
