"""Numerics at the extremes: huge logits and pos_weight, one-class label sets,
separable data without a penalty, constant features and float32.

Every test here runs with warnings turned into errors (``RuntimeWarning``
from an overflow or a 0/0 would fail it), except where a warning is the
expected outcome.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiLabelHead,
    sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

pytestmark = pytest.mark.filterwarnings("error")

F32_EPS = float(np.finfo(np.float32).eps)


def _heads():
    return [
        BinaryClassHead(),
        BinaryClassHead(pos_weight=3.0, loss_reduction="sum"),
        MultiLabelHead(2, pos_weight=[1.0, 3.0]),
        LogisticRegressionHead(),
    ]


# ---------------------------------------------------------------------------
# extreme logits and pos_weight


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("head", _heads(), ids=lambda h: repr(h))
def test_logits_of_1e4_give_finite_loss_and_gradient(head, dtype):
    k = head.logits_dimension
    # rows: confident hit (+1e4, label 1), confident miss (-1e4, label 1),
    # confident miss (+1e4, label 0), confident hit (-1e4, label 0)
    logits = np.repeat(np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype=dtype), k, axis=1)
    z = np.repeat(np.array([[1], [1], [0], [0]]), k, axis=1)
    labels = z if k > 1 else z[:, 0].astype(np.float64)
    loss, grad = head.loss_and_gradient(labels, logits)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert grad.dtype == dtype
    q = np.broadcast_to(np.asarray(head.get_params().get("pos_weight") or 1.0), (k,))
    # a miss costs |x| = 1e4 (times q for a positive), a hit 0; averaged over
    # the k classes, then summed or divided by the 4 rows
    per_row = np.array([0.0, 1e4 * q.mean(), 1e4, 0.0])
    expected = per_row.sum() / (1 if head.loss_reduction == "sum" else 4)
    assert loss == pytest.approx(expected, rel=1e-6)
    # the gradient of a miss is -q (label 1) or 1 (label 0), of a hit 0
    scale = (1 if head.loss_reduction == "sum" else 1 / 4) / k
    expected_grad = scale * np.stack([np.zeros(k), -q, np.ones(k), np.zeros(k)])
    assert_allclose(grad, expected_grad, rtol=1e-6, atol=0)
    predictions = head.predictions(logits)
    assert all(np.all(np.isfinite(v)) for v in predictions.values() if v.dtype.kind == "f")
    results = head.evaluate(labels, logits)
    assert all(np.isfinite(v) for v in results.values())


@pytest.mark.parametrize("pos_weight", [1e-6, 1e6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_pos_weight_is_finite(pos_weight, dtype):
    labels = np.array([1.0, 1.0, 0.0, 0.0, 0.5], dtype=dtype)
    logits = np.array([-1e4, 1e4, 1e4, -1e4, 0.0], dtype=dtype)
    loss = weighted_cross_entropy_with_logits(labels, logits, pos_weight)
    assert loss.dtype == dtype and np.all(np.isfinite(loss))
    assert loss[0] == pytest.approx(pos_weight * 1e4, rel=1e-6)
    # the last entry: (1 - z) softplus(0) + q z softplus(0) = (0.5 + 0.5 q) log 2
    assert loss[4] == pytest.approx((0.5 + 0.5 * pos_weight) * np.log(2), rel=1e-6)

    head = BinaryClassHead(pos_weight=pos_weight)
    value, grad = head.loss_and_gradient(labels[:4].round(), logits[:4])
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    X = np.array([[-2.0], [-1.0], [1.0], [2.0], [0.5], [-0.5]])
    y = np.array([0, 0, 1, 1, 0, 1])
    clf = LinearClassifier(pos_weight=pos_weight, alpha=1e-2).fit(X.astype(dtype), y)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    assert np.all(np.isfinite(clf.loss_curve_))


# ---------------------------------------------------------------------------
# one-class label sets: TensorFlow's values, no division warnings


BINARY_KEYS = ["accuracy", "precision", "recall", "label/mean", "accuracy_baseline", "auc",
               "auc_precision_recall", "precision/positive_threshold_0.3",
               "recall/positive_threshold_0.3"]


@pytest.mark.parametrize(
    "label, logits, expected",
    [
        # all positive, all predicted positive: the ROC curve has no negatives
        # (false positive rate 0/0 -> 0, so auc 0, as TensorFlow reports for
        # the worked example of BinaryClassHead), precision 1 everywhere
        (1, [2.0, 3.0, 1.0], [1, 1, 1, 1, 1, 0, 1, 1, 1]),
        # all positive, all predicted negative: nothing predicted positive,
        # precision 0/0 -> 0; recall 0
        (1, [-2.0, -3.0, -1.0], [0, 0, 0, 1, 1, 0, 1, 0, 0]),
        # all negative: recall and the PR area have no positives -> 0
        (0, [2.0, -3.0, 1.0], [1 / 3, 0, 0, 0, 1, 0, 0, 0, 0]),
        (0, [-2.0, -3.0, -1.0], [1, 0, 0, 0, 1, 0, 0, 0, 0]),
    ],
)
def test_one_class_label_sets_give_tensorflow_values(label, logits, expected):
    head = BinaryClassHead(thresholds=[0.3])
    labels = np.full(len(logits), label)
    results = head.evaluate(labels, np.array(logits)[:, None])
    assert {k: results[k] for k in BINARY_KEYS} == pytest.approx(dict(zip(BINARY_KEYS, expected)))
    # the same with zero-weight rows of the other class: they count for nothing
    padded = head.evaluate(
        np.r_[labels, 1 - label], np.r_[logits, 0.0][:, None], np.r_[np.ones(len(logits)), 0.0]
    )
    assert {k: padded[k] for k in BINARY_KEYS} == pytest.approx(dict(zip(BINARY_KEYS, expected)))


@pytest.mark.parametrize("label", [0, 1])
def test_one_class_multilabel_and_logistic_heads(label):
    logits = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 2.0]])
    head = MultiLabelHead(2, thresholds=[0.5], classes_for_class_based_metrics=[0, 1])
    results = head.evaluate(np.full(logits.shape, label), logits)
    assert results["auc"] == results["auc/class0"] == results["auc/class1"] == 0.0
    pr = 1.0 if label else 0.0
    assert results["auc_precision_recall"] == results["auc_precision_recall/class1"] == pr
    # 4 of the 6 probabilities are above 0.5; with all labels 0 nothing is
    # a true positive, so precision and recall are 0
    assert results["recall/positive_threshold_0.5"] == pytest.approx(4 / 6 if label else 0.0)
    assert results["precision/positive_threshold_0.5"] == (1.0 if label else 0.0)
    logistic = LogisticRegressionHead().evaluate(np.full(3, float(label)), logits[:, :1])
    assert logistic["label/mean"] == label
    assert np.isfinite(logistic["average_loss"])


def test_estimator_evaluate_on_one_class():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    clf = LinearClassifier().fit(X, [0, 0, 1, 1])
    positives = clf.evaluate(X[2:], [1, 1])
    assert positives["auc"] == 0.0 and positives["precision"] == 1.0
    negatives = clf.evaluate(X[:2], [0, 0])
    assert negatives["auc"] == negatives["precision"] == negatives["recall"] == 0.0
    assert negatives["accuracy"] == 1.0


def test_empty_streaming_state_is_zero_without_warnings():
    head = MultiLabelHead(2, thresholds=[0.5], classes_for_class_based_metrics=[1])
    assert set(v.result() for v in head.metrics().values()) == {0.0}
    # a batch of zero weight (padding) leaves every metric at zero
    eval_metrics = head.update_metrics(head.metrics(), np.zeros((2, 2)), [[0], [1]], [0.0, 0.0])
    assert set(v.result() for v in eval_metrics.values()) == {0.0}
    # as in TensorFlow, the heads accept all-zero weights: the loss is 0 and
    # every metric is 0 (divide_no_nan); the estimators refuse them (a
    # weighted mean over nothing), see test_bad_inputs.py
    assert head.loss([[0], [1]], np.ones((2, 2)), [0.0, 0.0]) == 0.0
    assert set(head.evaluate([[0], [1]], np.ones((2, 2)), [0.0, 0.0]).values()) == {0.0}


# ---------------------------------------------------------------------------
# separable data without a penalty

X_SEP = np.r_[np.linspace(-3, -1, 10), np.linspace(1, 3, 10)][:, None]
Y_SEP = (X_SEP[:, 0] > 0).astype(int)


@pytest.mark.parametrize(
    "make, y",
    [
        (lambda: LinearClassifier(alpha=0.0), Y_SEP),
        (lambda: LinearClassifier(alpha=0.0, tol=1e-10, max_iter=1000), Y_SEP),
        (lambda: MLPClassifier((3,), alpha=0.0, random_state=0), Y_SEP),
        (lambda: LinearEstimator(BinaryClassHead(pos_weight=2.0), alpha=0.0), Y_SEP),
        (lambda: MLPEstimator(MultiLabelHead(2), (3,), alpha=0.0, random_state=0),
         np.c_[Y_SEP, 1 - Y_SEP]),
    ],
    ids=["linear", "linear-tight-tol", "mlp", "linear-estimator", "mlp-multilabel"],
)
def test_separable_data_without_penalty_warns_and_stays_finite(make, y):
    est = make()
    with pytest.warns(ConvergenceWarning, match="alpha=0") as record:
        est.fit(X_SEP, y)
    # the warning points at this file, not at the package
    assert all(w.filename == __file__ for w in record)
    weights = [est.coef_, est.intercept_] if hasattr(est, "coef_") else est.coefs_ + est.intercepts_
    assert all(np.all(np.isfinite(w)) for w in weights)
    assert np.all(np.isfinite(est.loss_curve_))
    proba = est.predict_proba(X_SEP)
    assert np.all(np.isfinite(proba))
    assert_array_equal(est.predict(X_SEP), y)


def test_one_separated_label_is_enough_to_warn():
    rng = np.random.RandomState(0)
    noisy = (X_SEP[:, 0] + 2 * rng.normal(size=20) > 0).astype(int)  # overlaps
    with pytest.warns(ConvergenceWarning, match=r"\(labels \[1\]\)"):
        LinearClassifier(alpha=0.0).fit(X_SEP, np.c_[noisy, Y_SEP])


def test_penalty_or_overlap_means_no_separation_warning():
    LinearClassifier(alpha=1e-3).fit(X_SEP, Y_SEP)  # a minimum exists
    y = Y_SEP.copy()
    y[[0, -1]] = y[[-1, 0]]  # two rows on the wrong side: not separable
    LinearClassifier(alpha=0.0).fit(X_SEP, y)
    # a row on the wrong side that weighs nothing does not count
    with pytest.warns(ConvergenceWarning, match="separates"):
        LinearClassifier(alpha=0.0).fit(
            X_SEP, y, sample_weight=np.r_[0.0, np.ones(18), 0.0]
        )


# ---------------------------------------------------------------------------
# constant features


def _fit_quietly(est, X, y):
    """Fit, ignoring a ConvergenceWarning (beside the point here).

    Fits in float32 stop where the float32 objective stalls, often with a
    gradient above the default tol, and say so.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("make", [LinearClassifier, lambda: MLPClassifier((3,), random_state=0)],
                         ids=["linear", "mlp"])
