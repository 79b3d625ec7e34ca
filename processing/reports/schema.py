"""The register document (``document``) described for the OpenAPI schema: what
``/api/v1/exports/{id}/download/`` answers for a JSON export. Built from the models' own
fields, so the description follows them."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from processing.models import ProcessingActivity
from processing.reports import document
from processing.reports.tables import PART_MODELS

NAMED = {  # document keys that name another object instead of holding its id
    "country": serializers.CharField(allow_null=True, help_text="ISO 3166-1 code."),
    "countries": serializers.ListField(child=serializers.CharField(), help_text="ISO 3166-1 codes."),
    "hosting_provider": serializers.CharField(allow_null=True, help_text="The recipient hosting it, by name."),
    "international_organisation": serializers.CharField(allow_null=True),
    "recipient": serializers.CharField(allow_null=True, help_text="The importer, one of the recipients, by name."),
    "system": serializers.CharField(allow_null=True, help_text="Or the system whose host imports the data."),
}


def _fields(models_, names) -> dict:
    fields = {}
    for name in names:
        if name in NAMED:
            fields[name] = NAMED[name]
            continue
        model = next(m for m in models_ if name in {f.name for f in m._meta.get_fields()})
        meta = type("Meta", (), {"model": model, "fields": [name]})
        fields[name] = type("Fields", (serializers.ModelSerializer,), {"Meta": meta})().fields[name]
    return fields


def register_document_serializer():
    parts = {
        part: inline_serializer(
            f"RegisterDocument{part.title().replace('_', '')}", _fields(PART_MODELS[part], names), many=True
        )
        for part, names in document.PART_FIELDS.items()
    }
    activity = inline_serializer(
        "RegisterDocumentActivity", {**_fields((ProcessingActivity,), document.ACTIVITY_FIELDS), **parts}, many=True
    )
    contact = {"name": serializers.CharField(), "email": serializers.CharField(), "phone": serializers.CharField()}
    organisation = inline_serializer(
        "RegisterDocumentOrganisation",
        {
            **{name: serializers.CharField() for name in ("name", "legal_identifier", "address", "postcode", "city")},
            "phone": serializers.CharField(),
            "email": serializers.CharField(),
            "dpo": inline_serializer("RegisterDocumentDpo", contact),
            "representative": inline_serializer(
                "RegisterDocumentRepresentative",
                {"name": serializers.CharField(), "contact": serializers.CharField()},
            ),
        },
    )
    return inline_serializer(
        "RegisterDocument",
        {
            "format": serializers.CharField(help_text=f'Always "{document.FORMAT}".'),
            "version": serializers.IntegerField(help_text=f"{document.VERSION} for this description."),
            "generated_at": serializers.DateTimeField(),
            "language": serializers.CharField(help_text="en or fr: the language of the free text's labels."),
            "as_of": serializers.DateField(allow_null=True, help_text="The day of the register, null for today."),
            "scope": serializers.ChoiceField(choices=["active", "all"]),
            "organisation": organisation,
            "activities": activity,
        },
    )
