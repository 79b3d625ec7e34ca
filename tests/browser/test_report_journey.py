import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from processing.models import ProcessingActivity

from .harness import save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

CNIL_FILE = Path(__file__).resolve().parent.parent / "data" / "cnil-registre-rempli.ods"


def test_the_dpo_imports_the_cnil_register_and_the_manager_exports_it(
    live_server, browser, organisation, dpo, manager, password
):
    page = browser.new_context(accept_downloads=True).new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    sign_in(page, live_server, "dpo", password)
    page.goto(f"{live_server.url}/o/{organisation.slug}/register/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Register file").set_input_files(str(CNIL_FILE))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("status")).to_contain_text("Ready to review")
    expect(page.get_by_text("4 activities created")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Privacy Shield")
    assert not ProcessingActivity.objects.exists()
    save_screenshot(page, "import-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Imported")
    page.get_by_role("link", name="See the drafts").click()
    expect(page.get_by_role("row")).to_have_count(5)  # the header and four drafts
    assert set(ProcessingActivity.objects.values_list("status", flat=True)) == {"draft"}

    manager_page = browser.new_context(accept_downloads=True).new_page()
    sign_in(manager_page, live_server, "manager", password)
    manager_page.goto(f"{live_server.url}/o/{organisation.slug}/reports/")
    manager_page.get_by_label("Language:").select_option("fr")
    manager_page.get_by_label("Activities:").select_option("all")
    with manager_page.expect_download() as download_info:
        manager_page.get_by_role("button", name="Export the register").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"register-{organisation.slug}-")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    # The controller's record: its title, its Art. 30(1) headings, the header row, then the 4 activities imported.
    record = workbook[workbook.sheetnames[0]]
    assert workbook.sheetnames[0] == "Registre du responsable" and record.max_row == 3 + 4
    assert record["A1"].value.startswith("Registre des activités de traitement en tant que responsable du traitement")
    manager_page.reload()
    expect(manager_page.get_by_role("table")).to_contain_text("Record of processing activities")
    save_screenshot(manager_page, "reports-export-log")
    assert console_errors == []
