import pytest
from django.core.exceptions import ValidationError

from inventory.services import catalogue_item_archive
from processing.completeness import missing_items
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from processing.selectors import activities_with_details
from processing.services import (
    activity_activate,
    activity_archive,
    activity_clone,
    activity_create,
    activity_restore,
    activity_update,
    next_reference,
)

from ..inventory.factories import DataFieldFactory
from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


def reload(activity):
    return activities_with_details(ProcessingActivity.objects.filter(pk=activity.pk)).get()


def missing_articles(activity):
    return [item.article for item in missing_items(reload(activity))]


def test_a_draft_may_be_incomplete_and_says_what_is_missing_by_article(organisation):
    activity = activity_create(organisation=organisation, name="Newsletter")
    assert activity.status == "draft"
    assert activity.reference == "PA-001"
    assert missing_articles(activity) == [
        "30(1)(b)",
        "30(1)(c)",
        "30(1)(c)",
        "30(1)(d)",
        "30(1)(f)",
        "30(1)(g)",
        "6(1)",
    ]


def test_a_complete_activity_is_activated(organisation, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    assert missing_articles(activity) == []
    activity_activate(activity=activity)
    activity.refresh_from_db()
    assert activity.status == "active"


def test_activation_is_refused_listing_what_is_missing_and_nothing_changes(organisation, complete_data):
    del complete_data["security_measures"]
    activity = activity_create(organisation=organisation, **complete_data)
    with pytest.raises(ValidationError) as error:
        activity_activate(activity=activity)
    assert error.value.message_dict["status"] == [
        "An active activity must record every mandatory item. Missing:",
        "Art. 30(1)(g): at least one security measure",
    ]
    activity.refresh_from_db()
    assert activity.status == "draft"


def test_special_categories_need_an_article_9_condition(organisation, complete_data, catalogue):
    complete_data["data_fields"] = [catalogue["email"], catalogue["health"]]
    activity = activity_create(organisation=organisation, **complete_data)
    assert missing_articles(activity) == ["9(2)"]
    # Condition (b) rests on employment law: the law must be cited too.
    activity_update(activity=activity, special_condition=ProcessingActivity.SpecialCondition.EMPLOYMENT)
    assert [item.message for item in missing_items(reload(activity))] == [
        "the law the Art. 9(2) condition rests on (for (b), the law or collective agreement; for (h), the law or "
        "contract with a health professional)"
    ]
    activity_update(activity=activity, special_condition_reference="Code du travail L1226-1")
    assert missing_articles(activity) == []
    # Explicit consent (a) needs no law.
    activity_update(activity=activity, special_condition="a", special_condition_reference="")
    assert missing_articles(activity) == []


def test_criminal_data_needs_a_legal_basis(organisation, complete_data, catalogue):
    complete_data["data_fields"] = [catalogue["record"]]
    activity = activity_create(organisation=organisation, **complete_data)
    assert missing_articles(activity) == ["10"]


def test_joint_controllers_and_processors_name_the_other_parties(organisation, complete_data):
    activity = activity_create(organisation=organisation, role="joint_controller", **complete_data)
    assert missing_articles(activity) == ["30(1)(a)", "26"]
    activity_update(
        activity=activity,
        joint_arrangement="Meta handles access requests.",
        controller_parties=[{"name": "Meta Platforms Ireland", "contact": "Dublin"}],
    )
    assert missing_articles(activity) == []
    processor = activity_create(organisation=organisation, role="processor", name="Hosting for clients")
    assert missing_articles(processor) == ["30(2)(a)", "30(2)(b)", "30(2)(d)"]


def test_a_transfer_without_a_tool_is_missing_its_article_30_1_e_item(organisation, complete_data):
    complete_data["transfers"][0]["mechanism"] = ""
    activity = activity_create(organisation=organisation, **complete_data)
    assert missing_articles(activity) == ["30(1)(e)"]


def test_an_active_activity_cannot_lose_a_mandatory_item(organisation, complete_data):
    activity = activity_create(organisation=organisation, status="active", **complete_data)
    with pytest.raises(ValidationError):
        activity_update(activity=activity, purpose="", security_measures=[])
    activity = reload(activity)
    assert activity.purpose and list(activity.security_measures.all())


def test_a_bad_row_rolls_the_whole_write_back(organisation, complete_data):
    complete_data["retention_lines"] = [{"duration": 3}]  # no unit
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert "retention_lines.0.duration_unit" in error.value.message_dict
    assert not ProcessingActivity.objects.exists()
    assert not Transfer.objects.exists()


def test_rows_are_updated_added_and_removed_by_id(organisation, complete_data):
    activity = activity_create(organisation=organisation, **complete_data)
    line = activity.retention_lines.get()
    activity_update(
        activity=activity,
        retention_lines=[
            {"id": line.pk, "duration": 2, "duration_unit": "years", "trigger": "last_contact"},
            {"criteria": "Until the end of the legal dispute", "data_category": "economic"},
        ],
        security_measures=[{"kind": SecurityMeasure.Kind.BACKUP}, {"kind": SecurityMeasure.Kind.ENCRYPTION}],
    )
    lines = list(activity.retention_lines.order_by("pk"))
    assert (lines[0].pk, lines[0].summary) == (line.pk, "2 years · last contact")
    assert lines[1].summary == "Until the end of the legal dispute"
    assert sorted(activity.security_measures.values_list("kind", flat=True)) == ["backup", "encryption"]


def test_the_same_security_measure_twice_is_refused_not_a_crash(organisation, complete_data):
    complete_data["security_measures"] = [{"kind": "backup"}, {"kind": "backup"}]
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert any(key.startswith("security_measures.1") for key in error.value.message_dict)
    assert not ProcessingActivity.objects.exists()


def test_a_transfer_to_an_eea_country_is_refused(organisation, complete_data):
    complete_data["transfers"][0]["country_id"] = "IE"
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert error.value.message_dict["transfers.0.country"] == [
        "This country is in the EEA: no transfer tool is needed."
    ]


def test_catalogue_entries_of_another_organisation_cannot_be_linked(organisation, other_organisation, complete_data):
    complete_data["data_fields"] = [DataFieldFactory(organisation=other_organisation)]
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, **complete_data)
    assert "data_fields" in error.value.message_dict
    assert not ProcessingActivity.objects.exists()


