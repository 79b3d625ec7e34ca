"""Discovery at scale (issue #23): a source of 200 tables, 2,000 columns and 1,000,000 rows, scanned in ≤ 60 s with
a peak memory of ≤ 200 MB.

The schema is built once per run, in a SQLite file and, when the benchmark's database is PostgreSQL
(``BENCH_DATABASE_URL``), in a PostgreSQL database of its own on the same server (``registre_bench_discovery``,
dropped first). Each table has an ``id`` and 9 columns, 5 of personal data and 4 of none, in a mix that turns from
table to table (emails, phone numbers, names, addresses, IBANs, card numbers, IP addresses, health notes…; SKUs,
prices, quantities, statuses, digests, dates), and 5,000 rows drawn from pools of values Faker generated (``fr_FR``).
The rows are written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).

Two measures per source, each in a process of its own forked from the seeded one (``bench.reports._in_child``: the
process's peak resident memory, ``peak_rss_mb``, Django and the project's modules included, and how far the scan
raised it): ``discovery.scan.scan`` alone (reading and classifying), and ``services.scan_run`` as the worker runs it
(the scan, then its tables and columns written to Registre's database in one transaction). The compliance re-check a
finished scan asks for is held, not run: ``bench.compliance`` measures it. ``--size`` is not used: the issue fixes
the schema's size.
"""

import csv
import io
import random
import tempfile
import time
from pathlib import Path

from .harness import report
from .imports import holding_jobs
from .reports import _in_child

TARGETS = {"seconds": 60, "peak_rss_mb": 200}
TABLES = 200
ROWS_PER_TABLE = 5_000  # 1,000,000 rows in all
POOL = 1_000  # distinct values generated per kind of column
DATABASE = "registre_bench_discovery"


def _pools() -> dict[str, tuple[str, list]]:
    """Each kind of column: its SQL type and a pool of values (Faker's, French)."""
    import datetime

    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(23)
    pick = random.Random(23)
    health = ["Allergie aux arachides.", "Asthme léger.", "Diabète de type 2, insuline.", "Grossesse."]

    def many(make) -> list:
        return [make() for _ in range(POOL)]

    personal = {
        "email": ("VARCHAR(200)", many(fake.email)),
        "telephone": ("VARCHAR(40)", many(fake.phone_number)),
        "prenom": ("VARCHAR(100)", many(fake.first_name)),
        "nom": ("VARCHAR(100)", many(fake.last_name)),
        "adresse": ("VARCHAR(200)", many(fake.street_address)),
        "code_postal": ("VARCHAR(10)", many(fake.postcode)),
        "iban": ("VARCHAR(40)", many(fake.iban)),
        "card": ("VARCHAR(25)", many(fake.credit_card_number)),
        "ip_address": ("VARCHAR(45)", many(fake.ipv4)),
        "device_id": ("VARCHAR(36)", many(fake.uuid4)),
        "date_naissance": ("DATE", many(lambda: fake.date_of_birth(minimum_age=18, maximum_age=90))),
        "notes": ("TEXT", many(lambda: fake.sentence() + (" " + pick.choice(health) if pick.random() < 0.3 else ""))),
        "contact": ("VARCHAR(200)", many(fake.name)),
    }
    other = {
        "sku": ("VARCHAR(20)", many(lambda: f"SKU-{pick.randint(10000, 99999)}")),
        "price": ("NUMERIC(10, 2)", many(lambda: round(pick.uniform(1, 900), 2))),
        "quantity": ("INTEGER", many(lambda: pick.randint(1, 12))),
        "status": ("VARCHAR(20)", many(lambda: pick.choice(["paid", "pending", "shipped", "refunded"]))),
        "checksum": ("VARCHAR(32)", many(fake.md5)),
        "ordered_on": ("DATE", many(lambda: fake.date_between(datetime.date(2025, 1, 1), datetime.date(2026, 11, 30)))),
        "label": ("VARCHAR(100)", many(lambda: fake.word().capitalize())),
    }
    return personal, other


def _schema() -> list[tuple[str, list[tuple[str, str, list]]]]:
    """The 200 tables: name, and columns (name, SQL type, pool) after ``id``."""
    personal, other = _pools()
    personal_names, other_names = list(personal), list(other)
    tables = []
    for n in range(TABLES):
        chosen = [personal_names[(n + k) % len(personal_names)] for k in range(5)]
        chosen += [other_names[(n + k) % len(other_names)] for k in range(4)]
        pools = {**personal, **other}
        tables.append((f"table_{n:03}", [(name, *pools[name]) for name in chosen]))
    return tables


