"""Demo of discovery: the web site's database of Hexagone Logiciels (a SQLite file written in the media folder), a
source on the system that holds it, and one scan done, its proposals left for the DPO to review.

The rows are made up here, the same at every seeding: names from the list discovery recognises, emails and French
mobile numbers built from them, dates of birth of adults, customers created over the last four years (mark
``clients.cree_le`` as the table's date column and scan again: the system's oldest record is measured), orders with
SKUs, prices and statuses that are no one's personal data, and a few notes that mention an allergy (a special
category, flagged for review)."""

import datetime
import random
from pathlib import Path

import sqlalchemy as sa
from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation
from inventory.demo import DEMO_ORGANISATION
from inventory.models import System

from .classify import first_names
from .models import Scan, Source
from .services import scan_run, source_create

SYSTEM = "Serveurs OVHcloud (site web, Matomo)"
SOURCE = "Base du site web"
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
NOTES = ["Livraison en point relais.", "Client fidèle.", "Allergie aux arachides, pas d'échantillons.", ""]
ROWS = 120


def demo_database_path() -> Path:
    """In the media folder: the web and the workers share it (docker-compose.yml), so a scan asked on a page runs."""
    path = Path(settings.MEDIA_ROOT) / "demo" / "website.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_demo_database(path: Path) -> None:
    pick = random.Random(23)  # noqa: S311 - made-up demo rows, the same at every seeding
    names = sorted(name for name in first_names() if len(name) > 3)
    today = timezone.localdate()
    customers, orders = [], []
    for i in range(1, ROWS + 1):
        first, last = pick.choice(names).capitalize(), pick.choice(LAST_NAMES)
        customers.append(
            {
                "id": i,
                "prenom": first,
                "nom": last,
                "courriel": f"{first.lower()}.{last.lower()}{i}@exemple.fr",
                "telephone": f"06 {pick.randint(10, 99)} {pick.randint(10, 99)} {pick.randint(10, 99)} "
                f"{pick.randint(10, 99)}",
                "date_naissance": today - datetime.timedelta(days=pick.randint(20 * 365, 75 * 365)),
                "code_postal": f"{pick.choice([69, 75, 13, 33, 59])}{pick.randint(0, 999):03d}",
                "remarques": pick.choice(NOTES),
                "cree_le": datetime.datetime.combine(
                    today - datetime.timedelta(days=pick.randint(1, 4 * 365)), datetime.time(9, 30)
                ),
            }
        )
        orders.append(
            {
                "id": i,
                "client_id": pick.randint(1, ROWS),
                "reference_article": f"HX-{pick.randint(1000, 9999)}",
                "prix": round(pick.uniform(9, 490), 2),
                "quantite": pick.randint(1, 5),
                "statut": pick.choice(["payee", "expediee", "livree"]),
                "adresse_ip": f"192.0.2.{pick.randint(1, 254)}",
            }
        )
    metadata = sa.MetaData()
    text = sa.String(200)
    clients = sa.Table(
        "clients",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        *[sa.Column(name, text) for name in ("prenom", "nom", "courriel", "telephone", "code_postal")],
        sa.Column("date_naissance", sa.Date),
        sa.Column("remarques", sa.Text),
        sa.Column("cree_le", sa.DateTime),
    )
    commandes = sa.Table(
        "commandes",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer),
        sa.Column("reference_article", sa.String(20)),
        sa.Column("prix", sa.Numeric(10, 2)),
        sa.Column("quantite", sa.Integer),
        sa.Column("statut", sa.String(20)),
        sa.Column("adresse_ip", sa.String(45)),
    )
    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        metadata.create_all(connection)
        connection.execute(clients.insert(), customers)
        connection.execute(commandes.insert(), orders)
    engine.dispose()


def seed_demo_discovery() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    system = System.objects.get(organisation=organisation, name=SYSTEM)
    path = demo_database_path()
    write_demo_database(path)
    source = Source.objects.filter(system=system, name=SOURCE).first()
    if source is None:
        source = source_create(organisation=organisation, system=system, name=SOURCE, url=f"sqlite:///{path}")
    scanning = Scan.objects.create(source=source)
    status = scan_run(scanning.pk)
    return f"source {SOURCE!r} of {SYSTEM!r} scanned ({status})"
