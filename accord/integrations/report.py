"""The per-row error report of an import: the original columns plus ``error``, as CSV.

Rows are appended batch by batch; the job records the report's size in the same transaction as the
batch, so a batch that rolls back (a crash, a failure) leaves bytes past that size, which the next
run cuts off before appending again. The report opens in Excel (UTF-8 with a BOM, the file's own
delimiter) and its cells are neutralised like an export's (see :mod:`accord.integrations.export`);
importing the corrected report removes that quote again.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from django.core.files.storage import default_storage

from accord.core.spreadsheet import neutralise
from accord.integrations.models import ImportJob
from accord.integrations.parse import fit

BOM = "\ufeff"
ERROR_COLUMN = "error"


def new_report_name(job: ImportJob) -> str:
    return f"imports/errors/{job.pk}-{uuid.uuid4().hex[:12]}.csv"


class ErrorReport:
    """Appends error rows to ``job.error_file`` (whose name must be set)."""

    def __init__(self, job: ImportJob) -> None:
        self.headers = list(job.headers)
        self.delimiter = job.delimiter
        self.path = Path(default_storage.path(str(job.error_file.name)))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("r+b" if self.path.exists() else "w+b")
        self._file.truncate(job.error_file_bytes)
        self._file.seek(job.error_file_bytes)
        if job.error_file_bytes == 0:
            self.write([])  # the header row

    def write(self, rows: Iterable[tuple[Sequence[str], str]]) -> int:
        """Append ``(cells, message)`` rows; returns the report's size in bytes."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator="\r\n")
        if self._file.tell() == 0:
            buffer.write(BOM)
            writer.writerow([neutralise(h) for h in [*self.headers, ERROR_COLUMN]])
        width = len(self.headers)
        for cells, message in rows:
            writer.writerow([neutralise(c) for c in fit(list(cells), width)] + [neutralise(message)])
        self._file.write(buffer.getvalue().encode("utf-8"))
        self._file.flush()
        return self._file.tell()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ErrorReport:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
