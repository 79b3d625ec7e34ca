"""The draft page: the Art. 33(3) content of a breach, ready to copy, addressed to the
supervisory authority or, for a processor's breach, to the controller (``breaches.notification``)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from accounts.permissions import organisation_view
from core.pdf import pdf_from_template

from .notification import breach_draft
from .selectors import breach_with_details


def _draft(request, organisation, pk) -> dict:
    """In English or French (``?lang=``), whatever the reader's own language: the addressee's."""
    breach = breach_with_details(organisation, pk)
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        draft = breach_draft(breach)
    return {
        "organisation": organisation,
        "breach": breach,
        "draft": draft,
        "sections": draft.sections,
        "missing": draft.missing,
        "draft_language": language,
        "section": "breaches",
    }


@organisation_view()
def notification_draft_page(request, organisation, pk):
    return render(request, "breaches/notification_draft.html", _draft(request, organisation, pk))


@organisation_view()
def notification_draft_pdf(request, organisation, pk):
    context = _draft(request, organisation, pk)
    with translation.override(context["draft_language"]):
        content = pdf_from_template("breaches/notification_draft_pdf.html", context)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"{context['draft'].file_name}-{context['draft_language']}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
