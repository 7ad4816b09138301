"""The Hessian of a linear model's objective: row-chunk sums and Newton's step.

For ``logits = X @ W + b`` and a head whose summed loss has the curvature
``h_i`` with respect to row ``i``'s logits (``head._loss_hessian_logits``),
the Hessian of ``sum_i w_i loss_i`` with respect to the coefficients of
outputs ``c`` and ``c'`` is::

    B[c, c'] = Xa.T @ (h[:, c, c'] * Xa)         Xa = [X, 1]  (with an intercept)

(computed for ``X`` divided by its columns' power-of-two scales, the
Hessian of the coefficients in those units, so that huge columns do not
overflow; :class:`LinearHessian` converts its step back)
a ``(d + 1) x (d + 1)`` block per pair of outputs, summed over the row
chunks as the loss and gradient are. Heads whose logits do not interact
(sigmoid, squared error, Poisson: ``h`` of shape ``(n, k)``) have only the
``k`` diagonal blocks, and Newton's system splits into ``k`` independent
``(d + 1)``-square systems (one per label of a multi-label head); a softmax
head couples the outputs (``h`` of shape ``(n, k, k)``) and the system is
one of size ``k (d + 1)``.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, cho_factor, cho_solve, get_blas_funcs

#: Shifts ``tau`` (relative to the Jacobi-scaled diagonal of 1) tried in
#: turn when the Hessian is not (numerically) positive definite: a
#: Levenberg-Marquardt step ``(H + tau D) p = -g``, a descent direction
#: for any ``tau > 0``.
SHIFTS = (0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0)

#: Smallest ratio of the squared smallest to largest pivot of the Cholesky
#: factor of the Jacobi-scaled Hessian accepted without a shift: below it,
#: the Hessian is singular up to rounding (duplicated columns without
#: penalty), and the unshifted step would be dominated by rounding.
MIN_PIVOT_RATIO = 1e-13


#: Largest row sum of the summed Hessian blocks, relative to their largest
#: entry, of an objective taken as invariant to a shift of every output's
#: logits (a softmax head; see ``LinearHessian._shift_invariant``): far
#: above the rounding of the sums, far below a head that is not.
SHIFT_INVARIANCE_RTOL = 1e-4


class NewtonStepError(ArithmeticError):
    """No usable Newton step: the message says why."""


#: Bytes of the float64 copy of a slice of rows that one product of
#: :func:`_weighted_gram` works on (a slice of a row chunk): a few hundred
#: rows, enough for BLAS's matrix-matrix speed, a small fraction of ``X``
#: however many threads hold one.
SLICE_BYTES = 2**18


def _weighted_gram(X, h, fit_intercept, inv_scale):
    """``Xa.T @ (h * Xa)`` of one chunk, float64, ``Xa = [X / s, 1]`` (with an intercept).

    ``inv_scale`` is ``1 / s``, the columns' scales (powers of two: exact),
    so that huge columns (1e200) do not overflow the products. Dense ``X``
    is read a slice of rows at a time into one float64 buffer; for
    ``h >= 0`` (every diagonal block) BLAS's ``syrk`` accumulates
    ``(sqrt(h) X / s).T @ (sqrt(h) X / s)``: half the operations of a
    general product.
    """
    d = X.shape[1]
    d1 = d + bool(fit_intercept)
    out = np.zeros((d1, d1), dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    if sp.issparse(X):
        Xs = X.astype(np.float64) @ sp.diags(inv_scale)
        # the d x d product, sparse, into the dense block (never X itself)
        gram = (Xs.T @ (sp.diags(h) @ Xs)).tocoo()
        np.add.at(out, (gram.row, gram.col), gram.data)
        column = np.asarray(Xs.T @ h).ravel()
    else:
        rows = max(1, min(X.shape[0], SLICE_BYTES // (8 * max(1, d))))
        column = np.zeros(d, dtype=np.float64)
        symmetric = bool(np.all(h >= 0))
        gram = np.zeros((d, d), dtype=np.float64, order="F")
        syrk = get_blas_funcs("syrk", (gram,))
        buffer = np.empty((rows, d), dtype=np.float64)  # one for every slice
        for start in range(0, X.shape[0], rows):
            hp = h[start : start + rows]
            Xs = np.multiply(
                X[start : start + rows], inv_scale, out=buffer[: hp.shape[0]], dtype=np.float64
            )
            if fit_intercept:
                column += hp @ Xs
            if symmetric:
                Xs *= np.sqrt(hp)[:, None]
                # the upper triangle; Xs.T is Fortran-ordered: no copy
                gram = syrk(1.0, Xs.T, beta=1.0, c=gram, trans=0, lower=0, overwrite_c=1)
            else:
                gram += Xs.T @ (Xs * hp[:, None])
        buffer = Xs = None  # freed before the mirrored copy
        if symmetric:  # the upper triangle, mirrored
            out[:d, :d] = np.triu(gram)
            out[:d, :d] += np.triu(gram, 1).T
        else:
            out[:d, :d] = gram
    if fit_intercept:
        out[:d, d] = column
        out[d, :d] = column
        out[d, d] = np.sum(h, dtype=np.float64)
    return out


def chunk_hessian_blocks(X, h, fit_intercept, column_scale=None):
    """The Hessian blocks of one row chunk (see the module docstring).

    Parameters
    ----------
    X : {ndarray, CSR matrix} of shape (n, d)
    h : ndarray of shape (n, k) or (n, k, k)
        The curvature of the chunk's summed loss with respect to each row's
        logits: diagonal, or a block per row.
    fit_intercept : bool
    column_scale : ndarray of shape (d,), default=None
        Powers of two: the blocks are those of ``X / column_scale`` (the
        Hessian with respect to ``coef * column_scale``).

    Returns
    -------
    blocks : ndarray of shape (k, d1, d1) or (k, k, d1, d1), float64
    """
    d = X.shape[1]
    inv_scale = np.ones(d) if column_scale is None else 1.0 / np.asarray(column_scale)
    k = h.shape[1]
    if h.ndim == 2:
        return np.stack(
            [_weighted_gram(X, h[:, c], fit_intercept, inv_scale) for c in range(k)]
        )
    d1 = d + bool(fit_intercept)
    blocks = np.empty((k, k, d1, d1), dtype=np.float64)
    for c in range(k):
        for c2 in range(c, k):
            blocks[c, c2] = _weighted_gram(X, h[:, c, c2], fit_intercept, inv_scale)
            if c2 != c:
                blocks[c2, c] = blocks[c, c2].T
    return blocks


def _solve_spd(A, r):
    """``A^-1 r`` for a symmetric positive (semi-)definite ``A``: ``(x, shift)``.

    Jacobi-scaled (so the solve sees every coefficient in the same units),
    Cholesky-factored; shifted by the first of :data:`SHIFTS` that factors
    with pivots above :data:`MIN_PIVOT_RATIO`.

    Raises
    ------
    NewtonStepError
        When no shift factors (a Hessian with non-finite entries).
    """
    diag = np.diag(A).copy()
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(r))):
        raise NewtonStepError("the Hessian or the gradient is not finite")
    diag[diag <= 0] = 1.0  # a coefficient without curvature (an all-zero column, alpha=0)
    s = 1.0 / np.sqrt(diag)
    As = A * s[:, None] * s[None, :]
    index = np.arange(As.shape[0])
    for shift in SHIFTS:
        M = As.copy()
        M[index, index] += shift
        try:
            factor = cho_factor(M, check_finite=False)
        except LinAlgError:
            continue
        pivots = np.diag(factor[0]) ** 2
        if shift < SHIFTS[-1] and not pivots.min() >= MIN_PIVOT_RATIO * pivots.max():
            continue
        x = cho_solve(factor, r * s, check_finite=False) * s
        if np.all(np.isfinite(x)):
            return x, shift
    raise NewtonStepError("the Hessian has no Cholesky factor, even shifted")


class LinearHessian:
    """The Hessian of a linear model's objective, and Newton's step with it.

    Parameters
    ----------
    blocks : ndarray of shape (k, d1, d1) or (k, k, d1, d1)
        The summed blocks of the data term (see :func:`chunk_hessian_blocks`).
    model : LinearModel
        The model whose coefficients they are (its parameter layout).
    scale : float
        The head's reduction factor (``Objective.scale``).
    alpha : float
        The L2 penalty's strength, added on the weights' diagonal.
    column_scale : ndarray of shape (n_features,), default=None
        The scales the blocks were computed with (see
        :func:`chunk_hessian_blocks`): the Hessian is that of the
        coefficients times their column's scale, and :meth:`newton_step`
        converts.
    """

    def __init__(self, blocks, model, scale, alpha, column_scale=None):
        self.model = model
        self.n_features = n_features = int(model.n_features)
        self.column_scale = (
            np.ones(n_features) if column_scale is None else np.asarray(column_scale, np.float64)
        )
        self.coupled = blocks.ndim == 4
        self.n_outputs = blocks.shape[0]
        blocks = blocks * scale
        d, k = self.n_features, self.n_outputs
        diagonal = [blocks[c, c] for c in range(k)] if self.coupled else list(blocks)
        if alpha:
            index = np.arange(d)
            # the penalty alpha * ||coef||^2 / 2 of coef * s has the curvature alpha / s^2
            penalty = alpha / np.square(self.column_scale)
            for block in diagonal:
                block[index, index] += penalty
        self.blocks = blocks
        self.alpha = float(alpha)
        #: the shift applied to the last solve (0.0: a plain Newton step)
        self.shift = 0.0

    def newton_step(self, grad):
        """``-H^-1 grad`` (shifted where ``H`` is singular; see :func:`_solve_spd`).

        Raises
        ------
        NewtonStepError
            When there is no Cholesky factor or the step is not a descent
            direction.
        """
        G = self.model.per_output(np.asarray(grad, dtype=np.float64))
        d = self.n_features
        G[:, :d] /= self.column_scale  # the gradient w.r.t. coef * s
        k, d1 = G.shape
        if not self.coupled:
            P = np.empty_like(G)
            shifts = []
            for c in range(k):
                P[c], shift = _solve_spd(self.blocks[c], -G[c])
                shifts.append(shift)
            self.shift = max(shifts)
        else:
            M = self.blocks.transpose(0, 2, 1, 3).reshape(k * d1, k * d1).copy()
            index = self._null_shifts()
            if index.size:
                # add the projector on the shift directions without
                # curvature: it turns their zero curvature into the average
                # curvature and leaves the step, as the gradient has no
                # component along them
                mu = np.mean(np.diag(M))
                M4 = M.reshape(k, d1, k, d1)
                M4[:, index, :, index] += mu / k
            p, self.shift = _solve_spd(M, -G.ravel())
            P = p.reshape(k, d1)
        P[:, :d] /= self.column_scale
        step = self.model.from_per_output(P)
        if not float(np.dot(step, grad)) < 0:
            raise NewtonStepError("the Newton step is not a descent direction")
        return step

    def _null_shifts(self):
        """The columns of ``Xa`` whose shift directions have no curvature (see below).

        Where the data term ignores a shift of every output's logits (a
        softmax head), adding ``v`` to every output's coefficient of a
        column changes only the penalty: the intercepts' shift has no
        curvature at all, and without a penalty neither have the weights'.
        The gradient has no component along those directions (the data
        term's is zero there exactly, and there is no penalty), so Newton's
        step has none either, and its coefficients keep their sum over the
        outputs, as L-BFGS's do.
        """
        d, d1 = self.n_features, self.blocks.shape[-1]
        if not self._shift_invariant():
            return np.arange(0)
        return np.arange(d1) if self.alpha == 0 else np.arange(d, d1)

    def _shift_invariant(self):
        """Whether the data term ignores adding one value to every output's logits.

        So a softmax head: every row's block ``h_i`` sums to zero along its
        rows, and so do the summed blocks, up to rounding (the penalty
        adds ``alpha`` to the weights' diagonal, which is left out of the
        test).
        """
        largest = np.max(np.abs(self.blocks))
        if self.n_outputs < 2 or not largest > 0:
            return False
        sums = self.blocks.sum(axis=1)  # (k, d1, d1): sum over c' of B[c, c']
        index = np.arange(self.n_features)
        sums[:, index, index] = 0.0  # the penalty's diagonal
        return bool(np.max(np.abs(sums)) <= SHIFT_INVARIANCE_RTOL * largest)
