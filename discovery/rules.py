"""Drift: the register against what the scans found in the systems (family "discovery" of the compliance watch,
registered with ``processing.compliance.rules.registry`` when the app is ready).

What a system is known to hold is what the DPO confirmed of its sources' last scans (``services.found_data_fields``):
a proposal not yet reviewed raises nothing, so that a scan's mistake (a code that looks like a phone number) never
becomes a finding before someone has looked at it. The register's side is Art. 30(1)(c): the record describes the
categories of personal data each activity processes, and the activity's systems say where it is stored.
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy

from inventory.models import DataField, System
from processing.compliance.rules.registry import (
    Hit,
    current_activities,
    current_systems,
    family_label,
    rule,
)
from processing.models import ProcessingActivity

from .models import Source
from .services import found_data_fields

FAMILY = "discovery"
family_label(FAMILY, gettext_lazy("Drift between the register and the systems (discovery)"))


def _names(field_ids) -> list[str]:
    """The data fields' names, sorted: the finding's params (stable from one check to the next)."""
    return sorted(DataField.objects.filter(pk__in=field_ids).values_list("name", flat=True))


def _describe(params: dict) -> dict:
    return {**params, "fields": ", ".join(params.get("fields", []))}


def _declared_by_system(organisation, system_ids) -> dict[int, set[int]]:
    """System → the data fields the activities storing data there declare (current activities only). One query."""
    links = ProcessingActivity.systems.through.objects.filter(system_id__in=system_ids).exclude(
        processingactivity__status=ProcessingActivity.Status.ARCHIVED
    )
    activity_ids = defaultdict(set)
    for system_id, activity_id in links.values_list("system_id", "processingactivity_id"):
        activity_ids[system_id].add(activity_id)
    fields = defaultdict(set)
    through = ProcessingActivity.data_fields.through.objects.filter(
        processingactivity_id__in=ProcessingActivity.systems.through.objects.filter(system_id__in=system_ids).values(
            "processingactivity_id"
        )
    )
    for activity_id, field_id in through.values_list("processingactivity_id", "datafield_id"):
        fields[activity_id].add(field_id)
    return {system_id: set().union(*(fields[a] for a in activities)) for system_id, activities in activity_ids.items()}


def _undeclared(organisation) -> tuple[dict[int, set[int]], set[int]]:
    """System → the data fields found there that no activity storing data there declares; and which of those fields
    are of a special category."""
    systems = current_systems(organisation)
    found = found_data_fields(systems)
    if not found:
        return {}, set()
    declared = _declared_by_system(organisation, list(found))
    undeclared = {
        system_id: fields - declared.get(system_id, set())
        for system_id, fields in found.items()
        if fields - declared.get(system_id, set())
    }
    special = DataField.objects.filter(pk__in=set().union(*undeclared.values()), special_category__gt="")
    return undeclared, set(special.values_list("pk", flat=True)) if undeclared else set()


@rule(
    "discovery.found_undeclared",
    title=gettext_lazy("Personal data found in a system, declared by no activity"),
    family=FAMILY,
    severity="medium",
    article="30(1)(c)",
    message=gettext_lazy(
        "A scan of this system's databases found %(fields)s (confirmed by the DPO), yet no activity storing data "
        "here declares it. Add it to the activities that keep it here, or delete it from the system."
    ),
    section="",
    per_activity=False,
    per_system=True,
    describe=_describe,
)
def found_undeclared(organisation, today):
    undeclared, special = _undeclared(organisation)
    for system_id, fields in undeclared.items():
        if fields - special:  # special categories have their own, graver, finding
            yield Hit(System, system_id, {"fields": _names(fields - special)})


@rule(
    "discovery.special_undeclared",
    title=gettext_lazy("Special category of data found in a system, declared by no activity"),
    family=FAMILY,
    severity="high",
    article="9",
    message=gettext_lazy(
        "A scan of this system's databases found %(fields)s, a special category of data (Art. 9), yet no activity "
        "storing data here declares it. Declare it with the condition of Art. 9(2) that allows it, or delete it."
    ),
    section="",
    per_activity=False,
    per_system=True,
    describe=_describe,
)
def special_undeclared(organisation, today):
    undeclared, special = _undeclared(organisation)
    for system_id, fields in undeclared.items():
        if fields & special:
            yield Hit(System, system_id, {"fields": _names(fields & special)})


@rule(
    "discovery.declared_not_found",
    title=gettext_lazy("Declared data found in none of the activity's scanned systems"),
    family=FAMILY,
    severity="low",
    article="5(1)(c)",
    message=gettext_lazy(
        "This activity declares %(fields)s, but the scans of its systems found it in none of them (%(systems)s). "
        "If it is kept elsewhere, add that system; if it is not collected, remove it from the activity."
    ),
    section="data",
    describe=_describe,
)
def declared_not_found(organisation, today):
    """Informational: only activities storing data in some scanned system, and only against those systems (a system
    never scanned, paper files say, proves nothing; nor does one whose last scans could not read every table)."""
    activities = current_activities(organisation)
    # A system whose last scans left a table unread (time limit, a lock, a permission) proves no absence either.
    partly_read = Source.objects.filter(organisation=organisation, last_scan__tables__reason__gt="")
    scanned = (
        current_systems(organisation)
        .filter(discovery_sources__last_scan__isnull=False)
        .exclude(pk__in=partly_read.values("system_id"))
        .distinct()
    )
    links = ProcessingActivity.systems.through.objects.filter(
        processingactivity__in=activities, system__in=scanned
    ).values_list("processingactivity_id", "system_id")
    systems_of = defaultdict(set)
    for activity_id, system_id in links:
        systems_of[activity_id].add(system_id)
    if not systems_of:
        return
    # Seen by a scan, reviewed or not: what no scan saw at all is what this rule tells.
    found = found_data_fields(set().union(*systems_of.values()), confirmed_only=False)
    declared = defaultdict(set)
    through = ProcessingActivity.data_fields.through.objects.filter(processingactivity_id__in=list(systems_of))
    for activity_id, field_id in through.values_list("processingactivity_id", "datafield_id"):
        declared[activity_id].add(field_id)
    names = dict(System.objects.filter(pk__in=set().union(*systems_of.values())).values_list("pk", "name"))
    for activity_id, systems in systems_of.items():
        missing = declared[activity_id] - set().union(*(found.get(system_id, set()) for system_id in systems))
        if missing:
            params = {"fields": _names(missing), "systems": ", ".join(sorted(names[pk] for pk in systems))}
            yield Hit(ProcessingActivity, activity_id, params)
