"""The check stays fast on a large register: the rule that looks for a transfer row for each destination outside the
EEA finds it through the index on the transfer's activity and country, on SQLite (which plans without statistics,
and once read every transfer to the country instead: 54 s for a register of 10,000 activities) and on PostgreSQL."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from processing.compliance.rules.transfers import destinations_uncovered
from processing.services import activity_create

from ...inventory.factories import RecipientFactory, SystemFactory

pytestmark = pytest.mark.django_db

INDEX = "processing_transfer_activity"


def transfer_lookups(sql: str) -> list[str]:
    """How the plan of ``sql`` looks transfers up, one line per lookup: SQLite's ``SEARCH … USING INDEX … (columns)``;
    on PostgreSQL each index lookup of the transfers with its condition (a lookup without one reads the whole index,
    once, for a hash join: no lookup per row)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall() if "processing_transfer" in row[-1]]
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on a large register: the tables here are tiny
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes += node.get("Plans", [])
        if node.get("Index Name", "").startswith("processing_transfer") and node.get("Index Cond"):
            found.append(f"{node['Index Name']} ({node['Index Cond']})")
    return found


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
        lookups = transfer_lookups(sql)
        if connection.vendor == "sqlite":  # a correlated subquery: a lookup for each link
            assert f"{INDEX} (activity_id=? AND country_id=?)" in " ".join(lookups), lookups
        for lookup in lookups:  # never by the country alone: a large register sends thousands of rows to one
            assert INDEX in lookup and "activity_id" in lookup, lookup
