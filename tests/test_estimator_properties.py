"""Property-based tests of the estimators' sample weights.

``tests/test_properties.py`` checks the heads (integer weights are repeated
rows for the loss and every metric; metrics independent of row order and
batching; ``merge`` associative and commutative). Here, on data drawn by
Hypothesis: an integer ``sample_weight`` (zeros included) fits, predicts and
evaluates exactly as repeating each row that many times (and dropping the
zero-weight rows). The estimators minimise the weighted *mean* loss, so the
two objectives are the same function of the parameters, whatever the
regularisation; only the rounding of sums differs.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiLabelHead,
)


def _settings(max_examples):
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


@st.composite
def weighted_problems(draw, kind):
    n = draw(st.integers(4, 12))
    d = draw(st.integers(1, 3))
    X = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-2, 2, width=32)))
    weights = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    if kind.startswith("binary"):
        y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 1)))
        columns = y[:, None]
    elif kind == "multilabel":
        y = draw(hnp.arrays(np.int64, (n, 2), elements=st.integers(0, 1)))
        columns = y
    else:
        y = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.05, 0.95)))
        columns = None
    if columns is not None:
        # each label needs both values with positive weight: otherwise the
        # (unpenalised) intercept has no finite optimum and the two fits
        # stop at different points on the way to infinity
        for column in columns.T:
            assume(np.any(weights[column == 1] > 0) and np.any(weights[column == 0] > 0))
    else:
        assume(weights.sum() > 0)
    return X, y, weights


def _estimator(kind, model):
    if kind == "binary-sum":  # no denominator at all: weights are repeated rows
        head = BinaryClassHead(loss_reduction="sum")
        if model == "linear":
            return LinearEstimator(head, alpha=1e-2, tol=1e-10, max_iter=500)
        return MLPEstimator(head, (3,), alpha=1e-2, max_iter=5, random_state=0)
    if model == "linear":
        if kind == "logistic":
            return LinearEstimator(LogisticRegressionHead(), alpha=1e-2, tol=1e-10, max_iter=500)
        return LinearClassifier(alpha=1e-2, pos_weight=1.5, tol=1e-10, max_iter=500)
    # a few iterations from the same start: the two L-BFGS paths differ by
    # the rounding of the objective only, which a short path does not amplify
    if kind == "binary":
        return MLPClassifier((3,), alpha=1e-2, max_iter=5, random_state=0)
    head = MultiLabelHead(2) if kind == "multilabel" else LogisticRegressionHead()
    return MLPEstimator(head, (3,), alpha=1e-2, max_iter=5, random_state=0)


@pytest.mark.parametrize("model", ["linear", "mlp"])
@pytest.mark.parametrize("kind", ["binary", "binary-sum", "multilabel", "logistic"])
def test_integer_sample_weight_is_repeating_rows_in_fit(kind, model):
    @_settings(15)
    @given(problem=weighted_problems(kind))
    def check(problem):
        X, y, weights = problem
        rows = np.repeat(np.arange(len(y)), weights)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            weighted = _estimator(kind, model).fit(X, y, sample_weight=weights)
            repeated = _estimator(kind, model).fit(X[rows], y[rows])
        # linear: the same strongly convex objective minimised to a gradient
        # of 1e-10, with curvature >= alpha = 1e-2: the solutions agree to
        # ~1e-8; MLP: 5 L-BFGS steps on objectives equal up to rounding
        assert_allclose(weighted._predict_logits(X), repeated._predict_logits(X),
                        rtol=1e-6, atol=1e-6)
        assert weighted.evaluate(X, y, weights) == pytest.approx(
            repeated.evaluate(X[rows], y[rows]), rel=1e-6, abs=1e-6
        )
        if kind != "logistic":
            np.testing.assert_array_equal(weighted.classes_, repeated.classes_)

    check()
