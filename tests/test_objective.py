"""Tests of the objective: head x model x L2, its gradient, row chunks."""

from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad

from sklearn_heads import BinaryClassHead, LogisticRegressionHead, MultiLabelHead
from sklearn_heads._models import LinearModel, MLPModel
from sklearn_heads._objective import Objective

N, D = 23, 4


def _problem(task, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(N, D)
    X[X < -0.7] = 0.0
    if task == "binary":
        return X, BinaryClassHead(pos_weight=2.5), (X[:, 0] + rng.randn(N) > 0).astype(int)
    if task == "multilabel":
        y = (X[:, :3] + rng.randn(N, 3) > 0).astype(int)
        return X, MultiLabelHead(n_classes=3, pos_weight=[1.0, 3.0, 0.5]), y
    return X, LogisticRegressionHead(loss_reduction="sum"), rng.uniform(size=N)


def _model(kind, n_outputs):
    if kind == "linear":
        return LinearModel(D, n_outputs)
    return MLPModel(D, (6, 3), n_outputs, "tanh")


def _theta(model, seed=1):
    rng = np.random.RandomState(seed)
    return model.init_params(random_state=seed) + 0.3 * rng.randn(model.n_params)


def _reference_objective(head, model, X, y, sample_weight, alpha, theta):
    """The objective from the public API: head.loss + 0.5 alpha ||W||^2.

    With the default reduction, head.loss divides by the number of rows and
    the objective by the sum of the weights (the weighted mean loss).
    """
    logits, _ = model.forward(theta, X)
    weights, _ = model.unpack(theta)
    penalty = 0.5 * sum(np.sum(W**2) for W in weights)
    data = head.loss(y, logits, sample_weight)
    if sample_weight is not None and head.loss_reduction == "sum_over_batch_size":
        data *= len(X) / np.sum(sample_weight)
    return data + alpha * penalty


@pytest.mark.parametrize("task", ["binary", "multilabel", "logistic"])
@pytest.mark.parametrize("kind", ["linear", "mlp"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_objective_value_and_gradient(task, kind, sparse, weighted):
    X, head, y = _problem(task)
    sample_weight = np.random.RandomState(5).uniform(0, 2, N) if weighted else None
    model = _model(kind, head.logits_dimension)
    Xs = sp.csr_matrix(X) if sparse else X
    objective = Objective(head, model, Xs, y, sample_weight, alpha=0.3)
    theta = _theta(model)

    expected = _reference_objective(head, model, X, y, sample_weight, 0.3, theta)
    assert objective.loss(theta) == pytest.approx(expected, rel=1e-12)

    # check_grad returns ||grad - forward-difference grad||; the forward
    # difference (step 1.5e-8) errs by ~1e-8 * ||hessian||, so compare to
    # the gradient's norm.
    grad_norm = np.linalg.norm(objective.gradient(theta))
    error = check_grad(objective.loss, objective.gradient, theta)
    assert error < 1e-5 * max(1.0, grad_norm)


@pytest.mark.parametrize("kind", ["linear", "mlp"])
@pytest.mark.parametrize("sparse", [False, True])
def test_row_chunks_sum_to_the_whole(kind, sparse):
    X, head, y = _problem("multilabel")
    sample_weight = np.random.RandomState(0).uniform(size=N)
    X = sp.csr_matrix(X) if sparse else X
    model = _model(kind, 3)
    theta = _theta(model)
    whole = Objective(head, model, X, y, sample_weight, alpha=0.1)
    chunked = Objective(head, model, X, y, sample_weight, alpha=0.1, chunk_size=5)
    assert whole.chunk_size >= N and chunked.chunk_size == 5
    loss, grad = whole.loss_and_gradient(theta)
    loss_c, grad_c = chunked.loss_and_gradient(theta)
    assert loss_c == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad_c, grad, rtol=1e-10, atol=1e-14)


def test_chunk_size_follows_the_memory_budget():
    X, head, y = _problem("binary")
    model = MLPModel(D, (100,), 1)
    with mock.patch("sklearn_heads._objective.CHUNK_BYTES", model.row_bytes() * 7):
        assert Objective(head, model, X, y).chunk_size == 7


def test_reduction_scales_the_sum_once():
    # "sum_over_batch_size" is "sum" divided by the number of rows, for the
    # loss and its gradient; the penalty is not divided.
    X, _, y = _problem("binary")
    model = LinearModel(D, 1)
    theta = _theta(model)
    total, grad_total = Objective(
        BinaryClassHead(loss_reduction="sum"), model, X, y
    ).loss_and_gradient(theta)
    mean, grad_mean = Objective(BinaryClassHead(), model, X, y).loss_and_gradient(theta)
    assert mean == pytest.approx(total / N, rel=1e-12)
    np.testing.assert_allclose(grad_mean, grad_total / N, rtol=1e-12)


def test_labels_are_prepared_once_and_x_is_not_copied():
    X, head, y = _problem("binary")
    model = LinearModel(D, 1)
    with mock.patch.object(BinaryClassHead, "_prepare", wraps=head._prepare) as prepare:
        objective = Objective(head, model, X, y)
        for seed in range(3):
            objective.loss_and_gradient(_theta(model, seed))
    assert prepare.call_count == 1
    assert objective.X is X


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_float32_objective_is_close_to_float64(kind):
    X, head, y = _problem("binary")
    model = _model(kind, 1)
    theta = _theta(model)
    loss64, grad64 = Objective(head, model, X, y, alpha=0.1).loss_and_gradient(theta)
    objective32 = Objective(head, model, X.astype(np.float32), y, alpha=0.1)
    assert objective32.labels.dtype == np.float32
    loss32, grad32 = objective32.loss_and_gradient(theta)
    assert grad32.dtype == np.float64
    # float32 has a relative precision of 6e-8; sums over 23 rows and a few
    # layers lose at most a few hundred ulps.
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-4, atol=1e-5)
