"""Issue #23, first part: a database scanned read-only through SQLAlchemy, each column classified from its name, type
and a sample of its values, and ``manage.py discover`` printing what it found. Real scans of a SQLite file (both
rounds), of PostgreSQL (round 2) and of MariaDB (round 2, ``MARIADB_URL``), on a shop's schema of generated people."""

import io
import json
import os
import sqlite3
import subprocess

import psycopg2
import pytest
import sqlalchemy as sa
from django.core.management import CommandError, call_command
from django.db import connection

from discovery.classify import classify, words_of
from discovery.scan import ScanError, engine_for, scan
from inventory.models import DataField

from ..conftest import IN_CI, service_missing
from ..inventory.factories import DataFieldFactory, SystemFactory
from . import source

pytestmark = pytest.mark.django_db


def found(document) -> dict:
    return {
        table["table"]: {
            column["name"]: (column["category"], column["special_category"]) if column["category"] else None
            for column in table["columns"]
        }
        for table in document["tables"]
    }


def discover(organisation, system, url, *extra) -> dict:
    out = io.StringIO()
    call_command("discover", organisation.slug, system.name, "--url", url, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def all_sampled_text(rows) -> set[str]:
    """The generated values long enough not to occur by chance in a dump (names, emails, numbers...)."""
    return {
        str(value)
        for table in rows.values()
        for row in table
        for name, value in row.items()
        if isinstance(value, str) and len(value) >= 8 and name not in ("status",)
    }


def assert_no_value_in_registre(rows):
    """Whatever the scan read, none of it is in Registre's own database."""
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
    else:
        settings = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", settings["HOST"] or "127.0.0.1", "-U", settings["USER"], settings["NAME"]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    assert "discovery" in dump or "inventory_system" in dump  # the dump is the real thing
    leaked = [value for value in all_sampled_text(rows) if value in dump]
    assert leaked == []


# --- The classifier, on the generated values --------------------------------------------------


def test_every_personal_column_is_told_and_no_other():
    rows = source.values()
    for table, expected in source.EXPECTED.items():
        for name, category in expected.items():
            values = [row[name] for row in rows[table]]
            kind = "BLOB" if name == "photo" else "DATE" if name in ("date_naissance", "ordered_on") else "VARCHAR"
            result = classify(name, kind, values)
            got = (result.category, result.special_category) if result.category else None
            assert got == category, f"{table}.{name}: {result}"


def test_names_are_read_as_words_in_english_and_french():
    assert words_of("customerEmail") == ["customer", "email"]
    assert classify("adresseCourriel", "VARCHAR", []).category == "identification"
    assert classify("DateDeNaissance", "DATE", []).kind == "birth_date"
    assert classify("num_secu", "VARCHAR", []).category == "national_id"
    # Not "nom": a number of items, a product's name, a digest of an email.
    for name in ("nombre_articles", "nom_produit", "product_name", "email_sha256", "email_count"):
        assert classify(name, "VARCHAR", []).category is None, name


def test_values_that_contradict_the_name_unmake_it():
    quantities = [str(n) for n in range(1, 60)]
    assert classify("tel", "VARCHAR", quantities).category is None
    assert classify("email", "VARCHAR", ["yes", "no"] * 10).category is None


def test_keys_and_checksums_are_checked_not_only_shapes():
    # Fifteen digits with a wrong NIR key, sixteen that fail Luhn, an IBAN with a wrong checksum; then the right ones.
    assert classify("reference", "VARCHAR", ["185057800608492"] * 10).category is None
    assert classify("reference", "VARCHAR", ["4970101234567890"] * 10).category is None
    assert classify("reference", "VARCHAR", ["FR7630006000011234567890188"] * 10).category is None
    assert classify("reference", "VARCHAR", ["185057800608491"] * 10).category == "national_id"
    assert classify("reference", "VARCHAR", ["FR7630006000011234567890189"] * 10).category == "economic"


def test_health_is_flagged_for_review():
    result = classify("notes", "TEXT", ["RAS"] * 8 + ["Suivi pour diabète", "Asthme"])
    assert (result.category, result.special_category, result.review) == ("special", "health", True)


# --- Real scans ------------------------------------------------------------------------------


@pytest.fixture
def shop_system(organisation):
    DataFieldFactory(organisation=organisation, name="Adresse e-mail", category=DataField.Category.IDENTIFICATION)
    DataFieldFactory(organisation=organisation, name="Adresse postale", category=DataField.Category.IDENTIFICATION)
    return SystemFactory(organisation=organisation, name="Boutique en ligne")


def check_scan(document, rows, system):
    assert document["system"] == system.name
    assert found(document) == source.EXPECTED
    by_name = {(t["table"], c["name"]): c for t in document["tables"] for c in t["columns"]}
    assert by_name[("customers", "courriel")]["data_field"] == "Adresse e-mail"  # the organisation's own
    assert by_name[("customers", "courriel")]["data_field_exists"] is True
    assert by_name[("customers", "adresse")]["data_field"] == "Adresse postale"  # not "Adresse e-mail"
    assert by_name[("customers", "nir")]["data_field"] == "Social security number (NIR)"  # one to create
    assert by_name[("customers", "courriel")]["evidence"] == ["name", "values"]
    rows_of = {table["table"]: table["rows"] for table in document["tables"]}
    assert rows_of["customers"] in range(source.ROWS - 5, source.ROWS + 5)  # an estimate, where the database has one
    text = json.dumps(document)
    assert not [value for value in all_sampled_text(rows) if value in text], "no value printed"


def test_a_sqlite_file_is_scanned_read_only_and_nothing_it_holds_is_kept(organisation, shop_system, tmp_path):
    path = tmp_path / "shop.sqlite3"
    rows = source.create(f"sqlite:///{path}")
    before = path.read_bytes()
    document = discover(organisation, shop_system, f"sqlite:///{path}")
    check_scan(document, rows, shop_system)
    assert path.read_bytes() == before
    with pytest.raises(ScanError, match="does not exist"):
        scan(f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    assert not (tmp_path / "missing.sqlite3").exists()  # opened read-only: never created
    assert_no_value_in_registre(rows)


def test_a_table_that_cannot_be_read_gets_its_reason_and_the_scan_goes_on(organisation, shop_system, tmp_path):
    path = tmp_path / "shop.sqlite3"
    source.create(f"sqlite:///{path}")
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE broken (id INTEGER PRIMARY KEY, label TEXT)")
        database.execute("INSERT INTO broken (label) VALUES (CAST(x'c328ff' AS TEXT))")  # not UTF-8
    document = discover(organisation, shop_system, f"sqlite:///{path}")
    tables = {table["table"]: table for table in document["tables"]}
    assert tables["broken"]["error"] == "Text that is not valid in its encoding."
    assert tables["customers"]["error"] is None and found(document)["customers"] == source.EXPECTED["customers"]


def test_the_command_refuses_what_it_cannot_scan_with_a_reason(organisation, shop_system, tmp_path):
    with pytest.raises(CommandError, match="no system named 'Nope'"):
        call_command("discover", organisation.slug, "Nope", "--url", "sqlite:////tmp/x")
    with pytest.raises(CommandError, match=r"This kind of source is not supported\."):
        call_command("discover", organisation.slug, shop_system.name, "--url", "oracle://scott:tiger@db/orcl")
    with pytest.raises(CommandError) as refused:
        call_command(
            "discover", organisation.slug, shop_system.name, "--url", "postgresql://scan:s3cret-pw@127.0.0.1:1/shop"
        )
    assert str(refused.value) == "The source's host did not answer." and "s3cret" not in str(refused.value)


@pytest.fixture
def postgresql_source(worker_id):
    if connection.vendor != "postgresql":
        if IN_CI and os.environ.get("DATABASE_URL"):
            pytest.fail("CI's second round runs on PostgreSQL")
        pytest.skip("scans PostgreSQL in the round on PostgreSQL")
    settings = connection.settings_dict
    name = f"registre_discovery_{worker_id}"
    admin = psycopg2.connect(host=settings["HOST"], user=settings["USER"], dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}/{name}"
    yield url
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump sees Registre's database as it is
def test_a_postgresql_database_is_scanned_in_a_read_only_session(organisation, shop_system, postgresql_source):
    rows = source.create(postgresql_source)
    engine = sa.create_engine(postgresql_source.replace("postgresql://", "postgresql+psycopg2://"))
    with engine.begin() as analysing:
        analysing.exec_driver_sql("ANALYZE")  # the estimates the scan reads
    engine.dispose()
    document = discover(organisation, shop_system, postgresql_source)
    check_scan(document, rows, shop_system)
    assert {table["schema"] for table in document["tables"]} == {"public"}
    scanning = engine_for(postgresql_source)
    with scanning.connect() as session, pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        session.exec_driver_sql("DELETE FROM customers")
    scanning.dispose()
    assert_no_value_in_registre(rows)


@pytest.fixture
def mariadb_source(worker_id):
    server = os.environ.get("MARIADB_URL")
    if not server:
        service_missing("a MariaDB (or MySQL) server: set MARIADB_URL, e.g. mysql://root@127.0.0.1:3306")
    import pymysql

    address = sa.engine.make_url(server.replace("mysql://", "mysql+pymysql://"))
    name = f"registre_discovery_{worker_id}"
    admin = pymysql.connect(
        host=address.host, port=address.port or 3306, user=address.username, password=address.password or ""
    )
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    yield str(address.set(database=name).render_as_string(hide_password=False)).replace("mysql+pymysql", "mysql")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    admin.close()


def test_a_mariadb_database_is_scanned_in_a_read_only_session(organisation, shop_system, mariadb_source):
    rows = source.create(mariadb_source)
    document = discover(organisation, shop_system, mariadb_source)
    assert found(document) == source.EXPECTED
    text = json.dumps(document)
    assert not [value for value in all_sampled_text(rows) if value in text]
    scanning = engine_for(mariadb_source)
    with scanning.connect() as session, pytest.raises(sa.exc.OperationalError, match="READ ONLY"):
        session.exec_driver_sql("DELETE FROM customers")
    scanning.dispose()
