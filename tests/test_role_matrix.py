"""Role × resource matrix, checked through the pages and the REST API alike.

The expected grants are written out here, independently of ``accord.accounts.permissions``, as the
product's specification: a change to the permission module that is not also a deliberate change here
fails this test.

Letters: V view · A add · O change own records · C change others' records · d delete own · D delete any
· v view only one's own records · t view only records of one's own team (or one's own)
· P approve (e.g. a discount).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from accord.accounts.models import Role
from accord.accounts.permissions import Action, Resource, can
from accord.contacts.actions import create_company, create_contact
from accord.scoring.actions import create_fit_rule
from accord.segments.actions import create_segment

pytestmark = pytest.mark.django_db

SPEC: dict[str, dict[str, str]] = {
    Role.MARKETER: {
        "contact": "VAOC", "company": "VAOC", "campaign": "VAOd", "touchpoint": "V",
        "deal": "V", "activity": "V", "user": "", "api_key": "vAOd", "write_key": "",
        "form": "VAOd", "lead": "V", "routing": "", "product": "V", "quote": "", "pipeline": "V",
        "segment": "VAOd", "scoring_rule": "V",
    },
    Role.MARKETING_MANAGER: {
        "contact": "VAOCdD", "company": "VAOCdD", "campaign": "VAOCdD", "touchpoint": "V",
        "deal": "V", "activity": "V", "user": "V", "api_key": "vAOd", "write_key": "VAOCdD",
        "form": "VAOCdD", "lead": "V", "routing": "V", "product": "VAOCdD", "quote": "V", "pipeline": "V",
        "segment": "VAOCdD", "scoring_rule": "VAOCdD",
    },
    Role.SDR: {
        "contact": "VAO", "company": "VAO", "campaign": "V", "touchpoint": "V",
        "deal": "VAO", "activity": "VAOd", "user": "", "api_key": "vAOd", "write_key": "",
        "form": "V", "lead": "tO", "routing": "V", "product": "V", "quote": "V", "pipeline": "V",
        "segment": "VAOd", "scoring_rule": "V",
    },
    Role.ACCOUNT_EXECUTIVE: {
        "contact": "VAO", "company": "VAO", "campaign": "V", "touchpoint": "V",
        "deal": "VAOd", "activity": "VAOd", "user": "", "api_key": "vAOd", "write_key": "",
        "form": "V", "lead": "tO", "routing": "V", "product": "V", "quote": "VAOd", "pipeline": "V",
        "segment": "VAOd", "scoring_rule": "V",
    },
    Role.SALES_MANAGER: {
        "contact": "VAOCdD", "company": "VAOCdD", "campaign": "V", "touchpoint": "V",
        "deal": "VAOCdD", "activity": "VAOCdD", "user": "V", "api_key": "vAOd", "write_key": "",
        "form": "V", "lead": "VAOCdD", "routing": "VAOCdD", "product": "VAOCdD", "quote": "VAOCdDP",
        "pipeline": "VAOCdD", "segment": "VAOCdD", "scoring_rule": "V",
    },
    Role.ADMIN: {r.value: "VAOCdDP" for r in Resource},
}  # fmt: skip


class _Rec:
    def __init__(self, owner_id: int | None, team_id: int | None = None) -> None:
        self.owner_id = owner_id
        self.team_id = team_id


@pytest.mark.parametrize(
    ("role", "resource"), list(itertools.product([r.value for r in Role], [r.value for r in Resource]))
)
def test_permission_module_matches_the_spec(users, role, resource):
    user = users[role]
    letters = SPEC[role][resource]
    res = Resource(resource)
    mine, theirs = _Rec(user.pk), _Rec(-1)
    user.team_id = 7  # in memory only: the team scope compares team ids
    my_team, other_team = _Rec(-1, 7), _Rec(-1, 8)
    assert can(user, Action.VIEW, res) is bool(set(letters) & set("Vtv"))
    assert can(user, Action.VIEW, res, other_team) is ("V" in letters)
    assert can(user, Action.VIEW, res, mine) is bool(set(letters) & set("Vtv"))
    assert can(user, Action.VIEW, res, my_team) is ("V" in letters or "t" in letters)
    assert can(user, Action.APPROVE, res, theirs) is ("P" in letters)
    assert can(user, Action.ADD, res) is ("A" in letters)
    assert can(user, Action.CHANGE, res, mine) is ("O" in letters)
    assert can(user, Action.CHANGE, res, theirs) is ("C" in letters)
    assert can(user, Action.DELETE, res, mine) is ("d" in letters)
    assert can(user, Action.DELETE, res, theirs) is ("D" in letters)


API_PATHS = {
    "contact": "/api/contacts",
    "company": "/api/companies",
    "segment": "/api/segments",
    "scoring_rule": "/api/scoring/fit-rules",
}
CHANGED_FIELD = {"contact": "phone", "company": "industry", "segment": "description", "scoring_rule": "name"}
FIT_CONDITION = {"field": "company.size", "op": "in", "value": ["201-1000"]}


def _make(resource: str, owner, n: str):
    if resource == "contact":
        return create_contact(email=f"{n}@example.com", owner=owner)
    if resource == "company":
        return create_company(name=f"Co {n}", domain=f"{n}.example.com", owner=owner)
    if resource == "segment":
        return create_segment(name=f"Segment {n}", owner=owner)
    return create_fit_rule(name=f"Rule {n}", condition=FIT_CONDITION, points=5)  # rules have no owner


def _new_payload(resource: str, n: str) -> dict[str, Any]:
    payloads: dict[str, dict[str, Any]] = {
        "contact": {"email": f"new-{n}@example.com"},
        "company": {"name": f"New {n}", "domain": f"new-{n}.example"},
        "segment": {"name": f"New {n}"},
        "scoring_rule": {"name": f"New {n}", "condition": FIT_CONDITION, "points": 5},
    }
    return payloads[resource]


@pytest.mark.parametrize(("role", "resource"), list(itertools.product([r.value for r in Role], API_PATHS)))
def test_api_obeys_the_spec(users, api_client_for, role, resource):
    user = users[role]
    other = users[Role.ADMIN] if role != Role.ADMIN else users[Role.SDR]
    letters = SPEC[role][resource]
    client = api_client_for(user)
    base = API_PATHS[resource]
    field = CHANGED_FIELD[resource]
    mine, theirs = _make(resource, user, "mine"), _make(resource, other, "theirs")

    def expect(resp, allowed: bool, ok: int) -> None:
        assert resp.status_code == (ok if allowed else 403), (
            role,
            resource,
            resp.status_code,
            resp.content[:300],
        )
        if not allowed:
            assert resp.json()["code"] == "forbidden"

    expect(client.get(base), "V" in letters, 200)
    expect(client.get(f"{base}/{theirs.pk}"), "V" in letters, 200)
    expect(
        client.post(base, _new_payload(resource, role), content_type="application/json"), "A" in letters, 201
    )
    expect(
        client.patch(f"{base}/{mine.pk}", {field: "x1"}, content_type="application/json"), "O" in letters, 200
    )
    expect(
        client.patch(f"{base}/{theirs.pk}", {field: "x2"}, content_type="application/json"),
        "C" in letters,
        200,
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (getattr(mine, field) == "x1") is ("O" in letters)
    assert (getattr(theirs, field) == "x2") is ("C" in letters)
    expect(client.delete(f"{base}/{theirs.pk}"), "D" in letters, 204)
    model = type(theirs)
    assert model.objects.filter(pk=theirs.pk).exists() is ("D" not in letters)


PAGES = {
    "contact": ["/contacts/", "/contacts/{contact}/"],
    "company": ["/contacts/companies/", "/contacts/companies/{company}/"],
    "segment": ["/segments/", "/segments/{segment}/"],
    "scoring_rule": ["/scoring/", "/scoring/contacts/{contact}/panel/"],
}


@pytest.mark.parametrize(("role", "resource"), list(itertools.product([r.value for r in Role], PAGES)))
def test_pages_obey_the_spec(client, users, role, resource):
    company = create_company(name="Acme", domain="acme.example")
    contact = create_contact(email="p@acme.example", company=company)
    segment = create_segment(name="Everyone")
    client.force_login(users[role])
    for url in PAGES[resource]:
        resp = client.get(url.format(contact=contact.pk, company=company.pk, segment=segment.pk))
        assert resp.status_code == (200 if "V" in SPEC[role][resource] else 403), (role, url)


# The pages that change or delete one record: (edit page, delete POST, where a delete redirects).
RECORD_PAGES = {
    "segment": ("/segments/{pk}/edit/", "/segments/{pk}/delete/", "/segments/"),
    "scoring_rule": ("/scoring/fit-rules/{pk}/", "/scoring/fit-rules/{pk}/delete/", "/scoring/"),
}


@pytest.mark.parametrize(("role", "resource"), list(itertools.product([r.value for r in Role], RECORD_PAGES)))
def test_change_and_delete_pages_obey_the_spec(client, users, role, resource):
    user = users[role]
    other = users[Role.ADMIN] if role != Role.ADMIN else users[Role.SDR]
    letters = SPEC[role][resource]
    edit, delete, after_delete = RECORD_PAGES[resource]
    mine, theirs = _make(resource, user, "mine"), _make(resource, other, "theirs")
    client.force_login(user)
    assert client.get(edit.format(pk=mine.pk)).status_code == (200 if "O" in letters else 403), role
    assert client.get(edit.format(pk=theirs.pk)).status_code == (200 if "C" in letters else 403), role
    resp = client.post(delete.format(pk=theirs.pk))
    if "D" in letters:
        assert resp.status_code == 302 and resp["Location"] == after_delete, (role, resp.status_code)
    else:
        assert resp.status_code == 403, (role, resp.status_code)
    assert type(theirs).objects.filter(pk=theirs.pk).exists() is ("D" not in letters)


def test_pages_deny_a_user_whose_role_grants_nothing(client, make_user):
    """A role with no grant on contacts (an unknown/retired role value) gets 403 on every page, and
    an anonymous visitor is sent to the login page."""
    nobody = make_user(Role.MARKETER)
    type(nobody).objects.filter(pk=nobody.pk).update(role="retired")
    contact = create_contact(email="q@example.com")
    client.force_login(nobody)
    for url in ("/contacts/", f"/contacts/{contact.pk}/", "/contacts/companies/"):
        assert client.get(url).status_code == 403
    client.logout()
    resp = client.get("/contacts/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_team_scope_covers_own_records_and_own_team_only(make_user):
    """``t`` grants: a rep sees records owned by a teammate, not by another team; with no team,
    only their own."""
    from accord.accounts.models import Team

    east = Team.objects.create(name="East", kind=Team.Kind.SALES)
    west = Team.objects.create(name="West", kind=Team.Kind.SALES)
    sdr = make_user(Role.SDR, team=east)
    loner = make_user(Role.SDR)
    assert can(sdr, Action.VIEW, Resource.LEAD, _Rec(-1, east.pk))
    assert not can(sdr, Action.VIEW, Resource.LEAD, _Rec(-1, west.pk))
    assert not can(sdr, Action.VIEW, Resource.LEAD, _Rec(-1, None))
    assert can(sdr, Action.VIEW, Resource.LEAD, _Rec(sdr.pk, west.pk))
    assert not can(loner, Action.VIEW, Resource.LEAD, _Rec(-1, None))
    assert can(loner, Action.VIEW, Resource.LEAD, _Rec(loner.pk, None))
    # change stays "own": a teammate's lead cannot be given a verdict by another rep
    assert not can(sdr, Action.CHANGE, Resource.LEAD, _Rec(-1, east.pk))
