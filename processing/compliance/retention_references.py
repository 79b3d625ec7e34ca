"""The organisation's retention policy: its writes (kept in history, re-checked after each)
and the common French references it can start from.

The references key each period by a category of people, a category of data and, where the
source covers less than a whole category, one kind of personal data (CCTV footage is not
all identification data, nor badge records all location data). People and data fields are
matched in the catalogue by their English or French name, ignoring case and accents, and
added when missing (``inventory.defaults`` names most of them), so loading twice adds
nothing. Each source was checked in December 2026; check each before relying on it.
"""

from inventory.models import DataField
from processing.models import RetentionLine

Category = DataField.Category
Unit = RetentionLine.Unit
Trigger = RetentionLine.Trigger

# (English name, French name, people (English, French) or None, data category,
#  data field (English, French) or None, (maximum, unit) or None, (minimum, unit) or None,
#  counted from, source (English, French))
SEEDS = [
    (
        "Prospects",
        "Prospects",
        ("Prospects", "Prospects"),
        "",
        None,
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
        None,
        (2, Unit.YEARS),
        None,
        Trigger.LAST_CONTACT,
        (
            "CNIL, recruitment guide: 2 years after the last contact",
            "CNIL, guide du recrutement : 2 ans après le dernier contact",
        ),
    ),
    (  # the footage, whoever is filmed (premises open to the public and workplaces alike)
        "CCTV footage",
        "Images de vidéoprotection",
        None,
        Category.IDENTIFICATION,
        ("Video images", "Images vidéo"),
        (1, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, video surveillance at work and in places open to the public: 1 month at most",
            "CNIL, vidéoprotection sur les lieux de travail et dans les lieux ouverts au public : 1 mois au plus",
        ),
    ),
    (  # the invoices, not every economic datum of a customer (card data: 13 months, say)
        "Invoices and accounting records",
        "Factures et pièces comptables",
        ("Customers", "Clients"),
        Category.ECONOMIC,
        ("Invoices and payments", "Factures et paiements"),
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
        ("Salary", "Salaire"),
        None,
        (5, Unit.YEARS),
        Trigger.PAYMENT,
        (
            "Code du travail, art. L3243-4: the employer keeps a copy of the payslips for 5 years",
            "Code du travail, art. L3243-4 : double des bulletins de paie conservé 5 ans",
        ),
    ),
    (  # R1221-26 covers the register's mentions only, not the whole personnel file
        "Staff register (registre unique du personnel)",
        "Registre unique du personnel",
        ("Employees", "Salariés"),
        Category.PROFESSIONAL_LIFE,
        ("Staff register entries", "Mentions du registre unique du personnel"),
        None,
        (5, Unit.YEARS),
        Trigger.END_OF_EMPLOYMENT,
        (
            "Code du travail, art. R1221-26: the register's mentions are kept 5 years after the employee leaves",
            "Code du travail, art. R1221-26 : mentions du registre conservées 5 ans après le départ du salarié",
        ),
    ),
    (  # the 2015 simplified norm (délibération 2015-165) lost its effect in 2018: the CNIL's current guidance
        "Vehicle geolocation of employees",
        "Géolocalisation des véhicules des salariés",
        ("Employees", "Salariés"),
        Category.LOCATION,
        ("GPS location", "Géolocalisation"),
        (2, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, geolocation of employees' vehicles: 2 months (1 year as proof of services rendered, 5 years for "
            "working time when no other means exists)",
            "CNIL, géolocalisation des véhicules des salariés : 2 mois (1 an pour la preuve des prestations, 5 ans "
            "pour le temps de travail à défaut d'autre moyen)",
        ),
    ),
    (
        "Access badge records",
        "Relevés de badge d'accès",
        None,
        Category.LOCATION,
        ("Access badge records", "Relevés de badge d’accès"),
        (3, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, access control to premises: movement records 3 months",
            "CNIL, contrôle d'accès aux locaux : données de déplacement 3 mois",
        ),
    ),
    (  # the logs, not every connection datum (an IP address in a support ticket, say)
        "Application logs",
        "Journaux applicatifs",
        None,
        Category.CONNECTION,
        ("Connection logs", "Journaux de connexion"),
        (1, Unit.YEARS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, recommendation on logging (délibération 2021-122): 6 months to 1 year",
            "CNIL, recommandation sur la journalisation (délibération 2021-122) : 6 mois à 1 an",
        ),
    ),
    (
        "Audience measurement",
        "Mesure d'audience",
        ("Website visitors", "Visiteurs du site web"),
        Category.ONLINE_IDENTIFIERS,
        ("Cookie identifiers", "Identifiants de cookies"),
        (25, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, cookies and trackers: cookie 13 months, data 25 months",
            "CNIL, cookies et traceurs : cookie 13 mois, données 25 mois",
        ),
    ),
    (  # Art. 82 of the loi Informatique et Libertés; CNIL recommendation of 17 September 2020 (délibération 2020-092)
        "Cookie consent choices",
        "Choix de consentement aux cookies",
        ("Website visitors", "Visiteurs du site web"),
        Category.ONLINE_IDENTIFIERS,
        ("Cookie consent choices", "Choix relatifs aux cookies"),
        (6, Unit.MONTHS),
        None,
        Trigger.COLLECTION,
        (
            "CNIL, recommendation on cookies (délibération 2020-092): keep the choice, consent or refusal, about "
            "6 months, then ask again",
            "CNIL, recommandation cookies (délibération 2020-092) : conserver le choix, consentement ou refus, "
            "environ 6 mois, puis le redemander",
        ),
    ),
]
