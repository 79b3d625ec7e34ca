"""Register pages. Until the register exists they show an honest empty state."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import organisation_view
from core.pages import render_empty_section


@organisation_view()
def activity_list(request, organisation):
    return render_empty_section(
        request,
        organisation,
        section="register",
        title=_("Register"),
        empty_title=_("No processing activities yet"),
        empty_message=_("The register of processing activities will be kept here."),
    )


@organisation_view()
def finding_list(request, organisation):
    return render_empty_section(
        request,
        organisation,
        section="findings",
        title=_("Findings"),
        empty_title=_("No findings"),
        empty_message=_("Compliance checks will list here what needs attention in the register."),
    )


@organisation_view()
def report_list(request, organisation):
    return render_empty_section(
        request,
        organisation,
        section="reports",
        title=_("Reports"),
        empty_title=_("No reports yet"),
        empty_message=_("Exports of the Article 30 record will be offered and logged here."),
    )
