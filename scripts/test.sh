#!/usr/bin/env bash
# The whole test suite: lint, types, import contracts, migrations check, then pytest on SQLite
# and on PostgreSQL, with the browser tests driven in Debian's Chromium.
#
# Outside CI a missing PostgreSQL or Chromium skips that leg with a one-line reason.
# In CI (CI=true) both are required: Chromium is installed with apt if missing, and an
# unreachable PostgreSQL fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
BIN="$VENV/bin"
IN_CI=false
case "${CI:-}" in 1|true|TRUE|yes) IN_CI=true ;; esac
PG_URL="${ACCORD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
failures=()
started=$(date +%s)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {  # run NAME CMD... ; record a failure but go on, so one run shows every problem
  local name=$1; shift
  step "$name"
  "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then failures+=("$name (exit $rc)"); fi
  return 0
}
pytest_leg() {  # pytest_leg NAME [env assignments...] ; exit 5 (no tests collected) is a failure here
  local name=$1; shift
  step "$name"
  env "$@" "$BIN/python" -m pytest -p no:cacheprovider -q ${PYTEST_ARGS:-}
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests for $name: treating as a failure"
    failures+=("$name (no tests collected)")
  elif [ "$rc" -ne 0 ]; then
    failures+=("$name (exit $rc)")
  fi
}

# --- Chromium for the browser tests
if ! command -v chromium >/dev/null 2>&1; then
  if $IN_CI; then
    step "Installing Debian's chromium for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null \
      || { echo "could not install chromium"; exit 1; }
  else
    echo "skip: browser tests (chromium not installed; apt-get install -y chromium)"
  fi
fi

# --- static checks
run "ruff check" "$BIN/ruff" check .
run "ruff format --check" "$BIN/ruff" format --check .
run "mypy" "$BIN/mypy"
run "import contracts (import-linter)" "$BIN/lint-imports"
run "migrations are up to date" env ACCORD_DATA_DIR="$(mktemp -d)" "$BIN/python" -m django makemigrations --check --dry-run --settings=accord.test_settings

# --- SQLite leg: a file database (WAL, busy timeout) as in production, not the shared-cache
# in-memory one, whose table locks do not wait and make live-server browser tests flaky
sqlite_dir="$(mktemp -d)"
pytest_leg "pytest on SQLite" ACCORD_DATA_DIR="$sqlite_dir" ACCORD_TEST_SQLITE_NAME="$sqlite_dir/test.sqlite3"

# --- PostgreSQL leg
pg_ok=$("$BIN/python" - "$PG_URL" <<'PY'
import sys
try:
    import psycopg
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
    print("yes")
except Exception as exc:  # noqa: BLE001
    print(f"no: {exc}".splitlines()[0])
PY
)
if [ "$pg_ok" = "yes" ]; then
  # a fresh test database per run; pytest-django creates and drops it
  pytest_leg "pytest on PostgreSQL" DATABASE_URL="$PG_URL" ACCORD_TEST_DB_NAME="accord_test_$$_$(date +%s)" ACCORD_DATA_DIR="$(mktemp -d)"
elif $IN_CI; then
  echo "PostgreSQL is required in CI and is not reachable at $PG_URL ($pg_ok)"
  failures+=("PostgreSQL unreachable")
else
  echo "skip: PostgreSQL leg ($pg_ok)"
fi

elapsed=$(( $(date +%s) - started ))
step "Summary (${elapsed}s)"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "All checks passed."
