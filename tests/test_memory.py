"""Peak memory of fit and of the label encoding (tracemalloc sees NumPy's allocations)."""

import gc
import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklearn_heads import LinearClassifier, _objective
from sklearn_heads._heads._task import class_indices


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
