"""What if the reference data changed? The findings a change to an adequacy decision
(Art. 45) would bring or remove, predicted before anything changes.

The rules read adequacy decisions from the database, so the prediction runs them on a
database that holds the change: the change is written inside a transaction that is always
rolled back, and every rule's hits are copied into plain values before the rollback. The
change is written with ``QuerySet.update`` and ``bulk_create``, which send no signal and
write no history: no re-check is queued (and one queued inside the transaction would be
discarded by the rollback anyway), no history row is written, no finding is recorded.

Both sides of the comparison are taken on the same day, so that only the change tells them
apart: a transfer impact assessment going stale or a review falling due between today and
that day is not the change's doing.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Organisation
from inventory.models import AdequacyDecision, Country, country_name
from processing.compliance.models import Finding
from processing.compliance.rules.registry import load
from processing.compliance.selectors import SEVERITY_ORDER, Shown, shown

# Dates a what-if accepts: from the day the GDPR applies to the end of the century.
EARLIEST = datetime.date(2018, 5, 25)
LATEST = datetime.date(2099, 12, 31)
ONE_DAY = datetime.timedelta(days=1)


class Change(models.TextChoices):
    ENDS = "ends", gettext_lazy("The country's adequacy decision no longer applies from a date")
    NEW = "new", gettext_lazy("A new adequacy decision, for the whole country, applies from a date")
    NOT_RENEWED = "not_renewed", gettext_lazy("The country's adequacy decision is not renewed: it ends on its end date")


@dataclass(frozen=True)
class Scenario:
    """A change to the reference data, and the day on which to compare the findings.

    ``starts_on`` is the first day the change applies: the first day without the decision
    (``ENDS``, ``NOT_RENEWED``: the day after its end date) or with the new one (``NEW``).
    """

    change: str
    country: str
    starts_on: datetime.date
    evaluated_on: datetime.date
    decision_id: int | None = None  # the decision that ends or is not renewed
    decision_reference: str = ""

    @property
    def country_name(self) -> str:
        return country_name(self.country, get_language())

    def write_change(self) -> None:
        """Write the change (inside the what-if's transaction, always rolled back)."""
        if self.change == Change.ENDS:
            last_day = self.starts_on - ONE_DAY
            AdequacyDecision.objects.filter(country_id=self.country).in_force_on(last_day).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gt=last_day)
            ).update(ends_on=last_day)
        elif self.change == Change.NEW:
            AdequacyDecision.objects.bulk_create(
                [AdequacyDecision(country_id=self.country, reference="What-if", in_force_from=self.starts_on)]
            )

    def write_renewal(self) -> None:
        """The decision renewed, with no end date: what "not renewed" is compared with."""
        AdequacyDecision.objects.filter(pk=self.decision_id).update(ends_on=None)

    def sides(self):
        """How to write each side of the comparison (None: the reference data as it is).

        A decision "not renewed" ends on its end date, as the reference data already says:
        it is compared with the same decision renewed. The other changes are compared with
        the reference data as it is."""
        if self.change == Change.NOT_RENEWED:
            return self.write_renewal, None
        return None, self.write_change


def scenario_for(
    *,
    change: str,
    country: str,
    starts_on: datetime.date | None = None,
    evaluated_on: datetime.date | None = None,
    today: datetime.date,
) -> Scenario:
    """Check a change asked for against the reference data and fill in its dates.

    Raises a ValidationError naming the field at fault (``country``, ``starts_on``,
    ``evaluated_on``) with a code.
    """
    _check_the_choices(change, starts_on, evaluated_on)
    _check_outside_the_eea(country)
    names = {"country": country_name(country, get_language())}
    decisions = AdequacyDecision.objects.filter(country_id=country)
    if change == Change.NOT_RENEWED:
        decision = _decision_to_renew(decisions, today, names)
        starts_on = decision.ends_on + ONE_DAY
    elif starts_on is None:
        _refuse("starts_on", _("Give the date from which the change applies."), "required")
    elif change == Change.ENDS:
        decision = decisions.in_force_on(starts_on - ONE_DAY).first()
        if decision is None:
            _refuse(
                "country",
                _("%(country)s has no adequacy decision in force on %(day)s: there is none to end.")
                % {**names, "day": date_format(starts_on - ONE_DAY)},
                "no_decision",
            )
    else:  # Change.NEW
        decision = None
        if decisions.in_force_on(starts_on).exists():
            _refuse(
                "country",
                _("%(country)s already has an adequacy decision in force on that date.") % names,
                "already_adequate",
            )
    return Scenario(
        change,
        country,
        starts_on,
        evaluated_on or starts_on,
        decision_id=decision.pk if decision else None,
        decision_reference=decision.reference if decision else "",
    )


def _refuse(name: str, message, code: str):
    raise ValidationError({name: [ValidationError(message, code=code)]})


def _check_the_choices(change, starts_on, evaluated_on) -> None:
    """A known change, and dates the reference data can hold (every field at fault named at once)."""
    errors = {}
    if change not in Change.values:
        errors["change"] = [ValidationError(_("Choose a change."), code="invalid_choice")]
    for name, day in (("starts_on", starts_on), ("evaluated_on", evaluated_on)):
        if day is not None and not EARLIEST <= day <= LATEST:
            message = _("Choose a date between %(earliest)s and %(latest)s.") % {
                "earliest": date_format(EARLIEST),
                "latest": date_format(LATEST),
            }
            errors[name] = [ValidationError(message, code="out_of_range")]
    if errors:
        raise ValidationError(errors)


