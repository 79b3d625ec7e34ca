"""The demo breach log: one breach at each stage, the clock of the last one running."""

import datetime

import pytest
from django.core.management import call_command

from breaches.clock import State, breach_clock
from breaches.models import Breach

pytestmark = pytest.mark.django_db


def test_the_demo_logs_three_breaches_once_with_a_running_clock():
    call_command("seed_demo", force=True)
    breaches = {breach.title.split()[0]: breach for breach in Breach.objects.all()}
    assert set(breaches) == {"Ordinateur", "Bulletins", "Attaque"}
    laptop, payslips, portal = breaches["Ordinateur"], breaches["Bulletins"], breaches["Attaque"]
    assert (laptop.status, breach_clock(laptop).state) == ("closed", State.NOTIFIED)
    assert (payslips.notified_at, breach_clock(payslips).state) == (None, State.NOT_REQUIRED)
    assert payslips.not_notified_reason
    clock = breach_clock(portal)
    assert clock.state == State.NEAR and datetime.timedelta(hours=11) < clock.left <= datetime.timedelta(hours=12)
    assert [activity.reference for activity in portal.activities.order_by("reference")] == ["PA-009", "PA-014"]
    assert portal.timeline.count() == 2 and portal.timeline.filter(author__username="dpo").count() == 2

    call_command("seed_demo", force=True)
    assert Breach.objects.count() == 3
