"""How long data is kept (Art. 5(1)(e), 30(1)(f)) and the register kept up to date (Art. 5(2))."""

import datetime
import math
from collections import defaultdict, namedtuple

from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField, System
from processing.compliance.models import RetentionPolicy, months_of
from processing.compliance.rules.registry import Hit, current_activities, current_systems, rule, systems_restricted
from processing.models import ActivityDataSubject, ProcessingActivity, RetentionLine


@rule(
    "retention.undefined",
    title=_("Retention period not set"),
    family="retention",
    severity="medium",
    article="5(1)(e), 30(1)(f)",
    message=_(
        "This active activity says nowhere how long its data is kept. Add a retention line with a "
        "duration, or the criteria that decide it."
    ),
    section="retention",
)
def retention_undefined(organisation, today):
    defined = RetentionLine.objects.filter(activity=OuterRef("pk")).filter(Q(duration__isnull=False) | ~Q(criteria=""))
    for pk in _active_controllers(organisation).exclude(Exists(defined)).values_list("pk", flat=True):
        yield Hit(ProcessingActivity, pk, {})


def _active_controllers(organisation):
    """Active activities whose record states retention: a processor's has no such item (Art. 30(2))."""
    active = current_activities(organisation).filter(status=ProcessingActivity.Status.ACTIVE)
    return active.exclude(role=ProcessingActivity.Role.PROCESSOR)


@rule(
    "retention.categories_uncovered",
    title=_("Data without a retention period"),
    family="retention",
    severity="medium",
    article="5(1)(e), 30(1)(f)",
    message=_(
        "No retention line covers some of this activity's data: %(categories)s. Add a line for each, or "
        "one that applies to all the activity's data."
    ),
    section="retention",
)
def categories_uncovered(organisation, today):
    """Every retention line names a category of data, and some of the activity's categories
    have none (a line naming no category covers them all)."""
    activities = _active_controllers(organisation).exclude(
        Exists(RetentionLine.objects.filter(activity=OuterRef("pk"), data_category=""))
    )
    held = defaultdict(set)
    links = ProcessingActivity.data_fields.through.objects.filter(processingactivity__in=activities)
    for activity_id, category in links.values_list("processingactivity_id", "datafield__category"):
        held[activity_id].add(category)
    covered = defaultdict(set)
    for activity_id, category in RetentionLine.objects.filter(activity__in=activities).values_list(
        "activity_id", "data_category"
    ):
        covered[activity_id].add(category)
    for activity_id in sorted(held):
        if covered[activity_id] and (missing := held[activity_id] - covered[activity_id]):
            yield Hit(ProcessingActivity, activity_id, {"categories": sorted(missing)})


@rule(
    "retention.review_overdue",
    title=_("Review of the record overdue"),
    family="retention",
    severity="low",
    article="5(2), 24",
    message=_(
        "The review of this activity was due on %(due)s. Check that the record is still true, then set "
        "the date of this review and of the next one."
    ),
    section="risk",
)
def review_overdue(organisation, today):
    overdue = current_activities(organisation).filter(next_review_on__lt=today)
    for pk, due in overdue.values_list("pk", "next_review_on"):
        yield Hit(ProcessingActivity, pk, {"due": due.isoformat()})


LINE_FIELDS = (
    "activity_id",
    "data_category",
    "duration",
    "duration_unit",
    "end_action",
    "archive_duration",
    "archive_duration_unit",
    "trigger",
)
# A retention line as the rules read it: a tuple with the model's attribute names, built at a
# fraction of a model instance's cost (a sweep reads every line of the register).
Line = namedtuple("Line", LINE_FIELDS)


def _lines(queryset):
    return map(Line._make, queryset.values_list(*LINE_FIELDS))


