from accounts.forms import OrganisationIdentityForm


def test_identity_form_groups_every_field_exactly_once():
    grouped = [name for _legend, names in OrganisationIdentityForm.fieldsets for name in names]
    assert sorted(grouped) == sorted(OrganisationIdentityForm.base_fields)
