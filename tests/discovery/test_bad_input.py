"""Issue #23, bad input: an unreachable host, refused credentials, a missing database, a table the account may not read,
text that is not valid UTF-8, binary columns, a statement time-out, 5,000 tables, a table of 10 million rows. Each scan
is real (a SQLite file, PostgreSQL, MariaDB), run as the outbox's job (``scan_start``, the job run eagerly) or through
``discovery.scan.scan`` where the reading alone is the unit. The scan ends with a reason per table, within its time
limit, nothing half-written, and no sampled value in Registre's database, the logs or a reason.

The heaviest cases (10 million rows) run in CI and when ``DISCOVERY_HEAVY_TESTS=1``; skipped otherwise."""

import logging
import os
import socket
import sqlite3
import time

import psycopg2
import pytest
import sqlalchemy as sa

from discovery.models import Scan, ScannedColumn, ScannedTable
from discovery.scan import scan
from discovery.services import scan_start, source_create

from ..conftest import IN_CI
from ..inventory.factories import SystemFactory
from . import source as shop
from .test_discover import all_sampled_text, assert_no_value_in_registre, mariadb_source, postgresql_source  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

EMAILS = [f"jeanne.martin{n}@exemple.fr" for n in range(20)]
SECRET_NOTE = "Suivi pour diabète, insuline matin et soir"


@pytest.fixture
def heavy():
    if not (IN_CI or os.environ.get("DISCOVERY_HEAVY_TESTS") == "1"):
        pytest.skip("a heavy case (millions of rows): set DISCOVERY_HEAVY_TESTS=1, as CI does")


@pytest.fixture
def system(organisation):
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


def scanned(organisation, system, url, django_capture_on_commit_callbacks, name="Shop") -> Scan:
    """The source scanned as a worker would: ``scan_start``, its job run once the transaction commits."""
    source = source_create(organisation=organisation, system=system, name=name, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        scanning, _created = scan_start(source)
    scanning.refresh_from_db()
    return scanning


def reasons(scanning: Scan) -> dict[str, str]:
    return dict(ScannedTable.objects.filter(scan=scanning).values_list("name", "reason"))


def kept(scanning: Scan, table: str) -> dict:
    columns = ScannedColumn.objects.filter(table__scan=scanning, table__name=table)
    return {
        column.name: (column.category, column.special_category or None) if column.category else None
        for column in columns
    }


def assert_nothing_written(scanning: Scan, reason: str) -> None:
    assert (scanning.status, scanning.reason) == ("failed", reason)
    assert not scanning.tables.exists()
    scanning.source.refresh_from_db()
    assert scanning.source.last_scan_id is None  # nothing half-linked: the source keeps no failed scan


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe is: nothing listens there


# --- The source cannot be read at all: the scan fails with a reason of Registre's own -------------------------------


def test_an_unreachable_host_fails_the_scan_quickly(organisation, system, django_capture_on_commit_callbacks, caplog):
    start = time.monotonic()
    url = f"postgresql://scan:s3cret-pw@127.0.0.1:{closed_port()}/shop"
    scanning = scanned(organisation, system, url, django_capture_on_commit_callbacks)
    assert time.monotonic() - start < 5
    assert_nothing_written(scanning, "unreachable")
    assert "s3cret" not in caplog.text


def test_a_missing_sqlite_file_fails_the_scan_and_is_not_created(
    organisation, system, tmp_path, django_capture_on_commit_callbacks
):
    missing = tmp_path / "gone.sqlite3"
    scanning = scanned(organisation, system, f"sqlite:///{missing}", django_capture_on_commit_callbacks)
    assert_nothing_written(scanning, "missing")
    assert not missing.exists()


@pytest.fixture
def mariadb_account(mariadb_source):  # noqa: F811
    """A MariaDB account with a password (the tests' PostgreSQL trusts any password: credentials are tried here)."""
    import pymysql

    address = sa.engine.make_url(mariadb_source.replace("mysql://", "mysql+pymysql://"))
    admin = pymysql.connect(host=address.host, port=address.port or 3306, user=address.username, password="")
    user = f"scan_{address.database[-12:]}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'right-pw-123'")
        cursor.execute(f"GRANT SELECT, SHOW VIEW ON `{address.database}`.* TO '{user}'@'%'")
    yield address.set(username=user, password="right-pw-123")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
    admin.close()