# A duration in months, in SQL as ``months_of`` reckons it in Python (a year is 12 months, a month 30.44 days, in
# double precision on both sides: the same figures compare the same), nothing when it has no duration.
MONTHS_SQL = (
    "(CASE {unit} WHEN 'years' THEN 12 * {duration} WHEN 'months' THEN {duration} "
    "WHEN 'days' THEN CAST({duration} AS double precision) / CAST(30.44 AS double precision) ELSE 0 END)"
)
# How long a line keeps the data (``kept_months``): its duration plus any intermediate archive.
KEPT_SQL = (
    MONTHS_SQL.format(unit="line.duration_unit", duration="line.duration")
    + " + (CASE WHEN line.end_action = 'archive' AND line.archive_duration IS NOT NULL THEN "
    + MONTHS_SQL.format(unit="line.archive_duration_unit", duration="line.archive_duration")
    + " ELSE 0 END)"
)
# The retention lines of the current activities outside one of the organisation's policies, with the policy's
# index among them (in their order). A policy covers a line of an activity when the activity concerns the policy's
# category of people (if it names one), uses the policy's data field (if it names one), and the line concerns the
# policy's category of data (the line's own category, or all the activity's data when it names none and the activity
# has data of that category). Lines given only as criteria have no figure to compare. {outside}: the bound.
OUTSIDE_POLICY_SQL = """
    WITH line AS {materialized} (
        SELECT line.id, line.activity_id, line.data_category, line.duration, line.duration_unit, line.end_action,
               line.archive_duration, line.archive_duration_unit, activity.lawful_basis, {kept} AS kept
        FROM {line} line JOIN {activity} activity ON activity.id = line.activity_id
        WHERE line.activity_id IN ({activities}) AND line.duration IS NOT NULL
    )
    SELECT line.activity_id, policy.rank, line.duration, line.duration_unit, line.end_action,
           line.archive_duration, line.archive_duration_unit
    FROM line JOIN ({policies}) policy ON {outside}
    WHERE (policy.data_category = ''
           OR line.data_category = policy.data_category
           OR (line.data_category = '' AND EXISTS (
               SELECT 1 FROM {fields} held JOIN {field} field ON field.id = held.datafield_id
               WHERE held.processingactivity_id = line.activity_id AND field.category = policy.data_category)))
      AND (policy.subject_category_id IS NULL OR EXISTS (
           SELECT 1 FROM {people} people
           WHERE people.activity_id = line.activity_id AND people.category_id = policy.subject_category_id))
      AND (policy.data_field_id IS NULL OR EXISTS (
           SELECT 1 FROM {fields} used
           WHERE used.processingactivity_id = line.activity_id AND used.datafield_id = policy.data_field_id))
    ORDER BY line.id, policy.rank
"""


def _outside_policy_rows(organisation, bound: str, policies: list) -> list[tuple]:
    """(activity, index of the policy in ``policies``, Line) of every line outside a policy's maximum (``max``) or,
    for an activity under a legal obligation, its statutory minimum (``min``), by line then policy: one statement,
    the lines compared with the policies in the database (reading every line, link and person of the register to
    compare them in Python took 2.5 s for each of the two rules at 100,000 activities)."""
    limits = []
    for rank, policy in enumerate(policies):
        months = policy.maximum_months if bound == "max" else policy.minimum_months
        if months is not None:
            limits.append((rank, policy, float(months)))
    if not limits:
        return []
    activities, activity_params = current_activities(organisation).order_by().values("pk").query.sql_with_params()
    connection = connections[RetentionLine.objects.db]
    quote = connection.ops.quote_name
    # The policies as rows of constants: a handful, already read.
    policies_sql = " UNION ALL ".join(
        [
            "SELECT CAST(%s AS integer) AS rank, CAST(%s AS text) AS data_category, "
            "CAST(%s AS bigint) AS subject_category_id, CAST(%s AS bigint) AS data_field_id, "
            "CAST(%s AS double precision) AS limit_months"
        ]
        * len(limits)
    )
    policy_params = [
        value
        for rank, policy, months in limits
        for value in (rank, policy.data_category, policy.subject_category_id, policy.data_field_id, months)
    ]
    if bound == "max":
        outside, outside_params = "line.kept > policy.limit_months", []
    else:
        # A statutory minimum binds the processing the law requires (Art. 6(1)(c)), not every activity touching the
        # same kind of data: a CRM may forget a customer's purchases long before the accounts drop the invoice.
        outside = "line.lawful_basis = %s AND line.kept < policy.limit_months"
        outside_params = [ProcessingActivity.LawfulBasis.LEGAL_OBLIGATION.value]
    links = ProcessingActivity.data_fields.through._meta.db_table
    sql = OUTSIDE_POLICY_SQL.format(
        # Each line's period reckoned once, then set against each policy (PostgreSQL would inline it in the join).
        materialized="MATERIALIZED" if connection.vendor == "postgresql" else "",
        kept=KEPT_SQL,
        line=quote(RetentionLine._meta.db_table),
        activity=quote(ProcessingActivity._meta.db_table),
        policies=policies_sql,
        activities=activities,
        outside=outside,
        fields=quote(links),
        field=quote(DataField._meta.db_table),
        people=quote(ActivityDataSubject._meta.db_table),
    )
    # The planner prices each line against each policy with its EXISTS tests, far above the JIT's threshold: compiling
    # the plan took PostgreSQL 2.8 s for a statement that runs in 0.4 s (10,000 activities). Registre's connections
    # have JIT off (config/settings.py).
    with connection.cursor() as cursor:
        cursor.execute(sql, [*activity_params, *policy_params, *outside_params])
        return [(activity_id, rank, Line(activity_id, "", *rest, "")) for activity_id, rank, *rest in cursor.fetchall()]


def kept_months(line) -> float:
    """How long a line keeps the data, in months: its duration plus any intermediate archive."""
    months = months_of(line.duration, line.duration_unit)
    if line.end_action == RetentionLine.EndAction.ARCHIVE:
        months += months_of(line.archive_duration, line.archive_duration_unit)
    return months


def _period(line) -> list:
    """The line's duration (and archive), as the message shows it: [n, unit(, n, unit)]."""
    period = [line.duration, line.duration_unit]
    if line.end_action == RetentionLine.EndAction.ARCHIVE and line.archive_duration is not None:
        period += [line.archive_duration, line.archive_duration_unit]
    return period


