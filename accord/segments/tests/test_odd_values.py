"""Odd values from users: dates at the ends of the calendar, huge windows, non-ASCII digits.

They are refused with a 422 naming the path in the filter tree (never a 500, never saved), and a
segment that still fails when membership is brought up to date (a filter stored before these
checks, a statement the database refuses) is logged and skipped while every other segment is
still refreshed or rebuilt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.campaigns.actions import create_campaign
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact, PropertyDefinition
from accord.scoring.models import FitRule
from accord.segments import rebuild
from accord.segments.actions import create_segment, rebuild_segment, refresh_for_contacts
from accord.segments.models import Segment, SegmentMembership
from accord.segments.tasks import rebuild_segment_task, refresh_contacts_task

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
IN_GERMANY = {"field": "country", "op": "eq", "value": "DE"}
FAR_FUTURE = {"field": "created_at", "op": "after", "value": "9999-12-31"}
DATE_RANGE = "Must be a date from 1900-01-01 to 9998-12-31."


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    return [
        create_contact(email=f"odd{i}@seg.test", country=country, lifecycle_stage="lead")
        for i, country in enumerate(["DE", "DE", "US", "FR"])
    ]


@pytest.fixture
def renewal(db: None) -> PropertyDefinition:
    return PropertyDefinition.objects.create(
        object_type=PropertyDefinition.ObjectType.CONTACT,
        key="renewal",
        label="Renewal date",
        type=PropertyDefinition.Type.DATE,
    )


@pytest.fixture
def sdr_api(users: dict[str, User], api_client_for: Callable[[User], Client]) -> Client:
    return api_client_for(users[Role.SDR])


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def members(segment: Segment) -> set[int]:
    return set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))


# ---------------------------------------------------------------------- dates and windows refused
BAD_VALUES = [
    pytest.param(FAR_FUTURE, "filter.value", DATE_RANGE, id="after-9999-12-31"),
    pytest.param(
        {"field": "created_at", "op": "eq", "value": "9999-12-31"}, "filter.value", DATE_RANGE, id="on-9999"
    ),
    pytest.param(
        {"field": "created_at", "op": "before", "value": "0001-01-01"},
        "filter.value",
        DATE_RANGE,
        id="year-1",
    ),
    pytest.param(
        {"field": "created_at", "op": "after", "value": "1899-12-31"}, "filter.value", DATE_RANGE, id="1899"
    ),
    pytest.param(
        {
            "and": [
                IN_GERMANY,
                {"field": "created_at", "op": "between", "value": ["2026-01-01", "9999-12-31"]},
            ]
        },
        "filter.and.1.value.1",
        DATE_RANGE,
        id="between-nested",
    ),
    pytest.param(
        {"not": {"field": "properties.renewal", "op": "after", "value": "9999-12-31"}},
        "filter.not.value",
        DATE_RANGE,
        id="date-property",
    ),
    pytest.param(
        {"field": "created_at", "op": "within_last_days", "value": 10**30},
        "filter.value",
        "Must be a whole number from 0 to 36500.",
        id="huge-window",
    ),
    pytest.param(
        {"field": "created_at", "op": "within_last_days", "value": 36_501},
        "filter.value",
        "Must be a whole number from 0 to 36500.",
        id="window-over-100-years",
    ),
    pytest.param(
        {"event": {"type": "page"}, "op": "gte", "count": 1, "within_days": 2**63},
        "filter.within_days",
        "Must be a whole number from 1 to 36500.",
        id="huge-event-window",
    ),
    pytest.param(
        {"event": {"type": "page"}, "op": "gte", "count": 10**12},
        "filter.count",
        "Must be a whole number from 0 to 1000000.",
        id="huge-count",
    ),
    pytest.param(
        {"or": [IN_GERMANY, {"campaign_touched": 1, "within_days": 10**9}]},
        "filter.or.1.within_days",
        "Must be a whole number from 1 to 36500.",
        id="huge-campaign-window",
    ),
]


@pytest.mark.parametrize(("tree", "path", "message"), BAD_VALUES)
def test_odd_dates_and_windows_are_422_with_the_path(
    sdr_api: Client, contacts: list[Contact], renewal: PropertyDefinition, tree: Any, path: str, message: str
) -> None:
    for response in (
        post(sdr_api, "/api/segments", {"name": "Odd", "filter": tree}),
        post(sdr_api, "/api/segments/preview", {"filter": tree}),
    ):
        assert response.status_code == 422, response.json()
        body = response.json()
        assert body["code"] == "invalid"
        assert body["field_errors"][path] == [message], body
    assert not Segment.objects.exists()


def test_changing_a_filter_to_an_odd_date_is_422_and_keeps_the_old_one(
    sdr_api: Client, contacts: list[Contact]
) -> None:
    created = post(sdr_api, "/api/segments", {"name": "Germany", "filter": IN_GERMANY})
    assert created.status_code == 201, created.json()
    segment_id = created.json()["id"]
    response = sdr_api.patch(
        f"/api/segments/{segment_id}", {"filter": FAR_FUTURE}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["field_errors"] == {"filter.value": [DATE_RANGE]}
    assert Segment.objects.get(pk=segment_id).filter == IN_GERMANY


@pytest.mark.parametrize(
    "tree",
    [
        {"field": "created_at", "op": "after", "value": "9998-12-31"},
        {"field": "created_at", "op": "eq", "value": "9998-12-31"},
        {"field": "created_at", "op": "between", "value": ["1900-01-01", "9998-12-31"]},
        {"field": "created_at", "op": "before", "value": "1900-01-01"},
        {"field": "created_at", "op": "within_last_days", "value": 36_500},
        {"field": "properties.renewal", "op": "between", "value": ["1900-01-01", "9998-12-31"]},
    ],
)
def test_the_ends_of_the_range_are_accepted_and_run(
    sdr_api: Client,
    contacts: list[Contact],
    renewal: PropertyDefinition,
    tree: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The compiler steps a day past the last date; at 9998-12-31 that still fits every database."""
    expected = {c.pk for c in contacts} if tree["op"] in ("between", "within_last_days") else set()
    if tree["field"] == "properties.renewal":
        expected = set()  # nobody has a renewal date
    preview = post(sdr_api, "/api/segments/preview", {"filter": tree})
    assert preview.status_code == 200 and preview.json() == {"count": len(expected)}, preview.json()
    with django_capture_on_commit_callbacks(execute=True):
        created = post(sdr_api, "/api/segments", {"name": "Edge", "filter": tree})
    assert created.status_code == 201, created.json()
    segment = Segment.objects.get(pk=created.json()["id"])
    assert not segment.is_stale and members(segment) == expected


