"""Predictive win probability: naive Bayes over categorical features of closed deals (Odoo-style).

Why naive Bayes (see docs/scoring.md): it trains from counts in one pass — no iterations, no numeric
library, a model that is a small JSON of counts — it works with the few dozen closed deals a new
workspace has, and every prediction splits exactly into per-feature log-odds, which is what "top
factors" shows. Its known weakness, over-confidence when features are correlated (industry and
company size), is measured, not hidden: every training run reports calibration on held-out deals.

The model, with Laplace smoothing ``alpha`` (``K_f`` distinct values of feature *f* seen in training)::

    log-odds(won) = log((won + α) / (lost + α))
                  + Σ_f log( (n_won(f=v) + α) / (won + α K_f) )  −  log( (n_lost(f=v) + α) / (lost + α K_f) )
    p = 1 / (1 + exp(−log-odds))

A value never seen in training for a feature (a new industry) adds nothing.

Training (:func:`train_win_model`, nightly): deals are split 80/20 by a hash of their id (stable from
run to run), a model trained on the 80% is scored on the 20% (:mod:`accord.scoring.calibration`),
then the stored model is trained on all closed deals. Below :data:`MIN_CLOSED_DEALS` closed deals, or
:data:`MIN_PER_OUTCOME` of either outcome, the stored model is only the base rate, flagged "not
enough data", and predictions say so.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.sales.models import Deal
from accord.scoring import calibration
from accord.scoring.features import (
    FEATURES,
    LABELS,
    Example,
    closed_deal_examples,
    contact_features,
    deal_features,
    value_label,
)
from accord.scoring.models import WinModel

ALGORITHM = "naive_bayes"
ALPHA = 1.0
MIN_CLOSED_DEALS = 30
MIN_PER_OUTCOME = 5
HOLDOUT_PERCENT = 20
KEEP_MODELS = 20
TOP_FACTORS = 4


# --------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class NaiveBayes:
    won: int
    lost: int
    counts: Mapping[str, Mapping[str, tuple[int, int]]]  # feature → value → (won, lost)
    alpha: float = ALPHA

    @classmethod
    def fit(cls, examples: Iterable[Example], *, alpha: float = ALPHA) -> NaiveBayes:
        won = lost = 0
        counts: dict[str, dict[str, list[int]]] = {}
        for example in examples:
            outcome = 0 if example.won else 1
            if example.won:
                won += 1
            else:
                lost += 1
            for name, value in example.features.items():
                counts.setdefault(name, {}).setdefault(value, [0, 0])[outcome] += 1
        frozen = {name: {v: (c[0], c[1]) for v, c in values.items()} for name, values in counts.items()}
        return cls(won, lost, frozen, alpha)

    @property
    def prior(self) -> float:
        return math.log((self.won + self.alpha) / (self.lost + self.alpha))

    def log_likelihood_ratio(self, name: str, value: str) -> float | None:
        """How much ``name = value`` moves the log-odds of winning; None if never seen."""
        values = self.counts.get(name)
        if not values or value not in values:
            return None
        n_won, n_lost = values[value]
        k = len(values)
        return math.log((n_won + self.alpha) / (self.won + self.alpha * k)) - math.log(
            (n_lost + self.alpha) / (self.lost + self.alpha * k)
        )

    def contributions(self, features: Mapping[str, str]) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, value in features.items():
            llr = self.log_likelihood_ratio(name, value)
            if llr is not None:
                out[name] = llr
        return out

    def probability(self, features: Mapping[str, str]) -> float:
        return sigmoid(self.prior + sum(self.contributions(features).values()))

    def to_json(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "won": self.won,
            "lost": self.lost,
            "counts": {name: {v: list(c) for v, c in values.items()} for name, values in self.counts.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NaiveBayes:
        counts = {
            name: {v: (int(c[0]), int(c[1])) for v, c in values.items()}
            for name, values in data.get("counts", {}).items()
        }
        return cls(int(data["won"]), int(data["lost"]), counts, float(data.get("alpha", ALPHA)))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)
    return z / (1 + z)


def in_holdout(deal_id: int) -> bool:
    """The deal is one of the ~20% kept out of training to measure calibration (stable per deal)."""
    digest = hashlib.sha256(f"win-model:{deal_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLDOUT_PERCENT


# --------------------------------------------------------------------------- training
def train_win_model(*, now: datetime | None = None, examples: list[Example] | None = None) -> WinModel:
    """Train on every closed deal, measure on held-out ones, store and return the model."""
    now = now or timezone.now()
    rows = examples if examples is not None else list(closed_deal_examples())
    won = sum(1 for e in rows if e.won)
    lost = len(rows) - won
    enough = len(rows) >= MIN_CLOSED_DEALS and won >= MIN_PER_OUTCOME and lost >= MIN_PER_OUTCOME
    metrics: dict[str, Any] = {"n_closed": len(rows)}
    params: dict[str, Any] = {}
    if enough:
        train = [e for e in rows if not in_holdout(e.deal_id)]
        test = [e for e in rows if in_holdout(e.deal_id)]
        held_out = NaiveBayes.fit(train)
        base_rate = held_out.won / len(train) if train else 0.0
        predicted = [held_out.probability(e.features) for e in test]
        metrics.update(calibration.evaluate(predicted, [int(e.won) for e in test], base_rate=base_rate))
        metrics["n_train"] = len(train)
        params = NaiveBayes.fit(rows).to_json()
    else:
        metrics["reason"] = not_enough_reason(len(rows), won, lost)
    with transaction.atomic():
        model = WinModel.objects.create(
            trained_at=now,
            algorithm=ALGORITHM,
            features=list(FEATURES),
            params=params,
            metrics=metrics,
            closed_deals=len(rows),
            won=won,
            lost=lost,
            enough_data=enough,
        )
        stale = WinModel.objects.order_by("-trained_at", "-pk").values_list("pk", flat=True)[KEEP_MODELS:]
        WinModel.objects.filter(pk__in=list(stale)).delete()
    return model


def not_enough_reason(closed: int, won: int, lost: int) -> str:
    if closed < MIN_CLOSED_DEALS:
        return f"Not enough data: {closed} closed deals, at least {MIN_CLOSED_DEALS} are needed."
    return f"Not enough data: {won} won and {lost} lost deals, at least {MIN_PER_OUTCOME} of each are needed."


def current_model() -> WinModel | None:
    return WinModel.objects.order_by("-trained_at", "-pk").first()


# --------------------------------------------------------------------------- predicting
@dataclass(frozen=True)
class Factor:
    feature: str
    value: str
    log_odds: float  # this feature's term in the log-odds
    delta: float  # probability with the feature minus probability without it

    @property
    def label(self) -> str:
        return LABELS.get(self.feature, self.feature)

    @property
    def value_label(self) -> str:
        return value_label(self.feature, self.value)

    @property
    def raises(self) -> bool:
        return self.log_odds > 0

    @property
    def odds_ratio(self) -> float:
        return math.exp(self.log_odds)

    @property
    def text(self) -> str:
        direction = "raises" if self.raises else "lowers"
        return (
            f"{self.label}: {self.value_label} — {direction} the odds ×{self.odds_ratio:.2g} "
            f"({self.delta * 100:+.0f} points)"
        )


@dataclass(frozen=True)
class WinPrediction:
    probability: float | None
    enough_data: bool
    message: str = ""
    factors: list[Factor] = field(default_factory=list)
    base_rate: float | None = None
    model_id: int | None = None
    trained_at: datetime | None = None
    deal_id: int | None = None

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(self.probability * 100)


def _base_rate() -> tuple[float | None, int]:
    closed = Deal.objects.filter(status__in=[Deal.Status.WON, Deal.Status.LOST])
    total = closed.count()
    won = closed.filter(status=Deal.Status.WON).count()
    return (won / total if total else None), total


def predict_features(
    features: Mapping[str, str], model: WinModel | None = None, *, top: int = TOP_FACTORS
) -> WinPrediction:
    """The win probability for ``features`` and the factors that moved it most."""
    model = model if model is not None else current_model()
    if model is None or not model.enough_data or not model.params:
        rate, closed = (model.base_rate, model.closed_deals) if model is not None else _base_rate()
        if model is not None:
            message = str(
                model.metrics.get("reason") or not_enough_reason(model.closed_deals, model.won, model.lost)
            )
        else:
            message = f"No win model trained yet; {closed} closed deals so far."
        return WinPrediction(
            rate, False, message, base_rate=rate, model_id=getattr(model, "pk", None),
            trained_at=getattr(model, "trained_at", None),
        )  # fmt: skip
    nb = NaiveBayes.from_json(model.params)
    terms = nb.contributions(features)
    logit = nb.prior + sum(terms.values())
    probability = sigmoid(logit)
    factors = [
        Factor(name, features[name], llr, probability - sigmoid(logit - llr)) for name, llr in terms.items()
    ]
    factors.sort(key=lambda f: abs(f.delta), reverse=True)
    return WinPrediction(
        probability, True, factors=[f for f in factors[:top] if abs(f.delta) >= 0.005], base_rate=model.base_rate,
        model_id=model.pk, trained_at=model.trained_at,
    )  # fmt: skip


def predict_deal(deal_id: int, model: WinModel | None = None) -> WinPrediction | None:
    features = deal_features(deal_id)
    if features is None:
        return None
    prediction = predict_features(features, model)
    return WinPrediction(**{**prediction.__dict__, "deal_id": deal_id})


def predict_contact(contact_id: int, now: datetime, model: WinModel | None = None) -> WinPrediction | None:
    """For the contact's newest open deal if it has one, else for the contact as it is at ``now``."""
    deal_id = (
        Deal.objects.filter(contact_id=contact_id, status=Deal.Status.OPEN)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if deal_id is not None:
        return predict_deal(deal_id, model)
    features = contact_features(contact_id, now)
    return predict_features(features, model) if features is not None else None
