"""The demo's retention policy (the French references) and a first check of its register."""

from django.db import transaction

from accounts.models import Organisation
from inventory.demo import DEMO_ORGANISATION
from processing.compliance.services import check_now, retention_policy_seed


@transaction.atomic
def seed_demo_compliance() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    if not organisation.retention_policies.exists():  # the DPO's own policy is left as it is
        retention_policy_seed(organisation=organisation, language="fr")
    result = check_now(organisation)
    return f"findings of {organisation.slug}: {len(result.opened)} new"
