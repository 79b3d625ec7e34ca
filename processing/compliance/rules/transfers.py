"""Storage locations and transfers outside the EEA (GDPR Chapter V, Art. 30(1)(e)).

A transfer's destination is a country or an international organisation: Chapter V treats them alike (Art. 44-49),
so every rule on tools, adequacy and assessments reads both. Adequacy is the decision in force on the day checked
(``AdequacyDecision.objects.by_destination_on``): a destination whose decision was replaced, such as the United
Kingdom's, is judged under the one of that day.
"""

import calendar
import datetime
from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from inventory.models import AdequacyDecision, Recipient, System, SystemCountry
from processing.compliance.rules.registry import Hit, current_activities, current_systems, rule
from processing.models import ProcessingActivity, Transfer

OBSOLETE = (Transfer.Mechanism.SCC_PRE_2021, Transfer.Mechanism.PRIVACY_SHIELD)

# What a row says of its destination and importer, for the messages: the country's code (its name is given in the
# reader's language) or the international organisation's name, then the recipient's or the system's name.
ROW_NAMES = ("country_id", "international_organisation__name", "recipient__name", "system__name")


def _hits(destinations, **params):
    """One hit per activity naming its destinations, from (activity, [destination, importer]) pairs: sorted, with
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


def _transfers(organisation, **filters):
    """The transfer rows of the register that name a destination: a country or an international organisation."""
    rows = Transfer.objects.filter(activity__in=current_activities(organisation).values("pk"), **filters)
    return rows.filter(Q(country__isnull=False) | Q(international_organisation__isnull=False))


def _named(country, organisation_name, recipient, system) -> list:
    """[destination, importer] as a finding's ``destinations`` hold them."""
    return [country or organisation_name, recipient or system or ""]


def _destination_key(country, organisation_id) -> tuple:
    """The key ``AdequacyDecision.destination_key`` gives the decisions of this destination."""
    return ("country", country) if country else ("organisation", organisation_id)


# EDPB Guidelines 05/2021 on the interplay between Art. 3 and Chapter V (v2.0, criterion 2): a transfer needs an
# exporter disclosing data to *another* controller or processor, the importer. Data the organisation stores itself in a
# third country (its own data centre, its staff's laptops, its paper archive, with no company running them for it)
# is not transferred, but the risks of that country's law must still be assessed (Art. 24, 32).
SELF_OPERATED = System.self_operated(prefix="system__")


