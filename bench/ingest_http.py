"""Ingest benchmark: Segment /v1/batch over HTTP against a real gunicorn, durable, with a raw
bulk-insert baseline measured in the same run on the same database.

    .venv/bin/python bench/ingest_http.py                       # temporary SQLite file
    .venv/bin/python bench/ingest_http.py --database-url postgres://postgres@127.0.0.1:5432/test

What it does, in one command:
1. migrates a fresh database (a temporary SQLite file, or a PostgreSQL database
   ``accord_bench_ingest_<pid>`` created next to the one named by --database-url and dropped at the end);
2. creates a write key with ``create_write_key``;
3. starts gunicorn (DEBUG=0) on a free loopback port;
4. runs --clients processes that each post their share of --events events as /v1/batch requests of
   --batch-size events (bodies built before the clock starts), each over one keep-alive connection;
5. prints events/s, p50/p95/p99 request latency, and checks the stored count;
6. measures the baseline: DB-API ``executemany`` of the same rows (same columns, same JSON) into the
   same table, committing every --batch-size rows like the HTTP path, and in one transaction;
7. prints the machine (CPU, cores, RAM, OS, Python, database version) and stops the server.

A response is 200 only after the request's transaction committed (SQLite WAL, synchronous=NORMAL as
configured in settings; PostgreSQL synchronous_commit=on).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness import free_port, machine

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/pricing", "/docs/getting-started", "/blog/revenue-funnels", "/customers", "/contact"]
EVENTS = ["Signed Up", "Trial Started", "Demo Requested", "Whitepaper Downloaded", "Video Played"]


# ---------------------------------------------------------------- the workload
def make_event(rng: random.Random, i: int, run: str, visitors: int) -> dict:
    now = datetime.now(UTC) - timedelta(seconds=rng.randint(0, 86400))
    anon = f"{run}-v{rng.randrange(visitors)}"
    path = rng.choice(PAGES)
    context = {
        "page": {
            "url": f"https://www.acme.example{path}",
            "path": path,
            "title": "Acme — " + path.strip("/").replace("-", " ").title(),
            "referrer": rng.choice(["https://www.google.com/", "https://news.ycombinator.com/", ""]),
        },
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "locale": "en-US",
        "library": {"name": "analytics.js", "version": "5.2.0"},
    }
    if rng.random() < 0.2:
        context["campaign"] = {"name": "spring-launch", "source": "newsletter", "medium": "email"}
    base = {"messageId": f"{run}-{i}", "anonymousId": anon, "timestamp": now.isoformat(), "context": context}
    roll = rng.random()
    if roll < 0.02:
        return {
            **base,
            "type": "identify",
            "traits": {"email": f"{anon}@corp{rng.randrange(500)}.example", "firstName": "Pat"},
        }
    if roll < 0.62:
        return {**base, "type": "page", "name": context["page"]["title"], "properties": {"path": path}}
    return {
        **base,
        "type": "track",
        "event": rng.choice(EVENTS),
        "properties": {"plan": rng.choice(["free", "team"]), "value": rng.randint(1, 500)},
    }


def client_main(args: tuple) -> dict:
    port, key, client_no, events, batch_size, run, visitors, barrier = args
    rng = random.Random(client_no)
    bodies = []
    for start in range(0, events, batch_size):
        batch = [
            make_event(rng, client_no * 10_000_000 + j, run, visitors)
            for j in range(start, min(events, start + batch_size))
        ]
        bodies.append(json.dumps({"batch": batch, "sentAt": datetime.now(UTC).isoformat()}).encode())
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    latencies, stored, errors = [], 0, 0
    barrier.wait()
    started = time.perf_counter()
    for body in bodies:
        t = time.perf_counter()
        conn.request("POST", "/v1/batch", body, headers)
        response = conn.getresponse()
        data = response.read()
        latencies.append(time.perf_counter() - t)
        if response.status == 200:
            stored += json.loads(data)["stored"]
        else:
            errors += 1
    finished = time.perf_counter()
    conn.close()
    return {"latencies": latencies, "stored": stored, "errors": errors, "started": started, "finished": finished,
            "bytes": sum(map(len, bodies))}  # fmt: skip


# ---------------------------------------------------------------- the server
def django_env(database_url: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.update(DATABASE_URL=database_url, ACCORD_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="accord.settings",
               DEBUG="0", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    return env


def manage(env: dict[str, str], *argv: str) -> str:
    return subprocess.run([sys.executable, "-m", "django", *argv], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/t/accord.js")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


# ---------------------------------------------------------------- the baseline
def baseline_rows(count: int, batch_size: int, run: str, visitors: int) -> list[tuple]:
    """The same rows the HTTP path stores, as DB-API parameter tuples (COLUMNS of ingest.store)."""
    rng = random.Random(99)
    received = datetime.now(UTC)
    rows = []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for i in range(count):
        e = make_event(rng, i, run, visitors)
        props = e.get("properties") or e.get("traits") or {}
        rows.append((e["messageId"], e["type"], e.get("name") or e.get("event") or "", None, e["anonymousId"], "",
                     None, 1, dumps(props), dumps(e["context"]), "{}", datetime.fromisoformat(e["timestamp"]), received))  # fmt: skip
    return rows


def run_baseline(database_url: str, rows: list[tuple], batch_size: int) -> dict[str, float]:
    cols = ("message_id", "type", "name", "contact_id", "anonymous_id", "user_id", "campaign_id", "write_key_id",
            "properties", "context", "notes", "occurred_at", "received_at")  # fmt: skip
    results = {}
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(urlsplit(database_url).path, isolation_level=None)
        conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        ph = ", ".join("?" for _ in cols)
        sql = f"INSERT INTO tracking_touchpoint ({', '.join(cols)}) VALUES ({ph})"  # noqa: S608 (constants)
        fix = [
            (*r[:11], r[11].strftime("%Y-%m-%d %H:%M:%S.%f"), r[12].strftime("%Y-%m-%d %H:%M:%S.%f"))
            for r in rows
        ]

        def insert(chunk: list[tuple]) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, chunk)
            conn.execute("COMMIT")
    else:
        import psycopg

        conn = psycopg.connect(database_url.replace("postgres://", "postgresql://"))
        ph = ", ".join("%s::jsonb" if c in ("properties", "context", "notes") else "%s" for c in cols)
        sql = f"INSERT INTO tracking_touchpoint ({', '.join(cols)}) VALUES ({ph})"  # noqa: S608 (constants)
        fix = rows

        def insert(chunk: list[tuple]) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(sql, chunk)

    half = len(fix) // 2
    for label, chunk_size, part in (
        ("per_batch", batch_size, fix[:half]),
        ("one_transaction", half, fix[half:]),
    ):
        t = time.perf_counter()
        for start in range(0, len(part), chunk_size):
            insert(part[start : start + chunk_size])
        results[label] = len(part) / (time.perf_counter() - t)
    conn.close()
    return results


# ---------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument(
        "--database-url", help="postgres://… (a database is created and dropped); default: temp SQLite"
    )
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--visitors", type=int, default=20_000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="accord-bench-ingest-")
    (Path(tmp) / "static").mkdir()
    pg_admin = None
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        name = f"accord_bench_ingest_{os.getpid()}"
        pg_admin = args.database_url.replace("postgres://", "postgresql://")
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
    env = django_env(database_url, tmp)
    server = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        key = manage(env, "create_write_key", "--name", "bench").strip()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "accord.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--threads", str(args.threads), "--keep-alive", "75",
             "--log-level", "warning", "--backlog", "256"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        wait_ready(port, server)
        run = uuid.uuid4().hex[:8]
        per_client = args.events // args.clients
        ctx = mp.get_context("fork")
        barrier = ctx.Manager().Barrier(args.clients + 1)
        with ctx.Pool(args.clients) as pool:
            jobs = pool.map_async(client_main, [(port, key, n, per_client, args.batch_size, run, args.visitors, barrier)
                                               for n in range(args.clients)])  # fmt: skip
            barrier.wait()
            results = jobs.get()
        started = min(r["started"] for r in results)
        finished = max(r["finished"] for r in results)
        total = sum(r["stored"] for r in results)
        errors = sum(r["errors"] for r in results)
        latencies = sorted(x for r in results for x in r["latencies"])
        wall = finished - started
        server.terminate()
        server.wait(timeout=30)
        server = None

        count = int(
            manage(
                env,
                "shell",
                "-c",
                "from accord.tracking.models import Touchpoint; print(Touchpoint.objects.count())",
            ).split()[-1]
        )
        rows = baseline_rows(min(args.events, 100_000), args.batch_size, f"raw{run}", args.visitors)
        base = run_baseline(database_url, rows, args.batch_size)

        def q(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

        info = machine(database_url)
        print(f"\nAccord ingest benchmark — {info['database']}")
        print(
            f"  machine   {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, Python {info['python']}"
        )
        print(
            f"  server    gunicorn {args.workers} workers × {args.threads} threads, DEBUG=0; clients: {args.clients} processes, keep-alive"
        )
        print(f"  workload  {args.events:,} events in /v1/batch requests of {args.batch_size} "
              f"(~{sum(r['bytes'] for r in results) / len(latencies) / 1024:.0f} KB each; 60% page, 38% track, 2% identify)")  # fmt: skip
        print(
            f"  HTTP      {total / wall:>10,.0f} events/s   ({total:,} stored in {wall:.1f} s, {errors} failed requests, {count:,} rows in the table)"
        )
        print(
            f"  latency   p50 {statistics.median(latencies) * 1000:.1f} ms · p95 {q(0.95):.1f} ms · p99 {q(0.99):.1f} ms per request"
        )
        print(
            f"  baseline  {base['per_batch']:>10,.0f} rows/s   raw executemany, one commit per {args.batch_size} rows (same durability unit)"
        )
        print(
            f"  baseline  {base['one_transaction']:>10,.0f} rows/s   raw executemany, {len(rows) // 2:,} rows in one transaction"
        )
        ok = count == total and errors == 0
        print("  check     " + ("stored count matches" if ok else "MISMATCH or errors"))
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if pg_admin:
            import psycopg

            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "accord_bench_ingest_{os.getpid()}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
