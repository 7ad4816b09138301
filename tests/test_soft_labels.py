"""Soft labels, TensorFlow's float32 decisions, bytes labels, validation at use.

Soft labels in ``[0, 1]`` are accepted by ``BinaryClassHead`` and (dense or
sparse) ``MultiLabelHead`` as TensorFlow accepts them: the loss is the
cross-entropy against the soft label, ``label/mean`` and
``accuracy_baseline`` use it as a number, ``accuracy`` never counts a label
strictly between 0 and 1 as right, and the confusion counts (precision,
recall, AUCs) count any label above 0 as a positive. The TensorFlow cases
(``soft_binary``, ``soft_multilabel``, ``near_threshold``) are checked in
``test_tf_reference.py``; here are the rules one at a time.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    MLPClassifier,
    MLPEstimator,
    MultiClassHead,
    MultiLabelHead,
    weighted_cross_entropy_with_logits,
)

from _numerical import finite_differences

RNG = np.random.RandomState(0)


def _softplus(x):
    return np.logaddexp(0.0, x)


# ---------------------------------------------------------------------------
# the loss


@pytest.mark.parametrize("pos_weight", [None, 2.5])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
def test_binary_soft_loss_is_the_formula(pos_weight, reduction):
    z = np.array([0.0, 0.3, 1.0, 0.75, 1.0, 0.0])  # hard and soft mixed
    x = np.array([[-1.0], [0.5], [2.0], [-3.0], [-0.2], [4.0]])
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 0.0])
    q = 1.0 if pos_weight is None else pos_weight
    # (1 - z) softplus(x) + q z softplus(-x): the seed note's formula
    per_row = (1 - z) * _softplus(x[:, 0]) + q * z * _softplus(-x[:, 0])
    expected = np.sum(w * per_row) / (len(z) if reduction == "sum_over_batch_size" else 1)
    head = BinaryClassHead(pos_weight=pos_weight, loss_reduction=reduction)
    assert head.loss(z, x, w) == pytest.approx(expected, rel=1e-12)
    # the element-wise public loss agrees
    elementwise = weighted_cross_entropy_with_logits(z[:, None], x, q)
    np.testing.assert_allclose(elementwise[:, 0], per_row, rtol=1e-12)
    # the probability 0.3 costs (1 - 0.3) log 2 + 0.3 log 2 = log 2 at logit 0
    assert BinaryClassHead().loss([0.3], [[0.0]]) == pytest.approx(np.log(2))


@pytest.mark.parametrize("pos_weight", [None, [1.0, 3.0, 0.5]])
def test_multilabel_soft_loss_dense_and_sparse(pos_weight):
    z = np.array([[0.2, 1.0, 0.0], [0.0, 0.5, 0.9]])
    x = np.array([[0.3, -1.0, 2.0], [1.5, 0.0, -0.7]])
    q = np.ones(3) if pos_weight is None else np.asarray(pos_weight)
    per_row = np.mean((1 - z) * _softplus(x) + q * z * _softplus(-x), axis=1)
    head = MultiLabelHead(3, pos_weight=pos_weight)
    assert head.loss(z, x) == pytest.approx(per_row.mean(), rel=1e-12)
    assert head.loss(sp.csr_matrix(z), x) == head.loss(z, x)


@pytest.mark.parametrize("pos_weight", [None, 3.0])
@pytest.mark.parametrize("make", [lambda q: BinaryClassHead(pos_weight=q),
                                  lambda q: MultiLabelHead(4, pos_weight=q)])
def test_soft_label_gradient_matchesfinite_differences(make, pos_weight):
    head = make(pos_weight)
    k = head.logits_dimension
    rng = np.random.RandomState(3)
    z = rng.uniform(size=(9, k))
    z[::3] = np.round(z[::3])  # some rows hard
    x = rng.normal(scale=3.0, size=(9, k))
    w = rng.uniform(0.1, 2.0, size=9)
    labels = z[:, 0] if k == 1 else z
    loss, grad = head.loss_and_gradient(labels, x, w)
    assert loss == head.loss(labels, x, w)
    numeric = finite_differences(lambda t: head.loss(labels, t, w), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # d/dx [(1 - z) softplus(x) + q z softplus(-x)] = (1 - z) s(x) - q z s(-x)
    q = 1.0 if pos_weight is None else pos_weight
    exact = (1 - z) * expit(x) - q * z * expit(-x)
    exact *= w[:, None] / (9 * k)
    np.testing.assert_allclose(grad, exact, rtol=1e-12, atol=1e-15)


def test_float32_soft_loss():
    z = np.array([0.25, 0.5, 1.0], dtype=np.float32)
    x = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    head = BinaryClassHead()
    loss32, grad32 = head.loss_and_gradient(z, x)
    loss64, grad64 = head.loss_and_gradient(z.astype(np.float64), x.astype(np.float64))
    assert grad32.dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-6)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-6)


# ---------------------------------------------------------------------------
# the metrics


def test_binary_soft_metrics_by_hand():
    # labels 0.3 (soft), 1, 0, 0.6 (soft); probabilities 0.731, 0.881, 0.269, 0.269
    labels = np.array([0.3, 1.0, 0.0, 0.6])
    logits = np.array([[1.0], [2.0], [-1.0], [-1.0]])
    results = BinaryClassHead(thresholds=[0.8]).evaluate(labels, logits)
    # accuracy: only rows 1 (1 vs class 1) and 2 (0 vs class 0) can be right
    assert results["accuracy"] == 0.5
    # positives (label > 0): rows 0, 1, 3; predicted positive: rows 0, 1
    assert results["precision"] == 1.0
    assert results["recall"] == pytest.approx(2 / 3)
    # label/mean is the mean of the soft labels: 1.9 / 4
    assert results["label/mean"] == pytest.approx(0.475)
    assert results["accuracy_baseline"] == pytest.approx(0.525)
    # every positive scores above the only negative except row 3 (a tie with
    # row 2's probability): ROC area 2/3 + half of 1/3
    assert results["auc"] == pytest.approx(5 / 6, abs=1e-6)
    # above 0.8: row 1 only
    assert results["precision/positive_threshold_0.8"] == 1.0
    assert results["recall/positive_threshold_0.8"] == pytest.approx(1 / 3)
    assert results["accuracy/positive_threshold_0.8"] == 0.5  # rows 1 and 2


def test_multilabel_soft_metrics_count_positive_labels():
    soft = np.array([[0.2, 1.0, 0.0], [0.0, 0.5, 0.9], [1.0, 0.0, 0.3]])
    logits = RNG.normal(size=(3, 3))
    head = MultiLabelHead(3, thresholds=[0.5], classes_for_class_based_metrics=[0, 2])
    soft_results = head.evaluate(soft, logits)
    hard_results = head.evaluate((soft > 0).astype(int), logits)
    for key in soft_results:
        if key.startswith(("auc", "precision", "recall", "probability_mean")):
            assert soft_results[key] == hard_results[key], key
    # accuracy: the soft labels are never right; 4 of the 9 pairs are hard
    p = expit(logits)
    hard = (soft == 0) | (soft == 1)
    right = hard & ((p > 0.5) == (soft == 1))
    assert soft_results["accuracy/positive_threshold_0.5"] == pytest.approx(right.sum() / 9)


def test_soft_labels_stream_and_merge():
    labels = RNG.uniform(size=(20, 3))
    labels[labels < 0.3] = 0.0
    logits = RNG.normal(size=(20, 3))
    weights = RNG.uniform(size=20)
    head = MultiLabelHead(3, thresholds=[0.4], classes_for_class_based_metrics=[1])
    whole = head.evaluate(labels, logits, weights)
    first, second = head.metrics(), head.metrics()
    head.update_metrics(first, logits[:7], labels[:7], weights[:7])
    head.update_metrics(second, logits[7:], labels[7:], weights[7:])
    for key, metric in first.items():
        metric.merge(second[key])
        assert metric.result() == pytest.approx(whole[key], rel=1e-12, abs=1e-15), key
    binary = BinaryClassHead(thresholds=[0.4])
    streamed = binary.metrics()
    for start in range(0, 20, 6):
        rows = slice(start, start + 6)
        binary.update_metrics(streamed, logits[rows, :1], labels[rows, 0], weights[rows])
    expected = binary.evaluate(labels[:, 0], logits[:, :1], weights)
    for key, metric in streamed.items():
        assert metric.result() == pytest.approx(expected[key], rel=1e-12, abs=1e-15), key


# ---------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize("bad", [1.5, -0.1, np.nan, np.inf])
@pytest.mark.parametrize("form", ["binary", "dense", "sparse"])
def test_labels_outside_the_unit_interval_are_refused(bad, form):
    if form == "binary":
        head, labels, logits = BinaryClassHead(), np.array([0.5, bad]), np.zeros((2, 1))
        what = "Binary labels"
    else:
        head, labels, logits = MultiLabelHead(2), np.array([[0.5, bad]]), np.zeros((1, 2))
        labels = sp.csr_matrix(labels) if form == "sparse" else labels
        what = "Multi-hot labels"
    pattern = rf"{what} must be in \[0, 1\] .*; got {bad!r}"
    for use in (head.loss, head.loss_and_gradient, head.evaluate):
        with pytest.raises(ValueError, match=pattern):
            use(labels, logits)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearClassifier(),
        lambda: MLPClassifier(hidden_units=(3,), max_iter=5),
        lambda: LinearEstimator(BinaryClassHead()),
        lambda: MLPEstimator(BinaryClassHead(), hidden_units=(3,), max_iter=5),
    ],
)
def test_estimators_refuse_soft_targets(make):
    # scikit-learn's classifiers refuse continuous targets, and so do these:
    # soft labels are for the heads, not for fit
    X = RNG.normal(size=(12, 2))
    y = np.linspace(0.05, 0.95, 12)
    with pytest.raises(ValueError, match="continuous"):
        make().fit(X, y)
    Y = np.column_stack([y, y[::-1]])
    with pytest.raises(ValueError, match="continuous"):
        LinearEstimator(MultiLabelHead(2)).fit(X, Y)
    with pytest.raises(ValueError):
        LinearClassifier().fit(X, Y)


# ---------------------------------------------------------------------------
# TensorFlow's float32 decisions


def test_float32_decisions_use_the_correctly_rounded_sigmoid():
    # float32 logits a few thousand ulps around logit(0.999): SciPy's float32
    # expit is off by an ulp for many of them, which moves p > float32(0.999)
    t = 0.999
    x0 = np.float32(logit(t))
    x = (x0 + np.arange(-3000, 3000) * np.spacing(x0)).astype(np.float32)[:, None]
    labels = RNG.randint(0, 2, size=x.shape[0])
    p = expit(x.astype(np.float64)).astype(np.float32)  # rounded once
    decided = p[:, 0] > np.float32(t)
    assert 0 < decided.sum() < decided.size
    head = BinaryClassHead(thresholds=[t])
    np.testing.assert_array_equal(head.predictions(x)["logistic"], p)
    results = head.evaluate(labels, x)
    tp = np.sum(decided & (labels == 1))
    assert results["precision/positive_threshold_0.999"] == pytest.approx(tp / decided.sum())
    assert results["recall/positive_threshold_0.999"] == pytest.approx(tp / labels.sum())
    multi = MultiLabelHead(2, thresholds=[t])
    both = np.concatenate([x, x[::-1]], axis=1)
    np.testing.assert_array_equal(
        multi.predictions(both)["probabilities"], expit(both.astype(np.float64)).astype(np.float32)
    )


# ---------------------------------------------------------------------------
# bytes labels (as tf.data yields them)


def test_bytes_labels_from_the_vocabulary():
    logits = np.array([[1.0], [-2.0], [0.5]])
    binary = BinaryClassHead(label_vocabulary=["ham", "spam"])
    as_str = binary.evaluate(["spam", "ham", "ham"], logits)
    assert binary.evaluate(np.array([b"spam", b"ham", b"ham"]), logits) == as_str
    assert binary.evaluate([b"spam", "ham", b"ham"], logits) == as_str  # objects, mixed
    with pytest.raises(ValueError, match=r"labels contain b'eggs', which is not in"):
        binary.loss(np.array([b"spam", b"eggs", b"ham"]), logits)
    with pytest.raises(ValueError, match=r"labels contain b'eggs', which is not in"):
        binary.loss(np.array([b"spam", b"eggs", b"ham"], dtype=object), logits)

    multi = MultiLabelHead(3, label_vocabulary=["a", "b", "c"])
    z3 = RNG.normal(size=(3, 3))
    names = [["a", "c"], [], ["b"]]
    expected = multi.loss(names, z3)
    assert multi.loss([[b"a", b"c"], [], [b"b"]], z3) == expected
    assert multi.loss([["a", b"c"], [], ["b"]], z3) == expected
    with pytest.raises(ValueError, match=r"labels contain b'd', which is not in"):
        multi.loss([[b"a"], [b"d"], []], z3)

    classes = MultiClassHead(3, label_vocabulary=["x", "y", "z"])
    assert classes.loss(np.array([b"x", b"z", b"y"]), z3) == classes.loss(["x", "z", "y"], z3)
    with pytest.raises(ValueError, match=r"labels contain b'w', which is not in"):
        classes.loss(np.array([b"x", b"w", b"y"]), z3)


def test_classes_for_class_based_metrics_mixing_ids_and_names_is_refused():
    for mixed in (["b", 0], [0, "b"]):
        with pytest.raises(ValueError, match=r"all class ids or all names.*not a mix"):
            MultiLabelHead(3, label_vocabulary=["a", "b", "c"],
                           classes_for_class_based_metrics=mixed)
    head = MultiLabelHead(3, label_vocabulary=["a", "b", "c"],
                          classes_for_class_based_metrics=["b"])
    assert "auc/b" in head.metrics()
    assert "auc/class1" in MultiLabelHead(3, classes_for_class_based_metrics=[1]).metrics()


# ---------------------------------------------------------------------------
# head parameters are validated when the head is used: a grid search scores
# error_score for an invalid point (scikit-learn calls set_params outside its
# error handling)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearEstimator(BinaryClassHead()),
        lambda: MLPEstimator(BinaryClassHead(), hidden_units=(4,), max_iter=30, random_state=0),
    ],
)
def test_grid_search_scores_error_score_for_an_invalid_head_parameter(make):
    X = RNG.normal(size=(60, 3))
    y = (X[:, 0] + 0.5 * RNG.normal(size=60) > 0).astype(int)
    search = GridSearchCV(make(), {"head__pos_weight": [-1, 1]}, error_score=np.nan, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.filterwarnings("ignore", message=".*non-finite", category=UserWarning)
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0]) and np.isfinite(scores[1])
    assert search.best_params_ == {"head__pos_weight": 1}
    assert search.best_estimator_.head_.pos_weight == 1
    # the failure says what is wrong, at fit
    raising = GridSearchCV(make(), {"head__pos_weight": [-1]}, error_score="raise", cv=3)
    with pytest.raises(ValueError, match=r"pos_weight must be finite and >= 0.*got -1"):
        raising.fit(X, y)
    # in a pipeline too
    pipe = make_pipeline(StandardScaler(), make())
    step = pipe.steps[-1][0]
    pipe.set_params(**{f"{step}__head__pos_weight": -1})
    with pytest.raises(ValueError, match=r"pos_weight must be finite"):
        pipe.fit(X, y)


def test_set_params_does_not_raise_and_use_does():
    head = BinaryClassHead()
    est = LinearEstimator(head)
    est.set_params(head__pos_weight=-1, head__thresholds=[2.0])
    with pytest.raises(ValueError, match="thresholds"):
        head.loss([1], [[0.0]])
    X = RNG.normal(size=(10, 2))
    with pytest.raises(ValueError, match="thresholds"):
        est.fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="thresholds"):
        clone(head)  # the constructor validates, as TensorFlow's does
    est.set_params(head__pos_weight=2.0, head__thresholds=None)
    assert est.fit(X, np.arange(10) % 2).head_.pos_weight == 2.0
