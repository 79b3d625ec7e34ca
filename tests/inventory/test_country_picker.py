"""The storage countries' choices say which are in the EEA or have an adequacy decision in force (issue #19, 7)."""

import pytest
from django.urls import reverse

from ..inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db


def test_each_country_says_whether_it_is_in_the_eea_or_adequate_and_the_page_offers_the_picker(
    dpo_client, organisation
):
    crm = SystemFactory(organisation=organisation, name="CRM", countries=["FR"])
    page = dpo_client.get(reverse("inventory:item_edit", args=[organisation.slug, "systems", crm.pk])).content.decode()
    assert '<option value="FR" selected>France (EEA)</option>' in page
    assert '<option value="CH">Switzerland (adequacy decision)</option>' in page
    assert '<option value="US">United States of America (partial adequacy decision)</option>' in page
    assert '<option value="IN">India</option>' in page
    assert "data-country-picker" in page and 'data-search-label="Add a country"' in page
    assert "js/country-picker.js" in page
    assert "a plain click keeps only the country clicked" in page, "the help without JavaScript warns of Ctrl"
