"""The compliance checks at scale: a full sweep, its floor, and what a change to one activity costs.

Seeds two organisations, of N/10 and N activities, straight into the tables (bulk inserts,
no services, no history rows: the checks read neither): systems and recipients in and out
of the EEA (adequate countries, the United States with and without Data Privacy Framework
certification, countries without a decision), transfers with every tool and some with
none, special-category and criminal data, the French retention policy, retention lines of
every kind, and systems with the date of their oldest record. Then it measures
``processing.compliance.check.check_organisation``:

- the first sweep (it creates every finding) and the second (nothing changes): wall time,
  peak memory, queries by kind, and the time of each rule; at both sizes, so that the
  number of queries can be compared;
- the rule ``transfer.no_valid_tool`` against its floor, the one SQL statement that finds
  the same transfers; the benchmark fails if the two disagree;
- a change to one activity through ``activity_update``: it re-checks that activity (and the
  rules on systems), not the whole register.
"""

import datetime
import gc
import json
import os
import random
import resource
import statistics
import time
import tracemalloc
from collections import Counter

from .harness import report

CHUNK = 5_000  # activities seeded at a time, so that seeding holds little in memory
SWEEP_TARGET_SECONDS = 20  # each sweep of 100,000 activities, on PostgreSQL, straight after a bulk load
SAVE_TARGET_MS = 300  # saving one activity with its re-check, at 100,000: the median of SAVES
SAVES = 7
FLOOR_TARGET_RATIO = 5

EEA = ["FR", "DE", "IE", "NL", "SE"]
ADEQUATE = ["GB", "CH", "JP", "CA", "KR", "BR"]  # JP, CA, KR, BR: partial decisions
WITHOUT_DECISION = ["IN", "CN", "SG"]
RECIPIENT_COUNTRIES = [*EEA, "FR", "DE", "US", "US", "US", *ADEQUATE, *WITHOUT_DECISION]
SYSTEM_COUNTRIES = [*EEA, "FR", "FR", "IE", "US", "US", "GB", "JP", "CA", "CH", "IN", "CN", "BR"]
RECIPIENTS = 120
SYSTEMS = 150
DEDICATED_SYSTEMS = 10  # used only by activities counting every period from collection
DATA_FIELDS = 200
EXTRA_SUBJECT_CATEGORIES = 14
FIELDS_PER_ACTIVITY = 4
SYSTEMS_PER_ACTIVITY = 2
RECIPIENTS_PER_ACTIVITY = 2


def _mechanisms():
    from processing.models import Transfer

    return [choice for choice, _label in Transfer.Mechanism.choices]


def _catalogue(organisation, rng, today):
    """Data fields, categories of people, recipients and systems (with their countries)."""
    from core.text import normalise_key
    from inventory.models import DataField, DataSubjectCategory, Recipient, System, SystemCountry

    def named(model, count, fields):
        return model.objects.bulk_create(
            [
                model(
                    organisation=organisation,
                    name=f"{model.__name__} {n}",
                    name_key=normalise_key(f"{model.__name__} {n}"),
                    **fields(n),
                )
                for n in range(count)
            ],
        )

    categories = [choice for choice, _label in DataField.Category.choices]
    special_kinds = [choice for choice, _label in DataField.SpecialCategory.choices]

    def field(n):
        category = categories[n % len(categories)]
        return {
            "category": category,
            "special_category": special_kinds[n % len(special_kinds)] if category == "special" else "",
        }

    fields = named(DataField, DATA_FIELDS, field)
    named(DataSubjectCategory, EXTRA_SUBJECT_CATEGORIES, lambda n: {})
    subjects = list(DataSubjectCategory.objects.filter(organisation=organisation))  # the policy's ones too
    kinds = ["processor", "sub_processor", "controller", "public_authority"]
    recipients = named(
        Recipient,
        RECIPIENTS,
        lambda n: {
            "kind": kinds[n % len(kinds)],
            "country_id": RECIPIENT_COUNTRIES[n % len(RECIPIENT_COUNTRIES)],
            "is_dpf_certified": RECIPIENT_COUNTRIES[n % len(RECIPIENT_COUNTRIES)] == "US" and n % 2 == 0,
            "has_processing_agreement": n % 4 != 0,
        },
    )
    foreign_recipients = [recipient for recipient in recipients if recipient.country_id not in EEA]

    def system(n):
        return {
            "kind": "saas" if n % 3 else "cloud",
            "hosting_provider": foreign_recipients[n % len(foreign_recipients)] if n % 3 == 0 else None,
            "oldest_record_on": today - datetime.timedelta(days=rng.randint(20, 3650)) if n % 2 == 0 else None,
        }

    systems = named(System, SYSTEMS + DEDICATED_SYSTEMS, system)
    for dedicated in systems[SYSTEMS:]:
        dedicated.oldest_record_on = today - datetime.timedelta(days=rng.randint(200, 2000))
    System.objects.bulk_update(systems[SYSTEMS:], ["oldest_record_on"])
    countries = {}
    for n, item in enumerate(systems):
        countries[item.pk] = sorted({rng.choice(SYSTEM_COUNTRIES) for _ in range(1 + n % 2)})
    SystemCountry.objects.bulk_create(
        SystemCountry(system_id=pk, country_id=country) for pk, codes in countries.items() for country in codes
    )
    return fields, subjects, recipients, systems[:SYSTEMS], systems[SYSTEMS:], countries


