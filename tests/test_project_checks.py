"""Project-level checks that run as tests: deploy settings and the import contracts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = _env(
        ACCORD_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crm.example.com",
        ACCORD_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="accord.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = _env(
        ACCORD_ENV="production", ACCORD_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="accord.settings"
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_import_contracts_hold():
    """Apps import only downwards (see [tool.importlinter] in pyproject.toml), so no app's core can be
    caught in a circular import."""
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_app_module_imports_on_its_own():
    """Each app's models and actions import in a fresh interpreter after django.setup()."""
    apps = ["accounts", "lifecycle", "contacts", "campaigns", "tracking", "sales"]
    code = "import django; django.setup()\n" + "\n".join(
        f"import accord.{app}.models, accord.{app}.actions" for app in apps
    )
    env = _env(DJANGO_SETTINGS_MODULE="accord.test_settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
