"""Converged means the gradient test passed, on data of any column scale.

The linear models run L-BFGS on the coefficients in units of each column's
root mean square; ``tol`` bounds the gradient (or, where floating point
cannot get there, the gradient in those units once the objective stalls).
A fit that ends above ``tol`` warns with the gradient it reached.
"""

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_heads import LinearClassifier, MLPClassifier


def _badly_scaled():
    # the audit's case: a constant column of 1e8 beside standard normals
    X = np.random.RandomState(0).normal(size=(300, 5))
    y = (X[:, 0] > 0).astype(int)
    return np.c_[X, np.full(300, 1e8)], y


def _scaled_gradient(est, X, Y):
    """The objective's gradient w.r.t. coef_ * rms(column), and intercept_."""
    Y = Y.reshape(len(X), -1)
    p = expit(X @ est.coef_.T + est.intercept_)
    k = Y.shape[1]
    grad_coef = (p - Y).T @ X / (len(X) * k) + est.alpha * est.coef_
    grad_intercept = (p - Y).sum(axis=0) / (len(X) * k)
    rms = np.sqrt(np.mean(X**2, axis=0))
    return np.r_[(grad_coef / rms).ravel(), grad_intercept]


def test_a_badly_scaled_column_fits_as_standardised_data_does():
    X, y = _badly_scaled()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LinearClassifier().fit(X, y)
    standardised = StandardScaler().fit_transform(X)
    reference = LinearClassifier().fit(standardised, y)
    assert est.score(X, y) == reference.score(standardised, y) == 1.0
    # converged: the raw gradient cannot get below ~1e-2 in floating point
    # (1e8 times the rounding of the intercept's gradient); in units of the
    # columns' RMS it is below tol, recomputed here from the fitted model
    assert np.max(np.abs(_scaled_gradient(est, X, y))) <= est.tol
    # and the loss curve is the objective's, ending at the fitted model's
    assert len(est.loss_curve_) == est.n_iter_
    logits = est.decision_function(X)
    expected = est.head_.loss(y, logits) + 0.5 * est.alpha * np.sum(est.coef_**2)
    assert est.loss_curve_[-1] == pytest.approx(expected, rel=1e-12)


