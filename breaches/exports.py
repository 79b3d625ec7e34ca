"""The breach register (Art. 33(5)): every breach with its facts, effects and remedial
action, its notification and the information of the people, as a regulator asks to see it.
XLSX (a "Breaches" sheet and a "Timeline" sheet) or CSV (one line per breach, the timeline
in one cell)."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import moment_text
from core.pdf import pdf_from_template
from core.spreadsheets import Sheet, csv_text, xlsx_bytes

from .models import Breach, TimelineEntry


def register_breaches(organisation):
    """Every breach of the organisation with what the register shows, in a fixed number of queries."""
    return (
        Breach.objects.filter(organisation=organisation)
        .order_by("aware_at", "pk")
        .prefetch_related(
            "systems",
            "activities",
            "subject_categories",
            Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author")),
        )
    )


def _when(moment) -> str:
    """A moment in a spreadsheet's cell: "2026-12-06 02:26", which sorts and filters as text."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _names(items) -> str:
    return "\n".join(str(item) for item in items)


def _columns(when=_when):
    """(header, width, value of a breach) in the order of the record; moments written by ``when``."""
    zone = timezone.get_current_timezone_name()
    dated = lambda label: f"{label} ({zone})"  # noqa: E731
    return [
        (_("Reference"), 14, lambda b: b.reference),
        (_("Title"), 30, lambda b: b.title),
        (_("Status"), 12, lambda b: b.get_status_display()),
        (_("What happened"), 50, lambda b: b.description),
        (dated(_("Started")), 17, lambda b: when(b.started_at)),
        (dated(_("Ended")), 17, lambda b: _("Still ongoing") if b.is_ongoing else when(b.ended_at)),
        (dated(_("Detected")), 17, lambda b: when(b.detected_at)),
        (dated(_("Became aware")), 17, lambda b: when(b.aware_at)),
        (_("Reported by"), 20, lambda b: b.reported_by),
        (_("Our role"), 14, lambda b: b.get_role_display()),
        (_("Controller"), 20, lambda b: b.controller_name),
        (dated(_("Controller informed at")), 17, lambda b: when(b.controller_informed_at)),
        (_("Other organisations involved"), 24, lambda b: b.other_organisations),
        (_("Nature"), 24, lambda b: _names(b.nature_labels)),
        (_("Cause"), 12, lambda b: b.get_cause_display()),
        (_("Origin"), 12, lambda b: b.get_origin_display()),
        (_("How it was discovered"), 30, lambda b: b.discovery),
        (_("Systems"), 24, lambda b: _names(b.systems.all())),
        (_("Processing activities"), 30, lambda b: _names(b.activities.all())),
        (_("Categories of data"), 30, lambda b: _names(b.data_category_labels)),
        (_("Special categories of data"), 24, lambda b: _names(b.special_category_labels)),
        (_("Categories of people"), 24, lambda b: _names(b.subject_categories.all())),
        (_("Approximate number of people"), 12, lambda b: b.people_count),
        (_("Approximate number of records"), 12, lambda b: b.records_count),
        (_("People in other EU Member States"), 20, lambda b: b.member_states or (_("Yes") if b.cross_border else "")),
        (_("Likely consequences"), 40, lambda b: b.consequences),
        (_("Risk to people"), 16, lambda b: b.get_risk_display() if b.risk else ""),
        (_("Why this level of risk"), 40, lambda b: b.risk_reasoning),
        (_("Measures taken"), 40, lambda b: b.measures_taken),
        (_("Measures proposed"), 40, lambda b: b.measures_proposed),
        # A processor has no deadline of its own: it informs the controller without undue delay (Art. 33(2)).
        (dated(_("Notification deadline")), 17, lambda b: "" if b.as_processor else when(b.notification_deadline)),
        (dated(_("Authority notified at")), 17, lambda b: when(b.notified_at)),
        (_("Supervisory authority"), 16, lambda b: b.authority),
        (_("Authority's reference"), 16, lambda b: b.authority_reference),
        (_("Reasons for the delay"), 30, lambda b: b.delay_reasons),
        (_("Other supervisory authorities notified"), 24, lambda b: b.other_authorities),
        (_("Why the authority is not notified"), 30, lambda b: b.not_notified_reason),
        (dated(_("People informed at")), 17, lambda b: when(b.communicated_at)),
        (_("How they were informed"), 30, lambda b: b.communication_means),
        (_("Exception to informing them"), 30, lambda b: b.get_communication_exception_display()),
        (_("Why the exception applies"), 30, lambda b: b.exception_justification),
        (dated(_("Closed at")), 17, lambda b: when(b.closed_at)),
    ]


def _timeline_line(entry, when=_when) -> list:
    author = entry.author.get_username() if entry.author else _("system")
    return [when(entry.happened_at), author, entry.get_kind_display(), entry.text]


def breach_register_xlsx(breaches) -> bytes:
    columns = _columns()
    zone = timezone.get_current_timezone_name()
    register = Sheet(
        _("Breaches"),
        [header for header, _width, _value in columns],
        [[value(breach) for _header, _width, value in columns] for breach in breaches],
        [width for _header, width, _value in columns],
    )
    timeline = Sheet(
        _("Timeline"),
        [_("Reference"), _("When") + f" ({zone})", _("Who"), _("Kind"), _("What happened")],
        [[breach.reference, *_timeline_line(entry)] for breach in breaches for entry in breach.timeline.all()],
        [14, 17, 14, 30, 60],
    )
    return xlsx_bytes([register, timeline])


def breach_register_pdf(organisation, breaches, language: str) -> bytes:
    """A cover (organisation, DPO, when), the list of breaches, then one page per breach."""

    columns = _columns(moment_text)[1:]  # the reference heads each page; moments as the language writes them
    rows = [
        (
            breach,
            [(header, value(breach)) for header, _width, value in columns],
            [_timeline_line(e, moment_text) for e in breach.timeline.all()],
        )
        for breach in breaches
    ]
    context = {
        "organisation": organisation,
        "rows": rows,
        "language": language,
        "generated_at": timezone.now(),
        "zone": timezone.get_current_timezone_name(),
    }
    return pdf_from_template("breaches/breach_register_pdf.html", context)


def breach_register_csv(breaches) -> str:
    columns = _columns()
    headers = [header for header, _width, _value in columns] + [_("Timeline")]
    rows = [
        [value(breach) for _header, _width, value in columns]
        + ["\n".join(" · ".join(_timeline_line(entry)) for entry in breach.timeline.all())]
        for breach in breaches
    ]
    return csv_text(headers, rows)
