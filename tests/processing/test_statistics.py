"""PostgreSQL plans the checks by its statistics: a bulk write leaves them fresh for the re-check that follows it."""

import pytest
from django.db import connection

from processing.models import ProcessingActivity
from processing.services import activities_create_many

from ..conftest import service_missing

pytestmark = pytest.mark.django_db


def estimated_rows(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]


def test_an_import_sized_write_refreshes_the_statistics_before_its_re_check(
    organisation, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL")
    with connection.cursor() as cursor:  # the estimate as of now, whatever earlier tests left in it
        cursor.execute(f"ANALYZE {ProcessingActivity._meta.db_table}")
    entries = [{"reference": f"PA-{n:04d}", "name": f"Activity {n}"} for n in range(1000)]
    with django_capture_on_commit_callbacks() as callbacks:
        assert activities_create_many(organisation=organisation, entries=entries) == {}
    assert estimated_rows(ProcessingActivity) < 1000  # what the planner would believe, left alone
    names = [callback.__qualname__ for callback in callbacks]
    refresh = next(n for n, name in enumerate(names) if name.endswith(".refresh_statistics"))
    assert refresh < names.index("dispatch(processing.check_organisation)")  # the re-check planned on them
    for callback in callbacks:
        callback()
    assert estimated_rows(ProcessingActivity) >= 1000


def test_plans_are_not_compiled_just_in_time():
    # Compiling the check's set-based statements cost more than running them (config/settings.py).
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
