"""What an activity must record before it can be active: the Art. 30 items, by letter.

The one place where these rules live: the web forms, the API, imports and the register
pages all ask ``missing_items``. The rules read a few facts about the activity's rows
(``Facts``); those facts come either from the rows themselves (whatever the caller
prefetched) or, for a long list, from one query the database answers for a whole page
(``completeness_facts``).
"""

from dataclasses import dataclass, replace

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField
from processing.models import (
    ActivityDataSubject,
    ControllerParty,
    ProcessingActivity,
    RetentionLine,
    SecurityMeasure,
    Transfer,
)

# Art. 9(2)(b), (g), (h), (i) and (j) apply only on the basis of Union or Member State law.
CONDITIONS_NEEDING_A_LAW = frozenset("bghij")


@dataclass(frozen=True)
class MissingItem:
    article: str  # as the GDPR cites it: "30(1)(b)", "6(1)", "9(2)"
    section: str  # the form section (and anchor) where it is filled in
    message: Promise

    def __str__(self):
        return f"Art. {self.article}: {self.message}"


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about an activity's rows and links."""

    has_parties: bool
    party_without_contact: bool
    has_subjects: bool
    has_data_fields: bool
    has_recipients: bool
    has_special_category: bool
    has_criminal_data: bool
    transfers_without_tool: tuple[str, ...]  # their destinations, to name them
    compelling_transfer_without_safeguards: bool
    has_defined_retention: bool
    has_security_measures: bool


def facts_from_rows(activity: ProcessingActivity) -> Facts:
    """The facts, read from the activity's rows (prefetched ones if the caller prefetched)."""
    parties = list(activity.controller_parties.all())
    fields = list(activity.data_fields.all())
    transfers = list(activity.transfers.all())
    return Facts(
        has_parties=bool(parties),
        party_without_contact=any(not party.contact.strip() for party in parties),
        has_subjects=bool(activity.subject_links.all()),
        has_data_fields=bool(fields),
        has_recipients=bool(activity.recipients.all()),
        has_special_category=any(field.is_special_category for field in fields),
        has_criminal_data=any(field.is_criminal for field in fields),
        transfers_without_tool=tuple(destination_name(t) for t in transfers if not t.mechanism),
        compelling_transfer_without_safeguards=any(
            t.mechanism == Transfer.Mechanism.COMPELLING_INTEREST and not t.safeguards.strip() for t in transfers
        ),
        has_defined_retention=any(line.is_defined for line in activity.retention_lines.all()),
        has_security_measures=bool(activity.security_measures.all()),
    )


def destination_name(transfer: Transfer) -> str:
    return str(transfer.destination or "?")


# The fields of the activity itself that ``missing_items`` reads: a list loads only these.
ITEM_FIELDS = (
    "role",
    "joint_arrangement",
    "purpose",
    "lawful_basis",
    "special_condition",
    "special_condition_reference",
    "criminal_data_basis",
)


# One statement for the facts of a page of activities, rather than eleven ORM ``Exists``
# annotations: building and compiling those took 3.6 ms per page of the register, running
# them 0.7 ms. Portable (SQLite, PostgreSQL); every value is a query parameter, only table
# names (from the models) are written into the text. Its answers are tested against
# ``facts_from_rows``.
#
# For a page, ``one_row`` ends each EXISTS with "LIMIT 1 OFFSET 0", which PostgreSQL does not turn into a hashed
# semi-join: it probes each activity's rows through their index, where it otherwise hashed whole tables (every
# activity's subjects, retention and security rows) for 50 activities, and each data field's category by its key,
# where it otherwise scanned the organisation's data fields once per activity. At 10,000 activities, 24-27 ms ->
# 3-4 ms side by side on a loaded machine (the bench's list page spent a quarter of its time there). For a whole
# organisation (``organisation_facts``), hashing is the better plan and is left to it.
FACTS_SQL = """
SELECT a.id,
  EXISTS (SELECT 1 FROM {party} r WHERE r.activity_id = a.id{one_row}),
  EXISTS (SELECT 1 FROM {party} r WHERE r.activity_id = a.id AND r.contact = ''{one_row}),
  EXISTS (SELECT 1 FROM {subject} r WHERE r.activity_id = a.id{one_row}),
  EXISTS (SELECT 1 FROM {fields} r WHERE r.processingactivity_id = a.id{one_row}),
  EXISTS (SELECT 1 FROM {recipients} r WHERE r.processingactivity_id = a.id{one_row}),
  EXISTS (SELECT 1 FROM {fields} r WHERE r.processingactivity_id = a.id
          AND EXISTS (SELECT 1 FROM {field} d WHERE d.id = r.datafield_id AND d.category = %s{one_row}){one_row}),
  EXISTS (SELECT 1 FROM {fields} r WHERE r.processingactivity_id = a.id
          AND EXISTS (SELECT 1 FROM {field} d WHERE d.id = r.datafield_id AND d.category = %s{one_row}){one_row}),
  (SELECT COUNT(*) FROM {transfer} r WHERE r.activity_id = a.id AND r.mechanism = ''),
  EXISTS (SELECT 1 FROM {transfer} r WHERE r.activity_id = a.id AND r.mechanism = %s AND r.safeguards = ''{one_row}),
  EXISTS (SELECT 1 FROM {retention} r
          WHERE r.activity_id = a.id AND (r.duration IS NOT NULL OR r.criteria <> ''){one_row}),
  EXISTS (SELECT 1 FROM {security} r WHERE r.activity_id = a.id{one_row})
FROM {activity} a WHERE {where}
"""


