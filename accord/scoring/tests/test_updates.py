"""Scores follow changes: Segment ingest (end to end over HTTP), single touchpoints, contact and
company edits, merges — each rescoring the contacts concerned in a task after commit."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accord.contacts.actions import merge_contacts, update_company, update_contact
from accord.lifecycle.stages import LifecycleStage as S
from accord.scoring.models import ContactScore
from accord.scoring.tests.fixtures import big_company_rule, company, contact, pricing_rule, visit_pricing
from accord.tracking.actions import create_write_key
from accord.tracking.models import Touchpoint
from accord.tracking.signals import touchpoints_ingested
from accord.tracking.tests.conftest import SegmentClient, event

pytestmark = pytest.mark.django_db


def total(person) -> int | None:
    score = ContactScore.objects.filter(contact_id=person.pk).first()
    return None if score is None else score.total


def test_segment_ingest_rescores_and_promotes_after_commit(django_capture_on_commit_callbacks) -> None:
    pricing_rule(points=35, half_life_days=7)
    segment = SegmentClient(create_write_key("Site").secret)
    now = timezone.now().isoformat()
    pages = [
        event("page", userId="u-1", timestamp=now, properties={"url": "https://acme.test/pricing"})
        for _ in range(2)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = segment.send(
            "batch", {"batch": [event("identify", userId="u-1", traits={"email": "ada@acme.test"}), *pages]}
        )
    assert response.status_code == 200, response.content
    tp = Touchpoint.objects.filter(type="page").first()
    assert tp is not None and tp.contact is not None
    person = tp.contact
    assert total(person) == 70
    person.refresh_from_db()
    assert person.lifecycle_stage == S.MQL


def test_the_ingest_signal_alone_schedules_a_rescore(django_capture_on_commit_callbacks) -> None:
    pricing_rule(points=10)
    ada = contact()
    visit_pricing(ada, 0, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        touchpoints_ingested.send(sender=Touchpoint, contact_ids=[ada.pk], event_types=["page"], stored=1)
    assert total(ada) == 10


def test_a_single_recorded_touchpoint_rescores_its_contact(django_capture_on_commit_callbacks) -> None:
    pricing_rule(points=10)
    ada = contact()
    with django_capture_on_commit_callbacks(execute=True):
        visit_pricing(ada, 0, now=timezone.now())
    assert total(ada) == 10


def test_nothing_is_rescored_if_the_transaction_rolls_back(django_capture_on_commit_callbacks) -> None:
    pricing_rule(points=10)
    ada = contact()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit_pricing(ada, 0, now=timezone.now())
    assert callbacks  # scheduled for after commit …
    assert total(ada) is None  # … and nothing ran inside the transaction


def test_contact_and_company_edits_rescore_fit(django_capture_on_commit_callbacks) -> None:
    big_company_rule(15)
    acme = company(size="1-10")
    ada = contact(company=acme)
    with django_capture_on_commit_callbacks(execute=True):
        update_company(acme, size="201-1000")
    assert total(ada) == 15
    with django_capture_on_commit_callbacks(execute=True):
        update_contact(ada, company=None)
    assert total(ada) == 0


def test_a_stage_change_alone_does_not_rescore(django_capture_on_commit_callbacks) -> None:
    from accord.lifecycle.actions import change_stage

    ada = contact()
    with django_capture_on_commit_callbacks(execute=True):
        change_stage(ada, S.LEAD)
    assert total(ada) is None


def test_merge_drops_the_duplicates_score_and_rescores_the_primary(
    django_capture_on_commit_callbacks,
) -> None:
    pricing_rule(points=10)
    ada, dup = contact(), contact()
    now = timezone.now()
    visit_pricing(ada, 0, now=now)
    visit_pricing(dup, 0, now=now)
    from accord.scoring.recompute import full_recompute

    full_recompute(now=now)
    assert (total(ada), total(dup)) == (10, 10)
    with django_capture_on_commit_callbacks(execute=True):
        merge_contacts(ada, dup)
    assert total(ada) == 20
    assert not ContactScore.objects.filter(contact_id=dup.pk).exists()
