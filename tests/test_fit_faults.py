"""Faults during fit: all or nothing, no stray threads, BLAS limits restored."""

import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from threadpoolctl import threadpool_info

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    MLPClassifier,
    MLPEstimator,
    sigmoid_cross_entropy_with_logits,
)
from sklearn_heads import _objective
from sklearn_heads._threads import blas_libraries, scipy_own_blas, single_threaded, thread_limits


class Boom(Exception):
    pass


def _failing_loss_fn(after, error=Boom):
    """A loss_fn that works ``after`` times, then raises ``error``."""
    calls = []

    def loss_fn(labels, logits):
        calls.append(1)
        if len(calls) > after:
            raise error("loss_fn failed")
        return sigmoid_cross_entropy_with_logits(labels, logits)

    return loss_fn


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(3000, 6, random_state=0)
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(6)]), y


def _fitted_state(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
@pytest.mark.parametrize("make", [LinearEstimator, MLPEstimator], ids=["linear", "mlp"])
def test_a_failing_fit_leaves_an_unfitted_estimator_unfitted(data, make, error, monkeypatch):
    monkeypatch.setattr(_objective, "CHUNK_BYTES", 2**14)  # several chunk threads
    X, y = data
    est = make(BinaryClassHead(loss_fn=_failing_loss_fn(after=5, error=error)))
    threads = threading.active_count()
    with pytest.raises(error), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # loss_fn without a gradient
        est.fit(X, y)
    assert _fitted_state(est) == {}
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert threading.active_count() == threads


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
def test_a_failing_refit_keeps_the_fitted_model(data, error, monkeypatch):
    monkeypatch.setattr(_objective, "CHUNK_BYTES", 2**14)
    X, y = data
    est = LinearEstimator(BinaryClassHead(loss_fn=_failing_loss_fn(after=10**6)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    before = _fitted_state(est)
    predictions = est.predict_proba(X)
    # a refit on other data (other features, no column names) that fails
    est.set_params(head=BinaryClassHead(loss_fn=_failing_loss_fn(after=3, error=error)))
    with pytest.raises(error), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(np.c_[X.to_numpy(), X.to_numpy()], y)
    after = _fitted_state(est)
    assert after.keys() == before.keys()
    for key, value in before.items():
        assert after[key] is value, key
    assert list(est.feature_names_in_) == list(X.columns) and est.n_features_in_ == 6
    assert_array_equal(est.predict_proba(X), predictions)


def test_bad_input_after_a_fit_keeps_the_fitted_model(data):
    X, y = data
    est = LinearClassifier().fit(X, y)
    before = _fitted_state(est)
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X.to_numpy()[:, :3], y, sample_weight=-np.ones(len(y)))
    assert _fitted_state(est).keys() == before.keys()
    assert est.n_features_in_ == 6 and est.coef_ is before["coef_"]


def test_a_failing_multilabel_fit_stops_its_label_threads(data, monkeypatch):
    X, y = data
    Y = np.c_[y, 1 - y, X.to_numpy()[:, 0] > 0].astype(int)
    calls = []
    original = _objective.LabelwiseObjective.loss_and_gradient_labels

    def failing(self, columns, thetas):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return original(self, columns, thetas)

    monkeypatch.setattr(_objective.LabelwiseObjective, "loss_and_gradient_labels", failing)
    threads = threading.active_count()
    est = LinearClassifier()
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, Y)
    assert threading.active_count() == threads
    assert _fitted_state(est) == {}


# ----------------------------------------------------------------------
# BLAS thread limits


def _blas_threads():
    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()}


def test_overlapping_limits_restore_every_library_in_any_order():
    # the interleaving that threadpoolctl's nested ``limit`` contexts get
    # wrong: a limit entered while another holds the library, left first
    before = _blas_threads()
    if all(n == 1 for n in before.values()):
        pytest.skip("BLAS runs one thread here: nothing to restore")
    first = single_threaded(scipy_own_blas() or blas_libraries())
    second = single_threaded(blas_libraries())
    first.__enter__()
    second.__enter__()
    assert all(lib.num_threads == 1 for lib in blas_libraries())
    # what a new fit in another thread sees as the user's limit: the original
    assert thread_limits(blas_libraries()) == [before[lib.filepath] for lib in blas_libraries()]
    first.__exit__(None, None, None)
    assert all(lib.num_threads == 1 for lib in blas_libraries())  # still held
    second.__exit__(None, None, None)
    assert _blas_threads() == before


# warnings.catch_warnings is not thread-safe: the threads' fits may warn
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_concurrent_fits_restore_the_blas_threads(data):
    before = _blas_threads()
    X, y = data
    X = X.to_numpy()
    Y = np.c_[y, 1 - y, X[:, 0] > 0].astype(int)
    estimators = [
        LinearClassifier(),
        LinearClassifier(),  # multi-label: batched per-label threads
        MLPClassifier((8,), max_iter=30, random_state=0),
        LinearClassifier(pos_weight=2.0),
    ]
    targets = [y, Y, y, y]
    errors = []
    start = threading.Barrier(len(estimators))

    def fit(est, target):
        try:
            start.wait()
            for _ in range(3):
                est.fit(X, target)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fit, args=pair) for pair in zip(estimators, targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _blas_threads() == before
