"""``python -m django seed --contacts N --seed S [--batch-size B]``: generate the demo workspace."""

from __future__ import annotations

import resource
import sys
import time
from argparse import ArgumentParser, ArgumentTypeError
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.demo.generator import DEMO_PASSWORD, DEMO_USERS, generate_workspace


def peak_rss_mib() -> float:
    """This process's peak resident set size (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _aware_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ArgumentTypeError("give a UTC offset, e.g. 2026-03-16T09:30:00+00:00")
    return value


class Command(BaseCommand):
    help = "Generate the demo workspace (users, campaigns, companies, contacts and their history)."
    requires_system_checks: list[str] = []  # a data command: no need to import every URLconf first

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--contacts", type=int, default=5000, help="How many contacts (default 5000).")
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed; the same seed gives the same data."
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Contacts written per transaction (default 5000)."
        )
        parser.add_argument(
            "--now",
            type=_aware_datetime,
            default=None,
            help="The workspace's 'today' as an ISO timestamp with offset (default: the current time); "
            "with the same seed it makes the data identical run after run.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(phase: str, done: int, total: int) -> None:
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{phase}: {done:,}/{total:,} ({100 * done // max(total, 1)}%) {elapsed:.1f} s")

        try:
            summary = generate_workspace(
                contacts=options["contacts"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=progress,
                now=options["now"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS("Demo workspace ready."))
        for name, count in asdict(summary).items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(f"  rows: {summary.rows}")
        self.stdout.write(f"elapsed: {elapsed:.2f} s ({summary.rows / max(elapsed, 1e-9):,.0f} rows/s)")
        self.stdout.write(f"peak RSS: {peak_rss_mib():.1f} MiB")
        logins = ", ".join(u.username for u in DEMO_USERS[:6])
        self.stdout.write(f"Log in as {logins}, … with the password {DEMO_PASSWORD!r}.")
