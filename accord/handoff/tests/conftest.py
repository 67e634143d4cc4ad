"""Fixtures of the handoff tests: two sales teams with managers and reps (profiles at work 9–17 UTC,
Monday to Friday), routing rules by country, and MQL contacts. Built through the real actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from accord.accounts.models import Role, Team, User
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import Contact
from accord.handoff import actions
from accord.handoff.models import RoutingRule

# A Wednesday, 10:00 UTC: everyone is at work.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def teams(db: None) -> dict[str, Team]:
    return {
        "emea": Team.objects.create(name="Sales EMEA", kind=Team.Kind.SALES),
        "americas": Team.objects.create(name="Sales Americas", kind=Team.Kind.SALES),
        "marketing": Team.objects.create(name="Marketing", kind=Team.Kind.MARKETING),
    }


@pytest.fixture
def staff(make_user: Callable[..., User], teams: dict[str, Team]) -> dict[str, User]:
    people = {
        "henrik": make_user(Role.SALES_MANAGER, username="henrik", team=teams["emea"]),
        "sofia": make_user(Role.SDR, username="sofia", team=teams["emea"]),
        "noah": make_user(Role.SDR, username="noah", team=teams["emea"]),
        "james": make_user(Role.ACCOUNT_EXECUTIVE, username="james", team=teams["emea"]),
        "sally": make_user(Role.SALES_MANAGER, username="sally", team=teams["americas"]),
        "sam": make_user(Role.SDR, username="sam", team=teams["americas"]),
        "mark": make_user(Role.MARKETER, username="mark", team=teams["marketing"]),
    }
    teams["emea"].manager = people["henrik"]
    teams["emea"].save()
    teams["americas"].manager = people["sally"]
    teams["americas"].save()
    for name in ("sofia", "noah", "sam"):
        actions.save_rep_profile(people[name], weight=1, capacity=1000)
    return people


@pytest.fixture
def rules(teams: dict[str, Team], staff: dict[str, User]) -> list[RoutingRule]:
    return [
        actions.save_rule(
            None, name="Europe", team=teams["emea"],
            conditions=[{"field": "country", "values": ["FR", "DE", "GB"]}],
        ),
        actions.save_rule(
            None, name="North America, large companies", team=teams["americas"],
            conditions=[{"field": "country", "values": ["US", "CA"]}, {"field": "company_size", "values": ["5001+"]}],
        ),
        actions.save_rule(
            None, name="Rest of North America", team=teams["americas"],
            conditions=[{"field": "country", "values": ["US", "CA"]}],
        ),
    ]  # fmt: skip


@pytest.fixture
def make_mql(db: None) -> Callable[..., Contact]:
    counter = iter(range(1, 100_000))

    def make(country: str = "FR", company: Any = None, **fields: Any) -> Contact:
        n = next(counter)
        return create_contact(
            email=f"lead{n}@prospect{n}.example", first_name="Lead", last_name=str(n), country=country,
            company=company, lifecycle_stage="mql", **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def make_company(db: None) -> Callable[..., Any]:
    counter = iter(range(1, 100_000))

    def make(**fields: Any) -> Any:
        n = next(counter)
        fields.setdefault("name", f"Company {n}")
        fields.setdefault("domain", f"company{n}.example")
        return create_company(**fields)

    return make
