"""The demo's retention policy (the French references), a past of twelve months, and a first check of its register.

The past (``seed_demo_past``): on a demo seeded afresh, what was just written is dated back — the catalogue and the
policy a year ago, each activity on the day it was recorded, from PA-001 (360 days ago) to PA-015 — then a few
changes replay dated moments: periods set wrong then corrected (their findings opened, then resolved), a contest
recorded then archived. The register as of a date, the changes between two dates and the findings' trend then tell
a story on first run. The changes go through the services and the checks, like a DPO's; only their dates are moved
afterwards.
"""

import datetime
from contextlib import contextmanager

from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation
from inventory.demo import DEMO_ORGANISATION
from inventory.models import DataField, DataSubjectCategory
from processing.compliance.check import check_organisation
from processing.compliance.models import Finding
from processing.compliance.services import check_now, retention_policy_seed
from processing.models import ProcessingActivity
from processing.services import activity_archive, activity_create, activity_update

YEAR_AGO = 365
FIRST_RECORDED = 360  # PA-001; each next activity RECORDED_EVERY days later
RECORDED_EVERY = 22
FIRST_CHECK = 330  # days ago: the checks' first findings (each dated no earlier than its activity)


@transaction.atomic
def seed_demo_compliance() -> str:
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION)
    if not organisation.retention_policies.exists():  # the DPO's own policy is left as it is
        retention_policy_seed(organisation=organisation, language="fr")
    past = seed_demo_past(organisation)
    result = check_now(organisation)
    return f"findings of {organisation.slug}: {len(result.opened)} new{past}"


def seed_demo_past(organisation) -> str:
    """Twelve months of history, once, on a demo whose findings have no history yet (a fresh one)."""
    if Finding.history.filter(organisation_id=organisation.pk).exists():
        return ""
    now = timezone.now()
    _date_what_was_just_seeded(organisation, now)
    with backdated(organisation, now - datetime.timedelta(days=FIRST_CHECK)) as moment:
        check_organisation(organisation, today=moment.date())
    _no_finding_before_its_activity(organisation)
    for days_ago, change in PAST_CHANGES:
        with backdated(organisation, now - datetime.timedelta(days=days_ago)) as moment:
            change(organisation)
            check_organisation(organisation, today=moment.date())
    return f"; {len(PAST_CHANGES)} dated changes over the last twelve months"


def _historical_models():
    return [
        model
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and model._meta.pk.name == "history_id"
    ]


@contextmanager
def backdated(organisation, moment: datetime.datetime):
    """What the block writes (historical records, findings opened, seen or resolved) dated ``moment``."""
    models = _historical_models()
    marks = {model: model.objects.aggregate(last=Max("history_id"))["last"] or 0 for model in models}
    since = timezone.now()
    yield moment
    for model in models:
        model.objects.filter(history_id__gt=marks[model]).update(history_date=moment)
    findings = Finding.objects.filter(organisation=organisation)
    for field in ("first_detected_at", "last_seen_at", "resolved_at"):
        findings.filter(**{f"{field}__gte": since}).update(**{field: moment})


def _recorded_on(now, index: int) -> datetime.datetime:
    return now - datetime.timedelta(days=FIRST_RECORDED - RECORDED_EVERY * index)


def _date_what_was_just_seeded(organisation, now) -> None:
    """The catalogue, the policy and the organisation a year ago; each activity and its rows on its own day."""
    year_ago = now - datetime.timedelta(days=YEAR_AGO)
    recent = now - datetime.timedelta(hours=1)  # this seed's records, not older ones
    for model in _historical_models():
        model.objects.filter(history_date__gte=recent).update(history_date=year_ago)
    activities = ProcessingActivity.objects.filter(organisation=organisation).order_by("reference")
    for index, activity in enumerate(activities):
        moment = _recorded_on(now, index)
        ProcessingActivity.objects.filter(pk=activity.pk).update(created_at=moment)
        activity.history.all().update(history_date=moment)
        for model in _historical_models():
            if "activity_id" in {field.attname for field in model._meta.concrete_fields}:
                model.objects.filter(activity_id=activity.pk).update(history_date=moment)


def _no_finding_before_its_activity(organisation) -> None:
    """A finding of the first check on an activity recorded later is dated when the activity was."""
    created = dict(ProcessingActivity.objects.filter(organisation=organisation).values_list("pk", "created_at"))
    for finding in Finding.objects.filter(organisation=organisation, subject_type__model="processingactivity"):
        moment = created.get(finding.subject_id)
        if moment is not None and moment > finding.first_detected_at:
            Finding.objects.filter(pk=finding.pk).update(first_detected_at=moment, last_seen_at=moment)
            finding.history.all().update(history_date=moment)


def _set_duration(reference: str, duration: int, unit: str):
    def change(organisation):
        activity = ProcessingActivity.objects.get(organisation=organisation, reference=reference)
        line = activity.retention_lines.order_by("pk").first()
        activity_update(
            activity=activity, retention_lines=[{"id": line.pk, "duration": duration, "duration_unit": unit}]
        )

    return change


def _contest_recorded(organisation):
    people = DataSubjectCategory.objects.filter(organisation=organisation, name="Prospects")
    fields = DataField.objects.filter(organisation=organisation, name__in=["Nom et prénom", "Adresse e-mail"])
    activity_create(
        organisation=organisation,
        reference="PA-016",
        name="Jeu concours de l'été 2026",
        purpose="Organiser le jeu concours de l'été et désigner les gagnants.",
        lawful_basis=ProcessingActivity.LawfulBasis.CONSENT,
        lawful_basis_evidence="Case à cocher du formulaire de participation",
        data_fields=list(fields),
        data_subjects=[{"category": category, "approximate_count": 1200} for category in people],
        retention_lines=[{"duration": 6, "duration_unit": "months", "trigger": "collection"}],
    )


def _contest_archived(organisation):
    activity_archive(activity=ProcessingActivity.objects.get(organisation=organisation, reference="PA-016"))


# (days ago, what happened), in order: each checked on its day, so that its findings open and close then.
PAST_CHANGES = [
    (280, _set_duration("PA-011", 6, "years")),  # accounts kept 6 years: below the 10 years of L123-22
    (250, _contest_recorded),
    (190, _set_duration("PA-011", 10, "years")),  # corrected
    (150, _set_duration("PA-012", 1, "years")),  # badge records kept a year: beyond the CNIL's 3 months
    (120, _contest_archived),
    (95, _set_duration("PA-012", 3, "months")),  # corrected
]
