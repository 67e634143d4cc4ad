"""The marketing side of the demo workspace that sits on top of the generated rows: lead-scoring
rules (and a first full recompute, so every contact page explains its score) and a few segments
marketers would build, materialised. Everything goes through the apps' actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accord.accounts.models import User
from accord.scoring import actions as scoring
from accord.scoring.recompute import full_recompute
from accord.segments.actions import create_segment
from accord.segments.models import Segment
from accord.segments.rebuild import rebuild_segment

# With these rules a few percent of the demo's subscribers and leads score this much: the fresh MQLs
# the demo routes to the reps' inboxes (accord/demo/extras.py).
MQL_THRESHOLD = 50

FIT_RULES: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("Mid-size or larger company", {"field": "company.size", "op": "in",
                                    "value": ["201-1000", "1001-5000", "5001+"]}, 15),
    ("Decision-maker title", {"or": [
        {"field": "title", "op": "contains", "value": "VP"},
        {"field": "title", "op": "contains", "value": "Head"},
        {"field": "title", "op": "contains", "value": "Director"},
        {"field": "title", "op": "contains", "value": "Chief"},
    ]}, 10),
    ("Based in North America", {"field": "country", "op": "in", "value": ["US", "CA"]}, 3),
)  # fmt: skip

ENGAGEMENT_RULES: tuple[tuple[str, str, list[dict[str, str]], int, int, int, int], ...] = (
    # name, event type, property conditions, points, cap, half-life days, window days
    ("Visited the pricing page", "page", [{"key": "url", "op": "contains", "value": "/pricing"}], 10, 30, 14, 90),
    ("Submitted a form", "form_submit", [], 15, 30, 30, 180),
    ("Downloaded content", "content_download", [], 8, 24, 30, 180),
    ("Attended an event", "event_attended", [], 20, 40, 45, 180),
    ("Clicked an email", "email_click", [], 3, 15, 14, 60),
    ("Clicked an ad", "ad_click", [], 2, 10, 7, 30),
)  # fmt: skip

SEGMENTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Hot leads", "Score 50 or more, not yet handed to sales.", {"and": [
        {"field": "score", "op": "gte", "value": 50},
        {"field": "lifecycle_stage", "op": "in", "value": ["subscriber", "lead", "recycled"]},
    ]}),
    ("Pricing-page visitors this month", "Viewed /pricing at least twice in 30 days.", {
        "event": {"type": "page", "properties": [{"key": "url", "op": "contains", "value": "/pricing"}]},
        "op": "gte", "count": 2, "within_days": 30,
    }),
    ("Enterprise accounts", "Contacts at companies with more than 1,000 employees.", {
        "field": "company.size", "op": "in", "value": ["1001-5000", "5001+"],
    }),
    ("Customers", "Everyone who has bought.", {"field": "lifecycle_stage", "op": "in",
                                               "value": ["customer", "evangelist"]}),
)  # fmt: skip


def seed_scoring(now: datetime) -> int:
    """Create the rules and score every contact. Scores are written without promoting anyone to
    MQL: the generated stage histories already tell each contact's story. Returns contacts scored."""
    scoring.set_mql_threshold(MQL_THRESHOLD)
    for name, condition, points in FIT_RULES:
        scoring.create_fit_rule(name=name, condition=condition, points=points)
    for name, kind, props, points, cap, half_life, window in ENGAGEMENT_RULES:
        scoring.create_engagement_rule(
            name=name, event_type=kind, property_conditions=props, points=points, cap=cap,
            half_life_days=half_life, window_days=window,
        )  # fmt: skip
    return full_recompute(now=now, promote=False).contacts


def seed_segments(now: datetime, owner: User | None) -> list[Segment]:
    made = []
    for name, description, tree in SEGMENTS:
        segment = create_segment(name=name, description=description, filter=tree, owner=owner)
        rebuild_segment(segment, now=now)
        made.append(segment)
    return made