def _transfer(rng, mechanisms, today, activity, country, **importer):
    """A transfer row to ``country`` with a tool drawn from every kind (none, sometimes)."""
    from processing.models import Transfer

    draw = rng.random()
    if draw < 0.05:
        mechanism = ""
    elif country in (*ADEQUATE, "US") and draw < 0.55:
        mechanism = Transfer.Mechanism.ADEQUACY
    elif country in WITHOUT_DECISION and draw < 0.08:
        mechanism = Transfer.Mechanism.ADEQUACY  # a decision that does not exist
    else:
        mechanism = rng.choice(mechanisms)
    return Transfer(
        activity_id=activity.pk,
        country_id=country,
        mechanism=mechanism,
        adequacy_scope_confirmed=rng.random() < 0.5,
        tia_date=today - datetime.timedelta(days=rng.randint(0, 1500)) if rng.random() < 0.7 else None,
        safeguards="Encrypted, pseudonymised extract" if mechanism == Transfer.Mechanism.COMPELLING_INTEREST else "",
        importer_role="processor",
        **importer,
    )


def _retention_lines(rng, held_categories, *, from_collection: bool):
    from processing.models import RetentionLine

    units = ["months", "years", "years", "days"]
    triggers = [choice for choice, _label in RetentionLine.Trigger.choices if choice != "other"]
    if from_collection:
        return [RetentionLine(duration=rng.randint(1, 3), duration_unit="years", trigger="collection")]
    draw = rng.random()
    if draw < 0.08:
        return []
    if draw < 0.13:
        return [RetentionLine(criteria="Until the end of the commercial relationship")]
    lines = []
    for index in range(rng.randint(1, 2)):
        archive = rng.random() < 0.2
        lines.append(
            RetentionLine(
                data_category="" if index == 0 and rng.random() < 0.6 else rng.choice(held_categories),
                duration=rng.randint(1, 12),
                duration_unit=rng.choice(units),
                trigger=rng.choice(triggers),
                end_action="archive" if archive else "delete",
                archive_duration=rng.randint(1, 10) if archive else None,
                archive_duration_unit="years" if archive else "",
            )
        )
    return lines


