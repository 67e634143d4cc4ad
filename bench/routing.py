"""Lead routing benchmark: 10,000 MQLs "arriving in one minute", routed in batches, with a raw insert
of the same number of assignment rows measured in the same run as a baseline.

    .venv/bin/python bench/routing.py                                   # temp SQLite
    .venv/bin/python bench/routing.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/routing.py --leads 10000 --batches 60

What it does, in one command:
1. migrates a fresh database in a subprocess (a temporary SQLite file, or a PostgreSQL database
   ``accord_bench_routing_<pid>`` created next to the one named by --database-url, dropped at the end);
2. builds 2 sales teams of 5 reps (weights 1–3, capacity 5,000, working 9–17 UTC), 3 territory rules
   and a catch-all, ``--leads`` MQL contacts in 20 countries with ``--leads / 10`` companies (1 in 50
   with an account owner), and 3 touchpoints per contact, 2 of them tagged with one of 8 campaigns;
3. times the baseline: a raw DB-API ``executemany`` INSERT of ``--leads`` rows into
   ``handoff_leadassignment`` in one transaction (then deleted);
4. routes the MQLs as they would arrive within one minute: ``--batches`` calls of
   :func:`accord.handoff.routing.route_contacts` (each one transaction per chunk: lock, rules,
   weighted round robin, bulk insert, campaign attribution, one notice per rep), counting queries;
5. resets and routes all of them again in a single call;
6. checks every MQL holds exactly one open assignment, capacity holds, and the weights' proportions.
Nothing is asserted beyond that check; the numbers go to docs/handoff.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from harness import load, machine

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 10:00 UTC: every rep is at work
COUNTRIES = ["FR", "DE", "GB", "ES", "IT", "NL", "SE", "US", "CA", "MX", "BR", "AR", "JP", "IN", "AU", "SG", "ZA", "NG", "PL", "PT"]  # fmt: skip
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5001+"]
INDUSTRIES = ["Software", "Finance", "Healthcare", "Retail", "Manufacturing"]


def build(leads: int) -> dict[str, Any]:
    from datetime import time as dtime

    from accord.accounts.models import Role, Team, User
    from accord.campaigns.models import Campaign, Channel
    from accord.contacts.models import Company, Contact
    from accord.handoff import actions
    from accord.tracking.models import Touchpoint

    teams = [Team.objects.create(name=n, kind=Team.Kind.SALES) for n in ("Sales EMEA", "Sales Americas")]
    reps: list[User] = []
    for t, team in enumerate(teams):
        manager = User.objects.create(
            username=f"manager{t}", role=Role.SALES_MANAGER, team=team, email=f"m{t}@x.test"
        )
        team.manager = manager
        team.save()
        for r in range(5):
            user = User.objects.create(
                username=f"rep{t}_{r}", role=Role.SDR, team=team, email=f"r{t}{r}@x.test"
            )
            actions.save_rep_profile(
                user, weight=1 + r % 3, capacity=5000, work_start=dtime(9), work_end=dtime(17)
            )
            reps.append(user)
    ae = User.objects.create(
        username="owner_ae", role=Role.ACCOUNT_EXECUTIVE, team=teams[0], email="ae@x.test"
    )
    actions.save_rule(
        None, name="Europe", team=teams[0], conditions=[{"field": "country", "values": COUNTRIES[:7]}]
    )
    actions.save_rule(None, name="Americas enterprise", team=teams[1], conditions=[
        {"field": "country", "values": COUNTRIES[7:12]}, {"field": "company_size", "values": ["1001-5000", "5001+"]}])  # fmt: skip
    actions.save_rule(
        None, name="Americas", team=teams[1], conditions=[{"field": "country", "values": COUNTRIES[7:12]}]
    )
    actions.save_rule(None, name="Rest of world", team=teams[0], conditions=[])
    campaigns = [Campaign.objects.create(name=f"Campaign {i}", channel=Channel.DIGITAL) for i in range(8)]
    n_companies = max(1, leads // 10)
    Company.objects.bulk_create(
        Company(name=f"Company {i}", domain=f"co{i}.example", size=SIZES[i % 6], industry=INDUSTRIES[i % 5],
                country=COUNTRIES[i % 20], owner=ae if i % 50 == 0 else None)
        for i in range(n_companies)
    )  # fmt: skip
    company_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    Contact.objects.bulk_create(
        (Contact(email=f"mql{i}@lead{i}.example", first_name="Lead", last_name=str(i), country=COUNTRIES[(i * 7) % 20],
                 company_id=company_ids[i % n_companies], lifecycle_stage="mql")
         for i in range(leads)),
        batch_size=2000,
    )  # fmt: skip
    ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    Touchpoint.objects.bulk_create(
        (Touchpoint(message_id=f"m{cid}-{k}", type="page" if k == 2 else "form_submit", contact_id=cid,
                    campaign_id=campaigns[(cid + k) % 8].pk if k < 2 else None,
                    occurred_at=NOW - timedelta(days=k + 1), received_at=NOW)
         for cid in ids for k in range(3)),
        batch_size=5000,
    )  # fmt: skip
    return {"ids": ids, "reps": reps}


def baseline(leads: int, contact_ids: list[int], rep_id: int) -> float:
    from django.db import connection, transaction

    rows = [(cid, rep_id, "new", "rule", "baseline", NOW, NOW, NOW, "", "") for cid in contact_ids[:leads]]
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO handoff_leadassignment (contact_id, owner_id, status, method, decided_by, assigned_at,"
            " first_touch_due, verdict_due, reject_reason, reject_note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    elapsed = time.perf_counter() - t
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM handoff_leadassignment")
    return elapsed


def reset() -> None:
    from accord.accounts.models import Notification
    from accord.handoff.models import LeadAssignment, LeadCampaign, RepProfile

    LeadCampaign.objects.all().delete()
    LeadAssignment.objects.all().delete()
    Notification.objects.all().delete()
    RepProfile.objects.update(rr_current=0)


def route_in_batches(ids: list[int], batches: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.handoff.routing import route_contacts

    size = -(-len(ids) // batches)
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    queries, slowest, assigned = [], 0.0, 0
    t = time.perf_counter()
    for chunk in chunks:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = route_contacts(chunk, now=NOW)
        slowest = max(slowest, time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
        assigned += len(result.assigned)
    return {"seconds": time.perf_counter() - t, "batches": len(chunks), "size": size, "assigned": assigned,
            "queries": (min(queries), max(queries)), "slowest": slowest}  # fmt: skip


def check(ids: list[int]) -> tuple[bool, str]:
    from accord.handoff.models import LeadAssignment, RepProfile

    per_contact = Counter(
        LeadAssignment.objects.filter(status__in=LeadAssignment.ACTIVE).values_list("contact_id", flat=True)
    )
    per_rep = Counter(LeadAssignment.objects.values_list("owner__username", flat=True))
    caps = dict(RepProfile.objects.values_list("user__username", "capacity"))
    once = len(per_contact) == len(ids) and max(per_contact.values()) == 1
    within = all(per_rep[u] <= c for u, c in caps.items())
    emea = {u: per_rep[u] for u in sorted(per_rep) if u.startswith("rep0")}
    return (
        once and within,
        f"every MQL assigned exactly once: {once}; capacity held: {within}; EMEA reps (weights 1,2,3,1,2): {emea}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument(
        "--database-url", help="postgres://… (a database is created and dropped); default: temp SQLite"
    )
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument(
        "--batches", type=int, default=60, help="arrival batches within the minute (default 60: one a second)"
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="accord-bench-routing-")
    (Path(tmp) / "static").mkdir()
    pg_admin = None
    name = f"accord_bench_routing_{os.getpid()}"
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
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        t = time.perf_counter()
        data = build(args.leads)
        built = time.perf_counter() - t
        ids = data["ids"]
        base = baseline(args.leads, ids, data["reps"][0].pk)
        batched = route_in_batches(ids, args.batches)
        ok1, report1 = check(ids)
        reset()
        single = route_in_batches(ids, 1)
        ok2, report2 = check(ids)
        info = machine(database_url)
        print(f"\nAccord lead routing benchmark — {info['database']} (load {load()})")
        print(
            f"  machine     {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, Python {info['python']}"
        )
        print(f"  data        {args.leads:,} MQLs, {max(1, args.leads // 10):,} companies (1 in 50 with an account owner), "
              f"{3 * args.leads:,} touchpoints, 2 teams x 5 reps, 4 rules; built in {built:.1f} s")  # fmt: skip
        print(f"  baseline    {base:7.2f} s   raw executemany INSERT of {args.leads:,} assignment rows, one transaction "
              f"({args.leads / base:,.0f} rows/s)")  # fmt: skip
        for label, r in (("batched", batched), ("one call", single)):
            print(f"  {label:<10}  {r['seconds']:7.2f} s   {r['assigned']:,} assigned in {r['batches']} batch(es) of "
                  f"≤{r['size']:,}: {r['assigned'] / r['seconds']:,.0f} leads/s; {r['queries'][0]}–{r['queries'][1]} queries "
                  f"per batch; slowest batch {r['slowest']:.2f} s; {r['seconds'] / base:.1f}x the baseline")  # fmt: skip
        print(f"  check       {report1}")
        print(f"              (one call) {report2}")
        return 0 if ok1 and ok2 else 1
    finally:
        if pg_admin:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            import psycopg

            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
