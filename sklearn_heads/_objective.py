"""The training objective: a head, a logits model and an L2 penalty.

::

    objective(theta) = sum_i w_i loss_i(model(theta, X)) * head_scale
                       + 0.5 * alpha * ||weights(theta)||^2

This module is the only place where the head's reduction is applied to the
whole training set: the head returns *sums* of weighted per-row losses (and
their gradients), which are added up over row chunks and multiplied once by
``head._loss_scale(total_weight)``: ``1 / total_weight`` for the default
``"sum_over_batch_size"`` reduction, ``1`` for ``"sum"``.

``total_weight`` is the sum of the sample weights (``n_samples`` without
them). With the default reduction the data term is then the weighted mean
loss, TensorFlow's ``average_loss`` metric, rather than ``head.loss``'s
division by the row count: the two agree without ``sample_weight``, and only
the weighted mean makes an integer weight equivalent to repeating the row
(and a zero weight to dropping it) under the L2 penalty, as scikit-learn's
estimators guarantee.
"""

import functools
import math
import os
import threading

import numpy as np
import scipy.sparse as sp

from ._hessian import LinearHessian, chunk_hessian_blocks
from ._losses import _float_dtype
from ._models import LinearModel
from ._threads import blas_libraries, single_threaded, thread_limits
from ._validation import max_abs

#: Memory budget, in bytes, for the intermediate arrays (logits, their
#: gradient, hidden activations) of one row chunk. Rows are processed in
#: chunks of at most ``CHUNK_BYTES // model.row_bytes(dtype)`` rows.
CHUNK_BYTES = 64 * 2**20

#: Bytes of ``X`` (and of the chunk's intermediate arrays) per row chunk,
#: so that a chunk read by the forward pass is still in the cache when the
#: backward pass reads it again: ``X`` then crosses the memory bus once per
#: evaluation instead of twice. Also the unit of work of the threads.
BLOCK_BYTES = 4 * 2**20

#: Bytes of the float64 copy of a block of rows of ``X`` in another dtype
#: that :func:`column_sq_sums` squares (``X`` is read once: a block needs
#: no reuse from the cache, and a small one adds little to fit's memory).
UPCAST_BLOCK_BYTES = 2**18

#: Whether float32 ``X`` of a linear model is computed in float64 chunk by
#: chunk (see :class:`Objective`), once :meth:`Objective.refine` asks for
#: it or from the start without :data:`FAST_FLOAT32`.
UPCAST_LINEAR_FLOAT32 = True

