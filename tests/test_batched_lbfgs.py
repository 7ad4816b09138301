"""The batched per-label L-BFGS and the multi-label fit built on it."""

import threading
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_heads import LinearClassifier, LinearEstimator, MultiLabelHead
from sklearn_heads._batched_lbfgs import minimize_lbfgs_batched
from sklearn_heads._solver import minimize_lbfgs


def _quadratics(k=4, p=3, seed=0):
    """k independent strictly convex problems 0.5 x'A_j x - c_j'x + sum exp(x)/10."""
    rng = np.random.RandomState(seed)
    A = []
    for _ in range(k):
        M = rng.randn(p, p)
        A.append(M @ M.T + 0.5 * np.eye(p))
    A, c = np.array(A), rng.randn(k, p)

    def one(j, x):
        e = np.exp(x) / 10
        return 0.5 * x @ A[j] @ x - c[j] @ x + e.sum(), A[j] @ x - c[j] + e

    def batch(active, thetas):
        out = [one(j, x) for j, x in zip(active, thetas)]
        return np.array([f for f, _ in out]), np.array([g for _, g in out])

    return one, batch, rng.randn(k, p)


def test_each_problem_follows_its_own_lbfgs_run():
    one, batch, x0 = _quadratics()
    calls = []

    def recording_batch(active, thetas):
        calls.append(list(active))
        return batch(active, thetas)

    result = minimize_lbfgs_batched(recording_batch, x0, max_iter=100, tol=1e-8)
    for j in range(len(x0)):
        alone = minimize_lbfgs(lambda x, j=j: one(j, x), x0[j], max_iter=100, tol=1e-8)
        # the same iterates: bit for bit
        np.testing.assert_array_equal(result.thetas[j], alone.theta)
        assert result.n_iter[j] == alone.n_iter
        assert result.loss_curves[j] == alone.loss_curve
    assert result.converged.all()
    # problems leave the batch as they converge; never evaluated twice per round
    assert calls[0] == [0, 1, 2, 3]
    assert all(len(set(c)) == len(c) for c in calls)


def test_many_problems_run_in_waves_with_the_same_result(monkeypatch):
    # more problems than MAX_THREADS: waves of at most MAX_THREADS threads,
    # each batched, every problem still on its own L-BFGS-B path
    one, batch, x0 = _quadratics(k=5)
    whole = minimize_lbfgs_batched(batch, x0, max_iter=100, tol=1e-8)
    monkeypatch.setattr("sklearn_heads._batched_lbfgs.MAX_THREADS", 2)
    calls = []

    def recording_batch(active, thetas):
        calls.append(list(active))
        return batch(active, thetas)

    waves = minimize_lbfgs_batched(recording_batch, x0, max_iter=100, tol=1e-8)
    np.testing.assert_array_equal(waves.thetas, whole.thetas)
    np.testing.assert_array_equal(waves.n_iter, whole.n_iter)
    assert waves.loss_curves == whole.loss_curves
    assert max(len(c) for c in calls) == 2
    assert {j for c in calls for j in c} == set(range(5))
    assert calls[0] == [0, 1] and calls[-1] == [4]


def test_errors_in_the_batch_propagate_and_no_thread_is_left():
    _, batch, x0 = _quadratics()
    before = threading.active_count()
    n = [0]

    def failing(active, thetas):
        n[0] += 1
        if n[0] == 3:
            raise RuntimeError("boom")
        return batch(active, thetas)

    with pytest.raises(RuntimeError, match="boom"):
        minimize_lbfgs_batched(failing, x0, max_iter=100, tol=1e-10)
    assert threading.active_count() == before


def test_max_iter_warns_once_naming_the_labels():
    _, batch, x0 = _quadratics()
    with pytest.warns(ConvergenceWarning, match=r"label\(s\) \[0, 1, 2, 3\]") as record:
        result = minimize_lbfgs_batched(batch, x0, max_iter=1, tol=1e-12)
    assert len([w for w in record if w.category is ConvergenceWarning]) == 1
    assert (result.n_iter == 1).all() and not result.converged.any()


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=6, n_classes=4, n_labels=2, random_state=0
    )
    return StandardScaler().fit_transform(X), Y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_multilabel_fit_is_one_binary_fit_per_label(multilabel, fit_intercept, dtype):
    X, Y = multilabel
    X = X.astype(dtype)
    n, k = Y.shape
    pos_weight = np.array([1.0, 2.0, 0.5, 3.0])
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, n)
    params = dict(alpha=0.01, tol=1e-8, max_iter=1000, fit_intercept=fit_intercept)
    both = LinearClassifier(pos_weight=pos_weight, **params).fit(X, Y, sample_weight)
    assert both.coef_.dtype == dtype
    for j in range(k):
        # label j's share of the objective, times k: a binary problem with k * alpha
        alone = LinearClassifier(
            pos_weight=pos_weight[j], **{**params, "alpha": k * params["alpha"]}
        ).fit(X, Y[:, j], sample_weight)
        assert_allclose(both.coef_[j], alone.coef_[0], atol=1e-6)
        assert_allclose(both.intercept_[j], alone.intercept_[0], atol=1e-6)


def test_multilabel_fit_matches_one_vs_rest(multilabel):
    X, Y = multilabel
    n, k = Y.shape
    C = 1.0
    ours = LinearClassifier(alpha=1.0 / (C * n * k), tol=1e-6, max_iter=1000).fit(X, Y)
    ovr = OneVsRestClassifier(LogisticRegression(C=C, tol=1e-6, max_iter=1000)).fit(X, Y)
    coef = np.vstack([e.coef_ for e in ovr.estimators_])
    intercept = np.concatenate([e.intercept_ for e in ovr.estimators_])
    assert_allclose(ours.coef_, coef, atol=1e-3)
    assert_allclose(ours.intercept_, intercept, atol=1e-3)
    assert ours.n_iter_ == max(int(e.n_iter_[0]) for e in ovr.estimators_)


def test_multilabel_loss_curve_and_n_iter(multilabel):
    X, Y = multilabel
    est = LinearEstimator(MultiLabelHead(n_classes=4), alpha=0.01, tol=1e-7).fit(X, Y)
    curve = np.array(est.loss_curve_)
    assert len(curve) == est.n_iter_ > 0
    assert np.all(np.diff(curve) <= 1e-12)
    # the last value is the objective of the fitted model
    logits = est.decision_function(X)
    expected = est.head_.loss(Y, logits) + 0.5 * 0.01 * np.sum(est.coef_**2)
    assert curve[-1] == pytest.approx(expected, rel=1e-10)


def test_multilabel_max_iter_warns(multilabel):
    X, Y = multilabel
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est = LinearClassifier(max_iter=2, tol=1e-12).fit(X, Y)
    messages = [str(w.message) for w in record if w.category is ConvergenceWarning]
    assert len(messages) == 1 and "label(s) [0, 1, 2, 3]" in messages[0]
    assert est.n_iter_ == 2


def test_custom_loss_fn_keeps_the_joint_fit(multilabel):
    # a loss_fn need not be a sum over labels: one L-BFGS over all of them
    X, Y = multilabel
    from sklearn_heads import sigmoid_cross_entropy_with_logits

    def loss_fn(labels, logits):
        return sigmoid_cross_entropy_with_logits(labels, logits).max(axis=-1, keepdims=True)

    est = LinearEstimator(MultiLabelHead(n_classes=4, loss_fn=loss_fn), max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, Y)
    assert est.coef_.shape == (4, X.shape[1])
