"""The rules' catalogue: every rule the checks apply, with its source and severity, for every role."""

import pytest
from django.urls import reverse

from accounts.services import organisation_update
from processing.compliance.rules.registry import load

from ...conftest import client_for
from .test_compliance import draft, open_rules

pytestmark = pytest.mark.django_db


def test_every_rule_is_listed_with_its_article_severity_and_count_of_findings(
    auditor_client, organisation, django_assert_max_num_queries
):
    """Art. 5(2) GDPR (accountability): an auditor can see what each finding rests on — every rule, its article and
    source, its severity — without reading the code."""
    draft(organisation, lawful_basis="legitimate_interests")
    organisation_update(organisation=organisation, is_public_body=True, dpo_name="")
    open_rules(organisation)
    url = reverse("compliance:rule_catalogue", args=[organisation.slug])
    with django_assert_max_num_queries(8):
        page = auditor_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    rules = load()
    assert len(rules) >= 25
    for code, rule in rules.items():
        assert f'id="rule-{code}"' in html, code
        row = html.split(f'id="rule-{code}"')[1].split("</tr>")[0]
        assert f"GDPR, Art. {rule.article}" in row, code
        assert {"high": "High", "medium": "Medium", "low": "Low"}[rule.severity] in row, code
    row = html.split('id="rule-data.public_body_without_dpo"')[1].split("</tr>")[0]
    findings = reverse("compliance:finding_list", args=[organisation.slug])
    assert f'<a href="{findings}?rule=data.public_body_without_dpo&amp;status=active">1</a>' in row
    dpia = html.split('id="rule-data.dpia_missing"')[1].split("</tr>")[0]
    assert "CNIL, délibération 2018-327" in dpia and "WP248 rev.01" in dpia
    record = html.split('id="rule-breach.record_incomplete"')[1].split("</tr>")[0]
    assert "The record of breach … lacks …. Art. 33(5)" in record, "what a finding fills in reads as “…”"


def test_the_catalogue_reads_in_french(dpo, organisation):
    dpo.language = "fr"
    dpo.save()
    html = client_for(dpo).get(reverse("compliance:rule_catalogue", args=[organisation.slug])).text
    assert "Les règles des contrôles" in html and "RGPD, art. 37(1)(a)" in html
