"""The import_csv management command (``accord import`` in the CLI)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.accounts.models import Role
from accord.contacts.models import Company, Contact
from accord.integrations import runner
from accord.integrations.management.commands.import_csv import ProgressBar
from accord.integrations.models import ImportJob
from accord.integrations.tests.fixtures import csv_bytes
from accord.lifecycle.models import StageChange

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            "Email,Name,Notes",
            "ada@example.test,Ada Lovelace,x",
            "bob@,Bob,",
            "alan@example.test,Alan Turing,",
        )
    )
    return path


def test_imports_a_file_and_prints_progress_and_counts(people, users):
    out, err = run(str(people), "--user", users[Role.MARKETER].username)
    job = ImportJob.objects.get()
    assert f"Import {job.pk}: people.csv (contacts, about 3 rows)" in err
    assert "  Email → Email" in err and "  Name → Full name (split at the first space)" in err
    assert "  Notes → (not imported)" in err
    assert "3/3 rows" in err and "100%" in err
    assert f"Import {job.pk} done: 3 rows read" in out
    assert "  created: 2" in out and "  errors:  1" in out and "error report: " in out
    assert job.uploaded_by == users[Role.MARKETER]
    assert Contact.objects.get(email="ada@example.test").last_name == "Lovelace"
    assert StageChange.objects.filter(changed_by=users[Role.MARKETER]).count() == 2


def test_explicit_mapping_and_skip_mode(people):
    Contact.objects.create(email="ada@example.test", first_name="Ada")
    out, _ = run(
        str(people), "--mapping", json.dumps({"Email": "email", "Notes": "title"}), "--on-duplicate", "skip"
    )
    assert "  created: 1" in out and "  skipped: 1" in out
    assert Contact.objects.get(email="alan@example.test").first_name == ""


def test_companies(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes("name;domain", "Acme;acme.test", "Globex;globex.test"))
    out, _ = run(str(path), "--type", "company")
    assert "  created: 2" in out
    assert Company.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/file.csv"], "No such file: /nonexistent/file.csv"),
        ([], "Give the CSV file to import (or --resume JOB_ID)."),
        (["{people}", "--user", "nobody"], "There is no active user 'nobody'."),
        (["{people}", "--mapping", "{not json"], "--mapping is not valid JSON"),
        (["{people}", "--mapping", "[1]"], '--mapping must be "auto" or a JSON object'),
        (["{people}", "--mapping", '{"Name": "full_name"}'], "Map a column to Email: contacts are matched"),
        (
            ["{people}", "--mapping", '{"Phone": "phone"}'],
            "names a column 'Phone' that is not in the header row",
        ),
        (["{people}", "--batch-size", "0"], "--batch-size must be at least 1."),
        (["--resume", "999"], "There is no import 999."),
    ],
)
def test_bad_input_is_a_clear_error(people, args, message):
    with pytest.raises(CommandError) as exc:
        run(*[str(people) if a == "{people}" else a for a in args])
    assert message in str(exc.value)
    assert not Contact.objects.exists()


def test_a_file_without_email_column_is_refused(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes(csv_bytes("first name,last name", "Ada,Lovelace"))
    with pytest.raises(CommandError, match=r"names.csv: Map a column to Email"):
        run(str(path))
    assert ImportJob.objects.get().status == "cancelled"


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(CommandError, match=r"book.xlsx: This is an Excel workbook"):
        run(str(path))


def test_a_failed_import_exits_non_zero_and_resumes(people, monkeypatch):
    real = runner.bulk_upsert_contacts
    monkeypatch.setattr(
        runner, "bulk_upsert_contacts", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    with pytest.raises(CommandError, match=r"Import \d+ failed: The import stopped at row 2 .*boom"):
        run(str(people))
    monkeypatch.setattr(runner, "bulk_upsert_contacts", real)
    job = ImportJob.objects.get()
    out, _ = run("--resume", str(job.pk))
    assert "  created: 2" in out
    assert Contact.objects.count() == 2


def test_the_progress_bar_writes_lines_when_not_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream, total=100)
    job = ImportJob(processed_rows=0, error_count=0)
    for done in (10, 15, 20, 100):
        job.processed_rows = done
        bar(job)
    lines = stream.getvalue().splitlines()
    assert [line.split("]")[1].split()[0] for line in lines] == ["10%", "20%", "100%"]
    assert "\r" not in stream.getvalue()
