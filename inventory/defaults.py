"""The default catalogue an organisation can load in English or French, then extend.

Data fields follow the rows of the CNIL model register; data subject categories its list.
"""

from .models import DataField

C = DataField.Category
S = DataField.SpecialCategory

# (category, special category kind, English, French)
DEFAULT_DATA_FIELDS = [
    (C.IDENTIFICATION, "", "Surname and first name", "Nom et prénom"),
    (C.IDENTIFICATION, "", "Postal address", "Adresse postale"),
    (C.IDENTIFICATION, "", "Email address", "Adresse e-mail"),
    (C.IDENTIFICATION, "", "Telephone number", "Numéro de téléphone"),
    (C.IDENTIFICATION, "", "Date of birth", "Date de naissance"),
    (C.IDENTIFICATION, "", "Photograph", "Photographie"),
    (C.IDENTIFICATION, "", "Video images", "Images vidéo"),
    (C.IDENTIFICATION, "", "Voice recording", "Enregistrement de la voix"),
    (C.IDENTIFICATION, "", "Identity document", "Pièce d’identité"),
    (C.PERSONAL_LIFE, "", "Family situation", "Situation familiale"),
    (C.PERSONAL_LIFE, "", "Hobbies and interests", "Loisirs et centres d’intérêt"),
    (C.PROFESSIONAL_LIFE, "", "Job title", "Fonction"),
    (C.PROFESSIONAL_LIFE, "", "Employer", "Employeur"),
    (C.PROFESSIONAL_LIFE, "", "CV", "Curriculum vitae"),
    (C.PROFESSIONAL_LIFE, "", "Education and qualifications", "Formation et diplômes"),
    (C.PROFESSIONAL_LIFE, "", "Performance reviews", "Évaluations professionnelles"),
    (C.ECONOMIC, "", "Bank details (IBAN)", "Coordonnées bancaires (IBAN)"),
    (C.ECONOMIC, "", "Salary", "Salaire"),
    (C.ECONOMIC, "", "Payment card data", "Données de carte bancaire"),
    (C.ECONOMIC, "", "Invoices and payments", "Factures et paiements"),
    (C.CONNECTION, "", "IP address", "Adresse IP"),
    (C.CONNECTION, "", "Connection logs", "Journaux de connexion"),
    (C.LOCATION, "", "GPS location", "Géolocalisation"),
    (C.LOCATION, "", "Access badge records", "Relevés de badge d’accès"),
    (C.ONLINE_IDENTIFIERS, "", "Cookie identifiers", "Identifiants de cookies"),
    (C.ONLINE_IDENTIFIERS, "", "Advertising identifiers", "Identifiants publicitaires"),
    (C.ONLINE_IDENTIFIERS, "", "Social network profile", "Profil de réseau social"),
    (C.NATIONAL_ID, "", "Social security number (NIR)", "Numéro de sécurité sociale (NIR)"),
    (C.SPECIAL, S.HEALTH, "Health data", "Données de santé"),
    (C.SPECIAL, S.TRADE_UNION, "Trade union membership", "Appartenance syndicale"),
    (C.SPECIAL, S.BIOMETRIC, "Biometric template", "Gabarit biométrique"),
    (C.SPECIAL, S.RELIGIOUS, "Religious or philosophical beliefs", "Convictions religieuses ou philosophiques"),
    (C.SPECIAL, S.RACIAL_ETHNIC, "Racial or ethnic origin", "Origine raciale ou ethnique"),
    (C.SPECIAL, S.POLITICAL, "Political opinions", "Opinions politiques"),
    (C.SPECIAL, S.GENETIC, "Genetic data", "Données génétiques"),
    (C.SPECIAL, S.SEX_LIFE, "Sex life or sexual orientation", "Vie sexuelle ou orientation sexuelle"),
    (C.CRIMINAL, "", "Criminal record", "Casier judiciaire"),
]

# (vulnerable, English, French)
DEFAULT_DATA_SUBJECT_CATEGORIES = [
    (False, "Employees", "Salariés"),
    (False, "Job candidates", "Candidats"),
    (False, "Customers", "Clients"),
    (False, "Prospects", "Prospects"),
    (False, "Suppliers", "Fournisseurs"),
    (False, "Service providers", "Prestataires"),
    (False, "Website visitors", "Visiteurs du site web"),
    (False, "Visitors to the premises", "Visiteurs des locaux"),
    (True, "Minors", "Mineurs"),
    (True, "Patients", "Patients"),
]