def test_a_fit_rule_with_an_odd_date_is_422(
    users: dict[str, User], api_client_for: Callable[[User], Client], contacts: list[Contact]
) -> None:
    """Scoring fit rules use the same filter format and parser."""
    manager = api_client_for(users[Role.MARKETING_MANAGER])
    for condition, path in (
        (FAR_FUTURE, "condition.value"),
        (
            {"and": [IN_GERMANY, {"field": "created_at", "op": "before", "value": "0001-01-01"}]},
            "condition.and.1.value",
        ),
    ):
        rule = {"name": "Odd", "condition": condition, "points": 5}
        response = post(manager, "/api/scoring/fit-rules", rule)
        assert response.status_code == 422, response.json()
        assert response.json()["field_errors"] == {path: [DATE_RANGE]}
    assert not FitRule.objects.exists()
    created = post(
        manager, "/api/scoring/fit-rules", {"name": "German", "condition": IN_GERMANY, "points": 5}
    )
    assert created.status_code == 201, created.json()
    patched = manager.patch(
        f"/api/scoring/fit-rules/{created.json()['id']}",
        {"condition": FAR_FUTURE},
        content_type="application/json",
    )
    assert patched.status_code == 422 and patched.json()["field_errors"] == {"condition.value": [DATE_RANGE]}


def test_a_fit_rule_stored_with_an_odd_date_is_skipped_by_scores(
    users: dict[str, User], api_client_for: Callable[[User], Client], contacts: list[Contact]
) -> None:
    manager = api_client_for(users[Role.MARKETING_MANAGER])
    for name, condition in (("German", IN_GERMANY), ("Odd", IN_GERMANY)):
        created = post(manager, "/api/scoring/fit-rules", {"name": name, "condition": condition, "points": 5})
        assert created.status_code == 201, created.json()
    FitRule.objects.filter(name="Odd").update(condition=FAR_FUTURE)  # saved before the check existed
    response = api_client_for(users[Role.SDR]).get(f"/api/scoring/scores/{contacts[0].pk}")
    assert response.status_code == 200, response.json()
    assert response.json()["fit"] == 5


