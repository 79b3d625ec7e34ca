"""English dates and times, one way everywhere: "6 Dec 2026", "6 Dec 2026, 02:26".

Day before month with the month in letters, so no reader takes 12/06 for 12 June or
6 December; a 24-hour clock, so no "a.m." or "p.m.". The short formats are the long ones:
a page, an email and a PDF all write a moment alike. Forms still accept ISO dates
(Django always adds them to the input formats), which HTML date inputs send.
"""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Europe
