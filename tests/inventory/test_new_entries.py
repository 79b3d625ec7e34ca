"""Many new catalogue entries at once (what an import adds, #22): the same checks and messages as adding them one by
one, written with their storage countries and their history, in a number of queries that does not grow with them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.history import acting_as
from core.models import Job
from inventory.models import DataField, DataSubjectCategory, Recipient, System, SystemCountry
from inventory.services import NewCatalogueItems, catalogue_item_create
from processing.compliance.rechecks import recheck_key

pytestmark = pytest.mark.django_db


def refusal(error: ValidationError) -> dict:
    """Each field's messages with their codes."""
    return {
        field: [(e.code, message) for e in errors for message in e.messages]
        for field, errors in error.error_dict.items()
    }


def one_by_one_refusal(organisation, model, fields) -> dict:
    with pytest.raises(ValidationError) as error, transaction.atomic():
        catalogue_item_create(model=model, organisation=organisation, **fields)
    return refusal(error.value)


def at_once_refusal(entries, model, fields) -> dict:
    with pytest.raises(ValidationError) as error:
        entries.add(model=model, **fields)
    return refusal(error.value)


BAD_ENTRIES = {
    "no name": (DataField, {"name": "", "category": "other"}),
    "a name of spaces": (DataField, {"name": "   ", "category": "other"}),
    "a name too long": (DataField, {"name": "x" * 201, "category": "other"}),
    "a name the catalogue has, in other letters": (DataField, {"name": "ADRESSE  e-mail", "category": "other"}),
    "a name too long the catalogue has": (DataField, {"name": "Adresse e-mail" + " " * 200, "category": "whim"}),
    "an unknown category": (DataField, {"name": "Salary", "category": "whim"}),
    "a special category without its kind": (DataField, {"name": "Health", "category": "special"}),
    "an unknown kind of recipient": (Recipient, {"name": "Bank", "kind": "whim"}),
    "a recipient in an unknown country": (Recipient, {"name": "Bank", "kind": "processor", "country_id": "XX"}),
    "a system without a country": (System, {"name": "CRM", "kind": "saas", "countries": []}),
    "a system in an unknown country": (System, {"name": "CRM", "kind": "saas", "countries": ["FR", "XX"]}),
    "a system with a day no calendar has": (
        System,
        {"name": "CRM", "kind": "saas", "countries": ["FR"], "oldest_record_on": "2026-02-30"},
    ),
}


@pytest.mark.parametrize("case", BAD_ENTRIES)
def test_an_entry_is_refused_at_once_as_alone(organisation, case):
    catalogue_item_create(model=DataField, organisation=organisation, name="Adresse e-mail", category="other")
    model, fields = BAD_ENTRIES[case]
    alone = one_by_one_refusal(organisation, model, dict(fields))
    assert at_once_refusal(NewCatalogueItems(organisation), model, dict(fields)) == alone


def test_a_system_hosted_by_another_organisations_recipient_is_refused_as_alone(organisation, other_organisation):
    theirs = catalogue_item_create(model=Recipient, organisation=other_organisation, name="Host", kind="processor")
    fields = {"name": "CRM", "kind": "saas", "countries": ["FR"], "hosting_provider": theirs}
    alone = one_by_one_refusal(organisation, System, dict(fields))
    assert at_once_refusal(NewCatalogueItems(organisation), System, dict(fields)) == alone


def test_the_same_name_twice_is_refused_the_second_time(organisation):
    entries = NewCatalogueItems(organisation)
    entries.add(model=Recipient, name="Bank", kind="processor")
    with transaction.atomic():
        catalogue_item_create(model=Recipient, organisation=organisation, name="Bank", kind="processor")
        alone = one_by_one_refusal(organisation, Recipient, {"name": "BANK ", "kind": "other"})
        transaction.set_rollback(True)
    assert at_once_refusal(entries, Recipient, {"name": "BANK ", "kind": "other"}) == alone
    entries.add(model=System, name="Bank", kind="saas", countries=["FR"])  # another part of the catalogue


def test_written_as_adding_them_one_by_one_with_their_history(organisation, dpo):
    with acting_as(dpo, "import"):
        entries = NewCatalogueItems(organisation)
        host = entries.add(model=Recipient, name="  Cloud   SA ", kind="processor", country_id="IE")
        entries.add(model=System, name="CRM", kind="saas", countries=["US", "FR"], hosting_provider=host)
        entries.add(model=DataField, name="Health", category="special", special_category="health")
        entries.add(model=DataSubjectCategory, name="Patients", is_vulnerable=True)
        entries.write()
        alone = catalogue_item_create(
            model=System, organisation=organisation, name="ERP", kind="saas", countries=["FR"]
        )
    system = System.objects.get(name="CRM")
    assert system.hosting_provider == Recipient.objects.get(name="Cloud SA", name_key="cloud sa", country_id="IE")
    assert sorted(system.country_links.values_list("country_id", flat=True)) == ["FR", "US"]
    assert DataField.objects.get(organisation=organisation).special_category == "health"
    assert DataSubjectCategory.objects.get(organisation=organisation).is_vulnerable
    for model in (Recipient, System, DataField, DataSubjectCategory):
        record = model.history.get(name__in=["Cloud SA", "CRM", "Health", "Patients"])
        assert (record.history_type, record.history_user, record.history_change_reason) == ("+", dpo, "import")
    links = SystemCountry.history.filter(system_id=system.pk)
    assert sorted((link.country_id, link.history_type, link.history_user) for link in links) == [
        ("FR", "+", dpo),
        ("US", "+", dpo),
    ]
    # As an entry added alone records itself.
    assert alone.history.get().history_user == dpo and SystemCountry.history.get(system_id=alone.pk).history_user == dpo


def test_the_register_is_rechecked_once_they_are_written(organisation):
    entries = NewCatalogueItems(organisation)
    entries.add(model=DataField, name="Health", category="special", special_category="health")
    entries.write()
    assert Job.objects.get(key=recheck_key(organisation.pk)).args == [organisation.pk, None]  # the whole register


def test_queries_do_not_grow_with_the_number_of_entries(organisation, django_assert_max_num_queries):
    def add(count, prefix):
        entries = NewCatalogueItems(organisation)
        for n in range(count):
            host = entries.add(model=Recipient, name=f"{prefix} host {n}", kind="processor", country_id="FR")
            entries.add(model=System, name=f"{prefix} {n}", kind="saas", countries=["FR", "DE"], hosting_provider=host)
            entries.add(model=DataField, name=f"{prefix} {n}", category="other")
            entries.add(model=DataSubjectCategory, name=f"{prefix} {n}")
        entries.write()

    with CaptureQueriesContext(connection) as few:
        add(2, "few")
    with django_assert_max_num_queries(len(few.captured_queries)):
        add(20, "more")
    assert System.objects.filter(organisation=organisation).count() == 22
    assert SystemCountry.objects.filter(system__organisation=organisation).count() == 44
