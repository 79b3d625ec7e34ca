"""Writing many rows at once, with their history, where the ORM's per-value work is the cost.

``bulk_create`` prepares every value of every row through its field (about 60 µs a row for a
finding), then django-simple-history builds and prepares a historical copy of each: a sweep
that opens 200,000 findings spent most of its time there. These helpers write rows whose
values the caller has already prepared, as many per statement as the database takes, and
write their history with one ``INSERT … SELECT``, the rows copied inside the database.
"""

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connections, router
from django.db.models import CharField, DateTimeField, Model, QuerySet, Value

# PostgreSQL takes up to 65,535 parameters a statement; stay well below.
DEFAULT_MAX_PARAMS = 30_000


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """INSERT ``rows`` of ``model``, each a sequence of database-ready values in the order of
    ``fields`` (attribute names: ``organisation_id``); returns how many were written.

    Database-ready: what ``field.get_db_prep_save`` returns (a JSON field's text, a datetime
    as the backend stores it); the caller prepares a value shared by every row once.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    per_statement = max(1, (connection.features.max_query_params or DEFAULT_MAX_PARAMS) // len(fields))
    group = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(model._meta.db_table)  # a model's name, not input
    written = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, per_statement)):
            values = ", ".join([group] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )
            written += len(chunk)
    return written


def insert_history(queryset: QuerySet, *, when, history_type: str = "+") -> None:
    """Record the rows of ``queryset`` in their model's django-simple-history table, as saves
    at ``when`` by nobody (a check, a command), in one ``INSERT … SELECT``."""
    model = queryset.model
    history = model.history.model
    tracked = [field.attname for field in history._meta.concrete_fields if not field.name.startswith("history_")]
    select = (
        queryset.order_by()
        .annotate(
            history_date_value=Value(when, output_field=DateTimeField()),
            history_type_value=Value(history_type, output_field=CharField()),
        )
        .values_list(*tracked, "history_date_value", "history_type_value")
    )
    sql, params = select.query.sql_with_params()
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    columns = [history._meta.get_field(name).column for name in tracked] + ["history_date", "history_type"]
    table = quote(history._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(column) for column in columns)}) {sql}",
            params,
        )
