"""Pipeline settings: the actions (each refusal leaves the database as it was), the API per role,
the settings pages and the board's pipeline switcher."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from accord.accounts.models import Role
from accord.core.errors import Conflict, Invalid
from accord.sales import actions, pipeline_actions
from accord.sales.models import Pipeline, PipelineStage
from accord.sales.pipeline_actions import STANDARD_STAGES
from accord.sales.tests.checks import refused, snapshot
from accord.sales.tests.fixtures import stage

pytestmark = pytest.mark.django_db
JSON = "application/json"


def layout(pipeline):
    return [(s.name, s.probability, s.outcome, s.rotting_days) for s in pipeline.stages.order_by("position")]


def names(pipeline):
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


def positions(pipeline):
    return list(pipeline.stages.order_by("position").values_list("position", flat=True))


# ---------------------------------------------------------------- actions: pipelines
def test_the_first_pipeline_gets_the_standard_stages_and_is_the_default(db):
    first = pipeline_actions.create_pipeline("  Sales  ")
    assert first.name == "Sales" and first.is_default
    assert layout(first) == [tuple(row) for row in STANDARD_STAGES]
    assert names(first) == [
        "Qualification",
        "Discovery",
        "Demo",
        "Proposal",
        "Negotiation",
        "Closed won",
        "Closed lost",
    ]
    assert positions(first) == list(range(7))


def test_a_new_pipeline_copies_the_default_pipelines_stages(pipeline):
    pipeline_actions.update_stage(stage(pipeline, "Demo"), rotting_days=None, probability=35)
    upsell = pipeline_actions.create_pipeline("Upsell")
    assert not upsell.is_default and Pipeline.objects.get(pk=pipeline.pk).is_default
    assert layout(upsell) == layout(pipeline)
    assert ("Demo", 35, "open", None) in layout(upsell)
    assert len(layout(upsell)) == len(STANDARD_STAGES)
    assert not set(upsell.stages.values_list("pk", flat=True)) & set(
        pipeline.stages.values_list("pk", flat=True)
    )


def test_creating_a_default_pipeline_moves_the_default(pipeline):
    renewals = pipeline_actions.create_pipeline("Renewals", is_default=True)
    assert list(Pipeline.objects.filter(is_default=True)) == [renewals]


def test_pipeline_names_are_required_short_and_unique(pipeline):
    error = refused(Conflict, pipeline_actions.create_pipeline, "new BUSINESS")
    assert error.code == "duplicate_name" and "“new BUSINESS” exists already" in error.message
    assert error.field_errors == {"name": ["Another pipeline has this name."]}
    assert refused(Invalid, pipeline_actions.create_pipeline, "   ").field_errors["name"]
    assert refused(Invalid, pipeline_actions.create_pipeline, "x" * 101).field_errors["name"] == [
        "At most 100 characters."
    ]
    upsell = pipeline_actions.create_pipeline("Upsell")
    assert (
        refused(Conflict, pipeline_actions.rename_pipeline, upsell, "New business").code == "duplicate_name"
    )
    pipeline_actions.rename_pipeline(upsell, "Expansion")
    assert Pipeline.objects.get(pk=upsell.pk).name == "Expansion" and upsell.name == "Expansion"


def test_exactly_one_pipeline_is_the_default(pipeline):
    upsell = pipeline_actions.create_pipeline("Upsell")
    pipeline_actions.make_default_pipeline(upsell)
    assert list(Pipeline.objects.filter(is_default=True)) == [upsell]
    pipeline_actions.make_default_pipeline(upsell)  # again: nothing changes
    assert list(Pipeline.objects.filter(is_default=True)) == [upsell]
    error = refused(Invalid, pipeline_actions.update_pipeline, upsell, is_default=False)
    assert "another pipeline is made the default" in error.message


def test_a_pipeline_with_deals_the_only_or_the_default_pipeline_is_not_deleted(pipeline, ae):
    upsell = pipeline_actions.create_pipeline("Upsell")
    actions.create_deal(name="Acme", pipeline=upsell, owner=ae)
    actions.create_deal(name="Globex", pipeline=upsell, owner=ae)
    error = refused(Conflict, pipeline_actions.delete_pipeline, upsell)
    assert error.code == "pipeline_has_deals" and "has 2 deals" in error.message
    error = refused(Conflict, pipeline_actions.delete_pipeline, pipeline)
    assert error.code == "default_pipeline" and "Make another pipeline the default first" in error.message
    lonely = pipeline_actions.create_pipeline("Partners")
    pipeline_actions.delete_pipeline(lonely)
    assert not Pipeline.objects.filter(pk=lonely.pk).exists()
    assert not PipelineStage.objects.filter(pipeline_id=lonely.pk).exists()


def test_the_only_pipeline_is_not_deleted(db):
    only = pipeline_actions.create_pipeline("Sales")
    Pipeline.objects.filter(pk=only.pk).update(is_default=False)  # even when not marked default
    error = refused(Conflict, pipeline_actions.delete_pipeline, only)
    assert error.code == "only_pipeline" and "only pipeline" in error.message


# ---------------------------------------------------------------- actions: stages
def test_a_new_open_stage_goes_before_the_closed_ones(pipeline):
    added = pipeline_actions.add_stage(pipeline, name="Security review", probability=70, rotting_days=5)
    assert names(pipeline)[-3:] == ["Security review", "Closed won", "Closed lost"]
    assert (added.position, added.rotting_days, added.outcome) == (5, 5, "open")
    pipeline_actions.add_stage(pipeline, name="Churned", probability=0, outcome="lost")
    assert names(pipeline)[-1] == "Churned"
    pipeline_actions.add_stage(pipeline, name="Lead", probability=5, position=0)
    assert names(pipeline)[0] == "Lead"
    assert positions(pipeline) == list(range(len(STANDARD_STAGES) + 3))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "probability": 10}, "name"),
        ({"name": "Demo", "probability": 10}, "name"),  # taken in this pipeline
        ({"name": "X" * 101, "probability": 10}, "name"),
        ({"name": "X", "probability": 101}, "probability"),
        ({"name": "X", "probability": -1}, "probability"),
        ({"name": "X", "probability": "50"}, "probability"),
        ({"name": "X", "probability": 10, "rotting_days": -1}, "rotting_days"),
        ({"name": "X", "probability": 10, "rotting_days": 99999}, "rotting_days"),
        ({"name": "X", "probability": 10, "outcome": "pending"}, "outcome"),
        ({"name": "X", "probability": 10, "position": -2}, "position"),
    ],
)
def test_an_invalid_stage_is_refused(pipeline, fields, field):
    error = refused((Invalid, Conflict), pipeline_actions.add_stage, pipeline, **fields)
    assert field in error.field_errors


def test_editing_a_stage(pipeline):
    demo = stage(pipeline, "Demo")
    pipeline_actions.update_stage(demo, name="Live demo", probability=45, rotting_days=None, outcome="open")
    demo.refresh_from_db()
    assert (demo.name, demo.probability, demo.rotting_days) == ("Live demo", 45, None)
    error = refused(Invalid, pipeline_actions.update_stage, demo, probability=101, rotting_days=-3)
    assert set(error.field_errors) == {"probability", "rotting_days"}
    assert refused(Conflict, pipeline_actions.update_stage, demo, name="proposal").code == "duplicate_name"
    assert refused(Invalid, pipeline_actions.update_stage, demo, pipeline=3).message.startswith(
        "Unknown field"
    )


def test_a_stage_outcome_does_not_change_under_deals_nor_leave_a_pipeline_without_one(pipeline, ae):
    demo = stage(pipeline, "Demo")
    actions.create_deal(name="Acme", pipeline=pipeline, stage=demo, owner=ae)
    error = refused(Conflict, pipeline_actions.update_stage, demo, outcome="won")
    assert error.code == "stage_has_deals" and "1 deal is in “Demo”" in error.message
    lost = stage(pipeline, "Closed lost")
    error = refused(Conflict, pipeline_actions.update_stage, lost, outcome="won")
    assert error.code == "pipeline_needs_outcomes" and "without a lost stage" in error.message
    pipeline_actions.update_stage(
        stage(pipeline, "Negotiation"), outcome="lost"
    )  # another lost stage is fine
    assert stage(pipeline, "Negotiation").outcome == "lost"


def test_reordering_rewrites_every_position(pipeline):
    ids = list(pipeline.stages.order_by("position").values_list("pk", flat=True))
    new_order = [ids[-1], *ids[1:-1], ids[0]]
    pipeline_actions.reorder_stages(pipeline, new_order)
    assert list(pipeline.stages.order_by("position").values_list("pk", flat=True)) == new_order
    assert positions(pipeline) == list(range(len(ids)))
    other = pipeline_actions.create_pipeline("Upsell")
    foreign = other.stages.order_by("position")[0].pk
    for bad in (ids[:-1], [*ids, ids[0]], [*ids[:-1], foreign], [*ids[:-1], ids[0]]):
        error = refused(Invalid, pipeline_actions.reorder_stages, pipeline, bad)
        assert "exactly once" in error.message and error.field_errors["stage_ids"]


def test_moving_a_stage_up_and_down(pipeline):
    demo = stage(pipeline, "Demo")
    pipeline_actions.move_stage(demo, -1)
    assert names(pipeline)[:3] == ["Qualification", "Demo", "Discovery"]
    pipeline_actions.move_stage(demo, 1)
    assert names(pipeline)[:3] == ["Qualification", "Discovery", "Demo"]
    first = stage(pipeline, "Qualification")
    before = snapshot()
    pipeline_actions.move_stage(first, -1)  # already first: stays
    assert snapshot() == before
    assert refused(Invalid, pipeline_actions.move_stage, first, 0).field_errors["direction"]


def test_deleting_stages(pipeline, ae):
    demo = stage(pipeline, "Demo")
    actions.create_deal(name="Acme", pipeline=pipeline, stage=demo, owner=ae)
    actions.create_deal(name="Globex", pipeline=pipeline, stage=demo, owner=ae)
    error = refused(Conflict, pipeline_actions.delete_stage, demo)
    assert error.code == "stage_has_deals" and "2 deals are in “Demo”" in error.message
    error = refused(Conflict, pipeline_actions.delete_stage, stage(pipeline, "Closed won"))
    assert error.code == "pipeline_needs_outcomes" and "without a won stage" in error.message
    pipeline_actions.delete_stage(stage(pipeline, "Negotiation"))
    assert "Negotiation" not in names(pipeline)
    assert positions(pipeline) == list(range(len(STANDARD_STAGES) - 1))


def test_a_stage_in_a_deals_history_is_kept(pipeline, ae):
    qualification = stage(pipeline, "Qualification")
    deal = actions.create_deal(name="Acme", pipeline=pipeline, owner=ae)
    actions.move_deal(deal, stage(pipeline, "Demo"))
    error = refused(Conflict, pipeline_actions.delete_stage, qualification)
    assert error.code == "stage_has_history" and "stage history of 1 deal" in error.message


def test_the_last_open_stage_is_kept(db):
    sales = pipeline_actions.create_pipeline("Sales")
    for name in ("Qualification", "Discovery", "Demo", "Proposal"):
        pipeline_actions.delete_stage(stage(sales, name))
    error = refused(Conflict, pipeline_actions.delete_stage, stage(sales, "Negotiation"))
    assert error.code == "pipeline_needs_outcomes" and "without an open stage" in error.message


# ---------------------------------------------------------------- API
@pytest.mark.parametrize("role", [Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.MARKETER])
def test_api_writes_need_the_pipeline_grant(pipeline, make_user, api_client_for, role):
    api = api_client_for(make_user(role))
    demo = stage(pipeline, "Demo")
    base = f"/api/sales/pipelines/{pipeline.pk}"
    before = snapshot()
    for response in (
        api.post("/api/sales/pipelines", {"name": "Upsell"}, content_type=JSON),
        api.patch(base, {"name": "Renamed"}, content_type=JSON),
        api.delete(base),
        api.post(f"{base}/stages", {"name": "X", "probability": 5}, content_type=JSON),
        api.patch(f"{base}/stages/{demo.pk}", {"probability": 5}, content_type=JSON),
        api.delete(f"{base}/stages/{demo.pk}"),
        api.post(f"{base}/stages/order", {"stage_ids": [demo.pk]}, content_type=JSON),
    ):
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert snapshot() == before
    assert api.get("/api/sales/pipelines").status_code == 200


def test_api_pipeline_and_stage_management_by_a_sales_manager(pipeline, manager, ae, api_client_for):
    api = api_client_for(manager)
    created = api.post("/api/sales/pipelines", {"name": "Upsell"}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_default"] is False and [s["name"] for s in body["stages"]] == [
        n for n, *_ in STANDARD_STAGES
    ]
    base = f"/api/sales/pipelines/{body['id']}"
    duplicate = api.post("/api/sales/pipelines", {"name": "upsell"}, content_type=JSON)
    assert duplicate.status_code == 409 and duplicate.json()["field_errors"] == {
        "name": ["Another pipeline has this name."]
    }
    assert api.patch(base, {"name": "Expansion", "is_default": True}, content_type=JSON).json()["is_default"]
    assert Pipeline.objects.get(pk=pipeline.pk).is_default is False
    assert api.patch(base, {"is_default": False}, content_type=JSON).status_code == 422
    assert api.patch(base, {"name": None}, content_type=JSON).status_code == 422

    added = api.post(
        f"{base}/stages", {"name": "Pilot", "probability": 50, "rotting_days": 3}, content_type=JSON
    )
    assert added.status_code == 201 and added.json()["outcome"] == "open"
    pilot = added.json()["id"]
    bad = api.post(f"{base}/stages", {"name": "Y", "probability": 101}, content_type=JSON)
    assert bad.status_code == 422 and "probability" in bad.json()["field_errors"]
    edited = api.patch(
        f"{base}/stages/{pilot}", {"rotting_days": None, "name": "Paid pilot"}, content_type=JSON
    )
    assert edited.status_code == 200 and (edited.json()["rotting_days"], edited.json()["name"]) == (
        None,
        "Paid pilot",
    )
    foreign = stage(pipeline, "Demo").pk
    assert api.patch(f"{base}/stages/{foreign}", {"probability": 1}, content_type=JSON).status_code == 404

    ids = [s["id"] for s in api.get("/api/sales/pipelines").json()[0]["stages"]]
    assert api.get("/api/sales/pipelines").json()[0]["name"] == "Expansion"  # the default comes first
    reordered = api.post(f"{base}/stages/order", {"stage_ids": ids[::-1]}, content_type=JSON)
    assert reordered.status_code == 200 and [s["id"] for s in reordered.json()["stages"]] == ids[::-1]
    wrong = api.post(f"{base}/stages/order", {"stage_ids": ids[1:]}, content_type=JSON)
    assert wrong.status_code == 422 and wrong.json()["field_errors"]["stage_ids"]

    expansion = Pipeline.objects.get(pk=body["id"])
    actions.create_deal(name="Acme", pipeline=expansion, stage=expansion.stages.get(pk=pilot), owner=ae)
    in_use = api.delete(f"{base}/stages/{pilot}")
    assert in_use.status_code == 409 and in_use.json()["code"] == "stage_has_deals"
    assert "1 deal is in" in in_use.json()["message"]
    has_deals = api.delete(f"{base}")
    assert has_deals.status_code == 409 and "has 1 deal " in has_deals.json()["message"]
    empty = expansion.stages.get(name="Discovery").pk
    assert api.delete(f"{base}/stages/{empty}").status_code == 204
    assert not PipelineStage.objects.filter(pk=empty).exists()
    assert api.delete(f"/api/sales/pipelines/{pipeline.pk}").status_code == 204  # empty, no longer default
    assert api.delete("/api/sales/pipelines/999999").status_code == 404


# ---------------------------------------------------------------- pages
def test_a_manager_creates_reorders_and_prunes_a_pipeline_on_the_page(client, pipeline, manager):
    client.force_login(manager)
    page = client.get(reverse("sales:pipeline_settings"))
    assert page.status_code == 200 and b'data-testid="pipeline-form"' in page.content
    response = client.post(reverse("sales:pipeline_create"), {"name": "Upsell"})
    assert response.status_code == 302
    upsell = Pipeline.objects.get(name="Upsell")
    assert response["Location"].endswith(f"#pipeline-{upsell.pk}")
    assert layout(upsell) == layout(pipeline)
    page = client.get(reverse("sales:pipeline_settings")).content.decode()
    assert f"Pipeline “Upsell” created with {len(STANDARD_STAGES)} stages." in page
    assert f'data-testid="pipeline-{upsell.pk}"' in page

    demo = stage(upsell, "Demo")
    assert client.post(reverse("sales:stage_move", args=[demo.pk]), {"direction": "up"}).status_code == 302
    assert names(upsell)[1:3] == ["Demo", "Discovery"]
    partial = client.post(
        reverse("sales:stage_move", args=[demo.pk]), {"direction": "down"}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200 and names(upsell)[1:3] == ["Discovery", "Demo"]
    html = partial.content.decode()
    assert html.lstrip().startswith(f'<section class="card card-flush" id="pipeline-{upsell.pk}"')
    assert "“Demo” moved down." in html and "<html" not in html

    negotiation = stage(upsell, "Negotiation")
    confirm = client.get(reverse("sales:stage_delete", args=[negotiation.pk]))
    assert confirm.status_code == 200 and b"This cannot be undone." in confirm.content
    assert PipelineStage.objects.filter(pk=negotiation.pk).exists()  # GET only asks
    assert client.post(reverse("sales:stage_delete", args=[negotiation.pk])).status_code == 302
    assert "Negotiation" not in names(upsell)


def test_deleting_a_stage_with_deals_shows_why_on_the_page(client, pipeline, manager, ae):
    demo = stage(pipeline, "Demo")
    actions.create_deal(name="Acme", pipeline=pipeline, stage=demo, owner=ae)
    client.force_login(manager)
    confirm = client.get(reverse("sales:stage_delete", args=[demo.pk])).content.decode()
    assert "1 deal is in “Demo”. Move it to another stage before deleting the stage." in confirm
    assert 'type="submit" class="btn btn-primary">Delete stage' not in confirm
    response = client.post(reverse("sales:stage_delete", args=[demo.pk]))
    assert response.status_code == 409 and "1 deal is in “Demo”" in response.content.decode()
    assert PipelineStage.objects.filter(pk=demo.pk).exists()


def test_page_forms_show_errors_and_edit_a_stage(client, pipeline, manager):
    client.force_login(manager)
    response = client.post(reverse("sales:pipeline_create"), {"name": "new business"})
    assert response.status_code == 422 and "Another pipeline has this name." in response.content.decode()
    assert Pipeline.objects.count() == 1
    demo = stage(pipeline, "Demo")
    url = reverse("sales:stage_edit", args=[demo.pk])
    bad = client.post(url, {"name": "Demo", "probability": "150", "outcome": "open"})
    assert bad.status_code == 422 and stage(pipeline, "Demo").probability == 40
    good = client.post(url, {"name": "Demo call", "probability": "45", "rotting_days": "", "outcome": "open"})
    assert good.status_code == 302
    demo.refresh_from_db()
    assert (demo.name, demo.probability, demo.rotting_days) == ("Demo call", 45, None)
    add = client.post(
        reverse("sales:stage_create", args=[pipeline.pk]),
        {
            f"s{pipeline.pk}-name": "Pilot",
            f"s{pipeline.pk}-probability": "70",
            f"s{pipeline.pk}-outcome": "open",
        },
    )
    assert add.status_code == 302 and names(pipeline)[-3] == "Pilot"


@pytest.mark.parametrize("role", [Role.SDR, Role.ACCOUNT_EXECUTIVE, Role.MARKETING_MANAGER])
def test_other_roles_see_the_settings_read_only(client, pipeline, make_user, role):
    demo = stage(pipeline, "Demo")
    client.force_login(make_user(role))
    page = client.get(reverse("sales:pipeline_settings"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="read-only"' in html and "Demo" in html
    assert (
        reverse("sales:pipeline_create") not in html
        and reverse("sales:stage_delete", args=[demo.pk]) not in html
    )
    before = snapshot()
    for url, data in (
        (reverse("sales:pipeline_create"), {"name": "Upsell"}),
        (reverse("sales:pipeline_rename", args=[pipeline.pk]), {f"p{pipeline.pk}-name": "X"}),
        (reverse("sales:pipeline_make_default", args=[pipeline.pk]), {}),
        (reverse("sales:pipeline_delete", args=[pipeline.pk]), {}),
        (reverse("sales:stage_create", args=[pipeline.pk]), {}),
        (reverse("sales:stage_edit", args=[demo.pk]), {"name": "X", "probability": "1", "outcome": "open"}),
        (reverse("sales:stage_move", args=[demo.pk]), {"direction": "up"}),
        (reverse("sales:stage_delete", args=[demo.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("sales:stage_edit", args=[demo.pk])).status_code == 403
    assert snapshot() == before


def test_the_settings_menu_shows_pipelines_to_managers_only(client, pipeline, manager, make_user):
    client.force_login(manager)
    assert reverse("sales:pipeline_settings").encode() in client.get(reverse("sales:pipeline")).content
    client.force_login(make_user(Role.SDR))
    assert reverse("sales:pipeline_settings").encode() not in client.get(reverse("sales:pipeline")).content


def test_a_new_pipeline_appears_in_the_boards_pipeline_switcher(client, pipeline, manager):
    client.force_login(manager)
    client.post(reverse("sales:pipeline_create"), {"name": "Upsell"})
    upsell = Pipeline.objects.get(name="Upsell")
    board = client.get(reverse("sales:pipeline")).content.decode()
    assert f'<option value="{upsell.pk}">Upsell</option>' in board
    board = client.get(reverse("sales:pipeline"), {"pipeline": upsell.pk}).content.decode()
    assert (
        "<h1>Pipeline: Upsell</h1>" in board
        and f'<option value="{upsell.pk}" selected>Upsell</option>' in board
    )
    assert f'id="col-{stage(upsell, "Qualification").pk}"' in board


def test_a_stage_limit_keeps_boards_usable(db):
    sales = pipeline_actions.create_pipeline("Sales")
    for n in range(pipeline_actions.MAX_STAGES - len(STANDARD_STAGES)):
        pipeline_actions.add_stage(sales, name=f"Step {n}", probability=50)
    error = refused(Invalid, pipeline_actions.add_stage, sales, name="One more", probability=50)
    assert f"at most {pipeline_actions.MAX_STAGES} stages" in error.message


# ---------------------------------------------------------------- in Chromium
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_moving_a_stage_with_htmx_swaps_only_the_pipeline_card(live_server, page, make_user):
    from conftest import sign_in

    make_user(Role.SALES_MANAGER, username="maria")
    sales = pipeline_actions.create_pipeline("New business", is_default=True)
    sign_in(page, live_server.url + reverse("sales:pipeline_settings"), "maria")
    page.get_by_role("heading", name="Pipelines", exact=True).wait_for()
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Move Demo up").click()
    page.get_by_text("“Demo” moved up.").wait_for()
    assert page.evaluate("window.__sameDocument === true")  # no full page load
    rows = page.locator(f"[data-testid=pipeline-{sales.pk}] tbody tr .row-title")
    assert rows.all_inner_texts()[:3] == ["Qualification", "Demo", "Discovery"]
    assert names(sales)[:3] == ["Qualification", "Demo", "Discovery"]
    page.screenshot(
        path=str(Path(tempfile.gettempdir()) / "accord-shots" / "pipeline-settings.png"), full_page=True
    )


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.SDR])
def test_board_without_a_pipeline_points_to_the_settings(client, make_user, role):
    assert not Pipeline.objects.exists()
    client.force_login(make_user(role))
    html = client.get(reverse("sales:pipeline")).content.decode()
    assert "No pipeline yet" in html
    link = f'href="{reverse("sales:pipeline_settings")}"'
    if role == Role.SALES_MANAGER:
        assert link in html.split("No pipeline yet")[1]
    else:
        assert "A sales manager creates pipelines under Settings" in html
        assert link not in html.split("No pipeline yet")[1]


@pytest.mark.parametrize(("role", "shown"), [(Role.SALES_MANAGER, True), (Role.ACCOUNT_EXECUTIVE, False)])
def test_board_links_managers_to_its_stages(client, pipeline, make_user, role, shown):
    client.force_login(make_user(role))
    html = client.get(reverse("sales:pipeline"), {"pipeline": pipeline.pk}).content.decode()
    link = f'href="{reverse("sales:pipeline_settings")}#pipeline-{pipeline.pk}"'
    assert (link in html) is shown
