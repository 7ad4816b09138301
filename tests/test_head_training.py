"""The new heads train a linear model through the objective's contract.

``MultiClassHead``, ``RegressionHead``, ``PoissonRegressionHead`` and
``MultiHead`` implement ``_prepare`` / ``_sum_loss_gradient`` /
``_loss_scale``, so ``sklearn_heads._objective.make_objective`` evaluates
``head loss + 0.5 alpha ||W||^2`` of a ``LinearModel`` in row chunks. Each
test fits it with SciPy's L-BFGS, checks the gradient against finite
differences, and compares the minimiser with scikit-learn's estimator of
the same objective where there is one:

* softmax cross-entropy, ``alpha = 1 / (C n)``: ``LogisticRegression(C)``
  (multinomial), compared by probabilities (the intercepts of a softmax are
  defined up to a common shift);
* squared error averaged over ``n * d`` targets, ``alpha``: ``Ridge(alpha *
  n * d / 2)``;
* log-Poisson loss averaged over ``n``, ``alpha``: ``PoissonRegressor(alpha)``
  (half the Poisson deviance differs from it by a constant);
* a ``MultiHead`` of a regression and a multi-class head: its linear model's
  columns separate, so each part is the fit of its head alone, with
  ``alpha / head_weight``.
"""

import numpy as np
import pytest
from scipy.optimize import approx_fprime, minimize
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge

from sklearn_heads import (
    BinaryClassHead,
    MultiClassHead,
    MultiHead,
    PoissonRegressionHead,
    RegressionHead,
)
from sklearn_heads._models import LinearModel
from sklearn_heads._objective import Objective, make_objective

N, D = 60, 3


def _data(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N, D))
    scores = X @ rng.normal(size=(D, 3)) + rng.gumbel(size=(N, 3))
    classes = np.argmax(scores, axis=1)
    targets = X @ rng.normal(size=(D, 2)) + 0.3 * rng.normal(size=(N, 2))
    counts = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.5)).astype(np.float64)
    weights = rng.uniform(0.2, 2.0, size=N)
    return X, classes, targets, counts, weights


def _fit(head, X, labels, sample_weight=None, alpha=0.0):
    model = LinearModel(X.shape[1], head.logits_dimension)
    objective = make_objective(head, model, X, labels, sample_weight, alpha=alpha)
    result = minimize(
        objective.loss_and_gradient, model.init_params(), jac=True, method="L-BFGS-B",
        options={"maxiter": 2000, "gtol": 1e-10, "ftol": 1e-15},
    )
    # converged, or at a gradient of 1e-8 the line search finds nothing
    # lower in floating point (SciPy < 1.11 says ABNORMAL_TERMINATION there)
    assert result.success or np.max(np.abs(result.jac)) <= 1e-8, result.message
    (W,), (b,) = model.unpack(result.x)
    return objective, result.x, W, b


def _check_gradient(objective, theta):
    loss, grad = objective.loss_and_gradient(theta)
    numeric = approx_fprime(theta, objective.loss, 1e-7)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-5 * max(1.0, abs(loss)))


def _random_theta(objective, seed=3):
    return np.random.RandomState(seed).normal(scale=0.5, size=objective.model.n_params)


@pytest.mark.parametrize("weighted", [False, True])
def test_multi_class_matches_multinomial_logistic_regression(weighted):
    X, classes, _, _, weights = _data()
    sample_weight = weights if weighted else None
    C = 0.7
    alpha = 1 / (C * (weights.sum() if weighted else N))  # the weighted mean loss
    objective, theta, W, b = _fit(MultiClassHead(3), X, classes, sample_weight, alpha)
    _check_gradient(objective, _random_theta(objective))

    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000)
    reference.fit(X, classes, sample_weight=sample_weight)
    np.testing.assert_allclose(W.T, reference.coef_, atol=1e-5)
    logits = X @ W + b
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    np.testing.assert_allclose(probabilities, reference.predict_proba(X), atol=1e-6)


def test_multi_class_vocabulary_labels_train_the_same():
    X, classes, _, _, _ = _data()
    names = np.array(["b", "c", "a"])[classes]
    _, theta_ids, _, _ = _fit(MultiClassHead(3), X, classes, alpha=0.01)
    _, theta_names, _, _ = _fit(
        MultiClassHead(3, label_vocabulary=["b", "c", "a"]), X, names, alpha=0.01
    )
    np.testing.assert_allclose(theta_names, theta_ids, atol=1e-8)


@pytest.mark.parametrize("weights_kind", [None, "per-row", "per-target"])
def test_regression_matches_ridge(weights_kind):
    X, _, targets, _, weights = _data()
    rng = np.random.RandomState(7)
    sample_weight = {
        None: None,
        "per-row": weights,
        "per-target": rng.uniform(0.2, 2.0, size=targets.shape),
    }[weights_kind]
    alpha = 0.05
    head = RegressionHead(label_dimension=2)
    objective, theta, W, b = _fit(head, X, targets, sample_weight, alpha)
    _check_gradient(objective, _random_theta(objective))
    # the data term is the weighted mean squared error over every target
    if sample_weight is None:
        total = N * 2
    elif weights_kind == "per-row":
        total = 2 * weights.sum()
    else:
        total = sample_weight.sum()
    # (the objective divides the weights by the largest first: the mean is
    # the same, and neither tiny nor huge weights under- or overflow)
    largest = 1.0 if sample_weight is None else np.max(sample_weight)
    assert objective.scale == pytest.approx(largest / total)

    for j in range(2):
        column_weights = None
        if weights_kind == "per-row":
            column_weights = weights
        elif weights_kind == "per-target":
            column_weights = sample_weight[:, j]
        # each target's problem: sum_i w_ij r_ij^2 / total + 0.5 alpha ||w_j||^2
        ridge = Ridge(alpha=alpha * total / 2, tol=1e-12, solver="lsqr")
        ridge.fit(X, targets[:, j], sample_weight=column_weights)
        np.testing.assert_allclose(W[:, j], ridge.coef_, atol=1e-6)
        assert b[j] == pytest.approx(ridge.intercept_, abs=1e-6)


