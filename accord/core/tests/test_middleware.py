"""A NUL in the query string is a 400 for pages and the API, before any view runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from accord.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/sales/?q=%00", "/sales/deals/?q=a%00b", "/catalog/competitors/?q=%00"])
def test_pages_refuse_a_nul_in_the_query(client: Any, users: dict[str, Any], url: str) -> None:
    client.force_login(users[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert client.get(url.replace("%00", "x")).status_code == 200


def test_api_refuses_a_nul_in_the_query_with_its_error_body(admin_api: Any) -> None:
    response = admin_api.get("/api/sales/deals?q=%00&page=1")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and "NUL" in body["message"]
    assert body["field_errors"] == {"q": ["Must not contain NUL characters."]}
    assert admin_api.get("/api/contacts?q=x").status_code == 200


def test_an_escaped_percent_sign_is_not_a_nul(client: Any, users: dict[str, Any]) -> None:
    client.force_login(users[Role.ADMIN])
    assert client.get("/sales/deals/?q=%2500").status_code == 200


def test_a_posted_form_with_a_nul_is_refused_and_nothing_saved(client: Any, users: dict[str, Any]) -> None:
    from accord.sales.models import OnboardingTemplate

    client.force_login(users[Role.ADMIN])
    data = {"name": "On\x00boarding", "follow_up_days": "30", "subject": ["Kick-off"], "day_offset": ["1"]}
    form = "application/x-www-form-urlencoded"  # what a browser sends for a form without a file
    response = client.post("/sales/settings/onboarding/", urlencode(data, doseq=True), content_type=form)
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not OnboardingTemplate.objects.filter(name__startswith="On").exists()
    data["name"] = "Onboarding"
    assert (
        client.post("/sales/settings/onboarding/", urlencode(data, doseq=True), content_type=form).status_code
        == 302
    )
