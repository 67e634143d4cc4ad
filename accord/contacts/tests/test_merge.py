"""merge_contacts: one transaction that moves everything, keeps the audit record, and is idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.accounts.models import Role
from accord.contacts.actions import create_company, create_contact, merge_contacts, set_contact_stage
from accord.contacts.models import Contact, ContactIdentity, ContactMergeRecord, PropertyDefinition
from accord.core import merge
from accord.core.errors import Conflict, Invalid, NotFound
from accord.lifecycle.models import StageChange
from accord.sales.actions import create_deal, log_activity
from accord.sales.models import Activity, Deal
from accord.sales.pipeline_actions import create_pipeline
from accord.tracking.actions import record_touchpoint
from accord.tracking.models import Touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(users):
    PropertyDefinition.objects.create(object_type="contact", key="plan", label="Plan")
    PropertyDefinition.objects.create(object_type="contact", key="seats", label="Seats", type="number")
    primary = create_contact(email="ann@acme.com", first_name="Ann", properties={"plan": "pro"})
    duplicate = create_contact(
        email="ann.lee@acme.com",
        first_name="Annie",
        last_name="Lee",
        phone="+44 20 1234",
        company=create_company(name="Acme", domain="acme.com"),
        owner=users[Role.SDR],
        properties={"plan": "free", "seats": 5},
    )
    Contact.objects.filter(pk=duplicate.pk).update(created_at=timezone.now() - timedelta(days=30))
    duplicate.refresh_from_db()
    return primary, duplicate


def _give_it_everything(contact):
    now = timezone.now()
    record_touchpoint(type="page", occurred_at=now, contact_id=contact.pk, name="Pricing")
    record_touchpoint(type="track", occurred_at=now, contact_id=contact.pk, name="Signed Up")
    deal = create_deal(name="Acme deal", pipeline=create_pipeline("Sales"), contact=contact)
    log_activity(kind="call", subject="Intro call", contact=contact, deal=deal)
    ContactIdentity.objects.create(contact=contact, kind="anonymous_id", value=f"anon-{contact.pk}")
    set_contact_stage(contact, "lead")


def test_merge_moves_everything_and_leaves_an_audit_record(pair, users):
    primary, duplicate = pair
    _give_it_everything(duplicate)
    dup_id, dup_created = duplicate.pk, duplicate.created_at

    record = merge_contacts(primary, duplicate, by=users[Role.ADMIN], rule="manual")

    assert not Contact.objects.filter(pk=dup_id).exists()
    assert Touchpoint.objects.filter(contact=primary).count() == 2
    assert Deal.objects.get().contact == primary
    assert Activity.objects.get().contact == primary
    # both initial rows, the duplicate's move to lead, and the primary's move to lead by the merge
    assert StageChange.objects.filter(contact=primary).count() == 4
    assert StageChange.objects.filter(contact=primary, rule="merge:manual", to_stage="lead").exists()
    identities = set(primary.identities.values_list("kind", "value"))
    assert identities == {("anonymous_id", f"anon-{dup_id}"), ("email", "ann.lee@acme.com")}

    primary.refresh_from_db()
    assert primary.email == "ann@acme.com"
    assert (primary.first_name, primary.last_name, primary.phone) == ("Ann", "Lee", "+44 20 1234")
    assert primary.company.domain == "acme.com"
    assert primary.owner == users[Role.SDR]
    assert primary.properties == {"plan": "pro", "seats": 5}
    assert primary.created_at == dup_created
    assert primary.lifecycle_stage == "lead"

    assert record.primary == primary
    assert (record.duplicate_id, record.duplicate_email) == (dup_id, "ann.lee@acme.com")
    assert (record.merged_by, record.rule) == (users[Role.ADMIN], "manual")
    assert record.snapshot["first_name"] == "Annie"
    assert record.snapshot["properties"] == {"plan": "free", "seats": 5}
    assert record.snapshot["identities"] == [f"anonymous_id:anon-{dup_id}"]


def test_merging_again_returns_the_same_record(pair):
    primary, duplicate = pair
    first = merge_contacts(primary, duplicate)
    again = merge_contacts(primary.pk, duplicate.pk)
    assert again.pk == first.pk
    assert ContactMergeRecord.objects.count() == 1


def test_merged_duplicate_cannot_be_merged_into_another(pair):
    primary, duplicate = pair
    other = create_contact(email="third@acme.com")
    merge_contacts(primary, duplicate)
    with pytest.raises(Conflict):
        merge_contacts(other, duplicate.pk)


def test_refuses_to_merge_a_contact_into_itself(pair):
    primary, _ = pair
    with pytest.raises(Invalid, match="into itself"):
        merge_contacts(primary, primary.pk)


def test_unknown_contacts_are_not_found(pair):
    primary, _ = pair
    with pytest.raises(NotFound):
        merge_contacts(primary, 999_999)
    with pytest.raises(NotFound):
        merge_contacts(999_999, primary)


def test_the_primary_keeps_its_further_stage(pair):
    primary, duplicate = pair
    set_contact_stage(primary, "mql")
    merge_contacts(primary, duplicate)
    primary.refresh_from_db()
    assert primary.lifecycle_stage == "mql"


def test_merge_records_follow_a_chain_of_merges(pair):
    primary, duplicate = pair
    third = create_contact(email="third@acme.com")
    merge_contacts(duplicate, third)
    merge_contacts(primary, duplicate)
    assert set(ContactMergeRecord.objects.values_list("primary_id", flat=True)) == {primary.pk}


def test_a_missing_merge_hook_refuses_the_merge_and_rolls_back(pair, monkeypatch):
    primary, duplicate = pair
    _give_it_everything(duplicate)
    monkeypatch.setattr(merge, "_hooks", {k: v for k, v in merge._hooks.items() if k != "tracking"})
    with pytest.raises(Conflict, match="tracking.Touchpoint"):
        merge_contacts(primary, duplicate)
    assert Contact.objects.filter(pk=duplicate.pk).exists()
    assert Deal.objects.get().contact_id == duplicate.pk  # the sales hook's move was rolled back
    assert not ContactMergeRecord.objects.exists()


def test_merged_signal_is_sent_after_commit(pair, django_capture_on_commit_callbacks):
    from accord.contacts.actions import contacts_merged

    primary, duplicate = pair
    seen = []
    contacts_merged.connect(lambda sender, **kw: seen.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            merge_contacts(primary, duplicate)
        assert seen == []
        for callback in callbacks:
            callback()
    finally:
        contacts_merged.disconnect(dispatch_uid="t")
    assert seen[0]["primary_id"] == primary.pk
    assert seen[0]["duplicate_id"] == duplicate.pk
