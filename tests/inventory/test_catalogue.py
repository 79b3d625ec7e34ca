import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.defaults import DEFAULT_DATA_FIELDS, DEFAULT_DATA_SUBJECT_CATEGORIES
from inventory.models import DataField, DataSubjectCategory, System
from inventory.services import (
    catalogue_item_archive,
    catalogue_item_create,
    catalogue_item_restore,
    catalogue_item_update,
    default_catalogue_load,
)

from .factories import DataFieldFactory, RecipientFactory, SystemFactory

pytestmark = pytest.mark.django_db


def test_names_are_unique_in_an_organisation_ignoring_case_and_accents(organisation, other_organisation):
    catalogue_item_create(model=DataField, organisation=organisation, name="Données de santé", category="other")
    with pytest.raises(ValidationError) as error:
        catalogue_item_create(model=DataField, organisation=organisation, name="DONNEES  de Sante", category="other")
    assert error.value.message_dict["name"] == ["The catalogue already has an entry with this name."]
    # Another organisation has its own catalogue.
    catalogue_item_create(model=DataField, organisation=other_organisation, name="Données de santé", category="other")
    # And the database holds the line even without full_clean().
    with pytest.raises(IntegrityError), transaction.atomic():
        DataField.objects.create(organisation=organisation, name="données DE SANTÉ", category="other")


def test_special_category_needs_its_kind_and_others_cannot_have_one(organisation):
    with pytest.raises(ValidationError) as error:
        catalogue_item_create(model=DataField, organisation=organisation, name="Health", category="special")
    assert "special_category" in error.value.message_dict
    field = catalogue_item_create(
        model=DataField, organisation=organisation, name="Blood type", category="special", special_category="health"
    )
    assert field.is_special_category and not field.is_criminal
    with pytest.raises(IntegrityError), transaction.atomic():
        DataField.objects.filter(pk=field.pk).update(category="identification")


def test_criminal_and_national_id_flags_follow_the_category(organisation):
    assert DataFieldFactory(organisation=organisation, category="criminal").is_criminal
    assert DataFieldFactory(organisation=organisation, category="national_id").is_national_id


def test_system_countries_are_rows_that_follow_every_change(organisation):
    system = catalogue_item_create(
        model=System, organisation=organisation, name="CRM", kind="saas", countries=["FR", "US"]
    )
    assert set(system.country_links.values_list("country_id", flat=True)) == {"FR", "US"}
    catalogue_item_update(item=system, countries=["US", "IN"])
    assert set(system.country_links.values_list("country_id", flat=True)) == {"US", "IN"}
    assert System.objects.filter(country_links__country__is_eea=False).distinct().count() == 1


def test_a_system_cannot_be_hosted_by_another_organisations_recipient(organisation, other_organisation):
    foreign = RecipientFactory(organisation=other_organisation)
    with pytest.raises(ValidationError) as error:
        catalogue_item_create(
            model=System, organisation=organisation, name="CRM", kind="saas", hosting_provider=foreign
        )
    assert "hosting_provider" in error.value.message_dict
    assert not System.objects.exists()


def test_archive_and_restore(organisation):
    system = SystemFactory(organisation=organisation)
    catalogue_item_archive(item=system)
    assert not System.objects.active().filter(pk=system.pk).exists()
    catalogue_item_restore(item=system)
    assert System.objects.active().filter(pk=system.pk).exists()


@pytest.mark.parametrize(
    ("language", "field_name", "people"), [("fr", "Adresse e-mail", "Salariés"), ("en", "Email address", "Employees")]
)
def test_default_catalogue_loads_once_in_the_chosen_language(organisation, language, field_name, people):
    added = default_catalogue_load(organisation=organisation, language=language)
    assert added == len(DEFAULT_DATA_FIELDS) + len(DEFAULT_DATA_SUBJECT_CATEGORIES)
    assert DataField.objects.filter(organisation=organisation, name=field_name).exists()
    assert DataSubjectCategory.objects.filter(organisation=organisation, name=people).exists()
    assert default_catalogue_load(organisation=organisation, language=language) == 0
    health = DataField.objects.get(organisation=organisation, special_category="health")
    assert health.is_special_category
    assert DataSubjectCategory.objects.get(organisation=organisation, name__in=["Mineurs", "Minors"]).is_vulnerable