def _facts_sql(where: str, *, one_row: str = "") -> str:
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in {
            "activity": ProcessingActivity,
            "party": ControllerParty,
            "subject": ActivityDataSubject,
            "fields": ProcessingActivity.data_fields.through,
            "field": DataField,
            "recipients": ProcessingActivity.recipients.through,
            "transfer": Transfer,
            "retention": RetentionLine,
            "security": SecurityMeasure,
        }.items()
    }
    return FACTS_SQL.format(**tables, where=where, one_row=one_row)


def completeness_facts(activity_ids, *, name_destinations: bool = False) -> dict[int, Facts]:
    """The facts of each of these activities, computed by the database in one query. Transfers without a tool are
    counted; with ``name_destinations``, named as ``facts_from_rows`` names them (one more query, if there are any)."""
    activity_ids = list(activity_ids)
    if not activity_ids:
        return {}
    facts = _facts(f"a.id IN ({', '.join(['%s'] * len(activity_ids))})", activity_ids, one_row=" LIMIT 1 OFFSET 0")
    unnamed = [pk for pk, found in facts.items() if found.transfers_without_tool]
    if name_destinations and unnamed:
        names = {}
        transfers = Transfer.objects.filter(activity__in=unnamed, mechanism="")
        for transfer in transfers.select_related("country", "international_organisation"):
            names.setdefault(transfer.activity_id, []).append(destination_name(transfer))
        for pk in unnamed:
            facts[pk] = replace(facts[pk], transfers_without_tool=tuple(names.get(pk, ())))
    return facts


def organisation_facts(organisation_id: int, status: str) -> dict[int, Facts]:
    """The facts of every activity of the organisation in ``status``, in one query."""
    return _facts("a.organisation_id = %s AND a.status = %s", [organisation_id, status])


def _facts(where: str, where_parameters: list, *, one_row: str = "") -> dict[int, Facts]:
    parameters = [
        DataField.Category.SPECIAL,
        DataField.Category.CRIMINAL,
        Transfer.Mechanism.COMPELLING_INTEREST,
        *where_parameters,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(where, one_row=one_row), parameters)
        found = cursor.fetchall()
    return {
        pk: Facts(
            has_parties=bool(parties),
            party_without_contact=bool(party_without_contact),
            has_subjects=bool(subjects),
            has_data_fields=bool(data_fields),
            has_recipients=bool(recipients),
            has_special_category=bool(special),
            has_criminal_data=bool(criminal),
            transfers_without_tool=("?",) * transfers_without_tool,
            compelling_transfer_without_safeguards=bool(compelling),
            has_defined_retention=bool(retention),
            has_security_measures=bool(security),
        )
        for (
            pk,
            parties,
            party_without_contact,
            subjects,
            data_fields,
            recipients,
            special,
            criminal,
            transfers_without_tool,
            compelling,
            retention,
            security,
        ) in found
    }


