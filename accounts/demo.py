"""Demo organisations and users (``seed_demo``). Later apps add their own demo data."""

from django.db import transaction

from .models import Membership, Organisation, User
from .services import member_grant, organisation_create, organisation_update

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
    """Create or refresh the demo organisations, users and superuser ``admin``. Idempotent."""
    organisations = {}
    for identity in DEMO_ORGANISATIONS:
        identity = dict(identity)
        slug = identity.pop("slug")
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            organisation = organisation_create(slug=slug, **identity)
        else:
            organisation = organisation_update(organisation=organisation, **identity)
        organisations[slug] = organisation
    for username, email, roles in DEMO_USERS:
        for slug, role in roles.items():
            member_grant(
                username=username, organisation=organisations[slug], role=role, email=email, password=DEMO_PASSWORD
            )
    admin = User.objects.filter(username="admin").first() or User(username="admin", email="admin@localhost")
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    return organisations
