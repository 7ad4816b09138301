"""Predictions and ``evaluate`` of a fitted estimator on Dask arrays.

Both run the in-memory code on each row chunk, where the chunk lives:
predictions are lazy Dask arrays with ``X``'s row chunks, and ``evaluate``
updates a fresh set of the head's streaming metrics per chunk and merges
them (:meth:`Metric.merge`) in a tree of tasks, so that only the merged
metric states reach the client.
"""

import dask
import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._compat import _check_n_features
from .._losses import _float_dtype
from .._validation import require_positive_weight
from ._rows import aligned_chunks, check_dask_X, tree_reduce


def _apply(X, estimator, name, empty):
    if X.shape[0] == 0:
        return empty
    return getattr(estimator, name)(X)


def map_row_chunks(estimator, name, X):
    """``estimator.<name>`` of each row chunk of ``X``, as a lazy Dask array.

    Parameters
    ----------
    estimator : fitted _BaseHeadEstimator
    name : {"decision_function", "predict_proba", "predict_log_proba", "predict"}
    X : dask.array.Array of shape (n_samples, n_features)

    Returns
    -------
    dask.array.Array
        With ``X``'s row chunks; the dtype and columns of the in-memory
        method's output (found on one row of zeros, in the client).
    """
    check_is_fitted(estimator)
    X = check_dask_X(X, known_rows=False)
    _check_n_features(estimator, X, reset=False)
    sample = getattr(estimator, name)(np.zeros((1, X.shape[1]), dtype=_float_dtype(X)))
    empty = sample[:0]
    if sample.ndim == 1:
        layout = {"drop_axis": 1, "chunks": (X.chunks[0],)}
    else:
        layout = {"chunks": (X.chunks[0], (sample.shape[1],))}
    fitted = dask.delayed(estimator, pure=False)  # one key, not a copy per task
    return X.map_blocks(
        _apply,
        fitted,
        name,
        empty,
        dtype=sample.dtype,
        meta=empty,
        # keys named for the method (dask 2024.8 deprecates ``token=``,
        # later releases keep it: ``name=`` means the same in both)
        name=f"{name}-{dask.base.tokenize(fitted.key, X.name)}",
        **layout,
    )


def _chunk_metrics(estimator, offset, X, y, sample_weight):
    """A fresh set of the head's metrics updated with one row chunk."""
    return estimator._update_metrics(
        estimator.head_.metrics(), estimator._logits(X), y, sample_weight, offset
    )


def _merge(*results):
    eval_metrics, any_positive = results[0]
    for other, positive in results[1:]:
        for key, metric in eval_metrics.items():
            metric.merge(other[key])
        any_positive = any_positive or positive
    return eval_metrics, any_positive


def evaluate_chunks(estimator, X, y, sample_weight=None):
    """The fitted estimator's :meth:`evaluate`, streamed over Dask row chunks.

    Returns
    -------
    metrics : dict of str to float
        Equal to the in-memory ``evaluate`` on the same rows, up to the
        order of the additions.
    """
    check_is_fitted(estimator)
    X = check_dask_X(X)
    _check_n_features(estimator, X, reset=False)
    if y is None:
        raise ValueError("y is required to evaluate the head's metrics; got None.")
    _, parts = aligned_chunks(X, y, sample_weight)
    est = dask.delayed(estimator, pure=False)
    task = dask.delayed(_chunk_metrics, pure=False)
    parts = [task(est, *part) for part in parts]
    eval_metrics, any_positive = tree_reduce(parts, _merge)
    require_positive_weight(any_positive, X.shape[0])
    return {key: metric.result() for key, metric in eval_metrics.items()}
