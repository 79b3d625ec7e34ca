"""Issue #23 in the browser: the DPO adds a system's SQLite database as a source, scans it, confirms what it found,
sees the system's data fields found and a drift finding come and go; the auditor reads the results. axe-core checks
every discovery page on the way."""

import random
import re
import sqlite3

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from discovery.classify import first_names
from discovery.models import Scan, Source
from discovery.services import source_create
from processing.compliance.models import Finding
from processing.services import activity_create

from ..inventory.factories import SystemFactory
from .harness import axe_violations, save_screenshot
from .test_register_journey import sign_in

pytestmark = pytest.mark.browser

SQLITE = "sqlite:////tmp/registre-no-such-database.sqlite3"
SECRET = "not-a-real-pw-7c1"  # what must never reach a page (SQLite ignores a user and password in its URL)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as a <script>: the app's strict CSP (script-src 'self') would refuse it.
    return {**browser_context_args, "bypass_csp": True}


def customers_database(path) -> None:
    """A customers table: emails, first names and French mobile numbers, and a column of nothing personal."""
    pick = random.Random(23)
    names = sorted(name for name in first_names() if len(name) > 3)
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, prenom TEXT, telephone TEXT, plan TEXT)"
    )
    connection.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
        [
            (
                number,
                f"client{number}@exemple.fr",
                pick.choice(names).capitalize(),
                f"06 {pick.randint(10, 99)} {pick.randint(10, 99)} {pick.randint(10, 99)} {pick.randint(10, 99)}",
                pick.choice(["free", "pro"]),
            )
            for number in range(1, 61)
        ],
    )
    connection.commit()
    connection.close()


