"""What the scoring pages show, in words: rule conditions and the win model's report."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from accord.scoring.features import LABELS, value_label
from accord.scoring.models import EngagementRule, FitRule, WinModel
from accord.scoring.predictive import MIN_CLOSED_DEALS, NaiveBayes
from accord.segments.describe import Line, describe_json
from accord.segments.fields import Kind, Op, load_catalog, op_label
from accord.tracking.models import EventType

STRONG_VALUES = 6
MIN_SUPPORT = 5  # deals a value needs before it is shown as a strong signal
MIN_LOG_ODDS = math.log(1.25)  # and how much it must move the odds (×1.25 or ×0.8)


@dataclass(frozen=True)
class FitRow:
    rule: FitRule
    condition: Line | None  # None: no longer valid (a custom property was deleted)


@dataclass(frozen=True)
class EngagementRow:
    rule: EngagementRule
    event: str


def fit_rule_rows() -> list[FitRow]:
    catalog = load_catalog()
    return [
        FitRow(rule, describe_json(rule.condition, catalog))
        for rule in FitRule.objects.order_by("name", "pk")
    ]


def describe_event(rule: EngagementRule) -> str:
    text = dict(EventType.choices).get(rule.event_type, rule.event_type)
    if rule.event_name:
        text += f" “{rule.event_name}”"
    for condition in rule.property_conditions or []:
        if not isinstance(condition, dict):
            continue
        value = condition.get("value")
        kind = Kind.NUMBER if isinstance(value, int | float) and not isinstance(value, bool) else Kind.TEXT
        try:
            words = op_label(kind, Op(str(condition.get("op"))))
        except ValueError:
            words = str(condition.get("op"))
        shown = (
            ""
            if value is None
            else f" {value!r}"
            if not isinstance(value, list)
            else f" {', '.join(map(repr, value))}"
        )
        text += f", {condition.get('key')} {words}{shown}"
    return text


def engagement_rule_rows() -> list[EngagementRow]:
    return [
        EngagementRow(rule, describe_event(rule)) for rule in EngagementRule.objects.order_by("name", "pk")
    ]


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _number(value: Any, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def strong_values(model: WinModel) -> list[dict[str, Any]]:
    """The feature values that move the odds most, among those seen on enough deals."""
    if not model.params:
        return []
    nb = NaiveBayes.from_json(model.params)
    found: list[dict[str, Any]] = []
    for feature, values in nb.counts.items():
        for value, (won, lost) in values.items():
            llr = nb.log_likelihood_ratio(feature, value)
            if llr is None or won + lost < MIN_SUPPORT or abs(llr) < MIN_LOG_ODDS:
                continue
            found.append(
                {
                    "text": f"{LABELS.get(feature, feature)}: {value_label(feature, value)}",
                    "raises": llr > 0,
                    "odds": f"×{math.exp(llr):.2g}",
                    "deals": f"{won} won / {lost} lost",
                    "strength": abs(llr),
                }
            )
    found.sort(key=lambda row: row["strength"], reverse=True)
    return found[:STRONG_VALUES]


def model_report(model: WinModel | None) -> dict[str, Any] | None:
    if model is None:
        return None
    metrics = model.metrics or {}
    bins = [
        {
            "range": f"{row['lo'] * 100:.0f}–{row['hi'] * 100:.0f}%",
            "count": row["count"],
            "predicted": _percent(row["mean_predicted"]),
            "observed": _percent(row["observed"]),
            "predicted_width": round(row["mean_predicted"] * 100),
            "observed_width": round(row["observed"] * 100),
        }
        for row in metrics.get("reliability", [])
    ]
    return {
        "model": model,
        "base_rate": _percent(model.base_rate),
        "reason": metrics.get("reason", ""),
        "min_deals": MIN_CLOSED_DEALS,
        "n_train": metrics.get("n_train"),
        "n_test": metrics.get("n_test"),
        "auc": _number(metrics.get("auc"), 2),
        "brier": _number(metrics.get("brier")),
        "brier_base": _number(metrics.get("brier_base")),
        "brier_skill": _percent(metrics.get("brier_skill")),
        "log_loss": _number(metrics.get("log_loss")),
        "ece": _percent(metrics.get("ece")),
        "bins": bins,
        "strong": strong_values(model),
    }
