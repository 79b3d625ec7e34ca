"""The data itself: special categories (Art. 9) and criminal data (Art. 10)."""

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


@rule(
    "data.criminal_without_basis",
    family="data",
    severity="high",
    article="10",
    message=_(
        "This activity uses data on criminal convictions or offences without saying under which official "
        "authority or law it may (Art. 10). Record that basis, or stop using the data."
    ),
    section="purposes",
)
def criminal_without_basis(organisation, today):
    criminal = DataField.objects.filter(activities=OuterRef("pk"), category=DataField.Category.CRIMINAL)
    activities = current_activities(organisation).filter(Exists(criminal), criminal_data_basis="")
    for pk in activities.values_list("pk", flat=True):
        yield Hit(ProcessingActivity, pk, {})
