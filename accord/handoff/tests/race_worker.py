"""Run by test_concurrency.py in a separate process: wait for the start signal, then route MQLs.

    python race_worker.py <start-file> <contact ids, comma-separated>

Prints the route result as JSON. Uses DATABASE_URL (the test database) and accord.test_settings.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.test_settings")

import django

django.setup()

from accord.handoff.routing import route_contacts  # noqa: E402

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def main() -> None:
    start_file, ids = sys.argv[1], [int(i) for i in sys.argv[2].split(",")]
    deadline = time.monotonic() + 30
    while not os.path.exists(start_file) and time.monotonic() < deadline:
        time.sleep(0.005)
    result = route_contacts(ids, now=NOW)
    sys.stdout.write(json.dumps({"assigned": len(result.assigned), "already_open": len(result.already_open),
                      "unrouted": len(result.unrouted)}) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