# ---------------------------------------------------------------------- one bad segment, the others go on
@pytest.fixture
def healthy_and_broken(contacts: list[Contact]) -> tuple[Segment, Segment]:
    """A segment whose stored filter no longer passes validation (made first: it runs first) and a
    healthy one, both built."""
    broken = create_segment(
        name="Broken", filter={"field": "created_at", "op": "after", "value": "2026-01-01"}
    )
    healthy = create_segment(name="Germany", filter=IN_GERMANY)
    rebuild_segment(broken)
    rebuild_segment(healthy)
    Segment.objects.filter(pk=broken.pk).update(filter=FAR_FUTURE)
    assert members(healthy) == {contacts[0].pk, contacts[1].pk}
    return healthy, broken


def test_refresh_skips_a_segment_stored_with_an_odd_date(
    contacts: list[Contact], healthy_and_broken: tuple[Segment, Segment], caplog: Any
) -> None:
    healthy, broken = healthy_and_broken
    broken_members = members(broken)
    Contact.objects.filter(pk=contacts[2].pk).update(country="DE")
    with caplog.at_level(logging.WARNING, logger="accord.segments.rebuild"):
        refresh_contacts_task([c.pk for c in contacts])
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[2].pk}
    assert Segment.objects.get(pk=healthy.pk).member_count == 3
    assert members(broken) == broken_members
    assert f"segment {broken.pk} skipped in refresh" in caplog.text


def test_rebuild_skips_a_segment_stored_with_an_odd_date(
    contacts: list[Contact], healthy_and_broken: tuple[Segment, Segment], caplog: Any
) -> None:
    healthy, broken = healthy_and_broken
    Segment.objects.filter(pk=broken.pk).update(filter_changed_at=timezone.now())  # as if just edited
    rebuilt_before = Segment.objects.get(pk=broken.pk).last_rebuilt_at
    Contact.objects.filter(pk=contacts[3].pk).update(country="DE")
    with caplog.at_level(logging.WARNING, logger="accord.segments.rebuild"):
        results = rebuild.rebuild_many([broken.pk, healthy.pk])
        rebuild_segment_task(broken.pk)  # the task the API schedules: logged, not raised
    assert [r.segment_id for r in results] == [healthy.pk]
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[3].pk}
    broken.refresh_from_db()
    assert broken.last_rebuilt_at == rebuilt_before and broken.is_stale  # not marked rebuilt
    assert caplog.text.count(f"segment {broken.pk} not rebuilt") == 2


def test_a_database_error_in_one_segment_rolls_back_only_that_segment(
    contacts: list[Contact], monkeypatch: pytest.MonkeyPatch, caplog: Any, fails_in_the_database: Any
) -> None:
    broken = create_segment(name="Fails in SQL", filter={"field": "country", "op": "eq", "value": "US"})
    healthy = create_segment(name="Germany", filter=IN_GERMANY)
    rebuild_segment(broken)
    rebuild_segment(healthy)
    assert members(broken) == {contacts[2].pk}
    fails_in_the_database(broken.pk)
    Contact.objects.filter(pk=contacts[2].pk).update(country="DE")
    monkeypatch.setattr(rebuild, "REFRESH_BATCH", 2)  # two batches: the failing segment is tried once

    with caplog.at_level(logging.ERROR, logger="accord.segments.rebuild"):
        changed = refresh_for_contacts([c.pk for c in contacts])

    assert changed == 1
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[2].pk}
    assert Segment.objects.get(pk=healthy.pk).member_count == 3
    # The failing segment's DELETE ran before the error and was rolled back with its savepoint.
    assert members(broken) == {contacts[2].pk}
    assert Segment.objects.get(pk=broken.pk).member_count == 1
    failures = [r for r in caplog.records if r.getMessage() == f"segment {broken.pk} skipped in refresh"]
    assert len(failures) == 1 and failures[0].exc_info is not None

    caplog.clear()
    Contact.objects.filter(pk=contacts[3].pk).update(country="DE")
    with caplog.at_level(logging.ERROR, logger="accord.segments.rebuild"):
        results = rebuild.rebuild_many([broken.pk, healthy.pk])
    assert [r.segment_id for r in results] == [healthy.pk]
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[2].pk, contacts[3].pk}
    assert members(broken) == {contacts[2].pk}  # its rebuild removed the contact, then rolled back
    failures = [r for r in caplog.records if r.getMessage() == f"segment {broken.pk} not rebuilt"]
    assert len(failures) == 1 and failures[0].exc_info is not None


