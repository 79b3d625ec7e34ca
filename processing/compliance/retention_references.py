"""The organisation's retention policy: its writes (kept in history, re-checked after each)
and the common French references it can start from.

The references key each period by a category of people and/or a category of data. A
category of people is matched in the catalogue by its English or French name, ignoring case
and accents, and added from the default catalogue when missing (``inventory.defaults``),
so loading twice adds nothing. References that no such key can express (tax records,
card data after payment, call recordings, badge logs) are left out: keyed on "economic
data" alone they would clash with each other. Check each before relying on it.
"""

from inventory.models import DataField
from processing.models import RetentionLine

Category = DataField.Category
Unit = RetentionLine.Unit
Trigger = RetentionLine.Trigger

# (English name, French name, people (English, French) or None, data category,
#  (maximum, unit) or None, (minimum, unit) or None, counted from, source (English, French))
SEEDS = [
    (
        "Prospects",
        "Prospects",
        ("Prospects", "Prospects"),
        "",
        (3, Unit.YEARS),
        None,
        Trigger.LAST_CONTACT,
        (
            "CNIL, commercial prospecting: 3 years from collection or the prospect's last contact",
            "CNIL, prospection commerciale : 3 ans à compter de la collecte ou du dernier contact du prospect",
        ),
    ),
    (
        "Unsuccessful candidates",
        "Candidats non retenus",
        ("Job candidates", "Candidats"),
        "",
        (2, Unit.YEARS),
        None,
        Trigger.LAST_CONTACT,
        (
            "CNIL, recruitment guide: 2 years after the last contact",
            "CNIL, guide du recrutement : 2 ans après le dernier contact",
        ),
    ),
    (
        "CCTV footage",
        "Images de vidéoprotection",
        ("Visitors to the premises", "Visiteurs des locaux"),
        Category.IDENTIFICATION,
        (1, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, video surveillance: 1 month at most",
            "CNIL, vidéoprotection : 1 mois au plus",
        ),
    ),
    (
        "Invoices and accounting records",
        "Factures et pièces comptables",
        ("Customers", "Clients"),
        Category.ECONOMIC,
        None,
        (10, Unit.YEARS),
        Trigger.END_OF_FINANCIAL_YEAR,
        (
            "Code de commerce, art. L123-22: 10 years from the end of the financial year",
            "Code de commerce, art. L123-22 : 10 ans à compter de la clôture de l'exercice",
        ),
    ),
    (
        "Payslips (employer's copy)",
        "Bulletins de paie (double employeur)",
        ("Employees", "Salariés"),
        Category.ECONOMIC,
        None,
        (5, Unit.YEARS),
        Trigger.PAYMENT,
        (
            "Code du travail, art. L3243-4: 5 years",
            "Code du travail, art. L3243-4 : 5 ans",
        ),
    ),
    (
        "Personnel file and staff register",
        "Dossier du personnel et registre du personnel",
        ("Employees", "Salariés"),
        Category.PROFESSIONAL_LIFE,
        None,
        (5, Unit.YEARS),
        Trigger.END_OF_EMPLOYMENT,
        (
            "Code du travail, art. R1221-26: 5 years after the employee leaves",
            "Code du travail, art. R1221-26 : 5 ans après le départ du salarié",
        ),
    ),
    (
        "Vehicle geolocation of employees",
        "Géolocalisation des véhicules des salariés",
        ("Employees", "Salariés"),
        Category.LOCATION,
        (2, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, délibération 2015-165: 2 months",
            "CNIL, délibération 2015-165 : 2 mois",
        ),
    ),
    (
        "Application logs",
        "Journaux applicatifs",
        None,
        Category.CONNECTION,
        (1, Unit.YEARS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, recommendation on logging (2021): 6 months to 1 year",
            "CNIL, recommandation sur la journalisation (2021) : 6 mois à 1 an",
        ),
    ),
    (
        "Audience measurement",
        "Mesure d'audience",
        ("Website visitors", "Visiteurs du site web"),
        Category.ONLINE_IDENTIFIERS,
        (25, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, cookies and trackers: cookie 13 months, data 25 months",
            "CNIL, cookies et traceurs : cookie 13 mois, données 25 mois",
        ),
    ),
]
