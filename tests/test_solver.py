"""Tests of the L-BFGS driver, on problems whose minimiser is known."""

import re

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_heads import BinaryClassHead
from sklearn_heads._models import LinearModel
from sklearn_heads._objective import Objective
from sklearn_heads._solver import minimize_lbfgs


def _quadratic(center):
    """``0.5 * sum_i i * (theta_i - center_i)^2``, minimised at ``center``."""
    scales = np.arange(1, center.size + 1)

    def fun(theta):
        diff = theta - center
        return 0.5 * float(diff @ (scales * diff)), scales * diff

    return fun


def test_minimize_lbfgs_finds_the_minimiser_and_records_the_curve(capsys):
    center = np.linspace(-1, 1, 5)
    fun = _quadratic(center)
    result = minimize_lbfgs(fun, np.zeros(5), max_iter=100, tol=1e-8, verbose=1)
    np.testing.assert_allclose(result.theta, center, atol=1e-9)
    assert result.converged
    assert result.n_iter == len(result.loss_curve) >= 1
    assert all(b <= a for a, b in zip(result.loss_curve, result.loss_curve[1:]))
    assert result.loss_curve[-1] == pytest.approx(fun(result.theta)[0], abs=1e-15)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == result.n_iter
    assert lines[0].startswith("Iteration 1, loss = ")
    assert float(lines[-1].split("=")[1]) == pytest.approx(result.loss_curve[-1], abs=1e-8)


def test_minimize_lbfgs_warns_when_max_iter_stops_it(capsys):
    fun = _quadratic(np.linspace(-1, 1, 20))
    with pytest.warns(ConvergenceWarning, match="Increase max_iter.*scale the data"):
        result = minimize_lbfgs(fun, np.zeros(20), max_iter=2, tol=1e-12)
    assert result.n_iter == 2 and len(result.loss_curve) == 2
    assert not result.converged
    assert capsys.readouterr().out == ""  # verbose=0 prints nothing


def test_minimize_lbfgs_fits_the_objective():
    # The end-to-end path of the estimators: the minimiser of a linear
    # model's objective has a zero gradient.
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = (X[:, 0] + rng.randn(40) > 0).astype(int)
    head = BinaryClassHead()
    model = LinearModel(3, 1)
    objective = Objective(head, model, X, y, alpha=0.05)
    result = minimize_lbfgs(
        objective.loss_and_gradient, model.init_params(), max_iter=200, tol=1e-9
    )
    assert result.converged
    assert np.abs(objective.gradient(result.theta)).max() <= 1e-9


def test_scipy_blas_is_single_threaded_inside_lbfgs_only():
    # L-BFGS-B's own BLAS calls are tiny; SciPy's bundled BLAS is limited to
    # one thread while it runs, NumPy's (used by the objective) is not.
    from threadpoolctl import threadpool_info

    from sklearn_heads._threads import scipy_own_blas

    selected = {lib.filepath for lib in scipy_own_blas()}
    if not selected:
        pytest.skip("SciPy shares its BLAS with NumPy here; nothing is limited")
    before = {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()}
    seen = []

    def fun(theta):
        seen.append({lib["filepath"]: lib["num_threads"] for lib in threadpool_info()})
        return float(theta @ theta), 2 * theta

    minimize_lbfgs(fun, np.ones(3), max_iter=5, tol=1e-12)
    for path, n_threads in seen[0].items():
        assert n_threads == (1 if path in selected else before[path])
    assert {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()} == before


def test_history_is_scipys_maxcor_and_linear_models_choose_it_by_width():
    from unittest import mock

    import sklearn_heads._solver as solver
    from sklearn_heads import LinearClassifier, MLPClassifier

    with mock.patch.object(solver, "minimize", wraps=solver.minimize) as spy:
        minimize_lbfgs(_quadratic(np.ones(3)), np.zeros(3), max_iter=50, tol=1e-8, history=7)
    assert spy.call_args.kwargs["options"]["maxcor"] == 7
    # a longer memory for up to 1000 features, the same for sparse and dense X
    assert LinearClassifier()._lbfgs_history(np.zeros((2, 1000))) == 30
    assert LinearClassifier()._lbfgs_history(np.zeros((2, 1001))) == 10
    assert MLPClassifier()._lbfgs_history(np.zeros((2, 10))) == 10


def test_a_stalled_objective_is_not_converged():
    # L-BFGS-B stops with status 0 when the objective no longer decreases in
    # floating point (here near 1e-18, about a gradient of 1e-9): that is
    # not a gradient below tol, and the result says so
    center = np.linspace(-1, 1, 5)
    with pytest.warns(ConvergenceWarning, match=r"largest gradient component is .* > tol=1e-10"):
        result = minimize_lbfgs(_quadratic(center), np.zeros(5), max_iter=100, tol=1e-10)
    assert not result.converged
    # SciPy < 1.15 spells it "REL_REDUCTION_OF_F_<=_FACTR*EPSMCH"
    assert re.search(r"REL(ATIVE)?[ _]REDUCTION[ _]OF[ _]F", result.message)
    assert result.n_iter == len(result.loss_curve)


def test_scaled_variables_keep_the_objective_and_the_result_in_theta():
    # scale * theta are the variables L-BFGS sees; tol bounds their gradient
    center = np.array([1e-6, 1.0, 1e6])
    curvature = 1.0 / center**2  # the same problem in units of each center

    def fun(theta):
        diff = theta - center
        return 0.5 * float(diff @ (curvature * diff)), curvature * diff

    plain = None
    with pytest.warns(ConvergenceWarning):
        plain = minimize_lbfgs(fun, np.zeros(3), max_iter=100, tol=1e-8)
    scaled = minimize_lbfgs(fun, np.zeros(3), max_iter=100, tol=1e-8, scale=1 / center)
    assert scaled.converged and not plain.converged
    np.testing.assert_allclose(scaled.theta, center, rtol=1e-7)
    assert scaled.loss_curve[-1] == pytest.approx(fun(scaled.theta)[0], abs=1e-15)
    assert scaled.n_iter < plain.n_iter
