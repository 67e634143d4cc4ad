"""What every benchmark in ``bench/`` shares: the machine it ran on, the load while it ran,
timing and rate formatting, a free loopback port.

Scripts run as ``python bench/<name>.py``, so this module is imported as ``harness``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PG_SETTINGS = ("shared_buffers", "work_mem", "synchronous_commit", "max_parallel_workers_per_gather")


def _cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram() -> str:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _os() -> str:
    with contextlib.suppress(OSError):
        match = re.search(r'^PRETTY_NAME="?([^"\n]+)', Path("/etc/os-release").read_text(), re.M)
        if match:
            return f"{match.group(1)} ({platform.release()})"
    return platform.platform()


def database_description(database_url: str, sqlite_note: str = "WAL, synchronous=NORMAL") -> str:
    """The database's version and the settings that matter for the figures."""
    if database_url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} ({sqlite_note})"
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:

        def show(name: str) -> str:
            row = conn.execute(f"SHOW {name}").fetchone()  # names from PG_SETTINGS only
            return str(row[0]) if row else "?"

        version = show("server_version")
        settings = ", ".join(f"{name} {show(name)}" for name in PG_SETTINGS)
    return f"PostgreSQL {version} ({settings})"


def machine(
    database_url: str | None = None, *, sqlite_note: str = "WAL, synchronous=NORMAL"
) -> dict[str, str]:
    """CPU, cores, RAM, OS, Python (and the database when ``database_url`` is given)."""
    info = {
        "cpu": _cpu(),
        "cores": str(os.cpu_count()),
        "ram": _ram(),
        "os": _os(),
        "python": platform.python_version(),
    }
    if database_url:
        info["database"] = database_description(database_url, sqlite_note)
    return info


def load() -> str:
    """The 1/5/15-minute load averages: figures from a loaded machine are not comparable."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of ``fn()``."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "n/a"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def print_machine(info: dict[str, Any]) -> None:
    for key, value in info.items():
        print(f"  {key:<9} {value}")
