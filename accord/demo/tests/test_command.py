"""Seeding an empty database: argument checks, the ``seed`` command and progress reporting.

These tests need an empty database, so they live apart from the modules sharing a workspace.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.demo.generator import generate_workspace, workspace_exists
from accord.demo.tests.fixtures import NOW

pytestmark = pytest.mark.django_db


def test_refuses_a_database_with_contacts() -> None:
    create_contact(email="someone@example.test")
    assert not workspace_exists()
    with pytest.raises(ValueError, match="already holds contacts"):
        generate_workspace(contacts=10, now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"contacts": 0}, "at least one"), ({"batch_size": 0}, "batch_size")]
)
def test_rejects_bad_arguments(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_workspace(
            now=NOW, contacts=kwargs.get("contacts", 10), batch_size=kwargs.get("batch_size", 10)
        )


def test_seed_command_reports_progress_summary_and_memory() -> None:
    out = StringIO()
    call_command(
        "seed", "--contacts=40", "--seed=3", "--batch-size=15", f"--now={NOW.isoformat()}", stdout=out
    )
    text = out.getvalue()
    assert "staff: 15/15" in text and "campaigns: 30/30" in text
    assert "contacts: 40/40 (100%)" in text
    assert text.count("contacts: ") >= 3  # a progress line per batch
    assert "  contacts: 40\n" in text and "  touchpoints: " in text and "  rows: " in text
    assert "peak RSS: " in text and " MiB" in text
    assert Contact.objects.count() == 40
    assert Contact.objects.filter(created_at__gt=NOW).count() == 0


def test_seed_command_wants_an_aware_now() -> None:
    with pytest.raises(CommandError, match="UTC offset"):
        call_command(
            "seed", "--contacts=5", "--now=2026-03-16T09:30:00", stdout=StringIO(), stderr=StringIO()
        )


def test_progress_callback_sees_every_batch() -> None:
    seen: list[tuple[str, int, int]] = []
    summary = generate_workspace(
        contacts=50, seed=5, batch_size=10, now=NOW, progress=lambda *a: seen.append(a)
    )
    batches = [done for phase, done, total in seen if phase == "contacts"]
    assert batches == sorted(batches) and batches[-1] == 50 == summary.contacts
    assert len(batches) >= 4
