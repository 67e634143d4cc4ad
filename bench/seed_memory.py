"""Benchmark the demo workspace generator: speed, rows written and peak memory.

    .venv/bin/python bench/seed_memory.py --contacts 100000
    .venv/bin/python bench/seed_memory.py --contacts 20000 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres

For each size it creates a throw-away database (a temporary SQLite file, or a fresh PostgreSQL
database ``accord_bench_<pid>_<n>`` next to the one in ``--database-url``), migrates it, runs
``python -m django seed`` in a subprocess (so the peak RSS is the seed's alone), counts the
rows per table, then measures a baseline in the same database: a raw DB-API ``executemany`` of
as many contact-like rows as the seed wrote, into a scratch table with a unique email index
(on PostgreSQL also ``COPY``, the path the generator uses there). The database is dropped at
the end. Nothing is asserted; the numbers are for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import ROOT, Database, django_env, load, machine, rate, throwaway_database

TABLES = {
    "users": "accounts_user",
    "teams": "accounts_team",
    "campaigns": "campaigns_campaign",
    "campaign_costs": "campaigns_campaigncost",
    "pipelines": "sales_pipeline",
    "companies": "contacts_company",
    "contacts": "contacts_contact",
    "touchpoints": "tracking_touchpoint",
    "stage_changes": "lifecycle_stagechange",
    "deals": "sales_deal",
    "activities": "sales_activity",
}
BASELINE_TABLE = "bench_baseline_contact"
FIXED_NOW = "2026-03-16T09:30:00+00:00"
STAGES = ("subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer")


# ---------------------------------------------------------------- the seed
@dataclass
class SeedRun:
    contacts: int
    seconds: float  # wall clock of the seed subprocess (Django start-up included)
    generator_seconds: float  # as the seed command measured it
    peak_rss_mib: float
    rows: dict[str, int] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def run_seed(db: Database, data_dir: Path, contacts: int, seed: int, batch_size: int, now: str) -> SeedRun:
    env = django_env(db, data_dir)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0", "--skip-checks"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [sys.executable, "-m", "django", "seed", "--contacts", str(contacts), "--seed", str(seed)]
    command += ["--batch-size", str(batch_size), "--now", now]
    before = load()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    out = done.stdout
    peak = re.search(r"^peak RSS: ([\d.]+) MiB", out, re.M)
    elapsed = re.search(r"^elapsed: ([\d.]+) s", out, re.M)
    if not peak or not elapsed:
        raise RuntimeError(f"unexpected seed output:\n{out}\n{done.stderr}")
    run = SeedRun(contacts, seconds, float(elapsed.group(1)), float(peak.group(1)), load_before=before)
    run.load_after = load()
    with contextlib.closing(db.connect()) as conn:
        cursor = conn.cursor()
        for name, table in TABLES.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
            run.rows[name] = int(cursor.fetchone()[0])
    return run


# ---------------------------------------------------------------- the baseline
def _baseline_rows(n: int, vendor: str) -> Iterator[tuple[Any, ...]]:
    """Contact-like rows with values already in the driver's form (as the generator sends them)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        moment = start + timedelta(seconds=i * 13)
        at: Any = str(moment.replace(tzinfo=None)) if vendor == "sqlite" else moment
        yield (
            i + 1, f"person{i}@company{i % 9973}.example", "Ada", "Lovelace", "+44 20 7946 0000", "Controller",
            None, None, STAGES[i % len(STAGES)], "GB", "{}", at, at,
        )  # fmt: skip


def _baseline_sql(vendor: str) -> tuple[str, str, str]:
    json_type, ts_type = ("jsonb", "timestamptz") if vendor == "postgresql" else ("text", "datetime")
    create = f"""CREATE TABLE {BASELINE_TABLE} (
        id bigint PRIMARY KEY, email varchar(254) NOT NULL UNIQUE, first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL, phone varchar(40) NOT NULL, title varchar(150) NOT NULL,
        company_id bigint NULL, owner_id bigint NULL, lifecycle_stage varchar(20) NOT NULL,
        country varchar(2) NOT NULL, properties {json_type} NOT NULL, created_at {ts_type} NOT NULL,
        updated_at {ts_type} NOT NULL)"""
    index = f"CREATE INDEX {BASELINE_TABLE}_stage ON {BASELINE_TABLE} (lifecycle_stage)"
    mark = "?" if vendor == "sqlite" else "%s"
    insert = f"INSERT INTO {BASELINE_TABLE} VALUES ({', '.join([mark] * 13)})"  # noqa: S608 - fixed names
    return create, index, insert


