"""Unit tests of the streaming metrics against scikit-learn's metrics."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score

from sklearn_heads._metrics import AUC, AccuracyBaseline, Mean, MeanMatch, Precision, Recall

RNG = np.random.RandomState(0)
Y = (RNG.uniform(size=400) > 0.6).astype(float)
P = np.clip(0.3 * Y + RNG.uniform(size=400) * 0.7, 0, 1)
W = RNG.uniform(0.1, 3, size=400)


@pytest.mark.parametrize("w", [None, W])
def test_threshold_metrics_equal_sklearn(w):
    pred = P > 0.4
    for metric, score in [
        (MeanMatch(0.4), accuracy_score),
        (Precision(0.4), precision_score),
        (Recall(0.4), recall_score),
    ]:
        metric.update_state(Y, P, w)
        assert metric.result() == pytest.approx(score(Y, pred, sample_weight=w), rel=1e-12)


def test_threshold_is_strict():
    m = Precision(0.5)
    m.update_state([1, 0], [0.5, 0.75])  # 0.5 is not > 0.5: one false positive only
    assert (m.true_positives[0], m.false_positives[0]) == (0, 1)


@pytest.mark.parametrize("w", [None, W])
def test_roc_auc_close_to_exact(w):
    auc = AUC()
    auc.update_state(Y, P, w)
    # 200 buckets: the trapezoids deviate from the exact AUC by far less than 1e-2
    assert auc.result() == pytest.approx(roc_auc_score(Y, P, sample_weight=w), abs=1e-2)


def test_auc_perfect_and_reversed():
    y = np.array([0, 0, 1, 1])
    good, bad = AUC(), AUC()
    good.update_state(y, [0.1, 0.2, 0.8, 0.9])
    bad.update_state(y, [0.9, 0.8, 0.2, 0.1])
    assert good.result() == pytest.approx(1.0) and bad.result() == pytest.approx(0.0)
    pr = AUC(curve="PR")
    pr.update_state(y, [0.1, 0.2, 0.8, 0.9])
    assert pr.result() == pytest.approx(1.0)


def test_mean_and_baseline():
    mean, baseline = Mean(), AccuracyBaseline()
    mean.update_state([1.0, 0.0, 1.0], [1.0, 2.0, 3.0])
    baseline.update_state([1.0, 0.0, 1.0], [1.0, 2.0, 3.0])
    assert mean.result() == pytest.approx(4 / 6)
    assert baseline.result() == pytest.approx(4 / 6)
    baseline.reset_state()
    baseline.update_state([0.0, 0.0, 1.0])
    assert baseline.result() == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "make", [Mean, MeanMatch, lambda: MeanMatch(0.3), Precision, Recall, AUC, lambda: AUC("PR"), AccuracyBaseline]
)
def test_empty_metric_is_zero_and_reset_clears(make):
    metric = make()
    assert metric.result() == 0.0
    if isinstance(metric, (Mean,)) and not isinstance(metric, MeanMatch):
        metric.update_state(Y, W)
    else:
        metric.update_state(Y, P, W)
    metric.reset_state()
    assert metric.result() == 0.0


def test_merge_equals_one_update_and_rejects_other_configs():
    whole, a, b = AUC("PR"), AUC("PR"), AUC("PR")
    whole.update_state(Y, P, W)
    a.update_state(Y[:150], P[:150], W[:150])
    b.update_state(Y[150:], P[150:], W[150:])
    assert a.merge(b).result() == pytest.approx(whole.result(), rel=1e-12)
    with pytest.raises(ValueError, match="same class and configuration"):
        AUC("PR").merge(AUC("ROC"))
    with pytest.raises(ValueError, match="same class and configuration"):
        Precision(0.3).merge(Precision(0.5))
    with pytest.raises(ValueError, match="same class"):
        Mean().merge(AccuracyBaseline())


def test_bad_curve():
    with pytest.raises(ValueError, match="'ROC' or 'PR'"):
        AUC(curve="roc")


def test_auc_pr_finite_with_extreme_weights():
    # a heavy positive one bucket below a light one: the ratio of the
    # predicted-positive weights of neighbouring thresholds (1e600)
    # overflows float64, the difference of their logs does not
    auc = AUC(curve="PR")
    auc.update_state(
        np.array([1.0, 1.0, 0.0]),
        np.array([0.5, 0.51, 0.1]),
        sample_weight=np.array([1e300, 1e-300, 1.0]),
    )
    value = auc.result()
    assert np.isfinite(value)
    assert 0.0 <= value <= 1.0


@pytest.mark.parametrize("scale", [1e-300, 1.0, 1e300])
def test_auc_pr_is_the_same_at_any_weight_scale(scale):
    # issue 13: total weights near the largest float gave a NaN PR area
    reference = AUC(curve="PR")
    reference.update_state(Y, P, W)
    scaled = AUC(curve="PR")
    scaled.update_state(Y, P, W * scale)
    assert scaled.result() == pytest.approx(reference.result(), rel=1e-9)


def test_a_refused_merge_or_update_leaves_the_metrics_unchanged():
    from sklearn_heads import BinaryClassHead

    head = BinaryClassHead()
    metrics = head.update_metrics(head.metrics(), [[0.0], [1.0]], [0, 1], [1e308, 1.0])
    before = {key: metric.result() for key, metric in metrics.items()}
    with pytest.raises(ValueError, match="overflow float64"):
        head.update_metrics(metrics, [[0.0], [1.0]], [0, 1], [1e308, 1.0])
    assert {key: metric.result() for key, metric in metrics.items()} == before
    other = head.update_metrics(head.metrics(), [[0.0], [1.0]], [0, 1], [1e308, 1.0])
    with pytest.raises(ValueError, match="overflows float64"):
        metrics["auc"].merge(other["auc"])
    assert metrics["auc"].result() == before["auc"]


def test_merge_accepts_rounding_errors_below_zero():
    # true negatives are differences of sums: -1e-17 is a rounding error
    a, b = Precision(), Precision()
    a.update_state(Y, P, W)
    b.update_state(Y, P, W)
    b.true_negatives = b.true_negatives - (b.true_negatives + 1e-17)
    assert np.isfinite(a.merge(b).result())
