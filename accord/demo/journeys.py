"""One contact's way through the funnel: its stage history and the touchpoints that caused it.

Every step is a draw against a conversion rate and a waiting time; a step that would land in
the future has not happened yet, so recent contacts sit early in the funnel, as in a real CRM.
Touchpoints are laid down *before* the stage change they cause (a form submit a few seconds
before ``lead``, a pricing-page view before ``mql``), and stage timestamps strictly increase.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accord.campaigns.models import Channel
from accord.demo import catalog
from accord.demo.draws import Deck, Weighted
from accord.demo.marketing import CampaignBook, CampaignInfo
from accord.demo.rows import StageChangeRow
from accord.demo.staff import Staff
from accord.demo.tables import Tables
from accord.demo.touches import Touches, Visitor
from accord.lifecycle.stages import LifecycleStage as S

# Share of contacts at one stage that move to the next (before the present cuts journeys short).
TO_LEAD = 0.6
TO_MQL = 0.5
ACCEPTED = 0.74
RE_ENGAGED = 0.25  # recycled leads that come back as MQLs
TO_SQL = 0.65
SAL_STALLS = 0.35  # of the SALs that do not become SQLs, these are recycled
TO_OPPORTUNITY = 0.75
LOST_DEAL_RECYCLED = 0.5
TO_EVANGELIST = 0.25

SCENARIOS = Weighted.of(
    {"content": 25, "newsletter": 20, "paid": 25, "event": 10, "outbound": 12, "product": 8}
)
MIX_REFERRAL: Weighted[str | None] = Weighted.of(
    {Channel.INBOUND: 4, Channel.SOCIAL: 3, Channel.PR: 1, None: 2}
)
MIX_NEWSLETTER: Weighted[str | None] = Weighted.of(
    {Channel.INBOUND: 5, Channel.AFFILIATE: 2, Channel.PR: 1, None: 3}
)
MIX_PAID: Weighted[str | None] = Weighted.of({Channel.DIGITAL: 6, Channel.SOCIAL: 4})
MIX_PRODUCT: Weighted[str | None] = Weighted.of({Channel.PRODUCT: 6, Channel.INBOUND: 2, None: 2})
MIX_LEAD_FORM: Weighted[str | None] = Weighted.of(
    {Channel.INBOUND: 4, Channel.CONTENT: 2, Channel.EMAIL: 2, Channel.EVENT: 1, None: 1}
)
MIX_INTENT: Weighted[str | None] = Weighted.of(
    {Channel.DIGITAL: 3, Channel.INBOUND: 3, Channel.PRODUCT: 1, Channel.AFFILIATE: 1, None: 3}
)


@dataclass
class DealPlan:
    created_at: datetime
    outcome: str  # "won", "lost" or "open"
    closed_at: datetime | None = None
    open_position: int = 0  # pipeline stage position while open
    lost_reason: str = ""


@dataclass
class Journey:
    """One contact's path as planned: its stage changes (already queued for writing), who owns
    it, which campaign brought it in, and the deal if it got that far."""

    contact_id: int
    visitor: Visitor
    region: str
    company_name: str
    created_at: datetime  # when the contact was identified: its first stage change
    last_at: datetime  # its latest stage change
    stage: str = ""
    owner_id: int | None = None
    sdr_id: int | None = None
    ae_id: int | None = None
    source_campaign: CampaignInfo | None = None
    changes: list[StageChangeRow] = field(default_factory=list)
    deal: DealPlan | None = None


class Planner:
    """Plans journeys; every draw comes from the run's random stream, in a fixed order."""

    def __init__(
        self,
        rng: random.Random,
        tables: Tables,
        touches: Touches,
        book: CampaignBook,
        staff: Staff,
        now: datetime,
    ) -> None:
        self.rng = rng
        self.tables = tables
        self.touches = touches
        self.book = book
        self.staff = staff
        self.now = now
        self.past_events = [e for e in book.events if e.ends < now - timedelta(hours=6)]
        # Of ten opportunities with time to close: three won, five lost, two still open.
        self.outcomes = Deck(
            ["won", "won", "won", "lost", "lost", "lost", "lost", "lost", "open", "open"], rng
        )
        # Open deals thin out towards the later stages, as in any pipeline; the first five cover
        # the whole board so that a small workspace shows every stage.
        self.open_positions = Deck([0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4], rng, opening=[0, 1, 2, 3, 4])

    # ----------------------------------------------------------------- helpers
    def _gap(self, median_days: float, lo_days: float, hi_days: float) -> timedelta:
        days = median_days * math.exp(self.rng.gauss(0.0, 0.8))
        return timedelta(days=min(hi_days, max(lo_days, days)))

    def _between(self, start: datetime, end: datetime, k: int) -> list[datetime]:
        """``k`` sorted instants strictly inside (start, end)."""
        span = (end - start).total_seconds()
        return [
            start + timedelta(seconds=span * u)
            for u in sorted(self.rng.uniform(0.02, 0.98) for _ in range(k))
        ]

    def _change(
        self, j: Journey, to: str, at: datetime, *, by: int | None = None, rule: str = "", reason: str = ""
    ) -> None:
        row = StageChangeRow(
            next(self.tables.stage_change_ids), j.contact_id, j.stage, to, at, by, rule, reason
        )
        if not j.changes:
            j.created_at = at
        self.tables.stage_changes.add(row)
        j.changes.append(row)
        j.stage = to
        j.last_at = at

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    # ----------------------------------------------------------------- the journey
    def plan(
        self, contact_id: int, visitor: Visitor, region: str, company_name: str, first_touch: datetime
    ) -> Journey:
        j = Journey(contact_id, visitor, region, company_name, created_at=first_touch, last_at=first_touch)
        if self._chance(0.3):
            j.owner_id = self.rng.choice(self.staff.marketers)
        scenario = SCENARIOS.draw(self.rng)
        self._enter(j, scenario, first_touch)
        if self._lead(j, scenario) and self._mql(j) and self._handoff(j) and self._sql(j):
            self._opportunity(j)
        self._keep_engaging(j)
        return j

    def _enter(self, j: Journey, scenario: str, t: datetime) -> None:
        rng, v, touch, book = self.rng, j.visitor, self.touches, self.book
        if scenario == "event":
            if self.past_events:
                event = rng.choice(self.past_events)
                at = event.ends - timedelta(hours=rng.uniform(6, 14))
                touch.event(v, at, event)
                j.source_campaign = event
                imported = at + min(self._gap(1, 0.2, 3), (self.now - at) / 2)
                self._change(j, S.SUBSCRIBER, imported, rule="event_import")
                return
            scenario = "newsletter"
        if scenario == "outbound":
            j.source_campaign = book.running(Channel.OUTBOUND, t, rng)
            self._change(j, S.SUBSCRIBER, t, rule="list_import")
            return
        if scenario == "paid":
            ad = book.pick(MIX_PAID, t, rng)
            landing, title = rng.choice(catalog.FEATURE_PAGES[:3] + catalog.HIGH_INTENT_PAGES[:1])
            if ad is not None:
                touch.ad_click(v, t, ad, landing)
                t += timedelta(seconds=rng.randint(2, 9))
            touch.page(v, t, landing, title, ad)
            form, campaign, rule = "Get the guide", ad, "form_submit"
        elif scenario == "content":
            campaign = book.pick(MIX_REFERRAL, t, rng)
            path, title = rng.choice(catalog.BLOG_POSTS)
            touch.page(v, t, path, title, campaign)
            t += timedelta(seconds=rng.randint(40, 600))
            asset_campaign = book.running(Channel.CONTENT, t, rng) or campaign
            touch.download(v, t, rng.choice(catalog.CONTENT_ASSETS), asset_campaign)
            j.source_campaign = asset_campaign
            self._change(j, S.SUBSCRIBER, t + timedelta(seconds=rng.randint(2, 30)), rule="content_download")
            return
        else:  # newsletter, product
            mix, pages = (
                (MIX_PRODUCT, catalog.FEATURE_PAGES)
                if scenario == "product"
                else (MIX_NEWSLETTER, catalog.BLOG_POSTS)
            )
            campaign = book.pick(mix, t, rng)
            path, title = rng.choice(pages)
            touch.page(v, t, path, title, campaign)
            form, rule = rng.choice(catalog.ENTRY_FORMS), "form_submit"
        t += timedelta(seconds=rng.randint(30, 400))
        touch.form(v, t, form, campaign, "/subscribe")
        j.source_campaign = campaign
        self._change(j, S.SUBSCRIBER, t + timedelta(seconds=rng.randint(1, 20)), rule=rule)

    def _nurture(self, j: Journey, start: datetime, end: datetime, k: int, *, outbound: bool) -> None:
        rng, v = self.rng, j.visitor
        for at in self._between(start, end, k):
            if outbound:
                campaign = self.book.running(Channel.OUTBOUND, at, rng)
                subject = rng.choice(catalog.OUTBOUND_EMAILS).format(company=j.company_name or "your team")
                self.touches.email(v, at, subject, campaign)
            elif rng.random() < 0.6:
                campaign = self.book.running(Channel.EMAIL, at, rng)
                click = rng.choice(catalog.BLOG_POSTS)[0] if rng.random() < 0.3 else ""
                self.touches.email(v, at, rng.choice(catalog.NURTURE_EMAILS), campaign, click=click)
            else:
                path, title = rng.choice(catalog.BLOG_POSTS + catalog.FEATURE_PAGES)
                self.touches.page(v, at, path, title, None, catalog.REFERRERS["organic"])

    def _lead(self, j: Journey, scenario: str) -> bool:
        start = j.last_at
        at = start + self._gap(6, 0.1, 60)
        if not self._chance(TO_LEAD) or at > self.now:
            return False
        rng, v = self.rng, j.visitor
        outbound = scenario == "outbound"
        self._nurture(j, start, at - timedelta(minutes=30), rng.randint(0, 2) + outbound, outbound=outbound)
        converting = at - timedelta(seconds=rng.randint(5, 120))
        if outbound:
            campaign = self.book.running(Channel.OUTBOUND, converting, rng) or j.source_campaign
            self.touches.email(
                v, converting - timedelta(minutes=11), "Following up", campaign, click="/customers"
            )
            rule = "email_engagement"
        else:
            campaign = self.book.pick(MIX_LEAD_FORM, converting, rng)
            form = rng.choice(catalog.LEAD_FORMS)
            self.touches.form(v, converting, form, campaign, "/" + form.lower().replace(" ", "-"))
            rule = "form_submit"
        j.source_campaign = campaign or j.source_campaign
        self._change(j, S.LEAD, at, rule=rule)
        return True

    def _mql(self, j: Journey, *, re_engaged: bool = False) -> bool:
        """Engagement crosses the score threshold (or the contact asks for a demo)."""
        start = j.last_at
        at = start + (self._gap(35, 10, 90) if j.stage == S.RECYCLED else self._gap(9, 0.1, 75))
        if not (re_engaged or self._chance(TO_MQL)) or at > self.now:
            return False
        rng, v = self.rng, j.visitor
        for when in self._between(start, at - timedelta(minutes=30), rng.randint(0, 2)):
            if rng.random() < 0.5:
                self.touches.email(
                    v,
                    when,
                    rng.choice(catalog.NURTURE_EMAILS),
                    self.book.running(Channel.EMAIL, when, rng),
                    click="/pricing",
                )
            else:
                path, title = rng.choice(catalog.FEATURE_PAGES)
                self.touches.page(v, when, path, title, self.book.pick(MIX_INTENT, when, rng))
        trigger = at - timedelta(seconds=rng.randint(3, 90))
        if rng.random() < 0.15:
            self.touches.form(
                v, trigger, "Request a demo", self.book.running(Channel.INBOUND, trigger, rng), "/demo"
            )
            rule, reason = "demo_request", "Asked for a demo"
        else:
            path, title = rng.choice(catalog.HIGH_INTENT_PAGES)
            self.touches.page(v, trigger, path, title, self.book.pick(MIX_INTENT, trigger, rng))
            score = rng.randint(catalog.MQL_THRESHOLD, 96)
            rule, reason = (
                "score_threshold",
                f"Score {score} reached the MQL threshold ({catalog.MQL_THRESHOLD})",
            )
        j.sdr_id = j.sdr_id or self.rng.choice(self.staff.sdrs[j.region])
        j.owner_id = j.sdr_id
        self._change(j, S.MQL, at, rule=rule, reason=reason)
        return True

    def _handoff(self, j: Journey) -> bool:
        """The SDR accepts the MQL (SAL) or rejects it with a reason, usually within hours."""
        for attempt in (1, 2):
            at = j.last_at + self._gap(0.2, 0.02, 3)
            if at > self.now:
                return False
            if self._chance(ACCEPTED if attempt == 1 else 0.6):
                self._change(j, S.SAL, at, by=j.sdr_id, reason="Accepted after first call")
                return True
            weights = [3 if stage == S.RECYCLED else 2 for stage, _ in catalog.REJECTIONS]
            stage, reason = self.rng.choices(catalog.REJECTIONS, weights)[0]
            self._change(j, stage, at, by=j.sdr_id, reason=reason)
            if stage != S.RECYCLED or attempt == 2 or not self._chance(RE_ENGAGED):
                return False
            if not self._mql(j, re_engaged=True):
                return False
        return False

    def _sql(self, j: Journey) -> bool:
        at = j.last_at + self._gap(6, 1, 30)
        if at > self.now:
            return False
        if not self._chance(TO_SQL):
            stalled = j.last_at + self._gap(25, 10, 60)
            if stalled <= self.now and self._chance(SAL_STALLS):
                self._change(
                    j, S.RECYCLED, stalled, by=j.sdr_id, reason=self.rng.choice(catalog.STALLED_SAL_REASONS)
                )
            return False
        bant = "BANT qualified: budget approved, CFO signs, replacing spreadsheets, live this quarter"
        self._change(j, S.SQL, at, by=j.sdr_id, reason=bant)
        j.ae_id = self.rng.choice(self.staff.aes[j.region])
        j.owner_id = j.ae_id
        return True

    def _opportunity(self, j: Journey) -> None:
        opened = j.last_at + self._gap(5, 0.5, 25)
        if opened > self.now or not self._chance(TO_OPPORTUNITY):
            return
        self._change(j, S.OPPORTUNITY, opened, by=j.ae_id)
        outcome = self.outcomes.draw()
        cycle = self._gap(40, 12, 120) if outcome == "won" else self._gap(30, 7, 110)
        closed = opened + cycle
        if outcome == "open" or closed > self.now - timedelta(hours=1):
            j.deal = DealPlan(opened, "open", open_position=self.open_positions.draw())
            return
        if outcome == "lost":
            reason = self.rng.choice(catalog.LOST_REASONS)
            j.deal = DealPlan(opened, "lost", closed, lost_reason=reason)
            recycled = closed + self._gap(1.5, 0.5, 4)
            if recycled <= self.now and self._chance(LOST_DEAL_RECYCLED):
                self._change(j, S.RECYCLED, recycled, by=j.ae_id, reason=f"Closed lost: {reason}")
            return
        j.deal = DealPlan(opened, "won", closed)
        self._change(j, S.CUSTOMER, closed, rule="deal_won")
        promoted = closed + self._gap(45, 14, 150)
        if promoted <= self.now and self._chance(TO_EVANGELIST):
            if self._chance(0.5):
                self._change(j, S.EVANGELIST, promoted, rule="nps_promoter", reason="NPS score 10")
            else:
                self._change(
                    j, S.EVANGELIST, promoted, by=j.ae_id, reason=self.rng.choice(catalog.EVANGELIST_REASONS)
                )

    def _keep_engaging(self, j: Journey) -> None:
        """Newsletter opens and visits after the last stage change, up to today."""
        k = self.rng.choices((0, 1, 2, 3), (3, 4, 3, 1))[0]
        if k and self.now - j.last_at > timedelta(hours=2):
            self._nurture(j, j.last_at, self.now - timedelta(minutes=20), k, outbound=False)
