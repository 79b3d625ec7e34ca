"""Breach log pages. Until the log exists they show an honest empty state."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import organisation_view
from core.pages import render_empty_section


@organisation_view()
def breach_list(request, organisation):
    return render_empty_section(
        request,
        organisation,
        section="breaches",
        title=_("Breaches"),
        empty_title=_("No breaches logged"),
        empty_message=_("Every personal data breach, notified or not, will be documented here (Art. 33(5))."),
    )
