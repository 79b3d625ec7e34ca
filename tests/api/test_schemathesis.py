"""Property-based run of the whole API against its own schema (schemathesis).

Every operation receives generated requests, as a DPO and as an auditor, on a register with
real objects: no answer may be a 5xx, and every answer (status code, content type, headers
and body) must be what the schema says. Bounded, so the suite stays fast.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

from ..breaches.factories import log_breach
from ..inventory.factories import DataFieldFactory, DataSubjectCategoryFactory, RecipientFactory, SystemFactory
from ..processing.factories import ActivityFactory
from .conftest import token_key
from .test_permission_matrix import scanned

schema = openapi.from_wsgi("/api/schema/", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def register(organisation, dpo, auditor):
    """Objects with ids 1, 2…: generated ids land on real objects as often as on missing ones."""
    SystemFactory(organisation=organisation)
    DataFieldFactory(organisation=organisation)
    DataSubjectCategoryFactory(organisation=organisation)
    RecipientFactory(organisation=organisation)
    ActivityFactory(organisation=organisation)
    log_breach(organisation)
    scanned(organisation, SystemFactory(organisation=organisation))  # a source, its scan and a column
    # Requests reach the WSGI application in this thread, inside the test's transaction: as
    # Django's test client does, keep the connection open between them.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield {"dpo": dpo, "auditor": auditor}
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["dpo", "auditor"])
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_schema_and_never_fails(case, persona, register):
    case.call_and_validate(headers={"Authorization": f"Token {token_key(register[persona])}"}, checks=CHECKS)
