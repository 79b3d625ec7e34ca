"""The Article 30 register as PDF: a cover saying whose record, when and which; contents with
page numbers; every Art. 30 item of every activity, in the language asked for, as of a day;
the same few queries whatever the size of the register."""

import datetime
import io
import itertools
import re

import pytest
import time_machine
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from accounts.services import organisation_update
from inventory.models import DataField, Recipient
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity, RetentionLine, SecurityMeasure, Transfer
from processing.reports.loading import RegisterReader, Scope
from processing.reports.pdf import write_pdf
from processing.reports.services import RegisterExport, register_export_is_immediate, register_export_start
from processing.services import activity_activate, activity_create, activity_update

from ..factories import ActivityFactory

pytestmark = pytest.mark.django_db


def register_pdf_reader(organisation, language="en", scope=None, progress=None) -> PdfReader:
    output = io.BytesIO()
    with translation.override(language):
        write_pdf(RegisterReader(organisation, scope or Scope()), output, language, progress)
    return PdfReader(io.BytesIO(output.getvalue()))


def register_pdf(organisation, language="en", scope=None, progress=None) -> list[str]:
    """The text of each page, its whitespace made single spaces (lines wrap in a PDF)."""
    reader = register_pdf_reader(organisation, language, scope, progress)
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def filled(organisation, catalogue, complete_data):
    """An active activity with every Art. 30 item filled, and a draft."""
    organisation_update(
        organisation=organisation,
        address="12 rue de la Paix",
        postcode="69002",
        dpo_phone="+33 4 00 00 00 00",
        representative_name="EU Rep GmbH",
    )
    add = lambda model, name, **fields: catalogue_item_create(  # noqa: E731
        model=model, organisation=organisation, name=name, **fields
    )
    mailer = add(Recipient, "Mailer Ltd", kind="processor", country_id="IN", has_processing_agreement=True)
    activity = activity_create(
        organisation=organisation,
        reference="PA-001",
        description="Everything about our customers.",
        owner_unit="Sales",
        owner_contact="Jeanne Leroy",
        software="Salesforce",
        sub_purposes="Quotes\nInvoices",
        lawful_basis_evidence="Customer contract",
        special_condition=ProcessingActivity.SpecialCondition.HEALTH_CARE,
        special_condition_reference="Code de la santé publique L.1110-4",
        criminal_data_basis="Article 46 of the Data Protection Act",
        source_data_subject=True,
        source_third_party=True,
        source_details="Trade fairs",
        criterion_large_scale=True,
        dpia_status=ProcessingActivity.DpiaStatus.DONE,
        dpia_date=datetime.date(2026, 3, 2),
        dpia_reference="DPIA-7",
        has_automated_decision=True,
        automated_decision_details="Credit scoring of new customers",
        last_reviewed_on=datetime.date(2026, 4, 1),
        next_review_on=datetime.date(2027, 4, 1),
        controller_parties=[{"name": "Partner SA", "contact": "Lyon"}],
        **{
            **complete_data,
            "data_fields": [catalogue["email"], catalogue["health"], catalogue["record"]],
            "recipients": [*complete_data["recipients"], mailer],
            "transfers": [
                *complete_data["transfers"],
                {
                    "country_id": "IN",
                    "recipient": mailer,
                    "importer_role": Transfer.ImporterRole.PROCESSOR,
                    "mechanism": Transfer.Mechanism.SCC_MODULE_2,
                    "tia_date": datetime.date(2026, 2, 1),
                    "tia_reference": "TIA-IN-3",
                    "safeguards": "Encryption with keys held in the EU",
                },
            ],
            "retention_lines": [
                *complete_data["retention_lines"],
                {
                    "data_category": DataField.Category.ECONOMIC,
                    "duration": 10,
                    "duration_unit": RetentionLine.Unit.YEARS,
                    "trigger": RetentionLine.Trigger.END_OF_FINANCIAL_YEAR,
                    "legal_reference": "Code de commerce L.123-22",
                },
            ],
            "security_measures": [
                *complete_data["security_measures"],
                {"kind": SecurityMeasure.Kind.ENCRYPTION, "details": "AES-256 at rest"},
            ],
        },
    )
    activity_activate(activity=activity)
    activity_create(organisation=organisation, reference="PA-002", name="Prospecting drafts", purpose="Leads")
    return activity


