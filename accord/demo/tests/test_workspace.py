"""What a generated workspace holds: people, campaigns, companies, contacts, deals, activities."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from accord.accounts.models import Role, Team, User
from accord.campaigns.models import Campaign, Channel
from accord.contacts.models import Company, Contact
from accord.demo.generator import DEMO_PASSWORD, DEMO_USERS, WorkspaceSummary, workspace_exists
from accord.demo.tests.conftest import SMALL
from accord.demo.tests.fixtures import NOW
from accord.lifecycle.stages import LifecycleStage as S
from accord.sales.models import Activity, Deal, Pipeline
from accord.tracking.models import Touchpoint

pytestmark = pytest.mark.django_db
SALES_ROLES: set[str] = {Role.SDR, Role.ACCOUNT_EXECUTIVE}
MARKETING_ROLES: set[str] = {Role.MARKETER, Role.MARKETING_MANAGER}


def test_summary_counts_match_the_tables(workspace: WorkspaceSummary) -> None:
    assert workspace.contacts == SMALL == Contact.objects.count()
    assert workspace.companies == Company.objects.count() > 0
    assert workspace.touchpoints == Touchpoint.objects.count()
    assert workspace.deals == Deal.objects.count()
    assert workspace.activities == Activity.objects.count()
    assert workspace.campaigns == Campaign.objects.count()
    assert workspace.users == User.objects.count() == len(DEMO_USERS)
    assert workspace.teams == Team.objects.count() == 3
    assert 3 <= workspace.touchpoints / workspace.contacts <= 8  # about five per contact
    assert workspace_exists()


def test_every_role_and_team_with_a_manager(workspace: WorkspaceSummary) -> None:
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    names = {u.username: u for u in User.objects.select_related("team")}
    expected = {"admin": Role.ADMIN, "maria": Role.MARKETING_MANAGER, "mark": Role.MARKETER, "sam": Role.SDR}
    expected |= {"alex": Role.ACCOUNT_EXECUTIVE, "sally": Role.SALES_MANAGER}
    assert {n: names[n].role for n in expected} == expected
    assert User.objects.filter(role=Role.SDR).count() >= 2
    assert User.objects.filter(role=Role.ACCOUNT_EXECUTIVE).count() >= 2
    assert User.objects.filter(role=Role.MARKETER).count() >= 2
    for team in Team.objects.select_related("manager"):
        assert team.manager is not None and team.manager.team_id == team.pk
    assert {"Marketing", "Sales EMEA", "Sales Americas"} == set(Team.objects.values_list("name", flat=True))
    assert names["admin"].is_superuser
    assert names["sam"].check_password(DEMO_PASSWORD)
    assert names["alex"].check_password(DEMO_PASSWORD)


def test_campaigns_cover_all_channels_inside_the_window(workspace: WorkspaceSummary) -> None:
    assert set(Campaign.objects.values_list("channel", flat=True)) == set(Channel.values)
    start = (NOW - timedelta(days=183)).date()
    for c in Campaign.objects.select_related("owner"):
        assert c.utm_source and c.utm_medium and c.utm_campaign
        assert c.budget >= 0
        assert c.start_date is not None and c.end_date is not None
        assert start <= c.start_date <= c.end_date <= NOW.date()
        assert c.owner is not None and c.owner.role in MARKETING_ROLES
    assert Campaign.objects.values("utm_campaign").distinct().count() == Campaign.objects.count()


def test_campaign_costs_spend_the_budget_while_running(workspace: WorkspaceSummary) -> None:
    spent = dict(Campaign.objects.values_list("pk").annotate(total=Sum("costs__amount")))
    for c in Campaign.objects.all():
        if not c.budget:
            assert spent[c.pk] is None
            continue
        assert 0 < spent[c.pk] <= c.budget * Decimal("1.1")
        assert c.start_date is not None and c.end_date is not None
        assert all(c.start_date <= d <= c.end_date for d in c.costs.values_list("date", flat=True))


def test_emails_are_unique_lower_case_and_at_the_company_domain(workspace: WorkspaceSummary) -> None:
    emails = list(Contact.objects.values_list("email", "company__domain"))
    assert len({e for e, _ in emails}) == len(emails)
    assert all(e == e.strip().lower() and "@" in e for e, _ in emails)
    assert all(e.endswith("@" + domain) for e, domain in emails if domain)
    personal = [e for e, domain in emails if domain is None]
    assert personal and all(
        e.split("@")[1] in {"gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me"}
        for e in personal
    )
    assert Company.objects.values("domain").distinct().count() == Company.objects.count()
    assert not Company.objects.filter(name="").exists()
    assert not Company.objects.filter(industry="").exists()


def test_owners_follow_the_handoff(workspace: WorkspaceSummary) -> None:
    roles: dict[int | None, str] = dict(User.objects.values_list("pk", "role"))
    for stage, owner_id in Contact.objects.values_list("lifecycle_stage", "owner_id"):
        role = roles.get(owner_id)
        if stage in (S.SUBSCRIBER, S.LEAD):
            assert role is None or role in MARKETING_ROLES
        elif stage in (S.MQL, S.SAL):
            assert role == Role.SDR
        elif stage in (S.SQL, S.OPPORTUNITY, S.CUSTOMER, S.EVANGELIST):
            assert role == Role.ACCOUNT_EXECUTIVE
        else:
            assert role in SALES_ROLES


def test_deals_in_every_stage_of_the_default_pipeline(workspace: WorkspaceSummary) -> None:
    default = Pipeline.objects.get(is_default=True)
    assert Pipeline.objects.filter(name="Upsell").exists()
    per_stage = dict(Deal.objects.filter(pipeline=default).values_list("stage__name").annotate(n=Count("id")))
    assert set(per_stage) == set(default.stages.values_list("name", flat=True))
    for deal in Deal.objects.select_related("stage", "owner", "contact", "company"):
        assert deal.stage.pipeline_id == deal.pipeline_id
        assert deal.status == {"open": "open", "won": "won", "lost": "lost"}[deal.stage.outcome]
        assert deal.amount > 0 and deal.expected_close is not None
        assert deal.owner is not None and deal.owner.role == Role.ACCOUNT_EXECUTIVE
        assert deal.contact is not None
        assert deal.contact.stage_changes.filter(to_stage=S.OPPORTUNITY).exists()
        assert (deal.closed_at is None) == (deal.status == Deal.Status.OPEN)
        assert bool(deal.lost_reason) == (deal.status == Deal.Status.LOST)
        if deal.status == Deal.Status.WON and deal.pipeline_id == default.pk:
            assert deal.contact.lifecycle_stage in (S.CUSTOMER, S.EVANGELIST)
            assert deal.company is None or deal.company.lifecycle_stage == S.CUSTOMER
    sourced = Deal.objects.filter(pipeline=default, source_campaign__isnull=False).count()
    assert sourced >= Deal.objects.filter(pipeline=default).count() // 2


def test_touchpoints_are_attributed_and_dated(workspace: WorkspaceSummary) -> None:
    start = NOW - timedelta(days=183)
    assert set(Touchpoint.objects.values_list("type", flat=True)) >= {
        "page", "form_submit", "email_open", "email_click", "event_attended", "content_download", "ad_click",
    }  # fmt: skip
    campaign_ids = set(Campaign.objects.values_list("pk", flat=True))
    used = set(Touchpoint.objects.exclude(campaign=None).values_list("campaign_id", flat=True))
    assert used and used <= campaign_ids
    for tp in Touchpoint.objects.all():
        assert tp.occurred_at.tzinfo is not None and start <= tp.occurred_at <= tp.received_at <= NOW
        assert tp.contact_id is not None and len(tp.message_id) == 32
        if tp.type == "page":
            page = tp.context["page"]
            assert page["url"].startswith("https://") and "referrer" in page and page["path"]
            if tp.campaign_id:
                assert "utm_campaign=" in page["url"]


def test_activities_belong_to_reps_and_contacts_past_mql(workspace: WorkspaceSummary) -> None:
    roles: dict[int | None, str] = dict(User.objects.values_list("pk", "role"))
    past_mql = set(Contact.objects.filter(stage_changes__to_stage=S.MQL).values_list("pk", flat=True))
    kinds = set()
    for a in Activity.objects.all():
        kinds.add(a.kind)
        assert roles[a.owner_id] in SALES_ROLES
        assert a.contact_id in past_mql
        assert a.created_at <= NOW
        if a.kind == Activity.Kind.CALL:
            assert a.details["outcome"] and a.details["duration_minutes"] >= 0
    assert kinds == set(Activity.Kind.values)
    assert Activity.objects.filter(kind=Activity.Kind.TASK, done_at=None, due_at__gt=NOW).exists()
