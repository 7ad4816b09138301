"""Logits models: a linear model and a multi-layer perceptron.

A logits model maps ``X`` to ``logits`` of shape ``(n_samples, n_outputs)``
and back-propagates a gradient with respect to the logits to a gradient with
respect to its parameters. It knows nothing about labels or losses (that is
the head's job) and holds no fitted state: every method takes the flat
parameter vector ``theta``, so the optimiser's objective is a pure function
of ``theta``.

Both models lay ``theta`` out the same way: every weight matrix first,
raveled in C order, then every intercept. The L2 penalty therefore applies
to the contiguous block ``theta[:n_weights]``.
"""

import numpy as np
from scipy.special import expit
from sklearn.utils import check_random_state

from ._losses import _float_dtype


def _inplace_relu(a):
    np.maximum(a, 0, out=a)


def _inplace_tanh(a):
    np.tanh(a, out=a)


def _inplace_logistic(a):
    expit(a, out=a)


def _inplace_identity(a):
    pass


def _relu_derivative(a, delta):
    np.multiply(delta, a > 0, out=delta)


def _tanh_derivative(a, delta):
    delta *= 1 - a**2


def _logistic_derivative(a, delta):
    delta *= a
    delta *= 1 - a


def _identity_derivative(a, delta):
    pass


#: activation name -> (in-place forward, in-place ``delta *= f'`` from f's output)
ACTIVATIONS = {
    "relu": (_inplace_relu, _relu_derivative),
    "tanh": (_inplace_tanh, _tanh_derivative),
    "logistic": (_inplace_logistic, _logistic_derivative),
    "identity": (_inplace_identity, _identity_derivative),
}


#: Bytes of ``X`` per BLAS call of a product with several outputs: a row
#: block that stays in a core's L2 cache with its outputs, so that the
#: matrix-matrix kernel runs from the cache (1.5 times faster than on a
#: multi-megabyte chunk, measured in ``benchmarks/bench_kernel.py``).
SUB_BLOCK_BYTES = 128 * 2**10


def _streams_rows(X, W):
    """Whether ``X @ W`` is a product of a dense 2-d ``X`` of ``W``'s dtype."""
    return (
        isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.shape[1] > 0
        and X.dtype == W.dtype
    )


