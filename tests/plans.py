"""How SQLite plans a statement: the lookups and full scans of its plan.

SQLite plans without statistics, so a test's few rows are planned as a register's thousands are: a plan read here is
the plan a large register gets. PostgreSQL plans by its statistics, and on a test's tiny tables any plan is as good
as another; its plans on a large register are checked by ``make bench`` (``compliance_recheck_plans``)."""

from django.db import connection


def _plan(sql: str) -> list[str]:
    assert connection.vendor == "sqlite", "read SQLite's plans only (see the docstring)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in cursor.fetchall()]


def index_lookups(sql: str, table: str) -> list[str]:
    """Each lookup of ``table`` through an index in the plan of ``sql``: ``SEARCH … USING INDEX name (columns=?)``.
    A table is named by its alias in a subquery (U0): its index, named after it, tells it then."""
    return [line for line in _plan(sql) if line.startswith("SEARCH") and table in line]


def full_scans(sql: str) -> list[str]:
    """The tables the plan of ``sql`` reads whole (``SCAN``), but the JSON list of keys a statement is given."""
    return [line for line in _plan(sql) if line.startswith("SCAN") and "json_each" not in line]
