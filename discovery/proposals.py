"""What a scan proposes to the organisation: for each kind of datum found, one of its own catalogue data fields when it
has one that fits (same category, its name saying the same thing: "Adresse e-mail" for an email column), else a new
one named after the kind ("Email address")."""

from inventory.models import DataField

from .classify import KINDS, Kind, words_of


def _fits(field: DataField, kind: Kind) -> bool:
    if field.category != kind.category or (field.special_category or None) != kind.special_category:
        return False
    words = f" {' '.join(words_of(field.name))} "
    return any(f" {name} " in words for name in (*kind.names, " ".join(words_of(kind.label))))


def data_fields_by_kind(organisation) -> dict[str, DataField]:
    """The organisation's data field (not archived) that fits each kind of datum, for the kinds it has one for. A field
    whose name fits kinds of several groups ("Adresse e-mail": an address? an email) serves the first of them in
    ``KINDS``, the most specific first; kinds of one group share it ("Nom et prénom" for first, last and full names)."""
    fields = list(DataField.objects.filter(organisation=organisation).active().order_by("name_key"))
    owner = {field.pk: next((kind.field_group for kind in KINDS if _fits(field, kind)), None) for field in fields}
    found = {}
    for kind in KINDS:
        field = next((field for field in fields if owner[field.pk] == kind.field_group and _fits(field, kind)), None)
        if field is None:  # a field of the group that names another of its kinds ("Nom et prénom" for a last name)
            field = next((field for field in fields if owner[field.pk] == kind.field_group), None)
        if field is not None:
            found[kind.code] = field
    return found
