"""The notification to the supervisory authority, drafted from the breach record.

Art. 33(3) sets its minimum content: (a) the nature of the breach, the categories and
approximate number of people and records; (b) the DPO's contact; (c) the likely
consequences; (d) the measures taken or proposed. The sections follow the CNIL's online
form (organisation, circumstances, data, consequences, measures, information of people), so
that the DPO copies each answer into its field. A missing answer is marked, not invented.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

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


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _names(items) -> str:
    return ", ".join(str(item) for item in items)


def notification_draft(breach: Breach) -> list[Section]:
    """The sections of the notification, in the active language and time zone."""
    return [
        _organisation_section(breach),
        _notification_section(breach),
        Section(
            _("Circumstances"),
            [
                Row(_("What happened"), breach.description, required=True),
                Row(_("Started at"), _when(breach.started_at)),
                Row(_("Ended at"), _("Still ongoing") if breach.is_ongoing else _when(breach.ended_at)),
                Row(_("Detected at"), _when(breach.detected_at)),
                Row(_("How it was discovered"), breach.discovery),
                Row(_("Nature of the breach"), _names(breach.nature_labels), required=True),
                Row(
                    _("Cause"),
                    " · ".join(part for part in (breach.get_cause_display(), breach.get_origin_display()) if part),
                ),
                Row(_("Systems concerned"), _names(breach.systems.all())),
            ],
        ),
        Section(
            _("Data and people concerned"),
            [
                Row(_("Categories of data"), _names(breach.data_category_labels), required=True),
                Row(_("Special categories of data"), _names(breach.special_category_labels)),
                Row(_("Categories of people"), _names(breach.subject_categories.all()), required=True),
                Row(_("Approximate number of people"), _number(breach.people_count), required=True),
                Row(_("Approximate number of records"), _number(breach.records_count), required=True),
            ],
        ),
        Section(
            _("Likely consequences"),
            [
                Row(_("Likely consequences"), breach.consequences, required=True),
                Row(_("Risk to people"), breach.get_risk_display() if breach.risk else ""),
                Row(_("Why this level of risk"), breach.risk_reasoning),
            ],
        ),
        Section(
            _("Measures"),
            [
                Row(_("Measures taken"), breach.measures_taken, required=True),
                Row(_("Measures proposed"), breach.measures_proposed),
            ],
        ),
        Section(
            _("Information of the people concerned"),
            [Row(_("People informed"), _people_informed(breach), required=breach.communication_required)],
        ),
    ]


def _organisation_section(breach: Breach) -> Section:
    """Who notifies: the organisation, its DPO, and as a processor the controller it acts for."""
    organisation = breach.organisation
    address = ", ".join(part for part in (organisation.address, organisation.postcode, organisation.city) if part)
    dpo = " · ".join(part for part in (organisation.dpo_name, organisation.dpo_email, organisation.dpo_phone) if part)
    rows = [
        Row(_("Name"), organisation.name, required=True),
        Row(_("Identifier (SIREN…)"), organisation.legal_identifier),
        Row(_("Address"), address),
        Row(_("Data protection officer or contact point"), dpo, required=True),
        Row(_("Acting as"), breach.get_role_display()),
    ]
    if breach.role == Breach.Role.PROCESSOR:
        rows += [
            Row(_("Controller"), breach.controller_name),
            Row(_("Controller informed at"), _when(breach.controller_informed_at)),
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
