"""Organisation pages run a fixed number of queries, whatever the number of members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership

from ..conftest import client_for
from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# The home page adds its figures: one aggregate each, the findings' trend one per month; discovery's card three
# (systems scanned, personal columns confirmed, open drift findings).
BUDGET = {"organisations:home": 21}
PAGES = ["organisations:home", "organisations:settings", "organisations:members", "processing:activity_list"]


def grow_to(organisation, members):
    while organisation.memberships.count() < members:
        MembershipFactory(organisation=organisation, role=Membership.Role.AUDITOR)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_members(page, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    dpo = UserFactory(username="dpo")
    MembershipFactory(user=dpo, organisation=organisation, role=Membership.Role.DPO)
    for _ in range(3):  # the switcher lists them too
        MembershipFactory(user=dpo, organisation=OrganisationFactory(), role=Membership.Role.AUDITOR)
    client = client_for(dpo)
    url = reverse(page, args=[organisation.slug])
    client.get(url)  # the first visit also stores the organisation in the session

    grow_to(organisation, 5)
    small = queries_for(client, url)
    grow_to(organisation, 200)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
    assert small <= BUDGET.get(page, 8)
