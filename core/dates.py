"""Dates as people read them, the one way per language the format modules set
(``config/formats``): "6 Dec 2026, 02:26", « 6 déc. 2026, 02:26 », in the reader's time zone.

Machines keep ISO dates (CSV and JSON exports, the API, HTML date inputs, params stored as
JSON); these helpers turn such values into the reader's words when they are shown.
"""

import datetime
import re
import zoneinfo

from django.utils import timezone
from django.utils.formats import date_format

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(value) -> datetime.date | None:
    """The day ``value`` holds if it is an ISO date ("2026-11-03"), else None."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def day_text(value) -> str:
    """A day as the active language writes it ("3 Nov 2026"); an ISO string is read first."""
    day = iso_day(value)
    return date_format(day, "DATE_FORMAT") if day else ""


def moment_text(moment: datetime.datetime | None) -> str:
    """A moment in the active time zone, as the active language writes it ("6 Dec 2026, 02:26")."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")


def time_zone_of(user) -> datetime.tzinfo:
    """The time zone someone chose in their profile, or the server's default if it is unknown."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
