"""Demo breach log of Hexagone Logiciels: three breaches, one at each stage.

A laptop lost in a train (closed, notified in time), payslips sent to the wrong colleague
(risk assessed as unlikely, not notified, the reason recorded), and a credential-stuffing
attack on the customer portal that the company became aware of 60 hours before the demo was
seeded and has not notified yet: its 72-hour clock is visibly running.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Organisation
from inventory.demo import DEMO_ORGANISATION
from inventory.models import DataSubjectCategory, System
from processing.models import ProcessingActivity

from .models import Breach
from .services import breach_create, timeline_entry_add


def _ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def _demo_breaches():
    laptop_aware = _ago(days=41)
    return [
        {
            "title": "Ordinateur portable non chiffré perdu dans un train",
            "description": "Un gestionnaire RH a oublié son ordinateur portable dans un TGV Lyon–Paris. Le disque "
            "n'était pas chiffré ; il contenait des exports du dossier du personnel.",
            "started_at": _ago(days=42),
            "detected_at": _ago(days=41, hours=2),
            "aware_at": laptop_aware,
            "reported_by": "Responsable RH",
            "confidentiality": True,
            "availability": True,
            "cause": Breach.Cause.ACCIDENTAL,
            "origin": Breach.Origin.INTERNAL,
            "discovery": "Signalé par le salarié le lendemain matin.",
            "activities": ["PA-007"],
            "data_categories": ["identification", "personal_life", "special"],
            "special_categories": ["health"],
            "systems": ["Postes de travail"],
            "subject_categories": ["Salariés"],
            "people_count": 180,
            "records_count": 180,
            "consequences": "Divulgation possible d'adresses, de dates de naissance et d'arrêts maladie.",
            "risk": Breach.Risk.RISK,
            "risk_reasoning": "Données de santé de 180 salariés, mais un appareil protégé par mot de passe et "
            "aucun signe d'exploitation : risque, pas risque élevé.",
            "measures_taken": "Comptes du salarié réinitialisés, déclaration de perte à la SNCF, plainte déposée.",
            "measures_proposed": "Chiffrement intégral des disques de tous les postes (BitLocker) d'ici un mois.",
            "notified_at": laptop_aware + datetime.timedelta(hours=50),
            "authority": "CNIL",
            "authority_reference": "NOT-2026-004512",
            "status": Breach.Status.CLOSED,
            "notes": [
                (laptop_aware + datetime.timedelta(days=20), "Chiffrement BitLocker déployé sur 100 % des postes.")
            ],
        },
        {
            "title": "Bulletins de paie envoyés au mauvais destinataire",
            "description": "Lors de l'envoi mensuel, trois bulletins de paie ont été adressés par e-mail à un "
            "homonyme, salarié de l'entreprise.",
            "detected_at": _ago(days=12, hours=4),
            "aware_at": _ago(days=12, hours=3),
            "reported_by": "Salarié destinataire",
            "confidentiality": True,
            "cause": Breach.Cause.ACCIDENTAL,
            "origin": Breach.Origin.INTERNAL,
            "discovery": "Le destinataire a prévenu les ressources humaines.",
            "activities": ["PA-006"],
            "data_categories": ["identification", "economic"],
            "systems": ["PayFit"],
            "subject_categories": ["Salariés"],
            "people_count": 3,
            "records_count": 3,
            "consequences": "Un collègue a pu lire le salaire et l'IBAN de trois salariés.",
            "risk": Breach.Risk.NO_RISK,
            "risk_reasoning": "Un seul destinataire, interne, tenu au secret, qui a supprimé les messages et l'a "
            "confirmé par écrit.",
            "not_notified_reason": "Risque improbable : destinataire unique et de confiance, suppression confirmée "
            "par écrit le jour même (Art. 33(1)).",
            "measures_taken": "Messages supprimés (confirmation écrite), salariés concernés informés.",
            "measures_proposed": "Vérification du destinataire avant l'envoi groupé.",
            "status": Breach.Status.CONTAINED,
            "notes": [],
        },
        {
            "title": "Attaque par credential stuffing sur le portail clients",
            "description": "Des connexions réussies depuis des adresses IP inconnues, avec des mots de passe "
            "issus de fuites d'autres sites, sur 240 comptes du portail clients.",
            "started_at": _ago(hours=70),
            "detected_at": _ago(hours=64),
            "aware_at": _ago(hours=60),
            "reported_by": "Équipe sécurité (alerte du WAF)",
            "confidentiality": True,
            "cause": Breach.Cause.MALICIOUS,
            "origin": Breach.Origin.EXTERNAL,
            "discovery": "Pic de connexions réussies signalé par le pare-feu applicatif.",
            "is_ongoing": False,
            "activities": ["PA-014", "PA-009"],
            "data_categories": ["identification", "economic", "connection"],
            "subject_categories": ["Clients"],
            "people_count": 240,
            "records_count": 240,
            "consequences": "Accès aux coordonnées et aux contrats des clients ; hameçonnage ciblé possible.",
            "risk": Breach.Risk.RISK,
            "risk_reasoning": "Données de contact et contractuelles de 240 clients professionnels, pas de données "
            "sensibles ni bancaires : risque.",
            "measures_taken": "Mots de passe des 240 comptes réinitialisés, adresses IP bloquées.",
            "measures_proposed": "Authentification à deux facteurs sur le portail.",
            "status": Breach.Status.OPEN,
            "notes": [(_ago(hours=58), "Réinitialisation forcée des mots de passe des comptes concernés.")],
        },
    ]


@transaction.atomic
def seed_demo_breaches() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    if Breach.objects.filter(organisation=organisation).exists():  # the DPO's log is left as it is
        return f"breach log of {organisation.slug}: kept"
    dpo = get_user_model().objects.filter(username="dpo").first()
    with translation.override("fr"):  # the demo organisation's language, as its timeline is written
        _log(organisation, dpo)
    return f"breach log of {organisation.slug}: 3 breaches"


def _log(organisation, dpo) -> None:
    for spec in _demo_breaches():
        spec = dict(spec)
        notes = spec.pop("notes")
        spec["activities"] = list(
            ProcessingActivity.objects.filter(organisation=organisation, reference__in=spec.get("activities", []))
        )
        spec["systems"] = list(System.objects.filter(organisation=organisation, name__in=spec.get("systems", [])))
        spec["subject_categories"] = list(
            DataSubjectCategory.objects.filter(organisation=organisation, name__in=spec.get("subject_categories", []))
        )
        breach = breach_create(organisation=organisation, author=dpo, **spec)
        for when, text in notes:
            timeline_entry_add(breach=breach, author=dpo, text=text, happened_at=when)
