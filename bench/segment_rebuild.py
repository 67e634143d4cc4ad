"""Segment rebuild benchmark: a full, set-based rebuild of a 5-condition segment over a large
contact and touchpoint table, with baselines measured in the same run on the same database.

    .venv/bin/python bench/segment_rebuild.py                                   # 1M contacts, 10M events, temp SQLite
    .venv/bin/python bench/segment_rebuild.py --contacts 100000 --events-per-contact 10
    .venv/bin/python bench/segment_rebuild.py --database-url postgres://postgres@127.0.0.1:5432/test

What it does, in one command:
1. migrates a fresh database in a subprocess (a temporary SQLite file, or a PostgreSQL database
   ``accord_bench_seg_<pid>`` created next to the one named by --database-url, dropped at the end);
2. builds companies, contacts (with a custom property ``plan``) and touchpoints with set-based SQL
   (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL; secondary indexes dropped during
   the load and rebuilt after; PostgreSQL then ``VACUUM ANALYZE``d as autovacuum would; SQLite gets
   no ``ANALYZE``, as Accord runs none). Touchpoints span 90 days in arrival (time) order, as an
   append-only table is; half are page views, 1 in 8 of those on /pricing; 30% of events come from
   a "hot" tenth of the contacts; each row carries a ~250-byte context like real ingest;
3. creates, through the real actions, the segment "Enterprise plan" (a custom property) and the
   5-condition segment "Hot pricing leads":
       lifecycle_stage in [lead, mql, sal]  AND  country in [US, GB, DE]
       AND company.size in [51-200, 201-1000, 1001-5000]
       AND visited a page whose url contains "/pricing" at least 3 times in the last 30 days
       AND NOT in segment "Enterprise plan"
4. times: the live count (``count``), the first rebuild (inserting every member), a rebuild with
   nothing to change, a rebuild after 1% of contacts changed stage (deletes and inserts), and
   incremental refreshes of 10 batches of 500 contacts across both segments;
5. times three baselines: ``SELECT COUNT(*)`` over the same contact/company join and column
   filters; the event aggregate alone (``GROUP BY contact_id HAVING COUNT(*) >= 3``); and a raw
   ``INSERT INTO scratch SELECT id FROM contacts_contact`` of every contact id;
6. checks the materialised membership against the live count and prints the machine.
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

from harness import machine, timed
from synthetic import CONTEXT, INDUSTRIES, PATHS, SIZES, X, Y, case_sql, event_type_sql

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SPREAD_SECONDS = 90 * 86_400
COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IN", "BR", "AU", "CA"]
# 20 buckets: subscriber 6, lead 5, mql 3, sal/sql/opportunity 1 each, customer 2, evangelist 1
STAGES = (
    ["subscriber"] * 6
    + ["lead"] * 5
    + ["mql"] * 3
    + ["sal", "sql", "opportunity", "customer", "customer", "evangelist"]
)
PLANS = ["free", "pro", "enterprise"]
TRACK_NAMES = ["Signed Up", "Demo Requested", "Trial Started", "Video Played"]

ENTERPRISE = {"field": "properties.plan", "op": "eq", "value": "enterprise"}


def hot_segment(enterprise_id: int) -> dict[str, Any]:
    return {
        "and": [
            {"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql", "sal"]},
            {"field": "country", "op": "in", "value": ["US", "GB", "DE"]},
            {"field": "company.size", "op": "in", "value": ["51-200", "201-1000", "1001-5000"]},
            {
                "event": {
                    "type": "page",
                    "properties": [{"key": "url", "op": "contains", "value": "/pricing"}],
                },
                "op": "gte",
                "count": 3,
                "within_days": 30,
            },
            {"not": {"in_segment": enterprise_id}},
        ]
    }


def _occurred(events: int) -> str:
    """Seconds since the epoch for event i: in arrival order over 90 days (an append-only table is
    ordered by time), each up to an hour late."""
    start = int(NOW.timestamp()) - SPREAD_SECONDS
    return f"({start} + (i * {SPREAD_SECONDS}) / {events} - {X} % 3600)"


def _contact_of_event(contacts: int) -> str:
    hot = max(1, contacts // 10)
    return f"CASE WHEN ({X} / 100) % 10 < 3 THEN 1 + {Y} % {hot} ELSE 1 + {Y} % {contacts} END"


def _defaults(table: str, given: dict[str, str], ts: str, json_cast: str = "") -> dict[str, str]:
    """``given`` plus a value for every other NOT NULL column, read from the model (the schema grows
    as other apps evolve)."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    values = dict(given)
    for field in model._meta.concrete_fields:
        column = str(field.column)
        if column in values:
            continue
        kind = field.get_internal_type()
        if field.null:
            values[column] = "NULL"
        elif kind == "JSONField":
            values[column] = "'{}'" + json_cast
        elif kind in ("DateTimeField", "DateField"):
            values[column] = ts
        elif "Integer" in kind or kind in ("DecimalField", "FloatField"):
            values[column] = "0"
        elif kind == "BooleanField":
            values[column] = "false"
        else:
            values[column] = "''"
    return values


