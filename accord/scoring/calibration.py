"""How good a probability is, measured on rows the model did not learn from. Pure Python.

- Brier score: mean squared error of the probability (0 is perfect; always answering the base rate
  scores ``p(1 - p)``, reported beside it as ``brier_base`` with the skill score ``1 - brier / brier_base``);
- log loss;
- AUC: the chance a won deal is ranked above a lost one (0.5 is guessing), ties counting half;
- reliability: predictions in ten equal-width bins, each with the mean predicted probability and the
  observed win rate, and the expected calibration error (their count-weighted mean gap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

BINS = 10
EPSILON = 1e-12


def brier(predicted: Sequence[float], outcomes: Sequence[int]) -> float:
    return sum((p - y) ** 2 for p, y in zip(predicted, outcomes, strict=True)) / len(predicted)


def log_loss(predicted: Sequence[float], outcomes: Sequence[int]) -> float:
    total = 0.0
    for p, y in zip(predicted, outcomes, strict=True):
        p = min(max(p, EPSILON), 1 - EPSILON)
        total -= math.log(p) if y else math.log(1 - p)
    return total / len(predicted)


def auc(predicted: Sequence[float], outcomes: Sequence[int]) -> float | None:
    """Area under the ROC curve by ranks (Mann–Whitney U); None without both outcomes."""
    positives = sum(outcomes)
    negatives = len(outcomes) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(predicted)), key=lambda i: predicted[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and predicted[order[j + 1]] == predicted[order[i]]:
            j += 1
        average_rank = (i + j) / 2 + 1  # ties share the mean of their ranks
        rank_sum += average_rank * sum(outcomes[order[k]] for k in range(i, j + 1))
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def reliability(
    predicted: Sequence[float], outcomes: Sequence[int], bins: int = BINS
) -> list[dict[str, Any]]:
    """Non-empty bins of equal width: ``lo``, ``hi``, ``count``, ``mean_predicted``, ``observed``."""
    groups: list[list[tuple[float, int]]] = [[] for _ in range(bins)]
    for p, y in zip(predicted, outcomes, strict=True):
        groups[min(int(p * bins), bins - 1)].append((p, y))
    return [
        {
            "lo": round(k / bins, 4),
            "hi": round((k + 1) / bins, 4),
            "count": len(group),
            "mean_predicted": sum(p for p, _ in group) / len(group),
            "observed": sum(y for _, y in group) / len(group),
        }
        for k, group in enumerate(groups)
        if group
    ]


def expected_calibration_error(table: list[dict[str, Any]]) -> float:
    count = sum(row["count"] for row in table)
    if not count:
        return 0.0
    return sum(row["count"] * abs(row["mean_predicted"] - row["observed"]) for row in table) / count


def evaluate(predicted: Sequence[float], outcomes: Sequence[int], *, base_rate: float) -> dict[str, Any]:
    """Every metric above for held-out ``predicted`` probabilities and 0/1 ``outcomes``; ``base_rate``
    is the training set's win rate (the no-skill forecast)."""
    if not predicted:
        return {"n_test": 0}
    table = reliability(predicted, outcomes)
    score = brier(predicted, outcomes)
    base = brier([base_rate] * len(outcomes), outcomes)
    return {
        "n_test": len(predicted),
        "test_won": sum(outcomes),
        "brier": score,
        "brier_base": base,
        "brier_skill": (1 - score / base) if base > 0 else None,
        "log_loss": log_loss(predicted, outcomes),
        "auc": auc(predicted, outcomes),
        "ece": expected_calibration_error(table),
        "reliability": table,
    }
