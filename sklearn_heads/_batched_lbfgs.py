"""Independent L-BFGS-B problems, one per label, evaluated together.

A multi-label linear model's objective is a sum of one term per label (the
head averages the labels' losses and the L2 penalty is a sum over labels),
so each label's coefficients can be fitted on their own, as one-vs-rest
does. One L-BFGS over all labels at once shares one curvature history, one
line search and one stopping rule between unrelated problems and needs
several times more iterations; k separate fits each read ``X`` twice per
evaluation.

:func:`minimize_lbfgs_batched` keeps both advantages: every label runs its
own :func:`scipy.optimize.minimize` (``method="L-BFGS-B"``, with SciPy's own
line search and stopping rules) in its own thread, whose objective function
posts its parameter vector to a coordinator and waits. The coordinator (the
calling thread) collects the requests of every label still running,
evaluates them all with one batched call (one ``X @ W`` and one ``X.T @ G``
per row chunk) and hands each label its loss and gradient. Each label's
iterates are exactly those of its own L-BFGS-B run; only the evaluations
are shared.
"""

import threading

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._solver import STALL_ADVICE, Stopping, _lbfgs_options
from ._threads import scipy_own_blas, single_threaded
from ._warnings import warn_outside_package


#: The most label threads running at once (more labels run in waves).
MAX_THREADS = 64


class _Aborted(Exception):
    """Raised in the label threads when the coordinator stops."""


class _Coordinator:
    """Collects the evaluation requests of the running labels into batches."""

    def __init__(self, n_problems):
        self.lock = threading.Lock()
        self.ready = threading.Event()  # every running label has posted
        self.done = [threading.Event() for _ in range(n_problems)]
        self.requests = {}
        self.results = {}
        self.running = set(range(n_problems))
        self.error = None

    def _check_ready(self):  # under the lock
        if len(self.requests) == len(self.running):
            self.ready.set()

    def evaluate(self, j, theta):
        """Called by label ``j``'s thread: wait for the batch to be evaluated."""
        with self.lock:
            if self.error is not None:
                raise _Aborted
            self.requests[j] = np.array(theta, dtype=np.float64)
            self._check_ready()
        self.done[j].wait()
        self.done[j].clear()
        if self.error is not None:
            raise _Aborted
        return self.results.pop(j)

    def finish(self, j):
        """Called by label ``j``'s thread when its L-BFGS-B has returned."""
        with self.lock:
            self.running.discard(j)
            self._check_ready()

    def abort(self, error):
        with self.lock:
            if self.error is None:
                self.error = error
            self.ready.set()
        for event in self.done:
            event.set()

    def serve(self, fun_batch):
        """Evaluate batches until every label has finished."""
        while True:
            self.ready.wait()
            self.ready.clear()
            with self.lock:
                if self.error is not None:
                    return
                if not self.running:
                    return
                if len(self.requests) < len(self.running):
                    continue
                active = sorted(self.requests)
                thetas = np.stack([self.requests.pop(j) for j in active])
            losses, grads = fun_batch(np.asarray(active), thetas)
            for i, j in enumerate(active):
                self.results[j] = (float(losses[i]), np.array(grads[i], dtype=np.float64))
                self.done[j].set()


class BatchedLBFGSResult:
    """What :func:`minimize_lbfgs_batched` found.

    Attributes
    ----------
    thetas : ndarray of shape (n_problems, n_params)
        The last iterate of each problem.
    n_iter : ndarray of shape (n_problems,)
        L-BFGS iterations of each problem.
    loss_curves : list of list of float
        Each problem's objective after each of its iterations.
    initial_losses : ndarray of shape (n_problems,)
        Each problem's objective at its starting point.
    losses : ndarray of shape (n_problems,)
        Each problem's objective at its last iterate.
    converged : ndarray of bool of shape (n_problems,)
    messages : list of str
    """

    def __init__(self, thetas, n_iter, loss_curves, initial_losses, losses, converged, messages):
        self.thetas = thetas
        self.n_iter = n_iter
        self.loss_curves = loss_curves
        self.initial_losses = initial_losses
        self.losses = losses
        self.converged = converged
        self.messages = messages


