"""A page of the API reads each of its activities' links through the link table's index on the activity: read from
the catalogue's side, SQLite read every entry and its links (28 ms of a page of 50 activities in a register of
10,000). The plans are read on SQLite (``tests.plans``), the rows on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from processing.models import ProcessingActivity
from processing.selectors import activity_rows
from processing.services import LINK_FIELDS, activity_create

from ..plans import full_scans, index_lookups

pytestmark = pytest.mark.django_db


def test_a_pages_links_are_read_by_activity_in_the_catalogues_order(organisation, catalogue):
    first = activity_create(
        organisation=organisation,
        name="First",
        data_fields=[catalogue["record"], catalogue["email"]],
        recipients=[catalogue["sales"], catalogue["crm_vendor"]],
        systems=[catalogue["intranet"], catalogue["crm"]],
    )
    second = activity_create(organisation=organisation, name="Second", data_fields=[catalogue["health"]])
    activity_create(organisation=organisation, name="Not on the page", data_fields=[catalogue["email"]])
    with CaptureQueriesContext(connection) as queries:
        found = activity_rows([first.pk, second.pk], links=LINK_FIELDS, rows=[])
    assert found["data_fields"] == {
        first.pk: [catalogue["record"].pk, catalogue["email"].pk],  # by name: Criminal record, Email address
        second.pk: [catalogue["health"].pk],
    }
    assert found["recipients"] == {first.pk: [catalogue["crm_vendor"].pk, catalogue["sales"].pk]}
    assert found["systems"] == {first.pk: [catalogue["crm"].pk, catalogue["intranet"].pk]}
    assert len(queries) == len(LINK_FIELDS)
    if connection.vendor != "sqlite":
        return  # PostgreSQL plans by its statistics (see tests.plans)
    for name, query in zip(LINK_FIELDS, queries, strict=True):
        table = getattr(ProcessingActivity, name).through._meta.db_table
        lookups = index_lookups(query["sql"], table)
        assert lookups and all("(processingactivity_id=?)" in lookup for lookup in lookups), (name, lookups)
        assert full_scans(query["sql"]) == [], name  # no catalogue, no link table read whole
