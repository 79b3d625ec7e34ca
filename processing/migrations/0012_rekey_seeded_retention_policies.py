"""Seeded retention references keyed as narrowly as their sources (legal review, issue #18 item 19).

Only the periods still exactly as seeded (their name and source untouched) are changed: each gets the data
field its source covers (found in the organisation's catalogue by name, or added) and its current source.
A period the DPO edited is left alone; the policy page shows both its key and its source.
"""

import unicodedata

from django.db import migrations


def normalise_key(text):  # frozen copy of core.text.normalise_key
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


# (old source, new source, data field name, its category), in English and in French.
REKEYED = [
    (
        "CNIL, video surveillance: 1 month at most",
        "CNIL, video surveillance at work and in places open to the public: 1 month at most",
        "Video images",
        "identification",
    ),
    (
        "CNIL, vidéoprotection : 1 mois au plus",
        "CNIL, vidéoprotection sur les lieux de travail et dans les lieux ouverts au public : 1 mois au plus",
        "Images vidéo",
        "identification",
    ),
    (
        "Code de commerce, art. L123-22: 10 years from the end of the financial year",
        None,
        "Invoices and payments",
        "economic",
    ),
    (
        "Code de commerce, art. L123-22 : 10 ans à compter de la clôture de l'exercice",
        None,
        "Factures et paiements",
        "economic",
    ),
    (
        "Code du travail, art. L3243-4: 5 years",
        "Code du travail, art. L3243-4: the employer keeps a copy of the payslips for 5 years",
        "Salary",
        "economic",
    ),
    (
        "Code du travail, art. L3243-4 : 5 ans",
        "Code du travail, art. L3243-4 : double des bulletins de paie conservé 5 ans",
        "Salaire",
        "economic",
    ),
    (
        "Code du travail, art. R1221-26: 5 years after the employee leaves",
        "Code du travail, art. R1221-26: the register's mentions are kept 5 years after the employee leaves",
        "Staff register entries",
        "professional_life",
    ),
    (
        "Code du travail, art. R1221-26 : 5 ans après le départ du salarié",
        "Code du travail, art. R1221-26 : mentions du registre conservées 5 ans après le départ du salarié",
        "Mentions du registre unique du personnel",
        "professional_life",
    ),
    (
        "CNIL, délibération 2015-165: 2 months",
        "CNIL, geolocation of employees' vehicles: 2 months (1 year as proof of services rendered, 5 years for "
        "working time when no other means exists)",
        "GPS location",
        "location",
    ),
    (
        "CNIL, délibération 2015-165 : 2 mois",
        "CNIL, géolocalisation des véhicules des salariés : 2 mois (1 an pour la preuve des prestations, 5 ans "
        "pour le temps de travail à défaut d'autre moyen)",
        "Géolocalisation",
        "location",
    ),
    (
        "CNIL, recommendation on logging (2021): 6 months to 1 year",
        "CNIL, recommendation on logging (délibération 2021-122): 6 months to 1 year",
        "Connection logs",
        "connection",
    ),
    (
        "CNIL, recommandation sur la journalisation (2021) : 6 mois à 1 an",
        "CNIL, recommandation sur la journalisation (délibération 2021-122) : 6 mois à 1 an",
        "Journaux de connexion",
        "connection",
    ),
    ("CNIL, cookies and trackers: cookie 13 months, data 25 months", None, "Cookie identifiers", "online_identifiers"),
    (
        "CNIL, cookies et traceurs : cookie 13 mois, données 25 mois",
        None,
        "Identifiants de cookies",
        "online_identifiers",
    ),
]


def rekey(apps, schema_editor):
    RetentionPolicy = apps.get_model("processing", "RetentionPolicy")
    DataField = apps.get_model("inventory", "DataField")
    for old_source, new_source, field_name, category in REKEYED:
        for policy in RetentionPolicy.objects.filter(source=old_source, data_field__isnull=True):
            key = normalise_key(field_name)
            field = DataField.objects.filter(organisation_id=policy.organisation_id, name_key=key).first()
            if field is None:
                field = DataField.objects.create(
                    organisation_id=policy.organisation_id, name=field_name, name_key=key, category=category
                )
            policy.data_field = field
            policy.data_category = field.category
            policy.source = new_source or old_source
            policy.save(update_fields=["data_field", "data_category", "source"])


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_adequacy_scopes"),
        ("processing", "0011_retention_policy_data_field"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