def _insert(table: str, values: dict[str, str], source: str) -> str:
    return f"INSERT INTO {table} ({', '.join(values)}) SELECT {', '.join(values.values())} FROM {source}"  # noqa: S608 - table names and generated constants only


def _contact_values(ts: str, companies: int, json_object: str) -> dict[str, str]:
    return {
        "id": "i",
        "created_at": ts,
        "updated_at": ts,
        "email": "'c' || i || '@example.test'",
        "first_name": "'Pat'",
        "last_name": "'Doe ' || i",
        "title": "'Engineer'",
        "lifecycle_stage": case_sql(f"{X} % 20", STAGES),
        "country": case_sql(f"({X} / 20) % 10", COUNTRIES),
        "properties": f"{json_object}('plan', {case_sql(f'({Y} / 7) % 3', PLANS)}, 'seats', ({Y} / 21) % 50)",
        "company_id": f"CASE WHEN {Y} % 10 < 8 THEN 1 + ({Y} / 10) % {companies} END",
    }


def _company_values(ts: str) -> dict[str, str]:
    return {
        "id": "i",
        "created_at": ts,
        "updated_at": ts,
        "name": "'Company ' || i",
        "domain": "'co' || i || '.example'",
        "industry": case_sql(f"{X} % 7", INDUSTRIES),
        "size": case_sql(f"{Y} % 6", SIZES),
        "country": case_sql(f"({Y} / 6) % 10", COUNTRIES),
    }


