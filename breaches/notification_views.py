"""The notification draft page: the Art. 33(3) content of a breach, ready to copy."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from accounts.permissions import organisation_view

from .notification import notification_draft
from .selectors import breach_with_details


@organisation_view()
def notification_draft_page(request, organisation, pk):
    """In English or French (``?lang=``), whatever the reader's own language: the authority's."""
    breach = breach_with_details(organisation, pk)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("lang")
    if language not in languages:
        language = translation.get_language()
    with translation.override(language):
        sections = notification_draft(breach)
        missing = [row for section in sections for row in section.rows if row.missing]
    return render(
        request,
        "breaches/notification_draft.html",
        {
            "organisation": organisation,
            "breach": breach,
            "sections": sections,
            "missing": missing,
            "draft_language": language,
            "section": "breaches",
        },
    )
