"""L-BFGS-B through :func:`scipy.optimize.minimize`, checked once."""

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._objective import TrainingOverflowError
from ._threads import scipy_own_blas, single_threaded
from ._warnings import warn_outside_package

#: Relative reduction of the objective below which L-BFGS-B stops, as
#: scikit-learn's LogisticRegression sets it: tiny, so that ``tol`` (the
#: gradient criterion) decides.
FTOL = 64 * np.finfo(float).eps


def _lbfgs_options(max_iter, max_fun, history=10):
    """SciPy's L-BFGS-B options for :func:`minimize_lbfgs` and the batched driver.

    SciPy's own gradient test is off (``gtol=0``): :class:`Stopping` applies
    the package's, after every iteration.
    """
    return {
        "maxiter": max_iter, "maxfun": max_fun, "gtol": 0.0, "ftol": FTOL, "maxls": 50,
        "maxcor": history,
    }


class LBFGSResult:
    """What :func:`minimize_lbfgs` found.

    Attributes
    ----------
    theta : ndarray of shape (n_params,)
        The last iterate.
    n_iter : int
        Number of L-BFGS iterations run.
    loss_curve : list of float
        The objective after each iteration (``len(loss_curve) == n_iter``).
    loss : float
        The objective at ``theta``.
    converged : bool
        Whether the gradient test passed (see :class:`Stopping`).
    message : str
        Why L-BFGS stopped.
    """

    def __init__(self, theta, n_iter, loss_curve, loss, converged, message):
        self.theta = theta
        self.n_iter = n_iter
        self.loss_curve = loss_curve
        self.loss = loss
        self.converged = converged
        self.message = message


def scaled(fun, scale):
    """``fun`` of the variables ``v = scale * theta``.

    Returns ``fun_v(v) = (loss, gradient / scale)`` evaluated at
    ``theta = v / scale``: the same objective, whose gradient with respect
    to ``v`` is the gradient with respect to ``theta`` divided by
    ``scale``. A diagonal preconditioner: with ``scale`` the columns' root
    mean squares, L-BFGS sees every feature in the same units.
    """
    if scale is None:
        return fun

    def fun_v(v):
        loss, grad = fun(v / scale)
        return loss, grad / scale

    return fun_v


class _GradientTestPassed(Exception):
    """Raised by the callback to end SciPy's run (any SciPy version)."""


class _MonitorStopped(Exception):
    """Raised by the callback when the monitor ends the run (early stopping)."""


#: SciPy's message when the objective stops decreasing (its wording varies).
_STALLED = "the objective stopped decreasing"

#: Relative decrease of the objective in one iteration (SciPy's measure,
#: ``(f_prev - f) / max(|f_prev|, |f|, 1)``) below which a fast objective
#: (float32 products, see ``Objective.refine``) is made exact: ten thousand
#: times the float32 products' error of the loss measured on the benchmark
#: data (about 1e-9 relative), so that L-BFGS's line search still sees
#: true decreases, and early enough that the last iterations, whose
#: decreases get down to 1e-12, run on the exact objective.
REFINE_BELOW = 1e-5

#: What to do when the objective stalls above ``tol``.
STALL_ADVICE = (
    "The objective no longer decreases in floating point: tol is below what its "
    "rounding allows (increase tol), or the data are badly scaled (scale them, for "
    "example with sklearn.preprocessing.StandardScaler)."
)


