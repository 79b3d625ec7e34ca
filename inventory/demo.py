"""Demo catalogue of Hexagone Logiciels: systems in France, Ireland, the USA and India."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation

from .models import Recipient, System
from .services import catalogue_item_create, default_catalogue_load

DEMO_ORGANISATION = "hexagone-logiciels"

R = Recipient.Kind
# name, kind, country, processing agreement reference, DPF certified, contact
DEMO_RECIPIENTS = [
    ("Équipe commerciale", R.INTERNAL, "FR", "", False, "ventes@hexagone-logiciels.example"),
    ("Ressources humaines", R.INTERNAL, "FR", "", False, "rh@hexagone-logiciels.example"),
    ("Salesforce, Inc.", R.PROCESSOR, "US", "DPA Salesforce 2024-03", True, "privacy@salesforce.example"),
    ("LinkedIn Ireland Unlimited Company", R.CONTROLLER, "IE", "", False, "LinkedIn DPO, Dublin"),
    ("Meta Platforms Ireland Ltd", R.CONTROLLER, "IE", "Joint controller addendum 2023", False, "Meta DPO, Dublin"),
    ("Brevo SAS", R.PROCESSOR, "FR", "DPA Brevo 2023-11", False, "dpo@brevo.example"),
    ("PayFit SAS", R.PROCESSOR, "FR", "DPA PayFit 2022-01", False, "dpo@payfit.example"),
    ("Welcome to the Jungle SAS", R.PROCESSOR, "FR", "DPA WTTJ 2024-06", False, "dpo@wttj.example"),
    ("Supportly Inc.", R.PROCESSOR, "US", "DPA Supportly 2025-02", False, "legal@supportly.example"),
    ("Bangalore Support Services Pvt Ltd", R.SUB_PROCESSOR, "IN", "", False, "ops@bss.example"),
    ("OVH SAS", R.PROCESSOR, "FR", "OVHcloud DPA", False, "dpo@ovh.example"),
    ("Sécurité Protection Lyon", R.PROCESSOR, "FR", "Contrat maintenance vidéo 2021", False, "contact@spl.example"),
    ("URSSAF", R.PUBLIC_AUTHORITY, "FR", "", False, "urssaf.fr"),
    ("Cabinet Durand Expertise comptable", R.PROCESSOR, "FR", "Lettre de mission 2020", False, "cabinet@durand.fr"),
    ("SurveyNow Inc.", R.PROCESSOR, "US", "", False, "privacy@surveynow.example"),
]

S = System.Kind
# name, kind, hosting provider, countries, oldest record (days ago or None)
DEMO_SYSTEMS = [
    ("Salesforce Sales Cloud", S.SAAS, "Salesforce, Inc.", ["US"], 1400),
    ("LinkedIn Sales Navigator", S.SAAS, "LinkedIn Ireland Unlimited Company", ["IE"], None),
    ("Meta Business Manager", S.SAAS, "Meta Platforms Ireland Ltd", ["IE", "US"], None),
    ("Brevo", S.SAAS, "Brevo SAS", ["FR"], 900),
    ("PayFit", S.SAAS, "PayFit SAS", ["FR"], 2200),
    ("Welcome to the Jungle", S.SAAS, "Welcome to the Jungle SAS", ["FR"], 1100),
    ("Supportly Helpdesk", S.SAAS, "Supportly Inc.", ["US"], 800),
    ("Bangalore support desk", S.ENDPOINT, "Bangalore Support Services Pvt Ltd", ["IN"], None),
    ("Serveurs OVHcloud (site web, Matomo)", S.CLOUD, "OVH SAS", ["FR"], 700),
    ("Enregistreur vidéo du siège", S.OWN_DATA_CENTRE, "Sécurité Protection Lyon", ["FR"], 75),
    ("Archives papier RH", S.PAPER, None, ["FR"], 4000),
    ("Postes de travail", S.ENDPOINT, None, ["FR"], None),
    ("SurveyNow", S.SAAS, "SurveyNow Inc.", ["US"], 2500),
    ("Badgeuse du siège", S.OWN_DATA_CENTRE, None, ["FR"], 60),
]


@transaction.atomic
def seed_demo_catalogue() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    default_catalogue_load(organisation=organisation, language="fr")
    recipients = {}
    for name, kind, country, agreement, dpf, contact in DEMO_RECIPIENTS:
        fields = {
            "kind": kind,
            "country_id": country,
            "contact": contact,
            "has_processing_agreement": bool(agreement),
            "processing_agreement_reference": agreement,
            "is_dpf_certified": dpf,
        }
        recipients[name] = _upsert(Recipient, organisation, name, **fields)
    today = timezone.localdate()
    for name, kind, host, countries, oldest_days in DEMO_SYSTEMS:
        oldest = today - datetime.timedelta(days=oldest_days) if oldest_days else None
        fields = {"kind": kind, "hosting_provider": recipients.get(host), "oldest_record_on": oldest}
        _upsert(System, organisation, name, countries=countries, **fields)
    return f"catalogue of {organisation.slug}: {len(DEMO_RECIPIENTS)} recipients, {len(DEMO_SYSTEMS)} systems"


def _upsert(model, organisation, name, **fields):
    """Create the entry unless the catalogue has it (whatever the DPO changed since)."""
    existing = model.objects.filter(organisation=organisation, name=name).first()
    return existing or catalogue_item_create(model=model, organisation=organisation, name=name, **fields)