def test_constant_features(make):
    rng = np.random.RandomState(0)
    informative = rng.normal(size=40)
    y = (informative + 0.5 * rng.normal(size=40) > 0).astype(int)
    X = np.c_[np.zeros(40), informative, np.full(40, 1e3), np.ones(40)]
    est = _fit_quietly(make(), X, y)
    assert est.score(X, y) > 0.7
    assert np.all(np.isfinite(est.predict_proba(X)))
    if hasattr(est, "coef_"):
        # an all-zero column never gets a gradient: its coefficient stays 0
        assert est.coef_[0, 0] == 0.0
    # nothing but constant features: the fit is the base rate
    X_const = np.c_[np.zeros(40), np.ones(40)]
    base = _fit_quietly(make().set_params(tol=1e-8, max_iter=500), X_const, y)
    assert_allclose(base.predict_proba(X_const)[:, 1], y.mean(), atol=1e-3)


# ---------------------------------------------------------------------------
# float32


@pytest.mark.parametrize("head", _heads(), ids=lambda h: repr(h))
def test_float32_heads_agree_with_float64(head):
    rng = np.random.RandomState(1)
    k = head.logits_dimension
    logits = rng.normal(scale=3, size=(30, k))
    z = (rng.uniform(size=(30, k)) > 0.5).astype(int)
    labels = z if k > 1 else z[:, 0]
    loss64, grad64 = head.loss_and_gradient(labels, logits)
    loss32, grad32 = head.loss_and_gradient(labels, logits.astype(np.float32))
    assert grad32.dtype == np.float32 and isinstance(loss32, float)
    # float32 rounding of the inputs and of each term: a few eps32 relative
    assert loss32 == pytest.approx(loss64, rel=8 * F32_EPS)
    assert_allclose(grad32, grad64, rtol=8 * F32_EPS, atol=8 * F32_EPS * np.abs(grad64).max())
    for key, value in head.predictions(logits.astype(np.float32)).items():
        expected = head.predictions(logits)[key]
        if value.dtype.kind == "f":
            assert value.dtype == np.float32, key
            assert_allclose(value, expected, rtol=4 * F32_EPS, atol=4 * F32_EPS)
        else:
            assert_array_equal(value, expected)
    evaluated32 = head.evaluate(labels, logits.astype(np.float32))
    evaluated64 = head.evaluate(labels, logits)
    assert evaluated32 == pytest.approx(evaluated64, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_functions_keep_the_dtype(dtype):
    rng = np.random.RandomState(2)
    logits = rng.normal(scale=5, size=50)
    labels = rng.uniform(size=50)
    for loss in (
        sigmoid_cross_entropy_with_logits(labels.astype(dtype), logits.astype(dtype)),
        weighted_cross_entropy_with_logits(labels.astype(dtype), logits.astype(dtype), 2.5),
    ):
        assert loss.dtype == dtype
    loss32 = sigmoid_cross_entropy_with_logits(labels, logits.astype(np.float32))
    loss64 = sigmoid_cross_entropy_with_logits(labels, logits)
    assert_allclose(loss32, loss64, rtol=8 * F32_EPS, atol=F32_EPS)


@pytest.mark.parametrize(
    "make", [LinearClassifier, lambda: MLPClassifier((4,), random_state=0)], ids=["linear", "mlp"]
)
def test_float32_predictions_agree_with_float64(make):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(60, 4))
    Y = (X[:, :3] + rng.normal(size=(60, 3)) > 0).astype(int)
    est = _fit_quietly(make(), X, Y)
    X32 = X.astype(np.float32)
    # the same float64 model on float32 rows: float64 results (the fitted
    # weights are float64), equal to float32 precision of the input
    assert_allclose(est.decision_function(X32), est.decision_function(X), rtol=1e-5, atol=1e-5)
    # a model fitted on float32 predicts in float32; the linear fit (convex,
    # the same minimiser) is close to the float64 one; the rounding of the
    # float32 gradient limits how close (see test_estimators)
    est32 = _fit_quietly(make(), X32, Y)
    for method in ("decision_function", "predict_proba"):
        out32 = getattr(est32, method)(X32)
        assert out32.dtype == np.float32, method
        assert np.all(np.isfinite(out32))
        if isinstance(est, LinearClassifier):
            assert_allclose(out32, getattr(est, method)(X), atol=2e-3)
    assert est32.predict(X32).dtype == est.predict(X).dtype
    evaluated = est32.evaluate(X32, Y)
    assert all(isinstance(v, float) for v in evaluated.values())
    if isinstance(est, LinearClassifier):
        assert evaluated == pytest.approx(est.evaluate(X, Y), abs=2e-3)


