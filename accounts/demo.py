"""Demo organisations and users (``seed_demo``). Later apps add their own demo data."""

from django.db import transaction

from .models import Membership, Organisation, User
from .services import member_grant, organisation_create

DEMO_PASSWORD = "registre-demo"  # noqa: S105 - stated in the README, demo only

DEMO_ORGANISATIONS = [
    {
        "slug": "hexagone-logiciels",
        "name": "Hexagone Logiciels SAS",
        "legal_identifier": "SIREN 812 345 679",
        "address": "18 rue de la République",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
        "phone": "+33 4 72 00 00 00",
        "email": "contact@hexagone-logiciels.example",
        "role": Organisation.Role.BOTH,
        "dpo_name": "Claire Martin",
        "dpo_email": "dpo@hexagone-logiciels.example",
        "dpo_phone": "+33 4 72 00 00 10",
        "staff_count": 180,
        "is_public_body": False,
    },
    {
        "slug": "hexagone-formation",
        "name": "Hexagone Formation SAS",
        "legal_identifier": "SIREN 897 654 321",
        "address": "18 rue de la République",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
        "email": "formation@hexagone-logiciels.example",
        "role": Organisation.Role.CONTROLLER,
        "dpo_name": "Claire Martin",
        "dpo_email": "dpo@hexagone-logiciels.example",
        "staff_count": 25,
        "is_public_body": False,
    },
]

# username, email, {organisation slug: role}
DEMO_USERS = [
    (
        "dpo",
        "dpo@hexagone-logiciels.example",
        {"hexagone-logiciels": Membership.Role.DPO, "hexagone-formation": Membership.Role.DPO},
    ),
    ("manager", "manager@hexagone-logiciels.example", {"hexagone-logiciels": Membership.Role.MANAGER}),
    (
        "auditor",
        "auditor@cabinet-audit.example",
        {"hexagone-logiciels": Membership.Role.AUDITOR, "hexagone-formation": Membership.Role.AUDITOR},
    ),
]


@transaction.atomic
def seed_demo_accounts() -> dict[str, Organisation]:
    """Create the demo organisations, users and superuser ``admin`` that are missing.

    Existing ones are left alone: what someone changed (an identity, a password, a role)
    survives the next ``make run``.
    """
    organisations = {}
    for identity in DEMO_ORGANISATIONS:
        identity = dict(identity)
        slug = identity.pop("slug")
        organisation = Organisation.objects.filter(slug=slug).first()
        organisations[slug] = organisation or organisation_create(slug=slug, **identity)
    for username, email, roles in DEMO_USERS:
        exists = User.objects.filter(username=username).exists()
        for slug, role in roles.items():
            if not Membership.objects.filter(user__username=username, organisation=organisations[slug]).exists():
                member_grant(
                    username=username,
                    organisation=organisations[slug],
                    role=role,
                    email="" if exists else email,
                    password=None if exists else DEMO_PASSWORD,
                )
                exists = True
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(username="admin", email="admin@localhost", password=DEMO_PASSWORD)
    return organisations
