"""Writing many rows at once, with their history, where the ORM's per-value work is the cost.

``bulk_create`` prepares every value of every row through its field (about 60 µs a row for a
finding), then django-simple-history builds and prepares a historical copy of each: a sweep
that opens 200,000 findings spent most of its time there. These helpers write rows whose
values the caller has already prepared, as many per statement as the database takes, and
write their history with one ``INSERT … SELECT``, the rows copied inside the database.

Rows written so are checked first, in memory, as ``full_clean`` checks one before its save
(``clean_unsaved``, ``unique_errors``): the same messages, without a query per row.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    QuerySet,
    TextField,
    Value,
)
from simple_history.models import HistoricalRecords

# PostgreSQL takes up to 65,535 parameters a statement; stay well below.
DEFAULT_MAX_PARAMS = 30_000


def insert_rows(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence], *, same: dict | None = None
) -> int:
    """INSERT ``rows`` of ``model``, each a sequence of database-ready values in the order of
    ``fields`` (attribute names: ``organisation_id``); returns how many were written.

    Database-ready: what ``field.get_db_prep_save`` returns (a JSON field's text, a datetime
    as the backend stores it); the caller prepares a value shared by every row once, and may
    give such values in ``same`` (attribute name: value) rather than in each row.
    """
    same = same or {}
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    names = [*fields, *same]
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    table = quote(model._meta.db_table)  # a model's name, not input
    if connection.vendor == "postgresql":
        return _copy_rows(connection, table, columns, rows, list(same.values()))
    if same:
        shared = tuple(same.values())
        rows = (tuple(row) + shared for row in rows)
    per_statement = max(1, (connection.features.max_query_params or DEFAULT_MAX_PARAMS) // len(names))
    group = "(" + ", ".join(["%s"] * len(names)) + ")"
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


def insert_instances(model: type[Model], instances: Sequence[Model], *, keys: bool = False) -> int:
    """INSERT unsaved ``instances`` of ``model``, each value prepared by its field as ``bulk_create`` prepares it
    (``pre_save``, then ``get_db_prep_save``); returns how many were written. Their keys are left to the database,
    or with ``keys`` given to the instances, as ``bulk_create`` gives them.

    On PostgreSQL ``bulk_create`` prepares each value again and has psycopg2 quote it: an import of 5,000 activities
    spent 1.8 to 2.7 s writing them and their 20,000 rows so, 1.0 s through ``insert_rows`` (COPY), the keys taken
    first from the table's sequence in one statement. Elsewhere ``bulk_create`` writes them, as before: on SQLite
    ``insert_rows`` sends the same multi-row INSERTs, and timed on a shared machine it gained nothing."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    if connection.vendor != "postgresql":
        return len(model._base_manager.bulk_create(instances))
    fields = [field for field in meta.concrete_fields if not field.primary_key and not field.generated]
    if keys:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(instances)],
            )
            for instance, (key,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = key
                instance._state.adding, instance._state.db = False, connection.alias
        fields.insert(0, meta.pk)
    # A field's value of the type it stores is as ready as ``get_db_prep_save`` would make it (a text of a CharField,
    # yes or no of a BooleanField); it is passed as it is, the other values (a date, a JSON list, a choice, None)
    # through the field: preparing the values of 5,000 activities took 0.37 s of processor time, 0.15 s so.
    plan = [(field, READY.get(type(field))) for field in fields]
    return insert_rows(
        model,
        [field.attname for field in fields],
        (
            [
                value
                if type(value := field.pre_save(instance, True)) is ready
                else field.get_db_prep_save(value, connection)
                for field, ready in plan
            ]
            for instance in instances
        ),
    )


# The fields whose value of this type ``get_db_prep_save`` returns as it is, on every backend.
READY = {CharField: str, TextField: str, BooleanField: bool}


# A COPY's text is made this many rows at a time, as PostgreSQL reads it: the text of 280,000 findings is about 40 MB,
# never held whole.
COPY_ROWS = 1_000
COPY_READ = 1 << 16  # bytes psycopg2 asks for, and sends, at a time


def _copy_rows(connection, table: str, columns: str, rows: Iterable[Sequence], shared: list) -> int:
    """PostgreSQL: ``insert_rows`` through ``COPY … FROM STDIN``. psycopg2 quotes each parameter of an INSERT in
    Python, at about 4 µs each: the 3.3 million values of 280,000 findings took 25 s to quote, the INSERTs' own work
    under 7 s. COPY takes the rows as text, which this writes itself (the values every row shares once), in one
    statement fed as it is read (``_CopyText``): PostgreSQL writes the rows already sent while Python makes the text
    of the next ones, on another core."""
    text = _CopyText(rows, "".join("\t" + _copy_text(value) for value in shared) + "\n")
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", text, size=COPY_READ)
    return text.written


class _CopyText:
    """The text of ``rows`` in COPY's format (``end`` closing each row), made as it is read."""

    def __init__(self, rows: Iterable[Sequence], end: str):
        self.rows, self.end, self.pending, self.written = iter(rows), end, "", 0

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.pending) < size:
            chunk = list(islice(self.rows, COPY_ROWS))
            if not chunk:
                break
            self.written += len(chunk)
            end = self.end
            self.pending += "".join(["\t".join(map(_copy_text, row)) + end for row in chunk])
        if size < 0:
            size = len(self.pending)
        text, self.pending = self.pending[:size], self.pending[size:]
        return text

    readline = read  # psycopg2 asks for it, and reads with read()


