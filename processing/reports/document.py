"""The register document: the Article 30 record of one organisation as plain data.

Every export is drawn from it and every import produces it, so each format is a reading or
a writing of the same thing. It is also the JSON export, word for word:

    {
      "format": "registre-article-30", "version": 1,
      "generated_at": "2026-11-29T10:00:00+01:00", "language": "fr",
      "as_of": "2026-01-31" | null, "scope": "active" | "all",
      "organisation": {
        "name", "legal_identifier", "address", "postcode", "city", "phone", "email",
        "dpo": {"name", "email", "phone"},
        "representative": {"name", "contact"}
      },
      "activities": [ACTIVITY, ...],          # ordered by reference
      "records": {"controller": RECORD, "processor": RECORD}   # the JSON export only
    }

ACTIVITY holds every field of ``ProcessingActivity`` named in ``ACTIVITY_FIELDS`` (choices as
their codes, dates as ISO strings, booleans as booleans, empty text as ""), the record it
belongs to (``"record": "controller" | "processor"``: the Art. 30(1) or 30(2) record, from its
role; see ``records``), then its parts:

    "data_fields":        [{"name", "description", "category", "special_category"}]
    "data_subjects":      [{"name", "description", "is_vulnerable", "approximate_count"}]
    "recipients":         [{"name", "description", "kind", "country", "contact", "has_processing_agreement",
                            "processing_agreement_reference", "is_dpf_certified"}]
    "systems":            [{"name", "description", "kind", "countries": ["FR", ...], "hosting_provider",
                            "oldest_record_on"}]
    "transfers":          [{"country", "international_organisation", "recipient", "system",
                            "importer_role", "mechanism", "adequacy_scope_confirmed", "tia_date",
                            "tia_reference", "documentation", "safeguards"}]
    "retention_lines":    [{"data_category", "duration", "duration_unit", "criteria", "trigger",
                            "trigger_details", "end_action", "archive_duration",
                            "archive_duration_unit", "legal_reference"}]
    "security_measures":  [{"kind", "details"}]
    "controller_parties": [{"name", "contact", "representative", "dpo_contact"}]

Catalogue entries (data fields, people, recipients, systems) are given by name with their
own attributes, so that an import into an empty organisation can create them; a transfer
names its importer (a recipient or a system of the activity) and its destination by ISO
code (``country``) or by name (``international_organisation``); a system names its host (one
of the recipients of the organisation) in ``hosting_provider``. Codes are those of the
models' choices (``DataField.Category``, ``Transfer.Mechanism``…), never translated labels.

RECORD describes one of the two records for whoever reads the JSON, in the document's
language: ``{"article": "30(1)", "title", "headings": [{"letter": "a", "title", "keys": [...]}]}``,
``keys`` naming the keys of ACTIVITY each heading holds (a letter "" for what Registre records
beyond the article). It is not read back: an import rebuilds nothing from it.
"""

FORMAT = "registre-article-30"
VERSION = 1

ACTIVITY_FIELDS = [
    "reference",
    "name",
    "description",
    "status",
    "role",
    "owner_unit",
    "owner_contact",
    "software",
    "joint_arrangement",
    "purpose",
    "sub_purposes",
    "lawful_basis",
    "lawful_basis_evidence",
    "special_condition",
    "special_condition_reference",
    "criminal_data_basis",
    "source_data_subject",
    "source_third_party",
    "source_public",
    "source_social_networks",
    "source_details",
    "criterion_evaluation",
    "criterion_automated_decision",
    "criterion_monitoring",
    "criterion_sensitive",
    "criterion_large_scale",
    "criterion_matching",
    "criterion_vulnerable",
    "criterion_innovative",
    "criterion_prevents_right",
    "dpia_status",
    "dpia_date",
    "dpia_reference",
    "has_automated_decision",
    "automated_decision_details",
    "last_reviewed_on",
    "next_review_on",
]

PART_FIELDS = {
    "data_fields": ["name", "description", "category", "special_category"],
    "data_subjects": ["name", "description", "is_vulnerable", "approximate_count"],
    "recipients": [
        "name",
        "description",
        "kind",
        "country",
        "contact",
        "has_processing_agreement",
        "processing_agreement_reference",
        "is_dpf_certified",
    ],
    "systems": ["name", "description", "kind", "countries", "hosting_provider", "oldest_record_on"],
    "transfers": [
        "country",
        "international_organisation",
        "recipient",
        "system",
        "importer_role",
        "mechanism",
        "adequacy_scope_confirmed",
        "tia_date",
        "tia_reference",
        "documentation",
        "safeguards",
    ],
    "retention_lines": [
        "data_category",
        "duration",
        "duration_unit",
        "criteria",
        "trigger",
        "trigger_details",
        "end_action",
        "archive_duration",
        "archive_duration_unit",
        "legal_reference",
    ],
    "security_measures": ["kind", "details"],
    "controller_parties": ["name", "contact", "representative", "dpo_contact"],
}
