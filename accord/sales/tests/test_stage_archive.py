"""Archiving and restoring pipeline stages: the actions (each refusal leaves the database as it was),
current work leaving archived stages out (board, table, forecast, pickers, deal create and move, page
and API), history keeping them by name, the API per role and the settings page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accord.accounts.models import Role
from accord.core.errors import Conflict, Invalid
from accord.sales import actions, pipeline_actions, queries
from accord.sales.forms import DealForm
from accord.sales.models import Deal
from accord.sales.tests.checks import refused, snapshot
from accord.sales.tests.fixtures import stage

pytestmark = pytest.mark.django_db
JSON = "application/json"
T0 = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def board_names(pipeline):
    """Active stages in board order."""
    return list(pipeline.stages.filter(archived_at=None).order_by("position").values_list("name", flat=True))


def archived_names(pipeline):
    return list(pipeline.stages.exclude(archived_at=None).order_by("position").values_list("name", flat=True))


def assert_positions_packed(pipeline):
    """Positions are 0…n-1, the active stages first."""
    rows = list(pipeline.stages.order_by("position").values_list("position", "archived_at"))
    assert [p for p, _ in rows] == list(range(len(rows)))
    flags = [a is not None for _, a in rows]
    assert flags == sorted(flags)


def used_and_left(pipeline, owner):
    """A deal that went through Qualification and now sits in Discovery: Qualification has only history."""
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=owner)
    actions.move_deal(deal, stage(pipeline, "Discovery"), by=owner)
    return deal


# ---------------------------------------------------------------- actions: archive
def test_archiving_a_stage_only_history_points_at(pipeline, ae):
    used_and_left(pipeline, ae)
    qualification = stage(pipeline, "Qualification")
    with time_machine.travel(T0, tick=False):
        returned = pipeline_actions.archive_stage(qualification)
    assert returned is qualification and qualification.archived_at == T0
    assert stage(pipeline, "Qualification").archived_at == T0
    assert board_names(pipeline) == [
        "Discovery", "Demo", "Proposal", "Negotiation", "Closed won", "Closed lost",
    ]  # fmt: skip
    assert archived_names(pipeline) == ["Qualification"]
    assert qualification.position == 6 == stage(pipeline, "Qualification").position
    assert_positions_packed(pipeline)
    # a second archived stage goes after the first
    pipeline_actions.archive_stage(stage(pipeline, "Demo"))
    assert archived_names(pipeline) == ["Qualification", "Demo"]
    assert_positions_packed(pipeline)


def test_a_stage_with_deals_is_not_archived_whatever_their_status(pipeline, ae, competitor):
    demo = stage(pipeline, "Demo")
    actions.create_deal(name="Acme", pipeline=pipeline, stage=demo, owner=ae)
    actions.create_deal(name="Globex", pipeline=pipeline, stage=demo, owner=ae)
    error = refused(Conflict, pipeline_actions.archive_stage, demo)
    assert error.code == "stage_has_deals" and error.status == 409
    assert "Move its 2 deals to another stage first" in error.message
    # closed deals sit in their won/lost stage: that stage keeps them (a second lost stage exists, so
    # the refusal is about the deal, not about the outcomes)
    pipeline_actions.add_stage(pipeline, name="Lost: no decision", probability=0, outcome="lost")
    lost = actions.create_deal(name="Initech", pipeline=pipeline, owner=ae)
    actions.lose_deal(lost, by=ae, reason="Price", competitor=competitor)
    error = refused(Conflict, pipeline_actions.archive_stage, stage(pipeline, "Closed lost"))
    assert error.code == "stage_has_deals" and "Move its 1 deal to another stage first" in error.message


def test_archiving_keeps_an_active_open_won_and_lost_stage(pipeline):
    error = refused(Conflict, pipeline_actions.archive_stage, stage(pipeline, "Closed won"))
    assert error.code == "pipeline_needs_outcomes" and "without a won stage" in error.message
    assert "Archiving “Closed won”" in error.message
    error = refused(Conflict, pipeline_actions.archive_stage, stage(pipeline, "Closed lost"))
    assert "without a lost stage" in error.message
    for name in ("Qualification", "Discovery", "Demo", "Proposal"):
        pipeline_actions.archive_stage(stage(pipeline, name))
    error = refused(Conflict, pipeline_actions.archive_stage, stage(pipeline, "Negotiation"))
    assert error.code == "pipeline_needs_outcomes" and "without an open stage" in error.message
    # archived open stages do not count for deleting or editing the last active one either
    error = refused(Conflict, pipeline_actions.delete_stage, stage(pipeline, "Negotiation"))
    assert error.code == "pipeline_needs_outcomes"
    error = refused(Conflict, pipeline_actions.update_stage, stage(pipeline, "Negotiation"), outcome="won")
    assert error.code == "pipeline_needs_outcomes" and "without an open stage" in error.message


def test_archiving_an_archived_stage_and_restoring_an_active_one_change_nothing(pipeline):
    demo = stage(pipeline, "Demo")
    with time_machine.travel(T0, tick=False):
        pipeline_actions.archive_stage(demo)
    before = snapshot()
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        again = pipeline_actions.archive_stage(stage(pipeline, "Demo"))
    assert again.archived_at == T0 and snapshot() == before
    proposal = stage(pipeline, "Proposal")
    assert pipeline_actions.restore_stage(proposal).archived_at is None
    assert snapshot() == before


def test_restoring_puts_a_stage_back_where_a_new_one_would_go(pipeline):
    for name in ("Qualification", "Demo"):
        pipeline_actions.archive_stage(stage(pipeline, name))
    pipeline_actions.add_stage(pipeline, name="Won: pilot", probability=100, outcome="won")
    pipeline_actions.archive_stage(stage(pipeline, "Won: pilot"))
    assert archived_names(pipeline) == ["Qualification", "Demo", "Won: pilot"]
    restored = pipeline_actions.restore_stage(stage(pipeline, "Qualification"))
    # an open stage: before the first won/lost stage (not at its old place at the front)
    assert restored.archived_at is None and restored.position == 3
    assert board_names(pipeline) == [
        "Discovery", "Proposal", "Negotiation", "Qualification", "Closed won", "Closed lost",
    ]  # fmt: skip
    assert archived_names(pipeline) == ["Demo", "Won: pilot"]
    assert_positions_packed(pipeline)
    pipeline_actions.restore_stage(stage(pipeline, "Won: pilot"))  # a won stage: last of the active ones
    assert board_names(pipeline)[-3:] == ["Closed won", "Closed lost", "Won: pilot"]
    assert archived_names(pipeline) == ["Demo"]
    assert_positions_packed(pipeline)


def test_restoring_is_refused_at_the_stage_limit(pipeline):
    pipeline_actions.archive_stage(stage(pipeline, "Demo"))
    for n in range(pipeline_actions.MAX_STAGES - len(board_names(pipeline))):
        pipeline_actions.add_stage(pipeline, name=f"Step {n}", probability=50)
    assert len(board_names(pipeline)) == pipeline_actions.MAX_STAGES  # the archived one does not count
    error = refused(Conflict, pipeline_actions.restore_stage, stage(pipeline, "Demo"))
    assert error.code == "too_many_stages" and "archive or delete one first" in error.message
    refused(Invalid, pipeline_actions.add_stage, pipeline, name="One more", probability=5)


def test_reorder_and_move_work_on_the_active_stages(pipeline):
    qualification = stage(pipeline, "Qualification")
    pipeline_actions.archive_stage(qualification)
    active = list(pipeline.stages.filter(archived_at=None).order_by("position").values_list("pk", flat=True))
    error = refused(Invalid, pipeline_actions.reorder_stages, pipeline, [*active, qualification.pk])
    assert f"archived: {qualification.pk}" in error.message
    pipeline_actions.reorder_stages(pipeline, active[::-1])
    assert board_names(pipeline)[0] == "Closed lost" and archived_names(pipeline) == ["Qualification"]
    assert_positions_packed(pipeline)
    error = refused(Conflict, pipeline_actions.move_stage, stage(pipeline, "Qualification"), -1)
    assert error.code == "stage_archived" and "restore it before moving it" in error.message
    last = stage(pipeline, "Discovery")  # last active stage after the reversal
    assert board_names(pipeline)[-1] == "Discovery"
    before = snapshot()
    pipeline_actions.move_stage(last, 1)  # at the end of the active stages: stays put
    assert snapshot() == before
    pipeline_actions.move_stage(last, -1)
    assert board_names(pipeline)[-2:] == ["Discovery", "Demo"] and archived_names(pipeline) == [
        "Qualification"
    ]
    assert_positions_packed(pipeline)


def test_adding_and_naming_stages_next_to_archived_ones(pipeline):
    pipeline_actions.archive_stage(stage(pipeline, "Demo"))
    pilot = pipeline_actions.add_stage(pipeline, name="Pilot", probability=50)
    assert board_names(pipeline)[-3:] == ["Pilot", "Closed won", "Closed lost"]
    assert pilot.position == 4 and archived_names(pipeline) == ["Demo"]
    assert_positions_packed(pipeline)
    first = pipeline_actions.add_stage(pipeline, name="Lead in", probability=5, position=0)
    assert board_names(pipeline)[0] == "Lead in" and first.position == 0
    assert_positions_packed(pipeline)
    error = refused(Conflict, pipeline_actions.add_stage, pipeline, name="demo", probability=5)
    assert error.code == "duplicate_name" and "archived stage named “demo”" in error.message
    error = refused(Conflict, pipeline_actions.update_stage, pilot, name="Demo")
    assert error.field_errors == {"name": ["An archived stage of this pipeline has this name."]}
    # an archived stage can still be renamed (history shows the new name)
    renamed = pipeline_actions.update_stage(stage(pipeline, "Demo"), name="Demo (old)")
    assert renamed.archived_at is not None and archived_names(pipeline) == ["Demo (old)"]


def test_a_new_pipeline_copies_only_the_active_stages(pipeline):
    pipeline_actions.archive_stage(stage(pipeline, "Demo"))
    upsell = pipeline_actions.create_pipeline("Upsell")
    assert "Demo" not in board_names(upsell) and len(board_names(upsell)) == 6
    assert not upsell.stages.exclude(archived_at=None).exists()


def test_deleting_a_stage_with_history_points_to_archive(pipeline, ae):
    used_and_left(pipeline, ae)
    qualification = stage(pipeline, "Qualification")
    error = refused(Conflict, pipeline_actions.delete_stage, qualification)
    assert error.code == "stage_has_history" and "Archive it instead" in error.message
    pipeline_actions.archive_stage(qualification)
    error = refused(Conflict, pipeline_actions.delete_stage, stage(pipeline, "Qualification"))
    assert error.code == "stage_has_history" and "It is archived" in error.message
    # an archived stage no deal ever used can still be deleted; positions stay packed
    pipeline_actions.archive_stage(stage(pipeline, "Negotiation"))
    pipeline_actions.delete_stage(stage(pipeline, "Negotiation"))
    assert archived_names(pipeline) == ["Qualification"]
    assert_positions_packed(pipeline)


# ---------------------------------------------------------------- deals and archived stages
def test_no_deal_is_created_in_an_archived_stage(pipeline, ae):
    pipeline_actions.archive_stage(stage(pipeline, "Qualification"))
    error = refused(
        Conflict, actions.create_deal, name="Acme", pipeline=pipeline, stage=stage(pipeline, "Qualification")
    )
    assert error.code == "stage_archived" and error.field_errors == {
        "stage": ["This stage is archived; pick an active stage."]
    }
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)  # the first active stage
    assert deal.stage.name == "Discovery"


def test_no_deal_moves_into_an_archived_stage(pipeline, ae, manager, competitor):
    pipeline_actions.add_stage(pipeline, name="Lost: no decision", probability=0, outcome="lost")
    pipeline_actions.add_stage(pipeline, name="Won: pilot", probability=100, outcome="won")
    for name in ("Demo", "Lost: no decision", "Won: pilot"):
        pipeline_actions.archive_stage(stage(pipeline, name))
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    error = refused(Conflict, actions.move_deal, deal, stage(pipeline, "Demo"), by=ae)
    assert error.code == "stage_archived" and "“Demo” is archived" in error.message
    # a closing move is refused for the stage, before any missing reason
    refused(Conflict, actions.move_deal, deal, stage(pipeline, "Won: pilot"), by=ae)
    error = refused(
        Conflict, actions.move_deal, deal, stage(pipeline, "Lost: no decision"), by=ae, reason="Price",
        competitor=competitor,
    )  # fmt: skip
    assert error.code == "stage_archived"
    refused(Conflict, actions.win_deal, deal, by=ae, reason="Fit", stage=stage(pipeline, "Won: pilot"))
    refused(
        Conflict, actions.lose_deal, deal, by=ae, reason="Price", competitor=competitor,
        stage=stage(pipeline, "Lost: no decision"),
    )  # fmt: skip
    # a stage object read before the stage was archived is refused too: the check runs under the lock
    stale = stage(pipeline, "Proposal")
    pipeline_actions.archive_stage(stage(pipeline, "Proposal"))
    assert stale.archived_at is None
    assert refused(Conflict, actions.move_deal, deal, stale, by=ae).code == "stage_archived"
    # win and lose without a stage use the active won/lost stage
    actions.win_deal(deal, by=ae, reason="Fit")
    assert Deal.objects.get(pk=deal.pk).stage.name == "Closed won"
    refused(Conflict, actions.reopen_deal, deal, by=manager, reason="Back", stage=stage(pipeline, "Demo"))


def test_reopen_skips_a_last_open_stage_that_was_archived_since(pipeline, ae, manager, competitor):
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    actions.move_deal(deal, stage(pipeline, "Discovery"), by=ae)
    actions.move_deal(deal, stage(pipeline, "Proposal"), by=ae)
    actions.lose_deal(deal, by=ae, reason="Budget", competitor=competitor)
    pipeline_actions.archive_stage(stage(pipeline, "Proposal"))
    actions.reopen_deal(deal, by=manager, reason="Budget came back")
    assert Deal.objects.get(pk=deal.pk).stage.name == "Discovery"  # the last one still active


def test_history_and_time_in_stage_keep_the_archived_stage(client, pipeline, ae):
    with time_machine.travel(T0, tick=False):
        deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        actions.move_deal(deal, stage(pipeline, "Discovery"), by=ae)
    qualification = stage(pipeline, "Qualification")
    pipeline_actions.archive_stage(qualification)
    history = queries.stage_history(deal, T0 + timedelta(days=5))
    assert [row.change.to_stage.name for row in history] == ["Qualification", "Discovery"]
    assert history[0].change.to_stage.is_archived
    assert queries.time_in_stage(deal, T0 + timedelta(days=5))[qualification.pk] == timedelta(days=2)
    client.force_login(ae)
    html = client.get(deal.get_absolute_url()).content.decode()
    table = html.split('data-testid="stage-history"')[1].split("</table>")[0]
    assert 'Qualification <span class="muted" data-testid="archived-stage">(archived)</span>' in table
    assert table.count("(archived)") == 1  # Discovery is active
    # the deal page's "Move" picker leaves it out
    picker = html.split('id="deal-move"')[1].split("</select>")[0]
    assert f'value="{qualification.pk}"' not in picker and f'value="{stage(pipeline, "Demo").pk}"' in picker


# ---------------------------------------------------------------- current work leaves them out
def test_board_table_forecast_and_pickers_leave_archived_stages_out(client, pipeline, ae):
    deal = actions.create_deal(
        name="Acme", pipeline=pipeline, amount=1000, owner=ae, expected_close=date(2025, 10, 3)
    )
    actions.move_deal(deal, stage(pipeline, "Demo"), by=ae)
    client.force_login(ae)
    forecast_before = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk}).context["forecast"]
    api_forecast_before = queries.forecast_by_month(Deal.objects.all())
    discovery = stage(pipeline, "Discovery")
    pipeline_actions.archive_stage(discovery)

    board = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk})
    assert [c.stage.name for c in board.context["columns"]] == board_names(pipeline)
    assert "Discovery" not in [s.name for s in board.context["stages"]]
    html = board.content.decode()
    assert 'data-testid="column-discovery"' not in html and 'data-testid="column-demo"' in html
    move_select = html.split(f'id="move-{deal.pk}"')[1].split("</select>")[0]
    assert f'value="{discovery.pk}"' not in move_select
    assert f'value="{stage(pipeline, "Proposal").pk}"' in move_select
    partial = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk}, headers={"HX-Request": "true"})
    assert 'data-testid="column-discovery"' not in partial.content.decode()
    # the forecast: archiving a stage without deals leaves it as it was (deals are never in one)
    assert board.context["forecast"] == forecast_before
    assert queries.forecast_by_month(Deal.objects.all()) == api_forecast_before
    assert api_forecast_before[0].weighted == 400

    table = client.get(reverse("sales:deal_list"), {"pipeline": pipeline.pk})
    rows = table.content.decode().split('data-testid="deal-table"')[1]
    assert "Demo" in rows and "Discovery" not in rows
    assert (
        client.get(reverse("sales:deal_list"), {"stage": discovery.pk}).context["page"].paginator.count == 0
    )

    form = DealForm()
    choices = list(form.fields["stage"].queryset)  # type: ignore[attr-defined]
    assert discovery not in choices and stage(pipeline, "Demo") in choices
    page = client.get(reverse("sales:deal_create")).content.decode()
    assert f'value="{discovery.pk}"' not in page.split('name="stage"')[1].split("</select>")[0]


def test_the_new_deal_page_refuses_an_archived_stage(client, pipeline, ae):
    discovery = stage(pipeline, "Discovery")
    pipeline_actions.archive_stage(discovery)
    client.force_login(ae)
    data = {"name": "Acme", "pipeline": pipeline.pk, "stage": discovery.pk, "amount": "10", "currency": "USD"}
    response = client.post(reverse("sales:deal_create"), data)
    assert response.status_code == 422 and "stage" in response.context["form"].errors
    assert not Deal.objects.exists()


def test_moving_into_an_archived_stage_on_the_page_is_refused(client, pipeline, ae):
    pipeline_actions.add_stage(pipeline, name="Lost: no decision", probability=0, outcome="lost")
    for name in ("Demo", "Lost: no decision"):
        pipeline_actions.archive_stage(stage(pipeline, name))
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    client.force_login(ae)
    url = reverse("sales:deal_move", args=[deal.pk])
    before = snapshot()
    response = client.post(url, {"stage": stage(pipeline, "Demo").pk}, headers={"Accept": JSON})
    assert response.status_code == 409 and response.json()["code"] == "stage_archived"
    assert response.json()["field_errors"] == {"stage": ["This stage is archived; pick an active stage."]}
    # the no-JS form: back to the board with the message, and not off to the close page for a lost stage
    for name in ("Demo", "Lost: no decision"):
        response = client.post(url, {"stage": stage(pipeline, name).pk, "next": "/sales/"}, follow=True)
        assert response.redirect_chain[-1][0] == "/sales/"
        assert f"“{name}” is archived; a deal cannot be moved into it." in response.content.decode()
    assert snapshot() == before


def test_moving_or_creating_into_an_archived_stage_through_the_api_is_refused(pipeline, ae, api_client_for):
    demo = stage(pipeline, "Demo")
    pipeline_actions.archive_stage(demo)
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    api = api_client_for(ae)
    before = snapshot()
    moved = api.post(f"/api/sales/deals/{deal.pk}/move", {"stage": demo.pk}, content_type=JSON)
    assert moved.status_code == 409 and moved.json()["code"] == "stage_archived"
    created = api.post("/api/sales/deals", {"name": "New", "stage": demo.pk}, content_type=JSON)
    assert created.status_code == 409 and created.json()["field_errors"]["stage"]
    assert snapshot() == before
    history = api.get(f"/api/sales/deals/{deal.pk}/history").json()
    assert [h["to_stage_id"] for h in history] == [stage(pipeline, "Qualification").pk]


# ---------------------------------------------------------------- API
def test_api_archive_and_restore_by_a_sales_manager(pipeline, manager, ae, api_client_for):
    api = api_client_for(manager)
    base = f"/api/sales/pipelines/{pipeline.pk}/stages"
    demo = stage(pipeline, "Demo")
    with time_machine.travel(T0, tick=False):
        archived = api.post(f"{base}/{demo.pk}/archive")
    assert archived.status_code == 200, archived.content
    body = archived.json()
    assert (body["id"], body["name"], body["position"]) == (demo.pk, "Demo", 6)
    assert body["archived_at"].startswith("2025-09-01T09:00:00")
    again = api.post(f"{base}/{demo.pk}/archive")  # idempotent
    assert again.status_code == 200 and again.json()["archived_at"] == body["archived_at"]

    stages = api.get("/api/sales/pipelines").json()[0]["stages"]
    assert [s["name"] for s in stages][-1] == "Demo" and stages[-1]["archived_at"] is not None
    assert all(s["archived_at"] is None for s in stages[:-1])

    active_ids = [s["id"] for s in stages[:-1]]
    wrong = api.post(f"{base}/order", {"stage_ids": [*active_ids, demo.pk]}, content_type=JSON)
    assert wrong.status_code == 422 and f"archived: {demo.pk}" in wrong.json()["message"]
    assert api.post(f"{base}/order", {"stage_ids": active_ids}, content_type=JSON).status_code == 200

    restored = api.post(f"{base}/{demo.pk}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert restored.json()["position"] == 4  # before Closed won
    assert api.post(f"{base}/{demo.pk}/restore").status_code == 200  # idempotent

    actions.create_deal(name="Acme", pipeline=pipeline, stage=stage(pipeline, "Proposal"), owner=ae)
    has_deals = api.post(f"{base}/{stage(pipeline, 'Proposal').pk}/archive")
    assert has_deals.status_code == 409 and has_deals.json()["code"] == "stage_has_deals"
    assert "Move its 1 deal to another stage first" in has_deals.json()["message"]
    only_won = api.post(f"{base}/{stage(pipeline, 'Closed won').pk}/archive")
    assert only_won.status_code == 409 and only_won.json()["code"] == "pipeline_needs_outcomes"


def test_api_archive_and_restore_unknown_ids_are_404(pipeline, manager, api_client_for):
    api = api_client_for(manager)
    demo = stage(pipeline, "Demo")
    upsell = pipeline_actions.create_pipeline("Upsell")
    for verb in ("archive", "restore"):
        for url in (
            f"/api/sales/pipelines/999999/stages/{demo.pk}/{verb}",
            f"/api/sales/pipelines/{pipeline.pk}/stages/999999/{verb}",
            f"/api/sales/pipelines/{upsell.pk}/stages/{demo.pk}/{verb}",  # a stage of another pipeline
        ):
            response = api.post(url)
            assert response.status_code == 404 and response.json()["code"] == "not_found", url
    assert stage(pipeline, "Demo").archived_at is None


@pytest.mark.parametrize("role", [Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.MARKETER, Role.MARKETING_MANAGER])
def test_api_archive_and_restore_need_the_pipeline_change_grant(pipeline, make_user, api_client_for, role):
    pipeline_actions.archive_stage(stage(pipeline, "Discovery"))
    api = api_client_for(make_user(role))
    base = f"/api/sales/pipelines/{pipeline.pk}/stages"
    before = snapshot()
    for url in (
        f"{base}/{stage(pipeline, 'Demo').pk}/archive",
        f"{base}/{stage(pipeline, 'Discovery').pk}/restore",
    ):
        response = api.post(url)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot() == before


# ---------------------------------------------------------------- the settings page
def test_a_manager_archives_and_restores_on_the_settings_page(client, pipeline, manager, ae):
    used_and_left(pipeline, ae)
    qualification = stage(pipeline, "Qualification")
    client.force_login(manager)
    page = client.get(reverse("sales:pipeline_settings")).content.decode()
    archive_url = reverse("sales:stage_archive", args=[qualification.pk])
    assert f'href="{archive_url}"' in page and f'data-testid="archived-stages-{pipeline.pk}"' not in page
    confirm = client.get(archive_url)
    assert confirm.status_code == 200 and "Archive stage</button>" in confirm.content.decode()
    assert stage(pipeline, "Qualification").archived_at is None  # GET only asks
    done = client.post(archive_url, follow=True)
    assert done.redirect_chain[0] == (f"{reverse('sales:pipeline_settings')}#pipeline-{pipeline.pk}", 302)
    html = done.content.decode()
    assert "Stage “Qualification” archived: it is off the board of “New business”." in html
    assert stage(pipeline, "Qualification").archived_at is not None
    section = html.split(f'data-testid="archived-stages-{pipeline.pk}"')[1].split("</details>")[0]
    assert "Archived stages (1)" in section and "Qualification" in section
    assert f'data-testid="restore-{qualification.pk}"' in section
    active = html.split(f'data-testid="pipeline-{pipeline.pk}"')[1].split("</table>")[0]
    assert f'data-testid="stage-{qualification.pk}"' not in active
    assert f'data-testid="archive-{qualification.pk}"' not in active
    # archiving again from a stale page: nothing changes, it says so
    assert "Archived already" in client.get(archive_url).content.decode()

    restored = client.post(reverse("sales:stage_restore", args=[qualification.pk]), follow=True)
    assert "Stage “Qualification” restored to the board of “New business”." in restored.content.decode()
    assert stage(pipeline, "Qualification").archived_at is None
    assert board_names(pipeline)[-3:] == ["Qualification", "Closed won", "Closed lost"]


def test_the_settings_page_shows_why_archiving_is_refused(client, pipeline, manager, ae):
    demo = stage(pipeline, "Demo")
    actions.create_deal(name="Acme", pipeline=pipeline, stage=demo, owner=ae)
    client.force_login(manager)
    url = reverse("sales:stage_archive", args=[demo.pk])
    confirm = client.get(url).content.decode()
    assert "Move its 1 deal to another stage first" in confirm and "Archive stage</button>" not in confirm
    before = snapshot()
    response = client.post(url)
    assert (
        response.status_code == 409 and "Move its 1 deal to another stage first" in response.content.decode()
    )
    won = client.post(reverse("sales:stage_archive", args=[stage(pipeline, "Closed won").pk]))
    assert won.status_code == 409 and "without a won stage" in won.content.decode()
    assert snapshot() == before
    # moving an archived stage with the arrows says why not
    pipeline_actions.archive_stage(stage(pipeline, "Discovery"))
    moved = client.post(
        reverse("sales:stage_move", args=[stage(pipeline, "Discovery").pk]), {"direction": "up"}, follow=True
    )
    assert "“Discovery” is archived; restore it before moving it." in moved.content.decode()


def test_a_refused_delete_offers_archive(client, pipeline, manager, ae):
    used_and_left(pipeline, ae)
    qualification = stage(pipeline, "Qualification")
    client.force_login(manager)
    html = client.get(reverse("sales:stage_delete", args=[qualification.pk])).content.decode()
    assert "Archive it instead" in html
    assert (
        f'href="{reverse("sales:stage_archive", args=[qualification.pk])}" data-testid="archive-instead"'
        in html
    )
    pipeline_actions.archive_stage(qualification)
    html = client.get(reverse("sales:stage_delete", args=[qualification.pk])).content.decode()
    assert "It is archived" in html and 'data-testid="archive-instead"' not in html


@pytest.mark.parametrize("role", [Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.MARKETING_MANAGER])
def test_other_roles_see_archived_stages_but_no_buttons(client, pipeline, make_user, role):
    discovery = stage(pipeline, "Discovery")
    demo = stage(pipeline, "Demo")
    pipeline_actions.archive_stage(discovery)
    client.force_login(make_user(role))
    html = client.get(reverse("sales:pipeline_settings")).content.decode()
    assert f'data-testid="archived-stage-{discovery.pk}"' in html
    assert reverse("sales:stage_archive", args=[demo.pk]) not in html
    assert reverse("sales:stage_restore", args=[discovery.pk]) not in html
    before = snapshot()
    assert client.get(reverse("sales:stage_archive", args=[demo.pk])).status_code == 403
    assert client.post(reverse("sales:stage_archive", args=[demo.pk])).status_code == 403
    assert client.post(reverse("sales:stage_restore", args=[discovery.pk])).status_code == 403
    assert snapshot() == before


def test_archive_and_restore_pages_of_unknown_stages_are_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("sales:stage_archive", args=[999999])).status_code == 404
    assert client.post(reverse("sales:stage_archive", args=[999999])).status_code == 404
    assert client.post(reverse("sales:stage_restore", args=[999999])).status_code == 404
    assert client.get(reverse("sales:stage_restore", args=[999999])).status_code == 405
