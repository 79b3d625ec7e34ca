"""A scan of one database: its tables and columns, each column classified from a sample of its values.

The database is read through SQLAlchemy Core: its inspector reflects the schema of every database it speaks to the
same way, so a new kind of source costs a driver (PostgreSQL: psycopg2; MySQL and MariaDB: PyMySQL; SQLite: the
standard library), not a catalogue query of its own. The session is read-only (PostgreSQL and MySQL/MariaDB: a
read-only transaction; SQLite: the file opened read-only) with a time limit on each statement, so a scan can neither
change the system nor hold a worker past its limit.

Each table's sample is at most ``SAMPLE_SIZE`` rows, taken with the database's own sampling where it has one
(PostgreSQL's ``TABLESAMPLE SYSTEM`` on large tables), binary columns left out. **Sampled values live in this
process's memory only**: they are classified (``discovery.classify``) table by table and let go; no value is ever
returned, written, logged or put in an error message. A table that cannot be read (a time-out, invalid text, a
permission) gets its reason and the scan goes on with the next; a source that cannot be reached at all raises
``ScanError`` with a reason that names neither its password nor any value.
"""

import datetime
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlalchemy as sa
from django.conf import settings
from sqlalchemy import event, exc, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from .classify import BINARY_TYPES, Classification, as_day, classify
from .models import Scan

Reason = Scan.Reason

logger = logging.getLogger(__name__)

SAMPLE_SIZE = 200
MAX_VALUE_LENGTH = 1000  # a longer value is cut before it is classified (free text: its start says enough)
STATEMENT_TIMEOUT_SECONDS = 15
CONNECT_TIMEOUT_SECONDS = 10
# The client stops waiting a little after the server's own limit: the server's error names the time-out and leaves the
# connection usable for the next table, where the client giving up first would lose it.
READ_TIMEOUT_MARGIN_SECONDS = 5
# A scan stops reading tables this long before the worker's soft time limit: its last table may take three statements
# (a count, the sample, the oldest record), each up to the statement limit, and its results must still be written. The
# tables left get the reason "time limit".
TIME_LIMIT_MARGIN_SECONDS = 3 * STATEMENT_TIMEOUT_SECONDS + 15
SAMPLED_FROM_ROWS = 10 * SAMPLE_SIZE  # from this size on PostgreSQL samples pages instead of reading the first rows
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
DRIVERS = {  # the schemes people write, and the driver each is read with
    "postgres": "postgresql+psycopg2",
    "postgresql": "postgresql+psycopg2",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
}


