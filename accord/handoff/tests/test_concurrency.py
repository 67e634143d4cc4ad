"""Two processes route MQLs at the same moment against the same PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from accord.handoff import actions
from accord.handoff.models import LeadAssignment

WORKER = Path(__file__).with_name("race_worker.py")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_processes_never_exceed_capacity_nor_assign_a_lead_twice(rules, staff, make_mql, tmp_path):
    actions.save_rep_profile(staff["sofia"], weight=3, capacity=6)
    actions.save_rep_profile(staff["noah"], weight=1, capacity=4)
    ids = [make_mql("FR").pk for _ in range(30)]
    start = tmp_path / "go"
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "accord.test_settings"}
    # overlapping batches: contacts 10–19 are offered to both workers
    batches = [ids[:20], ids[10:]]
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(start), ",".join(map(str, batch))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for batch in batches
    ]
    time.sleep(2)  # both processes have set Django up and are waiting for the signal
    start.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]

    leads = list(LeadAssignment.objects.values_list("contact_id", "owner__username"))
    per_contact = Counter(c for c, _ in leads)
    per_rep = Counter(o for _, o in leads)
    assert max(per_contact.values()) == 1  # no lead assigned twice
    assert per_rep["sofia"] <= 6 and per_rep["noah"] <= 4  # capacity never exceeded
    assert len(leads) == 10 == sum(r["assigned"] for r in results)  # every seat filled
