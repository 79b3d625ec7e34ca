"""The compliance watch with the real Celery worker process, through Redis."""

from datetime import date, timedelta

import pytest

from processing.models import Finding
from processing.services import activity_create, activity_update

from ..core.test_worker import wait_for
from ..inventory.factories import SystemFactory

pytestmark = pytest.mark.worker


def test_a_worker_flags_data_stored_in_india_and_resolves_it_once_covered(celery_worker, organisation):
    bangalore = SystemFactory(organisation=organisation, name="Bangalore support desk", countries=["IN"])
    activity = activity_create(organisation=organisation, name="Support", purpose="Help customers", systems=[bangalore])

    def finding():
        return Finding.objects.filter(organisation=organisation, rule="transfer.destination_uncovered").first()

    opened = wait_for(lambda: (found := finding()) and found.status == Finding.Status.OPEN and found)
    assert opened, celery_worker.log()
    assert opened.params == {"destinations": [["IN", "Bangalore support desk"]]}

    activity_update(
        activity=activity,
        transfers=[
            {
                "country_id": "IN",
                "system": bangalore,
                "mechanism": "scc_2",
                "tia_date": date.today() - timedelta(days=30),
                "tia_reference": "TIA-7",
            }
        ],
    )
    assert wait_for(lambda: finding().status == Finding.Status.RESOLVED), celery_worker.log()
