"""The win model: naive Bayes on a synthetic data set where the industry decides most outcomes,
calibration measured on held-out deals, the "not enough data" fallback, and the features."""

from __future__ import annotations

import random

import pytest

from accord.sales.actions import create_deal
from accord.sales.models import PipelineStage
from accord.sales.pipeline_actions import create_pipeline
from accord.scoring import tasks
from accord.scoring.calibration import auc, brier, evaluate, expected_calibration_error, reliability
from accord.scoring.features import bucket, contact_features, deal_features, seniority
from accord.scoring.models import WinModel
from accord.scoring.predictive import (
    KEEP_MODELS,
    MIN_CLOSED_DEALS,
    NaiveBayes,
    current_model,
    in_holdout,
    predict_contact,
    predict_features,
    train_win_model,
)
from accord.scoring.tests.fixtures import NOW, company, contact

WIN_RATE = {"Software": 0.85, "Retail": 0.1, "Finance": 0.5, "Media": 0.5}
SIZES = ["1-10", "11-50", "51-200", "201-1000"]


def closed_deals(n: int, *, seed: int = 7, rates: dict[str, float] = WIN_RATE) -> None:
    rng = random.Random(seed)
    pipeline = create_pipeline("Sales", is_default=True)
    won = pipeline.stages.get(outcome=PipelineStage.Outcome.WON)
    lost = pipeline.stages.get(outcome=PipelineStage.Outcome.LOST)
    for i in range(n):
        industry = rng.choice(list(rates))
        firm = company(industry=industry, size=rng.choice(SIZES))  # size carries no signal
        person = contact(company=firm, title=rng.choice(["VP Sales", "Engineer", ""]), country="US")
        stage = won if rng.random() < rates[industry] else lost
        create_deal(name=f"Deal {i}", pipeline=pipeline, stage=stage, contact=person, company=firm)


# --------------------------------------------------------------------------- the model on data
@pytest.mark.django_db
def test_a_clearly_predictive_feature_orders_probabilities_and_is_the_top_factor() -> None:
    closed_deals(240)
    model = train_win_model(now=NOW)
    assert model.enough_data and model.algorithm == "naive_bayes"
    assert model.closed_deals == 240 == model.won + model.lost

    software = predict_features({"industry": "software", "company_size": "51-200"})
    finance = predict_features({"industry": "finance", "company_size": "51-200"})
    retail = predict_features({"industry": "retail", "company_size": "51-200"})
    assert (
        software.probability is not None
        and finance.probability is not None
        and retail.probability is not None
    )
    assert software.probability > finance.probability > retail.probability
    assert software.probability > 0.7 and retail.probability < 0.3
    assert software.factors[0].feature == "industry" and software.factors[0].raises
    assert retail.factors[0].feature == "industry" and not retail.factors[0].raises
    assert "Industry: software — raises the odds" in software.factors[0].text


@pytest.mark.django_db
def test_calibration_is_measured_on_held_out_deals() -> None:
    closed_deals(240)
    metrics = train_win_model(now=NOW).metrics
    held_out = (
        sum(in_holdout(d) for d in WinModel.objects.none().values_list("pk", flat=True)) or metrics["n_test"]
    )
    assert metrics["n_train"] + metrics["n_test"] == 240
    assert 0.1 * 240 < held_out < 0.3 * 240
    assert sum(row["count"] for row in metrics["reliability"]) == metrics["n_test"]
    assert metrics["test_won"] <= metrics["n_test"]
    assert 0 <= metrics["brier"] < metrics["brier_base"]  # better than always answering the win rate
    assert metrics["auc"] > 0.75
    assert 0 <= metrics["ece"] < 0.3
    assert metrics["log_loss"] > 0


@pytest.mark.django_db
def test_the_held_out_deals_are_not_learned_from() -> None:
    closed_deals(120)
    from accord.scoring.features import closed_deal_examples

    examples = list(closed_deal_examples())
    held = [e for e in examples if in_holdout(e.deal_id)]
    train = [e for e in examples if not in_holdout(e.deal_id)]
    assert held and train
    model = NaiveBayes.fit(train)
    assert model.won + model.lost == len(train)


@pytest.mark.django_db
def test_contacts_are_predicted_from_their_open_deal_or_themselves() -> None:
    closed_deals(200)
    train_win_model(now=NOW)
    pipeline = create_pipeline("Other")
    firm = company(industry="Software", size="51-200")
    with_deal = contact(company=firm)
    deal = create_deal(name="Open", pipeline=pipeline, contact=with_deal, company=firm)
    without = contact(company=company(industry="Retail"))
    a = predict_contact(with_deal.pk, NOW)
    b = predict_contact(without.pk, NOW)
    assert a is not None and b is not None
    assert a.deal_id == deal.pk and b.deal_id is None
    assert a.probability is not None and b.probability is not None
    assert a.probability > b.probability
    assert predict_contact(999_999, NOW) is None


# --------------------------------------------------------------------------- not enough data
@pytest.mark.django_db
def test_without_a_model_predictions_fall_back_to_the_win_rate() -> None:
    prediction = predict_features({"industry": "software"})
    assert (prediction.probability, prediction.enough_data) == (None, False)
    assert "No win model trained yet" in prediction.message
    closed_deals(4, rates={"Software": 1.0})
    prediction = predict_features({"industry": "software"})
    assert (prediction.probability, prediction.enough_data, prediction.factors) == (1.0, False, [])


