"""Newton-Cholesky for the linear models: the package's objective, Hessian and stopping rule.

Each iteration solves Newton's system ``H p = -g`` with the Hessian of the
whole objective, summed over the row chunks as the loss and gradient are
(``Objective.loss_gradient_hessian``; or the previous iteration's Hessian,
where the previous full step cut the gradient tenfold: see
:data:`REUSE_RATIO`), by a Cholesky factorisation
(:mod:`sklearn_heads._hessian`), and takes the longest step ``t p``,
``t = 1, 1/2, 1/4, ...``, that lowers the objective by Armijo's rule.
Converged means what it means for L-BFGS (:class:`~sklearn_heads._solver.Stopping`):
every component of the gradient at most ``tol`` in absolute value.

On ill-conditioned data (columns of very different scales, strongly
correlated columns) it needs a handful of iterations where L-BFGS needs
dozens to hundreds; an iteration with a fresh Hessian costs one pass over
the rows for it (``n d^2`` operations per output, matrix-matrix products) on top of
the line search's passes.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._hessian import NewtonStepError
from ._objective import TrainingOverflowError
from ._solver import STALL_ADVICE, LBFGSResult
from ._warnings import warn_outside_package

#: Armijo's constant: a step must lower the objective by at least this
#: fraction of the decrease its slope promises.
ARMIJO = 1e-4

#: Halvings of the step before the line search gives up (``t = 2**-30``).
MAX_HALVINGS = 30

#: A full step that cut the largest gradient component at least this much
#: keeps its Hessian (its Cholesky factor) for the next step: near the
#: minimum the Hessian hardly changes, and a step with the previous one
#: costs a pass for the loss and gradient only, not one for the Hessian
#: (``n * d^2`` per output). A step that cuts the gradient less gets a
#: fresh Hessian.
REUSE_RATIO = 0.1


class NewtonResult(LBFGSResult):
    """What :func:`minimize_newton` found (the attributes of ``LBFGSResult``).

    Attributes
    ----------
    failure : str or None
        Why Newton's iterations stopped before converging and before
        ``max_iter`` (no usable step, a failed line search): the caller
        goes on with L-BFGS from ``theta``. None otherwise.
    """

    def __init__(self, *args, failure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.failure = failure


def _max_abs(grad):
    return float(np.max(np.abs(grad), initial=0.0))


def _rounding(loss):
    """How far two evaluations of an objective near ``loss`` may differ by rounding."""
    return 16 * np.finfo(np.float64).eps * abs(loss)


def minimize_newton(
    objective, theta0, *, max_iter, tol, verbose=0, gradient_factor=1.0, scale=None,
    column_scale=None, before=None,
):
    """Minimise a linear model's objective with Newton steps from ``theta0``.

    Parameters
    ----------
    objective : Objective
        Provides ``loss_and_gradient``, ``loss_gradient_hessian`` and
        ``hessian``; with ``hessian_with_trial_steps`` the Hessian is
        evaluated with every full step tried (a Dask objective, where each
        evaluation is a round trip).
    theta0 : ndarray of shape (n_params,)
    max_iter : int
        Maximum number of Newton iterations.
    tol : float
        Converged means ``gradient_factor * max |gradient| <= tol``; or,
        once the objective stops decreasing in floating point (a step that
        lowers it by no more than its rounding), the same test on the
        gradient with respect to ``scale * theta`` (see
        :class:`~sklearn_heads._solver.Stopping`, whose rule this is).
    verbose : int, default=0
        Print the objective after each iteration (and why a step was
        shifted or Newton gave up).
    gradient_factor : float, default=1.0
        For an objective that is a sum of per-label problems scaled down
        by ``n_labels``: ``n_labels``, so that ``tol`` applies to each
        label's own problem, as for L-BFGS's per-label runs.
    scale : ndarray of shape (n_params,), default=None
        The parameters' scales (the preconditioner of L-BFGS): the units of
        the gradient test once the objective stalls. None: 1.
    column_scale : ndarray of shape (n_features,), default=None
        Powers of two: the Hessian is computed in these units (see
        ``Objective.loss_gradient_hessian``).
    before : LBFGSResult, default=None
        The iterations of another solver that ran before (``solver="auto"``'s
        L-BFGS): the warnings and ``verbose`` count them too, and the
        warnings name both solvers.

    Returns
    -------
    result : NewtonResult
        ``failure`` says why the iterations stopped early, if they did
        (no warning is raised then: the caller continues with L-BFGS).

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` iterations did not meet ``tol``, or the objective
        stalled above it.
    """
    tol = float(tol)
    unit = 1.0 if scale is None else scale
    name = "Newton-Cholesky" if before is None else "L-BFGS, then Newton-Cholesky,"
    done = 0 if before is None else before.n_iter
    theta = np.array(theta0, dtype=np.float64)
    loss, grad, hessian = objective.loss_gradient_hessian(theta, column_scale)
    loss_curve = []
    failure = None
    stalled = False
    message = "the gradient test passed at the start"

    def raw(g):
        return gradient_factor * _max_abs(g)

    converged = raw(grad) <= tol
    fresh = True  # whether ``hessian`` is the Hessian at ``theta``
    while not converged and len(loss_curve) < max_iter:
        if hessian is None:
            hessian, fresh = objective.hessian(theta, column_scale), True
        try:
            step = hessian.newton_step(grad)
        except NewtonStepError as exc:
            failure = f"no Newton step ({exc})"
            break
        if hessian.shift and verbose:
            print(
                f"Newton: the Hessian is singular up to rounding; step shifted by "
                f"{hessian.shift:g} (relative to its diagonal)"
            )
        found = _line_search(objective, theta, loss, grad, step, column_scale)
        if found is None and not fresh:
            hessian = None  # try again with the Hessian at theta
            continue
        if found is None:
            failure = "the line search found no step that lowers the objective"
            break
        theta, new_loss, new_grad, new_hessian, full = found
        # the objective no longer resolves the decrease, and the gradient
        # hardly moved: floating point cannot get further (with a reused
        # Hessian, a fresh one is tried first)
        flat = not new_loss < loss - _rounding(loss)
        stalled = flat and _max_abs(new_grad) > 0.5 * _max_abs(grad) and fresh
        if full and _max_abs(new_grad) <= REUSE_RATIO * _max_abs(grad) and not flat:
            # kept for the next step (also where a fresh one came with the
            # step, on Dask: the iterates do not depend on where X is)
            fresh = False
        else:
            # the one that came with the step, or a fresh one next
            hessian, fresh = new_hessian, new_hessian is not None
        grad, loss = new_grad, new_loss
        loss_curve.append(float(loss))
        if verbose:
            print(f"Iteration {done + len(loss_curve)}, loss = {loss:.8f}")
        converged = raw(grad) <= tol or (stalled and raw(grad / unit) <= tol)
        message = "the gradient test passed"
        if stalled and not converged:
            message = "the objective stopped decreasing"
            break
    if failure is not None:
        message = failure
        if verbose:
            print(f"Newton: {failure}; continuing with L-BFGS")
    elif stalled and not converged:
        warn_outside_package(
            f"{name} stopped after {done + len(loss_curve)} iteration(s) without "
            f"meeting tol: the largest gradient component is {raw(grad):.3g} > "
            f"tol={tol:g} ({message}). {STALL_ADVICE}",
            ConvergenceWarning,
        )
    elif not converged:
        message = "max_iter reached"
        warn_outside_package(
            f"{name} failed to converge after {done + len(loss_curve)} iteration(s) "
            f"({message}; largest gradient component {raw(grad):.3g}, tol={tol:g}). "
            "Increase max_iter, or scale the data (for example with "
            "sklearn.preprocessing.StandardScaler), or loosen tol.",
            ConvergenceWarning,
        )
    return NewtonResult(
        theta=theta,
        n_iter=len(loss_curve),
        loss_curve=loss_curve,
        loss=float(loss),
        converged=bool(converged),
        message=message,
        failure=failure,
    )


def _line_search(objective, theta, loss, grad, step, column_scale):
    """Backtracking from the full step: ``(theta, loss, grad, hessian or None, full)`` or None.

    Armijo's rule; a step whose objective is equal up to rounding is taken
    when it lowers the gradient (near the minimum, where the objective no
    longer resolves the decrease). A trial step that overflows the
    objective counts as a rejected one. The Hessian comes with the full
    step when the objective asks for it (``hessian_with_trial_steps``).
    """
    slope = float(np.dot(grad, step))
    grad_l1 = float(np.sum(np.abs(grad)))
    rounding = _rounding(loss)
    t = 1.0
    for _ in range(MAX_HALVINGS + 1):
        trial = theta + t * step
        hessian = None
        try:
            if t == 1.0 and objective.hessian_with_trial_steps:
                new_loss, new_grad, hessian = objective.loss_gradient_hessian(
                    trial, column_scale
                )
            else:
                new_loss, new_grad = objective.loss_and_gradient(trial)
        except TrainingOverflowError:
            t *= 0.5
            continue
        if new_loss <= loss + ARMIJO * t * slope:
            return trial, new_loss, new_grad, hessian, t == 1.0
        if new_loss - loss <= rounding and float(np.sum(np.abs(new_grad))) < grad_l1:
            return trial, new_loss, new_grad, hessian, t == 1.0
        t *= 0.5
    return None
