"""Discount approval: above the threshold a manager must approve; nobody approves their own request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accord.accounts.models import Notification, Role
from accord.core.errors import Conflict, Forbidden
from accord.quotes import actions
from accord.quotes.models import Approval, Quote
from accord.quotes.tests.fixtures import World, quote_with

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_threshold_is_a_db_setting_and_decides_what_needs_approval(world: World, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "15"))
    assert not actions.needs_approval(quote)  # 15% is not above the default 15%
    actions.mark_sent(quote, by=world.ae)  # so it can go straight out

    quote = quote_with(world, (world.platform, "1", "15.01"))
    with pytest.raises(Conflict, match="request a manager's approval"):
        actions.mark_sent(quote, by=world.ae)

    ae_api, manager_api = api_client_for(world.ae), api_client_for(world.manager)
    response = ae_api.put(
        "/api/quotes/settings", {"discount_threshold": "20"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = manager_api.put(
        "/api/quotes/settings", {"discount_threshold": "20"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["discount_threshold"] == "20.00"
    response = manager_api.put(
        "/api/quotes/settings", {"discount_threshold": "101"}, content_type="application/json"
    )
    assert response.status_code == 422 and "discount_threshold" in response.json()["field_errors"]
    assert ae_api.get(f"/api/quotes/{quote.pk}").json()["needs_approval"] is False
    actions.mark_sent(quote, by=world.ae)


def test_request_notifies_team_manager_by_email_and_manager_approves(
    world: World, api_client_for: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    quote = quote_with(world, (world.platform, "10", "25"))
    ae_api = api_client_for(world.ae)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            ae_api, f"/api/quotes/{quote.pk}/request-approval", {"note": "Competing with <Rival>"}
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending_approval"

    mails = smtp.to(world.manager.email)
    assert len(mails) == 1
    assert "Discount approval requested" in mails[0]["Subject"]
    assert "25.00%" in smtp.body(mails[0]) and "Competing with <Rival>" in smtp.body(mails[0])
    assert not smtp.to(world.other_manager.email)  # the team's manager, not every manager
    assert Notification.objects.filter(user=world.manager, kind="approval_requested").count() == 1

    response = post(
        api_client_for(world.manager), f"/api/quotes/{quote.pk}/approve", {"comment": "Strategic logo"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    decision = body["approvals"][0]
    assert decision["decision"] == "approved" and decision["comment"] == "Strategic logo"
    assert decision["decided_by_id"] == world.manager.pk and decision["decided_at"]
    assert decision["requested_by_id"] == world.ae.pk
    assert post(ae_api, f"/api/quotes/{quote.pk}/send").json()["status"] == "sent"


def test_ae_cannot_approve_own_discount_api_and_page(world: World, api_client_for: Any, client: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "30"))
    actions.request_approval(quote, by=world.ae)
    response = post(api_client_for(world.ae), f"/api/quotes/{quote.pk}/approve", {"comment": "me"})
    assert response.status_code == 403
    assert response.json()["code"] == "own_request"
    assert "your own discount request" in response.json()["message"]

    client.force_login(world.ae)
    page = client.post(f"/quotes/{quote.pk}/approve/", {"comment": "me", "decision": "approve"})
    assert page.status_code == 403
    assert b"your own discount request" in page.content
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING


def test_sales_manager_and_admin_cannot_approve_their_own_request(world: World, api_client_for: Any) -> None:
    own = quote_with(world, (world.platform, "1", "40"), owner=world.manager)
    actions.request_approval(own, by=world.manager)
    response = post(api_client_for(world.manager), f"/api/quotes/{own.pk}/approve")
    assert response.status_code == 403 and response.json()["code"] == "own_request"
    with pytest.raises(Forbidden):
        actions.deny(own, by=world.manager, comment="no")
    # another manager may decide
    actions.approve(own, by=world.other_manager, comment="fine")

    admins = quote_with(world, (world.platform, "1", "40"), owner=world.admin)
    actions.request_approval(admins, by=world.admin)
    assert post(api_client_for(world.admin), f"/api/quotes/{admins.pk}/approve").status_code == 403


def test_another_ae_cannot_approve_and_deny_needs_comment(world: World, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "30"))
    actions.request_approval(quote, by=world.ae)
    response = post(api_client_for(world.other_ae), f"/api/quotes/{quote.pk}/approve")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"

    manager_api = api_client_for(world.manager)
    response = post(manager_api, f"/api/quotes/{quote.pk}/deny", {"comment": "  "})
    assert response.status_code == 422 and "comment" in response.json()["field_errors"]
    response = post(manager_api, f"/api/quotes/{quote.pk}/deny", {"comment": "Max 20% this quarter"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    denial = Approval.objects.get(quote=quote)
    assert (denial.decision, denial.comment, denial.decided_by) == (
        "denied",
        "Max 20% this quarter",
        world.manager,
    )
    assert denial.decided_at is not None
    # deciding again: nothing pending
    assert post(manager_api, f"/api/quotes/{quote.pk}/approve").status_code == 409


def test_editing_lines_after_approval_resets_it(world: World, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "30"))
    actions.request_approval(quote, by=world.ae)
    actions.approve(quote, by=world.manager, comment="ok")
    ae_api = api_client_for(world.ae)
    line_id = quote.lines.get().pk
    response = ae_api.patch(
        f"/api/quotes/{quote.pk}/lines/{line_id}", {"quantity": "2"}, content_type="application/json"
    )
    assert response.status_code == 200
    detail = ae_api.get(f"/api/quotes/{quote.pk}").json()
    assert detail["status"] == "draft" and detail["needs_approval"] is True
    assert detail["total"] == "1680.00"
    response = post(ae_api, f"/api/quotes/{quote.pk}/send")
    assert response.status_code == 409 and response.json()["code"] == "approval_required"

    # a pending request is withdrawn by a line change too
    actions.request_approval(quote, by=world.ae)
    post(ae_api, f"/api/quotes/{quote.pk}/lines", {"product_id": world.addon.pk, "quantity": "1"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
    assert list(quote.approvals.values_list("decision", flat=True)) == ["withdrawn", "approved"]


def test_no_approval_request_without_a_large_discount(world: World, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "5"))
    response = post(api_client_for(world.ae), f"/api/quotes/{quote.pk}/request-approval")
    assert response.status_code == 409 and response.json()["code"] == "approval_not_needed"
    assert Decimal(quote.total) == Decimal("1140.00")


def test_without_a_team_manager_sales_managers_then_admins_incl_superusers_are_asked(
    world: World, make_user: Any
) -> None:
    quote = quote_with(world, (world.platform, "1", "40"), owner=world.other_ae)
    world.team.manager = None
    world.team.save()
    managers = actions.approvers(quote, world.other_ae)
    assert managers == [world.manager, world.other_manager]  # every sales manager, by id
    world.manager.is_active = world.other_manager.is_active = False
    world.manager.save()
    world.other_manager.save()
    root = make_user(Role.MARKETER, username="root", is_superuser=True)  # acts as admin
    assert actions.approvers(quote, world.other_ae) == [world.admin, root]
    assert actions.approvers(quote, root) == [world.admin]  # never the requester
