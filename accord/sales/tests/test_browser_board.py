"""In Chromium: an AE drags a deal to the next column (it persists), moves one with the keyboard-only
control, and drops one on "Closed won", which asks for the reason and then wins the deal."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from accord.accounts.models import Role
from accord.sales import actions, pipeline_actions
from accord.sales.models import Deal
from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "accord-shots"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def board(make_user: Any) -> dict[str, Any]:
    ae = make_user(Role.ACCOUNT_EXECUTIVE, username="alice", first_name="Alice", last_name="Ames")
    pipeline = pipeline_actions.create_pipeline("New business", is_default=True)
    deals = {
        name: actions.create_deal(name=name, pipeline=pipeline, amount=amount, owner=ae)
        for name, amount in (("Acme rollout", 12000), ("Globex pilot", 4000), ("Initech renewal", 9000))
    }
    return {"ae": ae, "pipeline": pipeline, "deals": deals}


def sign_in_to_board(page: Any, base: str) -> None:
    sign_in(page, base + "/sales/", "alice")


def column(page: Any, name: str) -> Any:
    return page.locator(f"[data-testid=column-{name}]")


def test_drag_keyboard_and_close_won(live_server: Any, page: Any, board: dict[str, Any]) -> None:
    sign_in_to_board(page, live_server.url)
    acme, globex, initech = (board["deals"][n] for n in ("Acme rollout", "Globex pilot", "Initech renewal"))

    # 1. drag and drop Acme from Qualification to Discovery; it persists after a reload
    card = page.locator(f"[data-testid=deal-{acme.pk}]")
    card.drag_to(column(page, "discovery"))
    page.locator(f"[data-testid=column-discovery] [data-testid=deal-{acme.pk}]").wait_for()
    assert Deal.objects.get(pk=acme.pk).stage.name == "Discovery"
    page.reload()
    assert column(page, "discovery").locator(f"[data-testid=deal-{acme.pk}]").count() == 1
    assert column(page, "discovery").locator("[data-testid=count]").inner_text() == "1"
    shot(page, "sales-board-after-drag")

    # 2. keyboard only: focus the "Move to…" select, pick Demo, press Enter on the Move button
    select = page.get_by_label("Move “Globex pilot” to…")
    select.focus()
    select.select_option(label="Demo")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    column(page, "demo").locator(f"[data-testid=deal-{globex.pk}]").wait_for()
    assert Deal.objects.get(pk=globex.pk).stage.name == "Demo"

    # 3. drop Initech on "Closed won": the board asks why; an empty reason is refused by the form
    page.locator(f"[data-testid=deal-{initech.pk}]").drag_to(column(page, "closed-won"))
    dialog = page.locator("#close-dialog")
    dialog.wait_for(state="visible")
    assert Deal.objects.get(pk=initech.pk).status == "open"
    dialog.get_by_label("Reason").fill("Security review passed")
    dialog.get_by_role("button", name="Close deal").click()
    column(page, "closed-won").locator(f"[data-testid=deal-{initech.pk}]").wait_for()
    shot(page, "sales-board-after-win")
    deal = Deal.objects.get(pk=initech.pk)
    assert (deal.status, deal.won_reason) == ("won", "Security review passed")
    page.reload()
    assert column(page, "closed-won").locator(f"[data-testid=deal-{initech.pk}]").count() == 1