def section_of(pages: list[str], reference: str) -> str:
    """The text of an activity's pages: from the page its heading opens to the next activity's."""
    start = next(n for n, page in enumerate(pages) if n > 1 and page.startswith(f"{reference} · "))
    end = next((n for n in range(start + 1, len(pages)) if re.match(r"[A-Z]+-\d+ · ", pages[n])), len(pages))
    return " ".join(pages[start:end])


def test_the_cover_says_whose_record_when_and_which(organisation, filled):
    with time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.UTC)):
        pages = register_pdf(organisation)
    cover = pages[0]
    assert "Record of processing activities (GDPR Art. 30)" in cover
    assert "Hexagone Logiciels SAS" in cover and organisation.legal_identifier in cover
    assert "12 rue de la Paix" in cover and "69002 Lyon" in cover
    assert "Claire Martin" in cover and "dpo@example.org" in cover and "+33 4 00 00 00 00" in cover
    assert "EU representative EU Rep GmbH" in cover
    assert "Produced on 29 Nov 2026" in cover and "Active activities only" in cover
    assert "Version: 1 activity, drawn up on 29 Nov 2026" in cover
    assert f"Page 1 of {len(pages)}" in cover


def test_the_contents_give_each_activity_its_page(organisation, filled):
    ActivityFactory(organisation=organisation, reference="PA-003", name="Payroll", status="active")
    pages = register_pdf(organisation)
    contents = pages[1]
    starts = {
        reference: next(n for n, page in enumerate(pages) if page.startswith(f"{reference} · "))
        for reference in ("PA-001", "PA-003")
    }
    for reference, name in (("PA-001", "Customer relationship management"), ("PA-003", "Payroll")):
        assert re.search(rf"{reference} · {name} \.+ ?{starts[reference] + 1}\b", contents), contents
    # The cover, the contents, then the controller's record (Art. 30(1)): its title and whose it is, then its pages.
    assert pages[2].startswith("Record of processing activities as a controller (Art. 30(1)) 2 activities")
    assert starts["PA-001"] == 3 and starts["PA-003"] > starts["PA-001"]
    # Each line of the contents is a link to its record's or its activity's first page.
    reader = register_pdf_reader(organisation)
    links = [annotation.get_object() for annotation in reader.pages[1]["/Annots"]]
    targets = [reader.get_destination_page_number(reader.named_destinations[link["/Dest"]]) for link in links]
    assert list(dict.fromkeys(targets)) == [2, starts["PA-001"], starts["PA-003"]]  # a box per piece of the line


def test_every_art_30_item_of_the_activity_is_there(organisation, filled):
    text = section_of(register_pdf(organisation), "PA-001")
    for item in (
        # (a) identification
        "Reference PA-001",
        "Status Active",
        "Our role Controller",
        "Business unit Sales",
        "Contact in the business Jeanne Leroy",
        "Software used Salesforce",
        "Other controllers",
        "Partner SA",
        # (b) purposes
        "Main purpose Manage the relationship with our customers.",
        "Sub-purposes Quotes Invoices",
        "Lawful basis (Art. 6) (b) Contract with the person",
        "Evidence of the lawful basis Customer contract",
        "(h) Health or social care, occupational medicine",
        "Code de la santé publique L.1110-4",
        "Article 46 of the Data Protection Act",
        # (c) people and data, grouped by category, special categories flagged
        "Customers",
        "5,000",
        "Civil status, identity, identification data, images Email address",
        "Special category of data (Art. 9) Health data Health",
        "Criminal convictions and offences (Art. 10) Criminal record",
        "Sources of the data Collected from the person Received from a third party",
        "Trade fairs",
        # (d) recipients and storage
        "CRM Inc.",
        "Sales team",
        "Mailer Ltd",
        "Storage countries France (FR) United States of America (US)",
        # (e) transfers
        "Destination United States of America (US)",
        "Transfer tool Standard contractual clauses 2021, module 2 (controller to processor)",
        "Destination India (IN)",
        "TIA-IN-3",
        "Encryption with keys held in the EU",
        # (f) retention, (g) security
        "Economic and financial information",
        "Code de commerce L.123-22",
        "last contact",
        "User access control SSO and roles",
        "Encryption AES-256 at rest",
        # risk and review
        "DPIA criteria met Data processed on a large scale",
        "DPIA status Done",
        "DPIA reference DPIA-7",
        "Credit scoring of new customers",
        "Last reviewed on 1 Apr 2026",
        "Next review due 1 Apr 2027",
    ):
        assert item in text, item


