"""The breach checks with the real Celery worker process, through Redis."""

import pytest

from processing.compliance.models import Finding

from ..core.test_worker import wait_for
from .factories import log_breach

pytestmark = pytest.mark.worker


def test_logging_a_breach_known_for_70_hours_raises_a_grave_finding_within_seconds(celery_worker, organisation):
    log_breach(organisation, aware_hours_ago=70)  # the service sends the check once committed

    def finding():
        return Finding.objects.filter(organisation=organisation, rule="breach.notification_due").first()

    opened = wait_for(lambda: (found := finding()) and found.status == Finding.Status.OPEN and found)
    assert opened, celery_worker.log()
    assert opened.severity == "high"  # more than 80 % of the 72 hours gone
