"""Sales test data, built through the real actions."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import Role, User
from accord.catalog.models import Competitor
from accord.contacts.actions import create_company, create_contact
from accord.sales.actions import save_onboarding_template
from accord.sales.models import Pipeline, PipelineStage
from accord.sales.pipeline_actions import create_pipeline

__all__ = ["ae", "ae2", "competitor", "manager", "pipeline", "stage"]


@pytest.fixture
def pipeline(db: None) -> Pipeline:
    return create_pipeline("New business", is_default=True)


def stage(pipeline: Pipeline, name: str) -> PipelineStage:
    return pipeline.stages.get(name=name)


@pytest.fixture
def ae(make_user: Any) -> User:
    return make_user(Role.ACCOUNT_EXECUTIVE, username="alice", first_name="Alice", last_name="Ames")


@pytest.fixture
def ae2(make_user: Any) -> User:
    return make_user(Role.ACCOUNT_EXECUTIVE, username="bob", first_name="Bob", last_name="Berg")


@pytest.fixture
def manager(make_user: Any) -> User:
    return make_user(Role.SALES_MANAGER, username="maria")


@pytest.fixture
def competitor(db: None) -> Competitor:
    return Competitor.objects.create(name="Zapier")


def customer_setup() -> dict[str, Any]:
    company = create_company(name="Acme Rockets", domain="acme.test")
    contact = create_contact(email="ada@acme.test", first_name="Ada", company=company, lifecycle_stage="sql")
    template = save_onboarding_template(
        name="Standard",
        follow_up_days=30,
        items=[("Kickoff call", 2), ("Admin training", 7), ("Go-live review", 21)],
    )
    return {"company": company, "contact": contact, "template": template}
