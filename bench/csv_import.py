"""Benchmark the CSV import: rows/s and peak memory of ``import_csv`` on a fresh database.

    .venv/bin/python bench/csv_import.py --rows 1000000
    .venv/bin/python bench/csv_import.py --rows 1000000 --database-url postgres://postgres@127.0.0.1:5432/postgres

One run: generate a deterministic CSV of ``--rows`` contacts (≈1 % bad rows, ≈0.5 % repeated
emails, ``--rows / 20`` companies, a custom ``plan`` property), create a throw-away database (a
temporary SQLite file, or a fresh PostgreSQL database ``accord_bench_csv_<pid>`` beside the one in
``--database-url``), migrate it in a subprocess, run ``python -m django import_csv`` in a subprocess
(timed; its peak RSS and CPU time from ``os.wait4``, i.e. ``getrusage`` of that child alone), check
the row counts, then measure a baseline in the same database: a raw DB-API ``executemany`` of the
same valid rows into a scratch table with a unique email index, committing every batch (on
PostgreSQL also ``COPY``). The database is dropped at the end. Nothing is asserted; the numbers are
for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import ROOT, Database, django_env, load, machine, rate, throwaway_database

BASELINE_TABLE = "bench_csv_baseline"
HEADER = ["Email", "First Name", "Last Name", "Phone", "Job Title", "Company", "Website", "Country", "Lifecycle Stage", "Plan"]  # fmt: skip
FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Zoë",
    "José",
]
LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
]
TITLES = ["CTO", "VP Marketing", "Head of Sales", "Growth lead", "Engineer", "Founder", "Analyst", ""]
STAGES = ["subscriber", "Lead", "MQL", "Sales qualified lead", "opportunity", "customer"]
COUNTRIES = ["GB", "US", "FR", "DE", "fr", "ES", "NL", ""]
PLANS = ["free", "pro", "Enterprise", ""]


# ---------------------------------------------------------------- the file
@dataclass
class Generated:
    path: Path
    rows: int
    bad: int
    repeats: int
    bytes: int

    @property
    def distinct_valid(self) -> int:
        return self.rows - self.bad - self.repeats


def generate(path: Path, rows: int, seed: int) -> Generated:
    """A deterministic contacts CSV: row i is person i at company i mod (rows/20), with every
    97th row bad (broken email or unknown stage) and every 200th repeating an earlier email."""
    rng = random.Random(seed)
    companies = max(1, rows // 20)
    bad = repeats = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            c = i % companies
            email = f"person{i}@company{c}.example"
            stage = STAGES[i % len(STAGES)]
            if i % 97 == 96:
                bad += 1
                if i % 2:
                    email = f"person{i}@"  # not a valid email
                else:
                    stage = "hot"  # not a stage
            elif i % 200 == 199:
                repeats += 1
                email = f"person{i - 150}@company{(i - 150) % companies}.example"
                if (i - 150) % 97 == 96:  # the repeated row was a bad one: this one is new
                    repeats -= 1
            writer.writerow(
                [
                    email, rng.choice(FIRST), rng.choice(LAST), f"+44 20 7946 {i % 10000:04d}", rng.choice(TITLES),
                    f"Company {c}", f"company{c}.example", rng.choice(COUNTRIES), stage, rng.choice(PLANS),
                ]
            )  # fmt: skip
    return Generated(path, rows, bad, repeats, path.stat().st_size)


# ---------------------------------------------------------------- databases
def prepare(db: Database, data_dir: Path) -> None:
    """Migrate, and define the custom property the file fills."""
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0", "--skip-checks"],
        cwd=ROOT,
        env=django_env(db, data_dir),
        check=True,
    )
    marks = ", ".join(["?" if db.vendor == "sqlite" else "%s"] * 5)
    sql = f"INSERT INTO contacts_propertydefinition (object_type, key, label, type, choices) VALUES ({marks})"  # noqa: S608
    with contextlib.closing(db.connect()) as conn:
        conn.cursor().execute(
            sql, ("contact", "plan", "Plan", "choice", json.dumps(["free", "pro", "enterprise"]))
        )
        conn.commit()


# ---------------------------------------------------------------- the import
@dataclass
class ImportRun:
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    output: str
    load_before: str
    load_after: str
    counts: dict[str, int]

    def stat(self, name: str) -> int:
        match = re.search(rf"^\s+{name}:\s+([\d,]+)", self.output, re.M)
        return int(match.group(1).replace(",", "")) if match else -1


def run_import(db: Database, data_dir: Path, csv_path: Path, batch_size: int) -> ImportRun:
    command = [sys.executable, "-m", "django", "import_csv", str(csv_path), "--type", "contact"]
    command += ["--batch-size", str(batch_size)]
    before = load()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=django_env(db, data_dir), stdout=out, stderr=sys.stderr
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"import_csv exited {proc.returncode}:\n{output}")
    rss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    counts: dict[str, int] = {}
    with contextlib.closing(db.connect()) as conn:
        cursor = conn.cursor()
        for name, table in (
            ("contacts", "contacts_contact"),
            ("companies", "contacts_company"),
            ("stage history", "lifecycle_stagechange"),
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed names
            counts[name] = int(cursor.fetchone()[0])
    return ImportRun(seconds, usage.ru_utime + usage.ru_stime, rss, output, before, load(), counts)


# ---------------------------------------------------------------- the baseline
def baseline_rows(csv_path: Path, vendor: str) -> Iterator[tuple[Any, ...]]:
    """The file's rows with a valid email, first occurrence of each, as the driver takes them."""
    now = datetime.now(UTC)
    at: Any = str(now.replace(tzinfo=None)) if vendor == "sqlite" else now
    seen: set[str] = set()
    with csv_path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for i, r in enumerate(reader):
            email = r[0].lower()
            if email.endswith("@") or r[8] == "hot" or email in seen:
                continue
            seen.add(email)
            yield (
                i + 1,
                email,
                r[1],
                r[2],
                r[3],
                r[4],
                None,
                None,
                r[8].lower()[:20],
                r[7].upper(),
                json.dumps({"plan": r[9]}),
                at,
                at,
            )


