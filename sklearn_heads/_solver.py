"""L-BFGS-B through :func:`scipy.optimize.minimize`, checked once."""

import functools
import os

import numpy as np
import scipy
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController  # a scikit-learn dependency

from ._warnings import warn_outside_package

#: Relative reduction of the objective below which L-BFGS-B stops, as
#: scikit-learn's LogisticRegression sets it: tiny, so that ``tol`` (the
#: gradient criterion) decides.
FTOL = 64 * np.finfo(float).eps


@functools.lru_cache(maxsize=None)
def _scipy_own_blas():
    """A threadpoolctl controller of the BLAS that SciPy's wheels bundle.

    L-BFGS-B calls that BLAS on vectors and ``2m x 2m`` matrices (m = 10),
    far too small to gain from threads; but when NumPy bundles a second
    OpenBLAS (as the pip wheels do), the two thread pools compete for the
    cores and each L-BFGS-B step can wait milliseconds for a thread (one
    estimator check took 9 s instead of 0.6 s on a busy 2-core machine).
    Only SciPy's own
    copy is selected, so NumPy's matrix products in the objective keep their
    threads; when NumPy and SciPy share one BLAS, nothing is selected.
    """
    root = os.path.dirname(os.path.abspath(scipy.__file__))
    prefixes = (root + os.sep, root + ".libs" + os.sep)
    controller = ThreadpoolController()
    paths = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and lib.filepath and lib.filepath.startswith(prefixes)
    ]
    return controller.select(filepath=paths)


def _lbfgs_options(max_iter, tol, max_fun, history=10):
    """SciPy's L-BFGS-B options for :func:`minimize_lbfgs` and the batched driver."""
    return {
        "maxiter": max_iter, "maxfun": max_fun, "gtol": tol, "ftol": FTOL, "maxls": 50,
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
        Whether L-BFGS-B stopped on its tolerances.
    message : str
        SciPy's message.
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


def minimize_lbfgs(
    fun, theta0, *, max_iter, tol, max_fun=15000, verbose=0, history=10, scale=None
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
        Converged means that every component of the gradient (with respect
        to ``scale * theta``) is at most ``tol`` in absolute value: SciPy's
        ``gtol``, and checked again at the end, since L-BFGS-B also stops
        (with status 0) when the objective stops decreasing.
    max_fun : int, default=15000
        Maximum number of evaluations of ``fun``.
    verbose : int, default=0
        If positive, print the objective after each iteration.
    history : int, default=10
        Number of past steps whose curvature L-BFGS keeps (SciPy's
        ``maxcor``; 10 is its default and scikit-learn's).
    scale : ndarray of shape (n_params,), default=None
        Positive scales of the parameters: L-BFGS runs on
        ``v = scale * theta`` (see :func:`scaled`), whose gradient ``tol``
        bounds. The result and the loss curve are in ``theta``.

    Returns
    -------
    result : LBFGSResult

    Warns
    -----
    ConvergenceWarning
        When L-BFGS-B stops before converging (``max_iter`` or ``max_fun``
        reached, a failed line search, or an objective that stopped
        decreasing while the gradient is above ``tol``).
    """
    tol = float(tol)  # any real number (a Fraction) goes into messages as a float
    fun = scaled(fun, scale)
    unit = 1.0 if scale is None else scale
    last = {}

    def fun_and_remember(theta):
        loss, grad = fun(theta)
        last["theta"], last["loss"] = theta.copy(), loss
        # SciPy < 1.11 hands the gradient to Fortran as it is and refuses
        # anything but an aligned, writeable float64 buffer (a gradient
        # unpickled from a Dask worker is not aligned)
        return loss, np.require(grad, np.float64, ["C", "A", "W"])

    loss_curve = []

    def callback(theta):
        # L-BFGS-B calls back with the iterate it last evaluated.
        if "theta" in last and np.array_equal(theta, last["theta"]):
            loss = last["loss"]
        else:  # pragma: no cover - defensive, depends on SciPy internals
            loss = fun(theta)[0]
        loss_curve.append(float(loss))
        if verbose:
            print(f"Iteration {len(loss_curve)}, loss = {loss:.8f}")

    with _scipy_own_blas().limit(limits=1):
        result = minimize(
            fun_and_remember,
            np.asarray(theta0, dtype=np.float64) * unit,
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options=_lbfgs_options(max_iter, tol, max_fun, history),
        )
    status = check_status(result, max_iter, tol)
    if status.warning:
        warn_outside_package(status.warning, ConvergenceWarning)
    return LBFGSResult(
        theta=result.x / unit,
        n_iter=status.n_iter,
        loss_curve=loss_curve,
        loss=float(result.fun),
        converged=status.converged,
        message=status.message,
    )


class _Status:
    """What :func:`check_status` makes of a SciPy result."""

    def __init__(self, n_iter, converged, message, gradient, warning):
        self.n_iter = n_iter
        self.converged = converged
        self.message = message
        self.gradient = gradient
        self.warning = warning


def check_status(result, max_iter, tol):
    """Whether an L-BFGS-B result converged, and what to warn if not.

    Converged means that the largest component of the final gradient
    (``result.jac``) is at most ``tol``. SciPy's status 0 is not enough:
    L-BFGS-B also stops when the objective decreases by less than its
    ``ftol`` relative to its value (the objective stalls in floating point
    on badly scaled data), far from a gradient below ``tol``.

    Parameters
    ----------
    result : scipy.optimize.OptimizeResult
    max_iter : int
    tol : float

    Returns
    -------
    status : _Status
        ``n_iter``, ``converged``, SciPy's ``message``, the largest
        absolute ``gradient`` component, and the ``warning`` text (None when
        converged).
    """
    tol = float(tol)
    n_iter = min(int(result.nit), max_iter)
    message = result.message
    if isinstance(message, bytes):  # pragma: no cover - SciPy < 1.6
        message = message.decode("latin1")
    gradient = float(np.max(np.abs(result.jac), initial=0.0))
    converged = result.status == 0 and gradient <= tol
    warning = None
    if result.status == 1:
        warning = (
            f"L-BFGS failed to converge after {n_iter} iteration(s) "
            f"({message}; largest gradient component {gradient:.3g}, tol={tol:g}). "
            "Increase max_iter, or scale the data (for example with "
            "sklearn.preprocessing.StandardScaler), or loosen tol."
        )
    elif not converged:
        warning = (
            f"L-BFGS stopped after {n_iter} iteration(s) without meeting "
            f"tol: the largest gradient component is {gradient:.3g} > tol={tol:g} "
            f"(status={result.status}: {message}). The objective stopped "
            "decreasing in floating point, which usually means that it is badly "
            "scaled: scale the data (for example with "
            "sklearn.preprocessing.StandardScaler), or increase tol."
        )
    return _Status(n_iter, converged, message, gradient, warning)
