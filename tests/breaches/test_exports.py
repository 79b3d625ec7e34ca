"""The breach register export: opened by a real reader, complete, safe, logged."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from breaches.services import breach_update, timeline_entry_add
from processing.reports.models import ExportLog

from ..inventory.factories import SystemFactory
from .factories import log_breach

pytestmark = pytest.mark.django_db


def export(client, organisation, query):
    return client.get(reverse("breaches:breach_export", args=[organisation.slug]) + query)


@pytest.fixture
def notified(organisation, dpo):
    breach = log_breach(
        organisation,
        author=dpo,
        title="Lost laptop",
        confidentiality=True,
        data_categories=["identification", "special"],
        special_categories=["health"],
        people_count=180,
        consequences="Health data of staff may be read",
        risk="risk",
        risk_reasoning="Password-protected device",
        measures_taken="Accounts reset",
        systems=[SystemFactory(organisation=organisation, name="Laptops")],
    )
    breach_update(breach=breach, author=dpo, notified_at=timezone.now(), authority="CNIL", authority_reference="N-7")
    timeline_entry_add(breach=breach, author=dpo, text='=HYPERLINK("http://evil")')
    return breach


def test_the_xlsx_holds_every_art_33_5_fact_and_the_timeline(auditor_client, organisation, notified, auditor):
    response = export(auditor_client, organisation, "?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert f"breaches-{organisation.slug}-" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    breaches, timeline = workbook["Breaches"], workbook["Timeline"]
    header = [cell.value for cell in breaches[1]]
    row = dict(zip(header, [cell.value for cell in breaches[2]], strict=True))
    assert row["Reference"] == notified.reference and row["Approximate number of people"] == 180
    assert row["Nature"] == "confidentiality (disclosure or access)"
    assert row["Special categories of data"] == "Health" and row["Systems"] == "Laptops"
    assert (row["Likely consequences"], row["Measures taken"]) == ("Health data of staff may be read", "Accounts reset")
    assert (row["Supervisory authority"], row["Authority's reference"]) == ("CNIL", "N-7")
    assert breaches.freeze_panes == "A2" and breaches.auto_filter.ref
    texts = [row[4].value for row in timeline.iter_rows(min_row=2)]
    assert texts[0] == "Breach logged." and '=HYPERLINK("http://evil")' in texts
    cell = next(row[4] for row in timeline.iter_rows(min_row=2) if row[4].value.startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # text, never a formula
    (log,) = ExportLog.objects.all()
    assert (log.report, log.format, log.language, log.rows, log.requested_by) == ("breaches", "xlsx", "en", 1, auditor)


def test_the_csv_opens_in_excel_in_french_and_neutralises_formulas(manager_client, organisation, notified):
    log_breach(organisation, title="=2+3", reported_by="@SUM(A1)")
    response = export(manager_client, organisation, "?format=csv&lang=fr")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Référence" in header and "Conséquences probables" in header
    assert row["Nature"] == "confidentialité (divulgation ou accès)"
    assert '=HYPERLINK("http://evil")' in row["Chronologie"]  # inside the cell: no formula
    tricky = dict(zip(rows[0], rows[2], strict=True))
    assert (tricky["Titre"], tricky["Signalée par"]) == ("'=2+3", "'@SUM(A1)")


def test_a_bad_format_is_refused_and_not_logged(auditor_client, organisation, notified):
    assert export(auditor_client, organisation, "?format=docx").status_code == 400
    assert export(auditor_client, organisation, "?format=csv&lang=de").status_code == 400
    assert not ExportLog.objects.exists()


def test_the_export_costs_the_same_queries_for_1_and_for_11_breaches(auditor_client, organisation, notified, dpo):
    export(auditor_client, organisation, "?format=xlsx")
    with CaptureQueriesContext(connection) as small:
        export(auditor_client, organisation, "?format=xlsx")
    for _ in range(10):
        timeline_entry_add(breach=log_breach(organisation, systems=[SystemFactory(organisation=organisation)]),
                           author=dpo, text="Note")  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        workbook = openpyxl.load_workbook(io.BytesIO(export(auditor_client, organisation, "?format=xlsx").content))
    assert len(large) == len(small)
    assert workbook["Breaches"].max_row == 12


def test_every_role_reads_the_export_log(auditor_client, manager_client, organisation, notified):
    export(auditor_client, organisation, "?format=csv&lang=fr")
    page = manager_client.get(reverse("reports:report_list", args=[organisation.slug])).content.decode()
    log = page[page.index("Export log") :]
    assert "auditor" in log and "Breach register" in log and "CSV" in log and ">fr<" in log


def test_the_pdf_has_a_cover_and_a_page_per_breach_with_its_timeline(auditor_client, organisation, notified):
    log_breach(organisation, title="Misdirected payslips")
    response = export(auditor_client, organisation, "?format=pdf&lang=fr")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    assert "Registre des violations" in pages[0] and "Lost laptop" in pages[0] and "Misdirected payslips" in pages[0]
    assert f"1 / {len(pages)}" in pages[0]
    # Each breach starts a page of its own, in the order they became known.
    starts = [number for number, text in enumerate(pages) if "Conséquences probables" in text]
    assert len(starts) == 2 and pages[starts[0]].startswith(notified.reference)
    laptop = " ".join(" ".join(pages[starts[0] : starts[1]]).split())  # lines wrap in a PDF
    assert (
        "Health data of staff may be read" in laptop and "Chronologie" in laptop and "Notified to CNIL" in laptop
    )  # as written
    assert ExportLog.objects.get().format == "pdf"
