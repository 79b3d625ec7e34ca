"""Writes of the breach log. The web forms, the API and the demo all go through here.

A breach is written with its links in one transaction; its timeline is append-only: these
services add a dated line for each event that matters to a regulator (logged, status
changed, authority notified or, as a processor, controller informed, further information sent,
people informed) and for each note a DPO writes, and nothing ever changes or removes one.

A processor's breach is refused what only a controller does (notify the authority, inform the
people: Art. 33(1), 34; ``Breach.clean``), so the web form, the API and the demo agree on it.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.errors import field_error
from inventory.models import DataSubjectCategory, System
from processing.models import ProcessingActivity

from .models import FUTURE_TOLERANCE, Breach, TimelineEntry
from .tasks import check_breaches_after_commit

SCALAR_FIELDS = tuple(
    field.name
    for field in Breach._meta.concrete_fields
    if field.editable and field.name not in ("id", "organisation", "created_at", "updated_at", "closed_at")
)
LINK_FIELDS = {"systems": System, "activities": ProcessingActivity, "subject_categories": DataSubjectCategory}


def next_breach_reference(organisation: Organisation, year: int) -> str:
    """The next free "BR-2026-001" reference of the organisation's log for that year."""
    prefix = f"BR-{year}-"
    numbers = [
        int(match.group(1))
        for reference in Breach.objects.filter(organisation=organisation, reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if (match := re.fullmatch(r"BR-\d{4}-(\d+)", reference))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _links(organisation: Organisation, name: str, items) -> list:
    """The chosen entries, each of the organisation's own catalogue or register."""
    model = LINK_FIELDS[name]
    items = list(items)
    pks = {getattr(item, "pk", item) for item in items}
    found = list(model._default_manager.filter(organisation=organisation, pk__in=pks))
    if len(found) != len(pks):
        raise field_error(name, _("Choose entries of this organisation."), "invalid_choice")
    return found


def _event(breach: Breach, kind: str, text: str, author, happened_at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        breach=breach, kind=kind, text=text, author=author, happened_at=happened_at or timezone.now()
    )


def _apply(breach: Breach, data: dict, author) -> Breach:
    unknown = set(data) - set(SCALAR_FIELDS) - set(LINK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown breach fields: {sorted(unknown)}")
    before = None
    if breach.pk is not None:
        before = (
            Breach.objects.select_for_update()
            .values("status", "notified_at", "communicated_at", "controller_informed_at")
            .get(pk=breach.pk)
        )
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(breach, name, data[name])
    if not breach.reference:
        breach.reference = next_breach_reference(
            breach.organisation, timezone.localtime(breach.aware_at or timezone.now()).year
        )
    if breach.status == Breach.Status.CLOSED:
        breach.closed_at = breach.closed_at or timezone.now()
    else:
        breach.closed_at = None
    breach.full_clean()
    try:
        with transaction.atomic():
            breach.save()
    except IntegrityError:  # the same reference taken by someone else since full_clean()
        raise field_error("reference", _("Another breach of the log already has this reference."), "unique") from None
    for name in LINK_FIELDS:
        if name in data:
            getattr(breach, name).set(_links(breach.organisation, name, data[name]))

    check_breaches_after_commit(breach.organisation_id)
    if before is None:
        _event(breach, TimelineEntry.Kind.LOGGED, _("Breach logged."), author)
        return breach
    if breach.status != before["status"]:
        _event(
            breach,
            TimelineEntry.Kind.STATUS,
            _("Status: %(before)s → %(after)s.")
            % {"before": Breach.Status(before["status"]).label, "after": breach.get_status_display()},
            author,
        )
    _dated_events(breach, before, author)
    return breach


def _dated_events(breach: Breach, before: dict, author) -> None:
    """The controller informed (Art. 33(2)), the authority notified (33(1)), the people informed (34): each once,
    at its own date."""
    if breach.controller_informed_at and breach.controller_informed_at != before["controller_informed_at"]:
        text = _("Controller %(controller)s informed.") % {"controller": breach.controller_name}
        _event(breach, TimelineEntry.Kind.CONTROLLER_INFORMED, text, author, breach.controller_informed_at)
    if breach.notified_at and breach.notified_at != before["notified_at"]:
        text = _("Notified to %(authority)s.") % {"authority": breach.authority}
        if breach.authority_reference:
            text += " " + _("Reference: %(reference)s.") % {"reference": breach.authority_reference}
        _event(breach, TimelineEntry.Kind.NOTIFIED, text, author, breach.notified_at)
    if breach.communicated_at and breach.communicated_at != before["communicated_at"]:
        text = _("People informed: %(means)s") % {"means": breach.communication_means}
        _event(breach, TimelineEntry.Kind.COMMUNICATED, text, author, breach.communicated_at)


@transaction.atomic
def breach_create(*, organisation: Organisation, author=None, **data) -> Breach:
    """Log a breach (open unless ``status`` says otherwise); its timeline starts."""
    return _apply(Breach(organisation=organisation), data, author)


@transaction.atomic
def breach_update(*, breach: Breach, author=None, **data) -> Breach:
    """Change a breach; status changes, the notification and the communication to people are
    added to its timeline."""
    return _apply(breach, data, author)


@transaction.atomic
def timeline_entry_add(
    *, breach: Breach, author=None, text: str, happened_at: datetime.datetime | None = None, kind: str = "note"
) -> TimelineEntry:
    """Add a dated line to the breach's timeline: a note, or further information sent to the
    authority (Art. 33(4), only once it was notified) or, as a processor, to the controller (once
    it was informed: EDPB Guidelines 9/2022, section II.A.4, information "in phases")."""
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = [ValidationError(_("Say what happened."), code="required")]
    if happened_at is not None and happened_at > timezone.now() + FUTURE_TOLERANCE:
        errors["happened_at"] = [ValidationError(_("This date is in the future."), code="future")]
    if kind not in (TimelineEntry.Kind.NOTE, TimelineEntry.Kind.FOLLOW_UP):
        errors["kind"] = [ValidationError(_("Choose a note or further information sent."), code="invalid_choice")]
    elif kind == TimelineEntry.Kind.FOLLOW_UP and breach.as_processor and breach.controller_informed_at is None:
        errors["kind"] = [
            ValidationError(
                _("Further information follows the first notice to the controller: record when you informed it first."),
                code="controller_not_informed",
            )
        ]
    elif kind == TimelineEntry.Kind.FOLLOW_UP and not breach.as_processor and breach.notified_at is None:
        errors["kind"] = [
            ValidationError(
                _("Further information follows a notification: record the notification first."), code="not_notified"
            )
        ]
    if errors:
        raise ValidationError(errors)
    check_breaches_after_commit(breach.organisation_id)  # every write to the log re-checks it
    return _event(breach, kind, text, author, happened_at)
