"""The seeded French retention references cover what their sources cover, no more (issue: false findings)."""

import pytest
from django.core.exceptions import ValidationError

from inventory.defaults import DEFAULT_DATA_FIELDS
from inventory.models import DataField, DataSubjectCategory
from inventory.services import get_or_create_by_name
from processing.compliance.models import Finding, RetentionPolicy
from processing.compliance.selectors import shown
from processing.compliance.services import retention_policy_create, retention_policy_seed

from ...inventory.factories import DataFieldFactory
from .test_compliance import draft, open_rules

pytestmark = pytest.mark.django_db

MONTHS, YEARS = "months", "years"


def line(duration, unit):
    return {"duration": duration, "duration_unit": unit}


@pytest.fixture
def seeded(organisation):
    retention_policy_seed(organisation=organisation, language="en")
    return organisation


def field(organisation, name):
    """A data field of the default catalogue, as the organisation has it (the references add those they name)."""
    category = next(category for category, _kind, english, _french in DEFAULT_DATA_FIELDS if english == name)
    return DataField.objects.filter(organisation=organisation, name=name).first() or DataFieldFactory(
        organisation=organisation, name=name, category=category
    )


def people(organisation, name):
    category, _created = get_or_create_by_name(DataSubjectCategory, organisation, name)
    return [{"category": category}]


def test_badge_records_kept_three_months_are_not_held_to_the_vehicle_geolocation_period(seeded):
    """CNIL, geolocation of employees' vehicles (2 months) and access control to premises (3 months): each period is
    for its own data. Keyed on all of the employees' location data, the 2 months flagged badge records kept the 3
    months the CNIL itself allows."""
    employees = people(seeded, "Employees")
    badges = field(seeded, "Access badge records")
    draft(seeded, name="Badges", data_subjects=employees, data_fields=[badges], retention_lines=[line(3, MONTHS)])
    assert open_rules(seeded) == []
    gps = field(seeded, "GPS location")
    draft(seeded, name="Fleet", data_subjects=employees, data_fields=[gps], retention_lines=[line(6, MONTHS)])
    assert open_rules(seeded) == ["retention.beyond_policy"]
    message = shown(Finding.objects.all(), seeded)[0].message
    assert "Vehicle geolocation of employees: kept 6 months, at most 2 months" in message


def test_the_geolocation_reference_cites_the_cnil_guidance_not_the_lapsed_simplified_norm(seeded):
    """The CNIL's simplified norm on geolocation (délibération 2015-165) lost its effect with the GDPR (loi
    n° 2018-493): the seed cites the CNIL's current guidance on employees' vehicles."""
    source = RetentionPolicy.objects.get(name="Vehicle geolocation of employees").source
    assert "2015-165" not in source and "geolocation of employees' vehicles: 2 months" in source


def test_connection_data_other_than_logs_is_not_held_to_the_logging_period(seeded):
    """CNIL recommendation on logging (délibération 2021-122): 6 months to 1 year for logs, not for every connection
    datum (25-month audience measurement, an IP address in a support ticket)."""
    ip = field(seeded, "IP address")
    draft(seeded, name="Support", data_fields=[ip], retention_lines=[line(3, YEARS)])
    assert open_rules(seeded) == []
    logs = field(seeded, "Connection logs")
    draft(seeded, name="Logs", data_fields=[logs], retention_lines=[line(2, YEARS)])
    assert open_rules(seeded) == ["retention.beyond_policy"]


def test_the_cctv_period_covers_the_footage_not_every_identification_datum_of_visitors(seeded):
    """CNIL, video surveillance: footage kept 1 month at most; a visitors' register with names is not footage."""
    visitors = people(seeded, "Visitors to the premises")
    names = DataFieldFactory(organisation=seeded, name="Visitor's name", category="identification")
    draft(seeded, name="Visitors' log", data_subjects=visitors, data_fields=[names], retention_lines=[line(1, YEARS)])
    assert open_rules(seeded) == []
    video = field(seeded, "Video images")
    draft(seeded, name="CCTV", data_fields=[video], retention_lines=[line(2, MONTHS)])
    assert open_rules(seeded) == ["retention.beyond_policy"]


