"""Peak memory of fit and of the label encoding (tracemalloc sees NumPy's allocations)."""

import gc
import tracemalloc
from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_heads import BinaryClassHead, LinearClassifier, _objective
from sklearn_heads._heads._task import class_indices
from sklearn_heads._models import LinearModel
from sklearn_heads._objective import Objective


def _peak_bytes(function):
    """Bytes allocated at the peak of ``function()``."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        function()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("classes", [[0, 1], [1, 0], [0, 1, 2], [2, 0, 1]])
@pytest.mark.parametrize("dtype", [np.intp, np.float64])
def test_class_indices_needs_no_inverse_of_unique(classes, dtype):
    y = np.random.default_rng(0).integers(0, len(classes), 500_000)
    classes = np.array(classes)
    peak = _peak_bytes(lambda: class_indices(y, classes, dtype=dtype))
    # np.unique(y, return_inverse=True) alone peaks at five arrays of y's size
    assert peak < 2.5 * y.nbytes
    position = np.empty(len(classes), dtype=np.intp)
    position[classes] = np.arange(len(classes))
    indices = class_indices(y, classes, dtype=dtype)
    assert indices.dtype == dtype
    np.testing.assert_array_equal(indices, position[y])


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky"])
def test_fit_allocates_little_beyond_the_labels(monkeypatch, solver):
    # two threads, each with its chunk's buffers, whatever the machine's cores
    monkeypatch.setattr(_objective, "N_THREADS", 2)
    X, y = make_classification(100_000, 100, n_informative=30, random_state=0)
    est = LinearClassifier(solver=solver)
    peak_of_x = _peak_bytes(lambda: est.fit(X, y)) / X.nbytes
    # the float64 labels (0.01 of X here) and the threads' buffers (of a
    # fixed size): neither a copy of X nor np.unique's five arrays of y's size
    assert peak_of_x < 0.04


def _problem(dtype, n=20_000, d=50, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d).astype(dtype)
    y = (X[:, 0] + rng.randn(n) > 0).astype(int)
    return X, y


def test_float32_x_is_never_copied_to_float64():
    X, y = _problem(np.float32)
    # the objective reads X in place, one float64 chunk at a time
    model = LinearModel(X.shape[1], 1)
    objective = Objective(BinaryClassHead(), model, X, y, chunk_size=1000)
    assert objective.X is X
    theta = model.init_params(random_state=1)
    peak = _peak_bytes(lambda: objective.loss_and_gradient(theta))
    assert peak < 0.25 * X.nbytes
    # and so does fit; the fitted model stays float32
    est = LinearClassifier()
    with mock.patch("sklearn_heads._objective.BLOCK_BYTES", 2**18):
        peak = _peak_bytes(lambda: est.fit(X, y))
    assert peak < 0.5 * X.nbytes  # a float64 copy would be 2 * X.nbytes
    assert est.coef_.dtype == np.float32 and est.intercept_.dtype == np.float32


def test_dense_fit_allocates_little_beyond_x():
    X, y = _problem(np.float64)
    peak = _peak_bytes(lambda: LinearClassifier().fit(X, y))
    assert peak < 0.5 * X.nbytes
