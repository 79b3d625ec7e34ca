import pytest

from inventory.models import DataField, DataSubjectCategory, Recipient, System
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer


@pytest.fixture
def catalogue(organisation):
    """A small catalogue, as a DPO would have after an hour."""

    def add(model, name, **fields):
        return catalogue_item_create(model=model, organisation=organisation, name=name, **fields)

    return {
        "email": add(DataField, "Email address", category="identification"),
        "health": add(DataField, "Health data", category="special", special_category="health"),
        "record": add(DataField, "Criminal record", category="criminal"),
        "customers": add(DataSubjectCategory, "Customers"),
        "sales": add(Recipient, "Sales team", kind="internal", country_id="FR"),
        "crm_vendor": add(Recipient, "CRM Inc.", kind="processor", country_id="US", is_dpf_certified=False),
        "crm": add(System, "CRM", kind="saas", countries=["US"]),
        "intranet": add(System, "Intranet", kind="own_data_centre", countries=["FR"]),
    }


@pytest.fixture
def complete_data(catalogue):
    """Everything a controller's activity must record before it can be active."""
    return {
        "name": "Customer relationship management",
        "purpose": "Manage the relationship with our customers.",
        "lawful_basis": ProcessingActivity.LawfulBasis.CONTRACT,
        "data_fields": [catalogue["email"]],
        "data_subjects": [{"category": catalogue["customers"], "approximate_count": 5000}],
        "recipients": [catalogue["sales"], catalogue["crm_vendor"]],
        "systems": [catalogue["crm"], catalogue["intranet"]],
        "transfers": [
            {
                "country_id": "US",
                "recipient": catalogue["crm_vendor"],
                "importer_role": Transfer.ImporterRole.PROCESSOR,
                "mechanism": Transfer.Mechanism.SCC_MODULE_2,
            }
        ],
        "retention_lines": [
            {"duration": 3, "duration_unit": RetentionLine.Unit.YEARS, "trigger": RetentionLine.Trigger.LAST_CONTACT}
        ],
        "security_measures": [{"kind": SecurityMeasure.Kind.ACCESS_CONTROL, "details": "SSO and roles"}],
    }


@pytest.fixture
def salesforce(organisation):
    """A US company, certified, hosting the CRM in the USA: the demo's Salesforce."""
    company = catalogue_item_create(
        model=Recipient,
        organisation=organisation,
        name="Salesforce, Inc.",
        kind="processor",
        country_id="US",
        is_dpf_certified=True,
    )
    crm = catalogue_item_create(
        model=System,
        organisation=organisation,
        name="Salesforce Sales Cloud",
        kind="saas",
        hosting_provider=company,
        countries=["US"],
    )
    return company, crm
