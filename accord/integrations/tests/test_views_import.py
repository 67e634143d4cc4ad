"""The import pages: upload, mapping with preview, the job page and its progress partial, errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.accounts.models import Role
from accord.contacts.models import Contact, PropertyDefinition
from accord.integrations import actions, runner
from accord.integrations.models import ImportJob
from accord.integrations.tests.fixtures import csv_bytes

pytestmark = pytest.mark.django_db
NEW = reverse("integrations:import_new")
LIST = reverse("integrations:import_list")

GOOD = csv_bytes(
    "Email,First Name,Plan", "ada@example.test,Ada,pro", "bob@,Bob,", "alan@example.test,Alan,gold"
)


@pytest.fixture
def marketer(users):
    return users[Role.MARKETER]


@pytest.fixture
def client_m(client, marketer):
    client.force_login(marketer)
    return client


@pytest.fixture
def plan():
    return PropertyDefinition.objects.create(
        object_type="contact", key="plan", label="Plan", type="choice", choices=["free", "pro"]
    )


def post_file(client, data: bytes, name="leads.csv", object_type="contact"):
    return client.post(NEW, {"object_type": object_type, "file": SimpleUploadedFile(name, data, "text/csv")})


# ---------------------------------------------------------------- upload
def test_the_upload_page(client_m):
    response = client_m.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Up to 200.0\xa0MB" in html
    assert 'value="contact"' in html and 'value="company"' in html


def test_uploading_a_file_leads_to_the_mapping_page(client_m, marketer, plan):
    response = post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:import_map", args=[job.pk])
    assert (job.status, job.uploaded_by, job.original_filename, job.headers) == (
        "uploaded", marketer, "leads.csv", ["Email", "First Name", "Plan"],
    )  # fmt: skip
    assert job.mapping == ["email", "first_name", "property:plan"]
    assert str(job.file.name).startswith("imports/") and "leads" not in str(job.file.name)


def test_an_unusable_file_is_shown_on_the_form(client_m):
    response = post_file(client_m, b"")
    assert response.status_code == 422
    assert "The file is empty." in response.content.decode()
    response = post_file(client_m, b"email,name\n")
    assert response.status_code == 422
    assert "The file has a header row but no data rows." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversize_upload_is_a_413_with_the_reason(client_m, settings):
    settings.ACCORD_IMPORT_MAX_BYTES = 1000
    response = post_file(client_m, csv_bytes("email", *[f"person{i}@example.test" for i in range(2000)]))
    assert response.status_code == 413
    assert "The file is larger than the 1000\xa0bytes an import accepts." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_just_over_the_limit_without_a_large_content_length_is_stopped(client_m, settings):
    """The multipart overhead allowance lets a slightly larger body through the header check;
    the upload handler then stops it."""
    settings.ACCORD_IMPORT_MAX_BYTES = 1000
    response = post_file(client_m, csv_bytes("email", *[f"p{i}@example.test" for i in range(80)]))
    assert response.status_code == 413
    assert not ImportJob.objects.exists()


def test_the_upload_needs_a_file_and_a_type(client_m):
    response = client_m.post(NEW, {"object_type": "deal"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a CSV file to upload." in html
    assert "Select a valid choice." in html


# ---------------------------------------------------------------- mapping
def test_the_mapping_page_shows_suggestions_samples_and_a_preview(client_m, plan):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    response = client_m.get(reverse("integrations:import_map", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="email" selected>Email</option>' in html
    assert '<option value="property:plan" selected>Plan</option>' in html
    assert '<optgroup label="Custom properties">' in html
    assert "ada@example.test" in html and "alan@example.test" in html  # preview
    assert "About 3 rows" in html and "Comma-separated" in html and "UTF-8" in html


def test_the_mapping_page_warns_about_a_non_utf8_file(client_m):
    post_file(client_m, "email,name\nz@example.test,Zoë\n".encode("cp1252"))
    job = ImportJob.objects.get()
    html = client_m.get(reverse("integrations:import_map", args=[job.pk])).content.decode()
    assert "This file is not UTF-8, so it was read as Windows-1252 (Western European)." in html
    assert "Zoë" in html


def test_mapping_without_an_email_column_is_refused(client_m):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    response = client_m.post(
        reverse("integrations:import_map", args=[job.pk]),
        {"col-0": "", "col-1": "first_name", "col-2": "", "on_duplicate": "update"},
    )
    assert response.status_code == 422
    assert (
        "Map a column to Email: contacts are matched and created by their email address."
        in response.content.decode()
    )
    assert ImportJob.objects.get().status == "uploaded"


def test_a_field_mapped_twice_is_shown_beside_the_column(client_m):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    response = client_m.post(
        reverse("integrations:import_map", args=[job.pk]),
        {"col-0": "email", "col-1": "email", "col-2": "", "on_duplicate": "update"},
    )
    assert response.status_code == 422
    assert "Email is already filled from column &#x27;Email&#x27;" in response.content.decode()


def test_starting_the_import_runs_it_and_shows_the_result(client_m, plan, django_capture_on_commit_callbacks):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_m.post(
            reverse("integrations:import_map", args=[job.pk]),
            {"col-0": "email", "col-1": "first_name", "col-2": "property:plan", "on_duplicate": "skip"},
        )
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.on_duplicate, job.created_count, job.error_count) == ("done", "skip", 1, 2)
    assert Contact.objects.get().properties == {"plan": "pro"}
    html = client_m.get(job.get_absolute_url()).content.decode()
    assert "Download error report (2 rows)" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no polling
    assert 'value="100"' in html


def test_a_started_job_redirects_from_the_mapping_page(client_m):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)
    response = client_m.get(reverse("integrations:import_map", args=[job.pk]))
    assert response.status_code == 302 and response.url == job.get_absolute_url()


# ---------------------------------------------------------------- the job page
def test_a_running_job_polls_every_second_through_its_partial(client_m, marketer):
    post_file(client_m, csv_bytes("email", "a@example.test", "b@example.test"))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", processed_rows=1, total_rows=2, created_count=1
    )
    page = client_m.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and f'hx-get="{job.get_absolute_url()}"' in page
    assert "<progress" in page and 'value="50"' in page
    assert "1 of about 2 rows" in page and "Cancel import" in page
    partial = client_m.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert text.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in text and 'hx-trigger="every 1s"' in text
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=2, created_count=2)
    done = client_m.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Done" in done


def test_the_error_report_downloads_as_csv(client_m, run_import, marketer):
    job = run_import(GOOD, by=marketer)
    response = client_m.get(reverse("integrations:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-errors.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffEmail,First Name,Plan,error\r\n")
    assert "row 3: email 'bob@' is not a valid email address" in body


def test_no_report_is_a_404_page(client_m, run_import, marketer):
    job = run_import(csv_bytes("email", "a@example.test"), by=marketer)
    response = client_m.get(reverse("integrations:import_errors", args=[job.pk]))
    assert response.status_code == 404
    assert "no rows with errors" in response.content.decode()


def test_cancel_and_resume_buttons(client_m, marketer):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=marketer, queue=False)
    response = client_m.post(reverse("integrations:import_cancel", args=[job.pk]), follow=True)
    assert "Import cancelled. Rows imported before the cancel stay imported." in response.content.decode()
    assert ImportJob.objects.get().status == "cancelled"
    response = client_m.post(reverse("integrations:import_resume", args=[job.pk]), follow=True)
    assert "only a failed import can be resumed" in response.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="failed", last_error="boom")
    assert "boom" in client_m.get(job.get_absolute_url()).content.decode()
    response = client_m.post(reverse("integrations:import_resume", args=[job.pk]))
    assert response.status_code == 302
    assert ImportJob.objects.get().status in ("mapped", "done")


def test_the_list_shows_past_imports(client_m, run_import, marketer):
    assert "No imports yet" in client_m.get(LIST).content.decode()
    run_import(GOOD, by=marketer)
    html = client_m.get(LIST).content.decode()
    assert "people.csv" in html and "Done" in html


def test_get_only_and_post_only_endpoints(client_m, run_import, marketer):
    job = run_import(GOOD, by=marketer)
    assert client_m.get(reverse("integrations:import_cancel", args=[job.pk])).status_code == 405
    assert client_m.post(job.get_absolute_url()).status_code == 405
    assert client_m.get(reverse("integrations:import_detail", args=[999999])).status_code == 404


def test_runner_failure_message_is_shown(client_m, upload, marketer, monkeypatch):
    job = upload(GOOD, by=marketer)
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=marketer, queue=False)

    def boom(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(runner, "bulk_upsert_contacts", boom)
    runner.run(job.pk)
    html = client_m.get(job.get_absolute_url()).content.decode()
    assert "The import stopped." in html and "database is locked" in html and "Resume import" in html


def test_a_vanished_upload_is_reported_not_a_server_error(client_m):
    post_file(client_m, GOOD)
    job = ImportJob.objects.get()
    job.file.delete(save=False)
    response = client_m.get(reverse("integrations:import_map", args=[job.pk]))
    assert response.status_code == 200
    assert "The uploaded file is no longer on the server. Upload it again." in response.content.decode()
