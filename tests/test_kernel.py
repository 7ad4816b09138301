"""Tests of the forward/backward kernel: products of row blocks, float32 products.

The reference is plain NumPy on the whole ``X`` in float64 (and the public
``head.loss``); the kernel must agree with it for every layout of ``X``
(C and F order, strided views, sparse), with and without sample weights
and intercepts, for one and several outputs, and on every block boundary.
"""

from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_heads import BinaryClassHead, MultiClassHead, MultiLabelHead
from sklearn_heads import _models, _solver
from sklearn_heads._models import LinearModel, MLPModel, dense_product, dense_transpose_product
from sklearn_heads._objective import Objective
from sklearn_heads._solver import minimize_lbfgs


def _layouts(X):
    """``X`` as the kernel may get it: every layout holding the same values."""
    wide = np.zeros((X.shape[0], 2 * X.shape[1]), dtype=X.dtype)
    wide[:, ::2] = X
    tall = np.zeros((2 * X.shape[0], X.shape[1]), dtype=X.dtype)
    tall[::2] = X
    return {
        "C": np.ascontiguousarray(X),
        "F": np.asfortranarray(X),
        "strided columns": wide[:, ::2],
        "strided rows": tall[::2],
        "csr": sp.csr_matrix(X),
    }


def _rows(n, d, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    X[X < -1] = 0.0  # some zeros, for the sparse layout
    return X.astype(dtype)


# the block boundaries: one row, fewer rows than a block, a multiple of the
# block and one more (with SUB_BLOCK_BYTES patched to 8 rows of 5 float64)
BLOCK_ROWS = 8
SIZES = [1, 5, BLOCK_ROWS, 3 * BLOCK_ROWS, 3 * BLOCK_ROWS + 1]


@pytest.fixture
def small_blocks():
    with mock.patch.object(_models, "SUB_BLOCK_BYTES", BLOCK_ROWS * 5 * 8):
        yield


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("k", [1, 3])
def test_products_match_numpy_in_every_layout(small_blocks, dtype, n, k):
    X = _rows(n, 5, dtype)
    rng = np.random.RandomState(1)
    W = rng.randn(5, k).astype(dtype)
    G = rng.randn(n, k).astype(dtype)
    X64 = X.astype(np.float64)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    for name, Xl in _layouts(X).items():
        product = dense_product(Xl, W)
        assert product.shape == (n, k) and product.dtype == dtype, name
        np.testing.assert_allclose(product, X64 @ W, rtol=rtol, atol=rtol, err_msg=name)
        back = dense_transpose_product(Xl, G, Xl.T)
        assert back.shape == (5, k) and back.dtype == np.float64, name
        np.testing.assert_allclose(back, X64.T @ G, rtol=rtol, atol=rtol, err_msg=name)
        # without the transpose at hand
        np.testing.assert_allclose(dense_transpose_product(Xl, G), back, rtol=1e-15)


def test_blocks_of_several_outputs_add_up_in_float64(small_blocks):
    # float32 products of each row block, their sum in float64
    X = _rows(3 * BLOCK_ROWS + 1, 5, np.float32)
    G = np.random.RandomState(2).randn(X.shape[0], 4).astype(np.float32)
    step = _models._sub_block_rows(X)  # 16 float32 rows of 5
    assert step < X.shape[0]
    expected = np.zeros((5, 4))
    for i in range(0, X.shape[0], step):
        expected += X[i : i + step].T @ G[i : i + step]
    np.testing.assert_array_equal(dense_transpose_product(X, G), expected)


def _reference(head, model, X, y, sample_weight, alpha, theta):
    """Objective and gradient in float64 on the whole X, by plain NumPy.

    The loss from the public ``head.loss`` (weighted mean), the gradient by
    back-propagating the head's gradient of the float64 logits.
    """
    X64 = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    (W,), (b,) = model.unpack(theta)
    logits = X64 @ W + (0 if b is None else b)
    n = X64.shape[0]
    total = n if sample_weight is None else np.sum(sample_weight)
    loss = head.loss(y, logits, sample_weight) * n / total + 0.5 * alpha * np.sum(W**2)
    encoded, w = head._prepare(y, n, sample_weight=sample_weight, dtype=np.float64)
    _, G = head._sum_loss_gradient(encoded, logits, w)
    grad = np.concatenate(
        [(X64.T @ G / total + alpha * W).ravel()] + ([] if b is None else [G.sum(0) / total])
    )
    return loss, grad


def _head_and_labels(k, n, seed=0):
    rng = np.random.RandomState(seed)
    if k == 1:
        return BinaryClassHead(), rng.randint(0, 2, n)
    if k == 3:
        return MultiClassHead(n_classes=3), rng.randint(0, 3, n)
    return MultiLabelHead(n_classes=k), rng.randint(0, 2, (n, k))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [1, 3, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n", [1, 7, 3 * BLOCK_ROWS + 1])
def test_objective_matches_numpy_reference(small_blocks, dtype, k, fit_intercept, weighted, n):
    X = _rows(n, 5, dtype)
    head, y = _head_and_labels(k, n)
    rng = np.random.RandomState(3)
    w = rng.uniform(0.5, 2, n) if weighted else None
    model = LinearModel(5, k, fit_intercept=fit_intercept)
    theta = 0.5 * rng.randn(model.n_params)
    expected = _reference(head, model, X, y, w, 0.1, theta)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    for name, Xl in _layouts(X).items():
        # chunks of 3 rows: n not a multiple, n smaller than a chunk, n = 1
        for chunk_size in (None, 3):
            for precise in (False, True):
                objective = Objective(
                    head, model, Xl, y, w, alpha=0.1, chunk_size=chunk_size, precise=precise
                )
                loss, grad = objective.loss_and_gradient(theta)
                assert grad.dtype == np.float64
                where = f"{name}, chunk_size={chunk_size}, precise={precise}"
                assert loss == pytest.approx(expected[0], rel=rtol), where
                np.testing.assert_allclose(grad, expected[1], rtol=rtol, atol=rtol, err_msg=where)


def test_float32_products_until_refined():
    X = _rows(200, 6, np.float32)
    y = (X[:, 0] > 0).astype(int)
    model = LinearModel(6, 1)
    theta = np.random.RandomState(0).randn(model.n_params)
    fast = Objective(BinaryClassHead(), model, X, y, chunk_size=64, precise=False)
    exact = Objective(BinaryClassHead(), model, X, y, chunk_size=64)
    assert not fast.precise and exact.precise
    assert fast.compute_dtype == exact.compute_dtype == np.float64
    loss_fast, grad_fast = fast.loss_and_gradient(theta)
    loss_exact, grad_exact = exact.loss_and_gradient(theta)
    assert loss_fast != loss_exact  # float32 products round differently ...
    assert loss_fast == pytest.approx(loss_exact, rel=1e-6)  # ... to float32 precision
    np.testing.assert_allclose(grad_fast, grad_exact, rtol=1e-5, atol=1e-6)
    assert fast.refine() is True
    assert fast.precise and fast.refine() is False
    # refined, it is the precise objective, bit for bit
    loss, grad = fast.loss_and_gradient(theta)
    assert loss == loss_exact
    np.testing.assert_array_equal(grad, grad_exact)
    assert exact.refine() is False


@pytest.mark.parametrize(
    "make",
    [
        lambda X: (X.astype(np.float64), LinearModel(4, 1)),  # float64 products already
        lambda X: (sp.csr_matrix(X), LinearModel(4, 1)),  # sparse: float32 for good
        lambda X: (X, MLPModel(4, (3,), 1)),  # an MLP: float32 for good
    ],
    ids=["float64", "sparse", "mlp"],
)
def test_refine_is_a_no_op_where_nothing_changes(make):
    X, model = make(_rows(20, 4, np.float32))
    objective = Objective(BinaryClassHead(), model, X, np.arange(20) % 2, precise=False)
    assert objective.precise
    assert objective.refine() is False


def test_float32_products_that_overflow_are_redone_in_float64():
    # logits of 4e38 overflow float32 (3.4e38) but not float64
    X = np.full((4, 2), 1e30, dtype=np.float32)
    y = np.array([0, 1, 0, 1])
    model = LinearModel(2, 1, fit_intercept=False)
    theta = np.array([2e8, 2e8])
    fast = Objective(BinaryClassHead(), model, X, y, precise=False)
    exact = Objective(BinaryClassHead(), model, X, y)
    loss, grad = fast.loss_and_gradient(theta)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert (loss, list(grad)) == tuple(
        [v if i == 0 else list(v) for i, v in enumerate(exact.loss_and_gradient(theta))]
    )
    assert not fast.precise  # only that chunk


def _quadratic(noise):
    """A strictly convex quadratic, its loss rounded to ``noise`` (a staircase)."""
    A = np.diag(np.linspace(1.0, 50.0, 8))
    target = np.linspace(-1.0, 1.0, 8)

    def fun(theta):
        r = theta - target
        loss = 0.5 * r @ A @ r + 1.0
        if noise:
            loss = np.round(loss / noise) * noise
        return loss, A @ r

    return fun, target


def test_lbfgs_goes_on_exactly_after_refine():
    # a fast objective whose loss is a staircase: L-BFGS stalls on it long
    # before tol; refine() makes it exact, and the fit converges
    fast, target = _quadratic(noise=1e-4)
    exact, _ = _quadratic(noise=0)
    state = {"exact": False}
    calls = []

    def fun(theta):
        return (exact if state["exact"] else fast)(theta)

    def refine():
        calls.append(len(calls))
        changed = not state["exact"]
        state["exact"] = True
        return changed

    result = minimize_lbfgs(fun, np.zeros(8), max_iter=500, tol=1e-6, refine=refine)
    assert calls == [0]
    assert result.converged
    np.testing.assert_allclose(result.theta, target, atol=1e-6)
    # the same problem never made exact does not converge
    with pytest.warns(Warning, match="without meeting tol|failed"):
        stuck = minimize_lbfgs(fast, np.zeros(8), max_iter=500, tol=1e-6)
    assert not stuck.converged


def test_lbfgs_refines_once_the_decrease_is_small():
    exact, target = _quadratic(noise=0)
    curve_at_refine = []
    result = None

    def refine():
        curve_at_refine.append(len(stopping_curve()))
        return True

    def stopping_curve():
        return spy.loss_curve

    spy = None
    original = _solver.Stopping.__init__

    def init(self, *args, **kwargs):
        nonlocal spy
        original(self, *args, **kwargs)
        spy = self

    with mock.patch.object(_solver.Stopping, "__init__", init):
        result = minimize_lbfgs(exact, np.zeros(8), max_iter=500, tol=1e-6, refine=refine)
    assert result.converged
    assert len(curve_at_refine) == 1  # once, in the middle of the run
    at = curve_at_refine[0]
    curve = result.loss_curve
    assert 2 <= at < len(curve)
    previous, loss = curve[at - 2], curve[at - 1]
    assert previous - loss <= _solver.REFINE_BELOW * max(abs(previous), abs(loss), 1.0)
    assert all(
        a - b > _solver.REFINE_BELOW * max(abs(a), abs(b), 1.0)
        for a, b in zip(curve[: at - 2], curve[1 : at - 1])
    )


def test_float32_fit_runs_fast_then_exact():
    from sklearn_heads import LinearClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(3000, 10)
    y = (X @ rng.randn(10) + rng.randn(3000) > 0).astype(int)
    refines = []
    original = Objective.refine

    def spy(self):
        refines.append(self.precise)
        return original(self)

    with mock.patch.object(Objective, "refine", spy):
        est32 = LinearClassifier(tol=1e-8).fit(X.astype(np.float32), y)
    assert refines == [False]  # called once, on the fast objective
    est64 = LinearClassifier(tol=1e-8).fit(X, y)
    np.testing.assert_allclose(est32.coef_, est64.coef_, rtol=1e-5, atol=1e-6)
