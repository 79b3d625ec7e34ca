"""The notification of a breach, drafted from the breach record: to the supervisory authority
(the controller's, Art. 33(1)) or, when the organisation acts as a processor, the notice to the
controller (Art. 33(2)). One draft, two addressees.

Art. 33(3) sets the minimum content: (a) the nature of the breach, the categories and
approximate number of people and records; (b) the name and contact details of the DPO "or other
contact point where more information can be obtained"; (c) the likely consequences; (d) the
measures taken or proposed. The authority's sections follow the CNIL's online form
(organisation and other organisations involved, circumstances, data, cross-border,
consequences, measures, information of people), so that the DPO copies each answer into its
field; when the risk is high, a last section drafts the message to the people (Art. 34(2): the
nature of the breach and 33(3)(b) to (d), in clear and plain language).

A processor's notice carries the same Art. 33(3) content, addressed to the controller, which
assesses the risk, notifies its authority and informs its people: the processor does neither
(EDPB Guidelines 9/2022 on personal data breach notification, section II.A.4, "Processor
obligations"). Nothing about the authority's deadline or the people's information is in it.

A missing answer is marked, not invented.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from accounts.models import Organisation

from .clock import breach_clock
from .models import Breach


@dataclass
class Row:
    label: str
    value: str
    required: bool = False  # Art. 33(3) asks for it

    @property
    def missing(self) -> bool:
        return self.required and not self.value.strip()


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Draft:
    """What the draft page shows: its title, to whom, an introduction, and the sections to copy."""

    title: str
    addressee: str
    introduction: str
    sections: list[Section]
    file_name: str  # of the PDF, without the language and extension

    @property
    def missing(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows if row.missing]


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _names(items) -> str:
    return ", ".join(str(item) for item in items)


def _joined(*parts) -> str:
    return " · ".join(part for part in parts if part)


def contact_point(organisation: Organisation) -> str:
    """Art. 33(3)(b): "the name and contact details of the data protection officer or other contact point where more
    information can be obtained": the DPO if the organisation has one, else the organisation's own contact."""
    if organisation.dpo_name or organisation.dpo_email or organisation.dpo_phone:
        return _joined(organisation.dpo_name, organisation.dpo_email, organisation.dpo_phone)
    if not (organisation.email or organisation.phone):
        return ""
    return _joined(
        _("%(organisation)s (no DPO)") % {"organisation": organisation.name}, organisation.email, organisation.phone
    )


def breach_draft(breach: Breach) -> Draft:
    """The draft in the active language and time zone: the notice to the controller for a processor's breach,
    else the notification to the supervisory authority."""
    if breach.as_processor:
        return Draft(
            title=_("Personal data breach: notice to the controller"),
            addressee=breach.controller_name,
            introduction=_(
                "Draft prepared from the breach log (%(reference)s): what a processor tells the controller without "
                "undue delay after becoming aware of a breach (Art. 33(2) GDPR), with the content of Art. 33(3), so "
                "that the controller can assess the risk, notify its supervisory authority and inform the people "
                "concerned. Information may follow in phases (Art. 33(4))."
            )
            % {"reference": breach.reference},
            sections=_notice_to_controller(breach),
            file_name=f"notice-to-controller-{breach.reference}",
        )
    return Draft(
        title=_("Personal data breach notification"),
        addressee=breach.authority or _("The supervisory authority"),
        introduction=_(
            "Draft prepared from the breach log (%(reference)s): the minimum content of Art. 33(3) GDPR, in the order "
            "of the supervisory authority's online form. Copy each answer into its field."
        )
        % {"reference": breach.reference},
        sections=notification_draft(breach),
        file_name=f"notification-{breach.reference}",
    )


