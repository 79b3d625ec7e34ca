import uuid

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create

from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, RecipientFactory, SystemFactory


def token_key(user, **token) -> str:
    """A new token's key: read and write, for all the user's organisations, unless ``token`` says otherwise."""
    return api_token_create(user=user, name=f"tests {uuid.uuid4().hex}", **token)[1]  # thousands in a shrinking run


def token_client(user, **token) -> APIClient:
    """A client that authenticates as a script would: Authorization: Token …"""
    client = APIClient()
    key = token_key(user, **token)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # A token records its last use once a minute: used once here, the requests a test counts the queries of are the
    # steady state, as a script's are.
    assert client.get("/api/v1/organisations/").status_code == 200
    return client


@pytest.fixture
def dpo_api(dpo):
    return token_client(dpo)


@pytest.fixture
def manager_api(manager):
    return token_client(manager)


@pytest.fixture
def auditor_api(auditor):
    return token_client(auditor)


@pytest.fixture
def outsider_api(outsider):
    return token_client(outsider)


@pytest.fixture
def catalogue(organisation):
    return {
        "email": DataFieldFactory(organisation=organisation, name="Email address", category="identification"),
        "health": DataFieldFactory(
            organisation=organisation, name="Health data", category="special", special_category="health"
        ),
        "customers": DataSubjectCategoryFactory(organisation=organisation, name="Customers"),
        "sales": RecipientFactory(organisation=organisation, name="Sales team", kind="internal", country_id="FR"),
        "crm_vendor": RecipientFactory(organisation=organisation, name="CRM Inc.", kind="processor", country_id="US"),
        "crm": SystemFactory(organisation=organisation, name="CRM", countries=["US"]),
        "intranet": SystemFactory(organisation=organisation, name="Intranet", countries=["FR"]),
    }


@pytest.fixture
def activity_body(organisation, catalogue):
    """A complete activity, as a script would send it."""
    return {
        "organisation": organisation.slug,
        "name": "Customer relationship management",
        "role": "controller",
        "purpose": "Manage the relationship with our customers.",
        "lawful_basis": "contract",
        "data_fields": [catalogue["email"].pk],
        "recipients": [catalogue["sales"].pk, catalogue["crm_vendor"].pk],
        "systems": [catalogue["crm"].pk, catalogue["intranet"].pk],
        "data_subjects": [{"category": catalogue["customers"].pk, "approximate_count": 5000}],
        "transfers": [{"country": "US", "recipient": catalogue["crm_vendor"].pk, "mechanism": "scc_2"}],
        "retention_lines": [{"duration": 3, "duration_unit": "years", "trigger": "last_contact"}],
        "security_measures": [{"kind": "access_control", "details": "SSO"}],
    }
