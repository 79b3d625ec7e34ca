"""What an activity must record before it can be active: the Art. 30 items, by letter.

The one place where these rules live: the web forms, the API, imports and the register
pages all ask ``missing_items``. It reads the activity's related rows through whatever
the caller prefetched (see ``selectors.activities_with_details``), so the register list can
show every activity's completeness without a query per row.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ProcessingActivity, Transfer

# Art. 9(2)(b), (g), (h), (i) and (j) apply only on the basis of Union or Member State law.
CONDITIONS_NEEDING_A_LAW = frozenset("bghij")


@dataclass(frozen=True)
class MissingItem:
    article: str  # as the GDPR cites it: "30(1)(b)", "6(1)", "9(2)"
    section: str  # the form section (and anchor) where it is filled in
    message: Promise

    def __str__(self):
        return f"Art. {self.article}: {self.message}"


def missing_items(activity: ProcessingActivity) -> list[MissingItem]:
    """Every mandatory item the activity lacks, in the order of Art. 30 then Art. 6, 9, 10."""
    missing = []
    organisation = activity.organisation
    processor = activity.role == ProcessingActivity.Role.PROCESSOR
    letters = {"identity": "30(2)(a)" if processor else "30(1)(a)"}

    if not (organisation.address or organisation.email or organisation.phone):
        missing.append(MissingItem(letters["identity"], "identity", _("the organisation's contact details (Settings)")))
    parties = list(activity.controller_parties.all())
    if any(not party.contact.strip() for party in parties):
        missing.append(MissingItem(letters["identity"], "identity", _("the contact details of every other controller")))
    if activity.role == ProcessingActivity.Role.JOINT_CONTROLLER:
        if not parties:
            missing.append(MissingItem("30(1)(a)", "identity", _("the joint controllers and their contact details")))
        if not activity.joint_arrangement.strip():
            missing.append(MissingItem("26", "identity", _("the arrangement between joint controllers")))
    if processor and not parties:
        missing.append(MissingItem("30(2)(a)", "identity", _("the controllers on whose behalf you act")))

    if not activity.purpose.strip():
        missing.append(MissingItem("30(2)(b)" if processor else "30(1)(b)", "purposes", _("the main purpose")))
    if not processor:
        if not activity.subject_links.all():
            missing.append(MissingItem("30(1)(c)", "data", _("at least one category of people")))
        if not activity.data_fields.all():
            missing.append(MissingItem("30(1)(c)", "data", _("at least one category of personal data")))
        if not activity.recipients.all():
            missing.append(MissingItem("30(1)(d)", "recipients", _("at least one recipient")))

    transfer_letter = "30(2)(c)" if processor else "30(1)(e)"
    for transfer in activity.transfers.all():
        if not transfer.mechanism:
            missing.append(
                MissingItem(
                    transfer_letter,
                    "transfers",
                    _("the transfer tool for the transfer to %(destination)s")
                    % {"destination": transfer.destination or "?"},
                )
            )
        elif transfer.mechanism == Transfer.Mechanism.COMPELLING_INTEREST and not transfer.safeguards.strip():
            missing.append(MissingItem(transfer_letter, "transfers", _("the safeguards of the one-off transfer")))

    if not processor and not any(line.is_defined for line in activity.retention_lines.all()):
        missing.append(MissingItem("30(1)(f)", "retention", _("how long the data is kept")))
    if not activity.security_measures.all():
        missing.append(
            MissingItem("30(2)(d)" if processor else "30(1)(g)", "security", _("at least one security measure"))
        )

    if not processor:
        if not activity.lawful_basis:
            missing.append(MissingItem("6(1)", "purposes", _("the lawful basis")))
        fields = list(activity.data_fields.all())
        if any(field.is_special_category for field in fields):
            if not activity.special_condition:
                missing.append(
                    MissingItem("9(2)", "purposes", _("the Art. 9(2) condition for the special categories of data"))
                )
            elif (
                activity.special_condition in CONDITIONS_NEEDING_A_LAW
                and not activity.special_condition_reference.strip()
            ):
                missing.append(MissingItem("9(2)", "purposes", _("the law the Art. 9(2) condition rests on")))
        if any(field.is_criminal for field in fields) and not activity.criminal_data_basis.strip():
            missing.append(MissingItem("10", "purposes", _("the legal basis for criminal-offence data")))
    return missing