def _rows(columns, seed: int):
    pick = random.Random(seed)
    for row_id in range(1, ROWS_PER_TABLE + 1):
        yield (row_id, *(pool[pick.randrange(POOL)] for _name, _type, pool in columns))


def _create_statement(name: str, columns) -> str:
    return f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {', '.join(f'{c} {t}' for c, t, _pool in columns)})"


def build_sqlite(path: Path, schema) -> float:
    import sqlite3

    start = time.perf_counter()
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as database:
        for seed, (name, columns) in enumerate(schema):
            database.execute(_create_statement(name, columns))
            marks = ", ".join("?" * (len(columns) + 1))
            database.executemany(f"INSERT INTO {name} VALUES ({marks})", _rows(columns, seed))  # noqa: S608 (ours)
    database.close()
    return round(time.perf_counter() - start, 1)


def build_postgresql(schema) -> tuple[str, float]:
    """The schema in a PostgreSQL database of its own on the benchmark's server; its URL and the time it took."""
    from django.db import connection

    start = time.perf_counter()
    _on_server("DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")
    database = _connect(DATABASE)
    with database, database.cursor() as cursor:
        for seed, (name, columns) in enumerate(schema):
            cursor.execute(_create_statement(name, columns))
            buffer = io.StringIO()
            csv.writer(buffer).writerows(_rows(columns, seed))
            buffer.seek(0)
            cursor.copy_expert(f"COPY {name} FROM STDIN WITH (FORMAT csv)", buffer)
    database.autocommit = True
    with database.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics a live database has: the scan reads its estimates
    database.close()
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    address = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgresql://{settings['USER']}{password}@{address}/{DATABASE}", round(time.perf_counter() - start, 1)


def _connect(name: str):
    """A connection to the database ``name`` on the benchmark's PostgreSQL server, as Registre's account."""
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    return psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or "",
        dbname=name,
    )


def _on_server(*statements: str) -> None:
    """Statements run on the benchmark's PostgreSQL server, outside any database of Registre's."""
    admin = _connect("postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.format(f'"{DATABASE}"'))
    admin.close()


def _scan_alone(url: str) -> dict:
    from discovery.scan import scan

    start = time.perf_counter()
    tables = scan(url)
    seconds = time.perf_counter() - start
    columns = [column for table in tables for column in table.columns]
    return {
        "seconds": round(seconds, 1),
        "tables": len(tables),
        "columns": len(columns),
        "rows": sum(table.rows or 0 for table in tables),
        "personal_columns": sum(1 for column in columns if column.classification.personal),
        "tables_not_read": sum(1 for table in tables if table.error),
    }


def _scan_run(source_pk: int) -> dict:
    from discovery.models import Scan, ScannedColumn
    from discovery.services import scan_run

    scanning = Scan.objects.create(source_id=source_pk)
    start = time.perf_counter()
    with holding_jobs():  # the drift re-check it asks for runs in a worker of its own (bench.compliance)
        status = scan_run(scanning.pk)
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 1),
        "status": status,
        "columns": ScannedColumn.objects.filter(table__scan=scanning).count(),
        "personal_columns": ScannedColumn.objects.filter(table__scan=scanning).exclude(category="").count(),
    }


def run(size: int) -> None:
    from django.db import connection

    from accounts.services import organisation_create
    from discovery.services import source_create
    from inventory.models import System
    from inventory.services import get_or_create_by_name

    schema = _schema()
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "source.sqlite3"
    sources = {"sqlite": (f"sqlite:///{path}", build_sqlite(path, schema))}
    if connection.vendor == "postgresql":
        sources["postgresql"] = build_postgresql(schema)
    organisation = organisation_create(name="Discovery benchmark SAS", slug="discovery-bench")
    system, _created = get_or_create_by_name(
        System, organisation, "Entrepôt de données", kind=System.Kind.OWN_DATA_CENTRE, countries=["FR"]
    )
    try:
        for kind, (url, build_seconds) in sources.items():
            source = source_create(organisation=organisation, system=system, name=f"Bench {kind}", url=url)
            common = {"source": kind, "build_seconds": build_seconds}
            report(f"discovery_scan_{kind}", targets=TARGETS, **common, **_in_child(lambda url=url: _scan_alone(url)))
            figures = _in_child(lambda pk=source.pk: _scan_run(pk))
            report(f"discovery_scan_run_{kind}", targets=TARGETS, **common, **figures)
    finally:
        folder.cleanup()
        if "postgresql" in sources:
            _on_server("DROP DATABASE IF EXISTS {} WITH (FORCE)")
