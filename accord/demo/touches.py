"""Touchpoints in the shape the tracking ingest stores them (Segment spec: page, track, …)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accord.demo.catalog import REFERRERS, SITE
from accord.demo.marketing import CampaignInfo
from accord.demo.rows import TouchpointRow
from accord.demo.tables import Tables
from accord.tracking.models import EventType

_REFERRER_BY_SOURCE = {
    "google": REFERRERS["organic"],
    "capterra": "https://www.capterra.com/",
    "g2": REFERRERS["g2"],
    "linkedin": REFERRERS["linkedin"],
    "youtube": "https://www.youtube.com/",
    "partner": REFERRERS["partner"],
    "referral": REFERRERS["partner"],
    "press": REFERRERS["news"],
    "analyst": "https://www.forrester.com/",
}


@dataclass(frozen=True)
class Visitor:
    """What every touchpoint of one contact shares: who, and from which browser."""

    contact_id: int
    anonymous_id: str
    user_agent: str
    ip: str
    locale: str


class Touches:
    """Appends touchpoint rows for a contact; every method returns the time it used."""

    def __init__(self, rng: random.Random, tables: Tables, now: datetime) -> None:
        self.rng = rng
        self.tables = tables
        self.now = now
        self.count = 0

    def _add(
        self,
        v: Visitor,
        at: datetime,
        kind: str,
        name: str,
        campaign: CampaignInfo | None,
        properties: dict[str, Any],
        context: dict[str, Any],
    ) -> datetime:
        rng = self.rng
        context["userAgent"] = v.user_agent
        context["ip"] = v.ip
        context["locale"] = v.locale
        if campaign is not None:
            context["campaign"] = campaign.context()
        received = min(self.now, at + timedelta(milliseconds=rng.randint(30, 2500)))
        self.tables.touchpoints.add(
            TouchpointRow(
                id=next(self.tables.touchpoint_ids),
                message_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                type=kind,
                name=name,
                contact_id=v.contact_id,
                anonymous_id=v.anonymous_id,
                campaign_id=campaign.id if campaign else None,
                properties=properties,
                context=context,
                occurred_at=at,
                received_at=received,
            )
        )
        self.count += 1
        return at

    def page(
        self,
        v: Visitor,
        at: datetime,
        path: str,
        title: str,
        campaign: CampaignInfo | None,
        referrer: str = "",
    ) -> datetime:
        url = f"{SITE}{path}"
        if campaign is not None:
            url = f"{url}?{campaign.utm_query}"
            referrer = referrer or _REFERRER_BY_SOURCE.get(campaign.utm_source, "")
        page = {"path": path, "url": url, "referrer": referrer, "title": f"{title} | Brightloop"}
        return self._add(v, at, EventType.PAGE, title, campaign, dict(page), {"page": page})

    def form(self, v: Visitor, at: datetime, form: str, campaign: CampaignInfo | None, path: str) -> datetime:
        props = {"form": form, "path": path}
        page = {"path": path, "url": f"{SITE}{path}", "referrer": "", "title": f"{form} | Brightloop"}
        return self._add(v, at, EventType.FORM_SUBMIT, form, campaign, props, {"page": page})

    def ad_click(self, v: Visitor, at: datetime, campaign: CampaignInfo, landing: str) -> datetime:
        props = {
            "ad_group": f"{campaign.utm_campaign}-{self.rng.randint(1, 4)}",
            "keyword": self.rng.choice(
                ("workflow automation", "ap automation", "approval software", "brightloop")
            ),
            "landing_page": f"{SITE}{landing}?{campaign.utm_query}",
        }
        return self._add(v, at, EventType.AD_CLICK, campaign.name, campaign, props, {})

    def email(
        self, v: Visitor, at: datetime, subject: str, campaign: CampaignInfo | None, *, click: str = ""
    ) -> datetime:
        """An open, and when ``click`` is a path, a click on a link to it a little later."""
        self._add(v, at, EventType.EMAIL_OPEN, subject, campaign, {"subject": subject}, {})
        if not click:
            return at
        at = min(self.now, at + timedelta(seconds=self.rng.randint(5, 600)))
        url = f"{SITE}{click}" + (f"?{campaign.utm_query}" if campaign else "")
        return self._add(
            v, at, EventType.EMAIL_CLICK, subject, campaign, {"subject": subject, "url": url}, {}
        )

    def event(self, v: Visitor, at: datetime, campaign: CampaignInfo) -> datetime:
        props = {
            "event": campaign.name,
            "attendance": self.rng.choice(("in_person", "virtual", "booth_scan")),
        }
        return self._add(v, at, EventType.EVENT_ATTENDED, campaign.name, campaign, props, {})

    def download(self, v: Visitor, at: datetime, asset: str, campaign: CampaignInfo | None) -> datetime:
        path = "/resources/" + "-".join(asset.lower().replace(":", "").split())
        page = {"path": path, "url": f"{SITE}{path}", "referrer": "", "title": f"{asset} | Brightloop"}
        return self._add(v, at, EventType.CONTENT_DOWNLOAD, asset, campaign, {"asset": asset}, {"page": page})