def test_the_french_pdf_is_in_french(organisation, filled):
    pages = register_pdf(organisation, language="fr")
    assert "Registre des activités de traitement (RGPD, art. 30)" in pages[0]
    assert "Activités de traitement" in pages[1]
    text = section_of(pages, "PA-001")
    for french in (
        "(a) Responsable du traitement et intervenants",
        "Statut Active",
        "Base légale (art. 6) (b) Contrat avec la personne",
        "(e) Transferts hors EEE",
        "États-Unis d'Amérique (US)",
        "Mesures de sécurité",
        "Contrôle d’accès des utilisateurs",
    ):
        assert french in text, french
    for english in ("Main purpose", "Lawful basis", "Storage countries", "User access control"):
        assert english not in text, english


def test_an_as_of_pdf_shows_the_register_of_that_day(organisation, filled):
    day = timezone.localdate()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        activity_update(activity=filled, name="Renamed later", purpose="Another purpose")
        today = " ".join(register_pdf(organisation))
        before = register_pdf(organisation, scope=Scope(as_of=day))
    assert "Renamed later" in today and "Another purpose" in today
    text = " ".join(before)
    assert "Customer relationship management" in text and "Manage the relationship with our customers." in text
    assert "Renamed later" not in text and "Another purpose" not in text
    as_of = f"As of {formats.date_format(day, 'DATE_FORMAT')}"
    assert as_of in before[0]
    squeezed = "".join(as_of.split())  # the page header's text comes out without its spaces
    assert all(squeezed in "".join(page.split()) for page in before[1:])  # every page says which day


def test_drafts_come_only_with_all_activities(organisation, filled):
    active = " ".join(register_pdf(organisation))
    assert "Prospecting drafts" not in active and "PA-002" not in active
    everything = register_pdf(organisation, scope=Scope(active_only=False))
    assert "All activities, drafts and archived included" in everything[0]
    assert "Version: 2 activities" in everything[0]
    assert "PA-002 · Prospecting drafts (Draft)" in everything[1]
    assert "Main purpose Leads" in section_of(everything, "PA-002")


def test_progress_is_told_as_activities_are_read_then_drawn(organisation, filled):
    told = []
    register_pdf(organisation, scope=Scope(active_only=False), progress=lambda done, total: told.append((done, total)))
    assert told == [(2, 4), (4, 4)]


def test_an_empty_register_still_has_its_cover(organisation):
    pages = register_pdf(organisation)
    assert "Version: 0 activities" in pages[0] and "Processing activities" in pages[1] and len(pages) == 2


def test_a_name_cannot_break_out_of_the_stylesheet(organisation, filled):
    organisation_update(organisation=organisation, name='Evil" } @page { margin: 0 } </style><h1>x')
    pages = register_pdf(organisation)
    assert pages[3].startswith("PA-001 · ")
    assert "".join(pages[3].split()).endswith('Evil"}@page{margin:0}</style><h1>xPage4of6')  # the header, as typed


def test_the_query_count_does_not_grow_with_the_register(organisation, filled, django_assert_max_num_queries):
    numbers = itertools.count()

    def activities(count):
        for number in itertools.islice(numbers, count):
            activity = ActivityFactory(organisation=organisation, reference=f"B-{number:02d}", status="active")
            activity.data_fields.add(filled.data_fields.first())
            activity.recipients.add(*filled.recipients.all())

    activities(2)
    with django_assert_max_num_queries(16) as small:
        register_pdf(organisation)
    activities(9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        pages = register_pdf(organisation)
    assert "Version: 12 activities" in pages[0]


def test_a_pdf_export_is_prepared_in_the_background(dpo, organisation, filled, django_capture_on_commit_callbacks):
    request = RegisterExport(format="pdf", language="fr")
    assert not register_export_is_immediate(organisation, request)
    with django_capture_on_commit_callbacks(execute=True):
        export = register_export_start(organisation=organisation, user=dpo, request=request)
    export.refresh_from_db()
    assert (export.status, export.rows, export.percent) == ("ready", 1, 100)
    with export.file.open("rb") as file:
        pages = [page.extract_text() for page in PdfReader(file).pages]
    assert "Registre des activités de traitement" in pages[0] and "PA-001" in pages[1]
