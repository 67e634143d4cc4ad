"""What every benchmark in ``bench/`` shares: the machine it ran on, the load while it ran,
timing and rate formatting, a free loopback port, throw-away databases.

Scripts run as ``python bench/<name>.py``, so this module is imported as ``harness``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shutil
import socket
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent

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


# ---------------------------------------------------------------- throw-away databases
class Database:
    """A throw-away database: ``url`` for Accord, ``connect()`` (DB-API) for counts and baselines."""

    url: str
    vendor: str

    def connect(self) -> Any:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    vendor = "sqlite"

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "bench.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def connect(self) -> Any:
        conn = sqlite3.connect(self.path)
        conn.execute("PRAGMA journal_mode=WAL")  # as Accord's settings
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-64000")
        return conn

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase(Database):
    vendor = "postgresql"

    def __init__(self, admin_url: str, name: str) -> None:
        import psycopg

        self.admin_url = admin_url
        self.name = name
        self.url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url)

    def version(self) -> str:
        with self.connect() as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextlib.contextmanager
def throwaway_database(url: str | None, name: str) -> Iterator[tuple[Database, Path]]:
    """A fresh database for one run — a temporary SQLite file, or database ``name`` created on the
    PostgreSQL server of ``url`` — and a data dir; both removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    db: Database | None = None
    try:
        if url and url.startswith(("postgres://", "postgresql://")):
            db = PostgresDatabase(url, name)
        elif url:
            raise SystemExit("--database-url must be a postgres:// URL (SQLite uses a temporary file)")
        else:
            db = SqliteDatabase(data_dir)
        yield db, data_dir
    finally:
        if db is not None:
            db.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


def django_env(db: Database, data_dir: Path) -> dict[str, str]:
    """The environment for an Accord subprocess on ``db`` (tasks on SQLite, no test settings)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db.url,
        DJANGO_SETTINGS_MODULE="accord.settings",
        ACCORD_DATA_DIR=str(data_dir),
        ACCORD_ENV="development",
        DEBUG="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("ACCORD_TESTING", None)
    env.pop("REDIS_URL", None)
    return env
