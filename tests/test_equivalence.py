"""Same minimiser as scikit-learn's LogisticRegression (and one-vs-rest).

scikit-learn's ``LogisticRegression(C)`` minimises
``C * sum_i s_i * l_i + 0.5 * ||w||^2``; ours, with the default reduction,
minimises ``sum_i s_i * l_i / sum_i s_i + 0.5 * alpha * ||w||^2`` (the
weighted mean loss; ``sum_i s_i = n`` without sample weights). Dividing the
first by ``C * sum_i s_i`` gives the second with
``alpha = 1 / (C * sum_i s_i)``. The
multi-label loss averages the ``k`` labels' losses, so label ``j`` alone
sees ``sum_i l_ij / (n * k)``: ``alpha = 1 / (C * n * k)`` matches one
``LogisticRegression(C)`` per label.

Both sides are solved to a gradient tolerance of 1e-10 on a strictly convex
problem, so the coefficients agree to far better than the 1e-4 asserted.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from sklearn_heads import LinearClassifier

TOL, MAX_ITER, ATOL = 1e-10, 10_000, 1e-4


@pytest.fixture(scope="module")
def binary_data():
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, weights=[0.7], flip_y=0.1,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def _ours(C, n, **params):
    return LinearClassifier(alpha=1.0 / (C * n), tol=TOL, max_iter=MAX_ITER, **params)


def _theirs(C, **params):
    return LogisticRegression(C=C, tol=TOL, max_iter=MAX_ITER, **params)


def _assert_same_fit(ours, theirs):
    assert_allclose(ours.coef_, theirs.coef_, atol=ATOL)
    assert_allclose(ours.intercept_, theirs.intercept_, atol=ATOL)
    assert list(ours.classes_) == list(theirs.classes_)


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_classifier_is_logistic_regression(binary_data, C, fit_intercept):
    X, y = binary_data
    ours = _ours(C, len(y), fit_intercept=fit_intercept).fit(X, y)
    theirs = _theirs(C, fit_intercept=fit_intercept).fit(X, y)
    _assert_same_fit(ours, theirs)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=ATOL)


@pytest.mark.parametrize("q", [0.25, 3.0])
def test_pos_weight_is_class_weight(binary_data, q):
    X, y = binary_data
    ours = _ours(1.0, len(y), pos_weight=q).fit(X, y)
    theirs = _theirs(1.0, class_weight={0: 1, 1: q}).fit(X, y)
    _assert_same_fit(ours, theirs)
    # and it matters: pos_weight=1 is a different fit
    unweighted = _ours(1.0, len(y)).fit(X, y)
    assert np.abs(unweighted.coef_ - ours.coef_).max() > 100 * ATOL


def test_sample_weight_is_sample_weight(binary_data):
    X, y = binary_data
    sample_weight = np.random.RandomState(0).uniform(0, 3, len(y))
    # the data term is the weighted mean: the sum of the weights plays n's part
    ours = _ours(0.5, sample_weight.sum()).fit(X, y, sample_weight=sample_weight)
    theirs = _theirs(0.5).fit(X, y, sample_weight=sample_weight)
    _assert_same_fit(ours, theirs)


def test_string_labels_and_sparse_float32_input(binary_data):
    X, y = binary_data
    labels = np.array(["no", "yes"])[y]
    theirs = _theirs(1.0).fit(X, labels)
    ours = _ours(1.0, len(y)).fit(sp.csr_matrix(X), labels)
    _assert_same_fit(ours, theirs)
    # float32 is fitted in float32; its gradient is only accurate to ~1e-6
    # (float32 rounding of sums over 120 rows), which bounds how close L-BFGS
    # gets: coefficients of order 1 agree to ~1e-4.
    ours32 = LinearClassifier(alpha=1.0 / len(y), tol=1e-6).fit(X.astype(np.float32), labels)
    assert ours32.coef_.dtype == np.float32
    assert_allclose(ours32.coef_, theirs.coef_, atol=1e-3)


@pytest.mark.parametrize("sparse_y", [False, True])
def test_multilabel_is_one_vs_rest_logistic_regression(sparse_y):
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=6, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    n, k = Y.shape
    C = 2.0
    q = np.array([1.0, 2.0, 0.5])
    ours = LinearClassifier(alpha=1.0 / (C * n * k), pos_weight=q, tol=TOL, max_iter=MAX_ITER)
    ours.fit(X, sp.csr_matrix(Y) if sparse_y else Y)
    for j in range(k):
        theirs = _theirs(C, class_weight={0: 1, 1: q[j]}).fit(X, Y[:, j])
        assert_allclose(ours.coef_[j], theirs.coef_[0], atol=ATOL)
        assert_allclose(ours.intercept_[j], theirs.intercept_[0], atol=ATOL)
        assert_allclose(ours.predict_proba(X)[:, j], theirs.predict_proba(X)[:, 1], atol=ATOL)
