"""A small, varied workspace for segment tests, built through the real actions.

About 30 contacts over 5 companies (one with none), custom properties of every type (with a few
legacy rows holding a JSON null or a value of the wrong type), ~200 touchpoints over 60 days,
two campaigns, a static list and a dynamic segment. Text includes quotes, SQL-looking strings and
non-ASCII letters (only lower-case ones, so case-insensitive matching means the same on SQLite,
which folds ASCII only, and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accord.accounts.actions import create_user
from accord.accounts.models import Role, User
from accord.campaigns.actions import create_campaign
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company, Contact, PropertyDefinition
from accord.segments.actions import add_to_static_list, create_segment, rebuild_segment
from accord.segments.models import Segment
from accord.tracking.actions import record_touchpoint

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)

COMPANIES: list[dict[str, Any]] = [
    {"name": "Acme Corp", "domain": "acme.test", "industry": "Manufacturing", "size": "51-200",
     "revenue_band": "10M-50M", "country": "DE", "properties": {"tier": "gold", "employees": 120}},
    {"name": "O'Brien & Co", "domain": "obrien.test", "industry": "Consulting", "size": "11-50",
     "revenue_band": "1M-10M", "country": "IE", "properties": {"tier": "silver", "employees": 35}},
    {"name": "Müller GmbH", "domain": "mueller.test", "industry": "", "size": "201-1000",
     "revenue_band": "", "country": "DE", "properties": {"employees": 450.5}},
    {"name": "Globex '; DROP TABLE --", "domain": "globex.test", "industry": "Software", "size": "",
     "revenue_band": ">1B", "country": "US", "properties": {"tier": "gold"}},
    {"name": "東京 Trading", "domain": "tokyo.test", "industry": "Software", "size": "1-10",
     "revenue_band": "<1M", "country": "JP", "properties": {}},
]  # fmt: skip

FIRST = ["anna", "Ben", "zoë", "José", "Li", "Omar", "Priya", "Sam", "Tom", "Ulla", ""]
LAST = ["Smith", "O'Neil", "müller", "García", "100% Real", "Nguyen", "back\\slash", "Ng", ""]
TITLES = ["CTO", "Head of Marketing", "marketing ops", "", "VP Sales", "Engineer_1", "Founder & CEO"]
COUNTRIES = ["DE", "US", "GB", "FR", "", "JP"]
STAGES = ["subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "evangelist", "recycled"]
PLANS = ["free", "pro", "enterprise"]
URLS = ["/pricing", "/pricing/enterprise", "/blog/segments", "/docs", "/Pricing?ref=ad", "/about"]
EVENT_NAMES = ["Signed Up", "Trial Started", "Invited Teammate", ""]


@dataclass
class World:
    now: dt.datetime
    owners: list[User]
    contacts: list[Contact]
    companies: list[Company]
    campaign_ids: list[int]
    static_list: Segment
    leads: Segment
    strings: list[str] = field(default_factory=list)  # text found in the data, for generated filters


def _define_properties() -> None:
    contact, company = PropertyDefinition.ObjectType.CONTACT, PropertyDefinition.ObjectType.COMPANY
    defs = [
        (contact, "plan", "Plan", PropertyDefinition.Type.CHOICE, PLANS),
        (contact, "seats", "Seats", PropertyDefinition.Type.NUMBER, []),
        (contact, "newsletter", "Newsletter", PropertyDefinition.Type.BOOLEAN, []),
        (contact, "renewal", "Renewal date", PropertyDefinition.Type.DATE, []),
        (contact, "nickname", "Nickname", PropertyDefinition.Type.TEXT, []),
        (company, "tier", "Tier", PropertyDefinition.Type.TEXT, []),
        (company, "employees", "Employees", PropertyDefinition.Type.NUMBER, []),
    ]
    for object_type, key, label, kind, choices in defs:
        PropertyDefinition.objects.create(
            object_type=object_type, key=key, label=label, type=kind, choices=choices
        )


def _contact_properties(rng: random.Random, i: int) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if i % 4 != 3:
        props["plan"] = PLANS[i % 3]
    if i % 3 != 2:
        props["seats"] = [1, 5, 10, 25, 2.5, 0][i % 6]
    if i % 5 < 3:
        props["newsletter"] = i % 2 == 0
    if i % 2 == 0:
        props["renewal"] = (NOW.date() + dt.timedelta(days=rng.randint(-90, 90))).isoformat()
    if i % 3 == 0:
        props["nickname"] = ["the 'boss'", "zoë", "Ace", "x%y_z"][i % 4]
    return props


def build_world(seed: int = 7) -> World:
    rng = random.Random(seed)
    owners = [
        create_user(
            username=f"seg-owner-{n}", password="x" * 12, role=Role.SDR, email=f"owner{n}@example.test"
        )
        for n in (1, 2)
    ]
    _define_properties()
    companies = [create_company(**data) for data in COMPANIES]
    campaign_ids = [
        create_campaign(name=name, channel="email").pk
        for name in ("Spring launch", "Webinar: 'Segments' 101")
    ]
    contacts: list[Contact] = []
    for i in range(30):
        contacts.append(
            create_contact(
                email=f"person{i}@{['acme.test', 'example.test', 'mail.test'][i % 3]}",
                first_name=FIRST[i % len(FIRST)],
                last_name=LAST[(i * 2) % len(LAST)],
                title=TITLES[i % len(TITLES)],
                country=COUNTRIES[i % len(COUNTRIES)],
                company=companies[i % 6] if i % 6 < 5 else None,
                owner=owners[i % 3] if i % 3 < 2 else None,
                lifecycle_stage=STAGES[i % len(STAGES)],
                properties=_contact_properties(rng, i),
            )
        )
    # Legacy data: a JSON null, values of the wrong type, created_at spread over time.
    Contact.objects.filter(pk=contacts[1].pk).update(properties={"plan": None, "seats": "12"})
    Contact.objects.filter(pk=contacts[2].pk).update(properties={"newsletter": "yes", "renewal": 20260101})
    for i, made in enumerate(contacts):
        Contact.objects.filter(pk=made.pk).update(created_at=NOW - dt.timedelta(days=i * 3, hours=i))
    Company.objects.filter(pk=companies[4].pk).update(properties={"tier": None, "employees": "many"})

    for n in range(200):
        contact = contacts[rng.randrange(len(contacts))] if n % 10 else None
        kind = rng.choice(["page", "page", "page", "track", "form_submit", "email_open"])
        props: dict[str, Any] = {}
        if kind == "page":
            props["url"] = rng.choice(URLS)
        if kind == "track":
            props["amount"] = rng.choice([5, 10, 49.5, 100])
            props["flag"] = rng.choice([True, False])
        if n % 17 == 0:
            props["url"] = 42  # a number where text is expected
        record_touchpoint(
            type=kind,
            occurred_at=NOW - dt.timedelta(hours=rng.randrange(0, 24 * 60)),
            contact_id=contact.pk if contact else None,
            anonymous_id="" if contact else f"anon-{n}",
            campaign_id=rng.choice([None, None, *campaign_ids]),
            name=rng.choice(EVENT_NAMES) if kind == "track" else "",
            properties=props,
        )
    static_list = create_segment(name="VIP list", kind=Segment.Kind.STATIC)
    add_to_static_list(static_list, [c.pk for c in contacts[::4]])
    leads = create_segment(
        name="Leads", filter={"field": "lifecycle_stage", "op": "in", "value": ["lead", "mql"]}
    )
    rebuild_segment(leads, now=NOW)
    for made in contacts:
        made.refresh_from_db()
    strings = sorted(
        {s for c in contacts for s in (c.first_name, c.last_name, c.title, c.email) if s}
        | {c.name for c in companies}
        | {c.industry for c in companies if c.industry}
        | {"the 'boss'", "zoë", "Ace", "gold", "silver", *URLS, *[n for n in EVENT_NAMES if n]}
    )
    assert timezone.is_aware(NOW)
    return World(NOW, owners, contacts, companies, campaign_ids, static_list, leads, strings)
