"""core.prepared: a query compiled once gives, for any set of keys, what the queryset itself gives."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import KeyedRows
from processing.models import ProcessingActivity
from processing.services import activity_create

pytestmark = pytest.mark.django_db

ACTIVITIES = KeyedRows(lambda among: ProcessingActivity.objects.filter(among("pk")).order_by("-reference").values())
REFERENCES = KeyedRows(
    lambda among: ProcessingActivity.objects.filter(among("pk")).order_by("name").values_list("reference", "status")
)


@pytest.fixture
def activities(organisation):
    return [
        activity_create(
            organisation=organisation,
            name=f"Activity {n}",
            next_review_on=datetime.date(2027, 1, n + 1),
            source_public=bool(n % 2),
            criterion_large_scale=n == 2,
        )
        for n in range(4)
    ]


def test_rows_are_the_querysets_own_values_dates_booleans_and_moments_included(activities):
    keys = [activity.pk for activity in activities[:3]]
    expected = list(ProcessingActivity.objects.filter(pk__in=keys).order_by("-reference").values())
    found = ACTIVITIES.dicts(keys)
    assert found == expected and len(found) == 3
    first = found[0]
    assert isinstance(first["next_review_on"], datetime.date) and isinstance(first["created_at"], datetime.datetime)
    assert {row["source_public"] for row in found} == {True, False}  # booleans, not SQLite's 0 and 1


def test_each_call_reads_its_own_keys_in_one_query(activities):
    ACTIVITIES.rows([activities[0].pk])  # compiled here, for this connection
    with CaptureQueriesContext(connection) as queries:
        one = REFERENCES.rows([activities[3].pk])
        some = REFERENCES.rows([activity.pk for activity in activities[1:]] + [10**9])  # a key without a row
    assert one == [(activities[3].reference, "draft")]
    assert some == [(activity.reference, "draft") for activity in activities[1:]]
    assert len(queries) == 2


def test_no_keys_no_query(activities):
    with CaptureQueriesContext(connection) as queries:
        assert ACTIVITIES.dicts([]) == []
    assert len(queries) == 0
