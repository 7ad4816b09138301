"""Tests of the objective: head x model x L2, its gradient, row chunks."""

import threading
import time
import warnings
from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import check_grad
from sklearn.exceptions import ConvergenceWarning

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LogisticRegressionHead,
    MLPClassifier,
    MultiLabelHead,
)
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


# ----------------------------------------------------------------------
# the fast paths: threads, chunks of X without copies, float32, sparse
def _bigger_problem(dtype=np.float64, n=3000, d=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d).astype(dtype)
    y = (X[:, 0] + rng.randn(n) > 0).astype(int)
    return X, y


@pytest.mark.parametrize("kind", ["linear", "mlp"])
@pytest.mark.parametrize("sparse", [False, True])
def test_threads_give_the_same_bits_as_one_thread(kind, sparse):
    X, y = _bigger_problem()
    X[X < 0.5] = 0.0
    X = sp.csr_matrix(X) if sparse else X
    model = LinearModel(X.shape[1], 1) if kind == "linear" else MLPModel(X.shape[1], (7,), 1)
    theta = _theta(model)
    w = np.random.RandomState(1).uniform(size=X.shape[0])
    head = BinaryClassHead(pos_weight=2.0)
    one = Objective(head, model, X, y, w, alpha=0.1, chunk_size=211, n_threads=1)
    two = Objective(head, model, X, y, w, alpha=0.1, chunk_size=211, n_threads=2)
    whole = Objective(head, model, X, y, w, alpha=0.1, chunk_size=10**9, n_threads=2)
    loss1, grad1 = one.loss_and_gradient(theta)
    for _ in range(3):  # chunk results are added in row order, whatever the threads do
        loss2, grad2 = two.loss_and_gradient(theta)
        assert loss2 == loss1
        np.testing.assert_array_equal(grad2, grad1)
    loss, grad = whole.loss_and_gradient(theta)
    assert loss1 == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(grad1, grad, rtol=1e-10, atol=1e-14)


def test_errors_in_a_thread_reach_the_caller():
    X, y = _bigger_problem()
    model = LinearModel(X.shape[1], 1)
    objective = Objective(BinaryClassHead(), model, X, y, chunk_size=100, n_threads=2)
    with mock.patch.object(
        BinaryClassHead, "_sum_loss_gradient", side_effect=FloatingPointError("boom")
    ):
        with pytest.raises(FloatingPointError, match="boom"):
            objective.loss_and_gradient(_theta(model))


def _chunk_sums_recorder(objective, slow_chunk=None, failing_chunk=None):
    """``(function, record)`` for ``objective._sum_in_order``: a chunk's first row.

    ``record["ahead"]`` is the largest distance of a starting chunk from the
    first unfinished one.
    """
    rows = {id(block[0]): i for i, block in enumerate(objective._blocks)}
    lock = threading.Lock()
    record = {"finished": set(), "ahead": 0}

    def function(block):
        i = rows[id(block[0])]
        with lock:
            unfinished = min(set(range(len(rows))) - record["finished"])
            record["ahead"] = max(record["ahead"], i - unfinished)
        if i == failing_chunk:
            raise FloatingPointError(f"chunk {i}")
        if i == slow_chunk:
            time.sleep(0.3)  # the other thread runs ahead meanwhile
        with lock:
            record["finished"].add(i)
        return i

    return function, record


def test_chunk_sums_are_added_in_row_order_holding_few_results():
    X, y = _bigger_problem()
    model = LinearModel(X.shape[1], 1)
    objective = Objective(BinaryClassHead(), model, X, y, chunk_size=50, n_threads=2)
    n_chunks = len(objective._blocks)
    assert n_chunks == 60
    function, record = _chunk_sums_recorder(objective, slow_chunk=0)
    total = objective._sum_in_order(function, lambda i: [i], lambda t, i: t + [i])
    assert total == list(range(n_chunks))
    # a slow chunk holds back the additions: the other thread waits rather
    # than keeping every later chunk's result
    assert record["ahead"] <= 4 * objective.n_threads


def test_a_failing_chunk_sum_reaches_the_caller():
    X, y = _bigger_problem()
    model = LinearModel(X.shape[1], 1)
    objective = Objective(BinaryClassHead(), model, X, y, chunk_size=50, n_threads=2)
    function, _ = _chunk_sums_recorder(objective, slow_chunk=20, failing_chunk=3)
    with pytest.raises(FloatingPointError, match="chunk 3"):
        objective._sum_in_order(function, lambda i: [i], lambda t, i: t + [i])


def test_sparse_chunks_share_the_data_of_x():
    X, y = _bigger_problem()
    X[X < 0.5] = 0.0
    X = sp.csr_matrix(X)
    objective = Objective(BinaryClassHead(), LinearModel(X.shape[1], 1), X, y, chunk_size=500)
    assert len(objective._blocks) == 6
    for block, block_t, _, _ in objective._blocks:
        assert np.shares_memory(block.data, X.data) and np.shares_memory(block.indices, X.indices)
        assert block_t.format == "csc" and np.shares_memory(block_t.data, X.data)


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_sparse_x_is_never_densified(kind):
    X, y = _bigger_problem(n=400)
    X[X < 0.5] = 0.0
    X = sp.csr_matrix(X)
    est = LinearClassifier() if kind == "linear" else MLPClassifier((5,), max_iter=20)

    def refuse(*args, **kwargs):
        raise AssertionError("X was densified")

    with mock.patch.object(sp.csr_matrix, "toarray", refuse), mock.patch.object(
        sp.csr_matrix, "todense", refuse
    ), mock.patch.object(sp.csc_matrix, "toarray", refuse), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        est.predict_proba(X)


def test_threads_follow_a_blas_thread_limit():
    # joblib's workers and threadpoolctl limit BLAS threads; ours replace them
    from threadpoolctl import threadpool_limits

    X, y = _bigger_problem()
    model = LinearModel(X.shape[1], 1)
    with threadpool_limits(limits=1, user_api="blas"):
        assert Objective(BinaryClassHead(), model, X, y).n_threads == 1
    assert Objective(BinaryClassHead(), model, X, y, n_threads=3).n_threads == 3