def test_refused_credentials_and_a_missing_database_fail_the_scan_without_the_password(
    organisation, system, mariadb_account, django_capture_on_commit_callbacks, caplog
):
    def url(address):
        return address.render_as_string(hide_password=False).replace("mysql+pymysql", "mysql")

    wrong = url(mariadb_account.set(password="wrong-pw-456"))
    scanning = scanned(organisation, system, wrong, django_capture_on_commit_callbacks)
    assert_nothing_written(scanning, "credentials")
    root = sa.engine.make_url(os.environ["MARIADB_URL"].replace("mysql://", "mysql+pymysql://"))
    missing = url(root.set(database="registre_no_such_database"))
    scanning = scanned(organisation, system, missing, django_capture_on_commit_callbacks, name="Missing")
    assert_nothing_written(scanning, "missing")
    shop.create(url(root.set(database=mariadb_account.database)))
    scanning = scanned(organisation, system, url(mariadb_account), django_capture_on_commit_callbacks, name="Right")
    assert scanning.status == "done" and kept(scanning, "customers") == shop.EXPECTED["customers"]
    assert "wrong-pw" not in caplog.text and "right-pw" not in caplog.text


# --- A table that cannot be read gets its reason; the others are read --------------------------------------------


def test_invalid_text_binary_columns_and_huge_values_in_sqlite(
    organisation, system, tmp_path, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "shop.sqlite3"
    rows = shop.create(f"sqlite:///{path}")
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE broken (id INTEGER PRIMARY KEY, label TEXT)")
        database.execute("INSERT INTO broken (label) VALUES (CAST(x'c328ff' AS TEXT))")  # not UTF-8
        database.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, content BLOB, attachment)")  # typed, untyped
        database.executemany(
            "INSERT INTO files (content, attachment) VALUES (?, ?)",
            [(email.encode(), email.encode()) for email in EMAILS],
        )
        database.execute("CREATE TABLE letters (id INTEGER PRIMARY KEY, email TEXT, notes TEXT)")
        database.executemany(
            "INSERT INTO letters (email, notes) VALUES (?, ?)",
            [(email, SECRET_NOTE + " " + "x" * 5_000_000) for email in EMAILS],  # 5 MB a note
        )
    scanning = scanned(organisation, system, f"sqlite:///{path}", django_capture_on_commit_callbacks)
    assert scanning.status == "done"
    assert reasons(scanning) == {"broken": "encoding", "customers": "", "files": "", "letters": "", "orders": ""}
    assert kept(scanning, "customers") == shop.EXPECTED["customers"]
    assert kept(scanning, "files") == {"id": None, "content": None, "attachment": None}  # bytes never classified
    assert kept(scanning, "letters") == {"id": None, "email": ("identification", None), "notes": ("special", "health")}
    rows["letters"] = [{"email": email, "notes": SECRET_NOTE} for email in EMAILS]
    assert_no_value_in_registre(rows)
    assert not [value for value in [*EMAILS, SECRET_NOTE] if value in caplog.text]


