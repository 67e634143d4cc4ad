"""Running imports: counts, the error report, duplicates, batches, crashes and resume, cancel."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role
from accord.contacts import bulk
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company, Contact
from accord.core.errors import Conflict
from accord.integrations import actions, runner
from accord.integrations.models import ImportJob
from accord.integrations.tests.fixtures import csv_bytes, report_rows, run_job
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db

PEOPLE = csv_bytes(
    "Email,First Name,Last Name,Stage,Country",
    "ada@example.test,Ada,Lovelace,lead,GB",
    "bob@,Bob,Broken,,",
    "alan@example.test,Alan,Turing,Hot,GB",
    "grace@example.test,Grace,Hopper,customer,USA",
    ",No,Email,,",
    "linus@example.test,Linus,Torvalds,MQL,fi",
)


def test_an_import_writes_the_good_rows_and_reports_the_bad_ones(run_import, users):
    job = run_import(PEOPLE, by=users[Role.MARKETER])
    assert job.status == ImportJob.Status.DONE
    assert (job.processed_rows, job.created_count, job.updated_count, job.skipped_count, job.error_count) == (
        6, 2, 0, 0, 4,
    )  # fmt: skip
    assert job.total_rows == 6 and job.finished_at is not None and job.started_at is not None
    assert sorted(Contact.objects.values_list("email", "lifecycle_stage", "country")) == [
        ("ada@example.test", "lead", "GB"),
        ("linus@example.test", "mql", "FI"),
    ]
    assert StageChange.objects.filter(changed_by=users[Role.MARKETER], rule="import").count() == 2
    assert report_rows(job) == [
        ["Email", "First Name", "Last Name", "Stage", "Country", "error"],
        ["bob@", "Bob", "Broken", "", "", "row 3: email 'bob@' is not a valid email address"],
        [
            "alan@example.test", "Alan", "Turing", "Hot", "GB",
            "row 4: stage 'Hot' is not a lifecycle stage (use one of subscriber, lead, mql, sal, sql, "
            "opportunity, customer, evangelist, recycled, disqualified)",
        ],
        [
            "grace@example.test", "Grace", "Hopper", "customer", "USA",
            "row 5: country 'USA' is not a two-letter ISO country code (such as FR or US)",
        ],
        ["", "No", "Email", "", "", "row 6: email is missing"],
    ]  # fmt: skip


def test_no_error_report_without_errors(run_import):
    job = run_import(csv_bytes("email", "a@example.test"))
    assert job.error_count == 0 and runner.error_report_path(job) is None


def test_the_error_report_keeps_the_files_delimiter_and_neutralises_formulas(run_import):
    job = run_import(csv_bytes("email;title", "=HYPERLINK(1)@;CTO", "ok@example.test;@boss"))
    rows = report_rows(job)
    assert job.delimiter == ";"
    assert rows[1][0] == "'=HYPERLINK(1)@"
    assert Contact.objects.get().title == "@boss"


def test_rows_are_reported_in_file_order_across_conversion_and_write_errors(run_import):
    create_contact(email="customer@example.test", lifecycle_stage="customer")
    data = csv_bytes("email,stage", "customer@example.test,lead", "x@,", "fine@example.test,nonsense")
    job = run_import(data)
    assert [r[-1][:6] for r in report_rows(job)[1:]] == ["row 2:", "row 3:", "row 4:"]
    assert report_rows(job)[1][-1] == (
        "row 2: stage 'lead' would move customer@example.test back from Customer; an import only moves contacts forward"
    )


# ---------------------------------------------------------------- duplicates
DUPES = csv_bytes(
    "email,first name,title",
    "dup@example.test,First,CEO",
    "other@example.test,Other,",
    "DUP@example.test,Second,",
    "dup@example.test,,CTO",
)


@pytest.mark.parametrize("batch_size", [2000, 1])
def test_repeated_emails_last_wins_in_update_mode(run_import, batch_size):
    job = run_import(DUPES, on_duplicate="update", batch_size=batch_size)
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 2, 0)
    dup = Contact.objects.get(email="dup@example.test")
    assert (dup.first_name, dup.title) == ("Second", "CTO")
    assert StageChange.objects.filter(contact=dup).count() == 1


@pytest.mark.parametrize("batch_size", [2000, 1])
def test_repeated_emails_first_wins_in_skip_mode(run_import, batch_size):
    job = run_import(DUPES, on_duplicate="skip", batch_size=batch_size)
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 0, 2)
    dup = Contact.objects.get(email="dup@example.test")
    assert (dup.first_name, dup.title) == ("First", "CEO")


def test_existing_contacts_are_updated_or_skipped(run_import):
    create_contact(email="ada@example.test", first_name="Ada", title="Countess")
    data = csv_bytes("email,first name,title", "ada@example.test,Augusta,", "new@example.test,New,")
    skipped = run_import(data, on_duplicate="skip")
    assert (skipped.created_count, skipped.skipped_count) == (1, 1)
    assert Contact.objects.get(email="ada@example.test").first_name == "Ada"
    updated = run_import(data, on_duplicate="update")
    assert (updated.created_count, updated.updated_count) == (0, 2)
    ada = Contact.objects.get(email="ada@example.test")
    assert (ada.first_name, ada.title) == ("Augusta", "Countess")  # an empty cell changes nothing


def test_an_sdr_updates_only_their_own_contacts(run_import, users, make_user):
    sdr, other = users[Role.SDR], make_user(Role.SDR)
    create_contact(email="mine@example.test", owner=sdr)
    create_contact(email="theirs@example.test", owner=other)
    job = run_import(csv_bytes("email,title", "mine@example.test,A", "theirs@example.test,B"), by=sdr)
    assert (job.updated_count, job.error_count) == (1, 1)
    assert report_rows(job)[1][-1] == (
        "row 3: contact theirs@example.test belongs to another owner and you may not change it"
    )


def test_a_company_import(run_import):
    create_company(name="Acme", domain="acme.test")
    data = csv_bytes(
        "Company,Website,Industry,Employees",
        "Acme Rockets,https://www.acme.test,Aerospace,51-200",
        "Globex,globex.test,,",
        ",,Nothing,",
        "Initech,,Software,lots",
    )
    job = run_import(data, object_type="company")
    assert (job.created_count, job.updated_count, job.error_count) == (1, 1, 2)
    assert Company.objects.get(domain="acme.test").name == "Acme Rockets"
    messages = [r[-1] for r in report_rows(job)[1:]]
    assert messages == [
        "row 4: a company needs a name or a domain",
        "row 5: size 'lots' is not one of 1-10, 11-50, 51-200, 201-1000, 1001-5000, 5001+",
    ]


# ---------------------------------------------------------------- batches, crashes, resume, cancel
def many(n: int, start: int = 0) -> bytes:
    return csv_bytes(
        "email,first name",
        *[f"p{i}@example.test,P{i}" if i % 4 else f"bad{i}@,X" for i in range(start, start + n)],
    )


def test_progress_is_committed_batch_by_batch(run_import):
    seen = []

    def progress(job):
        stored = ImportJob.objects.get(pk=job.pk)  # what other processes see
        seen.append((stored.processed_rows, stored.created_count, Contact.objects.count()))

    run_import(many(10), batch_size=4, progress=progress)
    assert seen == [(4, 3, 3), (8, 6, 6), (10, 7, 7)]


def test_a_failure_mid_way_keeps_what_was_imported_and_resume_does_not_double_it(upload, monkeypatch):
    job = upload(many(20))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)
    real = bulk.bulk_upsert_contacts
    calls = []

    def crash_on_third_batch(rows, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(rows, **kw)

    monkeypatch.setattr(runner, "bulk_upsert_contacts", crash_on_third_batch)
    failed = run_job(job.pk, batch_size=5)
    assert failed.status == ImportJob.Status.FAILED
    assert (failed.processed_rows, failed.created_count, failed.error_count) == (10, 7, 3)
    assert failed.last_error == (
        "The import stopped at row 12 because of an unexpected error (RuntimeError: disk full). "
        "Everything before row 12 was imported; resume to try the rest again."
    )
    assert Contact.objects.count() == 7  # exactly what the job says
    assert len(report_rows(failed)) == 1 + 3

    monkeypatch.setattr(runner, "bulk_upsert_contacts", real)
    actions.resume_import(failed, queue=False)
    done = run_job(job.pk, batch_size=5)
    assert done.status == ImportJob.Status.DONE
    assert (done.processed_rows, done.created_count, done.error_count) == (20, 15, 5)
    assert Contact.objects.count() == 15
    assert StageChange.objects.count() == 15
    assert [r[-1].split(":")[0] for r in report_rows(done)[1:]] == [
        "row 2",
        "row 6",
        "row 10",
        "row 14",
        "row 18",
    ]


def test_a_crash_after_the_report_was_written_does_not_duplicate_report_rows(upload, monkeypatch):
    """The process dies between writing a batch's error rows and committing the batch: the rerun
    cuts the report back to the committed size before going on."""
    job = upload(many(8))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)
    real_write = runner.ErrorReport.write
    writes = []

    def write_then_die(self, rows):
        size = real_write(self, rows)
        writes.append(size)
        if len(writes) == 3:  # the header is write 1, batch one is write 2
            raise SystemExit("killed")
        return size

    monkeypatch.setattr(runner.ErrorReport, "write", write_then_die)
    with pytest.raises(SystemExit):
        run_job(job.pk, batch_size=4)
    crashed = ImportJob.objects.get(pk=job.pk)
    assert crashed.status == ImportJob.Status.RUNNING  # as a killed worker leaves it
    assert (crashed.processed_rows, Contact.objects.count()) == (4, 3)
    monkeypatch.setattr(runner.ErrorReport, "write", real_write)
    done = run_job(job.pk, batch_size=4)  # the task's retry: a running job is resumed
    assert (done.status, done.processed_rows, done.created_count, done.error_count) == ("done", 8, 6, 2)
    assert [r[-1] for r in report_rows(done)[1:]] == [
        "row 2: email 'bad0@' is not a valid email address",
        "row 6: email 'bad4@' is not a valid email address",
    ]


def test_a_finished_job_is_not_run_again(run_import):
    job = run_import(many(4))
    again = run_job(job.pk)
    assert (again.status, again.created_count, Contact.objects.count()) == ("done", 3, 3)


def test_cancel_stops_after_the_batch_in_progress(upload):
    job = upload(many(12))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)

    def cancel_after_first_batch(current):
        if current.processed_rows == 4:
            actions.cancel_import(ImportJob.objects.get(pk=current.pk))

    ended = run_job(job.pk, batch_size=4, progress=cancel_after_first_batch)
    assert ended.status == ImportJob.Status.CANCELLED
    assert (ended.processed_rows, ended.created_count, Contact.objects.count()) == (4, 3, 3)
    with pytest.raises(Conflict, match="cannot be cancelled"):
        actions.cancel_import(ended)


def test_a_run_that_was_taken_over_stops_writing(upload):
    job = upload(many(12))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)

    def taken_over(current):
        if current.processed_rows == 4:
            runner.claim(current.pk)  # another worker resumed the job meanwhile

    run_job(job.pk, batch_size=4, progress=taken_over)
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.processed_rows) == ("running", 4)
    assert Contact.objects.count() == 3


def test_only_failed_or_stalled_imports_resume(run_import):
    job = run_import(many(2))
    with pytest.raises(Conflict, match="only a failed import can be resumed"):
        actions.resume_import(job)


def test_start_twice_is_refused(upload):
    job = upload(many(2))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)
    with pytest.raises(Conflict, match="already been started"):
        actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)


def test_segments_and_scores_are_refreshed_after_each_batch(
    upload, monkeypatch, django_capture_on_commit_callbacks
):
    refreshed, rescored = [], []
    monkeypatch.setattr(runner, "schedule_refresh", lambda ids: refreshed.append(sorted(ids)))
    monkeypatch.setattr(runner, "schedule_rescore", lambda ids: rescored.append(sorted(ids)))
    job = upload(many(6, start=1))
    actions.start_import(job, mapping=job.mapping, on_duplicate="update", by=None, queue=False)
    run_job(job.pk, batch_size=3)
    ids = sorted(Contact.objects.values_list("pk", flat=True))
    assert sum(refreshed, []) == ids and sum(rescored, []) == ids
    assert len(refreshed) == 2
