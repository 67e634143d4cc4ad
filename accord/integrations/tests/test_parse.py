"""Reading uploaded files: encodings, delimiters, headers, previews, and files that cannot be used."""

from __future__ import annotations

import pytest

from accord.contacts.models import Contact
from accord.core.errors import Invalid
from accord.integrations import parse
from accord.integrations.actions import FileTooLarge
from accord.integrations.tests.fixtures import csv_bytes, report_rows

pytestmark = pytest.mark.django_db


def inspect_bytes(tmp_path, data: bytes) -> parse.Inspection:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return parse.inspect(path)


# ---------------------------------------------------------------- encodings
def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_header(tmp_path):
    found = inspect_bytes(tmp_path, "\ufeffEmail,Name\nzoë@example.test,Zoë\n".encode())
    assert found.format.encoding == "utf-8-sig"
    assert found.headers == ["Email", "Name"]
    assert found.preview == [["zoë@example.test", "Zoë"]]
    assert found.format.encoding_note == ""


def test_utf8_without_bom(tmp_path):
    found = inspect_bytes(tmp_path, "email,name\nz@example.test,Zoë\n".encode())
    assert found.format.encoding == "utf-8"


def test_windows_1252_and_latin1_fallbacks_are_reported(tmp_path):
    cp1252 = inspect_bytes(tmp_path, "email,name\nz@example.test,Zoë – “quoted”\n".encode("cp1252"))
    assert cp1252.format.encoding == "cp1252"
    assert cp1252.preview == [["z@example.test", "Zoë – “quoted”"]]
    assert "not UTF-8" in cp1252.format.encoding_note and "Windows-1252" in cp1252.format.encoding_note
    # 0x81 is undefined in Windows-1252: only Latin-1 reads it
    latin1 = inspect_bytes(tmp_path, b"email,name\nz@example.test,Zo\xeb\x81\n")
    assert latin1.format.encoding == "latin-1"
    assert "Latin-1" in latin1.format.encoding_note


def test_an_invalid_utf8_byte_late_in_a_large_file_is_found(tmp_path):
    data = (
        csv_bytes("email,name", *[f"p{i}@example.test,Name {i}" for i in range(60_000)])
        + b"x@example.test,Zo\xeb\n"
    )
    assert len(data) > parse.CHUNK
    assert inspect_bytes(tmp_path, data).format.encoding == "cp1252"


def test_the_import_reads_latin1_text_correctly(run_import):
    job = run_import("email,first name\nzoe@example.test,Zoë\n".encode("latin-1"))
    assert job.status == "done"
    assert Contact.objects.get().first_name == "Zoë"


# ---------------------------------------------------------------- delimiters and quoting
@pytest.mark.parametrize(
    ("delimiter", "label"), [(";", "semicolon"), ("\t", "tab"), ("|", "vertical bar"), (",", "comma")]
)
def test_the_delimiter_is_sniffed(tmp_path, delimiter, label):
    lines = [
        delimiter.join(["email", "first name", "company"]),
        delimiter.join(["a@x.test", "Ada", "Acme, Inc"]),
    ]
    found = inspect_bytes(tmp_path, csv_bytes(*lines))
    assert found.format.delimiter == delimiter
    assert found.format.delimiter_label == label
    assert found.headers == ["email", "first name", "company"]


def test_a_single_column_file_defaults_to_comma(tmp_path):
    found = inspect_bytes(tmp_path, csv_bytes("email", "a@x.test", "b@x.test"))
    assert found.format.delimiter == ","
    assert found.preview == [["a@x.test"], ["b@x.test"]]


def test_quoted_newlines_and_delimiters_stay_in_their_cell(run_import):
    data = csv_bytes(
        "email;title;last name",
        'ada@example.test;"Head of\nEngines; Analytical";Lovelace',
        "alan@example.test;CTO;Turing",
        newline="\r\n",
    )
    job = run_import(data)
    assert (job.processed_rows, job.created_count, job.error_count) == (2, 2, 0)
    assert Contact.objects.get(email="ada@example.test").title == "Head of\nEngines; Analytical"


