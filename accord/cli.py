"""The ``accord`` command: run the demo, the web server, the worker, seed data, manage keys.

accord demo [--port 8000]            migrate, seed the demo workspace if empty, run web + worker
accord serve [--port 8000]           the web server (gunicorn)
accord worker                        the background task worker (Huey consumer)
accord seed --contacts N --seed S    generate a workspace of N contacts
accord create-api-key --user NAME    print a new API key once
accord manage <django command> ...   any Django management command
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

SETTINGS = "accord.settings"
# The demo workspace's website write key: public by design, like the demo password.
DEMO_WRITE_KEY = "wk_demo_website_0000000000"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def _manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *argv])
    return 0


def _gunicorn_cmd(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "accord.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--access-logfile", "-", "--graceful-timeout", "10",
    ]  # fmt: skip


def _worker_cmd() -> list[str]:
    return [
        sys.executable,
        "-m",
        "django",
        "run_huey",
        "--settings",
        os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS),
    ]


def _run_together(commands: list[list[str]]) -> int:
    """Run the processes side by side; stop all of them when one exits or on Ctrl-C."""
    procs = [subprocess.Popen(cmd) for cmd in commands]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while not stopping:
            for p in procs:
                if p.poll() is not None:
                    code = p.returncode or 0
                    stopping = True
            time.sleep(0.3)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ACCORD_BASE_URL", f"http://{args.host}:{args.port}")  # links in emails
    _django()
    from django.conf import settings
    from django.core.management import call_command

    from accord.demo.generator import DEMO_PASSWORD, DEMO_USERS, workspace_exists

    call_command("migrate", interactive=False, verbosity=0)
    if not workspace_exists():
        print(f"Creating the demo workspace ({args.contacts:,} contacts)…", flush=True)
        call_command("seed", contacts=args.contacts, seed=args.seed)
    _ensure_demo_write_key()
    url = f"http://{args.host}:{args.port}/"
    print("\n" + "=" * 64)
    print(f"  Accord is running at {url}")
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    shown: set[str] = set()
    for u in DEMO_USERS:
        if u.role not in shown:
            shown.add(u.role)
            print(f"    {u.username:<8} {u.role}")
    print(f"  Tracking write key: {DEMO_WRITE_KEY}")
    print(
        f'  Website snippet: <script async src="{url}t/accord.js" data-write-key="{DEMO_WRITE_KEY}"></script>'
    )
    if "filebased" in settings.EMAIL_BACKEND:
        print(f"  Emails (notifications, double opt-in…) are written to {settings.EMAIL_FILE_PATH}/")
    print("  Press Ctrl-C to stop.")
    print("=" * 64 + "\n", flush=True)
    return _run_together([_gunicorn_cmd(args.host, args.port, args.workers), _worker_cmd()])


def _ensure_demo_write_key() -> None:
    from accord.tracking.actions import authenticate_write_key, create_write_key

    if authenticate_write_key(DEMO_WRITE_KEY) is None:
        create_write_key("Demo website", secret=DEMO_WRITE_KEY)


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    return subprocess.call(_gunicorn_cmd(args.host, args.port, args.workers))


def cmd_worker(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    return _manage(["run_huey"])


def cmd_seed(args: argparse.Namespace) -> int:
    argv = [
        "seed",
        "--contacts",
        str(args.contacts),
        "--seed",
        str(args.seed),
        "--batch-size",
        str(args.batch_size),
    ]
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return _manage(argv)


def cmd_create_api_key(args: argparse.Namespace) -> int:
    return _manage(["create_api_key", "--user", args.user, "--name", args.name])


def cmd_import(args: argparse.Namespace) -> int:
    argv = [
        "import_csv",
        *([args.path] if args.path else []),
        "--type",
        args.type,
        "--on-duplicate",
        args.on_duplicate,
    ]
    for flag in ("mapping", "user", "batch_size"):
        value = getattr(args, flag)
        if value is not None:
            argv += [f"--{flag.replace('_', '-')}", str(value)]
    if args.resume is not None:
        argv += ["--resume", str(args.resume)]
    return _manage(argv)


def cmd_create_write_key(args: argparse.Namespace) -> int:
    return _manage(["create_write_key", "--name", args.name, *(["--may-merge"] if args.may_merge else [])])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord", description="Accord: one revenue funnel for marketing and sales."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def server_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=2, help="web worker processes")

    demo = sub.add_parser("demo", help="migrate, seed the demo workspace if empty, run web server and worker")
    server_opts(demo)
    demo.add_argument("--contacts", type=int, default=5000, help="contacts in the demo workspace")
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the web server (gunicorn)")
    server_opts(serve)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("worker", help="run the background worker (Huey consumer)").set_defaults(func=cmd_worker)

    seed = sub.add_parser("seed", help="generate a workspace (deterministic for a seed)")
    seed.add_argument("--contacts", type=int, default=5000)
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--batch-size", type=int, default=5000)
    seed.set_defaults(func=cmd_seed)

    key = sub.add_parser("create-api-key", help="create an API key for a user and print it once")
    key.add_argument("--user", required=True, help="username")
    key.add_argument("--name", default="cli", help="a label for the key")
    key.set_defaults(func=cmd_create_api_key)

    imp = sub.add_parser("import", help="import contacts or companies from a CSV file, with a progress bar")
    imp.add_argument("path", nargs="?", help="the CSV file (omit with --resume)")
    imp.add_argument("--type", choices=["contact", "company"], default="contact")
    imp.add_argument("--mapping", default=None, help="'auto' (default) or a JSON object column → field")
    imp.add_argument("--on-duplicate", choices=["update", "skip"], default="update")
    imp.add_argument("--user", default=None, help="username the import runs as")
    imp.add_argument("--batch-size", type=int, default=None)
    imp.add_argument("--resume", type=int, default=None, help="resume the import job with this id")
    imp.set_defaults(func=cmd_import)

    wkey = sub.add_parser("create-write-key", help="create a tracking write key and print it once")
    wkey.add_argument("--name", required=True, help="a label, e.g. the website it is for")
    wkey.add_argument(
        "--may-merge", action="store_true", help="server-side key: identify/alias may merge two contacts"
    )
    wkey.set_defaults(func=cmd_create_write_key)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=lambda a: _manage(a.rest))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