def seed(*, name: str, slug: str, size: int, seed_number: int = 42):
    """An organisation with ``size`` activities, inserted in bulk. Returns (organisation, row counts)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import organisation_create
    from core.bulk import analyze
    from inventory.services import CATALOGUE_MODELS
    from processing.compliance.services import retention_policy_seed
    from processing.models import ActivityDataSubject, ProcessingActivity, RetentionLine, Transfer
    from processing.services import REGISTER_MODELS

    rng = random.Random(seed_number)
    today = timezone.localdate()
    mechanisms = _mechanisms()
    organisation = organisation_create(name=name, slug=slug, email="dpo@example.org")
    # Through its service, before any activity: the check it schedules finds an empty register.
    retention_policy_seed(organisation=organisation, language="en")
    counts, used_mechanisms = Counter(), set()
    with transaction.atomic():
        fields, subjects, recipients, systems, dedicated, system_countries = _catalogue(organisation, rng, today)
        links = {
            name: ProcessingActivity._meta.get_field(name).remote_field.through
            for name in ("data_fields", "systems", "recipients")
        }
        lawful_bases = [choice for choice, _label in ProcessingActivity.LawfulBasis.choices]
        conditions = [choice for choice, _label in ProcessingActivity.SpecialCondition.choices]
        dpia_statuses = [choice for choice, _label in ProcessingActivity.DpiaStatus.choices]
        for first in range(0, size, CHUNK):
            plans, activities = [], []
            for n in range(first, min(first + CHUNK, size)):
                from_collection = n % 50 == 0
                chosen_fields = rng.sample(fields, FIELDS_PER_ACTIVITY)
                chosen_systems = rng.sample(dedicated if from_collection else systems, SYSTEMS_PER_ACTIVITY)
                chosen_recipients = rng.sample(recipients, RECIPIENTS_PER_ACTIVITY)
                held = {field.category for field in chosen_fields}
                draw = rng.random()
                criteria = {name: rng.random() < 0.2 for name in ProcessingActivity.DPIA_CRITERIA}
                activities.append(
                    ProcessingActivity(
                        organisation=organisation,
                        reference=f"PA-{n + 1:06d}",
                        name=f"Activity {n + 1}",
                        purpose=f"Purpose of activity {n + 1}",
                        status="archived" if draw < 0.05 else "draft" if draw < 0.3 else "active",
                        role="processor" if rng.random() < 0.1 else "controller",
                        lawful_basis=rng.choice(lawful_bases),
                        special_condition=rng.choice(conditions) if "special" in held and rng.random() < 0.75 else "",
                        criminal_data_basis="Code de procédure pénale" if rng.random() < 0.7 else "",
                        dpia_status=rng.choice(dpia_statuses),
                        has_automated_decision=rng.random() < 0.05,
                        next_review_on=None
                        if rng.random() < 0.2
                        else today + datetime.timedelta(days=rng.randint(-365, 3 * 365)),
                        **criteria,
                    )
                )
                plans.append((chosen_fields, chosen_systems, chosen_recipients, held, from_collection))
            ProcessingActivity.objects.bulk_create(activities)
            rows = {name: [] for name in links}
            transfers, lines, people = [], [], []
            for activity, (chosen_fields, chosen_systems, chosen_recipients, held, from_collection) in zip(
                activities, plans, strict=True
            ):
                for name, items, column in (
                    ("data_fields", chosen_fields, "datafield_id"),
                    ("systems", chosen_systems, "system_id"),
                    ("recipients", chosen_recipients, "recipient_id"),
                ):
                    rows[name] += [
                        links[name](processingactivity_id=activity.pk, **{column: item.pk}) for item in items
                    ]
                # Transfer rows for most destinations outside the EEA; the rest stay uncovered.
                for recipient in chosen_recipients:
                    if recipient.country_id not in EEA and rng.random() < 0.85:
                        transfers.append(
                            _transfer(rng, mechanisms, today, activity, recipient.country_id, recipient_id=recipient.pk)
                        )
                for system in chosen_systems:
                    for country in system_countries[system.pk]:
                        if country not in EEA and rng.random() < 0.85:
                            importer = (
                                {"recipient_id": system.hosting_provider_id}
                                if system.hosting_provider_id and rng.random() < 0.5
                                else {"system_id": system.pk}
                            )
                            transfers.append(_transfer(rng, mechanisms, today, activity, country, **importer))
                if rng.random() < 0.03:
                    # Now and then a row names no importer.
                    transfers.append(_transfer(rng, mechanisms, today, activity, rng.choice(WITHOUT_DECISION)))
                for line in _retention_lines(rng, sorted(held), from_collection=from_collection):
                    line.activity_id = activity.pk
                    lines.append(line)
                for category in rng.sample(subjects, rng.randint(1, 2)):
                    people.append(
                        ActivityDataSubject(
                            activity_id=activity.pk, category=category, approximate_count=rng.choice([50, 5000, 10**6])
                        )
                    )
            counts["activities"] += len(activities)
            for name, through_rows in rows.items():
                links[name].objects.bulk_create(through_rows)
                counts[f"links_{name}"] += len(through_rows)
            Transfer.objects.bulk_create(transfers)
            RetentionLine.objects.bulk_create(lines)
            ActivityDataSubject.objects.bulk_create(people)
            counts["transfers"] += len(transfers)
            used_mechanisms.update(transfer.mechanism for transfer in transfers)
            counts["retention_lines"] += len(lines)
            counts["data_subject_links"] += len(people)
    counts["transfer_tools_used"] = len(used_mechanisms - {""})  # besides the rows naming none
    counts["transfer_tools_total"] = len(mechanisms)
    # As an import does after its bulk write: the sweep that follows is planned on the tables as they are now.
    analyze([*REGISTER_MODELS, *CATALOGUE_MODELS])
    return organisation, dict(counts)


# --- Measures ----------------------------------------------------------------------------


class QueryCounter:
    """Statements by kind (SELECT, INSERT, UPDATE, SAVEPOINT…), through an execute wrapper.

    Not ``CaptureQueriesContext``: that one reads the connection's query log, which keeps the
    last 9,000 queries only, and a first sweep over 100,000 activities comes close (SQLite
    takes at most 999 parameters per statement: 76 findings per INSERT, about 7,000 INSERTs).
    """

    def __init__(self):
        self.kinds = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.kinds[sql.split(None, 1)[0].upper()] += 1
        return execute(sql, params, many, context)

    @property
    def figures(self) -> dict:
        other = sum(count for kind, count in self.kinds.items() if kind not in ("SELECT", "INSERT", "UPDATE", "DELETE"))
        return {
            "queries": sum(self.kinds.values()),
            "selects": self.kinds["SELECT"],
            "inserts": self.kinds["INSERT"],
            "updates": self.kinds["UPDATE"],
            "deletes": self.kinds["DELETE"],
            "other_statements": other,  # BEGIN, SAVEPOINT, RELEASE
        }


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def sweep(organisation, *, trace_memory: bool = False) -> dict:
    """One ``check_organisation``: wall time (or, traced, peak memory), queries, time per rule."""
    from django.db import connection

    from processing.compliance.check import check_organisation
    from processing.compliance.rules.registry import load

    gc.collect()
    counter, marks = QueryCounter(), []
    rss_before = _maxrss_mb()
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = check_organisation(organisation, progress=lambda done, total: marks.append(time.perf_counter()))
    seconds = time.perf_counter() - start
    figures = {
        "opened": len(result.opened),
        "reopened": len(result.reopened),
        "resolved": len(result.resolved),
        "unchanged": result.unchanged,
        **counter.figures,
    }
    if result.opened:
        figures["opened_by_rule"] = dict(sorted(Counter(code for code, _type, _pk in result.opened).items()))
    if trace_memory:
        figures["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
        return figures
    figures["seconds"] = round(seconds, 2)
    # The machine may be shared: a busy neighbour shows here, and slows the sweep.
    figures["load_average"] = round(os.getloadavg()[0], 2)
    figures["maxrss_growth_mb"] = round(_maxrss_mb() - rss_before, 1)  # how far it raised the process's peak
    times = [later - earlier for earlier, later in zip([start, *marks], marks, strict=False)]
    figures["rule_seconds"] = {code: round(spent, 2) for code, spent in zip(load(), times, strict=True)}
    figures["writing_seconds"] = round(start + seconds - marks[-1], 2)
    return figures


def forget_findings(organisation) -> None:
    """Delete the organisation's findings and their history, so that a sweep is a first one again."""
    from django.db import connection

    from processing.compliance.models import Finding

    with connection.cursor() as cursor:
        for model in (Finding, Finding.history.model):  # no per-row history entry: a bare DELETE
            table = connection.ops.quote_name(model._meta.db_table)  # a model's, not input
            cursor.execute(f"DELETE FROM {table} WHERE organisation_id = %s", [organisation.pk])  # noqa: S608


