"""The demo workspace's catalog, competitors and quotes (Brightloop, a workflow-automation SaaS).

Called by the demo generator after users and deals exist::

    demo = create_catalog(by=admin)
    name_competitors(demo, open_deals)
    create_demo_quotes(demo, open_deals)

Everything goes through the catalog and quotes actions, so the demo data obeys the same rules as
data people enter. Deterministic: no randomness, ordered queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accord.accounts.models import User
from accord.catalog import actions as catalog
from accord.catalog.models import Competitor, PriceList, Product
from accord.quotes import actions as quotes
from accord.quotes.models import Quote
from accord.sales import actions as sales
from accord.sales.models import Deal

# name, sku, kind, category, list price (USD), description
PRODUCTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Brightloop Starter", "BL-START", "subscription", "Platform", "4800.00",
     "Workflow automation for one team: 25 active workflows, 10 seats, email support."),
    ("Brightloop Growth", "BL-GROW", "subscription", "Platform", "14400.00",
     "Unlimited workflows, 50 seats, approvals, audit trail and SSO."),
    ("Brightloop Enterprise", "BL-ENT", "subscription", "Platform", "42000.00",
     "Everything in Growth plus sandbox environments, data residency and a 99.95% SLA."),
    ("Extra seats (10-pack)", "BL-SEAT10", "subscription", "Add-on", "1800.00",
     "Ten more named users on any plan."),
    ("Analytics add-on", "BL-ANL", "subscription", "Add-on", "6000.00",
     "Process mining dashboards, cycle-time analytics and exports to the warehouse."),
    ("Premium support", "BL-SUP", "subscription", "Add-on", "7200.00",
     "24/7 support with a one-hour response target and a named support engineer."),
    ("Onboarding package", "BL-ONB", "service", "Services", "5000.00",
     "Six guided sessions: discovery, first workflows, integrations and admin training."),
    ("Integration build (per connector)", "BL-INT", "service", "Services", "3500.00",
     "A custom connector to an in-house system, built and handed over by our engineers."),
    ("Admin certification", "BL-CERT", "one_off", "Training", "900.00",
     "Two-day certification course for one administrator."),
)  # fmt: skip

EUR_PRICES = {
    "BL-START": "4400.00", "BL-GROW": "13200.00", "BL-ENT": "38500.00", "BL-SEAT10": "1650.00",
    "BL-ANL": "5500.00", "BL-SUP": "6600.00", "BL-ONB": "4600.00", "BL-INT": "3200.00", "BL-CERT": "830.00",
}  # fmt: skip
PARTNER_DISCOUNT = Decimal("0.80")

POSITIONING: dict[str, dict[str, str]] = {
    "platform": {
        "product_text": "No-code workflow automation that finance and ops teams own themselves, with the audit "
        "trail IT asks for.",
        "price": "Annual subscription per plan; seats sold in 10-packs. Anchor on Growth; Enterprise for "
        "regulated buyers. Discounts above 15% need a sales manager.",
        "place": "Direct sales (inbound and outbound) in the Americas and EMEA; self-serve trial for Starter; "
        "implementation partners for Enterprise.",
        "promotion": "Webinars on month-end close automation, ROI calculator, G2 reviews, case studies from "
        "mid-market finance teams.",
        "people": "SDRs qualify, AEs run discovery and the demo, solutions engineers for security reviews, "
        "a named CSM from 25k ARR.",
        "process": "Trial or demo → proof of value on one workflow (2 weeks) → security review → order form.",
        "physical_evidence": "Live demo workspace, SOC 2 Type II report, customer references, uptime page.",
    },
    "addon": {
        "product_text": "Extends a plan where a customer already sees value: more seats, analytics, support.",
        "price": "Priced per year, co-terminous with the plan; list price only below 10 seats.",
        "place": "Sold by the account owner at renewal or when usage crosses a threshold.",
        "promotion": "In-app prompts, quarterly business reviews, usage reports.",
        "people": "Account executives and customer success managers.",
        "process": "Usage signal → CSM conversation → quote as an upsell deal.",
        "physical_evidence": "Usage dashboards and the analytics sample report.",
    },
    "service": {
        "product_text": "Hands-on help to get to the first automated workflow fast.",
        "price": "Fixed-price packages; never discounted above 10%.",
        "place": "Attached to new platform deals; delivered remotely.",
        "promotion": "Time-to-value stories: first workflow live in 14 days.",
        "people": "Implementation consultants and integration engineers.",
        "process": "Kick-off within a week of signature, weekly status, sign-off at handover.",
        "physical_evidence": "Project plan, handover document, certification badge.",
    },
}

COMPETITORS: tuple[dict[str, Any], ...] = (
    {
        "name": "Flowstack", "website": "https://flowstack.example",
        "summary": "Horizontal iPaaS aimed at IT teams; strong connector catalogue.",
        "battle_card": {
            "strengths": "Over 900 connectors; well known to IT; generous free tier.",
            "weaknesses": "Built for developers: business users need IT for every change. No approval steps "
            "or audit trail without the top plan.",
            "how_to_win": "Sell to the process owner, not IT. Demo a month-end approval flow built live by a "
            "finance user in 10 minutes. Bring the audit trail into the security review.",
            "objections": [
                {"objection": "Flowstack has more connectors.",
                 "answer": "Ask which ten systems they need: we cover them, and the integration build service "
                 "covers the in-house ones."},
                {"objection": "IT already has a Flowstack licence.",
                 "answer": "Then IT keeps it for system integration; finance needs approvals and audit, which "
                 "Flowstack charges extra for."},
            ],
        },
    },
    {
        "name": "Ledgerly Automate", "website": "https://ledgerly.example",
        "summary": "Finance-suite vendor bundling workflow automation with its ERP.",
        "battle_card": {
            "strengths": "Bundled with the ERP many prospects already run; one vendor to manage.",
            "weaknesses": "Only automates processes inside its own ERP; slow release cycle; long implementations.",
            "how_to_win": "Map a cross-system process (CRM → ERP → bank) and show where Ledgerly stops. "
            "Offer a two-week proof of value against their six-month rollout.",
            "objections": [
                {"objection": "It's included in our ERP contract.",
                 "answer": "Included for ERP-only steps; price the professional services to extend it."},
            ],
        },
    },
    {
        "name": "OpsPilot", "website": "https://opspilot.example",
        "summary": "Low-cost workflow tool popular with startups.",
        "battle_card": {
            "strengths": "Cheap; quick to start; friendly interface.",
            "weaknesses": "No SSO or roles below its enterprise tier; no data residency; limited support.",
            "how_to_win": "Qualify on security and scale early; bring the SOC 2 report and SSO into the demo.",
            "objections": [
                {"objection": "OpsPilot is half the price.",
                 "answer": "Compare at 50 seats with SSO and audit: the difference is under 10%, before support."},
                {"objection": "We only need something simple.",
                 "answer": "Starter is simple too, and grows into approvals when audit season comes."},
            ],
        },
    },
    {
        "name": "In-house scripts", "website": "",
        "summary": "The status quo: spreadsheets, macros and scripts someone wrote years ago.",
        "battle_card": {
            "strengths": "Already paid for; fits today's process exactly.",
            "weaknesses": "One person understands it; breaks silently; no audit trail.",
            "how_to_win": "Quantify the hours and the risk; make the champion the hero of the migration.",
            "objections": [
                {"objection": "Our scripts work fine.",
                 "answer": "Until their author leaves: ask what happened at the last month-end incident."},
            ],
        },
    },
)  # fmt: skip


@dataclass
class DemoCatalog:
    products: dict[str, Product] = field(default_factory=dict)  # by SKU
    price_lists: dict[str, PriceList] = field(default_factory=dict)  # "usd", "eur", "partner"
    competitors: list[Competitor] = field(default_factory=list)


def create_catalog(*, by: User | None = None) -> DemoCatalog:
    """Products with positioning cards, three price lists (USD default, EUR, partners) and competitors."""
    demo = DemoCatalog()
    for name, sku, kind, category, price, description in PRODUCTS:
        product = catalog.create_product(
            name=name, sku=sku, kind=kind, category=category, unit_price=price, description=description
        )
        key = "platform" if category == "Platform" else "service" if kind == "service" else "addon"
        catalog.save_positioning(product, by=by, **POSITIONING[key])
        demo.products[sku] = product
    demo.price_lists["usd"] = catalog.create_price_list(
        name="List prices (USD)", currency="USD", is_default=True,
        description="Standard prices for direct sales in the Americas.",
    )  # fmt: skip
    demo.price_lists["eur"] = catalog.create_price_list(
        name="Europe (EUR)", currency="EUR", description="Prices for EMEA customers invoiced in euros."
    )
    demo.price_lists["partner"] = catalog.create_price_list(
        name="Partners (USD)", currency="USD", description="Implementation partners buy at 20% off list."
    )
    for sku, product in demo.products.items():
        catalog.set_price(demo.price_lists["eur"], product, EUR_PRICES[sku])
        partner = (product.unit_price * PARTNER_DISCOUNT).quantize(Decimal("0.01"))
        catalog.set_price(demo.price_lists["partner"], product, partner)
    for spec in COMPETITORS:
        demo.competitors.append(catalog.save_competitor(None, by=by, **spec))
    return demo


def name_competitors(demo: DemoCatalog, deals: Sequence[Deal], *, every: int = 3) -> int:
    """Name a competitor on every ``every``-th open deal (round robin); returns how many."""
    named = 0
    for i, deal in enumerate(d for d in deals if d.status == Deal.Status.OPEN):
        if i % every == 0:
            sales.update_deal(deal, competitor=demo.competitors[(i // every) % len(demo.competitors)])
            named += 1
    return named


def create_demo_quotes(demo: DemoCatalog, deals: Sequence[Deal]) -> list[Quote]:
    """A few quotes on open deals that have an owner: a draft, one sent with a negotiation log,
    one accepted (the deal amount follows), and one waiting for a manager's discount approval.

    Needs up to four such deals; with fewer, makes fewer quotes.
    """
    p = demo.products
    plans: list[tuple[str, list[tuple[str, str, str]], str]] = [
        ("draft", [("BL-GROW", "1", "0"), ("BL-ONB", "1", "0")], "usd"),
        ("sent", [("BL-START", "1", "5"), ("BL-SEAT10", "2", "10"), ("BL-CERT", "1", "0")], "usd"),
        ("accepted", [("BL-ENT", "1", "12"), ("BL-INT", "2", "0"), ("BL-SUP", "1", "10")], "eur"),
        ("pending", [("BL-GROW", "1", "25"), ("BL-ANL", "1", "20")], "usd"),
    ]
    candidates = [d for d in deals if d.status == Deal.Status.OPEN and d.owner_id is not None]
    made: list[Quote] = []
    for deal, (outcome, lines, list_key) in zip(candidates, plans, strict=False):
        owner = deal.owner
        quote = quotes.create_quote(
            deal, by=owner, title=f"Proposal for {deal.name}"[:200], price_list=demo.price_lists[list_key],
            terms="Annual subscription invoiced yearly in advance. Payment within 30 days.",
        )  # fmt: skip
        for sku, qty, discount in lines:
            quotes.add_line(quote, by=owner, product=p[sku], quantity=qty, discount_percent=discount)
        if outcome in ("sent", "accepted"):
            quotes.mark_sent(quote, by=owner)
            quotes.log_negotiation(
                quote, by=owner, note="Customer asked for a multi-year discount; offered a 2-year price lock.",
                counter_offer=(quote.total * Decimal("0.9")).quantize(Decimal("0.01")),
            )  # fmt: skip
        if outcome == "accepted":
            quotes.accept(quote, by=owner, set_deal_amount=True)
        if outcome == "pending" and owner is not None:
            quotes.request_approval(
                quote, by=owner, note="Competing with OpsPilot; the customer's budget is fixed this quarter."
            )
        made.append(quote)
    return made