def test_ragged_rows_short_ones_are_padded_long_ones_are_errors(run_import):
    data = csv_bytes(
        "email,first name,last name",
        "short@example.test,Sho",  # trailing cell dropped by some tools: fine
        "long@example.test,Lo,Ng,extra",
        "trailing@example.test,Tr,Ail,",  # an empty extra cell is harmless
    )
    job = run_import(data)
    assert (job.created_count, job.error_count) == (2, 1)
    assert report_rows(job)[1] == [
        "long@example.test",
        "Lo",
        "Ng",
        "row 3: has 4 values but the header has 3 columns (is a value with the delimiter in it missing its quotes?)",
    ]


def test_blank_lines_are_ignored(run_import):
    job = run_import(csv_bytes("email", "", "a@example.test", ",", "b@example.test"))
    assert (job.created_count, job.error_count, job.processed_rows) == (2, 0, 4)


# ---------------------------------------------------------------- files that cannot be imported
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file has no header row. The first row must name each column."),
        (b"email,name\n", "The file has a header row but no data rows."),
        (b"ada@example.test,Ada\nbob@example.test,Bob\n", "it looks like data ('ada@example.test')"),
        (b"email,,name\na@x.test,1,2\n", "Column 2 has no name in the header row."),
        (b"Email,name,EMAIL\na,b,c\n", "Two columns are named 'EMAIL' (columns 1 and 3)."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook (.xlsx)"),
        ("email\na@x.test\n".encode("utf-16"), "UTF-16"),
        (b"email\x00,x\n", "binary file"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(upload, data, message):
    with pytest.raises(Invalid) as exc:
        upload(data)
    assert message in exc.value.message
    assert exc.value.field_errors["file"] == [exc.value.message]


def test_too_many_columns(upload):
    header = ",".join(f"c{i}" for i in range(parse.MAX_COLUMNS + 1))
    with pytest.raises(Invalid, match="at most 200 are supported"):
        upload(csv_bytes(header, "x"))


def test_an_oversize_file_is_refused_before_it_is_stored(upload, settings, media_root):
    settings.ACCORD_IMPORT_MAX_BYTES = 100
    with pytest.raises(FileTooLarge) as exc:
        upload(csv_bytes("email", *[f"person{i}@example.test" for i in range(20)]))
    assert exc.value.status == 413
    assert exc.value.message.startswith("The file is larger than the 100\xa0bytes an import accepts.")
    assert not (media_root / "imports").exists() or not any((media_root / "imports").iterdir())


def test_a_file_broken_within_its_first_rows_is_refused_at_upload(upload):
    with pytest.raises(Invalid, match="Row 3 cannot be read as CSV: field larger than field limit"):
        upload(csv_bytes("email,name", "a@x.test,A", 'b@x.test,"open') + b"x" * 140_000)


def test_nothing_is_kept_of_a_refused_file(upload, media_root):
    with pytest.raises(Invalid):
        upload(b"email,name\n")
    assert not any((media_root / "imports").glob("*.csv"))


def test_an_unclosed_quote_stops_the_import_with_the_row_and_keeps_what_came_before(run_import):
    rows = [f"p{i}@example.test,Name" for i in range(15)]
    data = csv_bytes("email,first name", *rows, 'late@example.test,"never closed') + b"x" * 140_000 + b"\n"
    job = run_import(data, batch_size=4)
    assert job.status == "failed"
    assert job.created_count == 15
    assert job.last_error.startswith("row 17 cannot be read as CSV (field larger than field limit")
    assert job.last_error.endswith("Rows before it were imported.")


def test_preview_shows_ten_rows_padded_to_the_header(tmp_path):
    found = inspect_bytes(tmp_path, csv_bytes("email,name", *[f"p{i}@x.test" for i in range(15)]))
    assert len(found.preview) == parse.PREVIEW_ROWS
    assert found.preview[0] == ["p0@x.test", ""]
    assert found.estimated_rows == 15
