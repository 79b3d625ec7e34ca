"""Issue #19: each answer of the notification draft can be copied (static/js/copy-answers.js, CSP-safe)."""

import pytest
from django.urls import reverse

from .factories import log_breach

pytestmark = pytest.mark.django_db


def test_the_draft_marks_each_answer_to_copy_and_loads_its_script_from_our_static_files(auditor_client, organisation):
    breach = log_breach(organisation)
    response = auditor_client.get(
        reverse("breaches:notification_draft", args=[organisation.slug, breach.pk]) + "?lang=fr"
    )
    page = response.text
    assert page.count("data-copy-answer") >= 2  # the answers given, not those still to complete
    assert 'data-copy="Copy"' in page  # the button speaks the reader's language, not the draft's
    assert '<script src="/static/js/copy-answers.js' in page
    assert "<script>" not in page  # nothing inline: the CSP allows our own files only
    assert "'unsafe-inline'" not in response.headers.get("Content-Security-Policy", "")
