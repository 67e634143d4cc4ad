"""In Chromium: a marketer imports a CSV with some bad rows and downloads the error report; the job
page follows a running import by polling.

Screenshots go to /tmp/accord-shots/ for a human look at the design.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest

from accord.accounts.models import Role
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact, PropertyDefinition
from accord.integrations import actions
from accord.integrations.models import ImportJob
from accord.integrations.tests.fixtures import csv_bytes
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"

LEADS = csv_bytes(
    "Email;First Name;Last Name;Function;Lifecycle Stage;Plan;Notes",
    "ada@acme.test;Ada;Lovelace;Head of Engines;Lead;pro;met at the fair",
    "not-an-email;Bob;Broken;;;;",
    "alan@globex.test;Alan;Turing;CTO;hot;free;",
    "grace@navy.test;Grace;Hopper;Admiral;Customer;gold;",
    "linus@kernel.test;Linus;Torvalds;Maintainer;MQL;;",
    "existing@acme.test;Exi;Sting;Should not change;;;",
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_marketer_imports_a_csv_with_bad_rows_and_downloads_the_error_report(live_server, page, make_user):
    make_user(Role.MARKETER, username="mia", first_name="Mia", last_name="Chen")
    PropertyDefinition.objects.create(
        object_type="contact", key="plan", label="Plan", type="choice", choices=["free", "pro"]
    )
    create_contact(email="existing@acme.test", first_name="Existing", title="Keep me")
    base = live_server.url
    sign_in(page, f"{base}/integrations/imports/", "mia")
    page.get_by_text("No imports yet").wait_for()
    page.get_by_role("link", name="Import a CSV").first.click()

    # step 1: upload
    page.wait_for_url(f"{base}/integrations/imports/new/")
    page.get_by_label("Contacts").check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "leads.csv", "mimeType": "text/csv", "buffer": LEADS}]
    )
    shot(page, "import-upload")
    page.get_by_role("button", name="Upload and map columns").click()

    # step 2: the mapping, suggested from the headers, with a preview
    page.wait_for_url(re.compile(r"/integrations/imports/\d+/map/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Map the columns"
    assert page.get_by_text("Semicolon-separated").is_visible()
    assert page.get_by_label("Email").input_value() == "email"
    assert page.get_by_label("Lifecycle Stage").input_value() == "lifecycle_stage"
    assert page.get_by_label("Plan").input_value() == "property:plan"
    assert page.get_by_label("Function").input_value() == ""  # not a header name it knows
    page.get_by_label("Function").select_option("title")
    preview = page.locator(".preview-table tbody tr")
    assert preview.count() == 6
    assert preview.nth(0).inner_text().startswith("ada@acme.test")
    page.get_by_role("radio", name=re.compile("Skip the row")).check()
    shot(page, "import-map")
    page.get_by_role("button", name="Start import").click()

    # the job page: progress to the end, counts, the error report
    page.wait_for_url(re.compile(r"/integrations/imports/\d+/$"))
    page.locator("#import-status", has_text="Done").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    assert page.locator("#count-created").inner_text() == "2"
    assert page.locator("#count-skipped").inner_text() == "1"
    assert page.locator("#count-errors").inner_text() == "3"
    shot(page, "import-done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download error report (3 rows)").click()
    download = download_info.value
    assert download.suggested_filename == "leads-errors.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Email",
        "First Name",
        "Last Name",
        "Function",
        "Lifecycle Stage",
        "Plan",
        "Notes",
        "error",
    ]
    assert [(r[0], r[-1].split(":")[0]) for r in rows[1:]] == [
        ("not-an-email", "row 3"),
        ("alan@globex.test", "row 4"),
        ("grace@navy.test", "row 5"),
    ]
    assert rows[1][-1] == "row 3: email 'not-an-email' is not a valid email address"
    assert rows[2][-1].startswith("row 4: stage 'hot' is not a lifecycle stage")
    assert rows[3][-1] == "row 5: Plan 'gold' is not one of free, pro"

    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "ada@acme.test",
        "existing@acme.test",
        "linus@kernel.test",
    ]
    ada = Contact.objects.get(email="ada@acme.test")
    assert (ada.title, ada.lifecycle_stage, ada.properties) == ("Head of Engines", "lead", {"plan": "pro"})
    assert Contact.objects.get(email="existing@acme.test").title == "Keep me"

    page.get_by_role("link", name="All imports").click()
    page.get_by_role("link", name="leads.csv").wait_for()
    shot(page, "import-list")


def test_the_job_page_follows_a_running_import(live_server, page, make_user):
    mia = make_user(Role.MARKETER, username="mia")
    job = actions.create_import(
        upload=io.BytesIO(csv_bytes("email", *[f"p{i}@example.test" for i in range(4000)])),
        filename="big.csv",
        object_type="contact",
        by=mia,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", mapping=["email"], processed_rows=1000, created_count=990, error_count=10
    )
    base = live_server.url
    sign_in(page, f"{base}{job.get_absolute_url()}", "mia")
    page.get_by_text("1,000 of about 4,000 rows").wait_for()
    assert page.locator("progress").get_attribute("value") == "25"
    page.evaluate("window.__noReload = true")
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=3000, created_count=2980, error_count=20)
    page.get_by_text("3,000 of about 4,000 rows").wait_for()
    assert page.locator("#count-created").inner_text() == "2,980"
    ImportJob.objects.filter(pk=job.pk).update(
        status="done", processed_rows=4000, total_rows=4000, created_count=3970
    )
    page.locator("#import-status", has_text="Done").wait_for()
    assert page.locator("progress").get_attribute("value") == "100"
    assert page.evaluate("window.__noReload") is True  # updated in place, no reload
    assert page.locator("#import-progress[hx-trigger]").count() == 0  # polling stopped