def test_columns_in_different_units_reach_the_gradient_test():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(400, 6)) * np.logspace(-3, 5, 6)
    y = (X @ (1 / np.logspace(-3, 5, 6)) + rng.normal(size=400) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LinearClassifier(alpha=1e-6).fit(X, y)
    assert np.max(np.abs(_scaled_gradient(est, X, y))) <= est.tol
    assert est.score(X, y) > 0.8


def test_each_label_of_a_multilabel_fit_is_scaled_and_checked():
    X, y = _badly_scaled()
    Y = np.c_[y, 1 - y, (X[:, 1] > 0).astype(int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LinearClassifier().fit(X, Y)
    assert np.all(est.predict(X).mean(axis=0) > 0)
    assert np.all((est.predict(X) == Y).mean(axis=0) > 0.97)
    # each label's problem is the binary one, times k: the gradient of the
    # joint objective is at most tol / k
    assert np.max(np.abs(_scaled_gradient(est, X, Y))) <= est.tol / Y.shape[1]


def test_a_fit_that_stops_above_tol_warns_with_the_gradient():
    # tol=1e-13 is below what the rounding of the objective allows: L-BFGS-B
    # stops with status 0 (the objective stalls), which is not convergence
    X, y = _badly_scaled()
    with pytest.warns(ConvergenceWarning, match=r"largest gradient component is \S+ > tol=1e-13"):
        est = LinearClassifier(tol=1e-13, solver="lbfgs").fit(X, y)
    assert len(est.loss_curve_) == est.n_iter_
    with pytest.warns(ConvergenceWarning, match=r"label\(s\) \[.*\]: the largest gradient"):
        LinearClassifier(tol=1e-13).fit(X, np.c_[y, 1 - y])


def test_a_newton_fit_that_stalls_above_tol_warns_with_the_gradient():
    # Newton's steps reach a gradient in the columns' units below 1e-17 on
    # this problem (L-BFGS stalls at 1e-13): tol=0 is out of reach for both
    X, y = _badly_scaled()
    with pytest.warns(
        ConvergenceWarning,
        match=r"Newton-Cholesky stopped after \d+ iteration\(s\) without meeting tol: the "
        r"largest gradient component is \S+ > tol=0 \(the objective stopped decreasing\)",
    ):
        est = LinearClassifier(tol=0.0, solver="newton-cholesky").fit(X, y)
    assert len(est.loss_curve_) == est.n_iter_ < est.max_iter


def test_max_iter_warning_reports_the_gradient():
    X, y = _badly_scaled()
    with pytest.warns(ConvergenceWarning, match=r"after 2 iteration.*largest gradient component"):
        MLPClassifier((3,), max_iter=2, random_state=0).fit(StandardScaler().fit_transform(X), y)


@pytest.mark.parametrize(
    "weight, dtype, multilabel",
    [(5e-324, np.float64, False), (1e38, np.float32, False), (1e306, np.float64, True)],
    ids=["denormal", "float32-huge", "multilabel-huge"],
)
def test_weights_of_any_scale_fit_as_unit_weights(weight, dtype, multilabel):
    # the weighted mean loss does not depend on the weights' scale: neither
    # may the fit (it divides them by the largest before anything is summed)
    X, y = _badly_scaled()
    X = StandardScaler().fit_transform(X).astype(dtype)
    Y = np.c_[y, 1 - y] if multilabel else y
    unit = LinearClassifier().fit(X, Y)
    scaled = LinearClassifier().fit(X, Y, sample_weight=np.full(len(y), weight))
    np.testing.assert_allclose(scaled.coef_, unit.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(scaled.loss_curve_, unit.loss_curve_, rtol=1e-6)


def test_the_sum_reduction_keeps_the_weights_scale():
    from sklearn_heads import BinaryClassHead, LinearEstimator

    X, y = _badly_scaled()
    X = StandardScaler().fit_transform(X)
    est = LinearEstimator(BinaryClassHead(loss_reduction="sum"), alpha=1.0)
    light = est.fit(X, y, sample_weight=np.full(len(y), 0.01)).coef_
    heavy = est.fit(X, y, sample_weight=np.full(len(y), 100.0)).coef_
    # the data term is 10^4 times heavier against the same penalty
    assert np.linalg.norm(heavy) > 5 * np.linalg.norm(light)


@pytest.mark.parametrize("target", ["binary", "multi-class"])
def test_rare_columns_do_not_slow_the_fit(target):
    # digits: pixels that are almost always 0 have a tiny root mean square;
    # scaled by it alone, the penalty's curvature alpha / rms**2 dwarfed the
    # data's and L-BFGS took ten times the iterations (974 instead of ~100
    # on the binary task); the scale includes the penalty's share
    from sklearn.datasets import load_digits

    X, digit = load_digits(return_X_y=True)
    X = X / 16.0
    y = digit == 3 if target == "binary" else digit
    assert np.sort(np.sqrt(np.mean(X**2, axis=0)))[4] < 0.005  # rare pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = LinearClassifier(alpha=1 / len(y), tol=1e-6, max_iter=1000).fit(X, y)
    assert est.n_iter_ < {"binary": 250, "multi-class": 450}[target]


@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_rows_of_zero_weight_do_not_change_the_preconditioner(model):
    # a column that is 0 in the only weighted row is scaled as an all-zero
    # column (by 1), whatever the rows left out by a zero weight hold: the
    # fit equals the fit on the weighted rows alone, step for step
    from sklearn_heads import LinearEstimator, LogisticRegressionHead, MLPEstimator

    rng = np.random.RandomState(0)
    X = rng.normal(size=(6, 3))
    X[:, 1] = 50.0
    X[0, 1] = 0.0
    y = rng.uniform(0.1, 0.9, 6)
    weights = np.array([3, 0, 0, 0, 0, 0])

    def make():
        if model == "linear":
            return LinearEstimator(LogisticRegressionHead(), alpha=1e-2, max_iter=5)
        return MLPEstimator(LogisticRegressionHead(), (3,), alpha=1e-2, max_iter=5, random_state=0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = make().fit(X, y, sample_weight=weights)
        alone = make().fit(X[[0, 0, 0]], y[[0, 0, 0]])
    np.testing.assert_allclose(weighted._predict_logits(X), alone._predict_logits(X), atol=1e-10)
