"""Every export holds every item of Art. 30, each in its own record, in either language.

An organisation that is both controller and processor keeps two records. The controller's (Art. 30(1)) holds: (a) the
name and contact details of the controller, the joint controller, the representative and the DPO; (b) the purposes;
(c) the categories of data subjects and of personal data; (d) the categories of recipients; (e) the transfers, the
third country named, and for those of Art. 49(1), second subparagraph, the documentation of suitable safeguards; (f)
the time limits for erasure; (g) the security measures. The processor's (Art. 30(2)) holds: (a) the name and contact
details of the processor and of each controller it acts for, with their representative and DPO; (b) the categories
of processing carried out on behalf of each controller; (c) the transfers; (d) the security measures.

Each format is exported as a user exports it (the export view; the PDF prepared by the worker and downloaded), read
back as a reader would (openpyxl, csv, json, pypdf), and each record is looked for under its own title and headings:
every item of its article is in it, and nothing of the other record's activity.
"""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.services import organisation_update
from inventory.models import Recipient
from inventory.services import catalogue_item_create
from processing.models import ProcessingActivity, SecurityMeasure, Transfer
from processing.reports.cnil.writing import (
    CLIENTS_LABEL,
    PARTY_DPO_LABEL,
    PARTY_REPRESENTATIVE_LABEL,
    PROCESSOR_LABEL,
    PROCESSOR_TITLE,
)
from processing.reports.models import ExportLog
from processing.reports.records import CONTROLLER, PROCESSOR, RECORDS
from processing.reports.tables import ORGANISATION_SHEET
from processing.services import activity_create

pytestmark = pytest.mark.django_db

IDENTITY = {  # Art. 30(1)(a) and 30(2)(a): the organisation's own name and contact details, its representative, its DPO
    "address": "18 rue de la République",
    "postcode": "69002",
    "city": "Lyon",
    "phone": "+33 4 72 00 00 00",
    "email": "contact@hexagone.example",
    "dpo_name": "Claire Martin",
    "dpo_email": "dpo@hexagone.example",
    "dpo_phone": "+33 4 72 00 00 01",
    "representative_name": "Rep Europe SAS",
    "representative_contact": "rep@rep-europe.example",
}
JOINT_CONTROLLER = {
    "name": "Partner SA",
    "contact": "9 avenue Foch, Paris",
    "representative": "Partner Rep Ltd",
    "dpo_contact": "dpo@partner.example",
}
CLIENT = {  # the controller the processor acts for
    "name": "Clinique du Parc",
    "contact": "2 rue Haute, 69003 Lyon",
    "representative": "Clinic Rep SARL",
    "dpo_contact": "dpo@clinique.example",
}
COUNTRY = {  # how each format names the third country of a transfer (Art. 30(1)(e), 30(2)(c))
    "json": {"TN": '"TN"', "IN": '"IN"'},
    "cnil": {"TN": "Tunisie", "IN": "Inde"},
}


@pytest.fixture
def register(organisation, catalogue, complete_data):
    """A controller's activity and a processor's, every item of their article filled."""
    organisation_update(organisation=organisation, **IDENTITY)
    host = catalogue_item_create(
        model=Recipient, organisation=organisation, name="Cloud Host Pvt Ltd", kind="processor", country_id="IN"
    )
    activity_create(
        organisation=organisation,
        reference="PA-001",
        role=ProcessingActivity.Role.JOINT_CONTROLLER,
        controller_parties=[JOINT_CONTROLLER],
        **{
            **complete_data,
            "transfers": [
                *complete_data["transfers"],
                {  # Art. 49(1), second subparagraph: the documentation of its suitable safeguards
                    "country_id": "TN",
                    "mechanism": Transfer.Mechanism.COMPELLING_INTEREST,
                    "safeguards": "Encrypted end to end",
                    "documentation": "https://intranet.example/transfer-tn",
                },
            ],
            "retention_lines": [*complete_data["retention_lines"], {"criteria": "Until the account is closed"}],
        },
    )
    activity_create(
        organisation=organisation,
        reference="PA-002",
        name="Hosting of our clients' patient files",
        role=ProcessingActivity.Role.PROCESSOR,
        purpose="Host the patient files of our clients.",
        sub_purposes="Nightly backups",
        controller_parties=[CLIENT],
        data_fields=[catalogue["health"]],
        recipients=[host],
        transfers=[
            {
                "country_id": "IN",
                "recipient": host,
                "importer_role": Transfer.ImporterRole.PROCESSOR,
                "mechanism": Transfer.Mechanism.SCC_MODULE_3,
            }
        ],
        security_measures=[{"kind": SecurityMeasure.Kind.ENCRYPTION, "details": "AES-256 at rest"}],
    )
    return organisation


def expected_items(organisation, record: str, file_format: str) -> list[str]:
    """Every item of the record's article, as the activity of that record fills it."""
    identity = [organisation.name, IDENTITY["email"], IDENTITY["dpo_name"], IDENTITY["dpo_email"]]
    identity += [IDENTITY["representative_name"], IDENTITY["representative_contact"]]
    country = COUNTRY.get(file_format, {"TN": "(TN)", "IN": "(IN)"})
    if record == CONTROLLER:
        return [
            *identity,
            *JOINT_CONTROLLER.values(),  # (a)
            "Manage the relationship with our customers.",  # (b)
            "Customers",  # (c)
            "Email address",
            "Sales team",  # (d)
            "CRM Inc.",
            country["TN"],  # (e), with the documentation of the safeguards of the Art. 49(1) transfer
            "Encrypted end to end",
            "https://intranet.example/transfer-tn",
            "Until the account is closed",  # (f)
            "SSO and roles",  # (g)
        ]
    return [
        *identity,
        *CLIENT.values(),  # (a)
        "Host the patient files of our clients.",  # (b)
        "Nightly backups",
        country["IN"],  # (c)
        "Cloud Host Pvt Ltd",
        "AES-256 at rest",  # (d)
    ]


