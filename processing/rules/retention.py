"""How long data is kept (Art. 5(1)(e), 30(1)(f)) and the register kept up to date (Art. 5(2))."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..models import ProcessingActivity, RetentionLine
from . import Hit, rule
from .transfers import current_activities


@rule(
    "retention.undefined",
    family="retention",
    severity="medium",
    article="5(1)(e), 30(1)(f)",
    message=_(
        "This active activity says nowhere how long its data is kept. Add a retention line with a "
        "duration, or the criteria that decide it."
    ),
    section="retention",
)
def retention_undefined(organisation, today):
    defined = RetentionLine.objects.filter(activity=OuterRef("pk")).filter(Q(duration__isnull=False) | ~Q(criteria=""))
    # A processor's record has no retention item (Art. 30(2)).
    active = ProcessingActivity.objects.filter(organisation=organisation, status=ProcessingActivity.Status.ACTIVE)
    active = active.exclude(role=ProcessingActivity.Role.PROCESSOR)
    for pk in active.exclude(Exists(defined)).values_list("pk", flat=True):
        yield Hit(ProcessingActivity, pk, {})


@rule(
    "retention.review_overdue",
    family="retention",
    severity="low",
    article="5(2), 24",
    message=_(
        "The review of this activity was due on %(due)s. Check that the record is still true, then set "
        "the date of this review and of the next one."
    ),
    section="risk",
)
def review_overdue(organisation, today):
    overdue = current_activities(organisation).filter(next_review_on__lt=today)
    for pk, due in overdue.values_list("pk", "next_review_on"):
        yield Hit(ProcessingActivity, pk, {"due": due.isoformat()})
