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

import numpy as np

#: Memory budget, in bytes, for the intermediate arrays (logits, their
#: gradient, hidden activations) of one row chunk. Rows are processed in
#: chunks of ``CHUNK_BYTES // model.row_bytes(dtype)`` rows (all rows when
#: that is enough, which it is for linear models of any practical size).
CHUNK_BYTES = 64 * 2**20


def _float_dtype(X):
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


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
        Used as given (no copy); float32 is computed in float32.
    labels : array-like
        Targets in a format the head accepts.
    sample_weight : array-like of shape (n_samples,), default=None
    alpha : float, default=0.0
        Strength of the L2 penalty on the weights.
    chunk_size : int, default=None
        Rows per chunk; ``None`` derives it from :data:`CHUNK_BYTES`.
    """

    def __init__(self, head, model, X, labels, sample_weight=None, alpha=0.0, chunk_size=None):
        self.head = head
        self.model = model
        self.X = X
        self.alpha = float(alpha)
        self.n_samples = X.shape[0]
        dtype = _float_dtype(X)
        self.labels, self.sample_weight = head._prepare(
            labels, self.n_samples, sample_weight=sample_weight, dtype=dtype
        )
        w = self.sample_weight
        self.total_weight = float(self.n_samples if w is None else np.sum(w, dtype=np.float64))
        self.scale = head._loss_scale(self.total_weight)
        if chunk_size is None:
            chunk_size = max(1, CHUNK_BYTES // max(1, model.row_bytes(dtype)))
        self.chunk_size = int(chunk_size)

    def _chunks(self):
        n, step = self.n_samples, self.chunk_size
        if step >= n:
            yield self.X, self.labels, self.sample_weight
            return
        w = self.sample_weight
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            yield self.X[rows], self.labels[rows], None if w is None else w[rows]

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
        total = 0.0
        grad = np.zeros(self.model.n_params, dtype=np.float64)
        for X, z, w in self._chunks():
            logits, cache = self.model.forward(theta, X)
            s, grad_logits = self.head._sum_loss_gradient(z, logits, w)
            total += s
            grad += self.model.backward(theta, X, cache, grad_logits)
        loss = self.scale * total
        grad *= self.scale
        if self.alpha:
            penalty, penalty_grad = self.model.penalty(theta)
            loss += self.alpha * penalty
            grad += self.alpha * penalty_grad
        return loss, grad

    def loss(self, theta):
        """The objective at ``theta`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta)[0]

    def gradient(self, theta):
        """The gradient at ``theta`` (see :meth:`loss_and_gradient`)."""
        return self.loss_and_gradient(theta)[1]
