"""Storage locations and transfers outside the EEA (GDPR Chapter V, Art. 30(1)(e))."""

import calendar
import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import AdequacyDecision, Recipient, SystemCountry
from processing.compliance.rules.registry import Hit, current_activities, rule
from processing.models import ProcessingActivity, Transfer

OBSOLETE = (Transfer.Mechanism.SCC_PRE_2021, Transfer.Mechanism.PRIVACY_SHIELD)


def _hits(destinations, **params):
    """One hit per activity naming its destinations, from (activity, [country, importer]) pairs: sorted, with
    ``params`` (what every transfer rule's message needs)."""
    by_activity = defaultdict(list)
    for activity_id, destination in destinations:
        by_activity[activity_id].append(destination)
    for activity_id, found in by_activity.items():
        yield Hit(ProcessingActivity, activity_id, {"destinations": sorted(found), **params})


def _by_activity(rows):
    grouped = defaultdict(list)
    for activity_id, *rest in rows:
        grouped[activity_id].append(tuple(rest))
    return grouped


@rule(
    "transfer.destination_uncovered",
    family="transfers",
    severity="high",
    article="44, 30(1)(e)",
    message=_(
        "Data is stored or received outside the EEA without a transfer row: %(destinations)s. "
        "Add a transfer row with its transfer tool for each, or stop using these systems or recipients."
    ),
    section="transfers",
)
def destinations_uncovered(organisation, today):
    activities = current_activities(organisation).values("pk")
    # A system is covered by a row naming it, or naming its host (the recipient that runs it).
    systems = SystemCountry.objects.filter(system__activities__in=activities, country__is_eea=False).values_list(
        "system__activities", "country_id", "system_id", "system__hosting_provider_id", "system__name"
    )
    recipients = Recipient.objects.filter(activities__in=activities, country__is_eea=False).values_list(
        "activities", "country_id", "pk", "pk", "name"
    )
    rows = Transfer.objects.filter(activity__in=activities, country__isnull=False).values_list(
        "activity_id", "country_id", "system_id", "recipient_id"
    )
    covered = _by_activity(rows)
    missing = []
    for kind, found in (("system", systems), ("recipient", recipients)):
        for activity_id, country, importer_id, host_id, importer_name in found:
            for row_country, row_system, row_recipient in covered.get(activity_id, []):
                no_importer = row_system is None and row_recipient is None
                same = (row_system if kind == "system" else row_recipient) == importer_id or (
                    host_id is not None and row_recipient == host_id
                )
                if row_country == country and (no_importer or same):
                    break
            else:
                missing.append((activity_id, [country, importer_name]))
    yield from _hits(missing)


@rule(
    "transfer.no_valid_tool",
    family="transfers",
    severity="high",
    article="44-46, 49",
    message=_(
        "Transfers with no valid transfer tool today: %(destinations)s. Either the row names no tool, or it "
        "relies on an adequacy decision that is not in force. Choose standard contractual clauses, binding "
        "corporate rules or another Art. 46 safeguard, or document an Art. 49 derogation."
    ),
    section="transfers",
)
def transfers_without_valid_tool(organisation, today):
    adequate = set(AdequacyDecision.objects.in_force_on(today).values_list("country_id", flat=True))
    rows = Transfer.objects.filter(activity__in=current_activities(organisation).values("pk"), country__isnull=False)
    # No tool, or an adequacy decision not in force (the countries with one are a few dozen).
    rows = rows.filter(Q(mechanism="") | (Q(mechanism=Transfer.Mechanism.ADEQUACY) & ~Q(country_id__in=adequate)))
    rows = rows.values_list("activity_id", "country_id", "recipient__name")
    yield from _hits((activity_id, [country, importer or ""]) for activity_id, country, importer in rows)


@rule(
    "transfer.obsolete_instrument",
    family="transfers",
    severity="high",
    article="46",
    message=_(
        "Transfers rely on an instrument that no longer protects them (pre-2021 standard contractual "
        "clauses or the Privacy Shield): %(destinations)s. Sign the 2021 standard contractual clauses, or "
        "rely on the EU-US Data Privacy Framework if the US importer is certified."
    ),
    section="transfers",
)
def obsolete_instruments(organisation, today):
    rows = Transfer.objects.filter(
        activity__in=current_activities(organisation).values("pk"), mechanism__in=OBSOLETE, country__isnull=False
    )
    rows = rows.values_list("activity_id", "country_id", "recipient__name")
    yield from _hits((activity_id, [country, importer or ""]) for activity_id, country, importer in rows)


# Every Art. 46 tool needs a transfer impact assessment: the CJEU in Schrems II (C-311/18, paras 134-135) and the EDPB
# (Recommendations 01/2020 v2.0, step 3) require the exporter to assess whether the law and practice of the
# destination impinge on the effectiveness of "the Article 46 GDPR transfer tool you are relying on", whichever it is.
# Not adequacy (Art. 45) nor the Art. 49 derogations; the obsolete tools have a finding of their own.
SAFEGUARDS_NEEDING_A_TIA = (
    Transfer.Mechanism.SCC_MODULE_1,
    Transfer.Mechanism.SCC_MODULE_2,
    Transfer.Mechanism.SCC_MODULE_3,
    Transfer.Mechanism.SCC_MODULE_4,
    Transfer.Mechanism.SCC_AUTHORITY,
    Transfer.Mechanism.BCR,
    Transfer.Mechanism.CODE_OF_CONDUCT,
    Transfer.Mechanism.CERTIFICATION,
    Transfer.Mechanism.AD_HOC_CLAUSES,
    Transfer.Mechanism.PUBLIC_BODY,
    Transfer.Mechanism.ADMINISTRATIVE_ARRANGEMENT,
)


