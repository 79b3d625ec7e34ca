"""Demo register of Hexagone Logiciels: about fifteen activities, some complete, some with gaps.

Gaps are deliberate so that every check has something to show: a US helpdesk relying on
adequacy without DPF certification, support data in India with no transfer row, a survey
tool still on the Privacy Shield, CCTV footage older than its retention, drafts missing items.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from inventory.demo import DEMO_ORGANISATION
from inventory.models import DataField, DataSubjectCategory, Recipient, System
from processing.models import ProcessingActivity
from processing.services import activity_create

A = ProcessingActivity

# Each activity: scalar fields, then catalogue names to link, then rows.
DEMO_ACTIVITIES = [
    {
        "reference": "PA-001", "name": "CRM et prospection commerciale", "status": A.Status.ACTIVE,
        "purpose": "Gérer les prospects et les clients B2B, suivre les opportunités commerciales.",
        "sub_purposes": "Qualification des prospects\nSuivi des opportunités\nRelances commerciales",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS,
        "lawful_basis_evidence": "Analyse d'intérêt légitime LIA-2024-01",
        "owner_unit": "Direction commerciale", "software": "Salesforce Sales Cloud",
        "source_data_subject": True, "source_public": True,
        "fields": ["Nom et prénom", "Adresse e-mail", "Numéro de téléphone", "Fonction", "Employeur"],
        "subjects": [("Prospects", 12000), ("Clients", 800)],
        "recipients": ["Équipe commerciale", "Salesforce, Inc."],
        "systems": ["Salesforce Sales Cloud"],
        "transfers": [{"country_id": "US", "recipient": "Salesforce, Inc.", "importer_role": "processor",
                       "mechanism": "adequacy", "adequacy_scope_confirmed": True}],
        "retention": [{"duration": 3, "duration_unit": "years", "trigger": "last_contact",
                       "legal_reference": "Référentiel CNIL gestion commerciale"}],
        "security": ["access_control", "traceability", "encryption"],
    },
    {
        "reference": "PA-002", "name": "Social selling sur LinkedIn", "status": A.Status.ACTIVE,
        "purpose": "Identifier et contacter des décideurs via LinkedIn Sales Navigator.",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS, "lawful_basis_evidence": "LIA-2024-02",
        "source_social_networks": True, "owner_unit": "Direction commerciale",
        "fields": ["Nom et prénom", "Fonction", "Employeur", "Profil de réseau social"],
        "subjects": [("Prospects", 5000)],
        "recipients": ["Équipe commerciale", "LinkedIn Ireland Unlimited Company"],
        "systems": ["LinkedIn Sales Navigator"],
        # Deliberate gap: prospects kept 5 years, where the retention policy allows 3.
        "retention": [{"duration": 5, "duration_unit": "years", "trigger": "last_contact"}],
        "security": ["access_control"],
    },
    {
        "reference": "PA-003", "name": "Ciblage publicitaire (Facebook Custom Audiences)", "status": A.Status.ACTIVE,
        "role": A.Role.JOINT_CONTROLLER,
        "joint_arrangement": "Addendum responsables conjoints : Meta répond aux demandes d'accès sur la plateforme.",
        "purpose": "Diffuser des publicités ciblées auprès de clients et prospects à partir d'adresses e-mail hachées.",
        "lawful_basis": A.LawfulBasis.CONSENT, "lawful_basis_evidence": "Consentement recueilli via le CMP du site",
        "criterion_evaluation": True, "criterion_matching": True, "criterion_large_scale": True,
        "fields": ["Adresse e-mail", "Identifiants publicitaires"],
        "subjects": [("Clients", 800), ("Prospects", 12000)],
        "recipients": ["Meta Platforms Ireland Ltd"],
        "systems": ["Meta Business Manager"],
        "parties": [{"name": "Meta Platforms Ireland Ltd", "contact": "Merrion Road, Dublin 4, Irlande"}],
        "transfers": [{"country_id": "US", "system": "Meta Business Manager", "importer_role": "controller",
                       "mechanism": "scc_1", "tia_date": datetime.date(2024, 5, 2), "tia_reference": "TIA-META-2024"}],
        "retention": [{"duration": 13, "duration_unit": "months", "trigger": "collection"}],
        "security": ["encryption", "processor_control"],
    },
    {
        "reference": "PA-004", "name": "Newsletter produit", "status": A.Status.ACTIVE,
        "purpose": "Envoyer la newsletter mensuelle aux abonnés.",
        "lawful_basis": A.LawfulBasis.CONSENT, "lawful_basis_evidence": "Double opt-in Brevo",
        "source_data_subject": True,
        "fields": ["Adresse e-mail", "Nom et prénom"], "subjects": [("Clients", 800), ("Prospects", 3000)],
        "recipients": ["Brevo SAS"], "systems": ["Brevo"],
        "retention": [{"duration": 3, "duration_unit": "years", "trigger": "last_contact"}],
        "security": ["access_control", "processor_control"],
    },
    {
        "reference": "PA-005", "name": "Recrutement", "status": A.Status.ACTIVE,
        "purpose": "Gérer les candidatures et les entretiens.",
        "lawful_basis": A.LawfulBasis.CONTRACT, "source_data_subject": True,
        "fields": ["Nom et prénom", "Adresse e-mail", "Curriculum vitae", "Formation et diplômes"],
        "subjects": [("Candidats", 600)],
        "recipients": ["Ressources humaines", "Welcome to the Jungle SAS"], "systems": ["Welcome to the Jungle"],
        # Deliberate gap: the CVs' period is set, the contact details' is not.
        "retention": [{"duration": 2, "duration_unit": "years", "trigger": "last_contact",
                       "data_category": "professional_life",
                       "legal_reference": "Recommandation CNIL candidats non retenus"}],
        "security": ["access_control"],
    },
    {
        "reference": "PA-006", "name": "Paie", "status": A.Status.ACTIVE,
        "purpose": "Calculer et verser les salaires, déclarer les cotisations sociales.",
        "lawful_basis": A.LawfulBasis.LEGAL_OBLIGATION, "lawful_basis_evidence": "Code du travail L3243-1 ; DSN",
        "fields": ["Nom et prénom", "Coordonnées bancaires (IBAN)", "Salaire",
                   "Numéro de sécurité sociale (NIR)"],
        "subjects": [("Salariés", 180)],
        "recipients": ["Ressources humaines", "PayFit SAS", "URSSAF", "Cabinet Durand Expertise comptable"],
        "systems": ["PayFit"],
        # Deliberate gap: payslips kept 3 years, where the law requires 5 (retention policy).
        "retention": [{"duration": 3, "duration_unit": "years", "trigger": "payment"}],
        "security": ["access_control", "encryption", "backup"],
    },
    {
        "reference": "PA-007", "name": "Gestion administrative du personnel", "status": A.Status.ACTIVE,
        "purpose": "Tenir le dossier du personnel, gérer les absences et les arrêts maladie.",
        "lawful_basis": A.LawfulBasis.LEGAL_OBLIGATION, "lawful_basis_evidence": "Code du travail R1221-26",
        "special_condition": A.SpecialCondition.EMPLOYMENT,
        "special_condition_reference": "Code du travail, arrêts de travail (L1226-1)",
        "fields": ["Nom et prénom", "Adresse postale", "Date de naissance", "Données de santé", "Situation familiale"],
        "subjects": [("Salariés", 180)],
        "recipients": ["Ressources humaines"], "systems": ["Archives papier RH", "Postes de travail"],
        "retention": [{"duration": 5, "duration_unit": "years", "trigger": "end_of_employment",
                       "end_action": "archive", "archive_duration": 5, "archive_duration_unit": "years"}],
        "security": ["access_control", "backup"],
    },
    {
        "reference": "PA-008", "name": "Vidéosurveillance des locaux", "status": A.Status.ACTIVE,
        "purpose": "Assurer la sécurité des biens et des personnes au siège.",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS, "lawful_basis_evidence": "LIA-2021-03",
        "criterion_monitoring": True,
        "fields": ["Images vidéo"], "subjects": [("Salariés", 180), ("Visiteurs des locaux", 2000)],
        "recipients": ["Sécurité Protection Lyon"], "systems": ["Enregistreur vidéo du siège"],
        "retention": [{"duration": 1, "duration_unit": "months", "trigger": "collection",
                       "legal_reference": "CNIL : un mois au plus"}],
        "security": ["access_control", "traceability"],
    },
    {
        "reference": "PA-009", "name": "Support client", "status": A.Status.DRAFT,
        "purpose": "Traiter les demandes d'assistance des clients.",
        "lawful_basis": A.LawfulBasis.CONTRACT,
        # A background check of support staff's criminal record, with no Art. 10 basis: for the checks.
        # A ticket keeps the client's IP address, not the application's logs (1 year at most, CNIL).
        "fields": ["Nom et prénom", "Adresse e-mail", "Adresse IP", "Casier judiciaire"],
        "subjects": [("Clients", 800)],
        "recipients": ["Supportly Inc.", "Bangalore Support Services Pvt Ltd"],
        "systems": ["Supportly Helpdesk", "Bangalore support desk"],
        # Deliberate gaps: Supportly is not DPF-certified, and nothing covers India.
        "transfers": [{"country_id": "US", "recipient": "Supportly Inc.", "importer_role": "processor",
                       "mechanism": "adequacy"}],
        "retention": [{"duration": 5, "duration_unit": "years", "trigger": "case_closed"}],
    },
    {
        "reference": "PA-010", "name": "Mesure d'audience du site web", "status": A.Status.ACTIVE,
        "purpose": "Mesurer la fréquentation du site avec Matomo auto-hébergé.",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS, "lawful_basis_evidence": "Exemption CNIL mesure d'audience",
        "fields": ["Adresse IP", "Identifiants de cookies"], "subjects": [("Visiteurs du site web", 40000)],
        "recipients": ["OVH SAS"], "systems": ["Serveurs OVHcloud (site web, Matomo)"],
        "retention": [{"duration": 25, "duration_unit": "months", "trigger": "collection",
                       "legal_reference": "CNIL : cookie 13 mois, données 25 mois"}],
        "security": ["software_protection", "backup"],
    },
    {
        "reference": "PA-011", "name": "Comptabilité clients et fournisseurs", "status": A.Status.ACTIVE,
        "purpose": "Tenir la comptabilité, facturer et payer.",
        "lawful_basis": A.LawfulBasis.LEGAL_OBLIGATION, "lawful_basis_evidence": "Code de commerce L123-22",
        "fields": ["Nom et prénom", "Factures et paiements", "Coordonnées bancaires (IBAN)"],
        "subjects": [("Clients", 800), ("Fournisseurs", 150)],
        "recipients": ["Cabinet Durand Expertise comptable"], "systems": ["Serveurs OVHcloud (site web, Matomo)"],
        "retention": [{"duration": 10, "duration_unit": "years", "trigger": "end_of_financial_year",
                       "legal_reference": "Code de commerce L123-22"}],
        "security": ["access_control", "backup"],
    },
    {
        "reference": "PA-012", "name": "Contrôle d'accès par badge", "status": A.Status.ACTIVE,
        "purpose": "Contrôler l'accès aux locaux.",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS,
        "fields": ["Nom et prénom", "Relevés de badge d’accès"], "subjects": [("Salariés", 180)],
        "recipients": ["Ressources humaines"], "systems": ["Badgeuse du siège"],
        "retention": [{"duration": 3, "duration_unit": "months", "trigger": "collection",
                       "legal_reference": "CNIL : trois mois"}],
        "security": ["access_control"],
    },
    {
        "reference": "PA-013", "name": "Hébergement des données de nos clients (sous-traitant)",
        "status": A.Status.ACTIVE, "role": A.Role.PROCESSOR,
        "purpose": "Héberger et traiter les données que nos clients saisissent dans la plateforme Hexagone.",
        "sub_purposes": "Hébergement et sauvegarde\nSupport technique de niveau 2 à la demande du client",
        "systems": ["Serveurs OVHcloud (site web, Matomo)"], "recipients": ["OVH SAS"],
        # Art. 30(2)(a): each controller the processor acts for, by name, with its contact details, its
        # representative and its DPO where it has them (a pointer to the contracts is not a record).
        "parties": [
            {"name": "Cabinet Morel Avocats SELARL",
             "contact": "12 quai Saint-Antoine, 69002 Lyon\n04 72 00 10 20\ncontact@morel-avocats.example",
             "dpo_contact": "dpo@morel-avocats.example"},
            {"name": "Clinique vétérinaire des Monts d'Or",
             "contact": "3 route de Lyon, 69450 Saint-Cyr-au-Mont-d'Or\n04 78 00 30 40\naccueil@montsdor.example"},
            # Established outside the EU: its representative in the Union (Art. 27).
            {"name": "Lakeside Learning Ltd",
             "contact": "20 Bankside, London SE1 9TG, Royaume-Uni\n+44 20 0000 7080\nprivacy@lakeside.example",
             "representative": "EU Rep Conseil SAS, 5 rue de la Bourse, 69002 Lyon",
             "dpo_contact": "Sarah Collins, dpo@lakeside.example"},
        ],
        "security": ["encryption", "backup", "access_control", "traceability"],
    },
    {
        "reference": "PA-014", "name": "Gestion des contrats clients", "status": A.Status.DRAFT,
        "purpose": "Établir et suivre les contrats de licence.",
        "lawful_basis": A.LawfulBasis.CONTRACT,
        "fields": ["Nom et prénom", "Adresse e-mail", "Fonction", "Données de santé"], "subjects": [("Clients", 800)],
        "recipients": ["Équipe commerciale"], "systems": ["Salesforce Sales Cloud"],
        # Deliberately incomplete: no retention, no security measure yet. And for the checks:
        # health data with no Art. 9(2) condition, an "adequacy" India does not have, a review overdue.
        "transfers": [{"country_id": "IN", "mechanism": "adequacy"}],
        "next_review_days": -30,
    },
    {
        "reference": "PA-015", "name": "Enquêtes de satisfaction", "status": A.Status.ACTIVE,
        "purpose": "Mesurer la satisfaction des clients après chaque projet.",
        "lawful_basis": A.LawfulBasis.LEGITIMATE_INTERESTS,
        "fields": ["Adresse e-mail", "Nom et prénom"], "subjects": [("Clients", 800)],
        "recipients": ["SurveyNow Inc."], "systems": ["SurveyNow"],
        # Deliberate gap: still recorded on the invalidated Privacy Shield.
        "transfers": [{"country_id": "US", "recipient": "SurveyNow Inc.", "importer_role": "processor",
                       "mechanism": "privacy_shield"}],
        "retention": [{"duration": 2, "duration_unit": "years", "trigger": "collection"}],
        "security": ["access_control"],
    },
]  # fmt: skip


@transaction.atomic
def seed_demo_register() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)

    def by_name(model, names):
        items = {item.name: item for item in model.objects.filter(organisation=organisation, name__in=names)}
        missing = set(names) - set(items)
        if missing:
            raise LookupError(f"Demo catalogue lacks {model.__name__} {sorted(missing)}")
        return [items[name] for name in names]

    today = timezone.localdate()
    for spec in DEMO_ACTIVITIES:
        # Only missing activities are created: the DPO's edits of the demo survive.
        if ProcessingActivity.objects.filter(organisation=organisation, reference=spec["reference"]).exists():
            continue
        spec = dict(spec)
        status = spec.pop("status")
        data = {
            **{key: value for key, value in spec.items() if key not in LINKS_AND_ROWS | {"next_review_days"}},
            "data_fields": by_name(DataField, spec.get("fields", [])),
            "recipients": by_name(Recipient, spec.get("recipients", [])),
            "systems": by_name(System, spec.get("systems", [])),
            "data_subjects": [
                {"category": category, "approximate_count": count}
                for category, (_name, count) in zip(
                    by_name(DataSubjectCategory, [name for name, _count in spec.get("subjects", [])]),
                    spec.get("subjects", []),
                    strict=True,
                )
            ],
            "controller_parties": spec.get("parties", []),
            "retention_lines": spec.get("retention", []),
            "security_measures": [{"kind": kind} for kind in spec.get("security", [])],
            "transfers": [_transfer(organisation, row) for row in spec.get("transfers", [])],
            "last_reviewed_on": today - datetime.timedelta(days=200),
            "next_review_on": today + datetime.timedelta(days=spec.get("next_review_days", 165)),
            "status": status,
        }
        activity_create(organisation=organisation, **data)
    return f"register of {organisation.slug}: {len(DEMO_ACTIVITIES)} activities"


LINKS_AND_ROWS = {"fields", "recipients", "systems", "subjects", "parties", "retention", "security", "transfers"}


def _transfer(organisation, row):
    row = dict(row)
    if "recipient" in row:
        row["recipient"] = Recipient.objects.get(organisation=organisation, name=row["recipient"])
    if "system" in row:
        row["system"] = System.objects.get(organisation=organisation, name=row["system"])
    return row
