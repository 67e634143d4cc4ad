"""The campaigns app's merge hook: a merged-away contact's clicks, registrations and conversions
move to the contact it was merged into (registered in ``apps.py`` with :mod:`accord.core.merge`)."""

from __future__ import annotations

from accord.campaigns.models import AffiliateConversion, EventRegistration, LinkClick


def move_contact_records(primary_id: int, duplicate_id: int) -> None:
    """Runs inside the merge's transaction. Where both contacts registered for the same session,
    the primary's registration stays (attended if either attended, at the earlier check-in) and
    the duplicate's goes."""
    LinkClick.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
    AffiliateConversion.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
    duplicate_regs = EventRegistration.objects.filter(contact_id=duplicate_id)
    kept = {
        reg.session_id: reg
        for reg in EventRegistration.objects.select_for_update().filter(
            contact_id=primary_id, session_id__in=duplicate_regs.values("session_id")
        )
    }
    for dup in duplicate_regs.filter(session_id__in=list(kept)):
        keep = kept[dup.session_id]
        check_ins = [r.checked_in_at for r in (keep, dup) if r.checked_in_at is not None]
        keep.attended = bool(check_ins)
        keep.checked_in_at = min(check_ins) if check_ins else None
        keep.registered_at = min(keep.registered_at, dup.registered_at)
        keep.save(update_fields=["attended", "checked_in_at", "registered_at"])
        dup.delete()
    EventRegistration.objects.filter(contact_id=duplicate_id).update(contact_id=primary_id)