def _adequacy_rows(organisation, today):
    """(activity, country, importer name, recipient certified?, scope confirmed?, decision) of
    every transfer relying on an adequacy decision in force today."""
    decisions = {decision.country_id: decision for decision in AdequacyDecision.objects.in_force_on(today)}
    rows = Transfer.objects.filter(
        activity__in=current_activities(organisation).values("pk"), mechanism=Transfer.Mechanism.ADEQUACY
    ).values_list(
        "activity_id", "country_id", "recipient__name", "recipient__is_dpf_certified", "adequacy_scope_confirmed"
    )
    for activity_id, country, importer, certified, confirmed in rows:
        if country in decisions:
            yield activity_id, country, importer or "", certified, confirmed, decisions[country]


@rule(
    "transfer.adequacy_out_of_scope",
    family="transfers",
    severity="high",
    article="45",
    message=_(
        "Transfers rely on an adequacy decision that covers only part of the country, and the importer is "
        "not shown to be covered: %(destinations)s. For the United States, the importer must be certified "
        "under the Data Privacy Framework (check the DPF list); for a partial decision, confirm the importer "
        "is within its scope. Otherwise, use standard contractual clauses."
    ),
    section="transfers",
)
def adequacy_out_of_scope(organisation, today):
    uncovered = []
    for activity_id, country, importer, certified, confirmed, decision in _adequacy_rows(organisation, today):
        if decision.requires_dpf_certification:
            covered = bool(certified)
        else:
            covered = decision.scope == AdequacyDecision.Scope.FULL or confirmed
        if not covered:
            uncovered.append((activity_id, [country, importer]))
    yield from _hits(uncovered)


ADEQUACY_WARNING = datetime.timedelta(days=183)  # six months


@rule(
    "transfer.adequacy_expiring",
    family="transfers",
    severity="medium",
    article="45",
    message=_(
        "The adequacy decision these transfers rely on ends within six months: %(destinations)s. Plan "
        "another transfer tool (standard contractual clauses) in case it is not renewed."
    ),
    section="transfers",
)
def adequacy_expiring(organisation, today):
    yield from _hits(
        (activity_id, [country, importer])
        for activity_id, country, importer, _certified, _confirmed, decision in _adequacy_rows(organisation, today)
        if decision.ends_on is not None and decision.ends_on <= today + ADEQUACY_WARNING
    )


@rule(
    "transfer.tia_missing",
    family="transfers",
    severity="medium",
    article="46, Schrems II",
    message=_(
        "Transfers under an Art. 46 safeguard (standard contractual clauses, binding corporate rules, a code of "
        "conduct, a certification, ad hoc clauses, an instrument or arrangement between public bodies) have no "
        "transfer impact assessment, or one older than %(months)s months: %(destinations)s. Assess the law and "
        "practice of the destination, record the date and reference of the assessment, and add measures if needed."
    ),
    section="transfers",
)
def tia_missing(organisation, today):
    months = organisation.tia_review_months
    oldest = _months_before(today, months)
    rows = Transfer.objects.filter(
        activity__in=current_activities(organisation).values("pk"),
        mechanism__in=SAFEGUARDS_NEEDING_A_TIA,
        country__isnull=False,
    ).values_list("activity_id", "country_id", "recipient__name", "system__name", "tia_date")
    yield from _hits(
        (
            (activity_id, [country, recipient or system or ""])
            for activity_id, country, recipient, system, tia_date in rows
            if tia_date is None or tia_date < oldest
        ),
        months=months,
    )


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier (the month's last day when it is shorter: 31 → 30)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# Commission Implementing Decision (EU) 2021/914, Annex: Module One controller to controller, Module Two controller to
# processor, Module Three processor to processor, Module Four processor to controller. (exporter is a processor,
# importer is a controller) -> the module that fits.
SCC_MODULE_FOR = {
    (False, True): Transfer.Mechanism.SCC_MODULE_1,
    (False, False): Transfer.Mechanism.SCC_MODULE_2,
    (True, False): Transfer.Mechanism.SCC_MODULE_3,
    (True, True): Transfer.Mechanism.SCC_MODULE_4,
}


@rule(
    "transfer.scc_module_mismatch",
    family="transfers",
    severity="medium",
    article="46(2)(c), Decision (EU) 2021/914",
    message=_(
        "The module of the standard contractual clauses does not fit the roles of exporter and importer: "
        "%(destinations)s. Use module 1 from a controller to a controller, 2 from a controller to a processor, 3 "
        "from a processor to a processor and 4 from a processor to a controller, or correct the importer's role."
    ),
    section="transfers",
)
def scc_module_mismatch(organisation, today):
    rows = (
        Transfer.objects.filter(
            activity__in=current_activities(organisation).values("pk"),
            mechanism__in=list(SCC_MODULE_FOR.values()),
            country__isnull=False,
        )
        .exclude(importer_role="")
        .values_list("activity_id", "activity__role", "importer_role", "mechanism", "country_id", "recipient__name")
    )
    processor, controller = ProcessingActivity.Role.PROCESSOR, Transfer.ImporterRole.CONTROLLER
    yield from _hits(
        (activity_id, [country, importer or ""])
        for activity_id, role, importer_role, mechanism, country, importer in rows
        if mechanism != SCC_MODULE_FOR[(role == processor, importer_role == controller)]
    )
