"""Score recompute benchmark: a full, set-based recompute of every contact's score over a large
touchpoint table, with a plain aggregate over the same table measured in the same run as a baseline.

    .venv/bin/python bench/score_recompute.py                                  # 1M contacts, 10M events, temp SQLite
    .venv/bin/python bench/score_recompute.py --contacts 100000 --events-per-contact 10
    .venv/bin/python bench/score_recompute.py --database-url postgres://postgres@127.0.0.1:5432/test

What it does, in one command:
1. migrates a fresh database in a subprocess (a temporary SQLite file, or a PostgreSQL database
   ``accord_bench_score_<pid>`` created next to the one named by --database-url, dropped at the end);
2. builds companies, contacts and touchpoints with set-based SQL (a recursive CTE on SQLite,
   ``generate_series`` on PostgreSQL; secondary indexes dropped during the load and rebuilt after,
   PostgreSQL then ``VACUUM ANALYZE``d as autovacuum would; SQLite gets no ``ANALYZE``, as Accord
   never runs one): touchpoints spread over 180 days, ~50% page views (1 in 8 on /pricing), email
   opens and clicks, forms, custom events, downloads, ads; a realistic ~250-byte context per row;
3. defines 5 engagement rules and 3 fit rules through the real actions;
4. times the baseline ``SELECT contact_id, COUNT(*) FROM tracking_touchpoint GROUP BY contact_id``,
   then ``full_recompute`` twice (first and warm), then incremental ``rescore_contacts`` batches of
   500 contacts, then the MQL promotion of ~1,000 contacts crossing a threshold;
5. prints the machine, sizes, times and rows/s, and checks the stored scores against a second,
   independent evaluation for a sample of contacts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from harness import machine
from synthetic import CONTEXT, INDUSTRIES, PATHS, SIZES, X, Y, case_sql, event_type_sql

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NEXT = NOW + timedelta(days=1)
SPREAD_SECONDS = 180 * 86_400
BANDS = ["<1M", "1M-10M", "10M-50M", "50M-250M", "250M-1B", ">1B"]
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IN", "BR", "AU", "CA"]
TITLES = ["VP Marketing", "Head of Growth", "Engineer", "Marketing Manager", "CEO", "Analyst", "Director of Sales",
          "Designer", "Consultant", "Student"]  # fmt: skip
TRACK_NAMES = ["Signed Up", "Demo Requested", "Trial Started", "Video Played"]


# ---------------------------------------------------------------- SQLite
def build_sqlite(path: str, contacts: int, events: int, companies: int) -> dict[str, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000; PRAGMA temp_store=MEMORY;"
    )
    tables = ("contacts_company", "contacts_contact", "tracking_touchpoint")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?, ?)",
        tables,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    ts = NOW.strftime("%Y-%m-%d %H:%M:%S")
    times: dict[str, float] = {}
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {companies})
        INSERT INTO contacts_company (id, created_at, updated_at, name, domain, industry, size, revenue_band, country,
                                      lifecycle_stage, properties, owner_id)
        SELECT i, '{ts}', '{ts}', 'Company ' || i, 'co' || i || '.example', {case_sql(f"{X} % 7", INDUSTRIES)},
               {case_sql(f"{Y} % 6", SIZES)}, {case_sql(f"({X} / 7) % 6", BANDS)}, {case_sql(f"({Y} / 6) % 10", COUNTRIES)},
               '', '{{}}', NULL FROM n"""  # noqa: S608 (numbers and constants only)
    )
    conn.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {contacts})
        INSERT INTO contacts_contact (id, created_at, updated_at, email, first_name, last_name, phone, title,
                                      lifecycle_stage, country, properties, company_id, owner_id)
        SELECT i, '{ts}', '{ts}', 'c' || printf('%09d', i) || '@example.test', 'Pat', 'Doe ' || i, '',
               {case_sql(f"{X} % 10", TITLES)}, CASE WHEN {Y} % 4 = 0 THEN 'subscriber' ELSE 'lead' END,
               {case_sql(f"({X} / 10) % 10", COUNTRIES)}, '{{}}',
               CASE WHEN {Y} % 10 < 8 THEN 1 + ({Y} / 10) % {companies} END, NULL FROM n"""  # noqa: S608
    )
    conn.execute("COMMIT")
    times["contacts"] = time.perf_counter() - t
    t = time.perf_counter()
    roll = f"({X} % 100)"
    path_expr = case_sql(f"({Y} / 7) % 8", PATHS)
    conn.execute("BEGIN")
    conn.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {events})
        INSERT INTO tracking_touchpoint (id, message_id, type, name, anonymous_id, properties, context, occurred_at,
                                         received_at, campaign_id, notes, user_id, contact_id, write_key_id)
        SELECT i, 'm' || printf('%010d', i), {event_type_sql(roll)},
               CASE WHEN {roll} >= 76 AND {roll} < 88 THEN {case_sql(f"({Y} / 13) % 4", TRACK_NAMES)} ELSE '' END,
               'anon-' || (1 + {Y} % {contacts}),
               CASE WHEN {roll} < 50 OR ({roll} >= 65 AND {roll} < 73)
                    THEN json_object('url', 'https://www.acme.example' || {path_expr}, 'path', {path_expr})
                    ELSE '{{}}' END,
               '{CONTEXT}',
               datetime({int(NOW.timestamp())} - ({X} / 100) % {SPREAD_SECONDS}, 'unixepoch'), '{ts}', NULL, '{{}}', '',
               1 + {Y} % {contacts}, NULL FROM n"""  # noqa: S608
    )
    conn.execute("COMMIT")
    times["touchpoints"] = time.perf_counter() - t
    t = time.perf_counter()
    for _, sql in indexes:
        conn.execute(sql)
    times["indexes"] = time.perf_counter() - t
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return times