def _check_outside_the_eea(country: str) -> None:
    place = Country.objects.filter(pk=country).values_list("is_eea", flat=True).first()
    if place is None:
        raise ValidationError({"country": ValidationError(_("Choose a country from the list."), code="unknown")})
    if place:
        _refuse("country", _("Data flows freely within the EEA: no adequacy decision concerns it."), "in_eea")


def _decision_to_renew(decisions, today: datetime.date, names: dict) -> AdequacyDecision:
    """The decision in force today with the latest end date: the one a "not renewed" change lets end."""
    decision = decisions.in_force_on(today).filter(ends_on__isnull=False).order_by("-ends_on").first()
    if decision is not None:
        return decision
    if decisions.in_force_on(today).exists():
        _refuse(
            "country",
            _(
                "The adequacy decision for %(country)s has no end date: there is nothing to renew. "
                "Choose “no longer applies from a date” instead."
            )
            % names,
            "no_end_date",
        )
    _refuse("country", _("%(country)s has no adequacy decision in force today.") % names, "no_decision")


# --- The prediction ------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A finding a rule would give in one case and not in the other, narrowed to the
    destinations that differ (the rest of the finding is the same either way)."""

    rule: str
    model: type
    pk: int
    params: dict


@dataclass
class Prediction:
    scenario: Scenario
    gained: list[Shown] = field(default_factory=list)
    lost: list[Shown] = field(default_factory=list)
    unchanged: int = 0  # (rule, object, destination) found either way


def _hits(organisation: Organisation, day: datetime.date) -> dict:
    """Every rule's hits on ``day``, as plain values: (rule, model, pk, destination or None,
    the other params as JSON) → the other params. One key per destination, so that a finding
    gaining a destination shows just that destination."""
    found = {}
    for rule in load().values():
        if not rule.reads_register:  # breaches: the reference data plays no part
            continue
        for hit in rule.find(organisation, day):
            params = {key: value for key, value in hit.params.items() if key != "destinations"}
            others = json.dumps(params, sort_keys=True, default=str)
            for destination in hit.params.get("destinations") or [None]:
                where = tuple(destination) if destination is not None else None
                found[(rule.code, hit.model, hit.pk, where, others)] = params
    return found


class _RolledBack(Exception):
    """Ends the what-if's transaction: whatever happened in it is undone."""


def _hits_with(organisation, day, write) -> dict:
    """The hits on ``day`` with what ``write`` writes to the database, then undone (the
    reference data as it is when ``write`` is None: no transaction needed)."""
    if write is None:
        return _hits(organisation, day)
    hits = {}
    try:
        with transaction.atomic():
            write()
            hits = _hits(organisation, day)
            raise _RolledBack
    except _RolledBack:
        pass
    return hits


def _differences(present: dict, absent: dict) -> list[Difference]:
    """What ``present`` has and ``absent`` has not, one Difference per rule and object."""
    grouped = defaultdict(list)
    params_of = {}
    for key, params in present.items():
        if key in absent:
            continue
        code, model, pk, where, others = key
        grouped[(code, model, pk, others)].append(where)
        params_of[(code, model, pk, others)] = params
    differences = []
    for (code, model, pk, others), places in grouped.items():
        params = dict(params_of[(code, model, pk, others)])
        if places != [None]:
            params["destinations"] = sorted(list(where) for where in places)
        differences.append(Difference(code, model, pk, params))
    return differences


def _shown(differences: list[Difference], organisation) -> list[Shown]:
    """As the findings page shows findings (unsaved: nothing is written), most severe first."""
    rules = load()
    findings = [
        Finding(
            organisation=organisation,
            rule=difference.rule,
            subject_type=ContentType.objects.get_for_model(difference.model),
            subject_id=difference.pk,
            severity=rules[difference.rule].severity,
            params=difference.params,
        )
        for difference in differences
    ]
    rows = shown(findings, organisation)
    language = get_language()
    for row in rows:
        row.destinations = [
            f"{country_name(code, language)}{f' ({importer})' if importer else ''}"
            for code, importer in row.finding.params.get("destinations", [])
        ]
    return sorted(
        rows,
        key=lambda row: (SEVERITY_ORDER.get(row.finding.severity, 9), row.subject_label, row.finding.rule),
    )


def predict(organisation: Organisation, scenario: Scenario) -> Prediction:
    """The findings ``scenario`` would add and remove on its day, compared with the same day
    without it. Nothing is saved. A fixed number of queries whatever the register's size."""
    day = scenario.evaluated_on
    write_before, write_after = scenario.sides()
    before = _hits_with(organisation, day, write_before)
    after = _hits_with(organisation, day, write_after)
    return Prediction(
        scenario=scenario,
        gained=_shown(_differences(after, before), organisation),
        lost=_shown(_differences(before, after), organisation),
        unchanged=len(after.keys() & before.keys()),
    )