def test_archived_entries_stay_linked_but_cannot_be_added(organisation, complete_data, catalogue):
    activity = activity_create(organisation=organisation, **complete_data)
    catalogue_item_archive(item=catalogue["email"])
    activity_update(activity=activity, data_fields=[catalogue["email"]])  # kept
    catalogue_item_archive(item=catalogue["health"])
    with pytest.raises(ValidationError):
        activity_update(activity=activity, data_fields=[catalogue["email"], catalogue["health"]])


def test_references_are_unique_in_the_register_and_numbered_in_order(organisation, other_organisation):
    ActivityFactory(organisation=organisation, reference="PA-007")
    assert next_reference(organisation) == "PA-008"
    assert next_reference(other_organisation) == "PA-001"
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, reference="PA-007", name="Duplicate")
    assert "Another activity of the register already has this reference." in error.value.messages


def test_clone_copies_content_links_and_rows_as_a_new_draft(organisation, complete_data):
    original = activity_create(organisation=organisation, status="active", **complete_data)
    copy = reload(activity_clone(activity=original))
    assert (copy.status, copy.reference, copy.name) == ("draft", "PA-002", "Copy of Customer relationship management")
    assert list(copy.data_fields.all()) == list(original.data_fields.all())
    assert [line.summary for line in copy.retention_lines.all()] == ["3 years · last contact"]
    assert copy.transfers.get().mechanism == "scc_2"
    assert copy.subject_links.get().approximate_count == 5000
    assert original.transfers.count() == 1


def test_archive_then_restore_as_a_draft(organisation, complete_data):
    activity = activity_create(organisation=organisation, status="active", **complete_data)
    activity_archive(activity=activity)
    activity.refresh_from_db()
    assert activity.status == "archived"
    activity_restore(activity=activity)
    activity.refresh_from_db()
    assert activity.status == "draft"


def test_retention_line_needs_a_duration_or_criteria(organisation):
    with pytest.raises(ValidationError) as error:
        activity_create(organisation=organisation, name="X", retention_lines=[{"trigger": "collection"}])
    assert "retention_lines.0.duration" in error.value.message_dict
    assert RetentionLine.objects.count() == 0


def test_the_organisations_contact_details_are_part_of_every_record(organisation, complete_data):
    organisation.email = organisation.address = organisation.phone = ""
    organisation.save()
    activity = activity_create(organisation=organisation, **complete_data)
    assert missing_articles(activity) == ["30(1)(a)"]


def test_the_list_computes_completeness_exactly_as_the_record_page(organisation, complete_data, catalogue):
    """Facts computed by the database and facts read from the rows give the same answer."""
    from processing.completeness import completeness_facts

    variants = [
        {},
        {"security_measures": []},
        {"transfers": [{"country_id": "US", "recipient": catalogue["crm_vendor"]}, {"country_id": "IN"}]},
        {"data_fields": [catalogue["health"], catalogue["record"]], "retention_lines": [{"criteria": "Until X"}]},
        {"role": "processor", "controller_parties": [{"name": "Client", "contact": ""}]},
        {"role": "joint_controller", "data_subjects": [], "recipients": [], "transfers": []},
        {"transfers": [{"country_id": "IN", "mechanism": "compelling_interest", "safeguards": "Encrypted"}]},
    ]
    for number, variant in enumerate(variants):
        activity_create(organisation=organisation, **{**complete_data, "name": f"Variant {number}", **variant})
    activities = ProcessingActivity.objects.filter(organisation=organisation).select_related("organisation")
    facts = completeness_facts(activity.pk for activity in activities)
    named = completeness_facts((activity.pk for activity in activities), name_destinations=True)
    assert len(facts) == len(named) == len(variants)
    for activity in activities:
        from_database = [str(item) for item in missing_items(activity, facts[activity.pk])]
        from_rows = [str(item) for item in missing_items(reload(activity))]
        # The database counts the transfers without a tool; named, they are the rows' own.
        assert [item.split(" to ")[0] for item in from_database] == [item.split(" to ")[0] for item in from_rows]
        assert [str(item) for item in missing_items(activity, named[activity.pk])] == from_rows


def test_condition_h_may_rest_on_a_contract_with_a_health_professional(organisation, complete_data, catalogue):
    """Art. 9(2)(h) GDPR: health or social care "on the basis of Union or Member State law or pursuant to contract
    with a health professional"; (b) likewise admits "a collective agreement pursuant to Member State law". The form
    asks for the law *or* that contract or agreement, and says so."""
    complete_data["data_fields"] = [catalogue["email"], catalogue["health"]]
    activity = activity_create(
        organisation=organisation, **complete_data, special_condition=ProcessingActivity.SpecialCondition.HEALTH_CARE
    )
    (missing,) = missing_items(reload(activity))
    assert "contract with a health professional" in str(missing.message)
    activity_update(activity=activity, special_condition_reference="Contrat avec le Dr Martin, médecin du travail")
    assert missing_articles(activity) == []
    help_text = str(ProcessingActivity._meta.get_field("special_condition_reference").help_text)
    assert "collective agreement" in help_text and "contract with a health professional" in help_text