class Stopping:
    """The package's stopping rule, for one L-BFGS-B run on ``v = scale * theta``.

    **Converged** means that every component of the gradient with respect
    to ``theta`` is at most ``tol`` in absolute value (scikit-learn's
    meaning of ``tol``), checked after every iteration. On badly scaled
    data (a column of ``1e8``) floating point may never get there: the
    objective stops decreasing first, and SciPy stops (status 0). That
    counts as converged when the gradient with respect to ``v`` (each
    coefficient in units of its column's root mean square) is at most
    ``tol``: the test is then met in the units the data are in. Anything
    else (``max_iter``, a failed line search, a stall above ``tol`` in both
    units) is not converged, and :meth:`result` warns.

    Parameters
    ----------
    fun : callable
        ``fun(v) -> (loss, gradient)``, in the scaled variables.
    tol, max_iter : float, int
    scale : ndarray or float
        ``v = scale * theta`` (1.0: no scaling).
    verbose : int
        Print the objective after each iteration.
    monitor : callable, default=None
        ``monitor(theta) -> bool``, called after each iteration with the
        iterate in the unscaled variables; True ends the run, which then
        counts as stopped on purpose (no warning). For early stopping on
        a validation set.
    refine : callable, default=None
        ``refine() -> bool`` of a fast ``fun`` (see :func:`minimize_lbfgs`),
        called after the first iteration whose relative decrease is below
        :data:`REFINE_BELOW`.
    """

    def __init__(
        self, fun, tol, max_iter, scale=1.0, verbose=0, prefix="", monitor=None, refine=None
    ):
        self.fun, self.tol, self.max_iter = fun, float(tol), max_iter
        self.scale, self.verbose, self.prefix = scale, verbose, prefix
        self.monitor = monitor
        self.stopped_by_monitor = False
        self.refine = refine
        self.loss_curve = []
        self.last = {}
        self.overflow = None
        self.n_evaluations = 0
        #: whether ``refine`` changed ``fun`` during the run
        self.refined = False

    def evaluate(self, v):
        """``fun(v)``, remembered for the callback and the result.

        A trial step so long that the objective overflows (a Poisson head's
        ``exp`` of huge logits) ends the run at the last finite iterate:
        L-BFGS-B gets an infinite loss, which its line search cannot use,
        and :meth:`check` says so. At the starting point the overflow is
        raised: there is nothing to go back to.
        """
        last = self.last
        if "v" in last and np.array_equal(v, last["v"]):
            return last["loss"], last["grad"]
        self.n_evaluations += 1
        try:
            loss, grad = self.fun(v)
        except TrainingOverflowError as exc:
            if not last:
                raise
            self.overflow = exc
            return np.inf, np.zeros_like(np.asarray(v, dtype=np.float64))
        # SciPy < 1.11 hands the gradient to Fortran as it is and refuses
        # anything but an aligned, writeable float64 buffer (a gradient
        # unpickled from a Dask worker is not aligned)
        grad = np.require(grad, np.float64, ["C", "A", "W"])
        self.last = {"v": np.array(v, dtype=np.float64), "loss": loss, "grad": grad}
        return loss, grad

    def gradients(self, grad_v):
        """The largest gradient component w.r.t. ``theta`` and w.r.t. ``v``."""
        raw = float(np.max(np.abs(grad_v * self.scale), initial=0.0))
        return raw, float(np.max(np.abs(grad_v), initial=0.0))

    def callback(self, v):
        """After each iteration: record the objective, stop once converged."""
        last = self.last
        # L-BFGS-B calls back with the iterate it last evaluated
        if "v" in last and np.array_equal(v, last["v"]):
            loss, grad = last["loss"], last["grad"]
        else:  # pragma: no cover - defensive, depends on SciPy internals
            loss, grad = self.evaluate(v)
        self.loss_curve.append(float(loss))
        if self.verbose:
            print(f"{self.prefix}Iteration {len(self.loss_curve)}, loss = {loss:.8f}")
        # the monitor sees every iterate, the last one too
        if self.monitor is not None and self.monitor(self.last["v"] / self.scale):
            self.stopped_by_monitor = True
            raise _MonitorStopped
        if self.gradients(grad)[0] <= self.tol:
            raise _GradientTestPassed
        curve = self.loss_curve
        if self.refine is not None and len(curve) >= 2:
            previous, loss = curve[-2], curve[-1]
            if previous - loss <= REFINE_BELOW * max(abs(previous), abs(loss), 1.0):
                self.make_exact()

    def make_exact(self):
        """Call ``refine`` (once); whether it changed ``fun``.

        L-BFGS goes on: its memory holds gradients, as accurate from the
        fast objective as from the exact one, and its next line search
        compares the exact objective with the last fast value, which
        differs by far less than the decreases it looks for.
        """
        refine, self.refine = self.refine, None
        if refine is None or not refine():
            return False
        self.last = {}  # a fast evaluation
        self.refined = True
        return True

    def run(self, v0, options):
        """SciPy's L-BFGS-B from ``v0``: ``(v, loss, grad_v, status, message)``."""
        loss, grad = self.evaluate(v0)  # a warm start may have converged already
        if self.gradients(grad)[0] <= self.tol:
            return self.last["v"], loss, grad, 0, "the gradient test passed at the start"
        try:
            result = minimize(
                self.evaluate, v0, method="L-BFGS-B", jac=True, callback=self.callback,
                options=options,
            )
        except _GradientTestPassed:
            last = self.last
            return last["v"], last["loss"], last["grad"], 0, "the gradient test passed"
        except _MonitorStopped:
            last = self.last
            return last["v"], last["loss"], last["grad"], 0, "the monitor stopped the run"
        message = result.message
        if isinstance(message, bytes):  # pragma: no cover - SciPy < 1.6
            message = message.decode("latin1")
        if result.status == 0:
            message = f"{_STALLED} ({message})"
        if not np.isfinite(result.fun):  # ended on an overflowed step: the last finite one
            last = self.last
            return last["v"], last["loss"], last["grad"], int(result.status), message
        return result.x, result.fun, result.jac, int(result.status), message

    def check(self, grad_v, status, message):
        """``(converged, warning)`` of a run that ended at ``grad_v``.

        ``warning`` is None when converged, else the text of the
        :class:`~sklearn.exceptions.ConvergenceWarning` (``message`` says
        why it stopped).
        """
        raw, in_units = self.gradients(grad_v)
        n_iter = len(self.loss_curve)
        if self.stopped_by_monitor:
            return True, None
        if raw <= self.tol or (status == 0 and in_units <= self.tol):
            return True, None
        if self.overflow is not None:
            message = (
                f"a step overflowed the objective, and L-BFGS stopped at the last "
                f"finite iterate: {self.overflow}"
            )
        if status == 1:
            return False, (
                f"L-BFGS failed to converge after {n_iter} iteration(s) ({message}; "
                f"largest gradient component {raw:.3g}, tol={self.tol:g}). Increase "
                "max_iter, or scale the data (for example with "
                "sklearn.preprocessing.StandardScaler), or loosen tol."
            )
        return False, (
            f"L-BFGS stopped after {n_iter} iteration(s) without meeting tol: the "
            f"largest gradient component is {raw:.3g} > tol={self.tol:g} ({message}). "
            f"{STALL_ADVICE}"
        )