def measure_sweeps(organisation, size: int) -> dict:
    """First and second sweep, timed; then both again under tracemalloc for their peak memory."""
    first = sweep(organisation)
    second = sweep(organisation)
    forget_findings(organisation)
    first.update(sweep(organisation, trace_memory=True))
    second.update(sweep(organisation, trace_memory=True))
    for run, figures in (("first", first), ("second", second)):
        report(
            "compliance_sweep",
            size=size,
            run=run,
            targets={"seconds": SWEEP_TARGET_SECONDS},
            **figures,
        )
    if second["opened"] or second["reopened"] or second["resolved"]:
        raise AssertionError(f"the second sweep changed findings: {second}")
    return {"first": first, "second": second}


FLOOR_SQL = """
    SELECT transfer.activity_id, transfer.country_id, COALESCE(recipient.name, system.name, '')
    FROM {transfer} transfer
    JOIN {activity} activity ON activity.id = transfer.activity_id
    LEFT JOIN {recipient} recipient ON recipient.id = transfer.recipient_id
    LEFT JOIN {system} system ON system.id = transfer.system_id
    WHERE activity.organisation_id = %s
      AND activity.status <> %s
      AND transfer.country_id IS NOT NULL
      AND (
        transfer.mechanism = ''
        OR (
          transfer.mechanism = %s
          AND NOT EXISTS (
            SELECT 1 FROM {decision} decision
            WHERE decision.country_id = transfer.country_id
              AND decision.in_force_from <= %s
              AND (decision.ends_on IS NULL OR decision.ends_on >= %s)
          )
        )
      )
"""


