"""Which campaign a visit's UTM codes belong to.

:func:`resolve_campaigns` answers for a whole ingest batch with **one** query, a UNION of

1. the :class:`~accord.campaigns.models.UtmRule` rows that could match any triple of the batch, and
2. the campaigns whose own ``utm_campaign`` code is one of the batch's names.

Rules win over the campaigns' own codes. Among rules: the highest ``priority``, then the most
specific rule (more non-blank codes), then the oldest. Among campaign codes: a campaign matches
on ``utm_campaign`` and, where the campaign sets them, ``utm_source`` and ``utm_medium``; the
most specific match wins, then the newest campaign (what tracking's ingest did before rules).
Every comparison is case-insensitive and ignores surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from accord.campaigns.models import Campaign, UtmRule

Utm = tuple[str, str, str]  # (source, medium, campaign name), as received


@dataclass(frozen=True)
class _Candidate:
    campaign_id: int
    source: str
    medium: str
    name: str
    priority: int
    order: int  # rules: the rule's id (older first); campaign codes: the campaign's id (newer first)
    is_rule: bool

    def matches(self, source: str, medium: str, name: str) -> bool:
        if self.is_rule:
            return all(
                not want or want == got for want, got in zip(self._codes, (source, medium, name), strict=True)
            )
        return (
            self.name == name
            and (not self.source or self.source == source)
            and (not self.medium or self.medium == medium)
        )

    @property
    def _codes(self) -> tuple[str, str, str]:
        return (self.source, self.medium, self.name)

    def rank(self) -> tuple[int, int, int, int]:
        specificity = bool(self.source) + bool(self.medium) + bool(self.name)
        if self.is_rule:
            return (1, self.priority, specificity, -self.order)
        return (0, 0, specificity, self.order)


def normalise(source: str | None, medium: str | None, name: str | None) -> Utm:
    return ((source or "").strip().lower(), (medium or "").strip().lower(), (name or "").strip().lower())


def _in(column: str, values: set[str], params: list[str]) -> str:
    """``column = ''`` or ``column IN (%s, …)``; only placeholders go into the text."""
    if not values:
        return f"{column} = ''"
    params.extend(sorted(values))
    return f"({column} = '' OR {column} IN ({', '.join(['%s'] * len(values))}))"


def _candidates(wanted: set[Utm]) -> list[_Candidate]:
    """Rules that could match any of ``wanted`` and campaigns whose own code is one of its names.

    Raw SQL built from the models' table and column names with bound parameters: this runs once
    per ingest request, and composing the equivalent ORM union cost more than running it.
    """
    sources = {s for s, _, _ in wanted if s}
    mediums = {m for _, m, _ in wanted if m}
    names = {n for _, _, n in wanted if n}
    qn = connection.ops.quote_name
    rule, campaign = UtmRule._meta, Campaign._meta

    def col(meta: Any, name: str) -> str:
        return qn(str(meta.get_field(name).column))

    params: list[str] = []
    conditions = " AND ".join(
        _in(col(rule, field), values, params)
        for field, values in (("source", sources), ("medium", mediums), ("name", names))
    )
    rule_columns = ", ".join(col(rule, f) for f in ("campaign", "source", "medium", "name", "priority", "id"))
    sql = f"SELECT {rule_columns}, 1 FROM {qn(rule.db_table)} WHERE {conditions}"  # noqa: S608
    if names:
        code = f"LOWER({col(campaign, 'utm_campaign')})"
        lower = ", ".join(f"LOWER({col(campaign, f)})" for f in ("utm_source", "utm_medium"))
        campaign_id, marks = col(campaign, "id"), ", ".join(["%s"] * len(names))
        sql += f" UNION ALL SELECT {campaign_id}, {lower}, {code}, 0, {campaign_id}, 0 FROM {qn(campaign.db_table)} WHERE {code} IN ({marks})"  # noqa: S608
        params.extend(sorted(names))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        _Candidate(int(c), (s or "").strip(), (m or "").strip(), (n or "").strip(), int(p), int(o), bool(r))
        for c, s, m, n, p, o, r in rows
    ]


def resolve_campaigns(utms: Iterable[tuple[str | None, str | None, str | None]]) -> dict[Utm, int | None]:
    """``{(source, medium, name): campaign id or None}`` for every triple given, in one query.

    Keys are the triples as given; equal triples after normalising share one answer.
    """
    given = list(dict.fromkeys((s or "", m or "", n or "") for s, m, n in utms))
    normalised = {utm: normalise(*utm) for utm in given}
    wanted = {utm for utm in normalised.values() if any(utm)}
    if not wanted:
        return dict.fromkeys(given)
    candidates = _candidates(wanted)
    best: dict[Utm, int | None] = {}
    for utm in wanted:
        matching = [c for c in candidates if c.matches(*utm)]
        best[utm] = max(matching, key=_Candidate.rank).campaign_id if matching else None
    return {utm: best.get(normalised[utm]) for utm in given}


def resolve_campaign(source: str | None, medium: str | None, name: str | None) -> Campaign | None:
    """The campaign for one visit's UTM codes, or None."""
    campaign_id = resolve_campaigns([(source, medium, name)]).get((source or "", medium or "", name or ""))
    return Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