def test_the_dpo_scans_a_system_s_database_confirms_what_it_holds_and_sees_the_drift_come_and_go(
    live_server, browser, organisation, dpo, auditor, password, axe_script, tmp_path
):
    system = SystemFactory(organisation=organisation, name="Boutique en ligne")
    activity_create(organisation=organisation, name="Online orders", purpose="Deliver orders", systems=[system])
    database = tmp_path / "shop.sqlite3"
    customers_database(database)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    violations = []

    def check():
        violations.extend(axe_violations(page, axe_script))

    sign_in(page, live_server, "dpo", password)
    page.wait_for_url(re.compile(r"/o/"))
    base = f"{live_server.url}/o/{organisation.slug}"
    page.goto(f"{base}/")
    expect(page.get_by_text("0 of 1 system scanned")).to_be_visible()  # the home's card

    # From the system's page in the catalogue to its discovery page.
    page.goto(f"{base}/catalogue/systems/{system.pk}/history/")
    expect(page.get_by_text("No database of this system is scanned yet.")).to_be_visible()
    page.get_by_role("link", name="What its databases hold").click()
    expect(page.get_by_role("heading", name="What the databases of “Boutique en ligne” hold")).to_be_visible()
    check()

    # A source: a bad URL first, refused next to its field and not shown back.
    page.get_by_role("link", name="Add a source").click()
    page.get_by_label("Name").fill("Shop database")
    url_field = page.get_by_label("Database URL, with the user and password to scan with")
    url_field.fill(f"ftp://shop:{SECRET}@files.example/x")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Registre scans PostgreSQL, MySQL, MariaDB and SQLite databases").first).to_be_visible()
    expect(url_field).to_have_value("")
    assert SECRET not in page.content()
    check()
    url_field.fill(f"sqlite:///{database}")
    page.get_by_label("Scan every (days)").fill("7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The source “Shop database” has been added.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"sqlite:///{database}")).to_be_visible()
    expect(page.get_by_text("never scanned")).to_be_visible()

    # The scan: Celery runs eagerly here, so it has finished by the time its page shows.
    page.get_by_role("button", name="Scan now Shop database").click()
    expect(page.get_by_role("heading", name="Scan of “Shop database”")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("done")
    expect(page.get_by_text("1 of 1 table")).to_be_visible()
    check()
    page.get_by_role("link", name="Review what it found").click()
    expect(page.get_by_text("0 of 3 personal columns confirmed, 3 to review")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^email "))).to_contain_text("Email address")
    expect(page.get_by_role("row", name=re.compile(r"^plan "))).to_have_count(0)  # nothing personal: filtered out
    check()
    save_screenshot(page, "discovery-review")

    # The email column confirmed alone: the system is known to hold an email no activity storing data there declares.
    page.get_by_role("button", name="Confirm customers.email").click()
    expect(page.get_by_text("The column “email” is now “confirmed”.")).to_be_visible()
    found = page.get_by_role("region", name="Data fields found")
    expect(found.get_by_role("listitem")).to_have_text(["Email address"])
    page.goto(f"{base}/findings/")
    drift = page.get_by_role("row", name=re.compile("Personal data found in a system, declared by no activity"))
    expect(drift).to_contain_text("found Email address (confirmed by the DPO)")
    expect(drift).to_contain_text("Boutique en ligne")
    assert Finding.objects.filter(rule="discovery.found_undeclared", status="open", subject_id=system.pk).exists()

    # The DPO thinks better of it: rejected, the column holds nothing the register must declare; the finding resolved.
    page.goto(f"{base}/discovery/systems/{system.pk}/?show=personal")
    page.get_by_role("button", name="Reject customers.email").click()
    expect(page.get_by_text("The column “email” is now “rejected”.")).to_be_visible()
    page.goto(f"{base}/findings/")
    expect(drift).to_have_count(0)
    assert Finding.objects.get(rule="discovery.found_undeclared", subject_id=system.pk).status == "resolved"

    # The other two confirmed at once, for the table; the column page offers the organisation's data fields.
    page.goto(f"{base}/discovery/systems/{system.pk}/?show=review")
    page.get_by_role("button", name="Confirm the 2 columns to review of customers").click()
    expect(page.get_by_text("2 columns confirmed in “customers”.")).to_be_visible()
    expect(page.get_by_text("2 of 3 personal columns confirmed, 0 to review")).to_be_visible()
    page.goto(f"{base}/discovery/systems/{system.pk}/?show=personal")
    page.get_by_role("link", name="Other data field customers.email").click()
    expect(page.get_by_label("Data field it holds")).to_be_visible()
    check()
    page.get_by_label("Data field it holds").select_option(label="Email address")
    page.get_by_role("button", name="Confirm as this data field").click()
    expect(page.get_by_text("3 of 3 personal columns confirmed, 0 to review")).to_be_visible()

    # The date column marked for the table; the source's edit page and its deletion page.
    page.get_by_label("Column dating the records of customers").select_option("id")
    page.get_by_role("button", name="Save the column dating the records of customers").click()
    expect(page.get_by_text("“id” dates the records of “customers”")).to_be_visible()
    page.get_by_role("link", name="Edit Shop database").click()
    expect(page.get_by_label("New database URL (leave blank to keep the credentials)")).to_have_value("")
    check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The source “Shop database” has been saved.")).to_be_visible()
    page.get_by_role("link", name="Delete Shop database").click()
    check()
    page.goto(f"{base}/")
    expect(page.get_by_text("1 of 1 system scanned")).to_be_visible()
    check()
    assert console_errors == []
    context.close()

    # The auditor reads the results, without a button to act.
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, "auditor", password)
    page.wait_for_url(re.compile(r"/o/"))
    page.goto(f"{base}/discovery/systems/{system.pk}/")
    expect(page.get_by_role("cell", name=f"sqlite:///{database}")).to_be_visible()
    expect(page.get_by_role("link", name="Add a source")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Confirm|Scan now"))).to_have_count(0)
    check()
    assert Source.objects.count() == 1
    assert violations == [], "\n".join(violations)


def test_a_scan_s_page_follows_it_without_reloading_and_the_dpo_cancels_it(
    live_server, browser, organisation, dpo, password, axe_script
):
    system = SystemFactory(organisation=organisation, name="CRM")
    source = source_create(organisation=organisation, system=system, name="CRM database", url=SQLITE)
    scanning = Scan.objects.create(source=source, status=Scan.Status.RUNNING, steps_total=40, steps_done=3)
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, live_server, "dpo", password)
    page.wait_for_url(re.compile(r"/o/"))
    page.goto(f"{live_server.url}/o/{organisation.slug}/discovery/scans/{scanning.pk}/")
    expect(page.get_by_text("3 of 40 tables")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()  # the script asks instead
    Scan.objects.filter(pk=scanning.pk).update(steps_done=17)
    expect(page.get_by_text("17 of 40 tables")).to_be_visible()
    expect(page.get_by_label("Tables read")).to_have_js_property("value", 17)
    assert axe_violations(page, axe_script) == []
    page.get_by_role("button", name="Cancel the scan").click()
    expect(page.get_by_text("The scan is being cancelled.")).to_be_visible()
    expect(page.get_by_text("Stopping after the table it is reading.")).to_be_visible()
    # The worker stops after its table: the page shows the end by itself.
    Scan.objects.filter(pk=scanning.pk).update(status=Scan.Status.CANCELLED, finished_at=timezone.now())
    expect(page.get_by_text("The scan was cancelled: nothing it read was kept.")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("cancelled")