def floor_rows(organisation, today) -> list[tuple]:
    """The floor of ``transfer.no_valid_tool``: one statement for its (activity, country,
    importer: the recipient, else the system) rows, the transfers with no tool or an adequacy decision not in force."""
    from django.db import connection

    from inventory.models import AdequacyDecision, Recipient, System
    from processing.models import ProcessingActivity, Transfer

    sql = FLOOR_SQL.format(
        transfer=Transfer._meta.db_table,
        activity=ProcessingActivity._meta.db_table,
        recipient=Recipient._meta.db_table,
        system=System._meta.db_table,
        decision=AdequacyDecision._meta.db_table,
    )
    day = connection.ops.adapt_datefield_value(today)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [organisation.pk, ProcessingActivity.Status.ARCHIVED, Transfer.Mechanism.ADEQUACY, day, day],
        )
        return cursor.fetchall()


def _median_ms(function, repeat: int = 7) -> float:
    function()  # warm the caches
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 2)


def measure_floor(organisation, size: int) -> None:
    """The rule's own ``find`` against the floor; both must find the same transfers."""
    from django.db import connection
    from django.utils import timezone

    from processing.compliance.rules.registry import load

    today = timezone.localdate()
    rule = load()["transfer.no_valid_tool"]

    def rule_rows():
        return {
            (hit.pk, country, importer)
            for hit in rule.find(organisation, today)
            for country, importer in hit.params["destinations"]
        }

    found, floor = rule_rows(), set(floor_rows(organisation, today))
    if found != floor:
        only_rule, only_floor = sorted(found - floor), sorted(floor - found)
        raise AssertionError(
            f"the floor and transfer.no_valid_tool disagree: {len(only_rule)} rows only in the rule "
            f"(e.g. {only_rule[:3]}), {len(only_floor)} only in the floor (e.g. {only_floor[:3]})"
        )
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        rule_rows()
    floor_ms = _median_ms(lambda: floor_rows(organisation, today))
    rule_ms = _median_ms(rule_rows)
    ratio = round(rule_ms / floor_ms, 2)
    report(
        "compliance_floor_transfer_no_valid_tool",
        size=size,
        rows=len(floor),
        activities=len({activity for activity, _country, _importer in floor}),
        same_set=True,
        floor_ms=floor_ms,
        rule_ms=rule_ms,
        rule_queries=counter.figures["queries"],
        rule_times_floor=ratio,
        targets={"rule_times_floor": FLOOR_TARGET_RATIO},
    )


