"""Builders for scoring tests: contacts, touchpoints and rules through the real actions, at a frozen time."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Company, Contact
from accord.scoring import actions
from accord.scoring.models import EngagementRule, FitRule
from accord.tracking.actions import record_touchpoint

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
PRICING = [{"key": "url", "op": "contains", "value": "/pricing"}]
_serial = itertools.count(1)


def days_ago(days: float, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(days=days)


def company(**fields: Any) -> Company:
    n = next(_serial)
    fields.setdefault("name", f"Company {n}")
    fields.setdefault("domain", f"company{n}.test")
    return create_company(**fields)


def contact(**fields: Any) -> Contact:
    n = next(_serial)
    fields.setdefault("email", f"person{n}@example.test")
    return create_contact(**fields)


def touch(
    person: Contact | int, days: float, type: str = "page", *, now: dt.datetime = NOW, **fields: Any
) -> None:
    contact_id = person if isinstance(person, int) else person.pk
    record_touchpoint(type=type, occurred_at=days_ago(days, now), contact_id=contact_id, **fields)


def visit_pricing(person: Contact, *days: float, now: dt.datetime = NOW) -> None:
    for d in days:
        touch(
            person,
            d,
            "page",
            now=now,
            properties={"url": "https://www.acme.test/pricing", "path": "/pricing"},
        )


def pricing_rule(**fields: Any) -> EngagementRule:
    defaults: dict[str, Any] = {
        "name": "Visited pricing page",
        "event_type": "page",
        "property_conditions": PRICING,
        "points": 10,
        "cap": None,
        "half_life_days": 7,
        "window_days": 90,
    }
    return actions.create_engagement_rule(**{**defaults, **fields})


def big_company_rule(points: int = 15) -> FitRule:
    return actions.create_fit_rule(
        name="Mid-size company",
        condition={"field": "company.size", "op": "in", "value": ["201-1000"]},
        points=points,
    )