def test_regression_with_loss_fn_trains_through_finite_differences():
    # a loss_fn without a gradient: the head's finite differences drive L-BFGS
    X, _, targets, _, _ = _data()

    def squared(labels, logits):
        return (logits - labels) ** 2

    with pytest.warns(UserWarning, match="finite differences"):
        _, theta_fd, _, _ = _fit(RegressionHead(2, loss_fn=squared), X, targets, alpha=0.05)
    _, theta, _, _ = _fit(RegressionHead(2), X, targets, alpha=0.05)
    np.testing.assert_allclose(theta_fd, theta, atol=1e-5)


@pytest.mark.parametrize("compute_full_loss", [True, False])
def test_poisson_matches_poisson_regressor(compute_full_loss):
    X, _, _, counts, weights = _data()
    alpha = 0.02
    head = PoissonRegressionHead(compute_full_loss=compute_full_loss)
    objective, theta, W, b = _fit(head, X, counts, weights, alpha)
    _check_gradient(objective, _random_theta(objective))

    reference = PoissonRegressor(alpha=alpha, tol=1e-12, max_iter=10_000)
    reference.fit(X, counts, sample_weight=weights)
    np.testing.assert_allclose(W[:, 0], reference.coef_, atol=1e-6)
    assert b[0] == pytest.approx(reference.intercept_, abs=1e-6)


def test_multi_head_is_its_heads_fitted_apart():
    X, classes, targets, _, weights = _data()
    regression = RegressionHead(label_dimension=2, name="value")
    multi_class = MultiClassHead(3, name="kind")
    head = MultiHead([regression, multi_class], head_weights=[2.0, 0.5])
    labels = {"value": targets, "kind": classes}
    alpha = 0.03
    objective, theta, W, b = _fit(head, X, labels, weights, alpha)
    _check_gradient(objective, _random_theta(objective))

    # the linear model's columns separate: head h's part minimises
    # head_weight_h * loss_h + 0.5 alpha ||W_h||^2, i.e. alpha / head_weight_h
    _, _, W_value, b_value = _fit(regression, X, targets, weights, alpha / 2.0)
    _, _, W_kind, b_kind = _fit(multi_class, X, classes, weights, alpha / 0.5)
    np.testing.assert_allclose(W[:, :2], W_value, atol=1e-6)
    np.testing.assert_allclose(b[:2], b_value, atol=1e-6)
    np.testing.assert_allclose(W[:, 2:], W_kind, atol=1e-6)
    np.testing.assert_allclose(b[2:], b_kind, atol=1e-6)


def test_multi_head_objective_applies_each_heads_reduction():
    # heads with different reductions and per-head weights: the data term is
    # sum_h head_weight_h * (weighted mean, or sum, of head h's losses)
    X, classes, targets, counts, weights = _data()
    rng = np.random.RandomState(4)
    other = rng.uniform(0, 2, size=N)
    head = MultiHead(
        [
            MultiClassHead(3, name="kind", loss_reduction="sum"),
            PoissonRegressionHead(name="count"),
            BinaryClassHead(name="flag"),
        ],
        head_weights=[0.5, 3.0, 1.0],
    )
    labels = {"kind": classes, "count": counts, "flag": (targets[:, 0] > 0).astype(int)}
    sample_weight = {"kind": weights, "count": other}  # "flag" unweighted
    model = LinearModel(D, head.logits_dimension)
    objective = Objective(head, model, X, labels, sample_weight, alpha=0.0)
    theta = _random_theta(objective)
    logits = model.forward(theta, X)[0]
    expected = (
        0.5 * MultiClassHead(3, loss_reduction="sum").loss(classes, logits[:, :3], weights)
        + 3.0 * PoissonRegressionHead().loss(counts, logits[:, 3:4], other) * N / other.sum()
        + 1.0 * BinaryClassHead().loss(labels["flag"], logits[:, 4:])
    )
    assert objective.loss(theta) == pytest.approx(expected, rel=1e-12)
    _check_gradient(objective, theta)


@pytest.mark.parametrize(
    "make_head, labels",
    [
        (lambda: MultiClassHead(3), "classes"),
        (lambda: RegressionHead(2), "targets"),
        (lambda: PoissonRegressionHead(), "counts"),
        (lambda: MultiHead([RegressionHead(2, name="v"), MultiClassHead(3, name="k")]),
         "both"),
    ],
    ids=["multi-class", "regression", "poisson", "multi-head"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_row_chunks_give_the_same_objective(make_head, labels, dtype):
    X, classes, targets, counts, weights = _data()
    X = X.astype(dtype)
    y = {"classes": classes, "targets": targets, "counts": counts,
         "both": {"v": targets, "k": classes}}[labels]
    head = make_head()
    model = LinearModel(D, head.logits_dimension)
    whole = Objective(head, model, X, y, weights, alpha=0.1)
    chunked = Objective(head, model, X, y, weights, alpha=0.1, chunk_size=7, n_threads=3)
    theta = _random_theta(whole)
    loss, grad = whole.loss_and_gradient(theta)
    loss_c, grad_c = chunked.loss_and_gradient(theta)
    assert loss_c == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad_c, grad, rtol=1e-10, atol=1e-12)