@rule(
    "retention.beyond_policy",
    title=_("Kept longer than the retention policy allows"),
    family="retention",
    severity="medium",
    article="5(1)(e)",
    message=_(
        "This activity keeps data longer than your retention policy allows: %(periods)s. Shorten the "
        "retention line, or correct the policy if it is the policy that is wrong."
    ),
    source=_("your retention policy (Register → Retention policy), with the sources it cites"),
    section="retention",
)
def beyond_policy(organisation, today):
    return _outside_policy(organisation, "max")


@rule(
    "retention.below_minimum",
    title=_("Kept for less than the law requires"),
    family="retention",
    severity="medium",
    article="5(1)(e), 6(1)(c)",
    message=_(
        "This activity, under a legal obligation, keeps data for less time than the law requires: "
        "%(periods)s. Lengthen the retention line (an intermediate archive counts), or correct the policy."
    ),
    source=_("your retention policy (Register → Retention policy), with the sources it cites"),
    section="retention",
)
def below_minimum(organisation, today):
    return _outside_policy(organisation, "min")


def _outside_policy(organisation, bound: str):
    """Activities with a line kept longer than a policy's maximum (``max``) or shorter than
    its statutory minimum (``min``), each naming every such line."""
    policies = list(RetentionPolicy.objects.filter(organisation=organisation))
    hits = defaultdict(list)
    for activity_id, rank, line in _outside_policy_rows(organisation, bound, policies):
        policy = policies[rank]
        limit = (policy.maximum, policy.maximum_unit) if bound == "max" else (policy.minimum, policy.minimum_unit)
        hits[activity_id].append([policy.name, _period(line), bound, *limit])
    for activity_id, periods in hits.items():
        yield Hit(ProcessingActivity, activity_id, {"periods": periods})


@rule(
    "retention.kept_beyond",
    title=_("System holds data older than its retention period"),
    family="retention",
    severity="high",
    article="5(1)(e)",
    message=_(
        "This system still holds a record from %(oldest)s, yet the activities storing data here keep it "
        "%(kept)s at most from its collection. Delete or anonymise what is older, or correct the date of "
        "the oldest record."
    ),
    section="oldest_record_on",
    per_activity=False,
    per_system=True,
)
def kept_beyond(organisation, today):
    """Only where every activity storing data in the system counts all its periods from
    collection: a period that runs from an event (the end of a contract, the last contact)
    can rightly keep a record collected long ago, so the oldest record proves nothing there.

    The dated systems are read first and named by their ids: the links and lines are then found from the links'
    index on the system, whatever the statistics say (joined to the register by a subquery instead, PostgreSQL
    without fresh statistics crossed every dated system with every activity: 8 million index lookups at 100,000)."""
    current = ~Q(processingactivity__status=ProcessingActivity.Status.ARCHIVED)
    # A system storing data of an activity with no line, or with a line that has no duration or runs from an event,
    # proves nothing: left out in the database, so that only the few systems that may be flagged have their links
    # and lines read (every dated system's, 100,000 links and 135,000 lines at 100,000 activities, took 1.6-2.9 s).
    lines_of = RetentionLine.objects.filter(activity_id=OuterRef("processingactivity_id"))
    inconclusive = ProcessingActivity.systems.through.objects.filter(current, system_id=OuterRef("pk")).filter(
        ~Exists(lines_of)
        | Exists(lines_of.filter(Q(duration__isnull=True) | ~Q(trigger=RetentionLine.Trigger.COLLECTION)))
    )
    dated = current_systems(organisation).filter(oldest_record_on__isnull=False)
    if not systems_restricted():  # a re-check of a few systems reads their links at once: no scan of every line
        dated = dated.exclude(Exists(inconclusive))
    systems = dict(dated.values_list("pk", "oldest_record_on"))
    if not systems:
        return
    storing = defaultdict(set)
    links = ProcessingActivity.systems.through.objects.filter(current, system_id__in=list(systems))
    for system_id, activity_id in links.values_list("system_id", "processingactivity_id"):
        storing[system_id].add(activity_id)
    lines = defaultdict(list)
    stored = RetentionLine.objects.filter(activity__systems__in=list(systems)).exclude(
        activity__status=ProcessingActivity.Status.ARCHIVED
    )
    for line in _lines(stored):  # once per dated system its activity stores in: the same verdict, no matter
        lines[line.activity_id].append(line)
    for system_id, activity_ids in storing.items():
        own = [line for activity_id in activity_ids for line in lines[activity_id]]
        if any(not lines[activity_id] for activity_id in activity_ids) or any(
            line.duration is None or line.trigger != RetentionLine.Trigger.COLLECTION for line in own
        ):
            continue  # some period is unknown or runs from an event: nothing can be concluded
        longest = max(own, key=kept_months)
        if systems[system_id] < today - datetime.timedelta(days=math.ceil(kept_months(longest) * 30.44)):
            yield Hit(System, system_id, {"oldest": systems[system_id].isoformat(), "kept": _period(longest)})
