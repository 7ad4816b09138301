"""Mini-batch training with Adam, and early stopping on a validation set.

The objective of a mini-batch is an estimate of the full-batch objective
of ``_objective.py``, not another objective::

    batch(theta) = head_scale(W) * (W / W_b) * sum_{i in b} w_i loss_i
                   + 0.5 * alpha * ||weights(theta)||^2

``W`` is the total training weight (``n_samples`` without weights) and
``W_b`` the batch's. With the default ``"sum_over_batch_size"`` reduction
(``head_scale(W) = 1 / W``) the data term is the batch's weighted mean loss;
with ``"sum"`` it is the batch's sum scaled up to the whole data. Either way
``alpha`` means what it means for L-BFGS, and a batch of all the rows is the
full-batch objective.

:class:`Adam` is scikit-learn's ``AdamOptimizer`` on the flat parameter
vector; :class:`NoImprovement` is scikit-learn's stopping rule for its
stochastic solvers (``tol``, ``n_iter_no_change``), which the L-BFGS early
stopping of the MLPs shares.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._objective import Objective, _default_n_threads
from ._threads import blas_libraries, single_threaded
from ._warnings import warn_outside_package


class Adam:
    """scikit-learn's Adam, in place on a flat parameter vector.

    Parameters
    ----------
    n_params : int
    dtype : dtype
        Of the parameters and of the moments (float32 for float32 data).
    learning_rate_init : float, default=1e-3
    beta_1, beta_2, epsilon : float
        scikit-learn's defaults (Kingma and Ba's).

    Attributes
    ----------
    t : int
        Number of steps taken (the bias correction's time step).
    """

    def __init__(self, n_params, dtype, learning_rate_init=1e-3, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-8):
        self.learning_rate_init = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.dtype = np.dtype(dtype)
        self.m = np.zeros(n_params, dtype=self.dtype)
        self.v = np.zeros(n_params, dtype=self.dtype)
        self.t = 0
        self._buffer = np.empty(n_params, dtype=self.dtype)

    def step(self, params, grad):
        """One update of ``params`` (in place) along ``grad``."""
        self.t += 1
        g = self._buffer
        g[...] = grad  # in the parameters' dtype
        m, v = self.m, self.v
        m *= self.beta_1
        m += (1 - self.beta_1) * g
        v *= self.beta_2
        np.square(g, out=g)
        g *= 1 - self.beta_2
        v += g
        rate = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(v, out=g)
        g += self.epsilon
        np.divide(m, g, out=g)
        g *= rate
        params -= g


class NoImprovement:
    """scikit-learn's stopping rule: ``n_iter_no_change`` epochs not better by ``tol``.

    An epoch (an iteration for L-BFGS) whose value is not below the best so
    far minus ``tol`` counts; a better one resets the count; the run stops
    once the count exceeds ``n_iter_no_change``, as in scikit-learn's
    ``MLPClassifier``. Lower values are better (losses).
    """

    def __init__(self, tol, n_iter_no_change, best=np.inf):
        self.tol, self.n_iter_no_change = float(tol), int(n_iter_no_change)
        self.best = best
        self.count = 0

    def update(self, value):
        """Count ``value``; return whether it is the best so far."""
        self.count = self.count + 1 if value > self.best - self.tol else 0
        if value < self.best:
            self.best = value
            return True
        return False

    @property
    def stop(self):
        return self.count > self.n_iter_no_change


class ValidationMonitor:
    """Early stopping on the head's loss over a validation set.

    ``monitor(theta)`` evaluates the validation loss, keeps the best
    ``theta`` and says whether to stop (see :class:`NoImprovement`): the
    ``monitor`` of :func:`~sklearn_heads._solver.minimize_lbfgs`, and the
    per-epoch check of :func:`train_adam`.

    Parameters
    ----------
    objective : Objective
        The validation rows' objective with ``alpha=0``: the head's loss
        with its reduction (the weighted mean loss by default).
    tol, n_iter_no_change : float, int
    verbose : int
    """

    def __init__(self, objective, tol, n_iter_no_change, verbose=0):
        self.objective = objective
        self.rule = NoImprovement(tol, n_iter_no_change)
        self.verbose = verbose
        self.curve = []
        self.best_theta = None

    def __call__(self, theta):
        loss = float(self.objective.loss(theta))
        self.curve.append(loss)
        if self.verbose:
            print(f"Validation loss: {loss:.8f}")
        if self.rule.update(loss):
            self.best_theta = np.array(theta, copy=True)
        return self.rule.stop

    @property
    def best(self):
        return float(self.rule.best)


def validation_objective(head, model, X, labels, sample_weight):
    """The head's loss on validation rows (an :class:`Objective` with ``alpha=0``)."""
    objective = Objective(head, model, X, labels, sample_weight, alpha=0.0)
    if not objective.total_weight > 0:
        raise ValueError(
            "The validation set's sample weights are all zero: its loss is undefined. "
            "Increase validation_fraction, or give more samples a positive weight."
        )
    return objective


class MiniBatchState:
    """What a mini-batch fit carries over to ``partial_fit``.

    Attributes
    ----------
    adam : Adam
    scale : ndarray of shape (n_params,) or None
        The preconditioner: Adam runs on ``v = scale * theta`` (see
        ``_BaseHeadEstimator._parameter_scale``).
    random_state : RandomState
        Draws the shuffles.
    """

    def __init__(self, adam, scale, random_state):
        self.adam, self.scale, self.random_state = adam, scale, random_state


class MiniBatchResult:
    """What :func:`train_adam` found (the attributes of ``LBFGSResult``, and more).

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        The last iterate, or the best on the validation set.
    n_iter : int
        Epochs run.
    loss_curve : list of float
        Each epoch's mean objective over its mini-batches.
    converged : bool
        Whether the stopping rule ended the fit (not ``max_iter``).
    best_loss : float or None
        The lowest of ``loss_curve`` (None with a validation set).
    validation_curve : list of float or None
        The validation loss after each epoch.
    best_validation_loss : float or None
    n_samples_seen : int
        Rows visited (scikit-learn's ``t_``).
    """

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def _batch_objective(full, rows, n_threads):
    """The mini-batch estimate of ``full``'s objective on ``rows``, or None.

    None for a batch of zero total weight, which says nothing about the
    data term (it is skipped).
    """
    w = full.sample_weight
    batch = Objective(
        full.head, full.model, full.X[rows], full.labels[rows],
        None if w is None else w[rows], alpha=full.alpha, n_threads=n_threads,
        prepared=True,
    )
    if not batch.total_weight > 0:
        return None
    # the batch's weighted loss sum in the units of the whole data's
    batch.scale = full.scale * (full.total_weight / batch.total_weight)
    return batch


def train_adam(
    full, theta0, state, *, batch_size, shuffle, max_iter, tol, n_iter_no_change,
    validation=None, verbose=0, incremental=False, best_loss=np.inf,
):
    """Run Adam over mini-batches of ``full``'s rows for up to ``max_iter`` epochs.

    Parameters
    ----------
    full : Objective
        The training rows' objective (labels and weights encoded once).
    theta0 : ndarray of shape (n_params,)
        The starting point.
    state : MiniBatchState
        The optimiser, the preconditioner and the shuffles' random state;
        updated in place.
    batch_size : int
        Rows per mini-batch (the last one of an epoch may be smaller).
    shuffle : bool
        Whether to visit the rows in a new random order every epoch.
    max_iter : int
        Maximum number of epochs.
    tol, n_iter_no_change : float, int
        The stopping rule (:class:`NoImprovement`) on the training loss of
        each epoch, or on the validation loss with ``validation``.
    validation : ValidationMonitor, default=None
        Early stopping: the best parameters on it are returned.
    verbose : int, default=0
    incremental : bool, default=False
        One epoch, no stopping rule and no warning (``partial_fit``).
    best_loss : float, default=inf
        The best training loss so far (``partial_fit`` continues it).

    Returns
    -------
    result : MiniBatchResult

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` epochs end the fit before the stopping rule does.
    """
    adam, scale = state.adam, state.scale
    dtype = adam.dtype
    unit = np.ones(1, dtype=dtype) if scale is None else scale.astype(dtype)
    v = (np.asarray(theta0, dtype=np.float64) * unit).astype(dtype)
    n = full.n_samples
    batch_size = int(min(batch_size, n))
    n_threads = _default_n_threads()
    rule = NoImprovement(tol, n_iter_no_change, best=best_loss)
    loss_curve = []
    order = np.arange(n)
    converged = False
    # mini-batch products are small: BLAS's threads cost more than they
    # gain (several times more on a busy machine); a batch of several row
    # chunks is spread over the objective's own threads
    with single_threaded(blas_libraries()):
        for _ in range(1 if incremental else max_iter):
            if shuffle:
                order = state.random_state.permutation(n)
            total = 0.0
            for start in range(0, n, batch_size):
                end = start + batch_size
                rows = order[start:end] if shuffle else slice(start, end)
                batch = _batch_objective(full, rows, n_threads)
                if batch is None:
                    continue
                loss, grad = batch.loss_and_gradient(v / unit)
                total += loss * batch.total_weight
                grad /= unit
                adam.step(v, grad)
            loss_curve.append(total / full.total_weight)
            if verbose:
                print(f"Iteration {len(loss_curve)}, loss = {loss_curve[-1]:.8f}")
            if validation is not None:
                stop = validation(v / unit)
            else:
                rule.update(loss_curve[-1])
                stop = rule.stop
            if incremental:
                break
            if stop:
                converged = True
                if verbose:
                    what = "Validation" if validation is not None else "Training"
                    print(
                        f"{what} loss did not improve more than tol={tol:g} for "
                        f"{n_iter_no_change} consecutive epochs. Stopping."
                    )
                break
        else:
            if not incremental:  # incremental runs end with a break
                warn_outside_package(
                    f"Adam: maximum iterations ({max_iter}) reached and the optimization "
                    "hasn't converged yet. Increase max_iter, or learning_rate_init, or "
                    "loosen tol.",
                    ConvergenceWarning,
                )
    if validation is not None and validation.best_theta is not None:
        theta = validation.best_theta
    else:
        theta = v / unit
    return MiniBatchResult(
        theta=theta,
        n_iter=len(loss_curve),
        loss_curve=loss_curve,
        loss=loss_curve[-1],
        converged=converged,
        best_loss=None if validation is not None else float(rule.best),
        validation_curve=None if validation is None else validation.curve,
        best_validation_loss=None if validation is None else validation.best,
        n_samples_seen=n * len(loss_curve),
    )
