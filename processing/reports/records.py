"""The two records of Art. 30: an organisation keeps the controller's record (Art. 30(1)) for
the activities it decides, and the processor's record (Art. 30(2)) for those it carries out on
behalf of a controller; one that is both keeps both. Every export writes them apart, each under
its own title and its own article's letters, from the one description below: the XLSX as a
sheet per record, the CSV as a section per record, the PDF as a part per record, the JSON as
each activity's ``record`` and the header's ``records``.

A record's headings name the items of its article in order, each with the columns of
``tables.register_columns`` it holds (an activity's fields and the summaries of its parts).
Whatever the article does not ask for but Registre records (lawful basis, DPIA, review…)
comes after the lettered items, under headings without a letter, so that nothing recorded is
left out of either record. Checked against the text of Regulation (EU) 2016/679, Art. 30,
November 2026.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from processing.models import ProcessingActivity

CONTROLLER = "controller"
PROCESSOR = "processor"


def record_of(role: str) -> str:
    """The record an activity belongs to, from its role: a joint controller decides too (Art. 26), so its activity
    is in the controller's record; only an activity carried out on behalf of a controller is in the processor's."""
    return PROCESSOR if role == ProcessingActivity.Role.PROCESSOR else CONTROLLER


@dataclass(frozen=True)
class Heading:
    """One item of the article (``letter``), or "" for what Registre records beyond it, and the columns under it."""

    letter: str
    title: Promise
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    code: str
    article: str  # as the Regulation numbers it
    title: Promise
    sheet: Promise  # the XLSX sheet's name: 31 characters at most in every language
    headings: tuple[Heading, ...]
    headers: dict = field(default_factory=dict)  # column key -> its header in this record, where it differs

    @property
    def keys(self) -> list[str]:
        return [key for heading in self.headings for key in heading.keys]


IDENTIFICATION = ("reference", "name", "description", "status", "role", "owner_unit", "owner_contact", "software")
LAWFUL_BASIS = (
    "lawful_basis",
    "lawful_basis_evidence",
    "special_condition",
    "special_condition_reference",
    "criminal_data_basis",
)
RISK = Heading(
    "",
    _("Risk: DPIA and automated decisions (Art. 35, Art. 22)"),
    (
        "criteria",
        "dpia_status",
        "dpia_date",
        "dpia_reference",
        "has_automated_decision",
        "automated_decision_details",
    ),
)
REVIEW = Heading("", _("Review"), ("last_reviewed_on", "next_review_on"))

CONTROLLER_RECORD = Record(
    CONTROLLER,
    "30(1)",
    _("Record of processing activities as a controller (Art. 30(1))"),
    _("Record as controller"),
    (
        # (a) "the name and contact details of the controller and, where applicable, the joint controller, the
        # controller's representative and the data protection officer": the organisation's own are the record's header.
        Heading("a", _("(a) Controller and parties"), (*IDENTIFICATION, "joint_arrangement", "controller_parties")),
        Heading("b", _("(b) Purposes and lawful basis"), ("purpose", "sub_purposes", *LAWFUL_BASIS)),
        Heading("c", _("(c) People and personal data"), ("data_subjects", "data_fields", "sources", "source_details")),
        Heading("d", _("(d) Recipients and storage"), ("recipients", "systems", "storage_countries")),
        Heading("e", _("(e) Transfers outside the EEA"), ("transfers",)),
        Heading("f", _("(f) Retention"), ("retention_lines",)),
        Heading("g", _("(g) Security measures"), ("security_measures",)),
        RISK,
        REVIEW,
    ),
)

PROCESSOR_RECORD = Record(
    PROCESSOR,
    "30(2)",
    _("Record of processing activities carried out as a processor (Art. 30(2))"),
    _("Record as processor"),
    (
        # (a) "the name and contact details of the processor or processors and of each controller on behalf of which
        # the processor is acting, and, where applicable, of the controller's or the processor's representative, and
        # the data protection officer": the organisation's own are the record's header, each controller's its row.
        Heading("a", _("(a) Processor and the controllers it acts for"), (*IDENTIFICATION, "controller_parties")),
        # (b) "the categories of processing carried out on behalf of each controller".
        Heading(
            "b",
            _("(b) Categories of processing carried out on behalf of each controller"),
            ("purpose", "sub_purposes", "data_subjects", "data_fields", "recipients", "systems", "storage_countries"),
        ),
        Heading("c", _("(c) Transfers outside the EEA"), ("transfers",)),
        Heading("d", _("(d) Security measures"), ("security_measures",)),
        Heading(
            "",
            _("Further information (beyond Art. 30(2))"),
            (*LAWFUL_BASIS, "sources", "source_details", "retention_lines", "joint_arrangement"),
        ),
        RISK,
        REVIEW,
    ),
    headers={"controller_parties": _("Controllers on whose behalf we act")},
)

RECORDS = {CONTROLLER: CONTROLLER_RECORD, PROCESSOR: PROCESSOR_RECORD}
