"""The `accord` console script, end to end, as a person runs it from a shell."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCORD = str(Path(sys.executable).with_name("accord"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ACCORD_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env["ACCORD_DATA_DIR"] = str(tmp_path / "data")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_the_subcommands():
    out = subprocess.run([ACCORD, "--help"], capture_output=True, text=True, check=True).stdout
    for sub in ("demo", "serve", "worker", "seed", "create-api-key", "manage"):
        assert sub in out


def test_create_api_key_prints_a_working_key_once(tmp_path):
    env = _env(tmp_path)
    subprocess.run([ACCORD, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run(
        [ACCORD, "manage", "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"],
        env={**env, "DJANGO_SUPERUSER_PASSWORD": "a long enough password 1"}, check=True, timeout=120,
    )  # fmt: skip
    result = subprocess.run(
        [ACCORD, "create-api-key", "--user", "ops", "--name", "deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert re.fullmatch(r"acc_[0-9a-f]{12}_[A-Za-z0-9_-]{40,}", key)
    check = subprocess.run(
        [ACCORD, "manage", "shell", "-c",
         "from accord.accounts.actions import authenticate_api_key as a; import sys; "
         f"sys.stdout.write(str(a('{key}')))"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.stdout.strip().splitlines()[-1] == "ops", check.stderr
    unknown = subprocess.run(
        [ACCORD, "create-api-key", "--user", "nobody"], env=env, capture_output=True, text=True
    )
    assert unknown.returncode != 0 and "No user named 'nobody'" in unknown.stderr


def test_demo_command_serves_the_seeded_workspace(tmp_path):
    """`accord demo` migrates, seeds an empty database, starts web + worker and prints the logins."""
    env = _env(tmp_path)
    port = _free_port()
    log = tmp_path / "demo.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [ACCORD, "demo", "--port", str(port), "--contacts", "150", "--workers", "1"],
            env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        body = ""
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "password" in body.lower(), log.read_text()
        output = log.read_text()
        assert f"http://127.0.0.1:{port}/" in output
        assert "sam" in output and "accord-demo" in output
        # the printed write key is live: the tracking API accepts an event with it
        key = re.search(r"Tracking write key: (\S+)", output).group(1)  # type: ignore[union-attr]
        event = json.dumps({"type": "track", "event": "Demo check", "anonymousId": "a-1", "messageId": "m-1"})
        auth = base64.b64encode(f"{key}:".encode()).decode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/track", data=event.encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - a fixed http URL
            assert resp.status == 200 and json.loads(resp.read())["success"] is True
        # the worker runs beside the web server
        assert (
            "run_huey"
            in subprocess.run(
                ["ps", "-o", "args=", "--ppid", str(proc.pid)], capture_output=True, text=True
            ).stdout
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_import_command_reports_progress_counts_and_bad_rows(tmp_path):
    env = _env(tmp_path)
    subprocess.run([ACCORD, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    csv_path = tmp_path / "people.csv"
    csv_path.write_text(
        "Email,First name,Last name\nann@acme.example,Ann,Lee\nnot-an-email,Bob,Bad\nCAT@acme.example,Cat,Kim\n"
    )
    result = subprocess.run(
        [ACCORD, "import", str(csv_path), "--type", "contact"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert re.search(r"created:\s+2\b", text) and re.search(r"errors:\s+1\b", text), text
    report = Path(re.search(r"error report: (\S+)", text).group(1))  # type: ignore[union-attr]
    assert "not-an-email" in report.read_text()
    check = subprocess.run(
        [ACCORD, "manage", "shell", "-c",
         "import sys; from accord.contacts.models import Contact; "
         "sys.stdout.write(','.join(sorted(Contact.objects.values_list('email', flat=True))))"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert check.stdout.strip().splitlines()[-1] == "ann@acme.example,cat@acme.example"
    missing = subprocess.run(
        [ACCORD, "import", str(tmp_path / "nope.csv")], env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0
