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


def minimize_lbfgs(fun, theta0, *, max_iter, tol, max_fun=15000, verbose=0, history=10):
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
        Stop when every component of the (projected) gradient is at most
        ``tol`` in absolute value (SciPy's ``gtol``).
    max_fun : int, default=15000
        Maximum number of evaluations of ``fun``.
    verbose : int, default=0
        If positive, print the objective after each iteration.
    history : int, default=10
        Number of past steps whose curvature L-BFGS keeps (SciPy's
        ``maxcor``; 10 is its default and scikit-learn's).

    Returns
    -------
    result : LBFGSResult

    Warns
    -----
    ConvergenceWarning
        When L-BFGS-B stops before converging (``max_iter`` or ``max_fun``
        reached, or a failed line search).
    """
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
            np.asarray(theta0, dtype=np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options=_lbfgs_options(max_iter, tol, max_fun, history),
        )
    return _check_result(result, loss_curve, max_iter)


def _check_result(result, loss_curve, max_iter):
    """Turn SciPy's result into an :class:`LBFGSResult`; warn if unconverged."""
    n_iter = min(int(result.nit), max_iter)
    message = result.message
    if isinstance(message, bytes):  # pragma: no cover - SciPy < 1.6
        message = message.decode("latin1")
    converged = result.status == 0
    if result.status == 1:
        warn_outside_package(
            f"L-BFGS failed to converge after {n_iter} iteration(s) ({message}). "
            "Increase max_iter, or scale the data (for example with "
            "sklearn.preprocessing.StandardScaler), or loosen tol.",
            ConvergenceWarning,
        )
    elif not converged:
        warn_outside_package(
            f"L-BFGS stopped after {n_iter} iteration(s) without meeting tol "
            f"(status={result.status}: {message}). This usually means the "
            "objective is badly scaled or tol is below what floating point "
            "allows: scale the data (for example with "
            "sklearn.preprocessing.StandardScaler) or increase tol.",
            ConvergenceWarning,
        )
    return LBFGSResult(
        theta=result.x,
        n_iter=n_iter,
        loss_curve=loss_curve,
        loss=float(result.fun),
        converged=converged,
        message=message,
    )