@pytest.mark.django_db
def test_too_few_closed_deals_train_a_flagged_base_rate() -> None:
    closed_deals(MIN_CLOSED_DEALS - 1)
    model = train_win_model(now=NOW)
    assert not model.enough_data and model.params == {}
    assert model.metrics["reason"].startswith("Not enough data: 29 closed deals")
    prediction = predict_features({"industry": "software"})
    assert not prediction.enough_data
    assert prediction.probability == pytest.approx(model.won / model.closed_deals)
    assert prediction.message == model.metrics["reason"]


@pytest.mark.django_db
def test_one_sided_outcomes_are_not_enough_either() -> None:
    closed_deals(40, rates={"Software": 1.0, "Retail": 1.0})
    model = train_win_model(now=NOW)
    assert not model.enough_data
    assert "0 lost" in model.metrics["reason"]


@pytest.mark.django_db
def test_the_nightly_task_retrains_and_old_models_are_pruned() -> None:
    closed_deals(5)
    for _ in range(KEEP_MODELS + 2):
        tasks.retrain_win_model_task.call_local()
    assert WinModel.objects.count() == KEEP_MODELS
    assert current_model() == WinModel.objects.order_by("-trained_at", "-pk").first()


# --------------------------------------------------------------------------- pure parts
def test_naive_bayes_counts_smoothing_and_round_trip() -> None:
    from accord.scoring.features import Example

    examples = [
        Example(1, True, {"industry": "software"}),
        Example(2, True, {"industry": "software"}),
        Example(3, False, {"industry": "retail"}),
    ]
    nb = NaiveBayes.fit(examples)
    assert (nb.won, nb.lost) == (2, 1)
    # P(software|won) = (2+1)/(2+2), P(software|lost) = (0+1)/(1+2)
    import math

    assert nb.log_likelihood_ratio("industry", "software") == pytest.approx(math.log(3 / 4) - math.log(1 / 3))
    assert nb.log_likelihood_ratio("industry", "media") is None
    assert nb.probability({"industry": "media"}) == pytest.approx(3 / 5)  # the smoothed prior alone
    assert NaiveBayes.from_json(nb.to_json()) == nb


def test_holdout_is_stable_and_about_a_fifth() -> None:
    share = sum(in_holdout(i) for i in range(1, 10_001)) / 10_000
    assert 0.18 < share < 0.22
    assert [in_holdout(i) for i in range(50)] == [in_holdout(i) for i in range(50)]


def test_calibration_metrics() -> None:
    assert auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auc([0.5, 0.5], [0, 1]) == 0.5  # ties count half
    assert auc([0.2, 0.3], [1, 1]) is None
    assert brier([1.0, 0.0, 0.5], [1, 0, 1]) == pytest.approx(0.25 / 3)
    table = reliability([0.05, 0.15, 0.12, 0.95], [0, 0, 1, 1])
    assert [(r["lo"], r["count"], r["observed"]) for r in table] == [
        (0.0, 1, 0.0),
        (0.1, 2, 0.5),
        (0.9, 1, 1.0),
    ]
    assert expected_calibration_error(table) == pytest.approx((0.05 + 2 * abs(0.135 - 0.5) + 0.05) / 4)
    assert evaluate([], [], base_rate=0.5) == {"n_test": 0}


@pytest.mark.parametrize(
    ("title", "level"),
    [("CEO", "c-level"), ("Co-founder & CTO", "c-level"), ("VP Marketing", "vp"), ("Head of Growth", "head/director"),
     ("Sales Director", "head/director"), ("Product Manager", "manager"), ("Engineer", "individual"), ("", "(none)")],
)  # fmt: skip
def test_seniority_from_titles(title: str, level: str) -> None:
    assert seniority(title) == level


def test_count_buckets() -> None:
    edges = (0, 1, 3, 6, 11)
    assert [bucket(n, edges) for n in (None, 0, 1, 2, 3, 5, 6, 10, 11, 500)] == [
        "0", "0", "1-2", "1-2", "3-5", "3-5", "6-10", "6-10", "11+", "11+",
    ]  # fmt: skip


@pytest.mark.django_db
def test_features_of_deals_and_contacts() -> None:
    from accord.campaigns.actions import create_campaign
    from accord.sales.actions import log_activity
    from accord.scoring.tests.fixtures import touch

    ad = create_campaign(name="Spring ads", channel="digital")
    firm = company(industry=" Software ", size="51-200", revenue_band="1M-10M", country="de")
    person = contact(company=firm, title="VP Sales")
    touch(person, 3, "ad_click", campaign_id=ad.pk)
    log_activity(kind="call", subject="Intro", contact=person)
    deal = create_deal(
        name="D", pipeline=create_pipeline("P"), contact=person, company=firm, source_campaign=ad
    )
    features = deal_features(deal.pk)
    assert features is not None
    assert features["industry"] == "software"
    assert features["company_size"] == "51-200" and features["revenue_band"] == "1m-10m"
    assert features["country"] == "DE"
    assert features["seniority"] == "vp"
    assert features["source_channel"] == features["first_touch_channel"] == "digital"
    assert features["activities_before"] == "1-2"
    assert features["touches_90d"] == "1-4"
    log_activity(kind="meeting", subject="Demo", contact=person)  # after the deal opened: not a feature
    assert deal_features(deal.pk) == features
    assert contact_features(person.pk, NOW) is not None
    assert "source_channel" not in (contact_features(person.pk, NOW) or {})
