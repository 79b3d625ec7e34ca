"""The data itself: special categories (Art. 9) and criminal data (Art. 10)."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from inventory.models import DataField
from processing.compliance.rules.registry import Hit, current_activities, rule, subject_kind
from processing.models import ProcessingActivity


@rule(
    "data.special_without_condition",
    title=_("Sensitive data without an Art. 9 condition"),
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
    title=_("Criminal offence data without a legal basis"),
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


@rule(
    "data.dpia_missing",
    title=_("DPIA likely needed, not done"),
    family="data",
    severity="high",
    article="35",
    source=_(
        "EDPB guidelines on DPIA (WP248 rev.01); CNIL, délibération 2018-327 (list of processing requiring a DPIA)"
    ),
    message=_(
        "This activity is likely to result in a high risk (%(reasons)s), yet no impact assessment (DPIA) "
        "is done or in progress. Carry one out before the processing starts; if you concluded that none is "
        "needed, accept the risk on this finding and say why."
    ),
    section="risk",
)
def dpia_missing(organisation, today):
    """Art. 35(3) and the EDPB's criteria (WP248 rev.01): two criteria met, or one of the cases Art. 35(3) names, or
    one of the types on the CNIL's list (Art. 35(4); délibération n° 2018-327 of 11 October 2018: "one is enough").

    Art. 35(3)(b) names "processing on a large scale of special categories of data referred to in Article 9(1), or of
    personal data relating to criminal convictions and offences referred to in Article 10": both kinds count.
    """
    special = DataField.objects.filter(activities=OuterRef("pk"), category=DataField.Category.SPECIAL)
    criminal = DataField.objects.filter(activities=OuterRef("pk"), category=DataField.Category.CRIMINAL)
    activities = (
        current_activities(organisation)
        .exclude(dpia_status__in=[ProcessingActivity.DpiaStatus.DONE, ProcessingActivity.DpiaStatus.IN_PROGRESS])
        .annotate(has_special=Exists(special), has_criminal=Exists(criminal))
    )
    fields = (
        "pk",
        "has_special",
        "has_criminal",
        "has_automated_decision",
        "cnil_dpia_types",
        *ProcessingActivity.DPIA_CRITERIA,
    )
    for pk, has_special, has_criminal, automated, cnil_types, *criteria in activities.values_list(*fields):
        met = dict(zip(ProcessingActivity.DPIA_CRITERIA, criteria, strict=True))
        reasons = []
        if sum(criteria) >= 2:
            reasons.append(["criteria", sum(criteria)])
        if has_special and met["criterion_large_scale"]:
            reasons.append(["special_large_scale"])
        if has_criminal and met["criterion_large_scale"]:
            reasons.append(["criminal_large_scale"])
        if automated and met["criterion_automated_decision"]:
            reasons.append(["automated_decision"])
        if cnil_types:
            reasons.append(["cnil_list", len(cnil_types)])
        if reasons:
            yield Hit(ProcessingActivity, pk, {"reasons": reasons})


@rule(
    "data.legitimate_interests_public_body",
    title=_("Legitimate interests relied on by a public body"),
    family="data",
    severity="high",
    article="6(1)",
    message=_(
        "Your organisation is a public authority: legitimate interests (Art. 6(1)(f)) cannot be the lawful basis of "
        "processing carried out in the performance of its tasks. Choose the basis the task rests on (usually a legal "
        "obligation or a public task); if this processing is outside your public tasks, accept the risk on this "
        "finding and say why."
    ),
    section="purposes",
)
def legitimate_interests_public_body(organisation, today):
    """Art. 6(1), last subparagraph: "Point (f) of the first subparagraph shall not apply to processing carried out by
    public authorities in the performance of their tasks"."""
    if not organisation.is_public_body:
        return
    activities = current_activities(organisation).filter(
        lawful_basis=ProcessingActivity.LawfulBasis.LEGITIMATE_INTERESTS
    )
    for pk in activities.values_list("pk", flat=True):
        yield Hit(ProcessingActivity, pk, {})


subject_kind("organisation", label=_("The organisation"), model="accounts.Organisation")


@rule(
    "data.public_body_without_dpo",
    title=_("Public body without a DPO"),
    family="data",
    severity="high",
    article="37(1)(a)",
    message=_(
        "Your organisation is a public authority or body: it must designate a data protection officer (Art. 37(1)(a)), "
        "and none is recorded. Record the DPO's name and contact details in the organisation's identity (they head "
        "the register, Art. 30(1)(a)). Only courts acting in their judicial capacity are exempt."
    ),
    section="dpo_name",
    per_activity=False,
)
def public_body_without_dpo(organisation, today):
    """Art. 37(1)(a) GDPR: "The controller and the processor shall designate a data protection officer in any case
    where: (a) the processing is carried out by a public authority or body, except for courts acting in their judicial
    capacity"."""
    if organisation.is_public_body and not organisation.dpo_name.strip():
        yield Hit(Organisation, organisation.pk, {})