def minimize_lbfgs(
    fun, theta0, *, max_iter, tol, max_fun=15000, verbose=0, history=10, scale=None,
    monitor=None,
    refine=None,
    warn=True,
):
    """Minimise ``fun`` with L-BFGS-B from ``theta0``.

    Parameters
    ----------
    fun : callable
        ``fun(theta) -> (loss, gradient)``, a pure function of ``theta``.
    theta0 : ndarray of shape (n_params,)
        Starting point.
    max_iter : int
        Maximum number of L-BFGS iterations.
    tol : float
        Converged means that every component of the gradient is at most
        ``tol`` in absolute value (see :class:`Stopping`).
    max_fun : int, default=15000
        Maximum number of evaluations of ``fun``.
    verbose : int, default=0
        If positive, print the objective after each iteration.
    history : int, default=10
        Number of past steps whose curvature L-BFGS keeps (SciPy's
        ``maxcor``; 10 is its default and scikit-learn's).
    scale : ndarray of shape (n_params,), default=None
        Positive scales of the parameters: L-BFGS runs on
        ``v = scale * theta`` (see :func:`scaled`). The result and the
        loss curve are in ``theta``.
    monitor : callable, default=None
        ``monitor(theta) -> bool`` after each iteration; True ends the run
        without a warning (see :class:`Stopping`).
    refine : callable, default=None
        ``refine() -> bool``: make ``fun`` exact (float64 products for
        float32 data, see ``Objective.refine``), True if that changed it.
        Called after the first iteration that decreases the objective by
        less than :data:`REFINE_BELOW` relatively; L-BFGS goes on. When a
        run on the fast ``fun``, or one refined on the way, stops without
        the gradient test passing (a line search failing on the float32
        rounding of the loss, ``max_fun``), a fresh L-BFGS goes on from
        there on the exact ``fun``, with the iterations and evaluations
        left.
    warn : bool, default=True
        Whether a run that did not converge warns (False: for a caller
        that goes on with another solver, and says itself what failed).

    Returns
    -------
    result : LBFGSResult

    Warns
    -----
    ConvergenceWarning
        When the fit stops without converging (``max_iter`` or ``max_fun``
        reached, a failed line search, or an objective that stopped
        decreasing while the gradient is above ``tol``).
    """
    tol = float(tol)  # any real number (a Fraction) goes into messages as a float
    unit = 1.0 if scale is None else scale
    stopping = Stopping(
        scaled(fun, scale), tol, max_iter, unit, verbose, monitor=monitor, refine=refine
    )
    with single_threaded(scipy_own_blas()):
        v, loss, grad, status, message = stopping.run(
            np.asarray(theta0, dtype=np.float64) * unit,
            _lbfgs_options(max_iter, max_fun, history),
        )
        n_iter = len(stopping.loss_curve)
        if (
            stopping.gradients(grad)[0] > tol
            and not stopping.stopped_by_monitor
            and n_iter < max_iter
            and stopping.n_evaluations < max_fun
            and (stopping.make_exact() or stopping.refined)
        ):
            # stopped short of tol on a fast objective (its line search
            # failed on its rounding), or after it was made exact in the
            # run (L-BFGS-B's last loss values were fast ones): on from
            # the last iterate with a fresh L-BFGS on the exact one
            stopping.last, stopping.overflow = {}, None
            v, loss, grad, status, message = stopping.run(
                v,
                _lbfgs_options(max_iter - n_iter, max_fun - stopping.n_evaluations, history),
            )
    converged, warning = stopping.check(grad, status, message)
    if warning and warn:
        warn_outside_package(warning, ConvergenceWarning)
    return LBFGSResult(
        theta=v / unit,
        n_iter=min(len(stopping.loss_curve), max_iter),
        loss_curve=stopping.loss_curve,
        loss=float(loss),
        converged=converged,
        message=message,
    )