def notification_draft(breach: Breach) -> list[Section]:
    """The sections of the notification to the authority, in the order of the CNIL's online form."""
    sections = [
        _organisation_section(breach),
        _notification_section(breach),
        _circumstances_section(breach),
        _data_section(breach),
        _cross_border_section(breach, authorities=True),
        _consequences_section(breach),
        _measures_section(breach),
        Section(
            _("Information of the people concerned"),
            [Row(_("People informed"), _people_informed(breach), required=breach.communication_required)],
        ),
    ]
    if breach.communication_required and breach.communication_exception not in Breach.DISPENSING:
        sections.append(_message_to_people(breach))
    return sections


def _notice_to_controller(breach: Breach) -> list[Section]:
    """Art. 33(2) with the content of 33(3): from the processor, to the controller it acts for."""
    organisation = breach.organisation
    follow_ups = [entry for entry in breach.timeline.all() if entry.kind == entry.Kind.FOLLOW_UP]
    parties = Section(
        _("From the processor, to the controller"),
        [
            Row(_("Controller (addressee)"), breach.controller_name, required=True),
            Row(_("Processor"), organisation.name, required=True),
            Row(_("Identifier (SIREN…)"), organisation.legal_identifier),
            Row(_("Data protection officer or contact point"), contact_point(organisation), required=True),
            Row(_("Other organisations involved"), breach.other_organisations),
        ],
    )
    notice = Section(
        _("Notice"),
        [
            Row(
                _("Kind"),
                _("Further information to our notice of %(date)s") % {"date": _when(breach.controller_informed_at)}
                if breach.controller_informed_at
                else _("Initial notice"),
            ),
            Row(_("Our reference"), breach.reference),
            Row(_("Became aware at"), _when(breach.aware_at), required=True),
            *[
                Row(_("Further information sent on %(date)s") % {"date": _when(entry.happened_at)}, entry.text)
                for entry in follow_ups
            ],
        ],
    )
    return [
        parties,
        notice,
        _circumstances_section(breach),
        _data_section(breach),
        _cross_border_section(breach, authorities=False),
        _consequences_section(breach),
        _measures_section(breach),
    ]


def _circumstances_section(breach: Breach) -> Section:
    return Section(
        _("Circumstances"),
        [
            Row(_("What happened"), breach.description, required=True),
            Row(_("Started at"), _when(breach.started_at)),
            Row(_("Ended at"), _("Still ongoing") if breach.is_ongoing else _when(breach.ended_at)),
            Row(_("Detected at"), _when(breach.detected_at)),
            Row(_("How it was discovered"), breach.discovery),
            Row(_("Nature of the breach"), _names(breach.nature_labels), required=True),
            Row(_("Cause"), _joined(breach.get_cause_display(), breach.get_origin_display())),
            Row(_("Systems concerned"), _names(breach.systems.all())),
        ],
    )


def _data_section(breach: Breach) -> Section:
    """Art. 33(3)(a)."""
    return Section(
        _("Data and people concerned"),
        [
            Row(_("Categories of data"), _names(breach.data_category_labels), required=True),
            Row(_("Special categories of data"), _names(breach.special_category_labels)),
            Row(_("Categories of people"), _names(breach.subject_categories.all()), required=True),
            Row(_("Approximate number of people"), _number(breach.people_count), required=True),
            Row(_("Approximate number of records"), _number(breach.records_count), required=True),
        ],
    )


def _cross_border_section(breach: Breach, *, authorities: bool) -> Section:
    """Whether people in other Member States are affected, and which (the lead authority needs it, Art. 56; EDPB
    Guidelines 9/2022, section II.C.1); for the authority, which other authorities were notified too."""
    rows = [
        Row(
            _("People in other EU Member States"),
            (_("Yes: %(states)s") % {"states": breach.member_states} if breach.member_states else _("Yes"))
            if breach.cross_border
            else _("No"),
        )
    ]
    if breach.cross_border:
        rows.append(Row(_("Which Member States"), breach.member_states, required=True))
    if authorities:
        rows.append(Row(_("Other supervisory authorities notified"), breach.other_authorities))
    return Section(_("Cross-border"), rows)


