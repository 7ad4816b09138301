"""The training rows of a Dask fit: checked, encoded and kept on the workers.

:func:`training_rows` aligns ``X``, ``y`` and ``sample_weight`` on ``X``'s
row chunks, builds the head from a summary of ``y`` (its distinct values,
computed by the workers) and then loads every chunk once: checked as
``fit`` checks in-memory data, labels and weights encoded by the head, and
persisted where it was computed. :class:`DaskRows` then evaluates the
loss and gradient sums of a parameter vector with one task per chunk and
adds them up on the workers, in row order; only those sums (a number and
a gradient) reach the client.
"""

import concurrent.futures
import contextlib

import dask
import dask.array as da
import numpy as np
from sklearn.utils import check_array

from .._compat import _check_feature_names, _check_n_features
from .._losses import _float_dtype
from .._objective import (
    Objective,
    add_in_order,
    column_moments,
    scale_free_weights,
)
from .._threads import blas_libraries, single_threaded
from .._validation import argument_named, check_sample_weight_values, require_positive_weight
from ._objective import DaskLabelwiseObjective, DaskObjective

#: Chunk results added by one task of the reduction tree.
FAN_IN = 8


def as_row_chunked(name, value, row_chunks, ndim_allowed):
    """``value`` (Dask or in memory) as a Dask array with the row chunks ``row_chunks``."""
    if not isinstance(value, da.Array):
        value = np.asarray(value)
    if value.ndim not in ndim_allowed:
        raise ValueError(
            f"{name} must be {' or '.join(f'{d}-d' for d in ndim_allowed)}; got "
            f"shape {value.shape}."
        )
    n_rows = sum(row_chunks)
    if value.shape[0] != n_rows:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: X has "
            f"{n_rows} rows and {name} has {value.shape[0]}."
        )
    chunks = (row_chunks,) + (-1,) * (value.ndim - 1)
    if not isinstance(value, da.Array):
        return da.from_array(value, chunks=chunks)
    if value.chunks[0] != row_chunks or any(len(c) > 1 for c in value.chunks[1:]):
        value = value.rechunk(chunks)
    return value


def check_dask_X(X, known_rows=True):
    """``X`` as a 2-d Dask array, one chunk wide (of known row chunks).

    Raises
    ------
    TypeError
        For a Dask collection other than an array (a data frame, say).
    ValueError
        For an array that is not 2-d, or whose chunk sizes are unknown.
    """
    if not isinstance(X, da.Array):
        hint = (
            " (for a Dask DataFrame: X.to_dask_array(lengths=True))"
            if hasattr(X, "to_dask_array")
            else ""
        )
        raise TypeError(
            f"Dask input must be a dask.array.Array chunked by rows; got a "
            f"{type(X).__module__}.{type(X).__name__}{hint}."
        )
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-d Dask array of shape (n_samples, n_features); got shape "
            f"{X.shape}."
        )
    if known_rows and any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (NaN rows per chunk), so y cannot be aligned "
            "with it: call X.compute_chunk_sizes() first (or, for a data frame, "
            "to_dask_array(lengths=True))."
        )
    if len(X.chunks[1]) > 1:  # every row chunk holds whole rows
        X = X.rechunk({1: -1})
    return X


def aligned_chunks(X, y, sample_weight=None, *, persist=False):
    """``X``, ``y`` and ``sample_weight`` cut into the same row chunks.

    Parameters
    ----------
    X : dask.array.Array
        As returned by :func:`check_dask_X`.
    y, sample_weight : dask.array.Array or array-like (``sample_weight``
        may be None)
    persist : bool, default=False
        Compute the three arrays and keep them on the workers first.

    Returns
    -------
    arrays : tuple of dask.array.Array
        ``(X, y, sample_weight)``: ``X`` without empty row chunks, the others
        chunked like it. With ``persist=True``, keep them referenced until
        the tasks that read ``parts`` have run (the workers drop persisted
        data that the client no longer references).
    parts : list of tuple
        ``(offset, X_i, y_i, w_i)`` of each row chunk: the index of its
        first row and its delayed pieces (``w_i`` is None without weights).
    """
    keep = [i for i, size in enumerate(X.chunks[0]) if size]
    if keep and len(keep) < len(X.chunks[0]):
        X = da.concatenate([X.blocks[i] for i in keep])
    row_chunks = X.chunks[0]
    y = as_row_chunked("y", y, row_chunks, (1, 2))
    if sample_weight is not None:
        sample_weight = as_row_chunked("sample_weight", sample_weight, row_chunks, (1,))
    if persist:
        X, y, sample_weight = dask.persist(X, y, sample_weight)
    X_parts = X.to_delayed().ravel()
    y_parts = y.to_delayed().ravel()
    w_parts = [None] * len(X_parts) if sample_weight is None else sample_weight.to_delayed().ravel()
    offsets = np.concatenate([[0], np.cumsum(row_chunks)[:-1]]).astype(int).tolist()
    return (X, y, sample_weight), list(zip(offsets, X_parts, y_parts, w_parts))


