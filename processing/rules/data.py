"""The data itself: special categories (Art. 9)."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField

from ..models import ProcessingActivity
from . import Hit, rule
from .transfers import current_activities


@rule(
    "data.special_without_condition",
    family="data",
    severity="high",
    article="9(2)",
    message=_(
        "This activity uses special categories of data (health, beliefs, biometrics…) without an Art. 9(2) "
        "condition. Processing them is prohibited unless one applies: choose it, or stop using the data."
    ),
    section="purposes",
)
def special_without_condition(organisation, today):
    special = DataField.objects.filter(activities=OuterRef("pk"), category=DataField.Category.SPECIAL)
    activities = current_activities(organisation).filter(Exists(special), special_condition="")
    for pk in activities.values_list("pk", flat=True):
        yield Hit(ProcessingActivity, pk, {})