# ---------------------------------------------------------------------- the segment page of a broken segment
def test_the_page_of_a_segment_that_cannot_be_evaluated_says_so_and_does_not_poll(
    users: dict[str, User], client: Client, contacts: list[Contact]
) -> None:
    client.force_login(users[Role.MARKETER])
    segment = create_segment(name="Odd", filter=IN_GERMANY)  # stale: never rebuilt
    Segment.objects.filter(pk=segment.pk).update(filter=FAR_FUTURE)
    html = client.get(segment.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' not in html and "updating…" not in html
    assert "can no longer be evaluated" in html and DATE_RANGE in html
    status = client.get(segment.get_absolute_url() + "?part=status&was_stale=1", headers=HTMX)
    assert status.status_code == 200 and status["HX-Refresh"] == "true"
    assert 'hx-trigger="every 2s"' not in status.content.decode()


# ---------------------------------------------------------------------- digits that are not ASCII
@pytest.fixture
def marketer(users: dict[str, User], client: Client) -> Client:
    client.force_login(users[Role.MARKETER])
    return client


def builder_form(action: str = "refresh", **extra: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Odd digits",
        "mode": "builder",
        "match": "all",
        "g0-match": "all",
        "g0-c0-kind": "field",
        "g0-c0-field": "country",
        "g0-c0-op": "eq",
        "g0-c0-value": "DE",
        "action": action,
    }
    form.update(extra)
    return form


SUPERSCRIPT_TWO = "²"  # str.isdigit() is True, int() refuses it
LONG_DIGITS = "9" * 5000  # int() refuses it (and no database integer holds it)


@pytest.mark.parametrize("odd", [SUPERSCRIPT_TWO, LONG_DIGITS, "٣"])
def test_preview_ignores_a_segment_id_that_is_not_ascii_digits(
    marketer: Client, contacts: list[Contact], odd: str
) -> None:
    response = marketer.post(reverse("segments:preview"), builder_form(segment_id=odd), headers=HTMX)
    assert response.status_code == 200
    assert "2</strong>" in response.content.decode()


@pytest.mark.parametrize("odd", [SUPERSCRIPT_TWO, LONG_DIGITS])
@pytest.mark.parametrize("action", ["remove:0:{}", "remove:{}:0", "remove-group:{}"])
def test_builder_buttons_with_odd_indexes_change_nothing(
    marketer: Client, contacts: list[Contact], action: str, odd: str
) -> None:
    response = marketer.post(reverse("segments:segment_create"), builder_form(action.format(odd)))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="g0-c0-kind" value="field"' in html and 'name="g0-match"' in html
    assert "2</strong>" in html  # the condition is still there and counted


@pytest.mark.parametrize("odd", [SUPERSCRIPT_TWO, LONG_DIGITS])
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"kind": "segment", "ref": "{}"}, "Must be a segment id from 1 to"),
        ({"kind": "campaign", "ref": "{}"}, "Must be a campaign id from 1 to"),
        (
            {"kind": "event", "event_type": "page", "count_op": "gte", "count": "{}"},
            "Must be a whole number from 0 to",
        ),
        (
            {"kind": "event", "event_type": "page", "count_op": "gte", "days": "{}"},
            "Must be a whole number from 1 to",
        ),
        (
            {"kind": "field", "field": "created_at", "op": "within_last_days", "value": "{}"},
            "Must be a whole number from 0 to",
        ),
    ],
)
def test_builder_rows_with_odd_numbers_get_a_form_error(
    marketer: Client, contacts: list[Contact], row: dict[str, str], message: str, odd: str
) -> None:
    fields = {f"g0-c1-{key}": value.format(odd) for key, value in row.items()}
    live = marketer.post(reverse("segments:segment_create"), builder_form(**fields), headers=HTMX)
    assert live.status_code == 200
    assert "Fix the highlighted conditions" in live.content.decode() and message in live.content.decode()
    saved = marketer.post(reverse("segments:segment_create"), builder_form("save", **fields))
    assert saved.status_code == 422 and message in saved.content.decode()
    preview = marketer.post(reverse("segments:preview"), builder_form(**fields), headers=HTMX)
    assert preview.status_code == 200 and "Fix the highlighted conditions" in preview.content.decode()
    assert not Segment.objects.exists()


def test_a_campaign_row_with_a_real_id_still_works(marketer: Client, contacts: list[Contact]) -> None:
    campaign = create_campaign(name="Spring", channel="email")
    fields = {"g0-c1-kind": "campaign", "g0-c1-ref": f" {campaign.pk} ", "g0-c1-days": "30"}
    response = marketer.post(reverse("segments:segment_create"), builder_form(**fields), headers=HTMX)
    assert response.status_code == 200 and "0</strong>" in response.content.decode()
