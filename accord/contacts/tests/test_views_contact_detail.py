"""The contact page: header facts, custom properties, the 360° timeline and its paging."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.accounts.models import Role, User
from accord.contacts.actions import create_company, create_contact
from accord.contacts.models import PropertyDefinition
from accord.contacts.views import TIMELINE_PAGE_SIZE, timeline_page
from accord.lifecycle.actions import change_stage
from accord.sales.actions import log_activity
from accord.tracking.actions import record_touchpoint

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def sdr(users):
    return users[Role.SDR]


@pytest.fixture
def client_sdr(client, sdr):
    client.force_login(sdr)
    return client


@pytest.fixture
def contact(sdr):
    company = create_company(name="Acme Rockets", domain="acme.test")
    return create_contact(
        email="ada@acme.test",
        first_name="Ada",
        last_name="Lovelace",
        title="Head of Engines",
        phone="+44 20 7946 0000",
        company=company,
        owner=sdr,
    )


def url(contact, **query) -> str:
    base = reverse("contacts:contact_detail", args=[contact.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def titles(html: str) -> list[str]:
    return re.findall(r'<p class="tl-title">([^<]*)</p>', html)


def test_logged_out_user_is_sent_to_login(client, contact):
    response = client.get(url(contact))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/contacts/")


def test_unknown_contact_is_404(client_sdr):
    assert client_sdr.get(reverse("contacts:contact_detail", args=[999999])).status_code == 404


def test_header_shows_the_contact(client_sdr, contact, sdr):
    html = client_sdr.get(url(contact)).content.decode()
    assert "<h1>Ada Lovelace</h1>" in html
    assert "ada@acme.test" in html
    assert "Head of Engines" in html
    assert "+44 20 7946 0000" in html
    assert f'href="/contacts/companies/{contact.company_id}/">Acme Rockets</a>' in html
    assert 'class="badge badge-lg stage-subscriber"' in html
    assert str(sdr) in html


def test_custom_properties_are_shown_with_their_labels(client_sdr, sdr):
    PropertyDefinition.objects.create(object_type="contact", key="tshirt", label="T-shirt size")
    PropertyDefinition.objects.create(object_type="contact", key="vip", label="VIP", type="boolean")
    c = create_contact(email="p@example.test", properties={"tshirt": "XL", "vip": True})
    html = client_sdr.get(url(c)).content.decode()
    assert "<dt>T-shirt size</dt><dd>XL</dd>" in html
    assert "<dt>VIP</dt><dd>Yes</dd>" in html


def test_timeline_merges_touchpoints_stages_and_activities_newest_first(client_sdr, contact, sdr):
    now = timezone.now()
    record_touchpoint(
        type="page", name="Pricing", contact_id=contact.pk, occurred_at=now - timedelta(days=3),
        context={"page": {"url": "https://acme.test/pricing"}},
    )  # fmt: skip
    change_stage(contact, "lead", by=sdr, at=now - timedelta(days=2))
    log_activity(
        kind="call", subject="Intro call", owner=sdr, contact=contact, done_at=now - timedelta(days=1)
    )
    html = client_sdr.get(url(contact)).content.decode()
    assert titles(html) == [
        "Created as Subscriber",
        "Call: Intro call",
        "Stage: Subscriber → Lead",
        "Page view: Pricing",
    ]
    assert "https://acme.test/pricing" in html
    for kind in ("Touchpoint", "Stage change", "Activity"):
        assert f'<span class="tl-kind">{kind}</span>' in html
    assert html.count('<time class="tl-time"') == 4
    assert "Load older" not in html


def test_empty_timeline_has_an_empty_state(client_sdr, contact):
    from accord.lifecycle.models import StageChange

    StageChange.objects.filter(contact_id=contact.pk).delete()
    html = client_sdr.get(url(contact)).content.decode()
    assert "Nothing on the timeline yet" in html


def test_load_older_pages_with_before(client_sdr, contact):
    now = timezone.now()
    for i in range(TIMELINE_PAGE_SIZE + 5):
        record_touchpoint(
            type="track",
            name=f"event {i:02}",
            contact_id=contact.pk,
            occurred_at=now - timedelta(hours=i + 1),
        )
    html = client_sdr.get(url(contact)).content.decode()
    first = titles(html)
    assert len(first) == TIMELINE_PAGE_SIZE
    match = re.search(r'href="(/contacts/\d+/\?before=[^"#]+)#timeline"', html)
    assert match, "a plain Load older link works without JavaScript"
    older_url = match.group(1).replace("&amp;", "&")
    assert f'hx-get="{match.group(1)}"' in html

    partial = client_sdr.get(older_url, headers={"HX-Request": "true"})
    rest = titles(partial.content.decode())
    assert "<html" not in partial.content.decode()
    assert len(first) + len(rest) == TIMELINE_PAGE_SIZE + 6  # + the "created" entry
    assert not set(first) & set(rest)
    assert "Load older" not in partial.content.decode()

    full = client_sdr.get(older_url).content.decode()  # the same link without htmx: a whole page
    assert "<html" in full and titles(full) == rest and "Back to newest" in full


def test_bad_before_cursor_is_400(client_sdr, contact):
    assert client_sdr.get(url(contact, before="yesterday")).status_code == 400


def test_timeline_paging_never_splits_entries_sharing_a_timestamp(contact):
    from accord.lifecycle.models import StageChange

    StageChange.objects.filter(contact_id=contact.pk).delete()
    t = timezone.now() - timedelta(days=1)
    times = [
        t,
        t - timedelta(seconds=1),
        t - timedelta(seconds=1),
        t - timedelta(seconds=1),
        t - timedelta(seconds=2),
    ]
    for i, at in enumerate(times):
        record_touchpoint(type="track", name=f"e{i}", contact_id=contact.pk, occurred_at=at)
    seen: list[str] = []
    before = None
    for _ in range(10):
        page = timeline_page(contact.pk, before=before, size=2)
        seen += [e.title for e in page.entries]
        if page.older_before is None:
            break
        before = page.older_before
    assert sorted(seen) == sorted(f"Custom event: e{i}" for i in range(5))


def test_visitor_supplied_values_are_escaped(client_sdr, sdr):
    PropertyDefinition.objects.create(object_type="contact", key="nickname", label="Nickname")
    c = create_contact(email="x@example.test", first_name=XSS, title=XSS, properties={"nickname": XSS})
    record_touchpoint(
        type="page",
        name=XSS,
        contact_id=c.pk,
        occurred_at=timezone.now() - timedelta(minutes=5),
        properties={"url": XSS, "referrer": XSS},
        context={"page": {"url": XSS, "referrer": XSS}, "userAgent": XSS},
    )
    log_activity(kind="note", subject=XSS, body=XSS, owner=sdr, contact=c, done_at=timezone.now())
    html = client_sdr.get(url(c)).content.decode()
    assert "<script>alert" not in html
    assert html.count(XSS_ESCAPED) >= 5  # name, title, property, touchpoint title and url, activity
    assert f"<dt>Nickname</dt><dd>{XSS_ESCAPED}</dd>" in html


def test_user_without_view_permission_gets_403(client, make_user, contact):
    user = make_user(Role.MARKETER)
    User.objects.filter(pk=user.pk).update(role="guest")
    client.force_login(user)
    assert client.get(url(contact)).status_code == 403
