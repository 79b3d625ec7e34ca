"""What remains to record of a breach, section by section of its form, once it is logged: the
content Art. 33(3) asks of a notification (and of a processor's notice to its controller,
Art. 33(2)), the duties still to do (Art. 33(1), 34). The record page lists them, each with a
link to the section that completes it, as the page of an activity lists what activation needs."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Breach


@dataclass
class RemainingSection:
    anchor: str  # the section of the form (breaches.forms.SECTIONS)
    title: str
    items: list[str]


def _nature(breach: Breach) -> list[str]:
    if breach.confidentiality or breach.integrity or breach.availability:
        return []
    return [_("Say what kind of breach it is: confidentiality, integrity or availability (Art. 33(3)(a)).")]


def _affected(breach: Breach) -> list[str]:
    items = []
    if not breach.data_categories:
        items.append(_("The categories of data concerned (Art. 33(3)(a))."))
    if not breach.subject_categories.all():
        items.append(_("The categories of people concerned (Art. 33(3)(a))."))
    if breach.people_count is None:
        items.append(_("The approximate number of people concerned (Art. 33(3)(a))."))
    if breach.records_count is None:
        items.append(_("The approximate number of records concerned (Art. 33(3)(a))."))
    return items


def _risk(breach: Breach) -> list[str]:
    items = []
    if not breach.consequences.strip():
        items.append(_("The likely consequences for the people concerned (Art. 33(3)(c))."))
    if not breach.risk and not breach.as_processor:
        items.append(_("Assess the risk to the people concerned."))
    if not (breach.measures_taken.strip() or breach.measures_proposed.strip()):
        items.append(_("The measures taken or proposed (Art. 33(3)(d))."))
    return items


def breach_remaining(breach: Breach) -> list[RemainingSection]:
    """The sections with something left to record or to do, in the order of the form."""
    facts = []
    if breach.as_processor and breach.controller_informed_at is None:
        facts.append(_("Inform the controller without undue delay and record when (Art. 33(2))."))
    authority, people = [], []
    if breach.notification_required and breach.notified_at is None:
        authority.append(_("Notify the supervisory authority and record when (Art. 33(1))."))
    if breach.communication_required and not breach.people_informed:
        people.append(_("Inform the people concerned, or record the exception that applies (Art. 34)."))
    sections = [
        RemainingSection("facts", _("What happened"), facts),
        RemainingSection("nature", _("Nature and cause"), _nature(breach)),
        RemainingSection("affected", _("What is affected"), _affected(breach)),
        RemainingSection("risk", _("Consequences, risk and measures"), _risk(breach)),
        RemainingSection("authority", _("Supervisory authority (Art. 33)"), authority),
        RemainingSection("people", _("People concerned (Art. 34)"), people),
    ]
    return [section for section in sections if section.items]