#: Whether float32 ``X`` of a linear model starts with float32 products
#: (float64 parameters rounded to float32, float64 sums of the chunks'
#: results), which read ``X`` at the speed of memory, until the solver
#: calls :meth:`Objective.refine` (see :func:`~sklearn_heads._solver.minimize_lbfgs`).
FAST_FLOAT32 = True


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: Threads that evaluate row chunks in parallel (each with a single-threaded
#: BLAS): the cores this process may use, at most 8 (they are started at
#: every evaluation); 1 disables them. They take the place of BLAS's threads,
#: so a limit on those (threadpoolctl, or joblib's workers) limits them too.
N_THREADS = max(1, min(8, _available_cores()))


def _upcasts(X, model):
    """Whether ``X`` can be computed in float64, one chunk at a time.

    float32 ``X`` of a linear model can (never a float64 copy of ``X``):
    with float32 parameters L-BFGS's small late steps round away and its
    line search stalls on a staircase objective (dozens of wasted
    evaluations), while the cost of an evaluation is reading ``X``, which
    stays float32. The copy costs a third of an evaluation, so the
    products start in float32 (:data:`FAST_FLOAT32`), and the solver
    switches to float64 with :meth:`Objective.refine` when that stalls.
    """
    return (
        UPCAST_LINEAR_FLOAT32
        and _float_dtype(X) == np.float32
        and not sp.issparse(X)
        and isinstance(model, LinearModel)
    )


def _first_sums(result):
    """The running total of a chunk's ``(loss_sum, array, ...)``: float64 copies of the arrays.

    The loss sum (a float, or one per label) is added out of place, the
    arrays (gradient, Hessian blocks) in place by :func:`_add_sums`.
    """
    s, *arrays = result
    return [s, *(np.array(a, dtype=np.float64, copy=True) for a in arrays)]


def _add_sums(total, result):
    """Add the next chunk's ``(loss_sum, array, ...)`` to :func:`_first_sums`'s total."""
    s, *arrays = result
    total[0] = total[0] + s
    for t, a in zip(total[1:], arrays):
        t += a
    return total


def add_in_order(results):
    """Sum ``(loss_sum, gradient[, hessian_blocks])`` tuples in the order given, in float64.

    The order is fixed by the rows, so the sum does not depend on which
    thread (or Dask worker) computed which tuple.
    """
    total = _first_sums(results[0])
    for result in results[1:]:
        _add_sums(total, result)
    return tuple(total)


def _default_n_threads():
    """:data:`N_THREADS`, or fewer when the user limits the BLAS threads."""
    return max(1, min([N_THREADS, *thread_limits(blas_libraries())]))


def _x_row_bytes(X):
    """Average bytes of ``X`` per row (data and indices for sparse ``X``)."""
    n = max(1, X.shape[0])
    if sp.issparse(X):
        nnz = X.nnz if hasattr(X, "nnz") else 0
        return max(1, (nnz * (X.dtype.itemsize + 4)) // n)
    return max(1, X.shape[1] * X.dtype.itemsize)


def scale_free_weights(head, sample_weight, largest=None):
    """Sample weights divided by their largest, where their scale does not matter.

    With a mean reduction (the default) the objective is the weighted mean
    loss, the same for the weights ``w`` and ``c * w``: dividing them by
    the largest weight keeps tiny weights (``5e-324``) from underflowing
    and huge ones from overflowing their total, so that any scale fits as
    unit weights do. With the ``"sum"`` reduction the scale is part of the
    objective, and the weights are kept.

    Parameters
    ----------
    head : head instance
    sample_weight : ndarray of shape (n_samples,) or None
        Validated (finite, non-negative) float64 weights.
    largest : float, default=None
        The largest weight of the whole data, when ``sample_weight`` is one
        row chunk of it; None takes ``sample_weight``'s.
    """
    if sample_weight is None or not head._scale_free_weights:
        return sample_weight
    largest = np.max(sample_weight) if largest is None else largest
    if not largest > 0:  # all zero: refused where the total is checked
        return sample_weight
    return sample_weight / largest


def column_sq_sums(X, sample_weight=None, block_bytes=None):
    """Each column's (weighted) sum of squares, in float64, without a copy of ``X``.

    Parameters
    ----------
    X : {ndarray, CSR matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the rows' squares.
    block_bytes : int, default=None
        Bytes of the float64 rows of a block: rows are read a block at a
        time. None is :data:`BLOCK_BYTES` for float64 ``X`` (read in
        place) and sparse ``X`` (the squares of a block's values),
        :data:`UPCAST_BLOCK_BYTES` for dense ``X`` of another dtype (a
        block's float64 copy).

    Returns
    -------
    sums : ndarray of shape (n_features,)
    """
    n, d = X.shape
    sums = np.zeros(d, dtype=np.float64)
    if sp.issparse(X):
        X = X.tocsr()
    row_bytes = 8 * (max(1, X.nnz) / max(1, n) if sp.issparse(X) else d)
    if block_bytes is None:
        upcast = not sp.issparse(X) and X.dtype != np.float64
        block_bytes = UPCAST_BLOCK_BYTES if upcast else BLOCK_BYTES
    step = max(1, int(block_bytes // max(1, row_bytes)))
    for start in range(0, n, step):
        stop = min(start + step, n)
        w = None if sample_weight is None else sample_weight[start:stop]
        # squares beyond the largest float are inf (see Objective.column_scale)
        with np.errstate(over="ignore", invalid="ignore"):
            if sp.issparse(X):
                lo, hi = X.indptr[start], X.indptr[stop]
                squares = np.square(X.data[lo:hi], dtype=np.float64)
                if w is not None:
                    squares *= np.repeat(w, np.diff(X.indptr[start : stop + 1]))
                sums += np.bincount(X.indices[lo:hi], weights=squares, minlength=d)
            else:
                block = np.asarray(X[start:stop], dtype=np.float64)
                if w is None:
                    sums += np.einsum("ij,ij->j", block, block)
                else:
                    sums += np.einsum("i,ij,ij->j", w, block, block)
    return sums


def column_moments(X, sample_weight=None):
    """``(column_sq_sums(X, row weights), sum of the row weights)``.

    ``sample_weight`` as ``head._prepare`` returns it: one weight per row,
    or one per target (then a row counts with the mean of its weights).
    """
    if sample_weight is None:
        return column_sq_sums(X), float(X.shape[0])
    w = np.asarray(sample_weight, dtype=np.float64).reshape(X.shape[0], -1).mean(axis=1)
    return column_sq_sums(X, w), float(np.sum(w))


def column_scale(sq_sums, total_weight):
    """(Weighted) root mean square of each column (1 where 0 or not finite).

    Weighted by the sample weights, so that an integer weight scales as
    many repeated rows would. With the L2 penalty it makes the scale of the
    preconditioned variables of a linear model (``Objective.preconditioner``).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.sqrt(np.asarray(sq_sums, dtype=np.float64) / total_weight)
    scale[~np.isfinite(scale) | (scale == 0)] = 1.0
    return scale


def _row_block(X, start, stop):
    """Rows ``start:stop`` of ``X`` and their transpose, without copying ``X``.

    For CSR ``X`` the block shares ``X``'s data and indices (SciPy's
    constructor and ``.T`` would copy slices of a larger array); its
    transpose is the matching CSC matrix, built once here rather than at
    every evaluation.
    """
    if not sp.issparse(X):
        block = X[start:stop]
        return block, block.T
    lo, hi = X.indptr[start], X.indptr[stop]
    indptr = X.indptr[start : stop + 1] - lo
    shape = (stop - start, X.shape[1])
    block = sp.csr_matrix(shape, dtype=X.dtype)
    block_t = sp.csc_matrix(shape[::-1], dtype=X.dtype)
    for m in (block, block_t):
        m.data, m.indices, m.indptr = X.data[lo:hi], X.indices[lo:hi], indptr
    return block, block_t


class TrainingOverflowError(ValueError):
    """The training objective is not finite although ``X``, ``y`` and the weights are.

    A ``ValueError`` (the data are at fault): the products of ``X`` with the
    coefficients, or the sums of the losses, overflow the floating dtype.
    """


def _all_finite(value):
    """Whether a float or an array is finite everywhere (cheap for a float)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return bool(np.isfinite(value).all())


class Objective:
    """``loss_and_gradient(theta)`` of a head and a logits model on ``(X, y)``.

    Labels and sample weights are validated and encoded by the head once,
    here, not at every evaluation.

    Parameters
    ----------
    head : head instance
        Provides ``_prepare``, ``_sum_loss_gradient`` and ``_loss_scale``.
    model : LinearModel or MLPModel
        Provides ``forward``, ``backward``, ``penalty`` and ``row_bytes``.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Used as given (no copy; sparse matrices other than CSR are
        converted to CSR when split into chunks). float32 is computed in
        float32, except dense ``X`` under a linear model: in float32 until
        :meth:`refine`, then in float64, one chunk at a time (see Notes).
    labels : array-like
        Targets in a format the head accepts.
    sample_weight : array-like of shape (n_samples,), default=None
    alpha : float, default=0.0
        Strength of the L2 penalty on the weights.
    chunk_size : int, default=None
        Rows per chunk; ``None`` derives it from :data:`CHUNK_BYTES` and
        :data:`BLOCK_BYTES`.
    n_threads : int, default=None
        Threads evaluating the chunks; ``None`` is :data:`N_THREADS`, or the
        BLAS thread limit if lower. The result does not depend on it: chunk
        results are added in row order.
    prepared : bool, default=False
        Whether ``labels`` and ``sample_weight`` are already encoded by
        ``head._prepare`` (see :meth:`_set_data`).
    precise : bool, default=True
        False: float32 ``X`` of a linear model starts with float32
        products, until :meth:`refine` (see Notes); for a solver that calls
        it, as :func:`~sklearn_heads._solver.minimize_lbfgs` does. True:
        float64 products from the start, the objective exact throughout.

    Notes
    -----
    With ``precise=False``, float32 ``X`` of a linear model starts with
    float32 products: the
    parameters rounded to float32, each chunk's logits, head gradient and
    ``X.T @ G`` in float32, every chunk's loss sum and gradient added in
    float64. That reads ``X`` once at the speed of memory, and its
    gradient is accurate (to about 1e-8 on the benchmarks' data, far below
    the default ``tol``); but its loss is a
    staircase at the rounding of float32 logits, on which L-BFGS's line
    search would stall near the minimum. The solver calls :meth:`refine`
    before (see :data:`~sklearn_heads._solver.REFINE_BELOW`) and goes on
    with float64 products (each chunk copied to float64 in a
    per-thread buffer): the fit ends on the float64 objective.
    """

    #: Whether float32 ``X`` of a linear model may start with float32
    #: products (``precise=False``).
    _fast_float32 = True

    def __init__(
        self, head, model, X, labels, sample_weight=None, alpha=0.0, chunk_size=None,
        n_threads=None, *, prepared=False, precise=True,
    ):
        self.head = head
        self.model = model
        self.alpha = float(alpha)
        self._precise = bool(precise) or not (FAST_FLOAT32 and self._fast_float32)
        self._set_data(X, labels, sample_weight, chunk_size, n_threads, prepared)
        self.scale = head._loss_scale(self.total_weight)

    def _set_data(self, X, labels, sample_weight, chunk_size, n_threads, prepared):
        """Keep ``X``, encode the targets and split the rows into chunks.

        ``prepared=True`` takes ``labels`` and ``sample_weight`` as already
        returned by ``head._prepare`` (one row chunk of a Dask fit, encoded
        when the chunk was loaded).
        """
        self.X = X
        self.n_samples = X.shape[0]
        dtype = _float_dtype(X)
        if prepared:
            self.labels, self.sample_weight = labels, sample_weight
        else:
            self.labels, self.sample_weight = self.head._prepare(
                labels,
                self.n_samples,
                sample_weight=scale_free_weights(self.head, sample_weight),
                dtype=dtype,
            )
        w = self.sample_weight
        self.total_weight = float(self.n_samples if w is None else np.sum(w, dtype=np.float64))
        self.dtype = dtype
        upcasts = _upcasts(X, self.model)
        # the parameters (and gradients) are float64 either way; the
        # products are float32 until refine()
        self._upcast = upcasts and self._precise
        self._can_refine = upcasts and not self._upcast
        self.compute_dtype = np.dtype(np.float64) if upcasts else dtype
        self._given_chunk_size = chunk_size
        self.n_threads = int(_default_n_threads() if n_threads is None else n_threads)
        self._split_rows()
        self._local = threading.local()  # per-thread buffers

    def _split_rows(self):
        """Set ``chunk_size`` and the row chunks, for the products' dtype.

        Unless given, a chunk holds as many rows as fit in
        :data:`BLOCK_BYTES` with their intermediate arrays and, when it is
        copied to float64 (:meth:`_upcast_chunk`), with that copy: the
        chunk that the forward product reads from memory is still in the
        cache when the backward product reads it again.
        """
        chunk_size = self._given_chunk_size
        if chunk_size is None:
            dtype = self.compute_dtype if self._upcast else self.dtype
            row_bytes = max(1, self.model.row_bytes(dtype))
            x_row_bytes = _x_row_bytes(self.X) * (3 if self._upcast else 1)
            chunk_size = max(
                1, min(CHUNK_BYTES // row_bytes, BLOCK_BYTES // (row_bytes + x_row_bytes))
            )
        self.chunk_size = int(chunk_size)
        self._blocks = list(self._chunks())

    @property
    def precise(self):
        """Whether the products are in the parameters' dtype (see :meth:`refine`)."""
        return not self._can_refine

    def refine(self):
        """Switch float32 products to float64 ones; whether anything changed.

        Called by the solver once L-BFGS nearly stalls on the float32
        products' objective, or stops short of ``tol`` on it (see the class
        notes and :func:`~sklearn_heads._solver.minimize_lbfgs`). Later
        evaluations copy each float32 chunk to float64 and compute in
        float64, as with ``precise=True``. A no-op returning False when the
        products are in float64 already, or in float32 for good (float32
        ``X`` of an MLP, sparse ``X``).
        """
        if not self._can_refine:
            return False
        self._upcast, self._can_refine = True, False
        self._split_rows()  # smaller chunks: their float64 copies are in the cache too
        return True

    def preconditioner(self, unscaled_octaves=0):
        """The scale of each coefficient's preconditioned variable.

        ``sqrt(rms_j ** 2 + alpha)``, rounded to a power of two (1 within
        ``unscaled_octaves`` powers of two of 1): the square root of a
        diagonal estimate of the objective's curvature
        along the coefficients of column ``j`` (the data term's grows with
        the column's mean square, the penalty's is ``alpha``). L-BFGS runs on ``coef_j * scale_j`` (see
        :func:`~sklearn_heads._solver.scaled`): columns of any scale, and
        columns so small that the penalty decides, all look alike to it.
        Without the penalty, a column that is almost always zero (a rare
        pixel, a rare category) would get a tiny scale, and the penalty's
        curvature ``alpha / scale ** 2`` would dwarf every other one (ten
        times the iterations on the digits).
        """
        if getattr(self, "_column_scale", None) is None:
            # once per objective (a pass over X): L-BFGS and Newton in turn share it
            self._column_scale = self.column_scale()
        # sqrt(rms ** 2 + alpha), without overflowing for columns beyond 1e154
        scale = np.hypot(self._column_scale, np.sqrt(self._penalty_strength()))
        # the nearest power of two: scaling by it is exact (it adds no
        # rounding to the objective, and a scale that differs in its last
        # bit, say from summing the rows in another order, gives the same
        # fit; X * 2**k gets the scale of X times 2**k); 1 for columns
        # within ``unscaled_octaves`` powers of two of 1
        with np.errstate(divide="ignore", invalid="ignore"):
            exponent = np.clip(np.round(np.log2(scale)), -1000, 1000)
        exponent[~np.isfinite(exponent) | (np.abs(exponent) <= unscaled_octaves)] = 0
        return np.exp2(exponent)

    def _penalty_strength(self):
        """``alpha`` as the penalty of each coefficient's problem."""
        return self.alpha

    def column_scale(self):
        """The weighted root mean square of each column of ``X`` (see :func:`column_scale`)."""
        sq_sums, total = column_moments(self.X, self.sample_weight)
        scale = column_scale(sq_sums, total)
        extreme = ~np.isfinite(sq_sums) | (sq_sums == 0)
        if np.any(extreme):
            # columns beyond 1e154 whose squares overflow, or below 1e-154
            # whose squares underflow to 0: their largest absolute value is
            # a scale as good (between the RMS and sqrt(n) times it); an
            # all-zero column keeps 1. Only rows of positive weight count,
            # as in the RMS: a zero weight is a row left out.
            X = self.X[:, np.flatnonzero(extreme)]
            if self.sample_weight is not None:
                w = np.asarray(self.sample_weight).reshape(X.shape[0], -1)
                X = X[np.flatnonzero(np.any(w > 0, axis=1))]
            if sp.issparse(X):
                largest = abs(X).max(axis=0).toarray().ravel()
            else:
                largest = np.max(np.abs(X), axis=0)
            scale[extreme] = np.where(largest > 0, largest, 1.0)
        return scale

    def _upcast_chunk(self, X):
        """A float64 copy of the float32 chunk ``X``, in a per-thread buffer.

        Reusing the buffer spares the allocator (and the page faults of a
        fresh multi-megabyte array) at every chunk of every evaluation.
        """
        buffer = getattr(self._local, "upcast", None)
        if buffer is None or buffer.shape[0] < X.shape[0] or buffer.shape[1] != X.shape[1]:
            buffer = self._local.upcast = np.empty(X.shape, dtype=self.compute_dtype)
        X64 = buffer[: X.shape[0]]
        np.copyto(X64, X)
        return X64, X64.T

    def _chunks(self):
        """``(X, X.T, labels, sample_weight)`` of each row chunk, in order."""
        n, step = self.n_samples, self.chunk_size
        if step >= n:
            yield self.X, self.X.T, self.labels, self.sample_weight
            return
        w = self.sample_weight
        X_all = self.X.tocsr() if sp.issparse(self.X) else self.X
        for start in range(0, n, step):
            stop = min(start + step, n)
            X, XT = _row_block(X_all, start, stop)
            yield X, XT, self.labels[start:stop], None if w is None else w[start:stop]

    def _map_chunks(self, function, blocks=None):
        """``[function(chunk) for chunk in chunks]``, on ``n_threads`` threads.

        ``blocks`` (default: every chunk) are the chunks to map.

        NumPy, BLAS and SciPy's sparse products release the GIL, so the
        threads share the cores; every BLAS is limited to one thread
        meanwhile (also with a single thread: BLAS threads gain nothing on
        chunk-sized products and, on a busy machine, waiting for them costs
        far more than the product).
        """
        blocks = self._blocks if blocks is None else blocks
        if len(blocks) == 1:
            return [function(blocks[0])]
        if self.n_threads <= 1:
            with single_threaded(blas_libraries()):
                return [function(block) for block in blocks]
        results = [None] * len(blocks)
        indices = iter(range(len(blocks)))
        lock = threading.Lock()
        errors = []

        def work():
            try:
                while not errors:
                    with lock:
                        i = next(indices, None)
                    if i is None:
                        return
                    results[i] = function(blocks[i])
            except BaseException as exc:  # re-raised in the calling thread
                errors.append(exc)

        with single_threaded(blas_libraries()):
            helpers = [
                threading.Thread(target=work, daemon=True)
                for _ in range(min(self.n_threads, len(blocks)) - 1)
            ]
            try:
                for thread in helpers:
                    thread.start()
                work()
            finally:
                # also when this thread is interrupted: the helpers stop
                # after their current chunk, and none outlives the call
                errors.append(None)
                for thread in helpers:
                    if thread.ident is not None:  # started
                        thread.join()
        failures = [exc for exc in errors if exc is not None]
        if failures:
            raise failures[0]
        return results

    def _chunk_loss_gradient(self, model, params, columns, chunk):
        """The head's loss sum and the parameter gradient of one row chunk.

        ``columns`` (for :class:`LabelwiseObjective`) are the labels that
        ``model``'s outputs stand for; the loss sum is then one per label.
        """
        return self._checked_chunk_sums(model, params, columns, chunk)[:2]

    def _checked_chunk_sums(self, model, params, columns, chunk, curvature=False):
        """:meth:`_chunk_sums`, redone in float64 or refused where it overflows."""
        upcast = self._upcast
        sums = self._chunk_sums(model, params, columns, chunk, upcast, curvature)
        if sums is None and not upcast and self._can_refine:
            # float32 products overflowed: this chunk in float64
            upcast = True
            sums = self._chunk_sums(model, params, columns, chunk, upcast, curvature)
        if sums is None:
            X = self._upcast_chunk(chunk[0])[0] if upcast else chunk[0]
            raise self._chunk_overflow(model, params, X)
        return sums

    def _chunk_sums(self, model, params, columns, chunk, upcast, curvature=False):
        """``(loss sum, gradient, curvature)`` of one chunk (None if not finite).

        ``upcast``: with the chunk copied to float64 (:meth:`_upcast_chunk`).
        ``curvature``: also the head's second derivative with respect to
        the logits (``head._loss_hessian_logits``), from the same logits;
        None otherwise.
        """
        X, XT, z, w = chunk
        if upcast:
            X, XT = self._upcast_chunk(X)
        if columns is not None and columns.size != z.shape[1]:
            z = z[:, columns]
        with np.errstate(over="ignore", invalid="ignore"):
            if upcast:  # a linear model's chunk, just copied: in the cache
                logits, cache = model.forward(params, X, in_cache=True)
            else:
                logits, cache = model.forward(params, X)
            if self.head._calls_user_code and not np.all(np.isfinite(logits)):
                # a user's loss_fn is only ever called with finite logits
                return None
            # before the loss's gradient overwrites the logits
            h = self.head._loss_hessian_logits(z, logits, w) if curvature else None
            s, grad_logits = self.head._sum_loss_gradient(
                z, logits, w, out=logits, columns=columns
            )
            grad = model.backward(params, X, cache, grad_logits, XT=XT)
        if not (_all_finite(s) and _all_finite(grad)):
            return None
        return s, grad, h

    def _chunk_overflow(self, model, params, X):
        """The :class:`TrainingOverflowError` of a row chunk, saying what overflowed."""
        if not np.all(np.isfinite(params)):
            what = "L-BFGS stepped to non-finite coefficients"
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                logits = model.forward(params, X)[0]
            if np.all(np.isfinite(logits)):
                what = (
                    "the loss or its gradient overflows although the logits are finite "
                    f"(as large as {max_abs(logits):.3g})"
                )
            else:
                bad = "NaN" if np.any(np.isnan(logits)) else "inf"
                what = f"the logits, X times the coefficients, overflow to {bad}"
        return self._overflow(what, X)

    def _overflow(self, what, X=None):
        """A :class:`TrainingOverflowError`: ``what`` overflowed, and the scales."""
        X = self.X if X is None else X
        scales = []
        if hasattr(X, "shape") and not hasattr(X, "sum_loss_gradient"):
            scales.append(f"X has values as large as {max_abs(X):.3g} in magnitude")
        if getattr(self, "sample_weight", None) is not None or hasattr(X, "sum_loss_gradient"):
            scales.append(f"the sample weights sum to {self.total_weight:.3g}")
        pos_weight = getattr(self.head, "_pos_weight", None)
        if pos_weight is not None:
            scales.append(f"pos_weight is up to {float(np.max(pos_weight)):.3g}")
        if self.alpha:
            scales.append(f"alpha={self.alpha:.3g}")
        return TrainingOverflowError(
            f"Fitting failed: {what} in {np.dtype(self.compute_dtype)} ("
            + "; ".join(scales)
            + "). The problem is too badly scaled for floating point: scale X (for "
            "example with sklearn.preprocessing.StandardScaler in a pipeline), and "
            "bring the sample weights, pos_weight and alpha closer to 1."
        )

    def _check_finite(self, loss, grad):
        """Refuse a non-finite objective, which L-BFGS cannot minimise."""
        if _all_finite(loss) and _all_finite(grad):
            return
        if not np.isfinite(self.scale):
            what = (
                f"the weighted mean loss divides by the sum of the weights, "
                f"{self.total_weight:.3g}, whose reciprocal overflows"
            )
        else:
            what = "the objective (loss plus alpha times the L2 penalty) overflows"
        raise self._overflow(what)

    def _evaluate_chunks(self, model, params, columns=None, *, threads=True):
        """Loss sum and float64 gradient over all chunks, added in row order.

        The order is fixed, so the result is the same for any thread count.
        ``threads=False`` evaluates the chunks one after the other in the
        calling thread and leaves BLAS alone: for a task of a Dask
        scheduler, which runs the tasks in parallel itself. The chunks'
        gradients are added as they come (see :meth:`_sum_in_order`), as
        :func:`add_in_order` adds them: a few are held at a time, not one
        per chunk (``n_features`` floats each for every output).
        """
        function = functools.partial(self._chunk_loss_gradient, model, params, columns)
        return tuple(self._sum_in_order(function, _first_sums, _add_sums, threads))

    def loss_and_gradient(self, theta):
        """The objective and its gradient at ``theta``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
            The model's flat parameter vector.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,), float64
        """
        theta = np.asarray(theta)
        params = theta.astype(self.compute_dtype, copy=False)  # once, not per chunk
        total, grad = self._evaluate_chunks(self.model, params)
        return self._with_penalty(theta, total, grad)

    def _with_penalty(self, theta, total, grad):
        """The objective and its gradient from the chunks' sums (``grad`` in place)."""
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self.scale * total
            grad *= self.scale
            if self.alpha:
                penalty, penalty_grad = self.model.penalty(theta)
                loss += self.alpha * penalty
                grad += self.alpha * penalty_grad
        self._check_finite(loss, grad)
        return loss, grad

    #: Whether Newton's solver should have the Hessian evaluated with every
    #: full step it tries (one pass over the rows instead of two when the
    #: step is taken: worth it where a pass costs a round trip, on Dask).
    hessian_with_trial_steps = False

    def _chunk_hessian(self, model, params, column_scale, chunk):
        """The Hessian blocks of the head's loss sum on one row chunk (linear models).

        In float64, in units of ``column_scale`` (see
        :func:`~sklearn_heads._hessian.chunk_hessian_blocks`), a slice of
        rows at a time.
        """
        X, XT, z, w = chunk
        with np.errstate(over="ignore", invalid="ignore"):
            logits, _ = model.forward(params, X)
            h = self.head._loss_hessian_logits(z, logits, w)
        return self._hessian_blocks(model, X, h, column_scale)

    def _chunk_loss_gradient_hessian(self, model, params, column_scale, chunk):
        """Loss sum, gradient and Hessian blocks of one chunk: its logits computed once."""
        s, grad, h = self._checked_chunk_sums(model, params, None, chunk, curvature=True)
        return s, grad, self._hessian_blocks(model, chunk[0], h, column_scale)

    def _hessian_blocks(self, model, X, h, column_scale):
        """The Hessian blocks of the rows ``X`` whose logits have the curvature ``h``."""
        if h is None:
            raise ValueError(
                f"{type(self.head).__name__} has no second derivative of its loss "
                "(a user's loss_fn): Newton's solver needs one."
            )
        blocks = chunk_hessian_blocks(X, h, model.fit_intercept, column_scale)
        if not _all_finite(blocks):
            raise self._overflow("the Hessian of the loss overflows", X)
        return blocks

    def _sum_in_order(self, function, first, add, threads=True):
        """The results of ``function`` over the chunks, added in row order.

        ``first(result)`` makes the total of the first chunk's result (a
        copy, added to in place), ``add(total, result)`` adds the next.

        Each result is added as soon as those of the chunks before it are,
        and a thread waits before it starts a chunk more than
        ``4 * n_threads`` chunks ahead of the first unfinished one: at most
        that many results (Hessian blocks of ``(d + 1) ** 2`` each) are
        held, however many chunks there are and however slow a thread is;
        the order of the additions, and the result, do not depend on the
        threads.
        """
        ahead = 4 * max(1, self.n_threads)
        state = {"total": None, "next": 0, "failed": False}
        pending = {}
        added = threading.Condition()

        def run(item):
            i, block = item
            try:
                with added:
                    added.wait_for(lambda: state["failed"] or i - state["next"] < ahead)
                    if state["failed"]:
                        return  # the map re-raises the failure
                result = function(block)
                with added:
                    pending[i] = result
                    while state["next"] in pending:
                        result = pending.pop(state["next"])
                        total = state["total"]
                        state["total"] = first(result) if total is None else add(total, result)
                        state["next"] += 1
                    added.notify_all()
            except BaseException:
                # no chunk waits for this one's result (also on an interrupt)
                with added:
                    state["failed"] = True
                    added.notify_all()
                raise

        items = list(enumerate(self._blocks))
        if threads:
            self._map_chunks(run, items)
        else:
            for item in items:
                run(item)
        return state["total"]

    def _evaluate_chunks_hessian(self, model, params, column_scale=None, *, threads=True):
        """Loss sum, gradient and Hessian blocks over all chunks, added in row order."""
        function = functools.partial(
            self._chunk_loss_gradient_hessian, model, params, column_scale
        )
        return tuple(self._sum_in_order(function, _first_sums, _add_sums, threads))

    def _evaluate_hessian(self, model, params, column_scale=None):
        """The Hessian blocks over all chunks, added in row order."""
        function = functools.partial(self._chunk_hessian, model, params, column_scale)

        def add(total, blocks):
            total += blocks
            return total

        return self._sum_in_order(
            function, lambda blocks: np.array(blocks, dtype=np.float64), add
        )

    def _linear_hessian(self, blocks, column_scale):
        return LinearHessian(blocks, self.model, self.scale, self.alpha, column_scale)

    def hessian(self, theta, column_scale=None):
        """The Hessian at ``theta`` alone (see :meth:`loss_gradient_hessian`)."""
        if not isinstance(self.model, LinearModel):
            raise TypeError("The Hessian is implemented for linear models only.")
        params = np.asarray(theta).astype(self.compute_dtype, copy=False)
        blocks = self._evaluate_hessian(self.model, params, column_scale)
        return self._linear_hessian(blocks, column_scale)

    def loss_gradient_hessian(self, theta, column_scale=None):
        """The objective, its gradient and its Hessian at ``theta`` (linear models).

        One pass over the row chunks (one round trip on Dask).
        ``column_scale`` (powers of two, say ``preconditioner()``): the
        Hessian is computed for the coefficients in those units, so that
        columns whose squares overflow (1e200) still have one.

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,), float64
        hessian : :class:`~sklearn_heads._hessian.LinearHessian`
        """
        if not isinstance(self.model, LinearModel):
            raise TypeError("The Hessian is implemented for linear models only.")
        theta = np.asarray(theta)
        params = theta.astype(self.compute_dtype, copy=False)
        total, grad, blocks = self._evaluate_chunks_hessian(self.model, params, column_scale)
        loss, grad = self._with_penalty(theta, total, grad)
        return loss, grad, self._linear_hessian(blocks, column_scale)

    def loss(self, theta):
        """The objective at ``theta`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta)[0]

    def gradient(self, theta):
        """The gradient at ``theta`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta)[1]


class LabelwiseObjective(Objective):
    """A multi-label linear model's objective, one problem per label.

    With a :class:`~sklearn_heads.MultiLabelHead` and its built-in loss (the
    mean over the ``k`` labels of each label's cross-entropy) the objective
    of :class:`Objective` separates::

        objective(W, b) = sum_j f_j(w_j, b_j)
        f_j = scale * sum_i s_i * loss_ij / k + 0.5 * alpha * ||w_j||^2

    Label ``j``'s problem is taken as ``F_j = k * f_j``: the weighted mean
    loss of label ``j`` alone plus ``0.5 * (k * alpha) * ||w_j||^2``, the
    objective of a binary model of label ``j``. Each label is then solved
    as one-vs-rest would solve it, with L-BFGS's stopping rules (``tol`` on
    the gradient of ``F_j``, which implies ``tol / k`` on the gradient of
    ``objective``) applied per label.
    :meth:`loss_and_gradient_labels` evaluates any subset of labels with one
    ``X @ W`` and one ``X.T @ G`` per row chunk.

    Label ``j``'s parameter vector is ``(w_j, b_j)``: row ``j`` of
    ``coef_`` followed by its intercept (when the model has one).

    Parameters
    ----------
    head : MultiLabelHead
        Without ``loss_fn``.
    model : LinearModel
    X, labels, sample_weight, alpha, chunk_size, n_threads
        As in :class:`Objective`.
    """

    #: the batched L-BFGS driver has no :meth:`refine` step: float64 products
    _fast_float32 = False

    def __init__(
        self, head, model, X, labels, sample_weight=None, alpha=0.0, chunk_size=None,
        n_threads=None,
    ):
        if head.loss_fn is not None or model.n_layers != 1:
            raise ValueError("LabelwiseObjective needs a linear model and a built-in loss.")
        super().__init__(head, model, X, labels, sample_weight, alpha, chunk_size, n_threads)
        self.n_labels = model.n_outputs
        self.label_factor = float(self.n_labels)

    def _penalty_strength(self):
        # each label's problem F_j has the penalty 0.5 * k * alpha * ||w_j||^2
        return self.label_factor * self.alpha

    def split(self, theta):
        """The per-label parameter vectors of a model parameter vector.

        Returns
        -------
        thetas : ndarray of shape (n_labels, n_features + fit_intercept)
        """
        return self.model.per_output(theta)

    def join(self, thetas):
        """The model parameter vector of per-label parameter vectors."""
        return self.model.from_per_output(np.asarray(thetas, dtype=np.float64))

    def loss_and_gradient_labels(self, columns, thetas):
        """Each label's problem ``F_j`` and its gradient, for the labels ``columns``.

        Parameters
        ----------
        columns : ndarray of int of shape (m,)
            Sorted label indices.
        thetas : ndarray of shape (m, n_features + fit_intercept)
            Their parameter vectors.

        Returns
        -------
        losses : ndarray of shape (m,)
        grads : ndarray of shape (m, n_features + fit_intercept)
        """
        columns = np.asarray(columns, dtype=np.intp)
        thetas = np.asarray(thetas, dtype=np.float64)
        d = self.model.n_features
        model = LinearModel(d, columns.size, fit_intercept=self.model.fit_intercept)
        params = model.from_per_output(thetas).astype(self.compute_dtype, copy=False)
        sums, grad = self._evaluate_chunks(model, params, columns)
        (gW,), (gb,) = model.unpack(grad)
        weights = thetas[:, :d]
        factor = self.label_factor
        with np.errstate(over="ignore", invalid="ignore"):
            losses = factor * (
                self.scale * sums + 0.5 * self.alpha * np.sum(weights**2, axis=1)
            )
            grads = np.empty_like(thetas)
            grads[:, :d] = factor * (self.scale * gW.T + self.alpha * weights)
            if gb is not None:
                grads[:, d] = factor * self.scale * gb
        self._check_finite(losses, grads)
        return losses, grads


def make_objective(
    head, model, X, labels, sample_weight=None, alpha=0.0, *, labelwise=False, precise=True
):
    """The objective of ``X``: in memory, or a backend's rows.

    Parameters
    ----------
    head, model, labels, sample_weight, alpha
        As in :class:`Objective`.
    X : {ndarray, sparse matrix} or a backend's rows
        In-memory data, or the loaded rows of a backend's fit (a Dask fit's
        ``DaskRows``), which carry their labels and weights (``labels`` and
        ``sample_weight`` are then ignored) and make their own objective.
    labelwise : bool, default=False
        A :class:`LabelwiseObjective` rather than an :class:`Objective`.
    precise : bool, default=True
        False: float32 products for float32 ``X`` of a linear model until
        the objective's ``refine()`` (see :class:`Objective`); a
        :class:`LabelwiseObjective` is always precise.
    """
    if hasattr(X, "make_objective"):  # a backend's rows
        return X.make_objective(
            head, model, alpha=alpha, labelwise=labelwise, precise=precise
        )
    if labelwise:
        return LabelwiseObjective(head, model, X, labels, sample_weight, alpha=alpha)
    return Objective(head, model, X, labels, sample_weight, alpha=alpha, precise=precise)
