"""The organisation's home page figures, for the organisation's page (which knows nothing of the checks)."""

from django import template

from processing.compliance.dashboard import dashboard

register = template.Library()


@register.simple_tag
def organisation_dashboard(organisation):
    """``{% organisation_dashboard organisation as board %}``: see ``processing.dashboard``."""
    return dashboard(organisation)
