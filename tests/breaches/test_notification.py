"""The notification draft to the supervisory authority: the contact point, the CNIL online form's items (other
organisations involved, cross-border) and the message to the people when the risk is high."""

import pytest

from breaches.notification import breach_draft, contact_point

from .factories import log_breach
from .test_views import url

pytestmark = pytest.mark.django_db


def rows(draft) -> dict:
    return {row.label: row for section in draft.sections for row in section.rows}


def test_the_contact_point_is_the_organisations_contact_when_there_is_no_dpo(auditor_client, organisation):
    """Art. 33(3)(b): "the name and contact details of the data protection officer or other contact point where more
    information can be obtained"."""
    breach = log_breach(organisation)
    assert contact_point(organisation) == "Claire Martin · dpo@example.org"
    organisation.dpo_name = organisation.dpo_email = organisation.dpo_phone = ""
    organisation.phone = "+33 4 72 00 00 00"
    organisation.save()
    page = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en").content.decode()
    assert "Hexagone Logiciels SAS (no DPO) · contact@example.org · +33 4 72 00 00 00" in page
    organisation.email = organisation.phone = ""
    organisation.save()
    response = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en")
    assert "Data protection officer or contact point" in [row.label for row in response.context["missing"]]


def test_the_draft_asks_the_cnil_forms_other_organisations_and_cross_border_items(auditor_client, organisation):
    """The CNIL's online notification form asks for the other organisations involved (a processor…), and whether
    people in other Member States are affected and other authorities notified (Art. 56; EDPB Guidelines 9/2022,
    section II.C.1: tell the lead authority in which Member States people are likely to be affected)."""
    breach = log_breach(
        organisation,
        other_organisations="Hébergeur Nuage SAS (processor, hosting)",
        cross_border=True,
        member_states="Belgium, Luxembourg",
        other_authorities="APD-GBA (Belgium), reference 2026-117",
    )
    page = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en").content.decode()
    for expected in (
        "Other organisations involved",
        "Hébergeur Nuage SAS (processor, hosting)",
        "People in other EU Member States",
        "Yes: Belgium, Luxembourg",
        "Other supervisory authorities notified",
        "APD-GBA (Belgium), reference 2026-117",
    ):
        assert expected in page, expected
    assert "<strong>To:</strong> The supervisory authority" in page
    french = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=fr").content.decode()
    assert "Hébergeur Nuage SAS (processor, hosting)" in french


def test_cross_border_without_the_member_states_is_marked_missing(organisation):
    """EDPB Guidelines 9/2022, section II.C.1: the notification says in which Member States people are affected."""
    draft = breach_draft(log_breach(organisation, cross_border=True))
    assert rows(draft)["Which Member States"].missing
    assert "Which Member States" not in rows(breach_draft(log_breach(organisation)))


def test_a_high_risk_draft_holds_the_message_to_the_people(auditor_client, organisation):
    """Art. 34(2): the communication to the people describes "in clear and plain language the nature of the personal
    data breach" with at least the information of Art. 33(3)(b), (c) and (d): contact point, likely consequences,
    measures taken or proposed."""
    breach = log_breach(
        organisation,
        risk="high_risk",
        risk_reasoning="Health data of 2,000 patients",
        consequences="Your appointments may have been read by a stranger.",
        measures_taken="We closed the access.",
        measures_proposed="We will check every access weekly.",
    )
    response = auditor_client.get(url("notification_draft", organisation, breach) + "?lang=en")
    page = response.content.decode()
    assert "Message to the people concerned (Art. 34(2))" in page
    message = rows(response.context["draft"])
    assert message["Who to contact for more information"].value == "Claire Martin · dpo@example.org"
    assert message["What it may mean for you"].value == "Your appointments may have been read by a stranger."
    assert message["What we have done and will do"].value == "We closed the access.\nWe will check every access weekly."
    assert message["What happened"].value == breach.description


def test_no_message_to_the_people_when_not_high_risk_or_dispensed(organisation):
    """Art. 34(1) only at high risk; Art. 34(3)(a) and (b) dispense with the communication, (c) only changes its
    means (a public communication, which carries the same content)."""
    titles = lambda breach: [section.title for section in breach_draft(breach).sections]  # noqa: E731
    message = "Message to the people concerned (Art. 34(2))"
    assert message not in titles(log_breach(organisation, risk="risk", risk_reasoning="Contact data"))
    high = {"risk": "high_risk", "risk_reasoning": "Health data"}
    encrypted = log_breach(
        organisation, **high, communication_exception="unintelligible", exception_justification="AES-256"
    )
    assert message not in titles(encrypted)
    public = log_breach(organisation, **high, communication_exception="public", exception_justification="400,000")
    assert message in titles(public)
