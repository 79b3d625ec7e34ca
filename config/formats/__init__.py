"""How dates and times read in each language (``FORMAT_MODULE_PATH``): ``en/formats.py``, ``fr/formats.py``."""

from django.utils.translation import pgettext_lazy

# Django's French catalogue abbreviates January and February « jan. » and « fév. » (the "N" of
# the date formats); French typography writes « janv. » and « févr. ». Marked here so that our
# catalogue, which Django reads before its own (LOCALE_PATHS), carries them.
MONTH_ABBREVIATIONS = (pgettext_lazy("abbrev. month", "Jan."), pgettext_lazy("abbrev. month", "Feb."))
