"""Reading what discovery knows: a system's sources and their last scans' tables and columns, page by page, and the
figures the system's page and the organisation's home show. Each selector carries its own ``select_related`` /
``prefetch_related``: a page costs the same queries for a scan of 3 tables as for one of 5,000."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inventory.models import DataField, System
from processing.compliance.models import Finding

from .models import DateColumn, Scan, ScannedColumn, ScannedTable, Source
from .services import found_data_fields

OPEN = (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED)  # still to deal with, as the findings' dashboard counts
HISTORY_SHOWN = 20

# The system page's filters (query string ``show``): which columns, and so which tables, it lists.
COLUMN_FILTERS = {
    "": (_("All columns"), Q()),
    "review": (
        _("To review"),
        Q(decision=ScannedColumn.Decision.PROPOSED) & ~Q(category=""),
    ),
    "personal": (_("Personal data"), ~Q(category="")),
    "special": (_("Special categories"), ~Q(special_category="")),
}


def system_sources(system: System) -> list[Source]:
    """The system's sources, each with its last scan and the scan under way, if any (two queries)."""
    sources = list(system.discovery_sources.select_related("last_scan").order_by("name", "pk"))
    unfinished = Scan.objects.filter(source__in=sources, status__in=(Scan.Status.QUEUED, Scan.Status.RUNNING))
    running = {scan.source_id: scan for scan in unfinished.order_by("created_at")} if sources else {}
    for source in sources:
        source.running_scan = running.get(source.pk)
    return sources


def last_scans_tables(sources, show: str = "") -> QuerySet[ScannedTable]:
    """The tables of the sources' last scans (those with a column the filter keeps), each with all its columns
    (``table.all_columns``: their data fields and who decided) and its source."""
    columns = ScannedColumn.objects.select_related("data_field", "decided_by").order_by("pk")
    tables = (
        ScannedTable.objects.filter(scan_id__in=[source.last_scan_id for source in sources if source.last_scan_id])
        .select_related("scan__source")
        .prefetch_related(Prefetch("columns", queryset=columns, to_attr="all_columns"))
        .order_by("scan__source__name", "schema", "name", "pk")
    )
    condition = COLUMN_FILTERS.get(show, COLUMN_FILTERS[""])[1]
    if show in COLUMN_FILTERS and show:
        tables = tables.filter(Exists(ScannedColumn.objects.filter(condition, table=OuterRef("pk"))))
    return tables


def columns_shown(table: ScannedTable, show: str) -> list[ScannedColumn]:
    """The columns of the table the filter keeps, read from what ``last_scans_tables`` prefetched (no query)."""
    keep = {
        "review": lambda column: column.personal and column.decision == ScannedColumn.Decision.PROPOSED,
        "personal": lambda column: column.personal,
        "special": lambda column: bool(column.special_category),
    }.get(show)
    return [column for column in table.all_columns if keep is None or keep(column)]


def date_columns_of(sources) -> dict[tuple[int, str, str], str]:
    """(source, schema, table) → the column marked as dating its records (one query)."""
    marked = DateColumn.objects.filter(source__in=sources)
    return {(row.source_id, row.schema, row.table): row.column for row in marked}


def scan_history(sources) -> list[Scan]:
    """The sources' latest scans, newest first, with who asked (one query)."""
    return list(
        Scan.objects.filter(source__in=sources)
        .select_related("source", "requested_by")
        .order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )


def found_fields(system: System) -> list[DataField]:
    """The data fields the DPO confirmed in the system's sources' last scans (two queries)."""
    ids = found_data_fields([system.pk]).get(system.pk, set())
    return list(DataField.objects.filter(pk__in=ids).order_by("name_key")) if ids else []


def column_counts(sources) -> dict[str, int]:
    """The personal columns of the sources' last scans: found, confirmed, still to review (one query)."""
    scans = [source.last_scan_id for source in sources if source.last_scan_id]
    if not scans:
        return {"found": 0, "confirmed": 0, "review": 0}
    return (
        ScannedColumn.objects.filter(table__scan_id__in=scans)
        .exclude(category="")
        .aggregate(
            found=Count("pk"),
            confirmed=Count("pk", filter=Q(decision=ScannedColumn.Decision.CONFIRMED)),
            review=Count("pk", filter=Q(decision=ScannedColumn.Decision.PROPOSED)),
        )
    )


@dataclass(frozen=True)
class Coverage:
    """What the organisation's home says of discovery."""

    systems: int
    scanned: int
    found: int
    confirmed: int
    open_findings: int
    to_review: list[dict]  # the systems with columns still to review, the most first: system_pk, system_name, review


SYSTEMS_TO_REVIEW_SHOWN = 3


def organisation_coverage(organisation) -> Coverage:
    """Systems scanned of the current systems, personal columns confirmed of those found in the last scans (and the
    systems with the most still to review), and the drift findings still open (three queries)."""
    systems = System.objects.filter(organisation=organisation, archived_at__isnull=True).aggregate(
        total=Count("pk", distinct=True),
        scanned=Count("pk", distinct=True, filter=Q(discovery_sources__last_scan__isnull=False)),
    )
    last_scans = Source.objects.filter(organisation=organisation, last_scan__isnull=False).values("last_scan_id")
    by_system = list(
        ScannedColumn.objects.filter(table__scan__in=last_scans)
        .exclude(category="")
        .values(system_pk=F("table__scan__source__system_id"), system_name=F("table__scan__source__system__name"))
        .annotate(
            found=Count("id"),
            confirmed=Count("id", filter=Q(decision=ScannedColumn.Decision.CONFIRMED)),
            review=Count("id", filter=Q(decision=ScannedColumn.Decision.PROPOSED)),
        )
        .order_by()
    )
    to_review = sorted(
        (row for row in by_system if row["review"]), key=lambda row: (-row["review"], row["system_name"])
    )
    findings = Finding.objects.filter(organisation=organisation, rule__startswith="discovery.", status__in=OPEN).count()
    return Coverage(
        systems=systems["total"],
        scanned=systems["scanned"],
        found=sum(row["found"] for row in by_system),
        confirmed=sum(row["confirmed"] for row in by_system),
        open_findings=findings,
        to_review=to_review[:SYSTEMS_TO_REVIEW_SHOWN],
    )


def system_panel(context) -> dict:
    """The discovery line of a system's catalogue pages (``catalogue_item``): nothing on other catalogue entries."""
    if context.get("kind") is None or context["kind"].slug != "systems" or context.get("item") is None:
        return {"discovery": None}
    sources = list(Source.objects.filter(system=context["item"]).select_related("last_scan"))
    scans = [source.last_scan for source in sources if source.last_scan]
    return {
        "discovery": {
            "sources": len(sources),
            "last_scan": max(scans, key=lambda scan: scan.created_at) if scans else None,
            "counts": column_counts(sources),
        }
    }


def home_card(context) -> dict:
    return {"coverage": organisation_coverage(context["organisation"])}
