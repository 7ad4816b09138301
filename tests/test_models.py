"""Tests of the logits models: layout, forward, backward, penalty, init."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

from sklearn_heads._models import ACTIVATIONS, LinearModel, MLPModel

N_FEATURES, N_OUTPUTS = 4, 3


def _models():
    yield LinearModel(N_FEATURES, N_OUTPUTS)
    yield LinearModel(N_FEATURES, N_OUTPUTS, fit_intercept=False)
    for activation in ACTIVATIONS:
        yield MLPModel(N_FEATURES, (5, 2), N_OUTPUTS, activation)


MODELS = list(_models())
MODEL_IDS = [
    f"{type(m).__name__}-{getattr(m, 'activation', m.fit_intercept)}" for m in MODELS
]


def _data(sparse=False, dtype=np.float64, n=11, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, N_FEATURES)
    X[X < -0.5] = 0.0  # some structural zeros for the sparse case
    X = X.astype(dtype)
    return sp.csr_matrix(X) if sparse else X


def test_linear_layout_is_the_documented_one():
    # W[j, k] is theta[j * n_outputs + k]; the intercept comes last.
    model = LinearModel(N_FEATURES, N_OUTPUTS)
    theta = np.arange(model.n_params, dtype=float)
    (W,), (b,) = model.unpack(theta)
    assert model.n_params == N_FEATURES * N_OUTPUTS + N_OUTPUTS
    for j in range(N_FEATURES):
        for k in range(N_OUTPUTS):
            assert W[j, k] == theta[j * N_OUTPUTS + k]
    assert_array_equal(b, theta[-N_OUTPUTS:])
    assert model.n_weights == N_FEATURES * N_OUTPUTS


def test_mlp_layout_is_weights_then_intercepts():
    model = MLPModel(N_FEATURES, (5, 2), N_OUTPUTS)
    sizes = [(4, 5), (5, 2), (2, 3)]
    theta = np.arange(model.n_params, dtype=float)
    weights, intercepts = model.unpack(theta)
    start = 0
    for W, shape in zip(weights, sizes):
        assert W.shape == shape
        assert_array_equal(W.ravel(), theta[start : start + W.size])
        start += W.size
    assert model.n_weights == start
    for b, (_, fan_out) in zip(intercepts, sizes):
        assert_array_equal(b, theta[start : start + fan_out])
        start += fan_out
    assert start == model.n_params


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_pack_unpack_round_trip(model):
    theta = np.random.RandomState(0).randn(model.n_params)
    weights, intercepts = model.unpack(theta)
    assert_array_equal(model.pack(weights, intercepts), theta)
    # unpack gives views, no copies
    assert all(np.shares_memory(W, theta) for W in weights)


def test_unpack_and_pack_check_shapes():
    model = MLPModel(N_FEATURES, (5,), N_OUTPUTS)
    with pytest.raises(ValueError, match="theta must have shape"):
        model.unpack(np.zeros(model.n_params + 1))
    weights, intercepts = model.unpack(np.zeros(model.n_params))
    with pytest.raises(ValueError, match="weight matrix of shape"):
        model.pack([weights[0].T, weights[1]], intercepts)
    with pytest.raises(ValueError, match="activation must be one of"):
        MLPModel(N_FEATURES, (5,), N_OUTPUTS, "softsign")


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_linear_forward_is_x_w_plus_b(fit_intercept, sparse):
    model = LinearModel(N_FEATURES, N_OUTPUTS, fit_intercept=fit_intercept)
    theta = np.random.RandomState(1).randn(model.n_params)
    X = _data(sparse)
    Xd = X.toarray() if sparse else X
    W = theta[: N_FEATURES * N_OUTPUTS].reshape(N_FEATURES, N_OUTPUTS)
    expected = Xd @ W + (theta[-N_OUTPUTS:] if fit_intercept else 0.0)
    logits, cache = model.forward(theta, X)
    assert isinstance(logits, np.ndarray)
    assert_allclose(logits, expected, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_mlp_forward_matches_scikit_learn_mlp(activation):
    # scikit-learn's MLPClassifier with the same weights computes
    # sigmoid(logits) for a binary target: an independent forward pass.
    X = _data(n=20)
    y = np.arange(20) % 2
    sk = SkMLPClassifier((5, 2), activation=activation, max_iter=1).fit(X, y)
    model = MLPModel(N_FEATURES, (5, 2), 1, activation)
    theta = model.init_params(random_state=0)
    weights, intercepts = model.unpack(theta)
    sk.coefs_ = [W.copy() for W in weights]
    sk.intercepts_ = [b.copy() for b in intercepts]
    logits, _ = model.forward(theta, X)
    assert_allclose(expit(logits[:, 0]), sk.predict_proba(X)[:, 1], rtol=1e-10)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_sparse_and_dense_forward_backward_agree(model):
    theta = model.init_params(random_state=0) + 0.1
    X = _data()
    G = np.random.RandomState(2).randn(X.shape[0], N_OUTPUTS)
    dense_logits, dense_cache = model.forward(theta, X)
    sparse_logits, sparse_cache = model.forward(theta, sp.csr_matrix(X))
    assert_allclose(sparse_logits, dense_logits, rtol=1e-12, atol=1e-12)
    assert_allclose(
        model.backward(theta, sp.csr_matrix(X), sparse_cache, G),
        model.backward(theta, X, dense_cache, G),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_backward_is_the_gradient_of_forward(model, sparse):
    # backward(G) is the gradient of f(theta) = sum(G * forward(theta)); check
    # it against central differences along random directions.
    rng = np.random.RandomState(3)
    X = _data(sparse)
    theta = model.init_params(random_state=1) + 0.05 * rng.randn(model.n_params)
    G = rng.randn(X.shape[0], N_OUTPUTS)
    logits, cache = model.forward(theta, X)
    grad = model.backward(theta, X, cache, G)
    assert grad.dtype == np.float64 and grad.shape == (model.n_params,)

    def f(t):
        return float(np.sum(G * model.forward(t, X)[0]))

    eps = 1e-6
    for _ in range(5):
        d = rng.randn(model.n_params)
        numeric = (f(theta + eps * d) - f(theta - eps * d)) / (2 * eps)
        # central differences err by O(eps^2 * f''') plus rounding
        # O(|f| * 1e-16 / eps): about 1e-8 here; the relu kinks are not
        # crossed by a step of 1e-6 for these random points.
        assert numeric == pytest.approx(grad @ d, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_float32_stays_float32(model, sparse):
    X32 = _data(sparse, dtype=np.float32)
    theta = model.init_params(random_state=0)
    logits, cache = model.forward(theta, X32)
    assert logits.dtype == np.float32
    assert all(a.dtype == np.float32 for a in cache or [])
    X64 = _data(sparse)
    # float32 rounding of the inputs and weights: relative error ~1e-7 per
    # operation, a few dozen operations here.
    assert_allclose(logits, model.forward(theta, X64)[0], rtol=1e-4, atol=1e-5)
    G = np.ones_like(logits)
    grad = model.backward(theta, X32, cache, G)
    assert grad.dtype == np.float64  # what SciPy's L-BFGS-B needs


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_penalty_excludes_intercepts(model):
    theta = np.random.RandomState(4).randn(model.n_params)
    value, grad = model.penalty(theta)
    weights, intercepts = model.unpack(theta)
    assert value == pytest.approx(0.5 * sum(np.sum(W**2) for W in weights))
    grad_weights, grad_intercepts = model.unpack(grad)
    for gW, W in zip(grad_weights, weights):
        assert_array_equal(gW, W)
    for gb in grad_intercepts:
        assert gb is None or not np.any(gb)


def test_linear_init_is_zero_and_mlp_init_is_glorot():
    assert not np.any(LinearModel(N_FEATURES, N_OUTPUTS).init_params(0))
    for activation, factor in [("relu", 6.0), ("logistic", 2.0)]:
        model = MLPModel(N_FEATURES, (50,), N_OUTPUTS, activation)
        theta = model.init_params(random_state=0)
        assert_array_equal(theta, model.init_params(random_state=0))
        assert not np.array_equal(theta, model.init_params(random_state=1))
        weights, intercepts = model.unpack(theta)
        for W, b in zip(weights, intercepts):
            bound = np.sqrt(factor / sum(W.shape))
            assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
            # 200+ uniform draws on [-bound, bound] reach past half of it
            assert np.abs(W).max() > bound / 2
    theta32 = MLPModel(N_FEATURES, (5,), 1).init_params(0, dtype=np.float32)
    assert theta32.dtype == np.float32


def test_row_bytes_counts_outputs_and_hidden_layers():
    assert LinearModel(10, 3).row_bytes(np.float64) == 2 * 3 * 8
    assert MLPModel(10, (7, 5), 2).row_bytes(np.float32) == 2 * (7 + 5 + 2) * 4
