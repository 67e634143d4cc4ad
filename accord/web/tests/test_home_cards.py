"""Home page cards other apps add (slot "home"): a rep's open leads with their SLA, an AE's pipeline."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from accord.accounts.models import Role, Team
from accord.contacts.actions import create_contact
from accord.handoff import actions as handoff
from accord.handoff.routing import route_contacts
from accord.sales import actions as sales
from accord.sales import pipeline_actions

pytestmark = pytest.mark.django_db


def test_rep_sees_their_open_leads_and_ae_their_pipeline(client, make_user):
    team = Team.objects.create(name="Sales EMEA", kind=Team.Kind.SALES)
    sdr = make_user(Role.SDR, team=team)
    ae = make_user(Role.ACCOUNT_EXECUTIVE, team=team)
    marketer = make_user(Role.MARKETER)
    handoff.save_rule(None, name="All", team=team, conditions=[])
    handoff.save_rep_profile(sdr, weight=1, capacity=10, work_days=[1, 2, 3, 4, 5, 6, 7],
                             work_start=time(0, 0), work_end=time(23, 59, 59))  # fmt: skip
    lead = create_contact(
        email="ada@acme.example", first_name="Ada", last_name="Byron", lifecycle_stage="mql"
    )
    route_contacts([lead.pk])
    pipeline = pipeline_actions.create_pipeline("New business", is_default=True)
    stages = list(pipeline.stages.order_by("position"))
    sales.create_deal(name="Acme", pipeline=pipeline, stage=stages[0], amount=Decimal(10000), owner=ae)
    sales.create_deal(name="Globex", pipeline=pipeline, stage=stages[3], amount=Decimal(5000), owner=ae)

    client.force_login(sdr)
    html = client.get("/").content.decode()
    card = html[html.index('data-testid="home-leads"') :]
    assert "Ada Byron" in card and "1 open" in card and 'data-testid="sla"' in card
    assert 'data-testid="home-pipeline"' not in html  # an SDR without deals gets no empty pipeline card

    client.force_login(ae)
    html = client.get("/").content.decode()
    card = html[html.index('data-testid="home-pipeline"') :]
    assert "2 open deals" in card
    # 10,000 × 10 % + 5,000 × 60 % = 4,000 weighted
    assert ">15,000 USD<" in card and ">4,000 USD<" in card

    # a deal in another currency is a second line, never added to the dollars
    sales.create_deal(
        name="Initech", pipeline=pipeline, stage=stages[0], amount=Decimal(2000), currency="EUR", owner=ae
    )
    card = client.get("/").content.decode()
    card = card[card.index('data-testid="home-pipeline"') :]
    assert "3 open deals" in card
    assert ">15,000 USD<" in card and ">2,000 EUR<" in card and ">17,000" not in card
    assert ">4,000 USD<" in card and ">200 EUR<" in card

    client.force_login(marketer)
    html = client.get("/").content.decode()
    assert 'data-testid="home-leads"' not in html and 'data-testid="home-pipeline"' not in html
