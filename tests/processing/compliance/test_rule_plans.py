"""The check stays fast on a large register: the rule that looks for a transfer row for each destination outside the
EEA finds it through the index on the transfer's activity and country. SQLite, which plans without statistics, once
read every transfer to the country instead: 54 s for a register of 10,000 activities. Its plans are read on SQLite
(``tests.plans``); on PostgreSQL the rule's findings are checked, and its plans by ``make bench``."""

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
    if connection.vendor != "sqlite":
        return  # PostgreSQL plans by its statistics (see the docstring)
    for sql in statements:  # a correlated subquery: a lookup for each link, by both columns
        assert index_lookups(sql, "processing_transfer") == [
            f"SEARCH U0 USING INDEX {INDEX} (activity_id=? AND country_id=?)"
        ], sql
