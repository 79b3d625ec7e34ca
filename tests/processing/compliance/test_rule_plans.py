"""The check stays fast on a large register: the rule that looks for a transfer row for each destination outside the
EEA finds it through the index on the transfer's activity and country, on SQLite (which plans without statistics,
and once read every transfer to the country instead: 54 s for a register of 10,000 activities) and on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from processing.compliance.rules.transfers import destinations_uncovered
from processing.services import activity_create

from ...inventory.factories import RecipientFactory, SystemFactory
from ...plans import index_lookups

pytestmark = pytest.mark.django_db

INDEX = "processing_transfer_activity"


def test_a_destination_without_a_transfer_row_is_looked_up_by_activity_and_country(organisation):
    for n in range(3):
        system = SystemFactory(organisation=organisation, name=f"CRM {n}", countries=["US"])
        recipient = RecipientFactory(organisation=organisation, name=f"Vendor {n}", country_id="IN")
        activity_create(
            organisation=organisation,
            name=f"Activity {n}",
            systems=[system],
            recipients=[recipient],
            transfers=[{"country_id": "US", "system": system, "mechanism": "scc_2"}] if n else [],
        )
    with CaptureQueriesContext(connection) as queries:
        found = list(destinations_uncovered(organisation, timezone.localdate()))
    assert len(found) == 3  # the first activity's system, and each activity's recipient in India
    statements = [query["sql"] for query in queries if "processing_transfer" in query["sql"]]
    assert len(statements) == 2  # the systems' countries, then the recipients'
    for sql in statements:
        lookups = index_lookups(sql, "processing_transfer")
        if connection.vendor == "sqlite":  # a correlated subquery: a lookup for each link
            assert f"{INDEX} (activity_id=? AND country_id=?)" in " ".join(lookups), lookups
        for lookup in lookups:  # never by the country alone: a large register sends thousands of rows to one
            assert INDEX in lookup and "activity_id" in lookup, lookup
