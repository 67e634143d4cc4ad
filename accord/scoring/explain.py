"""Why a contact has its score: one line per rule that counts, in words people can check.

    +15 Mid-size or larger company
    +15 Visited the pricing page 3× in 7 days, decays to +7 by 2026-12-05

Lines are computed at ``now`` with the same SQL as the stored score (the statements of
:mod:`accord.scoring.statements`, restricted to the one contact): two queries, whatever the
number of rules. Their sum is the score at ``now``; the stored ``ContactScore`` is the score at its
``computed_at``.

"Decays to +X by D": X is half the rule's current contribution as shown (rounded, then halved
towards zero: +15 → +7), and D the day the contribution has fallen to X. A contribution shown as
±1 "fades to 0" when it falls under half a point. Every occurrence of a rule halves at the same pace, so the
rule's uncapped sum halves every half-life and D has a closed form (:func:`accord.scoring.decay.days_until`).
A capped rule stays at its cap until its uncapped sum falls to it, which the same formula accounts for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists

from accord.contacts.models import Contact
from accord.scoring.decay import capped, days_until, round_score, when
from accord.scoring.models import ContactScore
from accord.scoring.rules import EngagementPart, FitPart, RuleSet, fit_contacts, load_rules
from accord.scoring.statements import engagement_rows


@dataclass(frozen=True)
class ScoreLine:
    kind: str  # "fit" or "engagement"
    rule_id: int
    rule_name: str
    points: float  # the rule's contribution now: capped and decayed
    description: str  # the line without its points: "Visited the pricing page 3× in 7 days, …"
    occurrences: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    cap: int | None = None
    is_capped: bool = False
    half_life_days: int | None = None
    decays_to: int | None = None
    decays_by: date | None = None

    @property
    def shown_points(self) -> int:
        return round_score(self.points)

    @property
    def signed(self) -> str:
        return f"{self.shown_points:+d}"

    @property
    def text(self) -> str:
        return f"{self.signed} {self.description}"


@dataclass(frozen=True)
class Explanation:
    contact_id: int
    now: datetime
    lines: list[ScoreLine]
    stored: ContactScore | None

    @property
    def fit(self) -> int:
        return sum(round_score(line.points) for line in self.lines if line.kind == "fit")

    @property
    def engagement(self) -> float:
        return sum(line.points for line in self.lines if line.kind == "engagement")

    @property
    def total(self) -> int:
        return round_score(self.fit + self.engagement)


def _days_phrase(first: datetime, now: datetime) -> str:
    days = max(1, math.ceil((now - first).total_seconds() / 86_400))
    return "1 day" if days == 1 else f"{days} days"


def _fit_line(part: FitPart) -> ScoreLine:
    rule = part.rule
    return ScoreLine("fit", rule.pk, rule.name, float(rule.points), rule.name)


def _engagement_line(
    part: EngagementPart, raw: float, count: int, first: datetime, last: datetime, now: datetime
) -> ScoreLine:
    rule = part.rule
    points = capped(raw, rule.cap)
    is_capped = rule.cap is not None and abs(raw) > rule.cap
    text = f"{rule.name} {count}× in {_days_phrase(first, now)}"
    if is_capped:
        text += f" (capped at {rule.cap})"
    decays_to: int | None = None
    decays_by: date | None = None
    shown = round_score(points)
    sign = 1 if points >= 0 else -1
    if abs(shown) >= 2:
        decays_to = sign * (abs(shown) // 2)
        decays_by = when(now, days_until(raw, rule.cap, decays_to, rule.half_life_days)).date()
        text += f", decays to {decays_to:+d} by {decays_by.isoformat()}"
    elif abs(shown) == 1:  # shown as ±1 until it is under half a point
        decays_to = 0
        decays_by = when(now, days_until(raw, rule.cap, sign * 0.5, rule.half_life_days)).date()
        text += f", fades to 0 by {decays_by.isoformat()}"
    else:
        text += ", less than 1 point"
    return ScoreLine(
        "engagement", rule.pk, rule.name, points, text, occurrences=count, first_at=first, last_at=last,
        cap=rule.cap, is_capped=is_capped, half_life_days=rule.half_life_days, decays_to=decays_to,
        decays_by=decays_by,
    )  # fmt: skip


def explain(contact_id: int, now: datetime, *, rules: RuleSet | None = None) -> list[ScoreLine]:
    """The lines of ``contact_id``'s score at ``now``: fit rules that hold, then engagement rules
    with at least one occurrence in their window, each group by points (largest first)."""
    rules = rules if rules is not None else load_rules()
    lines: list[ScoreLine] = []
    if rules.fit:
        checks = {
            f"f{i}": Exists(fit_contacts(part, now=now, contact_ids=[contact_id]))
            for i, part in enumerate(rules.fit)
        }
        row = Contact.objects.filter(pk=contact_id).annotate(**checks).values(*checks).first()
        if row:
            lines.extend(_fit_line(part) for i, part in enumerate(rules.fit) if row[f"f{i}"])
    rows = engagement_rows(rules, now=now, contact_ids=[contact_id])
    engagement: list[ScoreLine] = []
    found = next(iter(rows), None) if rows is not None else None
    if found:
        for i, part in enumerate(rules.engagement):
            if found[f"n{i}"]:
                raw = float(found[f"s{i}"] or 0.0)
                first, last = found[f"first{i}"], found[f"last{i}"]
                engagement.append(_engagement_line(part, raw, int(found[f"n{i}"]), first, last, now))
    lines.sort(key=lambda line: -line.points)
    engagement.sort(key=lambda line: -line.points)
    return lines + engagement


def explain_score(contact_id: int, now: datetime, *, rules: RuleSet | None = None) -> Explanation:
    """The lines and the stored score side by side (what the contact page and the API show)."""
    stored = ContactScore.objects.filter(contact_id=contact_id).first()
    return Explanation(contact_id, now, explain(contact_id, now, rules=rules), stored)