def _target_summary(y):
    """A small array whose target type, classes and columns are ``y``'s.

    ``type_of_target`` and the encoders depend on ``y`` only through its
    distinct values, dtype and number of columns, so the head built from
    this summary is the head built from ``y``.
    """
    values = da.unique(y).compute()
    if y.ndim == 1:
        return values
    return np.repeat(values[:, None], y.shape[1], axis=1)


def _load_chunk(head, classes, largest, offset, X, y, w):
    """One row chunk checked and encoded as ``fit`` does in memory.

    ``largest`` is the largest sample weight of all chunks (see
    ``scale_free_weights``).
    """
    with argument_named({"X": X}):
        X = check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32])
    with argument_named({"y": y}):
        labels, _ = head._encode_target(y, classes)
    if w is not None:
        w = check_sample_weight_values(w, X, np.float64, offset=offset)
        w = scale_free_weights(head, w, largest)
    z, w = head._prepare(labels, X.shape[0], sample_weight=w, dtype=X.dtype)
    return X, z, w


def _largest_weight(sample_weight):
    """The largest of numeric Dask weights (None otherwise: the chunks refuse them)."""
    if sample_weight is None or sample_weight.dtype.kind not in "biuf":
        return None
    largest = float(sample_weight.max().compute())
    return largest if np.isfinite(largest) and largest > 0 else None


def _chunk_totals(chunk):
    X, _, w = chunk
    weight = X.shape[0] if w is None else np.sum(w, dtype=np.float64)
    positive = X.shape[0] > 0 if w is None else bool(np.any(w))
    return X.shape[0], float(weight), positive, column_moments(X, w)


@contextlib.contextmanager
def lost_data_explained():
    """Say what a cancelled Dask computation means for the user's data.

    A worker that dies takes the data it holds with it; Dask recomputes
    what it can from the graph, and cancels what it cannot (data put there
    by ``client.scatter``, or persisted from a source that is gone) with a
    bare ``FutureCancelledError: ... lost dependencies``.
    """
    try:
        yield
    except concurrent.futures.CancelledError as exc:  # FutureCancelledError
        raise RuntimeError(
            f"A Dask computation was cancelled ({exc}). This happens when a worker "
            "is lost with data that Dask cannot recompute (chunks put on the "
            "workers with client.scatter, or persisted from a source that is "
            "gone). Build or persist the Dask arrays again and call the method "
            "again; the estimator is unchanged."
        ) from exc
    except Exception as exc:
        if type(exc).__name__ != "KilledWorker":
            raise
        raise RuntimeError(
            f"Dask gave up on a task that lost its worker several times ({exc}), "
            "often because the worker ran out of memory: use smaller row chunks "
            "or workers with more memory. The estimator is unchanged."
        ) from exc


@lost_data_explained()
def training_rows(estimator, X, y, sample_weight):
    """Check Dask training data and load it on the workers.

    Parameters
    ----------
    estimator : _BaseHeadEstimator
        Gets ``n_features_in_`` (and loses ``feature_names_in_``); provides
        the head, through ``_target_head`` (given a summary of ``y``'s
        distinct values), which then encodes every chunk's targets.
    X : dask.array.Array of shape (n_samples, n_features)
    y : dask.array.Array or array-like
    sample_weight : dask.array.Array or array-like or None

    Returns
    -------
    head, classes : the head built from ``y`` and the classes (or None)
    rows : DaskRows
    """
    X = check_dask_X(X)
    _check_n_features(estimator, X, reset=True)
    _check_feature_names(estimator, X, reset=True)
    # X (say, built lazily) is computed once: here, then read from memory
    arrays, parts = aligned_chunks(X, y, sample_weight, persist=True)

    head, _, classes = estimator._target_head(_target_summary(arrays[1]), whole=False)

    largest = _largest_weight(arrays[2])
    load = dask.delayed(_load_chunk, pure=False)
    chunks = dask.persist(*[load(head, classes, largest, *part) for part in parts])
    totals = dask.compute(*[dask.delayed(_chunk_totals)(c) for c in chunks])
    del arrays  # the loaded chunks are in memory: the raw ones may go
    n_samples = sum(t[0] for t in totals)
    require_positive_weight(any(t[2] for t in totals), n_samples)
    total_weight = float(np.sum([t[1] for t in totals]))
    if not np.isfinite(total_weight):
        raise ValueError(
            f"sample_weight sums to {total_weight!r}; divide the weights by a common "
            "factor."
        )
    moments = (
        np.sum([t[3][0] for t in totals], axis=0),
        float(np.sum([t[3][1] for t in totals])),
    )
    rows = DaskRows(chunks, n_samples, X.shape[1], _float_dtype(X), total_weight, moments)
    return head, classes, rows