def test_the_staff_register_minimum_covers_its_mentions_not_the_whole_personnel_file(seeded):
    """Code du travail, art. R1221-26: "Les mentions portées sur le registre sont conservées pendant cinq ans à compter
    de la date à laquelle le salarié a quitté l'établissement" — the register's mentions, not a 5-year minimum for
    every professional datum (performance reviews kept 2 years are not too short)."""
    employees = people(seeded, "Employees")
    reviews = field(seeded, "Performance reviews")
    legal = {"lawful_basis": "legal_obligation", "lawful_basis_evidence": "Code du travail"}
    draft(
        seeded,
        name="Reviews",
        data_subjects=employees,
        data_fields=[reviews],
        retention_lines=[line(2, YEARS)],
        **legal,
    )
    assert open_rules(seeded) == []
    entries = DataField.objects.get(organisation=seeded, name="Staff register entries")
    assert entries.category == "professional_life"
    draft(
        seeded,
        name="Register",
        data_subjects=employees,
        data_fields=[entries],
        retention_lines=[line(3, YEARS)],
        **legal,
    )
    assert open_rules(seeded) == ["retention.below_minimum"]


def test_card_data_kept_thirteen_months_is_not_held_to_the_invoices_ten_years(seeded):
    """Code de commerce, art. L123-22 (invoices, 10 years) against the CNIL's 13 months for card data after payment:
    the minimum covers the invoices, not every economic datum of a customer."""
    customers = people(seeded, "Customers")
    card = field(seeded, "Payment card data")
    legal = {"lawful_basis": "legal_obligation", "lawful_basis_evidence": "Code de commerce"}
    payments = {"data_subjects": customers, "retention_lines": [line(13, MONTHS)], **legal}
    draft(seeded, name="Payments", data_fields=[card], **payments)
    assert open_rules(seeded) == []
    draft(seeded, name="Accounts", data_fields=[field(seeded, "Invoices and payments")], **payments)
    assert open_rules(seeded) == ["retention.below_minimum"]


def test_cookie_consent_choices_are_asked_again_after_six_months(seeded):
    """CNIL recommendation on cookies and other trackers (délibération 2020-092 of 17 September 2020): keeping the
    user's choice, consent or refusal, for about 6 months, then asking again, is good practice."""
    policy = RetentionPolicy.objects.get(name="Cookie consent choices")
    assert (policy.maximum, policy.maximum_unit, policy.data_field.name) == (6, MONTHS, "Cookie consent choices")
    assert "2020-092" in policy.source
    visitors = people(seeded, "Website visitors")
    draft(
        seeded,
        name="Banner",
        data_subjects=visitors,
        data_fields=[policy.data_field],
        retention_lines=[line(13, MONTHS)],
    )
    assert open_rules(seeded) == ["retention.beyond_policy"]


def test_the_french_references_name_their_data_in_french(organisation):
    retention_policy_seed(organisation=organisation, language="fr")
    assert RetentionPolicy.objects.get(name="Registre unique du personnel").data_field.name == (
        "Mentions du registre unique du personnel"
    )
    assert RetentionPolicy.objects.get(name="Images de vidéoprotection").data_field.name == "Images vidéo"


def test_a_policy_data_field_must_be_the_organisations_and_fit_its_category(organisation, other_organisation):
    theirs = DataFieldFactory(organisation=other_organisation, name="Video", category="identification")
    with pytest.raises(ValidationError) as error:
        retention_policy_create(organisation=organisation, name="X", data_field=theirs, maximum=1, maximum_unit=YEARS)
    assert "data_field" in error.value.message_dict
    ours = DataFieldFactory(organisation=organisation, name="Video", category="identification")
    with pytest.raises(ValidationError) as error:
        retention_policy_create(
            organisation=organisation,
            name="X",
            data_field=ours,
            data_category="location",
            maximum=1,
            maximum_unit=YEARS,
        )
    assert "data_category" in error.value.message_dict
    policy = retention_policy_create(
        organisation=organisation, name="X", data_field=ours, maximum=1, maximum_unit=YEARS
    )
    assert policy.data_category == "identification"


def test_the_migration_rekeys_the_periods_seeded_before_and_leaves_edited_ones(organisation):
    """Databases seeded before the legal review get the narrower keys and current sources, but only for the periods
    still as seeded: a source the DPO rewrote is theirs."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("processing.migrations.0012_rekey_seeded_retention_policies")
    old = {"maximum": 2, "maximum_unit": MONTHS, "data_category": "location"}
    seeded = retention_policy_create(
        organisation=organisation, name="Géolocalisation", source="CNIL, délibération 2015-165 : 2 mois", **old
    )
    edited = retention_policy_create(organisation=organisation, name="Mine", source="Our own decision", **old)
    migration.rekey(apps, None)
    seeded.refresh_from_db()
    edited.refresh_from_db()
    assert seeded.data_field.name == "Géolocalisation" and seeded.data_field.category == "location"
    assert "2015-165" not in seeded.source and "véhicules des salariés" in seeded.source
    assert edited.data_field is None and edited.source == "Our own decision"
    migration.rekey(apps, None)  # twice: nothing more
    assert DataField.objects.filter(organisation=organisation, name="Géolocalisation").count() == 1