# ---------------------------------------------------------------------------
# finite X whose products with the coefficients overflow (issue 13)


def _noisy_binary(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)  # not separable
    return X, y


@pytest.mark.parametrize("scale", [1e200, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_huge_finite_x_fits_as_scaled_x(scale, sparse):
    # the squares of X's columns overflow float64: L-BFGS runs on the
    # coefficients in units of each column's largest value instead of its
    # RMS, and finds the fit of X / scale (it stopped at zero with
    # "ABNORMAL" before)
    import scipy.sparse as sp

    X, y = _noisy_binary()
    reference = LinearClassifier(alpha=0.0, tol=1e-8).fit(X, y)
    big = X * scale
    fitted = LinearClassifier(alpha=0.0, tol=1e-8).fit(sp.csr_matrix(big) if sparse else big, y)
    assert_allclose(fitted.coef_ * scale, reference.coef_, rtol=1e-4)
    assert_allclose(fitted.intercept_, reference.intercept_, rtol=1e-4, atol=1e-6)
    assert_array_equal(fitted.predict(big), reference.predict(X))


@pytest.mark.parametrize("power", [-40, 40, 1000])
def test_an_mlp_fits_columns_of_any_scale_as_standardised_ones(power):
    # the first layer runs on its weights in units of each column's scale,
    # a power of two, and starts where it would on X itself: on X * 2**power
    # (without a penalty, which is in X's units, and without the raw
    # gradient test, which is too) it takes the same steps, and predicts the
    # same (it overflowed at 1e307 and crawled on inputs of 100 before)
    X, y = _noisy_binary()
    make = lambda: MLPClassifier(  # noqa: E731
        (4,), activation="tanh", alpha=0.0, tol=0.0, random_state=0, max_iter=30
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = make().fit(X, y)
        scaled = make().fit(X * 2.0**power, y)
    assert scaled.n_iter_ == reference.n_iter_
    assert_allclose(scaled.predict_proba(X * 2.0**power), reference.predict_proba(X), rtol=1e-12)
    assert_allclose(scaled.coefs_[0] * 2.0**power, reference.coefs_[0], rtol=1e-12)


def test_predictions_of_overflowing_logits_are_zero_one_probabilities():
    X, y = _noisy_binary()
    clf = LinearClassifier().fit(X, y)
    # row 0 far on the positive side, row 1 far on the negative side
    sign = np.sign(clf.coef_[0, 0])
    huge = np.array([[sign * 1e308, 0.0, 0.0], [-sign * 1e308, 0.0, 0.0]])
    assert abs(clf.coef_[0, 0]) > 2  # so that the logits overflow
    assert_array_equal(clf.decision_function(huge), [np.inf, -np.inf])
    assert_array_equal(clf.predict_proba(huge), [[0.0, 1.0], [1.0, 0.0]])
    assert_array_equal(clf.predict(huge), [1, 0])
    reg = LinearEstimator(LogisticRegressionHead()).fit(X, np.clip(0.5 + X[:, 0] / 4, 0, 1))
    huge = np.array([[np.sign(reg.coef_[0, 0]) * 1e308, 0.0, 0.0]])
    assert_array_equal(reg.predict(huge), [1.0])
    # evaluate needs the loss: the message is about X, not "remove NaN rows"
    with pytest.raises(ValueError, match=r"The logits of X overflow at row 0: .*gives inf"):
        clf.evaluate(huge, [0])


def test_nan_logits_of_finite_x_are_an_error_about_x():
    X, y = _noisy_binary()
    mlp = MLPClassifier((2,), activation="identity", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    # two hidden units that overflow to +inf and -inf: their sum is NaN
    mlp.coefs_ = [np.array([[10.0, -10.0], [0.0, 0.0], [0.0, 0.0]]), np.ones((2, 1))]
    mlp.intercepts_ = [np.zeros(2), np.zeros(1)]
    huge = np.array([[1e308, 0.0, 0.0], [1.0, 0.0, 0.0]])
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(
            ValueError,
            match=r"The logits of X overflow at row 0: X times the model's finite "
            r"coefficients exceeds the largest float \(X has values as large as 1e\+308 "
            r"in magnitude\), and gives an infinity minus another, NaN",
        ):
            getattr(mlp, method)(huge)


def test_finite_logits_whose_loss_overflows_are_an_error_about_x():
    X, y = _noisy_binary()
    clf = LinearClassifier().fit(X, y)
    # two rows on the wrong side, each with a logit near the largest float
    x0 = 1.5e308 / clf.coef_[0, 0]
    huge = np.array([[x0, 0.0, 0.0], [x0, 0.0, 0.0]])
    assert np.all(np.isfinite(clf.decision_function(huge)))
    with pytest.raises(
        ValueError,
        match=r"The logits of X \(decision_function\(X\)\) are too large for the loss: The "
        r"weighted sum of the losses \(average_loss\) overflows",
    ):
        clf.evaluate(huge, [0, 0])


def test_a_fit_that_overflows_says_so():
    X, y = _noisy_binary()
    # an MLP has no per-column scaling: its first gradients overflow L-BFGS
    mlp = MLPClassifier((3,), activation="identity", random_state=0)
    with pytest.raises(
        ValueError,
        match=r"Fitting failed: .* \(X has values as large as .*e\+307 in magnitude; "
        r"alpha=0\.0001\)\. The problem is too badly scaled for floating point: scale X",
    ):
        mlp.fit(X * 1e307, y)