@rule(
    "transfer.destination_uncovered",
    title=_("Destination outside the EEA without a transfer row"),
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
    """Art. 44: a system run by a company (its host) or a recipient outside the EEA receives the data. Storage the
    organisation runs itself is not a transfer (``transfer.own_storage_outside_eea``).

    A destination is covered by a transfer row of the activity to its country naming no importer, or naming the
    system, or the recipient (for a system, its host). Only the destinations no row covers are read, each found
    with NOT EXISTS in the database (reading every link and transfer row of the register to match them in Python
    took 2.5-3.5 s at 100,000 activities)."""
    activities = current_activities(organisation).order_by().values("pk")
    anonymous = Q(system__isnull=True, recipient__isnull=True)
    systems = (
        SystemCountry.objects.filter(system__activities__in=activities, country__is_eea=False)
        .exclude(SELF_OPERATED)
        .annotate(linked=F("system__activities"))  # the link just joined, not another
        .exclude(
            Exists(
                Transfer.objects.filter(activity_id=OuterRef("linked"), country_id=OuterRef("country_id")).filter(
                    anonymous
                    | Q(system_id=OuterRef("system_id"))
                    | Q(recipient_id=OuterRef("system__hosting_provider_id"))
                )
            )
        )
        .values_list("linked", "country_id", "system__name")
    )
    recipients = (
        Recipient.objects.filter(activities__in=activities, country__is_eea=False)
        .annotate(linked=F("activities"))
        .exclude(
            Exists(
                Transfer.objects.filter(activity_id=OuterRef("linked"), country_id=OuterRef("country_id")).filter(
                    anonymous | Q(recipient_id=OuterRef("pk"))
                )
            )
        )
        .values_list("linked", "country_id", "name")
    )
    missing = [
        (activity_id, [country, importer_name])
        for found in (systems, recipients)
        for activity_id, country, importer_name in found.order_by()
    ]
    yield from _hits(missing)


@rule(
    "transfer.own_storage_outside_eea",
    title=_("Own storage outside the EEA: risks to assess"),
    family="transfers",
    severity="medium",
    article="24, 32",
    source=_("EDPB Guidelines 05/2021 on the interplay between Art. 3 and Chapter V"),
    message=_(
        "You store data in this system yourself outside the EEA (%(destinations)s), with no company running it for "
        "you. That is not a transfer (EDPB Guidelines 05/2021), so no transfer tool is needed, but the law of that "
        "country may still reach the data: assess the risks (access by its authorities, security) and accept the "
        "risk on this finding with the assessment's reference. If a company runs the system, name it as its host."
    ),
    section="countries",
    per_activity=False,
    per_system=True,
)
def own_storage_outside_eea(organisation, today):
    """EDPB Guidelines 05/2021 (v2.0), criterion 2 and the executive summary: storage by the controller itself in a
    third country is no transfer under Chapter V, yet it must weigh that country's law in its risk assessment."""
    links = (
        SystemCountry.objects.filter(
            SELF_OPERATED,
            system__in=current_systems(organisation),
            system__activities__in=current_activities(organisation).values("pk"),
            country__is_eea=False,
        )
        .values_list("system_id", "country_id")
        .distinct()
    )
    countries = defaultdict(set)
    for system_id, country in links:
        countries[system_id].add(country)
    for system_id, codes in countries.items():
        yield Hit(System, system_id, {"destinations": [[code, ""] for code in sorted(codes)]})


@rule(
    "transfer.no_valid_tool",
    title=_("Transfer without a valid transfer tool"),
    family="transfers",
    severity="high",
    article="44-46, 49",
    source=_("the Commission's adequacy decisions in force on the day checked"),
    message=_(
        "Transfers with no valid transfer tool today: %(destinations)s. Either the row names no tool, or it "
        "relies on an adequacy decision that is not in force. Choose standard contractual clauses, binding "
        "corporate rules or another Art. 46 safeguard, or document an Art. 49 derogation."
    ),
    section="transfers",
)
def transfers_without_valid_tool(organisation, today):
    """Art. 44-45: an adequacy decision counts only for its destination and while in force; the only international
    organisation with one is the European Patent Organisation (Decision (EU) 2025/1382)."""
    adequate = AdequacyDecision.objects.by_destination_on(today)
    rows = _transfers(organisation, mechanism__in=["", Transfer.Mechanism.ADEQUACY]).values_list(
        "activity_id", "mechanism", "international_organisation_id", *ROW_NAMES
    )
    yield from _hits(
        (activity_id, _named(country, *names))
        for activity_id, mechanism, organisation_id, country, *names in rows
        if not mechanism or _destination_key(country, organisation_id) not in adequate
    )


@rule(
    "transfer.obsolete_instrument",
    title=_("Transfer on an obsolete instrument"),
    family="transfers",
    severity="high",
    article="46",
    source=_(
        "Decision (EU) 2021/914, Art. 4 (the former clauses ceased on 27 December 2022); Schrems II, C-311/18 (the "
        "Privacy Shield invalid)"
    ),
    message=_(
        "Transfers rely on an instrument that no longer protects them (pre-2021 standard contractual "
        "clauses or the Privacy Shield): %(destinations)s. Sign the 2021 standard contractual clauses, or "
        "rely on the EU-US Data Privacy Framework if the US importer is certified."
    ),
    section="transfers",
)
def obsolete_instruments(organisation, today):
    rows = _transfers(organisation, mechanism__in=OBSOLETE).values_list("activity_id", *ROW_NAMES)
    yield from _hits((activity_id, _named(*names)) for activity_id, *names in rows)


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


def _adequacy_rows(organisation, today, decisions=None):
    """(activity, [destination, importer], recipient certified?, scope confirmed?, decision) of every transfer
    relying on an adequacy decision in force today (``decisions``: those by destination, if read already)."""
    if decisions is None:
        decisions = AdequacyDecision.objects.by_destination_on(today)
    rows = _transfers(organisation, mechanism=Transfer.Mechanism.ADEQUACY).values_list(
        "activity_id",
        "recipient__is_dpf_certified",
        "adequacy_scope_confirmed",
        "international_organisation_id",
        *ROW_NAMES,
    )
    for activity_id, certified, confirmed, organisation_id, country, *names in rows:
        decision = decisions.get(_destination_key(country, organisation_id))
        if decision is not None:
            yield activity_id, _named(country, *names), certified, confirmed, decision


@rule(
    "transfer.adequacy_out_of_scope",
    title=_("Importer not shown within the adequacy decision"),
    family="transfers",
    severity="high",
    article="45",
    source=_("the Commission's adequacy decisions, as the reference data records their scope"),
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
    for activity_id, named, certified, confirmed, decision in _adequacy_rows(organisation, today):
        if decision.requires_dpf_certification:
            covered = bool(certified)
        else:
            covered = decision.scope == AdequacyDecision.Scope.FULL or confirmed
        if not covered:
            uncovered.append((activity_id, named))
    yield from _hits(uncovered)


ADEQUACY_WARNING = datetime.timedelta(days=183)  # six months


def _coverage_ends(decision, later: dict) -> datetime.date | None:
    """The last day a destination stays adequate from ``decision`` on: its end, or the end of the decision that
    follows it without a gap (the United Kingdom's 2021 decision, then its renewal of 19 December 2025)."""
    end = decision.ends_on
    successors = later.get(decision.destination_key, [])
    while end is not None:
        next_day = end + datetime.timedelta(days=1)
        following = next(
            (each for each in successors if each.in_force_from <= next_day and (each.ends_on or next_day) > end),
            None,
        )
        if following is None:
            return end
        end = following.ends_on
    return None


@rule(
    "transfer.adequacy_expiring",
    title=_("Adequacy decision ending soon"),
    family="transfers",
    severity="medium",
    article="45",
    source=_("the Commission's adequacy decisions, as the reference data records their dates"),
    message=_(
        "The adequacy decision these transfers rely on ends within six months: %(destinations)s. Plan "
        "another transfer tool (standard contractual clauses) in case it is not renewed."
    ),
    section="transfers",
)
def adequacy_expiring(organisation, today):
    """A decision renewed or replaced before it ends (its successor recorded in the reference data) is not ending."""
    in_force, later = {}, defaultdict(list)
    # The decisions in force today and those to come, in one query.
    upcoming = AdequacyDecision.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    for decision in upcoming.order_by("in_force_from", "pk"):
        if decision.in_force_from > today:
            later[decision.destination_key].append(decision)
        else:
            in_force[decision.destination_key] = decision  # as by_destination_on keeps them
    horizon = today + ADEQUACY_WARNING
    expiring = []
    for activity_id, named, _certified, _confirmed, decision in _adequacy_rows(organisation, today, in_force):
        ends = _coverage_ends(decision, later)
        if ends is not None and ends <= horizon:
            expiring.append((activity_id, named))
    yield from _hits(expiring)


@rule(
    "transfer.tia_missing",
    title=_("Transfer impact assessment missing"),
    family="transfers",
    severity="medium",
    article="46",
    source=_("Schrems II, C-311/18, paras 134-135; EDPB Recommendations 01/2020 v2.0, step 3"),
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
    rows = _transfers(organisation, mechanism__in=SAFEGUARDS_NEEDING_A_TIA).values_list(
        "activity_id", "tia_date", *ROW_NAMES
    )
    yield from _hits(
        (
            (activity_id, _named(*names))
            for activity_id, tia_date, *names in rows
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
    title=_("Wrong module of the standard contractual clauses"),
    family="transfers",
    severity="medium",
    article="46(2)(c)",
    source=_("Decision (EU) 2021/914, Annex: the four modules"),
    message=_(
        "The module of the standard contractual clauses does not fit the roles of exporter and importer: "
        "%(destinations)s. Use module 1 from a controller to a controller, 2 from a controller to a processor, 3 "
        "from a processor to a processor and 4 from a processor to a controller, or correct the importer's role."
    ),
    section="transfers",
)
def scc_module_mismatch(organisation, today):
    rows = (
        _transfers(organisation, mechanism__in=list(SCC_MODULE_FOR.values()))
        .exclude(importer_role="")
        .values_list("activity_id", "activity__role", "importer_role", "mechanism", *ROW_NAMES)
    )
    processor, controller = ProcessingActivity.Role.PROCESSOR, Transfer.ImporterRole.CONTROLLER
    yield from _hits(
        (activity_id, _named(*names))
        for activity_id, role, importer_role, mechanism, *names in rows
        if mechanism != SCC_MODULE_FOR[(role == processor, importer_role == controller)]
    )


# --- Art. 49 derogations ------------------------------------------------------------------------------------------


def _ongoing_importers(activity_ids) -> tuple[set, set]:
    """(activity, recipient) pairs where the recipient hosts one of the activity's systems, and (activity, recipient)
    pairs of the activity's own recipients (two queries)."""
    systems = ProcessingActivity.systems.through.objects.filter(
        processingactivity__in=activity_ids, system__hosting_provider__isnull=False
    )
    hosts = set(systems.values_list("processingactivity_id", "system__hosting_provider_id"))
    links = ProcessingActivity.recipients.through.objects.filter(processingactivity__in=activity_ids)
    return hosts, set(links.values_list("processingactivity_id", "recipient_id"))


@rule(
    "transfer.derogation_systematic",
    title=_("Systematic transfer on an Art. 49 derogation"),
    family="transfers",
    severity="medium",
    article="49",
    source=_("EDPB Guidelines 2/2018 on the derogations of Art. 49"),
    message=_(
        "Transfers rely on an Art. 49 derogation although they are systematic: %(destinations)s. The data goes to a "
        "system you use or to its host, or to a recipient of an activity in progress, while derogations allow only "
        "occasional transfers (EDPB Guidelines 2/2018). Rely on an adequacy decision or an Art. 46 safeguard "
        "(standard contractual clauses with a transfer impact assessment); if these transfers really are "
        "occasional, accept the risk on this finding and say why."
    ),
    section="transfers",
)
def derogation_systematic(organisation, today):
    """EDPB Guidelines 2/2018, section 1: the derogations "must be interpreted restrictively" and are for occasional,
    not repetitive transfers; data kept in a third-country system is transferred continuously (graver: high). An
    active activity's recipient receives the data as the activity goes on (the rule's severity)."""
    activities = current_activities(organisation).values("pk")
    rows = list(
        _transfers(organisation, mechanism__in=Transfer.DEROGATIONS).values_list(
            "activity_id", "activity__status", "system_id", "recipient_id", *ROW_NAMES
        )
    )
    if not rows:
        return
    hosts, recipients = _ongoing_importers(activities)
    stored, ongoing = defaultdict(list), defaultdict(list)
    for activity_id, status, system_id, recipient_id, *names in rows:
        if system_id is not None or (activity_id, recipient_id) in hosts:
            stored[activity_id].append(_named(*names))
        elif status == ProcessingActivity.Status.ACTIVE and (activity_id, recipient_id) in recipients:
            ongoing[activity_id].append(_named(*names))
    for activity_id in stored.keys() | ongoing.keys():
        destinations = sorted(stored[activity_id] + ongoing[activity_id])
        severity = "high" if stored[activity_id] else None
        yield Hit(ProcessingActivity, activity_id, {"destinations": destinations}, severity)


@rule(
    "transfer.derogation_public_powers",
    title=_("Derogation not open to public powers"),
    family="transfers",
    severity="high",
    article="49(3)",
    message=_(
        "Your organisation is a public authority: explicit consent, a contract and the one-off transfer on "
        "compelling legitimate interests cannot be relied on for activities carried out in the exercise of its "
        "public powers (Art. 49(3)): %(destinations)s. Choose an adequacy decision, an Art. 46 safeguard or another "
        "derogation; if this activity is outside your public powers, accept the risk on this finding and say why."
    ),
    section="transfers",
)
def derogation_public_powers(organisation, today):
    """Art. 49(3). A new row is refused where the record shows public powers (``Transfer.clean``); this finds the rows
    recorded before, or before the organisation was marked a public body, and those of its other activities, which
    may or may not be carried out under its public powers."""
    if not organisation.is_public_body:
        return
    rows = _transfers(organisation, mechanism__in=Transfer.NOT_FOR_PUBLIC_POWERS).values_list("activity_id", *ROW_NAMES)
    yield from _hits((activity_id, _named(*names)) for activity_id, *names in rows)


@rule(
    "transfer.compelling_interest_not_informed",
    title=_("One-off transfer: authority and people not informed"),
    family="transfers",
    severity="medium",
    article="49(1)",
    message=_(
        "One-off transfers on compelling legitimate interests do not say when the supervisory authority and the "
        "people were informed: %(destinations)s. Art. 49(1), second subparagraph, requires you to inform the "
        "authority of the transfer, and the people of the transfer and of the interests pursued: do so, and record "
        "both dates on the transfer row."
    ),
    section="transfers",
)
def compelling_interest_not_informed(organisation, today):
    """Art. 49(1), second subparagraph: "The controller shall inform the supervisory authority of the transfer. The
    controller shall, in addition to providing the information referred to in Articles 13 and 14, inform the data
    subject of the transfer and on the compelling legitimate interests pursued." """
    rows = _transfers(organisation, mechanism=Transfer.Mechanism.COMPELLING_INTEREST).filter(
        Q(authority_informed_on__isnull=True) | Q(people_informed_on__isnull=True)
    )
    rows = rows.values_list("activity_id", *ROW_NAMES)
    yield from _hits((activity_id, _named(*names)) for activity_id, *names in rows)
