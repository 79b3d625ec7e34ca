"""The demo's discovery: the web site's database scanned once, its proposals waiting for the DPO, seeded again
without a second source."""

import pytest
from django.core.management import call_command

from discovery.demo import SOURCE, SYSTEM
from discovery.models import ScannedColumn, Source

pytestmark = pytest.mark.django_db


def test_the_demo_scans_the_web_site_s_database_and_leaves_its_proposals_to_review():
    call_command("seed_demo", force=True)
    source = Source.objects.select_related("system", "last_scan").get(name=SOURCE)
    assert source.system.name == SYSTEM and source.last_scan.status == "done"
    personal = dict(
        ScannedColumn.objects.filter(table__scan=source.last_scan).exclude(category="").values_list("name", "category")
    )
    assert personal == {
        "prenom": "identification",
        "nom": "identification",
        "courriel": "identification",
        "telephone": "identification",
        "code_postal": "identification",
        "date_naissance": "identification",
        "remarques": "special",
        "adresse_ip": "connection",
    }  # the SKUs, prices, quantities and statuses are no one's personal data
    assert not ScannedColumn.objects.exclude(decision="proposed").exists()

    call_command("seed_demo", force=True)
    assert Source.objects.count() == 1 and source.scans.count() == 2