@pytest.fixture
def postgresql_admin(postgresql_source):  # noqa: F811
    """The source database, written as its owner; an account that may read only what it is granted; cleaned up."""
    address = sa.engine.make_url(postgresql_source)
    database = psycopg2.connect(host=address.host, user=address.username, dbname=address.database)
    database.autocommit = True
    role = f"scan_{address.database[-12:]}"
    with database.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    yield database, address.set(username=role).render_as_string(hide_password=False)
    with database.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
    database.close()
    admin = psycopg2.connect(host=address.host, user=address.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
    admin.close()


def test_forbidden_and_timed_out_tables_get_their_reason_and_the_scan_goes_on_in_postgresql(
    organisation,
    system,
    postgresql_source,  # noqa: F811
    postgresql_admin,
    monkeypatch,
    django_capture_on_commit_callbacks,
    caplog,
):
    caplog.set_level(logging.DEBUG)
    database, limited = postgresql_admin
    rows = shop.create(postgresql_source)
    role = sa.engine.make_url(limited).username
    with database.cursor() as cursor:
        # Read first (by name): a table refused, then one locked, then the shop's. PostgreSQL aborts a transaction on
        # an error: each table must be read in its own savepoint for the next ones to be read.
        cursor.execute("CREATE TABLE a_secret (id int, email text)")
        cursor.execute("INSERT INTO a_secret SELECT n, 'x' || n || '@exemple.fr' FROM generate_series(1, 10) n")
        cursor.execute("CREATE TABLE b_locked (id int, email text)")
        cursor.execute("INSERT INTO b_locked SELECT n, 'y' || n || '@exemple.fr' FROM generate_series(1, 10) n")
        cursor.execute("ANALYZE")
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT SELECT ON customers, orders, b_locked TO "{role}"')
    monkeypatch.setattr("discovery.scan.STATEMENT_TIMEOUT_SECONDS", 1)
    locker = psycopg2.connect(database.dsn)
    try:
        with locker.cursor() as cursor:
            cursor.execute("BEGIN; LOCK TABLE b_locked IN ACCESS EXCLUSIVE MODE")  # every read of it waits
        start = time.monotonic()
        scanning = scanned(organisation, system, limited, django_capture_on_commit_callbacks)
        assert time.monotonic() - start < 20
    finally:
        locker.close()
    assert scanning.status == "done"
    assert reasons(scanning) == {"a_secret": "forbidden", "b_locked": "timeout", "customers": "", "orders": ""}
    assert kept(scanning, "customers") == shop.EXPECTED["customers"]
    assert kept(scanning, "orders") == shop.EXPECTED["orders"]
    assert not [value for value in all_sampled_text(rows) if value in caplog.text]


def test_text_not_valid_in_its_encoding_in_postgresql(postgresql_source):  # noqa: F811
    """A legacy database in SQL_ASCII holds any bytes: its Latin-1 text is not what the driver can decode."""
    address = sa.engine.make_url(postgresql_source)
    name = f"{address.database}_ascii"
    admin = psycopg2.connect(host=address.host, user=address.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        )
    try:
        with psycopg2.connect(host=address.host, user=address.username, dbname=name) as legacy, legacy.cursor() as c:
            c.execute("CREATE TABLE clients (id int, email text, ville text)")
            c.execute(
                "INSERT INTO clients SELECT n, 'c' || n || '@exemple.fr', E'Orl\\xe9ans' FROM generate_series(1, 10) n"
            )
            c.execute("CREATE TABLE contacts (id int, email text)")
            c.execute("INSERT INTO contacts SELECT n, 'd' || n || '@exemple.fr' FROM generate_series(1, 10) n")
        tables = {table.name: table for table in scan(address.set(database=name).render_as_string(hide_password=False))}
        assert (tables["clients"].error, tables["contacts"].error) == ("encoding", None)
        assert {column.name: column.classification.category for column in tables["contacts"].columns} == {
            "id": None,
            "email": "identification",
        }
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# --- Size: many tables, many rows, and the scan's own time limit ------------------------------------------------


def many_tables(path, count: int) -> None:
    with sqlite3.connect(path) as database:
        for n in range(count):
            database.execute(f"CREATE TABLE t{n:05} (id INTEGER PRIMARY KEY, email TEXT, quantity INTEGER)")
            database.executemany(
                f"INSERT INTO t{n:05} (email, quantity) VALUES (?, ?)",  # noqa: S608 (a name of ours)
                [(email, 3) for email in EMAILS[:5]],
            )


@pytest.mark.django_db(transaction=True)
def test_five_thousand_tables_are_scanned_each_with_its_reason(
    organisation, system, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "many.sqlite3"
    many_tables(path, 5000)
    start = time.monotonic()
    scanning = scanned(organisation, system, f"sqlite:///{path}", django_capture_on_commit_callbacks)
    assert time.monotonic() - start < 120
    assert (scanning.status, scanning.steps_done, scanning.steps_total) == ("done", 5000, 5000)
    assert ScannedTable.objects.filter(scan=scanning, reason="").count() == 5000
    assert ScannedColumn.objects.filter(table__scan=scanning, category="identification").count() == 5000


def test_a_scan_out_of_time_gives_the_tables_left_their_reason(tmp_path):
    path = tmp_path / "many.sqlite3"
    many_tables(path, 300)
    start = time.monotonic()

    def slowly(done, total):  # each table read takes 50 ms more, as a slow source's would: 300 would take 15 s
        if time.monotonic() - start < 3:
            time.sleep(0.05)

    tables = scan(f"sqlite:///{path}", time_limit=2, progress=slowly)
    assert time.monotonic() - start < 10
    read = [table for table in tables if table.error is None]
    assert len(tables) == 300 and 0 < len(read) < 300
    assert {table.error for table in tables if table not in read} == {"timeout"}
    assert all(column.classification is not None for table in tables for column in table.columns)


def test_a_table_of_ten_million_rows_is_sampled_not_read(heavy, postgresql_source):  # noqa: F811
    address = sa.engine.make_url(postgresql_source)
    with psycopg2.connect(host=address.host, user=address.username, dbname=address.database) as database:  # noqa: SIM117
        with database.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE visits AS SELECT n AS id, 'v' || n || '@exemple.fr' AS email, md5(n::text) AS checksum,"
                " n % 7 AS quantity FROM generate_series(1, 10000000) n"
            )
    start = time.monotonic()
    (unanalysed,) = scan(postgresql_source)  # no statistics yet: counted, in the statement's time limit
    with psycopg2.connect(host=address.host, user=address.username, dbname=address.database) as database:
        database.cursor().execute("ANALYZE visits")
    (visits,) = scan(postgresql_source)
    assert time.monotonic() - start < 30
    assert unanalysed.error is None and unanalysed.rows == 10_000_000
    assert visits.error is None and abs(visits.rows - 10_000_000) < 500_000  # the estimate
    assert {column.name: column.classification.category for column in visits.columns} == {
        "id": None,
        "email": "identification",
        "checksum": None,
        "quantity": None,
    }


def test_a_locked_table_times_out_alone_in_mariadb(mariadb_source, monkeypatch):  # noqa: F811
    import pymysql

    shop.create(mariadb_source)
    address = sa.engine.make_url(mariadb_source.replace("mysql://", "mysql+pymysql://"))
    monkeypatch.setattr("discovery.scan.STATEMENT_TIMEOUT_SECONDS", 1)
    locker = pymysql.connect(
        host=address.host, port=address.port or 3306, user=address.username, database=address.database
    )
    try:
        with locker.cursor() as cursor:
            cursor.execute("LOCK TABLES orders WRITE")  # every read of it waits
        start = time.monotonic()
        tables = {table.name: table for table in scan(mariadb_source)}
        assert time.monotonic() - start < 20
    finally:
        locker.close()
    assert (tables["customers"].error, tables["orders"].error) == (None, "timeout")
    assert {column.name: column.classification.category for column in tables["customers"].columns}["courriel"] == (
        "identification"
    )


def test_a_statement_past_its_limit_in_sqlite_is_interrupted_and_the_scan_goes_on(tmp_path, monkeypatch):
    """SQLite has no statement time-out of its own: the scan's interrupts one that runs too long (here the oldest
    record of a table of 3 million rows, by a column with no index)."""
    path = tmp_path / "shop.sqlite3"
    shop.create(f"sqlite:///{path}")
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, created TEXT)")
        database.execute(
            "INSERT INTO big (created) WITH RECURSIVE n(i) AS"
            " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
            " SELECT date('2020-01-01', '+' || (i % 2000) || ' days') FROM n"
        )
    monkeypatch.setattr("discovery.scan.STATEMENT_TIMEOUT_SECONDS", 0.05)  # MIN of 3 million rows takes more
    start = time.monotonic()
    tables = {table.name: table for table in scan(f"sqlite:///{path}", dated={("", "big"): "created"})}
    assert time.monotonic() - start < 5
    assert (tables["big"].error, tables["big"].oldest) == ("timeout", None)
    assert (tables["customers"].error, tables["orders"].error) == (None, None)
    assert {column.name: column.classification.category for column in tables["orders"].columns}["card"] == "economic"
