"""A catalogue entry's findings, for the catalogue's pages (which know nothing of the checks)."""

from django import template

from processing.compliance.selectors import subject_findings

register = template.Library()


@register.simple_tag
def findings_of(subject):
    """``{% findings_of item as findings %}``: its findings still to deal with, most severe first."""
    return subject_findings(subject)