def _touchpoint_values(
    ts: str, contacts: int, json_object: str, occurred: str, context: str
) -> dict[str, str]:
    roll = f"({X} % 100)"
    path = case_sql(f"({Y} / 7) % 8", PATHS)
    return {
        "id": "i",
        "message_id": "'m' || i",
        "type": event_type_sql(roll),
        "name": f"CASE WHEN {roll} >= 76 AND {roll} < 88 THEN {case_sql(f'({Y} / 13) % 4', TRACK_NAMES)} ELSE '' END",
        "anonymous_id": f"'anon-' || (1 + {Y} % {contacts})",
        "contact_id": _contact_of_event(contacts),
        "properties": f"CASE WHEN {roll} < 50 OR ({roll} >= 65 AND {roll} < 73) "
        f"THEN {json_object}('url', 'https://www.acme.example' || {path}, 'path', {path}) ELSE '{{}}' END",
        "context": context,
        "occurred_at": occurred,
        "received_at": ts,
    }


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
    ts = f"'{NOW.strftime('%Y-%m-%d %H:%M:%S')}'"
    times: dict[str, float] = {}

    def series(n: int) -> str:
        return (
            f"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n)"  # noqa: S608 - table names and generated constants only
        )

    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute(_insert(tables[0], _defaults(tables[0], _company_values(ts), ts), series(companies)))
    contact_values = _contact_values(ts, companies, "json_object")
    conn.execute(_insert(tables[1], _defaults(tables[1], contact_values, ts), series(contacts)))
    conn.execute("COMMIT")
    times["contacts"] = time.perf_counter() - t
    t = time.perf_counter()
    occurred = f"datetime({_occurred(events)}, 'unixepoch')"
    values = _touchpoint_values(ts, contacts, "json_object", occurred, f"'{CONTEXT}'")
    conn.execute("BEGIN")
    conn.execute(_insert(tables[2], _defaults(tables[2], values, ts), series(events)))
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

    tables = ("contacts_company", "contacts_contact", "tracking_touchpoint")
    times: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        indexes = conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s, %s)
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
            tables,
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        ts = f"'{NOW.isoformat()}'::timestamptz"

        def series(n: int) -> str:
            return f"generate_series(1::bigint, {n}::bigint) AS i"

        t = time.perf_counter()
        conn.execute(
            _insert(tables[0], _defaults(tables[0], _company_values(ts), ts, "::jsonb"), series(companies))
        )
        contact_values = _contact_values(ts, companies, "jsonb_build_object")
        conn.execute(
            _insert(tables[1], _defaults(tables[1], contact_values, ts, "::jsonb"), series(contacts))
        )
        times["contacts"] = time.perf_counter() - t
        t = time.perf_counter()
        occurred = f"to_timestamp({_occurred(events)})"
        values = _touchpoint_values(ts, contacts, "jsonb_build_object", occurred, f"'{CONTEXT}'::jsonb")
        values["properties"] = values["properties"].replace("ELSE '{}' END", "ELSE '{}'::jsonb END")
        conn.execute(_insert(tables[2], _defaults(tables[2], values, ts, "::jsonb"), series(events)))
        times["touchpoints"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in indexes:
            conn.execute(sql)
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608 - table names and generated constants only
            )
        times["indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        times["vacuum_analyze"] = time.perf_counter() - t
    return times


# ---------------------------------------------------------------- the measured part (Django in-process)
def measure(contacts: int, explain: bool) -> dict[str, Any]:
    from django.db import connection

    from accord.contacts.models import PropertyDefinition
    from accord.segments import actions
    from accord.segments.compiler import compile_segment, count
    from accord.segments.models import Segment, SegmentMembership

    def scalar(sql: str, params: list[Any] | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return int(cursor.fetchone()[0])

    since = connection.ops.adapt_datetimefield_value(NOW - timedelta(days=30))
    url = "properties ->> 'url'" if connection.vendor == "postgresql" else "json_extract(properties, '$.url')"
    events_sql = (
        "SELECT COUNT(*) FROM (SELECT contact_id FROM tracking_touchpoint WHERE type = 'page' "  # noqa: S608
        f"AND occurred_at >= %s AND {url} LIKE '%%/pricing%%' AND contact_id IS NOT NULL "
        "GROUP BY contact_id HAVING COUNT(*) >= 3) t"
    )
    out: dict[str, Any] = {"load_before": os.getloadavg()}
    # The event aggregate by hand, first (cold, right after the build) and again at the end (warm).
    out["baseline_events_cold"], out["baseline_events_rows"] = timed(lambda: scalar(events_sql, [since]))

    PropertyDefinition.objects.create(
        object_type="contact", key="plan", label="Plan", type="choice", choices=PLANS
    )
    enterprise = actions.create_segment(name="Enterprise plan", filter=ENTERPRISE)
    out["other"], other = timed(lambda: actions.rebuild_segment(enterprise, now=NOW))
    out["other_members"] = other.member_count

    segment = actions.create_segment(name="Hot pricing leads", filter=hot_segment(enterprise.pk))
    out["count"], out["count_value"] = timed(lambda: count(segment.filter, now=NOW))
    out["first"], out["first_result"] = timed(lambda: actions.rebuild_segment(segment, now=NOW))
    out["steady"], out["steady_result"] = timed(lambda: actions.rebuild_segment(segment, now=NOW))

    # 1% of contacts change stage behind the segment's back (a bulk update, no signals).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contacts_contact SET lifecycle_stage = CASE lifecycle_stage WHEN 'lead' THEN 'customer' "
            "ELSE 'lead' END WHERE id %% %s = 0",
            [100],
        )
    out["changed"], out["changed_result"] = timed(lambda: actions.rebuild_segment(segment, now=NOW))

    batches = [list(range(1 + k, contacts + 1, max(1, contacts // 5000)))[:500] for k in range(10)]
    t = time.perf_counter()
    for batch in batches:
        actions.refresh_for_contacts(batch, now=NOW)
    out["refresh"] = time.perf_counter() - t
    out["refresh_contacts"] = sum(len(b) for b in batches)

    out["baseline_join"], out["baseline_join_rows"] = timed(lambda: scalar(
        "SELECT COUNT(*) FROM contacts_contact c JOIN contacts_company co ON co.id = c.company_id "
        "WHERE c.lifecycle_stage IN ('lead', 'mql', 'sal') AND c.country IN ('US', 'GB', 'DE') "
        "AND co.size IN ('51-200', '201-1000', '1001-5000')"
    ))  # fmt: skip
    out["baseline_events"], _ = timed(lambda: scalar(events_sql, [since]))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_scratch (contact_id bigint NOT NULL)")
    out["baseline_insert"], _ = timed(lambda: _scratch_insert(connection))

    out["members"] = SegmentMembership.objects.filter(segment=segment).count()
    out["live"] = count(segment.filter, now=NOW)
    segment.refresh_from_db()
    out["stored_count"] = segment.member_count
    out["segments"] = Segment.objects.count()
    out["load_after"] = os.getloadavg()
    if explain:
        out["plan"] = compile_segment(segment.filter, now=NOW).values("id").explain()
    return out


def _scratch_insert(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_scratch (contact_id) SELECT id FROM contacts_contact")
        return int(cursor.rowcount)


# ---------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0], allow_abbrev=False)
    parser.add_argument(
        "--database-url", help="postgres://… (a database is created and dropped); default: temp SQLite"
    )
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=int, default=10)
    parser.add_argument("--companies", type=int, help="default: contacts / 20")
    parser.add_argument("--explain", action="store_true", help="print the query plan of the segment")
    parser.add_argument("--keep", action="store_true", help="keep the database (print where it is)")
    args = parser.parse_args()
    contacts, events = args.contacts, args.contacts * args.events_per_contact
    companies = args.companies or max(1, contacts // 20)

    tmp = tempfile.mkdtemp(prefix="accord-bench-seg-")
    pg_admin = None
    name = f"accord_bench_seg_{os.getpid()}"
    if args.database_url:
        import psycopg

        pg_admin = args.database_url.replace("postgres://", "postgresql://")
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(urlsplit(args.database_url)._replace(path=f"/{name}"))
    else:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        ACCORD_DATA_DIR=tmp,
        DJANGO_SETTINGS_MODULE="accord.settings",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    try:
        migrate = [sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"]
        subprocess.run(migrate, env=env, cwd=ROOT, check=True)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        t = time.perf_counter()
        if pg_admin:
            build = build_postgres(
                database_url.replace("postgres://", "postgresql://"), contacts, events, companies
            )
        else:
            build = build_sqlite(urlsplit(database_url).path, contacts, events, companies)
        build_total = time.perf_counter() - t
        m = measure(contacts, args.explain)
        report(
            args,
            m,
            machine(database_url, sqlite_note="WAL, synchronous=NORMAL, cache_size 64 MB as in settings"),
            contacts,
            companies,
            events,
            build,
            build_total,
            database_url,
        )
        ok = m["members"] == m["live"] == m["stored_count"]
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        if pg_admin and not args.keep:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(
    args: argparse.Namespace,
    m: dict[str, Any],
    info: dict[str, str],
    contacts: int,
    companies: int,
    events: int,
    build: dict[str, float],
    build_total: float,
    database_url: str,
) -> None:
    size = ""
    if database_url.startswith("sqlite"):
        size = f", database file {Path(urlsplit(database_url).path).stat().st_size / 2**30:.1f} GiB"
    first, steady, changed = m["first_result"], m["steady_result"], m["changed_result"]
    before, after = m["load_before"], m["load_after"]
    built = ", ".join(f"{k} {v:.0f} s" for k, v in build.items())
    ok = m["members"] == m["live"] == m["stored_count"]
    lines = [
        f"\nAccord segment rebuild benchmark — {info['database']}",
        f"  machine     {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, Python {info['python']}",
        f"  load        1-min load average {before[0]:.1f} before the measurements, {after[0]:.1f} after",
        f"  data        {contacts:,} contacts, {companies:,} companies, {events:,} touchpoints over 90 days{size}",
        f"              built in {build_total:.0f} s ({built})",
        "  segment     stage in [lead, mql, sal] AND country in [US, GB, DE] AND company.size in [3 sizes]",
        "              AND page url contains /pricing >= 3 times in 30 days AND NOT in segment 'Enterprise plan'",
        f"  other       {m['other']:7.2f} s   rebuild of 'Enterprise plan' (a custom property): {m['other_members']:,} members",
        f"  live count  {m['count']:7.2f} s   count() = {m['count_value']:,}",
        f"  rebuild #1  {m['first']:7.2f} s   +{first.added:,} -{first.removed:,} (empty → full)",
        f"  rebuild #2  {m['steady']:7.2f} s   +{steady.added:,} -{steady.removed:,} (nothing changed)",
        f"  rebuild #3  {m['changed']:7.2f} s   +{changed.added:,} -{changed.removed:,} (after 1% of contacts changed stage)",
        f"  refresh     {m['refresh']:7.2f} s   {m['refresh_contacts']:,} contacts in 10 batches of 500 across "
        f"{m['segments']} segments: {m['refresh'] * 100:.0f} ms per batch",
        f"  baseline    {m['baseline_join']:7.2f} s   SELECT COUNT(*) contact ⋈ company with the 3 column filters "
        f"({m['baseline_join_rows']:,} rows)",
        f"  baseline    {m['baseline_events_cold']:7.2f} s   the event aggregate alone, first query after the build "
        f"(GROUP BY contact_id HAVING COUNT(*) >= 3: {m['baseline_events_rows']:,} contacts)",
        f"  baseline    {m['baseline_events']:7.2f} s   the same, again at the end",
        f"  baseline    {m['baseline_insert']:7.2f} s   INSERT INTO scratch SELECT id FROM contacts_contact ({contacts:,} rows)",  # noqa: S608 - a printed label
        f"  check       materialised {m['members']:,} = live count {m['live']:,} = member_count {m['stored_count']:,}: "
        + ("yes" if ok else "NO"),
    ]
    if args.explain:
        lines.append("  plan\n" + "\n".join("    " + line for line in str(m["plan"]).splitlines()))
    if args.keep:
        lines.append(f"  kept        {database_url}")
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