# ---------------------------------------------------------------- PostgreSQL
def build_postgres(url: str, contacts: int, events: int, companies: int) -> dict[str, float]:
    import psycopg

    times: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        rows = conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE tablename IN ('contacts_company', 'contacts_contact', 'tracking_touchpoint')
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)"""
        ).fetchall()
        for name, _ in rows:
            conn.execute(f'DROP INDEX "{name}"')
        t = time.perf_counter()
        ts = f"'{NOW.isoformat()}'::timestamptz"
        conn.execute(
            f"""INSERT INTO contacts_company (id, created_at, updated_at, name, domain, industry, size, revenue_band,
                                              country, lifecycle_stage, properties, owner_id)
            SELECT i, {ts}, {ts}, 'Company ' || i, 'co' || i || '.example', {case_sql(f"{X} % 7", INDUSTRIES)},
                   {case_sql(f"{Y} % 6", SIZES)}, {case_sql(f"({X} / 7) % 6", BANDS)}, {case_sql(f"({Y} / 6) % 10", COUNTRIES)},
                   '', '{{}}', NULL FROM generate_series(1::bigint, {companies}::bigint) AS i"""  # noqa: S608
        )
        conn.execute(
            f"""INSERT INTO contacts_contact (id, created_at, updated_at, email, first_name, last_name, phone, title,
                                              lifecycle_stage, country, properties, company_id, owner_id)
            SELECT i, {ts}, {ts}, 'c' || lpad(i::text, 9, '0') || '@example.test', 'Pat', 'Doe ' || i, '',
                   {case_sql(f"{X} % 10", TITLES)}, CASE WHEN {Y} % 4 = 0 THEN 'subscriber' ELSE 'lead' END,
                   {case_sql(f"({X} / 10) % 10", COUNTRIES)}, '{{}}',
                   CASE WHEN {Y} % 10 < 8 THEN 1 + ({Y} / 10) % {companies} END, NULL
            FROM generate_series(1::bigint, {contacts}::bigint) AS i"""  # noqa: S608
        )
        times["contacts"] = time.perf_counter() - t
        t = time.perf_counter()
        roll = f"({X} % 100)"
        path_expr = case_sql(f"({Y} / 7) % 8", PATHS)
        conn.execute(
            f"""INSERT INTO tracking_touchpoint (id, message_id, type, name, anonymous_id, properties, context,
                                                 occurred_at, received_at, campaign_id, notes, user_id, contact_id,
                                                 write_key_id)
            SELECT i, 'm' || lpad(i::text, 10, '0'), {event_type_sql(roll)},
                   CASE WHEN {roll} >= 76 AND {roll} < 88 THEN {case_sql(f"({Y} / 13) % 4", TRACK_NAMES)} ELSE '' END,
                   'anon-' || (1 + {Y} % {contacts}),
                   CASE WHEN {roll} < 50 OR ({roll} >= 65 AND {roll} < 73)
                        THEN jsonb_build_object('url', 'https://www.acme.example' || {path_expr}, 'path', {path_expr})
                        ELSE '{{}}'::jsonb END,
                   '{CONTEXT}'::jsonb,
                   to_timestamp({int(NOW.timestamp())} - ({X} / 100) % {SPREAD_SECONDS}), {ts}, NULL, '{{}}', '',
                   1 + {Y} % {contacts}, NULL
            FROM generate_series(1::bigint, {events}::bigint) AS i"""  # noqa: S608
        )
        times["touchpoints"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in rows:
            conn.execute(sql)
        for table in ("contacts_company", "contacts_contact", "tracking_touchpoint"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
        times["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        times["vacuum_analyze"] = time.perf_counter() - t
    return times


# ---------------------------------------------------------------- the measured part (Django in-process)
def define_rules() -> None:
    from accord.scoring import actions

    pricing = [{"key": "url", "op": "contains", "value": "/pricing"}]
    actions.create_engagement_rule(name="Visited the pricing page", event_type="page", property_conditions=pricing,
                                   points=10, cap=30, half_life_days=14, window_days=90)  # fmt: skip
    actions.create_engagement_rule(name="Opened an email", event_type="email_open", points=2, cap=10,
                                   half_life_days=30, window_days=90)  # fmt: skip
    actions.create_engagement_rule(name="Clicked an email link", event_type="email_click", points=5, cap=20,
                                   half_life_days=21, window_days=90)  # fmt: skip
    actions.create_engagement_rule(name="Submitted a form", event_type="form_submit", points=15, cap=30,
                                   half_life_days=30, window_days=180)  # fmt: skip
    actions.create_engagement_rule(name="Requested a demo", event_type="track", event_name="Demo Requested",
                                   points=30, cap=30, half_life_days=45, window_days=180)  # fmt: skip
    actions.create_fit_rule(name="Mid-size or larger company", points=15, condition={
        "field": "company.size", "op": "in", "value": ["201-1000", "1001-5000", "5001+"]})  # fmt: skip
    actions.create_fit_rule(name="Software industry", points=10,
                            condition={"field": "company.industry", "op": "eq", "value": "Software"})  # fmt: skip
    actions.create_fit_rule(name="Senior title", points=10, condition={"or": [
        {"field": "title", "op": "contains", "value": "VP"}, {"field": "title", "op": "starts_with", "value": "Head"},
        {"field": "title", "op": "contains", "value": "Director"}]})  # fmt: skip


CPU: dict[str, float] = {}


def timed(fn: Any, label: str = "") -> tuple[float, Any]:
    """Wall seconds and the result; the process's CPU seconds go to ``CPU[label]`` (on SQLite the
    database works inside this process, so CPU time shows the work whatever else the machine runs)."""
    t, cpu = time.perf_counter(), time.process_time()
    result = fn()
    if label:
        CPU[label] = time.process_time() - cpu
    return time.perf_counter() - t, result


def measure(contacts: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from accord.scoring import actions
    from accord.scoring.decay import round_score
    from accord.scoring.explain import explain
    from accord.scoring.models import ContactScore

    define_rules()
    out: dict[str, Any] = {}

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT contact_id, COUNT(*) FROM tracking_touchpoint GROUP BY contact_id) t"
            )
            return int(cursor.fetchone()[0])

    def full(now: datetime) -> tuple[float, Any, float, float]:
        """Wall seconds, the result, and CPU seconds of the database work computing and writing:
        this process's on SQLite (the database runs in it), the server backend's on PostgreSQL."""
        marks: dict[str, float] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase == "Writing scores" and done == 1:
                marks["write"] = db_cpu()

        start_cpu, start = db_cpu(), time.perf_counter()
        result = actions.full_recompute(now=now, promote=False, progress=progress)
        wall, end_cpu = time.perf_counter() - start, db_cpu()
        return wall, result, marks["write"] - start_cpu, end_cpu - marks["write"]

    with connection.cursor() as cursor:
        backend = None
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            backend = pid if Path(f"/proc/{pid}/stat").exists() else None  # a server on this machine

    def db_cpu() -> float:
        if connection.vendor == "sqlite":
            return time.process_time()
        if backend is None:
            return float("nan")
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    out["load_before"] = os.getloadavg()
    out["baseline"], groups = timed(baseline, "baseline")
    out["baseline_groups"] = groups
    out["full1"], out["result1"], *out["cpu1"] = full(NOW)
    out["full2"], out["result2"], *out["cpu2"] = full(NEXT)  # the next night: every engagement decayed
    out["load_after"] = os.getloadavg()
    if connection.vendor == "postgresql":
        # One more run without parallel workers: then the backend does all the work and its CPU
        # time is the whole cost, whatever else the machine is doing.
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        out["full3"], out["result3"], *out["cpu3"] = full(NEXT)
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
    out["baseline2"], _ = timed(baseline)
    out["scores"] = ContactScore.objects.count()

    step = max(1, contacts // 5000)
    batches = [list(range(1 + k, contacts + 1, step))[:500] for k in range(10)]
    t = time.perf_counter()
    for batch in batches:
        actions.rescore_contacts(batch, now=NEXT, promote=False)
    out["incremental"] = time.perf_counter() - t
    out["incremental_contacts"] = sum(len(b) for b in batches)

    # Every stored score equals the sum of its explanation lines (an independent per-contact query).
    sample = list(ContactScore.objects.order_by("-total").values_list("contact_id", "total")[:20])
    sample += list(ContactScore.objects.filter(contact_id__lte=20).values_list("contact_id", "total"))
    mismatches = [
        cid for cid, total in sample if round_score(sum(line.points for line in explain(cid, NEXT))) != total
    ]
    out["checked"], out["mismatches"] = len(sample), mismatches

    with connection.cursor() as cursor:
        cursor.execute("SELECT total FROM scoring_contactscore ORDER BY total DESC LIMIT 1 OFFSET 1000")
        row = cursor.fetchone()
        cursor.execute("SELECT MIN(total), AVG(total), MAX(total) FROM scoring_contactscore")
        out["distribution"] = cursor.fetchone()
    threshold = max(1, int(row[0]) + 1) if row else 1
    actions.set_mql_threshold(threshold)
    out["threshold"] = threshold
    out["promote"], out["promoted"] = timed(lambda: actions.promote_to_mql(now=NEXT))
    return out


# ---------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument(
        "--database-url", help="postgres://… (a database is created and dropped); default: temp SQLite"
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=int, default=10)
    parser.add_argument("--companies", type=int, help="default: contacts / 20")
    parser.add_argument("--keep", action="store_true", help="keep the database (print where it is)")
    args = parser.parse_args()
    contacts, events = args.contacts, args.contacts * args.events_per_contact
    companies = args.companies or max(1, contacts // 20)

    tmp = tempfile.mkdtemp(prefix="accord-bench-score-")
    (Path(tmp) / "static").mkdir()
    pg_admin = None
    name = f"accord_bench_score_{os.getpid()}"
    if args.database_url:
        import psycopg

        pg_admin = args.database_url.replace("postgres://", "postgresql://")
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(urlsplit(args.database_url)._replace(path=f"/{name}"))
    else:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.update(DATABASE_URL=database_url, ACCORD_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="accord.settings",
               DEBUG="0", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    try:
        subprocess.run([sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT,
                       check=True)  # fmt: skip
        t = time.perf_counter()
        if pg_admin:
            build = build_postgres(
                database_url.replace("postgres://", "postgresql://"), contacts, events, companies
            )
        else:
            build = build_sqlite(urlsplit(database_url).path, contacts, events, companies)
        build_total = time.perf_counter() - t
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        m = measure(contacts)
        info = machine(database_url, sqlite_note="WAL, synchronous=NORMAL, cache_size 64 MB")
        size = ""
        if not pg_admin:
            size = f", database file {Path(urlsplit(database_url).path).stat().st_size / 2**30:.1f} GiB"
        print(f"\nAccord score recompute benchmark — {info['database']}")
        print(
            f"  machine     {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, Python {info['python']}"
        )
        print(
            f"  data        {contacts:,} contacts, {companies:,} companies, {events:,} touchpoints over 180 days{size}"
        )
        print(
            f"              built in {build_total:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in build.items())})"
        )
        print(
            "  rules       5 engagement (decay, caps, a JSON property filter, an event name), 3 fit (company join, OR of 3)"
        )
        lb, la = m["load_before"], m["load_after"]
        print(
            f"  load        1-min load average {lb[0]:.1f} before the timings, {la[0]:.1f} after (other work on the machine)"
        )
        sqlite_cpu = not pg_admin
        print(f"  baseline    {m['baseline']:7.1f} s   SELECT contact_id, COUNT(*) … GROUP BY contact_id ({m['baseline_groups']:,} groups);"
              f" again at the end: {m['baseline2']:.1f} s" + (f"; {CPU['baseline']:.1f} s CPU" if sqlite_cpu else ""))  # fmt: skip
        runs = [("full #1", "1", "first run"), ("full #2", "2", "a day later")]
        if "full3" in m:
            runs.append(("full #3", "3", "a day later, no parallel workers"))
        for label, n, note in runs:
            wall, r, (cpu_compute, cpu_write) = m["full" + n], m["result" + n], m["cpu" + n]
            who = "this process" if sqlite_cpu else "the server backend"
            cpu = (
                ""
                if cpu_compute != cpu_compute
                else f"; CPU of {who}: {cpu_compute:.1f} s + {cpu_write:.1f} s"
            )
            print(
                f"  {label}     {wall:7.1f} s   {r.contacts / wall:>9,.0f} contacts/s, {events / wall:>11,.0f} events/s  ({note})"
            )
            print(
                f"              compute {r.compute_seconds:.1f} s into a temp table, write {r.write_seconds:.1f} s{cpu}"
            )
        print(f"              {m['scores']:,} ContactScore rows; total min/avg/max {m['distribution'][0]} / "
              f"{float(m['distribution'][1]):.1f} / {m['distribution'][2]}")  # fmt: skip
        print(f"  incremental {m['incremental']:7.2f} s   {m['incremental_contacts']:,} contacts in batches of 500: "
              f"{m['incremental_contacts'] / m['incremental']:,.0f} contacts/s")  # fmt: skip
        print(f"  MQL         {m['promote']:7.2f} s   {m['promoted']:,} contacts moved to MQL at threshold {m['threshold']} "
              f"({m['promoted'] / m['promote'] if m['promote'] else 0:,.0f}/s through change_stages)")  # fmt: skip
        ok = not m["mismatches"] and m["scores"] == contacts
        print(f"  check       {m['checked']} sampled scores equal their explanation: "
              + ("yes" if not m["mismatches"] else f"NO {m['mismatches']}")
              + f"; every contact has a score row: {'yes' if m['scores'] == contacts else 'NO'}")  # fmt: skip
        if args.keep:
            print(f"  kept        {database_url}")
        return 0 if ok else 1
    finally:
        if pg_admin and not args.keep:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
