"""The SQL that computes scores, the same for a full recompute and for a batch of contacts.

One ``SELECT`` yields ``(contact_id, fit, engagement, total)`` for every contact (or for a batch)::

    SELECT c.id,
           CASE WHEN f0.matched IS NOT NULL THEN 10 ELSE 0 END + …        -- fit: one term per fit rule
           <cap>(COALESCE(e.s0, 0)) + <cap>(COALESCE(e.s1, 0)) + …      -- engagement: one per rule
    FROM contacts_contact c
    LEFT JOIN (SELECT contact_id, SUM(v0) AS s0, SUM(v1) AS s1, …       -- ONE pass over touchpoints
               FROM (SELECT contact_id,
                            CASE WHEN <rule 0 matches> THEN <decayed points> END AS v0, …
                     FROM tracking_touchpoint
                     WHERE type IN (<rule types>) AND occurred_at BETWEEN <widest window> AND now) t
               WHERE v0 IS NOT NULL OR v1 IS NOT NULL …
               GROUP BY contact_id) e ON e.contact_id = c.id
    LEFT JOIN (<fit rule 0 compiled by segments>) f0 ON f0.matched = c.id
    …

Every value is a bound parameter except the rules' own integers (points, caps), which are validated
model fields written as SQL literals. Fit rules are compiled by :func:`accord.segments.compiler.compile_segment`
and engagement property conditions by :func:`accord.segments.conditions.value_condition`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, Count, F, FloatField, Max, Min, Q, QuerySet, Sum, Value, When

from accord.contacts.models import Contact
from accord.scoring.decay import DecayedPoints
from accord.scoring.models import ContactScore, EngagementRule
from accord.scoring.rules import RuleSet, engagement_condition, fit_contacts
from accord.segments.conditions import Scope
from accord.tracking.models import Touchpoint

SCORE_COLUMNS = ("contact_id", "fit", "engagement", "total", "computed_at")


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]


def _touchpoints(
    rules: RuleSet, *, now: dt.datetime, contact_ids: Collection[int] | None
) -> tuple[QuerySet[Touchpoint], list[tuple[Q, DecayedPoints]]]:
    """Touchpoints any engagement rule may count, and per rule (matches, decayed points)."""
    scope = Scope("_sc")
    widest = max(p.rule.window_days for p in rules.engagement)
    per_rule = [
        (
            engagement_condition(part, now=now, scope=scope, within_window=widest),
            DecayedPoints(
                "occurred_at", points=part.rule.points, half_life_days=part.rule.half_life_days, now=now
            ),
        )
        for part in rules.engagement
    ]
    rows = Touchpoint.objects.alias(**scope.aliases).filter(
        contact_id__isnull=False, occurred_at__gte=now - dt.timedelta(days=widest), occurred_at__lte=now
    )
    if contact_ids is not None:
        # A batch reads its contacts' touchpoints through the (contact, occurred_at) index; a filter
        # on type here would tempt SQLite's planner into scanning every touchpoint of that type.
        rows = rows.filter(contact_id__in=list(contact_ids))
    else:
        rows = rows.filter(type__in=sorted({p.rule.event_type for p in rules.engagement}))
    return rows.order_by(), per_rule


def engagement_rows(
    rules: RuleSet, *, now: dt.datetime, contact_ids: Collection[int] | None = None
) -> QuerySet[Any, Any] | None:
    """Per contact, for engagement rule *i*: ``s{i}`` the decayed, uncapped points, ``n{i}`` the
    occurrences and ``first{i}`` / ``last{i}`` their times (what explanations need; one query).
    None without engagement rules."""
    if not rules.engagement:
        return None
    rows, per_rule = _touchpoints(rules, now=now, contact_ids=contact_ids)
    annotations: dict[str, Any] = {}
    for i, (matches, decayed) in enumerate(per_rule):
        annotations[f"s{i}"] = Sum(Case(When(matches, then=decayed), output_field=FloatField()))
        annotations[f"n{i}"] = Count(Case(When(matches, then=Value(1))))
        annotations[f"first{i}"] = Min(Case(When(matches, then=F("occurred_at"))))
        annotations[f"last{i}"] = Max(Case(When(matches, then=F("occurred_at"))))
    return rows.values("contact_id").annotate(**annotations)


def engagement_sums(
    rules: RuleSet,
    *,
    now: dt.datetime,
    connection: BaseDatabaseWrapper,
    contact_ids: Collection[int] | None = None,
    table_scan: bool = False,
) -> Statement | None:
    """``SELECT contact_id, s0, s1, …`` (decayed, uncapped points per rule) for contacts with at
    least one counted touchpoint. None without engagement rules.

    Each touchpoint's per-rule points are computed first, rows that count for no rule are dropped,
    and only then grouped by contact: SQLite groups by sorting, and sorting a few numbers per row
    instead of the rows' JSON columns halves the time of a full recompute.
    """
    if not rules.engagement:
        return None
    qn = connection.ops.quote_name
    rows, per_rule = _touchpoints(rules, now=now, contact_ids=contact_ids)
    values = {
        f"v{i}": Case(When(matches, then=decayed), output_field=FloatField())
        for i, (matches, decayed) in enumerate(per_rule)
    }
    sql, params = rows.values("contact_id", **values).query.sql_with_params()
    if connection.vendor == "sqlite":
        if table_scan:
            sql = sqlite_table_scan(sql)
        sql += " LIMIT -1 OFFSET 0"  # keeps the per-row step a subquery (SQLite would flatten it)
    sums = ", ".join(f"SUM(t.{qn(v)}) AS {qn('s' + v[1:])}" for v in values)
    counted = " OR ".join(f"t.{qn(v)} IS NOT NULL" for v in values)
    return Statement(
        f"SELECT t.{qn('contact_id')} AS contact_id, {sums} FROM ({sql}) t WHERE {counted} GROUP BY t.{qn('contact_id')}",  # noqa: S608 - identifiers, validated integers and compiled SQL; values are bound
        tuple(params),
    )


TOUCHPOINT_FROM = 'FROM "tracking_touchpoint" WHERE'


def sqlite_table_scan(sql: str) -> str:
    """Make SQLite read the touchpoint table front to back (``NOT INDEXED``) instead of looking up
    each row through the (type, occurred_at) index: without statistics its planner takes the index,
    and on millions of rows the random lookups cost several times a sequential scan."""
    if sql.count(TOUCHPOINT_FROM) != 1:
        return sql
    return sql.replace(TOUCHPOINT_FROM, 'FROM "tracking_touchpoint" NOT INDEXED WHERE')


def _capped_sql(value: str, rule: EngagementRule) -> str:
    if rule.cap is None:
        return value
    cap = int(rule.cap)
    if rule.points >= 0:
        return f"(CASE WHEN {value} > {cap} THEN {cap} ELSE {value} END)"
    return f"(CASE WHEN {value} < {-cap} THEN {-cap} ELSE {value} END)"


def round_sql(expression: str, connection: BaseDatabaseWrapper) -> str:
    """Round half away from zero to an integer, like :func:`accord.scoring.decay.round_score`."""
    if connection.vendor == "postgresql":
        return f"CAST(ROUND(CAST({expression} AS numeric)) AS integer)"
    return f"CAST(ROUND({expression}) AS INTEGER)"


def score_select(
    rules: RuleSet,
    *,
    now: dt.datetime,
    connection: BaseDatabaseWrapper,
    contact_ids: Sequence[int] | None = None,
    table_scan: bool = False,
) -> Statement:
    """``SELECT contact_id, fit, engagement, total`` for all contacts or for ``contact_ids``.

    ``table_scan``: on SQLite, read touchpoints with a full scan (see :func:`sqlite_table_scan`).
    """
    qn = connection.ops.quote_name
    joins: list[str] = []
    params: list[Any] = []
    engagement_terms: list[str] = []
    sums = engagement_sums(
        rules, now=now, connection=connection, contact_ids=contact_ids, table_scan=table_scan
    )
    if sums is not None:
        joins.append(f"LEFT JOIN ({sums.sql}) e ON e.contact_id = c.{qn('id')}")
        params.extend(sums.params)
        for i, part in enumerate(rules.engagement):
            engagement_terms.append(_capped_sql(f"COALESCE(e.{qn(f's{i}')}, 0)", part.rule))
    fit_terms: list[str] = []
    for i, fit_part in enumerate(rules.fit):
        matches = fit_contacts(fit_part, now=now, contact_ids=contact_ids).values(matched=F("pk"))
        sql, fit_params = matches.query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) f{i} ON f{i}.{qn('matched')} = c.{qn('id')}")
        params.extend(fit_params)
        fit_terms.append(
            f"CASE WHEN f{i}.{qn('matched')} IS NOT NULL THEN {int(fit_part.rule.points)} ELSE 0 END"
        )
    where = "1 = 1"
    if contact_ids is not None:
        where = f"c.{qn('id')} IN ({', '.join(['%s'] * len(contact_ids))})"
        params.extend(contact_ids)
    fit = " + ".join(fit_terms) or "0"
    engagement = " + ".join(engagement_terms) or "0"
    if connection.vendor == "postgresql":
        engagement = f"CAST({engagement} AS double precision)"
    else:
        engagement = f"CAST({engagement} AS REAL)"
    inner = (
        f"SELECT c.{qn('id')} AS contact_id, {fit} AS fit, {engagement} AS engagement "  # noqa: S608 - identifiers, validated integers and compiled SQL; values are bound
        f"FROM {qn(Contact._meta.db_table)} c {' '.join(joins)} WHERE {where}"
    )
    total = round_sql("s.fit + s.engagement", connection)
    sql = f"SELECT s.contact_id, s.fit, s.engagement, {total} AS total FROM ({inner}) s WHERE 1 = 1"  # noqa: S608 - identifiers, validated integers and compiled SQL; values are bound
    return Statement(sql, tuple(params))


def upsert_scores(select: Statement, *, now: dt.datetime, connection: BaseDatabaseWrapper) -> Statement:
    """Write the rows of ``select`` (contact_id, fit, engagement, total) into ContactScore.

    A row is only overwritten by one computed at the same time or later, so a slow full recompute
    never replaces the fresher score an incremental rescore wrote meanwhile.
    """
    qn = connection.ops.quote_name
    table = qn(ContactScore._meta.db_table)
    columns = ", ".join(qn(c) for c in SCORE_COLUMNS)
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in SCORE_COLUMNS[1:])
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - identifiers, validated integers and compiled SQL; values are bound
        f"SELECT q.contact_id, q.fit, q.engagement, q.total, %s FROM ({select.sql}) q WHERE 1 = 1 "
        f"ON CONFLICT ({qn('contact_id')}) DO UPDATE SET {updates} "
        f"WHERE {table}.{qn('computed_at')} <= EXCLUDED.{qn('computed_at')}"
    )
    return Statement(sql, (connection.ops.adapt_datetimefield_value(now), *select.params))