class ScanError(Exception):
    """The source could not be read at all: ``reason`` (a ``Scan.Reason``) says why, without secrets or values."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def __str__(self):
        return str(Reason(self.reason).label)


class TimeLimitReached(Exception):
    """Raised by a scan's ``progress`` callback to stop before the next table: the tables not read get the reason
    timeout (and no columns), and those read are returned."""


@dataclass
class Column:
    name: str
    type: str
    comment: str | None
    classification: Classification


@dataclass
class Table:
    schema: str | None
    name: str
    rows: int | None  # the database's estimate (or count, for small SQLite tables)
    columns: list[Column] = field(default_factory=list)
    error: str | None = None  # a Scan.Reason when the table could not be read
    oldest: datetime.date | None = None  # the oldest record by the column the DPO marked as its date
    column_types: dict = field(default_factory=dict, repr=False, compare=False)  # SQLAlchemy's, for the sampling


def engine_for(url: str) -> sa.Engine:
    """An engine on the source, read-only and with time limits, whatever its kind."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme not in DRIVERS:
        raise ScanError(Reason.UNSUPPORTED)
    parsed = make_url(url).set(drivername=DRIVERS[scheme])
    if scheme == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ScanError(Reason.MISSING)  # a SQLite source is a file: sqlite:////path/to/file.sqlite3
        # The file opened read-only: nothing the scan does can write to it, and a missing file is not created.
        parsed = parsed.set(database=f"file:{parsed.database}?mode=ro", query={"uri": "true"})
        return _sqlite_time_limited(sa.create_engine(parsed, poolclass=NullPool))
    if scheme in ("postgres", "postgresql"):
        options = f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}"
        return sa.create_engine(
            parsed,
            poolclass=NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
        )
    engine = sa.create_engine(
        parsed,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "read_timeout": STATEMENT_TIMEOUT_SECONDS + READ_TIMEOUT_MARGIN_SECONDS,
        },
    )

    @event.listens_for(engine, "connect")
    def read_only(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            try:  # MariaDB counts in seconds, MySQL in milliseconds
                cursor.execute(f"SET SESSION max_statement_time = {STATEMENT_TIMEOUT_SECONDS}")
            except Exception:
                cursor.execute(f"SET SESSION max_execution_time = {STATEMENT_TIMEOUT_SECONDS * 1000}")

    return engine


def _sqlite_time_limited(engine: sa.Engine) -> sa.Engine:
    """SQLite has no statement time-out of its own: its progress handler, called every few thousand steps of a
    statement, interrupts one that has run past the limit (the oldest record by a column of a huge table with no
    index), as the servers do theirs. A bare ``count(*)`` is one step of SQLite's: not interrupted, it only walks
    pages."""

    @event.listens_for(engine, "connect")
    def time_limited(dbapi_connection, record):
        started = record.info["statement_started"] = [None]
        dbapi_connection.set_progress_handler(
            lambda: started[0] is not None and time.monotonic() - started[0] > STATEMENT_TIMEOUT_SECONDS, 10_000
        )

    @event.listens_for(engine, "before_cursor_execute")
    def statement_starts(connection, _cursor, _statement, _parameters, _context, _executemany):
        connection.info["statement_started"][0] = time.monotonic()

    return engine


def scan(
    url: str,
    *,
    sample_size: int = SAMPLE_SIZE,
    labels: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    dated: dict[tuple[str, str], str] | None = None,
    time_limit: float | None = None,
) -> list[Table]:
    """Read the source's tables and classify their columns. ``labels``: the organisation's own data field for each
    kind of datum; ``progress(done, total)`` after each table (it may raise ``TimeLimitReached``: the tables not read
    yet get the reason "time limit"); ``dated``: (schema or "", table) → the column that dates its records, whose
    oldest value is measured; ``time_limit``: seconds after which the tables not read yet get the reason "time
    limit" instead of being read (by default, the worker's soft time limit less a margin)."""
    engine = engine_for(url)
    dated = dated or {}
    deadline = time.monotonic() + (default_time_limit() if time_limit is None else time_limit)
    try:
        with engine.connect() as connection:
            tables = list(_tables(connection))
            for done, table in enumerate(tables, start=1):
                if time.monotonic() >= deadline:
                    table.error = Reason.TIMEOUT  # not read: the scan's time is up, the worker must be let go
                    for column in table.columns:
                        column.classification = Classification()
                else:
                    _classify_table(connection, table, sample_size, labels)
                    if (column := dated.get((table.schema or "", table.name))) in table.column_types:
                        _measure_oldest(connection, table, column)
                if progress is not None:
                    try:
                        progress(done, len(tables))
                    except TimeLimitReached:
                        for unread in tables[done:]:
                            unread.error, unread.columns = Reason.TIMEOUT, []
                        break
            return tables
    except exc.SQLAlchemyError as error:
        raise ScanError(_why(error)) from None  # the driver's message may quote the URL: not passed on
    finally:
        engine.dispose()


def default_time_limit() -> float:
    """How long a scan may read tables: the worker's soft time limit, less what its last table and the writing of its
    results may take."""
    return max(settings.CELERY_TASK_SOFT_TIME_LIMIT - TIME_LIMIT_MARGIN_SECONDS, STATEMENT_TIMEOUT_SECONDS)


def _why(error: Exception) -> str:
    """What went wrong, as a ``Scan.Reason``: words of our own that carry no value and no secret."""
    text = str(getattr(error, "orig", error)).lower()
    if isinstance(getattr(error, "orig", error), UnicodeDecodeError) or "decode" in text:
        return Reason.ENCODING  # before anything else: the driver's message quotes the text
    if "password" in text or "access denied" in text or "authentication" in text:
        return Reason.CREDENTIALS
    if any(
        word in text for word in ("timeout", "timed out", "canceling statement", "max_statement_time", "interrupted")
    ):
        return Reason.TIMEOUT
    if "could not connect" in text or "connection refused" in text or "can't connect" in text or "resolve" in text:
        return Reason.UNREACHABLE
    if "does not exist" in text or "unknown database" in text or "unable to open" in text:
        return Reason.MISSING
    if "permission denied" in text or "command denied" in text:
        return Reason.FORBIDDEN
    return Reason.OTHER


def _tables(connection: Connection) -> Iterator[Table]:
    inspector = inspect(connection)
    dialect = connection.dialect.name
    if dialect == "sqlite":
        schemas = [None]
    elif dialect == "mysql":
        schemas = [inspector.default_schema_name]
    else:
        schemas = [
            name
            for name in inspector.get_schema_names()
            if name not in SYSTEM_SCHEMAS and not name.startswith(("pg_temp", "pg_toast"))
        ]
    estimates = _row_estimates(connection)
    for schema in schemas:
        # One query per schema for every table's columns and comments, not one per table.
        columns = inspector.get_multi_columns(schema=schema)
        for (_schema, name), reflected in sorted(columns.items(), key=lambda item: item[0][1]):
            table = Table(schema=schema, name=name, rows=estimates.get((schema, name)))
            table.columns = [
                Column(
                    name=column["name"], type=str(column["type"]), comment=column.get("comment"), classification=None
                )
                for column in reflected
            ]
            table.column_types = {column["name"]: column["type"] for column in reflected}
            yield table


def _row_estimates(connection: Connection) -> dict:
    """The database's own estimate of each table's rows (statistics, not a count: a count of 10 million rows is what
    a scan must not do). SQLite keeps none: there each table is counted when it is sampled, as is a table the database
    has no statistics for yet."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT n.nspname, c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p')"
        )
        return {(schema, name): (int(count) if count >= 0 else None) for schema, name, count in rows}
    if dialect == "mysql":
        rows = connection.exec_driver_sql(
            "SELECT table_schema, table_name, table_rows FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
        return {(schema, name): (int(count) if count is not None else None) for schema, name, count in rows}
    return {}


def _is_binary(column_type) -> bool:
    return isinstance(column_type, sa.types._Binary) or any(word in str(column_type).upper() for word in BINARY_TYPES)


def _classify_table(connection: Connection, table: Table, sample_size: int, labels) -> None:
    readable = [column.name for column in table.columns if not _is_binary(table.column_types[column.name])]
    samples: dict[str, list] = {name: [] for name in readable}
    if readable:
        try:
            with connection.begin_nested() if connection.in_transaction() else connection.begin():
                if table.rows is None:  # no statistics (SQLite, a table never analysed): counted, in the time limit
                    table.rows = connection.execute(sa.select(sa.func.count()).select_from(_table(table))).scalar()
                for row in connection.execute(_sample_query(connection, table, readable, sample_size)):
                    for name, value in zip(readable, row, strict=True):
                        # Bytes in a column not typed binary (SQLite's untyped columns) are not text to classify.
                        if value is not None and not isinstance(value, bytes | bytearray | memoryview):
                            samples[name].append(value[:MAX_VALUE_LENGTH] if isinstance(value, str) else value)
        except (exc.SQLAlchemyError, UnicodeDecodeError, ValueError, OverflowError) as error:
            table.error = _why(error)
            logger.info("Discovery: table %s.%s not read: %s", table.schema, table.name, table.error)
            samples = {name: [] for name in readable}
    for column in table.columns:
        # The column's sample is let go as soon as it is classified.
        column.classification = classify(column.name, column.type, samples.pop(column.name, []), column.comment, labels)


def _measure_oldest(connection: Connection, table: Table, column: str) -> None:
    """The oldest record of the table by its date column (``MIN``, in the statement's time limit). A value that is
    not a date (text that does not start with one, in SQLite say) measures nothing."""
    try:
        with connection.begin_nested() if connection.in_transaction() else connection.begin():
            oldest = connection.execute(sa.select(sa.func.min(sa.column(column))).select_from(_table(table))).scalar()
    except (exc.SQLAlchemyError, UnicodeDecodeError, ValueError, OverflowError) as error:
        table.error = table.error or _why(error)
        logger.info("Discovery: oldest record of %s.%s not measured: %s", table.schema, table.name, _why(error))
        return
    table.oldest = as_day(oldest)


def _table(table: Table):
    return sa.table(table.name, schema=table.schema)


def _sample_query(connection: Connection, table: Table, names: list[str], size: int):
    source = sa.table(table.name, *[sa.column(name) for name in names], schema=table.schema)
    if connection.dialect.name == "postgresql" and table.rows and table.rows > SAMPLED_FROM_ROWS:
        # Pages drawn at random, enough of them for the sample: not the first rows only (often the oldest).
        percent = min(100.0, max(0.001, 100.0 * size * 4 / table.rows))
        source = sa.tablesample(source, sa.func.system(percent))
    # Text cut in the database: a value of megabytes is not carried over the network to be cut here.
    selected = [
        sa.func.substr(column, 1, MAX_VALUE_LENGTH).label(column.name)
        if _is_text(table.column_types[column.name])
        else column
        for column in source.columns
    ]
    return sa.select(*selected).limit(size)


def _is_text(column_type) -> bool:
    return isinstance(column_type, sa.types.String) and not isinstance(column_type, sa.types.Enum)