def run_baseline(db: Database, csv_path: Path, batch_size: int, *, copy: bool = False) -> tuple[float, int]:
    json_type, ts_type = ("jsonb", "timestamptz") if db.vendor == "postgresql" else ("text", "datetime")
    mark = "?" if db.vendor == "sqlite" else "%s"
    create = f"""CREATE TABLE {BASELINE_TABLE} (
        id bigint PRIMARY KEY, email varchar(254) NOT NULL UNIQUE, first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL, phone varchar(40) NOT NULL, title varchar(150) NOT NULL,
        company_id bigint NULL, owner_id bigint NULL, lifecycle_stage varchar(20) NOT NULL,
        country varchar(2) NOT NULL, properties {json_type} NOT NULL, created_at {ts_type} NOT NULL,
        updated_at {ts_type} NOT NULL)"""
    insert = f"INSERT INTO {BASELINE_TABLE} VALUES ({', '.join([mark] * 13)})"  # noqa: S608 - fixed names
    written = 0
    with contextlib.closing(db.connect()) as conn:
        cursor = conn.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(create)
        cursor.execute(f"CREATE INDEX {BASELINE_TABLE}_stage ON {BASELINE_TABLE} (lifecycle_stage)")
        conn.commit()
        rows = baseline_rows(csv_path, db.vendor)
        started = time.perf_counter()
        while batch := [row for _, row in zip(range(batch_size), rows, strict=False)]:
            if copy:
                with cursor.copy(f"COPY {BASELINE_TABLE} FROM STDIN") as out:
                    for row in batch:
                        out.write_row(row)
            else:
                cursor.executemany(insert, batch)
            conn.commit()
            written += len(batch)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
        conn.commit()
    return seconds, written


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="postgres://… to benchmark PostgreSQL (default: SQLite)")
    parser.add_argument(
        "--batch-size", type=int, default=2000, help="rows per import batch (and baseline commit)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)

    info = machine()
    with throwaway_database(args.database_url, f"accord_bench_csv_{os.getpid()}") as (db, data_dir):
        info["database"] = db.version()
        print("## Machine")
        for key, value in info.items():
            print(f"- {key}: {value}")
        python = (
            os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
        )
        print(f"- command: {' '.join([python, *sys.argv])}\n", flush=True)

        started = time.perf_counter()
        generated = generate(data_dir / "contacts.csv", args.rows, args.seed)
        print(
            f"generated {generated.rows:,} rows ({generated.bytes / 1024 / 1024:.1f} MiB; {generated.bad:,} bad, "
            f"{generated.repeats:,} repeated emails) in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        prepare(db, data_dir)
        print(f"importing into {db.vendor} (load {load()})…", flush=True)
        run = run_import(db, data_dir, generated.path, args.batch_size)
        print(f"  done in {run.seconds:.1f} s (load {run.load_after})\n", flush=True)
        baselines: dict[str, tuple[float, int]] = {}
        if not args.no_baseline:
            baselines["executemany"] = run_baseline(db, generated.path, args.batch_size)
            if db.vendor == "postgresql":
                baselines["COPY"] = run_baseline(db, generated.path, args.batch_size, copy=True)

    print("## Result\n")
    print(
        "| database | rows | wall s | rows/s | CPU s (user+sys) | peak RSS MiB | created | updated | errors | load before → after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(
        f"| {info['database']} | {generated.rows:,} | {run.seconds:.1f} | {rate(generated.rows, run.seconds)} | "
        f"{run.cpu_seconds:.1f} | {run.peak_rss_mib:.1f} | {run.stat('created'):,} | {run.stat('updated'):,} | "
        f"{run.stat('errors'):,} | {run.load_before} → {run.load_after} |"
    )
    print(
        f"\nIn the database: {run.counts['contacts']:,} contacts (expected {generated.distinct_valid:,}), "
        f"{run.counts['stage history']:,} stage-history rows, {run.counts['companies']:,} companies."
    )
    for name, (seconds, written) in baselines.items():
        print(
            f"Baseline, raw {name} of the {written:,} valid contact rows (one table, no history, no "
            f"companies, commit every {args.batch_size:,}): {seconds:.1f} s = {rate(written, seconds)} rows/s."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
