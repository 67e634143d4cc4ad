"""Merging contacts moves their clicks, registrations and affiliate conversions (the merge hook)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accord.campaigns import actions
from accord.campaigns.models import AffiliateConversion, EventRegistration, LinkClick
from accord.contacts.actions import create_contact, merge_contacts

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def test_merge_moves_campaign_records_to_the_primary(client, campaign, event_campaign, affiliate_campaign):
    keep = create_contact(email="ada@example.test")
    dup = create_contact(email="ada.lovelace@example.test")
    link = actions.create_tracking_link(campaign, destination="https://accord.test/")
    client.get(f"/l/{link.code}", {"c": actions.contact_token(dup.pk)})
    both = actions.add_session(event_campaign, name="Keynote", starts_at=STARTS)
    only_dup = actions.add_session(event_campaign, name="Workshop", starts_at=STARTS)
    kept_reg = actions.register(both, contact_id=keep.pk, at=STARTS - timedelta(days=1))
    dup_reg = actions.register(both, contact_id=dup.pk, at=STARTS - timedelta(days=3))
    actions.check_in(dup_reg, at=STARTS)
    actions.register(only_dup, contact_id=dup.pk)
    partner = actions.create_affiliate(name="Ledger & Co")
    actions.create_affiliate_link(affiliate_campaign, partner, destination="https://accord.test/")
    actions.record_affiliate_conversion(partner, affiliate_campaign, deal_amount="10", contact_id=dup.pk)

    merge_contacts(keep, dup)

    assert LinkClick.objects.get().contact_id == keep.pk
    assert AffiliateConversion.objects.get().contact_id == keep.pk
    regs = {r.session_id: r for r in EventRegistration.objects.all()}
    assert set(regs) == {both.pk, only_dup.pk} and all(r.contact_id == keep.pk for r in regs.values())
    merged = regs[both.pk]
    assert merged.pk == kept_reg.pk
    assert (merged.attended, merged.checked_in_at) == (True, STARTS)
    assert merged.registered_at == STARTS - timedelta(days=3)