def squeezed(text: str) -> str:
    """Without white space: a PDF wraps lines anywhere."""
    return "".join(str(text).split())


def joined(rows) -> str:
    return "\n".join(str(value) for row in rows for value in row if value not in (None, ""))


def export(client, organisation, file_format: str, language: str, django_capture_on_commit_callbacks) -> bytes:
    """The export as a user takes it: downloaded at once, or (a PDF) prepared by the worker, then downloaded."""
    url = reverse("reports:register_export", args=[organisation.slug])
    if file_format != "pdf":
        layout = "&layout=cnil" if file_format == "cnil" else ""
        actual = "xlsx" if file_format == "cnil" else file_format
        response = client.get(f"{url}?format={actual}&lang={language}&scope=all{layout}")
        assert response.status_code == 200
        return response.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"format": "pdf", "lang": language, "scope": "all"})
    prepared = ExportLog.objects.get(format="pdf")
    download = client.get(reverse("reports:export_download", args=[organisation.slug, prepared.pk]))
    return b"".join(download.streaming_content)


# Each reader gives, for each record: its title, its headings, and the text of everything it holds.


def read_xlsx(content: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    identity = joined(workbook[str(ORGANISATION_SHEET)].iter_rows(min_row=2, values_only=True))
    parts = workbook.worksheets[len(RECORDS) : -1]
    records = {}
    for code, record in RECORDS.items():
        title, headings, _header, *rows = workbook[str(record.sheet)].iter_rows(values_only=True)
        references = {row[0] for row in rows}
        details = [
            row for sheet in parts for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] in references
        ]
        records[code] = (title[0], joined([headings]), "\n".join((joined(rows), joined(details), identity)))
    return records


def read_csv(content: bytes) -> dict:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))
    blank = lines.index([])
    records = {}
    for code, section in zip(RECORDS, (lines[:blank], lines[blank + 1 :]), strict=True):
        (title,), headings, _header, *rows = section
        records[code] = (title, joined([headings]), joined(rows))  # the identity is in the last columns of each line
    return records


def read_json(content: bytes) -> dict:
    document = json.loads(content)
    records = {}
    for code, described in document["records"].items():
        activities = [activity for activity in document["activities"] if activity["record"] == code]
        text = json.dumps([activities, document["organisation"]], ensure_ascii=False)
        records[code] = (described["title"], " ".join(h["title"] for h in described["headings"]), text)
    return records


def read_pdf(content: bytes) -> dict:
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]
    titles = {code: str(record.title) for code, record in RECORDS.items()}
    starts = {code: next(n for n, page in enumerate(pages) if page.startswith(title)) for code, title in titles.items()}
    ends = {CONTROLLER: starts[PROCESSOR], PROCESSOR: len(pages)}
    records = {}
    for code in RECORDS:
        text = " ".join(pages[starts[code] : ends[code]])
        records[code] = (titles[code], text, text)
    return records


def read_cnil(content: bytes) -> dict:
    """The CNIL model is French whatever the language: its record sheet per activity, after the list of activities."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    listed = joined(workbook["Liste des traitements"].iter_rows(values_only=True))
    records = {}
    for code, reference in ((CONTROLLER, "PA-001"), (PROCESSOR, "PA-002")):
        rows = list(workbook[reference].iter_rows(values_only=True))
        labels = joined([row[:1] for row in rows])
        records[code] = (rows[0][0], labels, joined(rows) + "\n" + listed)
    return records


READERS = {"xlsx": read_xlsx, "csv": read_csv, "json": read_json, "pdf": read_pdf, "cnil": read_cnil}
CNIL_HEADINGS = [
    "Acteurs",
    "Finalité(s) du traitement effectué",
    "Catégories de personnes concernées",
    "Destinataires",
    "Mesures de sécurité",
    "Transferts hors UE",
]
CNIL_RECORDS = {
    CONTROLLER: ("Fiche de registre", ["Responsable du traitement", "Responsable(s) conjoint(s)", *CNIL_HEADINGS]),
    PROCESSOR: (
        PROCESSOR_TITLE,
        [PROCESSOR_LABEL, CLIENTS_LABEL, PARTY_REPRESENTATIVE_LABEL, PARTY_DPO_LABEL, *CNIL_HEADINGS],
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("record", [CONTROLLER, PROCESSOR])
@pytest.mark.parametrize("file_format", list(READERS))
def test_every_export_holds_every_art_30_item_in_its_own_record(
    dpo_client, register, file_format, record, language, django_capture_on_commit_callbacks
):
    content = export(dpo_client, register, file_format, language, django_capture_on_commit_callbacks)
    with translation.override(language):
        records = READERS[file_format](content)
        if file_format == "cnil":
            title, headings = CNIL_RECORDS[record]
        else:
            title = str(RECORDS[record].title)
            headings = [str(heading.title) for heading in RECORDS[record].headings if heading.letter]
    found_title, found_headings, text = records[record]
    assert found_title == title
    for heading in headings:  # Art. 30(1)(a) to (g), or 30(2)(a) to (d)
        assert squeezed(heading) in squeezed(found_headings), heading
    for item in expected_items(register, record, file_format):
        assert squeezed(item) in squeezed(text), item
    other = {CONTROLLER: CLIENT["name"], PROCESSOR: JOINT_CONTROLLER["name"]}[record]
    assert other not in text  # each record holds its own activities only