def run_baseline(db: Database, n: int, batch_size: int, *, copy: bool = False) -> float:
    """Seconds to insert ``n`` contact-like rows in batches, each batch committed."""
    create, index, insert = _baseline_sql(db.vendor)
    with contextlib.closing(db.connect()) as conn:
        cursor = conn.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(create)
        cursor.execute(index)
        conn.commit()
        rows = _baseline_rows(n, db.vendor)
        started = time.perf_counter()
        while batch := [row for _, row in zip(range(batch_size), rows, strict=False)]:
            if copy:
                with cursor.copy(f"COPY {BASELINE_TABLE} FROM STDIN") as out:
                    for row in batch:
                        out.write_row(row)
            else:
                cursor.executemany(insert, batch)
            conn.commit()
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
        conn.commit()
    return seconds


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False
    )
    parser.add_argument("--contacts", type=int, nargs="+", default=[100_000], help="one or more sizes")
    parser.add_argument("--database-url", help="postgres://… to benchmark PostgreSQL (default: SQLite)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--now",
        default=FIXED_NOW,
        help=f"the workspace's today, so runs write identical data (default {FIXED_NOW})",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw insert baseline")
    args = parser.parse_args(argv)
    # A killed benchmark still drops its database and temporary files (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    info = machine()
    printed_machine = False
    results: list[tuple[SeedRun, dict[str, float]]] = []
    for contacts in args.contacts:
        with throwaway_database(args.database_url, f"accord_bench_{os.getpid()}_{contacts}") as (
            db,
            data_dir,
        ):
            if not printed_machine:
                info["database"] = db.version()
                print("## Machine")
                for key, value in info.items():
                    print(f"- {key}: {value}")
                python = (
                    os.path.relpath(sys.executable, ROOT)
                    if sys.executable.startswith(str(ROOT))
                    else sys.executable
                )
                print(f"- command: {' '.join([python, *sys.argv])}\n", flush=True)
                printed_machine = True
            print(f"seeding {contacts:,} contacts into {db.vendor} (load {load()})…", flush=True)
            run = run_seed(db, data_dir, contacts, args.seed, args.batch_size, args.now)
            baselines: dict[str, float] = {}
            if not args.no_baseline:
                baselines["executemany"] = run_baseline(db, run.total_rows, args.batch_size)
                if db.vendor == "postgresql":
                    baselines["COPY"] = run_baseline(db, run.total_rows, args.batch_size, copy=True)
            results.append((run, baselines))
            print(
                f"  done in {run.seconds:.1f} s, peak RSS {run.peak_rss_mib:.1f} MiB (load {run.load_after})"
            )

    print("\n## Rows written per table\n")
    print("| table | " + " | ".join(f"{r.contacts:,} contacts" for r, _ in results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in TABLES:
        print(f"| {name} | " + " | ".join(f"{r.rows[name]:,}" for r, _ in results) + " |")
    print("| **total** | " + " | ".join(f"**{r.total_rows:,}**" for r, _ in results) + " |")

    print("\n## Speed and memory\n")
    print(
        "| contacts | rows | seed wall s | generator s | rows/s | peak RSS MiB | baseline (same rows) | load before → after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---|")
    for run, baselines in results:
        base = (
            "; ".join(f"{k} {v:.1f} s = {rate(run.total_rows, v)} rows/s" for k, v in baselines.items())
            or "skipped"
        )
        print(
            f"| {run.contacts:,} | {run.total_rows:,} | {run.seconds:.1f} | {run.generator_seconds:.1f} | "
            f"{rate(run.total_rows, run.generator_seconds)} | {run.peak_rss_mib:.1f} | {base} | "
            f"{run.load_before} → {run.load_after} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
