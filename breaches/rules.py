"""The checks of the breach log (Art. 33, 34), in the same lifecycle as the register's:
registered with ``processing.compliance.rules.registry`` (family "breaches") when the app is ready.

They read the clock (``breaches.clock``) at the moment of the check, not a day: the
periodic task runs them every few minutes. Their params never hold the time left, so that a
finding is not rewritten (nor its history) at every run; only its severity rises once most
of the delay is gone.

Which breaches: the duties still to perform (notify the authority, inform the people) are
checked on breaches open or contained. A breach cannot be closed while they are pending
(``Breach.missing_before_closing``), so a closed breach is checked against the rules of the
day it was closed: a later change of the delay or of the threshold (a settings change,
say the reform's 96 hours) does not reopen the clock of a closed breach nor email anyone.
The record (Art. 33(5)) is checked on every breach, closed ones too: it is what the
authority reads afterwards, and a closed breach can still be completed.

A breach the organisation suffered as a processor (``Breach.Role.PROCESSOR``) is not the
controller's: notifying the authority (Art. 33(1)), informing the people (Art. 34) and the
Art. 33(5) documentation are the controller's duties. Its one rule is
``breach.controller_not_informed`` (Art. 33(2)): inform the controller without undue delay,
raised as soon as the breach is logged, since the processor need not assess the risk first
(EDPB Guidelines 9/2022, section II.A.4). What it still lacks of the Art. 33(3) content is
marked on its notice to the controller.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processing.compliance.rules.registry import Hit, family_label, rule, subject_kind

from .clock import State, breach_clock, most_of_the_delay_gone
from .models import Breach

FAMILY = "breaches"
DEADLINE_RULES = ("breach.notification_due", "breach.notification_overdue")
CONTROLLER_RULE = "breach.controller_not_informed"
# The findings that warn the DPOs by email as soon as they open, come back or become graver.
WARNING_RULES = (*DEADLINE_RULES, CONTROLLER_RULE)

subject_kind("breach", label=gettext_lazy("Breaches"), model="breaches.Breach")
family_label(FAMILY, gettext_lazy("Personal data breaches (Art. 33, 34)"))


def _current(organisation, role=Breach.Role.CONTROLLER):
    """The breaches not closed yet, of the organisation acting in that role."""
    return Breach.objects.filter(organisation=organisation, role=role).exclude(status=Breach.Status.CLOSED)


@rule(
    "breach.notification_due",
    title=gettext_lazy("Breach to notify to the authority"),
    family=FAMILY,
    severity="medium",
    article="33(1)",
    source=gettext_lazy("EDPB Guidelines 9/2022 on personal data breach notification"),
    message=gettext_lazy(
        "The supervisory authority must be notified of breach %(reference)s within 24 hours. Notify it now, "
        "with what you know (further information can follow, Art. 33(4)), or record why the breach is "
        "unlikely to result in a risk."
    ),
    section="authority",
    per_activity=False,
    reads_register=False,
)
def notification_due(organisation, today):
    """Within 24 hours of the deadline; high once 80 % of the delay is gone."""
    for breach in _current(organisation).filter(notified_at__isnull=True):
        clock = breach_clock(breach)
        if clock.state == State.NEAR:
            severity = "high" if most_of_the_delay_gone(clock.left) else None
            yield Hit(Breach, breach.pk, {"reference": breach.reference}, severity)


def _describe_overdue(params: dict) -> dict:
    if params.get("notified"):
        situation = _(
            "was notified to the supervisory authority after the deadline, and the reasons for the delay "
            "are not recorded"
        )
        action = _("Record them on the breach: a notification later than the deadline must give them.")
    else:
        situation = _("should have been notified to the supervisory authority already")
        action = _("Notify it without further delay and give the reasons for the delay.")
    return {**params, "situation": situation, "action": action}


@rule(
    "breach.notification_overdue",
    title=gettext_lazy("Breach notification late"),
    family=FAMILY,
    severity="high",
    article="33(1)",
    source=gettext_lazy("EDPB Guidelines 9/2022 on personal data breach notification"),
    message=gettext_lazy("Breach %(reference)s %(situation)s. %(action)s"),
    section="authority",
    per_activity=False,
    reads_register=False,
    describe=_describe_overdue,
)
def notification_overdue(organisation, today):
    """Past the deadline and not notified; or notified late without the reasons for the delay
    (Art. 33(1), second sentence), which the form refuses but a shorter delay in the settings
    can bring about."""
    for breach in _current(organisation).filter(notified_at__isnull=True):
        if breach_clock(breach).state == State.OVERDUE:
            yield Hit(Breach, breach.pk, {"reference": breach.reference})
    for breach in _current(organisation).filter(notified_at__isnull=False):
        if breach.notified_late and not breach.delay_reasons.strip():
            yield Hit(Breach, breach.pk, {"reference": breach.reference, "notified": True})


@rule(
    "breach.people_not_informed",
    title=gettext_lazy("People not informed of a high-risk breach"),
    family=FAMILY,
    severity="high",
    article="34",
    message=gettext_lazy(
        "Breach %(reference)s is a high risk to the people concerned, who have not been informed. Inform them "
        "without undue delay in plain language, or record the Art. 34(3) exception that applies."
    ),
    section="people",
    per_activity=False,
    reads_register=False,
)
def people_not_informed(organisation, today):
    """Art. 34(1); the exceptions of Art. 34(3)(a) and (b) dispense with informing the people, but (c) only changes
    the means: a public communication, dated like any other information of the people."""
    breaches = (  # Breach.people_informed, in the database
        _current(organisation)
        .filter(risk=Breach.Risk.HIGH_RISK, communicated_at__isnull=True)
        .exclude(communication_exception__in=Breach.DISPENSING)
    )
    for pk, reference in breaches.values_list("pk", "reference"):
        yield Hit(Breach, pk, {"reference": reference})


@rule(
    CONTROLLER_RULE,
    title=gettext_lazy("Controller not informed of the breach"),
    family=FAMILY,
    severity="high",
    article="33(2)",
    source=gettext_lazy("EDPB Guidelines 9/2022, section II.A.4 (processor obligations)"),
    message=gettext_lazy(
        "Breach %(reference)s concerns data you process on behalf of %(controller)s. Inform the controller now, "
        "without undue delay, with what you know (the notice to the controller drafts it; further information can "
        "follow), and record when: the controller notifies the supervisory authority and informs the people."
    ),
    section="facts",
    per_activity=False,
    reads_register=False,
)
def controller_not_informed(organisation, today):
    """Art. 33(2): "The processor shall notify the controller without undue delay after becoming aware of a personal
    data breach." No number of hours and no risk threshold: the processor does not assess the risk first, it tells
    the controller, which then assesses it (EDPB Guidelines 9/2022, section II.A.4). Raised at once."""
    breaches = _current(organisation, Breach.Role.PROCESSOR).filter(controller_informed_at__isnull=True)
    for pk, reference, controller in breaches.values_list("pk", "reference", "controller_name"):
        yield Hit(Breach, pk, {"reference": reference, "controller": controller})


MISSING = {
    "facts": gettext_lazy("the facts (nature of the breach, categories of data)"),
    "effects": gettext_lazy("its effects (likely consequences, risk)"),
    "remedial_action": gettext_lazy("the remedial action taken"),
}


def _describe_missing(params: dict) -> dict:
    missing = ", ".join(str(MISSING.get(code, code)) for code in params.get("missing", []))
    return {**params, "missing": missing or "…"}


@rule(
    "breach.record_incomplete",
    title=gettext_lazy("Breach record incomplete"),
    family=FAMILY,
    severity="medium",
    article="33(5)",
    message=gettext_lazy(
        "The record of breach %(reference)s lacks %(missing)s. Art. 33(5) requires every breach to be documented "
        "with its facts, effects and remedial action: complete it."
    ),
    section="facts",
    per_activity=False,
    reads_register=False,
    describe=_describe_missing,
)
def record_incomplete(organisation, today):
    """Once the breach is contained or closed, or its notification deadline has passed: the
    first hours go to containing it and to the authority, not to the record. A controller's
    duty (Art. 33(5)): a processor's breach is documented by its controller, from the processor's
    notice (whose missing Art. 33(3) answers are marked there)."""
    for breach in Breach.objects.filter(organisation=organisation, role=Breach.Role.CONTROLLER):
        if breach.status == Breach.Status.OPEN and breach_clock(breach).left.total_seconds() > 0:
            continue
        missing = []
        if not (breach.confidentiality or breach.integrity or breach.availability) or not breach.data_categories:
            missing.append("facts")
        if not breach.consequences.strip() or not breach.risk:
            missing.append("effects")
        if not breach.measures_taken.strip():
            missing.append("remedial_action")
        if missing:
            yield Hit(Breach, breach.pk, {"reference": breach.reference, "missing": missing})


def deadline_subject(reference: str, *, notified: bool = False, processor: bool = False) -> str:
    if processor:
        return _("Breach %(reference)s: inform the controller without undue delay") % {"reference": reference}
    if notified:
        return _("Breach %(reference)s: record the reasons for the late notification") % {"reference": reference}
    return _("Breach %(reference)s: notify the supervisory authority") % {"reference": reference}
