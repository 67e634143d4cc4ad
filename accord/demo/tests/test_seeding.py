"""After seeding: normal writes get fresh ids, and a second seed is refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company, Contact
from accord.demo.generator import WorkspaceSummary, generate_workspace, workspace_exists
from accord.demo.tests.fixtures import NOW
from accord.lifecycle.models import StageChange
from accord.sales.actions import create_deal, log_activity
from accord.sales.models import Activity, Deal, Pipeline
from accord.tracking.actions import record_touchpoint
from accord.tracking.models import Touchpoint

pytestmark = pytest.mark.django_db


def test_normal_writes_get_fresh_ids_after_seeding(workspace: WorkspaceSummary) -> None:
    highest = {
        m: m.objects.order_by("-pk").values_list("pk", flat=True)[0]
        for m in (Company, Contact, Deal, Activity, Touchpoint, StageChange)
    }
    company = create_company(name="Fresh Co", domain="fresh.example")
    contact = create_contact(email="New.Person@Fresh.example", company=company)
    deal = create_deal(
        name="Fresh deal", pipeline=Pipeline.objects.get(is_default=True), amount=100, contact=contact
    )
    activity = log_activity(kind="note", subject="Hello", contact=contact)
    touch = record_touchpoint(type="page", occurred_at=NOW, contact_id=contact.pk)
    change = StageChange.objects.filter(contact=contact).get()
    for obj in (company, contact, deal, activity, touch, change):
        assert obj.pk > highest[type(obj)]
    assert contact.email == "new.person@fresh.example"


def test_refuses_when_a_workspace_exists(workspace: WorkspaceSummary) -> None:
    assert workspace_exists()
    with pytest.raises(ValueError, match="already exists"):
        generate_workspace(contacts=10, now=NOW)
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed", contacts=10, stdout=StringIO())