def _escaped(text: str) -> str:
    """Text as COPY's text format reads it: a backslash starts an escape, a tab ends a column, a new line a row."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


COPY_TEXT = {str: _escaped, int: str, float: repr, Decimal: str, bool: lambda value: "t" if value else "f"}


def _copy_text(value) -> str:
    """A database-ready value (``get_db_prep_save``'s) as COPY's text format writes it."""
    write = COPY_TEXT.get(type(value))
    if write is not None:
        return write(value)
    if value is None:
        return "\\N"
    if isinstance(value, str | int):  # a choice of the model's (``TextChoices``, ``IntegerChoices``): its value
        return _escaped(str.__str__(value)) if isinstance(value, str) else str(int(value))
    if isinstance(value, datetime.date | datetime.time):  # a datetime too: ISO 8601, with its offset if aware
        return value.isoformat()
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # a JSON field's adapter (psycopg2's Json)
        return _escaped(value.dumps(value.adapted))
    raise TypeError(f"insert_rows cannot write a {type(value).__name__} with COPY")


def insert_history(queryset: QuerySet, *, when, history_type: str = "+", user=None, reason: str = "") -> None:
    """Record the rows of ``queryset`` in their model's django-simple-history table, as saves
    at ``when`` by ``user`` (nobody: a check, a command) with ``reason`` as where the change
    came from, in one ``INSERT … SELECT``; then the links of its tracked many-to-many fields."""
    model = queryset.model
    history = model.history.model
    tracked = [field.attname for field in history._meta.concrete_fields if not field.name.startswith("history_")]
    select = (
        queryset.order_by()
        .annotate(
            history_date_value=Value(when, output_field=DateTimeField()),
            history_type_value=Value(history_type, output_field=CharField()),
            history_reason_value=Value(reason, output_field=CharField()),
            history_user_value=Value(user.pk if user is not None else None, output_field=IntegerField()),
        )
        .values_list(*tracked, "history_date_value", "history_type_value", "history_reason_value", "history_user_value")
    )
    sql, params = select.query.sql_with_params()
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    columns = [history._meta.get_field(name).column for name in tracked]
    columns += ["history_date", "history_type", "history_change_reason", "history_user_id"]
    table = quote(history._meta.db_table)
    links = history._history_m2m_fields
    returning = f" RETURNING {quote(history._meta.pk.column)}" if links else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(column) for column in columns)}) {sql}{returning}",
            params,
        )
        records = [record for (record,) in cursor.fetchall()] if links else []
    per_statement = connection.features.max_query_params or DEFAULT_MAX_PARAMS
    for start in range(0, len(records), per_statement):
        _insert_m2m_history(model, records[start : start + per_statement])


def _insert_m2m_history(model: type[Model], records: list) -> None:
    """The current links of ``model``'s tracked many-to-many fields, recorded for the new historical records
    ``records`` (their keys), each field's in one ``INSERT … SELECT``: a link joined to its owner's record in the
    database, not read into Python (an import writes tens of thousands). The records are named by their own unique
    key, which the planner counts right in a table it has no statistics of yet."""
    history = model.history.model
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    recorded = quote(history._meta.get_field(model._meta.pk.attname).column)  # the record's copy of the owner's key
    among = ", ".join(["%s"] * len(records))
    for field in history._history_m2m_fields:
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        through = field.remote_field.through._meta
        copies = HistoricalRecords.m2m_models[field]._meta
        names = ["id", source, target]
        copied = ", ".join(f"link.{quote(through.get_field(name).column)}" for name in names)
        columns = ", ".join(quote(copies.get_field(name).column) for name in [*names, "history"])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(copies.db_table)} ({columns}) "  # noqa: S608 (model names)
                f"SELECT {copied}, record.{quote(history._meta.pk.column)} FROM {quote(through.db_table)} link "
                f"JOIN {quote(history._meta.db_table)} record "
                f"ON record.{recorded} = link.{quote(through.get_field(source).column)} "
                f"WHERE record.{quote(history._meta.pk.column)} IN ({among})",
                records,
            )


# --- Checking rows before writing them at once ------------------------------------------------


def clean_unsaved(instance, known: dict, *, parent: str) -> dict:
    """``full_clean`` of an instance not yet written, without a query: its ``parent`` left
    out, its other foreign keys either objects already given or keys found in ``known``
    (model -> objects by key), uniqueness left to ``unique_errors``. Errors by field."""
    errors = {}
    relations = [field for field in instance._meta.concrete_fields if field.is_relation]
    for field in relations:
        value = getattr(instance, field.attname)
        if field.name == parent or value is None or field.is_cached(instance):
            continue
        target = known.get(field.related_model, {}).get(value)
        if target is None:  # as ForeignKey.validate says it
            errors[field.name] = [
                ValidationError(
                    field.error_messages["invalid"],
                    code="invalid",
                    params={
                        "model": field.related_model._meta.verbose_name,
                        "pk": value,
                        "field": field.remote_field.field_name,
                        "value": value,
                    },
                )
            ]
        else:
            setattr(instance, field.name, target)
    try:
        instance.full_clean(
            exclude=[field.name for field in relations], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    return errors


def unique_keys(instance) -> list[tuple]:
    """The keys of ``instance`` under each of its model's unique constraints, leaving out the
    organisation or activity that every instance checked together shares."""
    meta = instance._meta
    return [
        (constraint.name, tuple(getattr(instance, meta.get_field(name).attname) for name in constraint.fields[1:]))
        for constraint in meta.total_unique_constraints
        if constraint.fields[0] in ("organisation", "activity")
    ]


def unique_errors(instance, seen: set, errors: dict) -> dict:
    """``errors`` with those ``validate_constraints`` would add for a key of ``instance``
    already in ``seen``, with its messages (``UniqueConstraint.validate``)."""
    constraints = {constraint.name: constraint for constraint in instance._meta.total_unique_constraints}
    for key in unique_keys(instance):
        constraint = constraints[key[0]]
        if key not in seen or any(name in errors for name in constraint.fields):
            continue
        if constraint.violation_error_message == constraint.default_violation_error_message:
            error = instance.unique_error_message(type(instance), constraint.fields)
        else:
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
        errors = error.update_error_dict(errors)
    return errors


# Fewer rows than this written at once leave the statistics as they were: autovacuum's analyze catches up with them.
ANALYZE_FROM_ROWS = 1_000


def analyze_after_commit(models: Sequence[type[Model]], *, rows: int, history: bool = True) -> None:
    """``analyze`` once the current transaction commits, when it writes ``rows`` or more (nothing to wait for else)."""
    if rows < ANALYZE_FROM_ROWS or connections[router.db_for_write(models[0])].vendor != "postgresql":
        return

    def refresh_statistics():
        analyze(models, history=history)

    transaction.on_commit(refresh_statistics, robust=True)


def analyze(models: Sequence[type[Model]], *, vacuum: bool = False, history: bool = True) -> None:
    """Refresh PostgreSQL's statistics of ``models``' tables, with their many-to-many links and history tables, after
    a bulk write.

    Without them the planner guesses the size of tables it has just seen filled: after a bulk load of 100,000
    activities it chose, for the rule ``retention.kept_beyond``, a nested loop of 8 million index lookups (27 s; 0.9 s
    once analysed), and autovacuum analyses only a minute or more later. Call it once the write has committed: an
    ANALYZE inside the transaction holds its locks until the end. SQLite's planner steers little by statistics:
    nothing is done there. ``vacuum``: a ``VACUUM (ANALYZE)`` instead, which also marks the pages all-visible so that
    counts are answered from indexes (what autovacuum does within minutes of a bulk load; outside any transaction).
    ``history``: False leaves out the history tables, for a write whose history is only ever read by its record's
    key (autovacuum analyses them in its own time)."""
    if not models:
        return
    connection = connections[router.db_for_write(models[0])]
    if connection.vendor != "postgresql":
        return
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many]
        records = getattr(model, "history", None) if history else None
        if records is not None:
            tables.append(records.model._meta.db_table)
            links = records.model._history_m2m_fields
            tables += [HistoricalRecords.m2m_models[field]._meta.db_table for field in links]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (a test's, say): there the statistics alone are refreshed.
        command = "VACUUM (ANALYZE)" if vacuum and not connection.in_atomic_block else "ANALYZE"
        cursor.execute(f"{command} {', '.join(quote(table) for table in dict.fromkeys(tables))}")  # model names
