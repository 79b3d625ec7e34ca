"""French dates and times, one way everywhere: « 6 déc. 2026 », « 6 déc. 2026, 02:26 ».

The month abbreviated as French typography does (janv., févr., mars, avr., mai, juin,
juil., août, sept., oct., nov., déc.: Django's "N"), a 24-hour clock. The short formats are
the long ones, as in English (``config/formats/en/formats.py``).
"""

DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
