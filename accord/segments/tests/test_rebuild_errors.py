"""A segment that fails to rebuild or refresh says so, lastingly: ``rebuild_error`` and
``rebuild_failed_at`` are recorded (a short reason, never SQL), shown on the list and the segment
page ("Needs attention", no polling) and in the API, and cleared by the next successful rebuild.

The note is written after the segment's own work was rolled back to its savepoint and outside the
refresh batch's transaction, so neither rollback undoes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accord.accounts.models import Role, User
from accord.contacts.actions import create_contact
from accord.contacts.models import Contact
from accord.core.errors import Invalid
from accord.segments import rebuild
from accord.segments.actions import create_segment, rebuild_segment
from accord.segments.fields import load_catalog
from accord.segments.filters import parse_filter
from accord.segments.models import Segment, SegmentMembership
from accord.segments.tasks import rebuild_segment_task, refresh_contacts_task
from accord.segments.tests.conftest import SECRET

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
IN_GERMANY = {"field": "country", "op": "eq", "value": "DE"}
IN_FRANCE = {"field": "country", "op": "eq", "value": "FR"}
FAR_FUTURE = {"field": "created_at", "op": "after", "value": "9999-12-31"}  # refused since it was stored
GONE_FIELD = {"field": "<i>gone</i>", "op": "eq", "value": "x"}  # markup in the reason
HOSTILE_NAME = '<script>alert("seg")</script> Broken'
POLLING = 'hx-trigger="every 2s"'


def members(segment: Segment) -> set[int]:
    return set(SegmentMembership.objects.filter(segment=segment).values_list("contact_id", flat=True))


def invalid_message(tree: dict[str, Any]) -> str:
    with pytest.raises(Invalid) as info:
        parse_filter(tree, load_catalog())
    return info.value.message


def database_error_class() -> str:
    """The class of error this database raises for the failing statement used below."""
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accord_no_such_table WHERE name = %s", [SECRET])
    return type(info.value).__name__


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def contacts(db: None) -> list[Contact]:
    return [
        create_contact(email=f"fail{i}@seg.test", country=country, lifecycle_stage="lead")
        for i, country in enumerate(["DE", "DE", "US", "FR"])
    ]


@pytest.fixture
def marketer(users: dict[str, User]) -> User:
    return users[Role.MARKETER]


@pytest.fixture
def broken_and_healthy(contacts: list[Contact], marketer: User) -> tuple[Segment, Segment]:
    """Two built segments owned by the marketer; then the first one's stored filter is made one
    that no longer parses (made first, so it runs first)."""
    broken = create_segment(name=HOSTILE_NAME, filter=IN_FRANCE, owner=marketer)
    healthy = create_segment(name="Germany", filter=IN_GERMANY, owner=marketer)
    rebuild_segment(broken)
    rebuild_segment(healthy)
    Segment.objects.filter(pk=broken.pk).update(filter=FAR_FUTURE)
    assert members(broken) == {contacts[3].pk} and members(healthy) == {contacts[0].pk, contacts[1].pk}
    return broken, healthy


# ---------------------------------------------------------------------- a filter that no longer parses
def test_the_refresh_task_records_a_broken_filter_and_still_updates_the_healthy_segment(
    contacts: list[Contact], broken_and_healthy: tuple[Segment, Segment]
) -> None:
    broken, healthy = broken_and_healthy
    Contact.objects.filter(pk=contacts[2].pk).update(country="DE")
    before = timezone.now()

    refresh_contacts_task([c.pk for c in contacts])

    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[2].pk}
    healthy.refresh_from_db()
    assert healthy.member_count == 3 and healthy.rebuild_error == "" and healthy.rebuild_failed_at is None
    broken.refresh_from_db()
    assert broken.rebuild_error == invalid_message(FAR_FUTURE)
    assert "Must be a date from 1900-01-01 to 9998-12-31." in broken.rebuild_error
    assert broken.rebuild_failed_at is not None and before <= broken.rebuild_failed_at <= timezone.now()
    assert broken.needs_attention and members(broken) == {contacts[3].pk}

    # Failing again for the same reason keeps the time it was first seen.
    first_seen = broken.rebuild_failed_at
    refresh_contacts_task([contacts[0].pk])
    broken.refresh_from_db()
    assert broken.rebuild_failed_at == first_seen and broken.rebuild_error == invalid_message(FAR_FUTURE)


def test_rebuild_many_and_the_rebuild_task_record_it_and_rebuild_the_healthy_segment(
    contacts: list[Contact], broken_and_healthy: tuple[Segment, Segment]
) -> None:
    broken, healthy = broken_and_healthy
    Contact.objects.filter(pk=contacts[3].pk).update(country="DE")
    now = timezone.now()

    results = rebuild.rebuild_many([broken.pk, healthy.pk], now=now)

    assert [r.segment_id for r in results] == [healthy.pk]
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[3].pk}
    healthy.refresh_from_db()
    assert healthy.last_rebuilt_at == now and healthy.rebuild_error == ""
    broken.refresh_from_db()
    assert (broken.rebuild_error, broken.rebuild_failed_at) == (invalid_message(FAR_FUTURE), now)
    assert broken.last_rebuilt_at != now  # not marked rebuilt

    # The task the pages and the API schedule records it too (and does not raise).
    Segment.objects.filter(pk=broken.pk).update(rebuild_error="", rebuild_failed_at=None)
    rebuild_segment_task(broken.pk)
    broken.refresh_from_db()
    assert broken.rebuild_error == invalid_message(FAR_FUTURE) and broken.rebuild_failed_at is not None


def test_the_hourly_pass_records_a_broken_filter(
    contacts: list[Contact], broken_and_healthy: tuple[Segment, Segment]
) -> None:
    broken, healthy = broken_and_healthy
    now = timezone.now()
    rebuild.rebuild_time_dependent(now=now)
    broken.refresh_from_db()
    healthy.refresh_from_db()
    assert (broken.rebuild_error, broken.rebuild_failed_at) == (invalid_message(FAR_FUTURE), now)
    assert healthy.rebuild_error == "" and healthy.rebuild_failed_at is None


def test_a_failure_is_not_recorded_against_a_filter_changed_since(
    contacts: list[Contact], broken_and_healthy: tuple[Segment, Segment]
) -> None:
    """A refresh that loaded the old filter and fails after the user saved a new one says nothing."""
    broken, _ = broken_and_healthy
    loaded = Segment.objects.get(pk=broken.pk).filter_changed_at
    Segment.objects.filter(pk=broken.pk).update(filter=IN_FRANCE, filter_changed_at=timezone.now())
    rebuild.record_failure(broken.pk, "old filter", filter_changed_at=loaded, at=timezone.now())
    broken.refresh_from_db()
    assert broken.rebuild_error == "" and broken.rebuild_failed_at is None


# ---------------------------------------------------------------------- pages
@pytest.fixture
def failed(contacts: list[Contact], broken_and_healthy: tuple[Segment, Segment]) -> Segment:
    """The broken segment, with a reason holding markup, edited (so stale) and then failed."""
    broken, _ = broken_and_healthy
    Segment.objects.filter(pk=broken.pk).update(filter=GONE_FIELD, filter_changed_at=timezone.now())
    rebuild.rebuild_many([broken.pk])
    broken.refresh_from_db()
    assert broken.is_stale and broken.rebuild_error == invalid_message(GONE_FIELD)
    assert "<i>gone</i>" in broken.rebuild_error
    return broken


def test_the_list_shows_needs_attention_with_the_reason_instead_of_updating(
    client: Client, marketer: User, failed: Segment
) -> None:
    stale_but_fine = create_segment(name="Just edited", filter=IN_GERMANY)  # never rebuilt yet
    client.force_login(marketer)
    response = client.get(reverse("segments:segment_list"))
    assert response.status_code == 200
    html = response.content.decode()
    failed_row, fine_row = html.split(escape(HOSTILE_NAME))[1], html.split(stale_but_fine.name)[1]
    failed_row = failed_row.split("</tr>")[0]
    assert "Needs attention" in failed_row and escape(failed.rebuild_error) in failed_row
    assert "updating…" not in failed_row
    assert "updating…" in fine_row.split("</tr>")[0] and "Needs attention" not in fine_row.split("</tr>")[0]
    assert '<script>alert("seg")' not in html and "<i>gone</i>" not in html


def test_the_segment_page_shows_the_reason_the_time_and_the_edit_link_and_does_not_poll(
    client: Client, marketer: User, failed: Segment
) -> None:
    client.force_login(marketer)
    response = client.get(failed.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Needs attention" in html and escape(failed.rebuild_error) in html
    assert failed.rebuild_failed_at is not None
    assert f'datetime="{failed.rebuild_failed_at.isoformat()}"' in html
    assert f'href="{reverse("segments:segment_edit", args=[failed.pk])}">Edit the filter</a>' in html
    assert POLLING not in html and "updating…" not in html and "Gathering members" not in html
    assert '<script>alert("seg")' not in html and "<i>gone</i>" not in html

    # A page that was polling while the rebuild ran reloads to show it.
    status = client.get(failed.get_absolute_url() + "?part=status&was_stale=1", headers=HTMX)
    assert status.status_code == 200 and status["HX-Refresh"] == "true"
    part = status.content.decode()
    assert POLLING not in part and "Needs attention" in part and escape(failed.rebuild_error) in part


def test_someone_who_may_not_change_it_sees_the_reason_without_the_edit_link(
    client: Client, users: dict[str, User], failed: Segment
) -> None:
    client.force_login(users[Role.SDR])  # sees every segment, changes only their own
    html = client.get(failed.get_absolute_url()).content.decode()
    assert "Needs attention" in html and escape(failed.rebuild_error) in html
    assert reverse("segments:segment_edit", args=[failed.pk]) not in html


# ---------------------------------------------------------------------- API
def test_the_api_returns_the_fields_and_fixing_the_filter_clears_them(
    api_client_for: Callable[[User], Client],
    marketer: User,
    contacts: list[Contact],
    failed: Segment,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api = api_client_for(marketer)
    body = api.get(f"/api/segments/{failed.pk}").json()
    assert body["rebuild_error"] == failed.rebuild_error
    assert failed.rebuild_failed_at is not None
    sent = dt.datetime.fromisoformat(body["rebuild_failed_at"])  # JSON keeps milliseconds
    assert abs(sent - failed.rebuild_failed_at) < dt.timedelta(milliseconds=1)
    listed = {s["id"]: s for s in api.get("/api/segments").json()["items"]}
    assert listed[failed.pk]["rebuild_error"] == failed.rebuild_error
    assert listed[failed.pk]["rebuild_failed_at"] == body["rebuild_failed_at"]

    # Rebuilding it as it is: refused with the reason, which stays recorded.
    refused = post(api, f"/api/segments/{failed.pk}/rebuild", {})
    assert refused.status_code == 422 and refused.json()["message"] == failed.rebuild_error
    assert Segment.objects.get(pk=failed.pk).rebuild_error == failed.rebuild_error

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fixed = api.patch(
            f"/api/segments/{failed.pk}", {"filter": IN_GERMANY}, content_type="application/json"
        )
    assert fixed.status_code == 200, fixed.json()
    assert callbacks  # the rebuild ran after commit
    body = api.get(f"/api/segments/{failed.pk}").json()
    assert body["rebuild_error"] == "" and body["rebuild_failed_at"] is None
    assert body["is_stale"] is False and body["member_count"] == 2
    assert members(failed) == {contacts[0].pk, contacts[1].pk}


# ---------------------------------------------------------------------- the database refuses a statement


def assert_generic_reason(segment: Segment) -> None:
    segment.refresh_from_db()
    assert segment.rebuild_error == f"The database refused this segment's query ({database_error_class()})."
    for leak in ("accord_no_such_table", "SELECT", SECRET):
        assert leak not in segment.rebuild_error
    assert segment.rebuild_failed_at is not None


def test_a_database_failure_records_a_generic_reason_and_a_rebuild_clears_it(
    api_client_for: Callable[[User], Client],
    client: Client,
    marketer: User,
    contacts: list[Contact],
    fails_in_the_database: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = create_segment(
        name="Refused", filter={"field": "country", "op": "eq", "value": "US"}, owner=marketer
    )
    healthy = create_segment(name="Germany", filter=IN_GERMANY, owner=marketer)
    rebuild_segment(refused)
    rebuild_segment(healthy)
    fails_in_the_database(refused.pk)
    Contact.objects.filter(pk=contacts[2].pk).update(country="DE")

    rebuild.refresh_for_contacts([c.pk for c in contacts])

    # Its DELETE ran and was rolled back with its savepoint; the note was not.
    assert members(refused) == {contacts[2].pk}
    assert_generic_reason(refused)
    assert members(healthy) == {contacts[0].pk, contacts[1].pk, contacts[2].pk}

    Segment.objects.filter(pk=refused.pk).update(rebuild_error="", rebuild_failed_at=None)
    results = rebuild.rebuild_many([refused.pk, healthy.pk])
    assert [r.segment_id for r in results] == [healthy.pk]
    assert members(refused) == {contacts[2].pk}  # its rebuild removed the contact, then rolled back
    assert_generic_reason(refused)

    client.force_login(marketer)
    api = api_client_for(marketer)
    for text in (
        client.get(reverse("segments:segment_list")).content.decode(),
        client.get(refused.get_absolute_url()).content.decode(),
        api.get(f"/api/segments/{refused.pk}").content.decode(),
    ):
        assert "The database refused this segment" in text
        assert "accord_no_such_table" not in text and SECRET not in text

    # The cause goes away: the next rebuild (here through the API) succeeds and clears the note.
    monkeypatch.undo()
    rebuilt = post(api, f"/api/segments/{refused.pk}/rebuild", {})
    assert rebuilt.status_code == 200 and rebuilt.json()["member_count"] == 0
    body = api.get(f"/api/segments/{refused.pk}").json()
    assert body["rebuild_error"] == "" and body["rebuild_failed_at"] is None
    assert members(refused) == set()


def test_the_note_survives_its_refresh_batch_being_rolled_back_as_a_whole(
    contacts: list[Contact], fails_in_the_database: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A segment fails, then the batch it ran in is rolled back as a whole (here: the worker is
    stopped while the next segment runs). The note was written outside that batch, so it stays."""

    class WorkerStopped(BaseException):
        pass

    refused = create_segment(name="Refused", filter={"field": "country", "op": "eq", "value": "US"})
    healthy = create_segment(name="Germany", filter=IN_GERMANY)
    rebuild_segment(refused)
    rebuild_segment(healthy)
    fails_in_the_database(refused.pk)
    real_refresh_one = rebuild._refresh_one

    def refresh_one(segment_id: int, *args: Any) -> int:
        changed = real_refresh_one(segment_id, *args)
        if segment_id == healthy.pk:
            raise WorkerStopped
        return changed

    monkeypatch.setattr(rebuild, "_refresh_one", refresh_one)
    Contact.objects.filter(pk=contacts[2].pk).update(country="DE")

    with pytest.raises(WorkerStopped):
        rebuild.refresh_for_contacts([c.pk for c in contacts])

    assert members(healthy) == {contacts[0].pk, contacts[1].pk}  # the batch was rolled back
    assert members(refused) == {contacts[2].pk}
    assert_generic_reason(refused)
