"""The 72-hour clock of a breach (Art. 33(1)): where it stands, said in words.

The pages, the periodic check and the emails read it from here, so that a breach that the
list shows as "near the deadline" is the one the DPO is warned about.

A processor's breach has no clock towards the authority: the processor informs the controller
"without undue delay after becoming aware" (Art. 33(2)), with no number of hours, and the
controller's own 72 hours start once it is informed (EDPB Guidelines 9/2022, section II.A.4). Its
state is "inform the controller" until that is recorded: at once, not counted down.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Breach, notification_delay

# Near the deadline: within this many hours of it, or past this share of the delay.
WARNING_HOURS = 24
WARNING_SHARE = 0.8


class State:
    NOT_REQUIRED = "not_required"  # unlikely to result in a risk: no notification
    RUNNING = "running"
    NEAR = "near"  # within 24 hours of the deadline
    OVERDUE = "overdue"
    NOTIFIED = "notified"
    NOTIFIED_LATE = "notified_late"
    # A processor's breach (Art. 33(2)): no deadline, "without undue delay".
    INFORM_CONTROLLER = "inform_controller"
    CONTROLLER_INFORMED = "controller_informed"


RUNNING = (State.RUNNING, State.NEAR, State.OVERDUE, State.INFORM_CONTROLLER)


@dataclass(frozen=True)
class Clock:
    state: str
    deadline: datetime.datetime | None  # None for a processor: "without undue delay"
    left: datetime.timedelta | None  # negative once past; None without a deadline

    @property
    def stands_out(self) -> bool:
        return self.state in (State.NEAR, State.OVERDUE, State.INFORM_CONTROLLER)

    @property
    def words(self) -> str:
        """ "2 days 4 hours left", "late by 5 hours", "notified in time"…"""
        if self.state == State.INFORM_CONTROLLER:
            return _("inform the controller without undue delay")
        if self.state == State.CONTROLLER_INFORMED:
            return _("controller informed")
        if self.state == State.NOT_REQUIRED:
            return _("no notification required")
        if self.state == State.NOTIFIED:
            return _("notified in time")
        if self.state == State.NOTIFIED_LATE:
            return _("notified late")
        if self.left < datetime.timedelta(0):
            return _("late by %(duration)s") % {"duration": duration_words(-self.left)}
        return _("%(duration)s left") % {"duration": duration_words(self.left)}


def near_deadline(left: datetime.timedelta) -> bool:
    """Within 24 hours of the deadline (the first warning)."""
    return left <= datetime.timedelta(hours=WARNING_HOURS)


def most_of_the_delay_gone(left: datetime.timedelta) -> bool:
    """80 % of the delay gone (the second warning: 14.4 hours left of 72)."""
    return left <= notification_delay() * (1 - WARNING_SHARE)


def breach_clock(breach: Breach, now: datetime.datetime | None = None) -> Clock:
    if breach.as_processor:
        informed = breach.controller_informed_at is not None
        return Clock(State.CONTROLLER_INFORMED if informed else State.INFORM_CONTROLLER, None, None)
    now = now or timezone.now()
    deadline = breach.notification_deadline
    left = deadline - now
    if breach.notified_at is not None:
        state = State.NOTIFIED_LATE if breach.notified_at > deadline else State.NOTIFIED
    elif not breach.notification_required:
        state = State.NOT_REQUIRED
    elif left < datetime.timedelta(0):
        state = State.OVERDUE
    elif near_deadline(left):
        state = State.NEAR
    else:
        state = State.RUNNING
    return Clock(state, deadline, left)


def duration_words(duration: datetime.timedelta) -> str:
    """A duration to the hour beyond a day, else to the minute: "2 days 4 hours", "11 hours 59 minutes"."""
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if not days and (minutes or not hours):
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)