def _sub_block_rows(X):
    return max(8, SUB_BLOCK_BYTES // max(1, X.shape[1] * X.itemsize))


def dense_product(X, W, in_cache=False):
    """``X @ W``, read from memory once at close to the speed of a plain pass.

    * One output of C-ordered rows: one dot product per row, with NumPy's
      ``einsum``, which reads rows as fast as a sum of ``X`` does, where
      BLAS's matrix-vector kernel reads them from memory at about half that
      speed (and several times faster from the cache).
    * Several outputs: BLAS's matrix-matrix product on row blocks of
      :data:`SUB_BLOCK_BYTES`, each in the cache while it is multiplied.
    * Sparse ``X``, rows that are not contiguous (an F-ordered ``X``,
      whose BLAS kernel streams) and mixed dtypes: ``X @ W``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    W : ndarray of shape (n_features, n_outputs)
    in_cache : bool, default=False
        Whether ``X`` is in the cache already (a float64 copy of a chunk,
        just written): then BLAS's matrix-vector product, three times as
        fast as ``einsum`` from the cache, computes one output.

    Returns
    -------
    product : ndarray of shape (n_samples, n_outputs)
    """
    if not _streams_rows(X, W) or (in_cache and W.shape[1] == 1):
        return np.asarray(X @ W)
    n, k = X.shape[0], W.shape[1]
    if X.strides[1] != X.itemsize:  # not C-ordered rows
        return X @ W
    out = np.empty((n, k), dtype=X.dtype)
    if k == 1:
        np.einsum("ij,j->i", X, W[:, 0], out=out[:, 0])
        return out
    step = _sub_block_rows(X)
    if step >= n:
        return np.matmul(X, W, out=out)
    for start in range(0, n, step):
        np.matmul(X[start : start + step], W, out=out[start : start + step])
    return out


def dense_transpose_product(X, G, XT=None):
    """``X.T @ G`` in float64, of the rows just read by :func:`dense_product`.

    One output: one BLAS matrix-vector product on the chunk (still in the
    cache). Several: row blocks of :data:`SUB_BLOCK_BYTES`, their products
    added in float64 (also for float32 ``X`` and ``G``).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    G : ndarray of shape (n_samples, n_outputs)
    XT : {ndarray, sparse matrix} of shape (n_features, n_samples), default=None
        ``X.T``, when the caller has it at hand (a sparse ``X.T`` is built
        anew at every call otherwise).

    Returns
    -------
    product : ndarray of shape (n_features, n_outputs), float64
    """
    n, k = G.shape
    if k == 1 or not _streams_rows(X, G) or X.strides[1] != X.itemsize:
        return np.asarray((X.T if XT is None else XT) @ G, dtype=np.float64)
    step = _sub_block_rows(X)
    if step >= n:
        return np.asarray(X.T @ G, dtype=np.float64)
    out = np.zeros((X.shape[1], k), dtype=np.float64)
    for start in range(0, n, step):
        out += X[start : start + step].T @ G[start : start + step]
    return out


class _LayeredModel:
    """Flat parameter packing shared by :class:`LinearModel` and :class:`MLPModel`.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_features, *hidden_units, n_outputs)``.
    fit_intercept : bool
        Whether each layer has an intercept.
    """

    def __init__(self, layer_sizes, fit_intercept=True):
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.fit_intercept = bool(fit_intercept)
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        # The (start, end, shape) table: weights first, intercepts last.
        self._weight_slices, start = [], 0
        for shape in shapes:
            end = start + shape[0] * shape[1]
            self._weight_slices.append((start, end, shape))
            start = end
        self.n_weights = start
        self._intercept_slices = []
        if self.fit_intercept:
            for _, fan_out in shapes:
                self._intercept_slices.append((start, start + fan_out, (fan_out,)))
                start += fan_out
        self.n_params = start

    @property
    def n_features(self):
        """Number of input features."""
        return self.layer_sizes[0]

    @property
    def n_outputs(self):
        """Number of logits per sample."""
        return self.layer_sizes[-1]

    @property
    def n_layers(self):
        """Number of weight matrices."""
        return len(self._weight_slices)

    def unpack(self, theta, dtype=None):
        """Views of ``theta`` as weight matrices and intercept vectors.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        dtype : dtype, default=None
            Cast to this dtype (a copy only when it differs).

        Returns
        -------
        weights : list of ndarray of shape (fan_in, fan_out)
        intercepts : list of ndarray of shape (fan_out,) or None
            None for layers without an intercept.
        """
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(
                f"theta must have shape ({self.n_params},); got {theta.shape}."
            )
        if dtype is not None:
            theta = theta.astype(dtype, copy=False)
        weights = [theta[s:e].reshape(shape) for s, e, shape in self._weight_slices]
        if self.fit_intercept:
            intercepts = [theta[s:e] for s, e, _ in self._intercept_slices]
        else:
            intercepts = [None] * self.n_layers
        return weights, intercepts

    def pack(self, weights, intercepts=None):
        """The flat float64 parameter vector of ``weights`` and ``intercepts``.

        Parameters
        ----------
        weights : list of array-like of shape (fan_in, fan_out)
        intercepts : list of array-like of shape (fan_out,), default=None
            Ignored when the model has no intercepts.

        Returns
        -------
        theta : ndarray of shape (n_params,)
        """
        theta = np.empty(self.n_params, dtype=np.float64)
        if len(weights) != self.n_layers:
            raise ValueError(f"Expected {self.n_layers} weight matrices; got {len(weights)}.")
        for (s, e, shape), w in zip(self._weight_slices, weights):
            w = np.asarray(w)
            if w.shape != shape:
                raise ValueError(f"Expected a weight matrix of shape {shape}; got {w.shape}.")
            theta[s:e] = w.ravel()
        for (s, e, shape), b in zip(self._intercept_slices, intercepts or ()):
            theta[s:e] = np.reshape(b, shape)
        return theta

    def parameter_scale(self, column_scale):
        """The scale of each entry of ``theta`` for a column scale of ``X``.

        The first layer's ``W[j, k]`` gets ``column_scale[j]``, everything
        else 1: ``scale * theta`` are the parameters of the model of ``X``
        with every column divided by its scale (see
        :func:`~sklearn_heads._solver.scaled`), which L-BFGS runs on.

        Parameters
        ----------
        column_scale : ndarray of shape (n_features,)

        Returns
        -------
        scale : ndarray of shape (n_params,)
        """
        scale = np.ones(self.n_params, dtype=np.float64)
        s, e, (fan_in, fan_out) = self._weight_slices[0]
        scale[s:e] = np.repeat(np.asarray(column_scale, dtype=np.float64), fan_out)
        return scale

    def penalty(self, theta):
        """Half the squared L2 norm of the weights (intercepts excluded).

        Parameters
        ----------
        theta : ndarray of shape (n_params,)

        Returns
        -------
        value : float
            ``0.5 * ||theta[:n_weights]||^2``.
        grad : ndarray of shape (n_params,)
            Its gradient: the weights, and zeros for the intercepts.
        """
        grad = np.zeros(self.n_params, dtype=np.float64)
        grad[: self.n_weights] = theta[: self.n_weights]
        weights = grad[: self.n_weights]
        return 0.5 * float(weights @ weights), grad

    def row_bytes(self, dtype=np.float64):
        """Bytes of intermediate arrays per row of ``X`` in one evaluation.

        The logits, their gradient and, for each hidden layer, its
        activations and back-propagated gradient.
        """
        per_row = 2 * sum(self.layer_sizes[1:])
        return per_row * np.dtype(dtype).itemsize


class LinearModel(_LayeredModel):
    """The linear logits model ``logits = X @ W + b``.

    Parameters
    ----------
    n_features : int
        Number of columns of ``X``.
    n_outputs : int
        Number of logits per row (the head's ``logits_dimension``).
    fit_intercept : bool, default=True
        Whether to add the intercept ``b``.

    Notes
    -----
    Layout of the flat parameter vector ``theta`` (length ``n_params``)::

        theta[:n_features * n_outputs]  W, shape (n_features, n_outputs),
                                        raveled in C order, so W[j, k] is
                                        theta[j * n_outputs + k]
        theta[n_features * n_outputs:]  b, shape (n_outputs,) (only when
                                        fit_intercept=True)

    ``W`` is the transpose of scikit-learn's ``coef_``. ``X`` may be a dense
    array or a SciPy sparse matrix; float32 ``X`` is computed in float32.
    """

    def __init__(self, n_features, n_outputs, fit_intercept=True):
        super().__init__((n_features, n_outputs), fit_intercept=fit_intercept)

    def init_params(self, random_state=None, dtype=np.float64):
        """Zeros: the L2-penalised problem is convex, any start will do.

        Parameters
        ----------
        random_state : ignored
            Accepted for symmetry with :meth:`MLPModel.init_params`.
        dtype : dtype, default=np.float64

        Returns
        -------
        theta : ndarray of shape (n_params,)
        """
        return np.zeros(self.n_params, dtype=dtype)

    def per_output(self, theta):
        """``theta`` as one row per output: its weights, then its intercept.

        Returns
        -------
        rows : ndarray of shape (n_outputs, n_features + fit_intercept), float64
        """
        (W,), (b,) = self.unpack(theta)
        parts = [W.T] if b is None else [W.T, b[:, None]]
        return np.hstack(parts).astype(np.float64)

    def from_per_output(self, rows):
        """The parameter vector of :meth:`per_output`'s ``rows``."""
        d = self.n_features
        return self.pack([rows[:, :d].T], [rows[:, d]] if self.fit_intercept else None)

    def forward(self, theta, X, in_cache=False):
        """Logits of ``X``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        in_cache : bool, default=False
            Whether ``X`` is in the cache already (see :func:`dense_product`).

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
        cache : None
            Nothing is needed by :meth:`backward` beyond ``X``.
        """
        (W,), (b,) = self.unpack(theta, _float_dtype(X))
        logits = dense_product(X, W, in_cache)
        if b is not None:
            logits += b
        return logits, None

    def backward(self, theta, X, cache, grad_logits, XT=None):
        """Gradient w.r.t. ``theta`` of a function with gradient ``grad_logits``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        cache : None
            The cache returned by :meth:`forward`.
        grad_logits : ndarray of shape (n_samples, n_outputs)
        XT : {ndarray, sparse matrix} of shape (n_features, n_samples), default=None
            ``X.T``, when the caller has it at hand (a sparse ``X.T`` is
            built anew at every call otherwise).

        Returns
        -------
        grad : ndarray of shape (n_params,), float64
        """
        grad = np.empty(self.n_params, dtype=np.float64)
        s, e, shape = self._weight_slices[0]
        grad[s:e].reshape(shape)[...] = dense_transpose_product(X, grad_logits, XT)
        if self.fit_intercept:
            s, e, _ = self._intercept_slices[0]
            grad[s:e] = grad_logits.sum(axis=0, dtype=np.float64)
        return grad


class MLPModel(_LayeredModel):
    """A multi-layer perceptron producing logits (identity output layer).

    Parameters
    ----------
    n_features : int
        Number of columns of ``X``.
    hidden_units : sequence of int
        Width of each hidden layer (may be empty: a linear model).
    n_outputs : int
        Number of logits per row (the head's ``logits_dimension``).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.

    Notes
    -----
    With layer sizes ``s_0 = n_features, s_1, ..., s_L = n_outputs``, the
    flat parameter vector ``theta`` holds, in this order::

        W_1, ..., W_L   W_i of shape (s_{i-1}, s_i), each raveled in C order
        b_1, ..., b_L   b_i of shape (s_i,)

    (the same order as scikit-learn's ``MLPClassifier``). The L2 penalty
    covers every ``W_i`` and no ``b_i``. ``X`` may be a dense array or a
    SciPy sparse matrix; float32 ``X`` is computed in float32.
    """

    def __init__(self, n_features, hidden_units, n_outputs, activation="relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}."
            )
        self.activation = activation
        super().__init__((n_features, *hidden_units, n_outputs), fit_intercept=True)

    def init_params(self, random_state=None, dtype=np.float64):
        """Glorot-uniform initial weights and intercepts.

        Each layer's weights and intercepts are drawn from ``U(-r, r)`` with
        ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for the
        logistic activation), as scikit-learn's MLP does.

        Parameters
        ----------
        random_state : int, RandomState instance or None, default=None
        dtype : dtype, default=np.float64
            The values are rounded to this dtype.

        Returns
        -------
        theta : ndarray of shape (n_params,)
        """
        rng = check_random_state(random_state)
        factor = 2.0 if self.activation == "logistic" else 6.0
        weights, intercepts = [], []
        for _, _, (fan_in, fan_out) in self._weight_slices:
            bound = np.sqrt(factor / (fan_in + fan_out))
            weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            intercepts.append(rng.uniform(-bound, bound, fan_out))
        return self.pack(weights, intercepts).astype(dtype)

    def forward(self, theta, X):
        """Logits of ``X``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        logits : ndarray of shape (n_samples, n_outputs)
        cache : list of ndarray
            The activations of the hidden layers, for :meth:`backward`.
        """
        weights, intercepts = self.unpack(theta, _float_dtype(X))
        activate = ACTIVATIONS[self.activation][0]
        cache, a = [], X
        for i, (W, b) in enumerate(zip(weights, intercepts)):
            a = np.asarray(a @ W)
            a += b
            if i < self.n_layers - 1:
                activate(a)
                cache.append(a)
        return a, cache

    def backward(self, theta, X, cache, grad_logits, XT=None):
        """Back-propagate ``grad_logits`` to a gradient w.r.t. ``theta``.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        cache : list of ndarray
            The cache returned by ``forward(theta, X)``.
        grad_logits : ndarray of shape (n_samples, n_outputs)
        XT : {ndarray, sparse matrix} of shape (n_features, n_samples), default=None
            ``X.T``, when the caller has it at hand.

        Returns
        -------
        grad : ndarray of shape (n_params,), float64
        """
        weights, _ = self.unpack(theta, grad_logits.dtype)
        derivative = ACTIVATIONS[self.activation][1]
        grad = np.empty(self.n_params, dtype=np.float64)
        delta = grad_logits
        for i in range(self.n_layers - 1, -1, -1):
            if i == 0:
                a_in_t = X.T if XT is None else XT
            else:
                a_in_t = cache[i - 1].T
            s, e, shape = self._weight_slices[i]
            grad[s:e].reshape(shape)[...] = a_in_t @ delta
            s, e, _ = self._intercept_slices[i]
            grad[s:e] = delta.sum(axis=0)
            if i > 0:
                delta = delta @ weights[i].T
                derivative(cache[i - 1], delta)
        return grad