@lost_data_explained()
def tree_reduce(parts, combine):
    """Combine the delayed ``parts`` in order, in a tree of tasks on the workers.

    ``combine(*results)`` takes up to :data:`FAN_IN` results. Returns the
    computed root: the only result that reaches the client.
    """
    combine = dask.delayed(combine, pure=False)
    while len(parts) > 1:
        parts = [combine(*parts[i : i + FAN_IN]) for i in range(0, len(parts), FAN_IN)]
    # The tasks run in parallel already; tasks on threads of this process
    # (Dask's local scheduler, a LocalCluster(processes=False)) would each
    # start BLAS's threads too, 3-4x slower on small chunk products. Set
    # here, once, by the calling thread: a limit set and reset by every task
    # would race. Worker processes get one BLAS thread from distributed.
    with single_threaded(blas_libraries()):
        return dask.compute(parts[0])[0]


def _chunk_sums(static, chunk):
    """The loss sum and parameter gradient of one loaded chunk (a task)."""
    head, model, params, columns, precise = static
    X, z, w = chunk
    objective = Objective(head, model, X, z, w, prepared=True, n_threads=1, precise=precise)
    params = params.astype(objective.compute_dtype, copy=False)
    return objective._evaluate_chunks(model, params, columns, threads=False)


def _chunk_sums_hessian(static, chunk):
    """The loss sum, gradient and Hessian blocks of one loaded chunk (a task)."""
    head, model, params, column_scale = static
    X, z, w = chunk
    objective = Objective(head, model, X, z, w, prepared=True, n_threads=1)
    params = params.astype(objective.compute_dtype, copy=False)
    return objective._evaluate_chunks_hessian(model, params, column_scale, threads=False)


def _add_group(*results):
    return add_in_order(results)


def _all_of(*flags):
    return np.logical_and.reduce(flags)


class DaskRows:
    """Loaded row chunks of a Dask fit (see :func:`training_rows`).

    Parameters
    ----------
    chunks : list of dask.delayed.Delayed
        Persisted ``(X, labels, sample_weight)`` of each row chunk, in row
        order, as ``head._prepare`` returns the labels and weights.
    n_samples, n_features : int
    dtype : numpy dtype
        Of ``X`` (float32 or float64).
    total_weight : float
        The sum of the sample weights (``n_samples`` without them).
    column_moments : tuple
        ``(column sums of squares, row weight total)``, weighted by the rows'
        weights (see ``_objective.column_moments``), for the linear models'
        scaling.
    """

    def __init__(self, chunks, n_samples, n_features, dtype, total_weight, column_moments):
        self.chunks = list(chunks)
        self.n_samples = int(n_samples)
        self.n_features = int(n_features)
        self.dtype = np.dtype(dtype)
        self.total_weight = float(total_weight)
        self.column_moments = column_moments

    @property
    def shape(self):
        return (self.n_samples, self.n_features)

    def sum_loss_gradient(self, head, model, params, columns=None, precise=True):
        """The head's loss sum and float64 parameter gradient over all rows.

        One task per chunk, added up in row order on the workers: the
        result is the in-memory ``Objective``'s up to the order of the
        additions. ``params`` travel once per evaluation, as one key.
        ``precise``: float64 products for float32 chunks (see the
        ``precise`` parameter of ``Objective``).
        """
        static = dask.delayed((head, model, np.asarray(params), columns, precise), pure=False)
        task = dask.delayed(_chunk_sums, pure=False)
        return tree_reduce([task(static, chunk) for chunk in self.chunks], _add_group)

    def sum_loss_gradient_hessian(self, head, model, params, column_scale=None):
        """:meth:`sum_loss_gradient` and the Hessian blocks of a linear model, in one round trip.

        See ``Objective.loss_gradient_hessian``: only the sums (a number, a
        gradient and ``k`` or ``k * k`` blocks of ``(d + 1) ** 2``) reach
        the client.
        """
        static = dask.delayed((head, model, np.asarray(params), column_scale), pure=False)
        task = dask.delayed(_chunk_sums_hessian, pure=False)
        return tree_reduce([task(static, chunk) for chunk in self.chunks], _add_group)

    def make_objective(self, head, model, alpha=0.0, labelwise=False, precise=True):
        """The training objective on these rows (see ``_objective.make_objective``)."""
        if labelwise:
            return DaskLabelwiseObjective(head, model, self, None, None, alpha=alpha)
        return DaskObjective(head, model, self, None, None, alpha=alpha, precise=precise)

    def all_chunks(self, function, *args):
        """``function(X, labels, sample_weight, *args)`` AND-ed over the chunks."""
        task = dask.delayed(lambda chunk, *a: function(*chunk, *a), pure=False)
        return tree_reduce([task(chunk, *args) for chunk in self.chunks], _all_of)
