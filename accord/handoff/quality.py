"""Lead quality of a campaign: what sales made of the MQLs it produced.

A lead counts for every campaign its contact touched (``LeadCampaign``, written when the lead is
routed and again at its verdict and conversion). Won revenue counts deals that are won and whose
contact was such a lead, or whose ``source_campaign`` is the campaign. A handful of aggregate
queries, whatever the campaign's size.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from accord.handoff.models import LeadAssignment, RejectReason
from accord.sales.models import Deal

NOTES_SHOWN = 50


def campaign_lead_quality(campaign_id: int) -> dict[str, Any]:
    leads = LeadAssignment.objects.filter(campaign_links__campaign_id=campaign_id)
    contacts = leads.values("contact_id")
    totals = leads.aggregate(
        routed=Count("contact_id", distinct=True),
        accepted=Count(
            "contact_id",
            distinct=True,
            filter=Q(status__in=[LeadAssignment.Status.ACCEPTED, LeadAssignment.Status.CONVERTED]),
        ),
        rejected=Count("contact_id", distinct=True, filter=Q(status=LeadAssignment.Status.REJECTED)),
        sqls=Count("contact_id", distinct=True, filter=Q(status=LeadAssignment.Status.CONVERTED)),
    )
    by_reason = dict(
        leads.filter(status=LeadAssignment.Status.REJECTED)
        .values("reject_reason")
        .annotate(n=Count("pk"))
        .values_list("reject_reason", "n")
    )
    notes = list(
        leads.filter(status=LeadAssignment.Status.REJECTED)
        .select_related("contact", "verdict_by")
        .order_by("-verdict_at", "-pk")[:NOTES_SHOWN]
    )
    reasons = [
        {
            "code": code,
            "label": label,
            "count": by_reason[code],
            "notes": [
                {
                    "lead_id": n.pk,
                    "contact": str(n.contact),
                    "note": n.reject_note,
                    "by": str(n.verdict_by) if n.verdict_by else "",
                    "at": n.verdict_at,
                }
                for n in notes
                if n.reject_reason == code
            ],
        }
        for code, label in RejectReason.choices
        if by_reason.get(code)
    ]
    won = Deal.objects.filter(status=Deal.Status.WON).filter(
        Q(source_campaign_id=campaign_id) | Q(contact_id__in=contacts)
    )
    won_totals = won.aggregate(n=Count("pk"), revenue=Sum("amount"))
    return {
        "campaign_id": campaign_id,
        "mqls_routed": totals["routed"],
        "accepted": totals["accepted"],
        "rejected": totals["rejected"],
        "sqls": totals["sqls"],
        "acceptance_rate": round(100 * totals["accepted"] / (totals["accepted"] + totals["rejected"]))
        if totals["accepted"] + totals["rejected"]
        else None,
        "rejected_by_reason": reasons,
        "won_deals": won_totals["n"],
        "won_revenue": won_totals["revenue"] or Decimal("0"),
    }