def measure_one_activity_change(organisation, size: int) -> None:
    """What saving one activity costs: ``activity_update`` re-checks that activity on commit
    (Celery runs eagerly here, as in development), with the rules on systems over the whole
    register; the median of ``SAVES`` saves. Then that check alone, after the change is undone, and its queries."""
    from django.db import connection

    from processing.compliance.check import check_organisation
    from processing.compliance.models import Finding
    from processing.models import Transfer
    from processing.services import activity_update

    flagged = Finding.objects.filter(organisation=organisation, rule="transfer.no_valid_tool").values("subject_id")
    transfer = (
        Transfer.objects.filter(
            activity__organisation=organisation, activity__status="draft", mechanism=Transfer.Mechanism.SCC_MODULE_2
        )
        .exclude(activity_id__in=flagged)
        .select_related("activity")
        .order_by("pk")
        .first()
    )
    if transfer is None:  # a very small register may have no such row
        report("compliance_one_activity_change", size=size, skipped="no draft activity with a clean scc_2 row")
        return
    activity = transfer.activity
    finding = Finding.objects.filter(organisation=organisation, rule="transfer.no_valid_tool", subject_id=activity.pk)
    # The tool removed (a finding must open), put back (it must be resolved), and so on, ending removed: a user's
    # saves in a server process that has served others. The first save, in a process that has not, is reported
    # apart (``first_save_ms``).
    timings = []
    for save in range(SAVES):
        removed = save % 2 == 0
        rows = [{"id": pk} for pk in activity.transfers.values_list("pk", flat=True)]
        for row in rows:
            if row["id"] == transfer.pk:
                row["mechanism"] = "" if removed else Transfer.Mechanism.SCC_MODULE_2
        counter = QueryCounter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            activity_update(activity=activity, transfers=rows)
        timings.append(time.perf_counter() - start)
        opened = finding.filter(status="open").exists()
        if opened != removed:
            raise AssertionError(f"{'removing' if removed else 'restoring'} a transfer tool left the finding {opened=}")
    service_seconds = statistics.median(timings)
    Transfer.objects.filter(pk=transfer.pk).update(mechanism=Transfer.Mechanism.SCC_MODULE_2)
    check, statements = QueryCounter(), StatementRecorder()
    start = time.perf_counter()
    with connection.execute_wrapper(check), connection.execute_wrapper(statements):
        result = check_organisation(organisation, activities=[activity.pk])
    check_seconds = time.perf_counter() - start
    if [finding.subject_id for finding in result.resolved] != [activity.pk]:
        raise AssertionError(f"undoing the change did not resolve its finding: {result}")
    report(
        "compliance_one_activity_change",
        size=size,
        service_and_recheck_ms=round(service_seconds * 1000, 1),
        first_save_ms=round(timings[0] * 1000, 1),
        saves=SAVES,
        targets={"service_and_recheck_ms": SAVE_TARGET_MS},
        **counter.figures,
        finding_opened=opened,
        recheck_after_undo_seconds=round(check_seconds, 2),
        recheck_queries=check.figures["queries"],
        after_undo={"opened": len(result.opened), "reopened": len(result.reopened), "resolved": len(result.resolved)},
    )
    if connection.vendor == "postgresql":
        report_plans("compliance_recheck_plans", statements.selects, size)


class StatementRecorder:
    """The SELECT statements run while it wraps the connection, with their parameters."""

    def __init__(self):
        self.selects = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and not many:
            self.selects.append((sql, params))
        return execute(sql, params, many, context)


# A table this large read whole, or driving a nested loop, is the plan a re-check of one activity must not take.
LARGE_ROWS = 10_000


def report_plans(name: str, selects: list, size: int) -> None:
    """PostgreSQL's plans of ``selects``: each sequential scan of a large table, and each nested loop whose outer
    side is large (the plan that made one re-check take 27 s after a bulk load), named with its statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        rows = dict(cursor.fetchall())
        scans, loops = [], []
        for sql, params in selects:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
            for node in _nodes(plan):
                if node["Node Type"] == "Seq Scan" and rows.get(node["Relation Name"], 0) > LARGE_ROWS:
                    scans.append({"table": node["Relation Name"], "statement": sql[:160]})
                if node["Node Type"] == "Nested Loop" and node["Plans"][0]["Plan Rows"] > LARGE_ROWS:
                    loops.append({"outer_rows": node["Plans"][0]["Plan Rows"], "statement": sql[:160]})
    report(
        name,
        {"large_seq_scans": 0, "large_nested_loops": 0},
        size=size,
        statements=len(selects),
        large_seq_scans=len(scans),
        large_nested_loops=len(loops),
        seq_scans=scans,
        nested_loops=loops,
    )


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def run(size: int) -> None:
    from processing.compliance.models import Finding

    sizes = {"small": max(size // 10, 1), "large": size}
    organisations = {}
    for label, count in sizes.items():
        start = time.perf_counter()
        organisation, counts = seed(name=f"Compliance {label} SAS", slug=f"compliance-{label}", size=count)
        organisations[label] = organisation
        report("compliance_seed", size=count, seed_seconds=round(time.perf_counter() - start, 1), **counts)
    sweeps = {label: measure_sweeps(organisations[label], sizes[label]) for label in sizes}
    for run_name in ("first", "second"):
        small, large = sweeps["small"][run_name], sweeps["large"][run_name]
        report(
            "compliance_sweep_queries_by_size",
            run=run_name,
            sizes=[sizes["small"], sizes["large"]],
            selects=[small["selects"], large["selects"]],
            inserts=[small["inserts"], large["inserts"]],
            updates=[small["updates"], large["updates"]],
            selects_independent_of_size=small["selects"] == large["selects"],
            findings=Finding.objects.filter(organisation=organisations["large"]).count(),
        )
    for label in sizes:
        measure_floor(organisations[label], sizes[label])
    measure_one_activity_change(organisations["large"], sizes["large"])
