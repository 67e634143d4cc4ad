"""Data for the quotes tests, built through the real actions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from accord.accounts.models import Role, Team, User
from accord.catalog import actions as catalog
from accord.catalog.models import PriceList, Product
from accord.contacts.actions import create_company
from accord.contacts.models import Company
from accord.quotes import actions
from accord.quotes.models import Quote
from accord.sales.actions import create_deal
from accord.sales.models import Deal, Pipeline
from accord.sales.pipeline_actions import create_pipeline


@dataclass
class World:
    team: Team
    manager: User  # the team's sales manager
    other_manager: User
    ae: User
    other_ae: User
    sdr: User
    marketer: User
    admin: User
    pipeline: Pipeline
    company: Company
    deal: Deal
    other_deal: Deal
    platform: Product
    addon: Product
    services: Product
    retired: Product
    eur_list: PriceList


@pytest.fixture
def world(make_user: Any) -> World:
    team = Team.objects.create(name="Sales EMEA", kind=Team.Kind.SALES)
    manager = make_user(Role.SALES_MANAGER, username="mgr", team=team)
    team.manager = manager
    team.save()
    other_manager = make_user(Role.SALES_MANAGER, username="mgr2")
    ae = make_user(Role.ACCOUNT_EXECUTIVE, username="ae_a", team=team)
    other_ae = make_user(Role.ACCOUNT_EXECUTIVE, username="ae_b", team=team)
    pipeline = create_pipeline("Sales", is_default=True)
    company = create_company(name="Acme Corp", domain="acme.test")
    deal = create_deal(name="Acme platform", pipeline=pipeline, owner=ae, company=company)
    other_deal = create_deal(name="Other deal", pipeline=pipeline, owner=other_ae)
    platform = catalog.create_product(name="Platform", sku="PLAT", unit_price="1200.00")
    addon = catalog.create_product(name="Analytics add-on", sku="ANL", unit_price="333.33")
    services = catalog.create_product(name="Onboarding", sku="ONB", unit_price="5000", kind="service")
    retired = catalog.create_product(name="Legacy", sku="OLD", unit_price="10", active=False)
    eur_list = catalog.create_price_list(name="Europe", currency="EUR")
    catalog.set_price(eur_list, platform, "1100.00")
    return World(
        team=team, manager=manager, other_manager=other_manager, ae=ae, other_ae=other_ae,
        sdr=make_user(Role.SDR, username="sdr_w"), marketer=make_user(Role.MARKETER, username="mkt_w"),
        admin=make_user(Role.ADMIN, username="revops"), pipeline=pipeline, company=company, deal=deal,
        other_deal=other_deal, platform=platform, addon=addon, services=services, retired=retired,
        eur_list=eur_list,
    )  # fmt: skip


def quote_with(
    w: World, *lines: tuple[Product, str, str], owner: User | None = None, deal: Deal | None = None
) -> Quote:
    quote = actions.create_quote(deal or w.deal, by=owner or w.ae, title="Proposal")
    for product, qty, discount in lines:
        actions.add_line(quote, by=owner or w.ae, product=product, quantity=qty, discount_percent=discount)
    quote.refresh_from_db()
    return quote


def money(text: str) -> Decimal:
    return Decimal(text)