def missing_items(activity: ProcessingActivity, facts: Facts | None = None) -> list[MissingItem]:
    """Every mandatory item the activity lacks, in the order of Art. 30 then Art. 6, 9, 10."""
    facts = facts or facts_from_rows(activity)
    processor = activity.role == ProcessingActivity.Role.PROCESSOR
    return [item for letter in ART_30_LETTERS for item in letter(activity, facts, processor)]


def _identity(activity, facts, processor):
    """(a): who the controller, the joint controllers or the controllers served are, and how to reach them."""
    identity = "30(2)(a)" if processor else "30(1)(a)"
    organisation = activity.organisation
    if not (organisation.address or organisation.email or organisation.phone):
        yield MissingItem(identity, "identity", _("the organisation's contact details (Settings)"))
    if facts.party_without_contact:
        yield MissingItem(identity, "identity", _("the contact details of every other controller"))
    if activity.role == ProcessingActivity.Role.JOINT_CONTROLLER:
        if not facts.has_parties:
            yield MissingItem("30(1)(a)", "identity", _("the joint controllers and their contact details"))
        if not activity.joint_arrangement.strip():
            yield MissingItem("26", "identity", _("the arrangement between joint controllers"))
    if processor and not facts.has_parties:
        yield MissingItem("30(2)(a)", "identity", _("the controllers on whose behalf you act"))


def _purposes(activity, facts, processor):
    """(b): the purposes (for a processor, the categories of processing)."""
    if not activity.purpose.strip():
        yield MissingItem("30(2)(b)" if processor else "30(1)(b)", "purposes", _("the main purpose"))


def _people_and_data(activity, facts, processor):
    """(c): the categories of people and of personal data (a controller's record only)."""
    if processor:
        return
    if not facts.has_subjects:
        yield MissingItem("30(1)(c)", "data", _("at least one category of people"))
    if not facts.has_data_fields:
        yield MissingItem("30(1)(c)", "data", _("at least one category of personal data"))


def _recipients(activity, facts, processor):
    """(d): the categories of recipients (a controller's record only)."""
    if not processor and not facts.has_recipients:
        yield MissingItem("30(1)(d)", "recipients", _("at least one recipient"))


def _transfers(activity, facts, processor):
    """(e), or 30(2)(c) for a processor: each transfer's tool, and the safeguards of a one-off transfer."""
    letter = "30(2)(c)" if processor else "30(1)(e)"
    for destination in facts.transfers_without_tool:
        yield MissingItem(
            letter,
            "transfers",
            _("the transfer tool for the transfer to %(destination)s") % {"destination": destination},
        )
    if facts.compelling_transfer_without_safeguards:
        yield MissingItem(letter, "transfers", _("the safeguards of the one-off transfer"))


def _retention(activity, facts, processor):
    """(f): how long the data is kept (a controller's record only)."""
    if not processor and not facts.has_defined_retention:
        yield MissingItem("30(1)(f)", "retention", _("how long the data is kept"))


def _security(activity, facts, processor):
    """(g), or 30(2)(d) for a processor: the security measures."""
    if not facts.has_security_measures:
        yield MissingItem("30(2)(d)" if processor else "30(1)(g)", "security", _("at least one security measure"))


def _lawfulness(activity, facts, processor):
    """Art. 6(1), 9(2) and 10, which activation also requires of a controller's activity."""
    if processor:
        return
    if not activity.lawful_basis:
        yield MissingItem("6(1)", "purposes", _("the lawful basis"))
    if facts.has_special_category:
        if not activity.special_condition:
            yield MissingItem("9(2)", "purposes", _("the Art. 9(2) condition for the special categories of data"))
        elif (
            activity.special_condition in CONDITIONS_NEEDING_A_LAW and not activity.special_condition_reference.strip()
        ):
            yield MissingItem(
                "9(2)",
                "purposes",
                _(
                    "the law the Art. 9(2) condition rests on (for (b), the law or collective agreement; for (h), the "
                    "law or contract with a health professional)"
                ),
            )
    if facts.has_criminal_data and not activity.criminal_data_basis.strip():
        yield MissingItem("10", "purposes", _("the legal basis for criminal-offence data"))


# In the order of the record: Art. 30 letter by letter, then Art. 6, 9 and 10.
ART_30_LETTERS = (_identity, _purposes, _people_and_data, _recipients, _transfers, _retention, _security, _lawfulness)
