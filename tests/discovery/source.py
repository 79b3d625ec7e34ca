"""A shop's database, as a system scanned by discovery would hold it: generated with Faker (fr_FR and en_GB people),
written through SQLAlchemy Core so that the same schema lands in SQLite, PostgreSQL and MariaDB. ``EXPECTED`` is what
each column holds: its catalogue category (and Art. 9 kind), or None for a column of no personal data."""

import datetime
import random

import sqlalchemy as sa
from faker import Faker

from discovery.scan import DRIVERS

ROWS = 300

EXPECTED = {
    "customers": {
        "id": None,
        "prenom": ("identification", None),
        "nom": ("identification", None),
        "courriel": ("identification", None),
        "telephone": ("identification", None),
        "mobile_uk": ("identification", None),
        "date_naissance": ("identification", None),
        "adresse": ("identification", None),
        "code_postal": ("identification", None),
        "nir": ("national_id", None),
        "iban": ("economic", None),
        "notes_medicales": ("special", "health"),
        "contact": ("identification", None),  # full names, told by their values
        "created_at": None,
        "password_hash": None,
        "loyalty_points": None,
        "photo": None,
    },
    "orders": {
        "id": None,
        "sku": None,
        "price": None,
        "quantity": None,
        "status": None,
        "customer_id": None,
        "ip_address": ("connection", None),
        "card": ("economic", None),
        "delivery_position": ("location", None),
        "device_id": ("online_identifiers", None),
        "checksum": None,
        "ordered_on": None,
    },
}
HEALTH_NOTES = ["Allergie aux arachides.", "Asthme léger, inhalateur.", "Type 2 diabetes, on insulin.", "Pregnant."]


def values(seed: int = 7) -> dict[str, list[dict]]:
    """The rows of each table (the same for a given seed)."""
    fr, gb = Faker("fr_FR"), Faker("en_GB")
    fr.seed_instance(seed)
    gb.seed_instance(seed)
    pick = random.Random(seed)
    customers, orders = [], []
    for i in range(1, ROWS + 1):
        person = fr if i % 3 else gb
        customers.append(
            {
                "id": i,
                "prenom": fr.first_name(),
                "nom": fr.last_name(),
                "courriel": person.email(),
                "telephone": fr.phone_number(),
                "mobile_uk": gb.cellphone_number() if hasattr(gb, "cellphone_number") else gb.phone_number(),
                "date_naissance": fr.date_of_birth(minimum_age=18, maximum_age=90),
                "adresse": fr.street_address(),
                "code_postal": fr.postcode(),
                "nir": fr.ssn(),
                "iban": fr.iban(),
                "notes_medicales": fr.sentence() + (" " + pick.choice(HEALTH_NOTES) if i % 3 == 0 else ""),
                "contact": person.name(),
                "created_at": fr.date_time_between("-2y", "now"),
                "password_hash": fr.sha256(),
                "loyalty_points": pick.randint(0, 5000),
                "photo": bytes(pick.getrandbits(8) for _ in range(16)),
            }
        )
        orders.append(
            {
                "id": i,
                "sku": f"SKU-{pick.randint(10000, 99999)}",
                "price": round(pick.uniform(1, 900), 2),
                "quantity": pick.randint(1, 12),
                "status": pick.choice(["paid", "pending", "shipped", "refunded"]),
                "customer_id": pick.randint(1, ROWS),
                "ip_address": fr.ipv4() if i % 4 else fr.ipv6(),
                "card": fr.credit_card_number(),
                "delivery_position": f"{fr.latitude():.5f},{fr.longitude():.5f}",
                "device_id": fr.uuid4(),
                "checksum": fr.md5(),
                "ordered_on": fr.date_between(datetime.date(2025, 1, 1), datetime.date(2026, 11, 30)),
            }
        )
    return {"customers": customers, "orders": orders}


def create(url: str, seed: int = 7) -> dict[str, list[dict]]:
    """Create the shop's tables at ``url`` (dropped first) and fill them; returns the rows written."""
    metadata = sa.MetaData()
    text = sa.String(200)
    sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        *[
            sa.Column(name, text)
            for name in ("prenom", "nom", "courriel", "telephone", "mobile_uk", "adresse", "code_postal", "nir", "iban")
        ],
        sa.Column("date_naissance", sa.Date),
        sa.Column("notes_medicales", sa.Text),
        sa.Column("contact", text),
        sa.Column("created_at", sa.DateTime),
        sa.Column("password_hash", sa.String(64)),
        sa.Column("loyalty_points", sa.Integer),
        sa.Column("photo", sa.LargeBinary),
    )
    sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(20)),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("quantity", sa.Integer),
        sa.Column("status", sa.String(20)),
        sa.Column("customer_id", sa.Integer),
        sa.Column("ip_address", sa.String(45)),
        sa.Column("card", sa.String(25)),
        sa.Column("delivery_position", sa.String(40)),
        sa.Column("device_id", sa.String(36)),
        sa.Column("checksum", sa.String(32)),
        sa.Column("ordered_on", sa.Date),
    )
    rows = values(seed)
    scheme, rest = url.split("://", 1)
    engine = sa.create_engine(f"{DRIVERS[scheme]}://{rest}")  # with write access: the scan's own is read-only
    try:
        with engine.begin() as connection:
            metadata.drop_all(connection)
            metadata.create_all(connection)
            for table in metadata.sorted_tables:
                connection.execute(table.insert(), rows[table.name])
    finally:
        engine.dispose()
    return rows