def minimize_lbfgs_batched(
    fun_batch, thetas0, *, max_iter, tol, max_fun=15000, verbose=0, scale=None
):
    """Minimise independent problems with one L-BFGS-B each, evaluated in batches.

    Parameters
    ----------
    fun_batch : callable
        ``fun_batch(active, thetas) -> (losses, grads)``: for the problems
        ``active`` (sorted int array of shape (m,)) at ``thetas`` (ndarray
        of shape (m, n_params)), their objectives (shape (m,)) and
        gradients (shape (m, n_params)). Called from the calling thread
        only.
    thetas0 : ndarray of shape (n_problems, n_params)
        Starting points.
    max_iter, tol, max_fun
        As in :func:`~sklearn_heads._solver.minimize_lbfgs`, for each
        problem: each stops by the same rule
        (:class:`~sklearn_heads._solver.Stopping`) on its own objective.
    verbose : int, default=0
        If positive, print each problem's objective after each iteration.
    scale : ndarray of shape (n_params,), default=None
        Positive scales of every problem's parameters: each L-BFGS runs on
        ``v = scale * theta`` (see :func:`~sklearn_heads._solver.scaled`).
        The results are in ``theta``.

    Returns
    -------
    result : BatchedLBFGSResult

    Warns
    -----
    ConvergenceWarning
        Once, naming the problems that stopped before converging.
    """
    tol = float(tol)
    unit = 1.0 if scale is None else np.asarray(scale, dtype=np.float64)
    thetas0 = np.asarray(thetas0, dtype=np.float64) * unit
    if scale is not None:
        fun_batch = _scaled_batch(fun_batch, unit)
    n_problems = thetas0.shape[0]
    options = _lbfgs_options(max_iter, max_fun)
    stoppings = [None] * n_problems
    outcomes = [None] * n_problems
    initial = np.full(n_problems, np.nan)
    # one thread per running problem: thousands of labels are run in waves
    # of MAX_THREADS, each wave batched as a whole
    for start in range(0, n_problems, MAX_THREADS):
        wave = np.arange(start, min(start + MAX_THREADS, n_problems))
        _run_wave(fun_batch, thetas0, wave, options, outcomes, initial,
                  lambda j, fun: Stopping(fun, tol, max_iter, unit, verbose, f"Label {j}: "),
                  stoppings)
    result = _check_results(outcomes, stoppings, initial, max_iter, tol)
    result.thetas /= unit
    return result


def _scaled_batch(fun_batch, scale):
    """``fun_batch`` of the variables ``scale * theta`` (per problem)."""

    def fun_v(active, vs):
        losses, grads = fun_batch(active, vs / scale)
        return losses, grads / scale

    return fun_v


def _run_wave(fun_batch, thetas0, wave, options, outcomes, initial, make_stopping, stoppings):
    """Run the problems ``wave`` (global indices) together; fill the outputs."""
    coordinator = _Coordinator(len(wave))

    def run(i):
        j = wave[i]

        def fun(theta):
            loss, grad = coordinator.evaluate(i, theta)
            if np.isnan(initial[j]):
                initial[j] = loss
            return loss, grad

        stoppings[j] = stopping = make_stopping(j, fun)
        try:
            outcomes[j] = stopping.run(thetas0[j], options)
        except _Aborted:
            pass
        except BaseException as exc:  # pragma: no cover - a bug in SciPy or here
            coordinator.abort(exc)
        finally:
            coordinator.finish(i)

    threads = [
        threading.Thread(target=run, args=(i,), name=f"lbfgs-label-{wave[i]}", daemon=True)
        for i in range(len(wave))
    ]
    with single_threaded(scipy_own_blas()):
        try:
            for thread in threads:
                thread.start()
            coordinator.serve(lambda active, thetas: fun_batch(wave[active], thetas))
        except BaseException as exc:
            coordinator.abort(exc)
            raise
        finally:
            for thread in threads:
                thread.join()
    if coordinator.error is not None:  # pragma: no cover - see run()
        raise coordinator.error


def _check_results(outcomes, stoppings, initial, max_iter, tol):
    checks = [
        stopping.check(grad, status, message)
        for stopping, (_, _, grad, status, message) in zip(stoppings, outcomes)
    ]
    converged = np.array([ok for ok, _ in checks])
    if not np.all(converged):
        failed = np.flatnonzero(~converged).tolist()
        at_max_iter = [j for j in failed if outcomes[j][3] == 1]
        others = [j for j in failed if outcomes[j][3] != 1]
        parts = []
        if at_max_iter:
            parts.append(
                f"L-BFGS failed to converge for label(s) {at_max_iter} after "
                f"max_iter={max_iter} iteration(s). Increase max_iter, or scale the data "
                "(for example with sklearn.preprocessing.StandardScaler), or loosen tol."
            )
        if others:
            worst = max(others, key=lambda j: stoppings[j].gradients(outcomes[j][2])[0])
            parts.append(
                f"L-BFGS stopped without meeting tol for label(s) {others}: the "
                f"largest gradient component is "
                f"{stoppings[worst].gradients(outcomes[worst][2])[0]:.3g} > tol={tol:g} "
                f"for label {worst} ({outcomes[worst][4]}). {STALL_ADVICE}"
            )
        warn_outside_package(" ".join(parts), ConvergenceWarning)
    return BatchedLBFGSResult(
        thetas=np.stack([outcome[0] for outcome in outcomes]),
        n_iter=np.array([min(len(s.loss_curve), max_iter) for s in stoppings]),
        loss_curves=[s.loss_curve for s in stoppings],
        initial_losses=initial,
        losses=np.array([float(outcome[1]) for outcome in outcomes]),
        converged=converged,
        messages=[outcome[4] for outcome in outcomes],
    )
