"""The lead page shows the contact's assignment history only as far as the user may see leads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from accord.handoff import actions
from accord.handoff.models import LeadAssignment
from accord.handoff.routing import route_contacts
from accord.handoff.tests.conftest import NOW
from accord.lifecycle.actions import change_stage

pytestmark = pytest.mark.django_db


def test_lead_page_shows_only_assignments_the_user_may_see(
    client: Any, staff: dict[str, Any], rules: Any, make_mql: Any
) -> None:
    actions.save_rep_profile(staff["noah"], weight=1, capacity=0)
    contact = make_mql("FR")
    route_contacts([contact.pk], now=NOW)
    first = LeadAssignment.objects.get(contact=contact)
    assert first.owner == staff["sofia"]
    actions.reject_lead(first, by=staff["sofia"], reason="bad_timing", now=NOW)
    contact.refresh_from_db()
    contact.country = "US"
    contact.save()
    change_stage(contact, "mql", by=staff["mark"], reason="Back in market")
    route_contacts([contact.pk], now=datetime(2026, 3, 11, 15, 0, tzinfo=UTC))
    second = LeadAssignment.objects.exclude(pk=first.pk).get(contact=contact)
    assert second.owner == staff["sam"]

    client.force_login(staff["sam"])  # Americas: his own lead, not EMEA's earlier one
    history = client.get(f"/leads/{second.pk}/").content.decode().split("Assignment history")[1]
    assert "Sales Americas" in history and "Sales EMEA" not in history
    client.force_login(staff["mark"])  # marketing sees every verdict
    history = client.get(f"/leads/{second.pk}/").content.decode().split("Assignment history")[1]
    assert "Sales Americas" in history and "Sales EMEA" in history