def _consequences_section(breach: Breach) -> Section:
    """Art. 33(3)(c)."""
    return Section(
        _("Likely consequences"),
        [
            Row(_("Likely consequences"), breach.consequences, required=True),
            Row(_("Risk to people"), breach.get_risk_display() if breach.risk else ""),
            Row(_("Why this level of risk"), breach.risk_reasoning),
        ],
    )


def _measures_section(breach: Breach) -> Section:
    """Art. 33(3)(d)."""
    return Section(
        _("Measures"),
        [
            Row(_("Measures taken"), breach.measures_taken, required=True),
            Row(_("Measures proposed"), breach.measures_proposed),
        ],
    )


def _message_to_people(breach: Breach) -> Section:
    """Art. 34(2): "describe in clear and plain language the nature of the personal data breach and contain at least
    the information and measures referred to in points (b), (c) and (d) of Article 33(3)"; under Art. 34(3)(c), the
    same content in the public communication."""
    measures = "\n".join(part for part in (breach.measures_taken, breach.measures_proposed) if part)
    return Section(
        _("Message to the people concerned (Art. 34(2))"),
        [
            Row(_("What happened"), breach.description, required=True),
            Row(_("Who to contact for more information"), contact_point(breach.organisation), required=True),
            Row(_("What it may mean for you"), breach.consequences, required=True),
            Row(_("What we have done and will do"), measures, required=True),
        ],
    )


def _organisation_section(breach: Breach) -> Section:
    """Who notifies: the organisation, its DPO or else its contact point (Art. 33(3)(b)), and the other organisations
    involved in the breach (the CNIL's form asks, a processor for instance)."""
    organisation = breach.organisation
    address = ", ".join(part for part in (organisation.address, organisation.postcode, organisation.city) if part)
    rows = [
        Row(_("Name"), organisation.name, required=True),
        Row(_("Identifier (SIREN…)"), organisation.legal_identifier),
        Row(_("Address"), address),
        Row(_("Data protection officer or contact point"), contact_point(organisation), required=True),
        Row(_("Acting as"), breach.get_role_display()),
        Row(_("Other organisations involved"), breach.other_organisations),
    ]
    return Section(_("Organisation"), rows)


def _notification_section(breach: Breach) -> Section:
    """Initial or further information, the deadline and the reasons for a delay, what was sent since."""
    clock = breach_clock(breach)
    timing = [
        Row(_("Became aware at"), _when(breach.aware_at), required=True),
        Row(
            _("Deadline (%(hours)d hours after becoming aware)") % {"hours": settings.BREACH_NOTIFICATION_HOURS},
            _when(clock.deadline),
        ),
    ]
    if breach.notified_at is not None or clock.left.total_seconds() < 0:
        timing.append(
            Row(
                _("Reasons for the delay"),
                breach.delay_reasons,
                required=breach.notified_late or not breach.notified_at,
            )
        )
    follow_ups = [entry for entry in breach.timeline.all() if entry.kind == entry.Kind.FOLLOW_UP]
    return Section(
        _("Notification"),
        [
            Row(
                _("Kind"),
                _("Further information to notification %(reference)s") % {"reference": breach.authority_reference}
                if breach.notified_at and breach.authority_reference
                else _("Initial notification"),
            ),
            Row(_("Our reference"), breach.reference),
            *timing,
            *[
                Row(_("Further information sent on %(date)s") % {"date": _when(entry.happened_at)}, entry.text)
                for entry in follow_ups
            ],
        ],
    )


def _people_informed(breach: Breach) -> str:
    """When and how the people were informed, and the Art. 34(3) exception relied on, if any."""
    people = (
        _("Informed on %(date)s: %(means)s")
        % {"date": _when(breach.communicated_at), "means": breach.communication_means}
        if breach.communicated_at
        else ""
    )
    if breach.communication_exception:
        people = " ".join(
            part
            for part in (people, f"{breach.get_communication_exception_display()}: {breach.exception_justification}")
            if part
        )
    return people


def _number(value) -> str:
    return "" if value is None else number_format(value, force_grouping=True)
