"""How the database plans a statement: the index lookups of one table, on SQLite and on PostgreSQL.

The tables of a test hold a few rows, where a register holds thousands: on PostgreSQL the plan is read with sequential
scans turned off, as they would not be chosen on a large table. SQLite plans without statistics, whatever the size."""

import json

from django.db import connection


def index_lookups(sql: str, table: str) -> list[str]:
    """Each lookup of ``table`` through an index, with its condition, in the plan of ``sql``: SQLite's
    ``SEARCH … USING INDEX name (columns=?)`` lines; on PostgreSQL ``index name (condition)`` (a scan of a whole index,
    without condition, is read once for a hash join and is not a lookup)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            # A table is named by its alias in a subquery (U0): its index, named after it, tells it then.
            return [row[-1] for row in cursor.fetchall() if row[-1].startswith("SEARCH") and table in row[-1]]
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [(plan[0]["Plan"], None)]
    while nodes:
        node, parent = nodes.pop()
        relation = node.get("Relation Name", parent)  # a bitmap index scan's table is its parent's
        nodes += [(child, relation) for child in node.get("Plans", [])]
        if relation == table and node.get("Index Cond"):
            found.append(f"{node['Index Name']} ({node['Index Cond']})")
    return found


def full_scans(sql: str) -> list[str]:
    """SQLite's ``SCAN`` lines of the plan of ``sql`` (a table read whole); none on PostgreSQL, read so here."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in cursor.fetchall() if row[-1].startswith("SCAN") and "json_each" not in row[-1]]
