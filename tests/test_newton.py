"""Newton-Cholesky for the linear models: the heads' curvature, the Hessian, the solver.

* every head's ``_loss_hessian_logits`` is the derivative of its gradient
  (central differences), with pos_weight, soft labels and sample weights;
* the objective's Hessian (dense, sparse, float32, with and without an
  intercept, in the columns' units) is the derivative of its gradient;
* Newton and L-BFGS reach the same minimiser on every kind of problem, and
  Newton matches scikit-learn's LogisticRegression, Ridge and
  PoissonRegressor as L-BFGS does;
* the stopping rule, warnings, warm start, fallback and ``solver="auto"``.
"""

import warnings
from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.preprocessing import StandardScaler

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MultiClassHead,
    MultiHead,
    MultiLabelHead,
    PoissonRegressionHead,
    RegressionHead,
)
from sklearn_heads._hessian import LinearHessian, NewtonStepError
from sklearn_heads._models import LinearModel
from sklearn_heads._objective import Objective

SOLVERS = ["lbfgs", "newton-cholesky"]


def _squared_loss_fn(labels, logits):
    return (logits - labels) ** 2


# ----------------------------------------------------------------------
# the heads' curvature
def _head_cases():
    rng = np.random.RandomState(0)
    n = 7
    return [
        (BinaryClassHead(), rng.randint(0, 2, n), 1),
        (BinaryClassHead(pos_weight=3.0), rng.randint(0, 2, n), 1),
        (LogisticRegressionHead(), rng.uniform(size=n), 1),
        (MultiLabelHead(3, pos_weight=[0.5, 2.0, 4.0]), rng.randint(0, 2, (n, 3)), 3),
        (MultiClassHead(4), rng.randint(0, 4, n), 4),
        (RegressionHead(label_dimension=2), rng.normal(size=(n, 2)), 2),
        (PoissonRegressionHead(), rng.poisson(2.0, n), 1),
        (
            PoissonRegressionHead(label_dimension=2, loss_reduction="sum"),
            rng.poisson(2.0, (n, 2)),
            2,
        ),
    ]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "head, labels, k", _head_cases(), ids=lambda v: type(v).__name__ if hasattr(v, "loss") else ""
)
def test_head_hessian_is_the_derivative_of_its_gradient(head, labels, k, weighted):
    rng = np.random.RandomState(1)
    n = len(labels)
    logits = rng.normal(scale=2.0, size=(n, k))
    weights = rng.uniform(0.0, 3.0, n) if weighted else None
    z, w = head._prepare(labels, n, sample_weight=weights)
    hessian = head._loss_hessian_logits(z, logits, w)
    assert head._has_loss_hessian
    eps = 1e-6
    fd = np.empty((n, k, k))
    for c in range(k):
        up, down = logits.copy(), logits.copy()
        up[:, c] += eps
        down[:, c] -= eps
        g_up = head._sum_loss_gradient(z, up, w)[1]
        g_down = head._sum_loss_gradient(z, down, w)[1]
        fd[:, :, c] = (g_up - g_down) / (2 * eps)
    if hessian.ndim == 2:  # the logits of a row do not interact
        assert hessian.shape == (n, k)
        assert_allclose(fd, fd * np.eye(k), atol=1e-8)  # off-diagonals are zero
        fd = np.diagonal(fd, axis1=1, axis2=2)
    assert_allclose(hessian, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    "head",
    [
        BinaryClassHead(loss_fn=_squared_loss_fn),
        RegressionHead(loss_fn=_squared_loss_fn),
        MultiClassHead(3, loss_fn=lambda labels, logits: np.sum(
            (logits - (labels == np.arange(3))) ** 2, axis=-1, keepdims=True)),
    ],
    ids=["binary", "regression", "multi-class"],
)
def test_a_head_with_loss_fn_has_no_hessian_and_newton_refuses_it(head):
    assert not head._has_loss_hessian
    X, y = make_classification(60, 4, random_state=0)
    if head.logits_dimension == 3:
        y = np.arange(60) % 3
    with pytest.raises(ValueError, match="solver='newton-cholesky' needs the second derivative"):
        LinearEstimator(head, solver="newton-cholesky").fit(X, y)
    # auto picks L-BFGS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # finite differences
        est = LinearEstimator(head, solver="auto", max_iter=500).fit(X, y)
    assert est.n_iter_ > 0


def test_multi_head_has_no_hessian():
    head = MultiHead([BinaryClassHead(name="a"), RegressionHead(name="b")])
    assert not getattr(head, "_has_loss_hessian", False)


# ----------------------------------------------------------------------
# the objective's Hessian
def _problem(head, n=50, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * np.array([1e-3, 1.0, 30.0, 2.0])[:d]
    k = head.logits_dimension
    if isinstance(head, MultiClassHead):
        y = rng.randint(0, k, n)
    elif isinstance(head, PoissonRegressionHead):
        y = rng.poisson(1.0, n)
    elif isinstance(head, RegressionHead):
        y = rng.normal(size=n)
    elif isinstance(head, MultiLabelHead):
        y = rng.randint(0, 2, (n, k))
    else:
        y = rng.randint(0, 2, n)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("form", ["dense", "sparse", "float32"])
@pytest.mark.parametrize(
    "head",
    [BinaryClassHead(pos_weight=2.0), MultiClassHead(3), MultiLabelHead(2), PoissonRegressionHead()],
    ids=["binary", "multi-class", "multi-label", "poisson"],
)
def test_objective_hessian_is_the_derivative_of_its_gradient(head, form, fit_intercept):
    X, y = _problem(head)
    if form == "sparse":
        X = sp.csr_matrix(np.where(np.abs(X) < 0.5 * np.abs(X).mean(axis=0), 0.0, X))
    w = np.random.RandomState(2).uniform(0.5, 2.0, X.shape[0])
    model = LinearModel(X.shape[1], head.logits_dimension, fit_intercept=fit_intercept)
    # small chunks: the blocks are summed over several of them
    objective = Objective(head, model, X if form != "float32" else X.astype(np.float32), y, w,
                          alpha=0.1, chunk_size=16)
    theta = np.random.RandomState(3).normal(scale=0.1, size=model.n_params)
    column_scale = objective.preconditioner()
    loss, grad, hessian = objective.loss_gradient_hessian(theta, column_scale)
    # the dense Hessian in theta's units, from Newton's step on unit vectors
    fd = np.empty((model.n_params, model.n_params))
    eps = 1e-6
    for i in range(model.n_params):
        e = np.zeros(model.n_params)
        e[i] = eps
        fd[:, i] = (objective.gradient(theta + e) - objective.gradient(theta - e)) / (2 * eps)
    rtol = 1e-3 if form == "float32" else 1e-5
    # H p = -g for Newton's step p (the softmax's null directions aside)
    step = hessian.newton_step(grad)
    assert_allclose(fd @ step, -grad, rtol=rtol, atol=rtol * np.abs(grad).max())
    assert loss == objective.loss(theta)
    assert_allclose(grad, objective.gradient(theta), rtol=1e-12, atol=1e-15)


def test_huge_columns_have_a_hessian_in_their_units():
    # squares of 1e200 overflow: the Hessian is computed for X / 2**k
    X, y = _problem(BinaryClassHead())
    model = LinearModel(X.shape[1], 1)
    big = Objective(BinaryClassHead(), model, X * 1e200, y)
    small = Objective(BinaryClassHead(), model, X, y)
    theta = np.zeros(model.n_params)
    step_big = big.loss_gradient_hessian(theta, big.preconditioner())[2].newton_step(
        big.gradient(theta))
    step_small = small.hessian(theta).newton_step(small.gradient(theta))
    assert np.all(np.isfinite(step_big))
    assert_allclose(step_big[:-1] * 1e200, step_small[:-1], rtol=1e-8)


def test_a_singular_hessian_gets_a_shifted_step():
    # a duplicated column without penalty: the Hessian is singular
    X, y = _problem(BinaryClassHead())
    X = np.c_[X, X[:, 1]]
    model = LinearModel(X.shape[1], 1)
    objective = Objective(BinaryClassHead(), model, X, y)
    theta = np.zeros(model.n_params)
    loss, grad, hessian = objective.loss_gradient_hessian(theta)
    step = hessian.newton_step(grad)
    assert hessian.shift > 0
    assert np.dot(step, grad) < 0 and np.all(np.isfinite(step))
    # the two copies move alike (up to rounding amplified by the shift)
    assert step[1] == pytest.approx(step[-2], rel=1e-4)


def test_no_cholesky_factor_is_a_newton_step_error():
    blocks = np.full((1, 2, 2), np.nan)
    with pytest.raises(NewtonStepError, match="not finite"):
        LinearHessian(blocks, LinearModel(1, 1), 1.0, 0.0).newton_step(np.ones(2))


# ----------------------------------------------------------------------
# Newton and L-BFGS reach the same minimiser
def _fit_both(make, X, y, sample_weight=None, **params):
    fits = {}
    for solver in SOLVERS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fits[solver] = make(solver=solver, tol=1e-7, max_iter=5000, **params).fit(
                X, y, sample_weight=sample_weight
            )
    return fits["lbfgs"], fits["newton-cholesky"]


def _same_model(lbfgs, newton, atol=1e-5):
    assert_allclose(newton.coef_, lbfgs.coef_, rtol=1e-5, atol=atol)
    assert_allclose(newton.intercept_, lbfgs.intercept_, rtol=1e-5, atol=atol)
    # Newton's objective is no higher (up to rounding)
    assert newton.loss_curve_[-1] <= lbfgs.loss_curve_[-1] + 1e-12
    assert len(newton.loss_curve_) == newton.n_iter_ < lbfgs.n_iter_ or newton.n_iter_ <= 10


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(400, 8, n_informative=5, random_state=0)
    X = X * np.logspace(-1, 1, 8)  # columns of different scales
    w = np.random.RandomState(0).uniform(0, 3, 400)
    return X, y, w


@pytest.mark.parametrize(
    "case",
    ["binary", "pos_weight", "sample_weight", "float32", "sparse", "no_intercept", "class_weight"],
)
def test_binary_fits_agree(data, case):
    X, y, w = data
    params, sample_weight = {"alpha": 1e-3}, None
    if case == "pos_weight":
        params["pos_weight"] = 3.0
    elif case == "sample_weight":
        sample_weight = w
    elif case == "float32":
        X = X.astype(np.float32)
    elif case == "sparse":
        X = sp.csr_matrix(np.where(np.abs(X) < 0.5 * np.abs(X).mean(axis=0), 0.0, X))
    elif case == "no_intercept":
        params["fit_intercept"] = False
    elif case == "class_weight":
        params["class_weight"] = {0: 1.0, 1: 4.0}
    lbfgs, newton = _fit_both(LinearClassifier, X, y, sample_weight, **params)
    if case == "float32":
        assert newton.coef_.dtype == np.float32
        assert_allclose(newton.predict_proba(X), lbfgs.predict_proba(X), atol=1e-5)
    else:
        _same_model(lbfgs, newton)


def test_multi_class_fits_agree(data):
    X, _, w = data
    noise = np.random.RandomState(1).normal(size=len(X))
    y = np.digitize(X[:, 3] / X[:, 3].std() + X[:, 5] / X[:, 5].std() + noise, [-1, 0, 1])
    lbfgs, newton = _fit_both(LinearClassifier, X, y, w, alpha=1e-3)
    _same_model(lbfgs, newton)
    # the coefficients sum to zero over the classes, as L-BFGS's from zero
    assert_allclose(newton.coef_.sum(axis=0), 0, atol=1e-10)
    assert_allclose(newton.intercept_.sum(), 0, atol=1e-10)
    # and without a penalty (the softmax's shift directions have no curvature)
    lbfgs, newton = _fit_both(LinearClassifier, X, y, alpha=0.0)
    assert_allclose(newton.predict_proba(X), lbfgs.predict_proba(X), atol=1e-5)


def test_multi_label_fits_agree():
    X, Y = make_multilabel_classification(300, 6, n_classes=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    lbfgs, newton = _fit_both(LinearClassifier, X, Y, alpha=1e-3)
    _same_model(lbfgs, newton)


@pytest.mark.parametrize(
    "head",
    [RegressionHead(), RegressionHead(label_dimension=2), PoissonRegressionHead(),
     LogisticRegressionHead()],
    ids=["regression", "two-targets", "poisson", "logistic-regression"],
)
def test_regression_fits_agree(data, head):
    X, y, w = data
    rng = np.random.RandomState(0)
    Xs = StandardScaler().fit_transform(X)
    if isinstance(head, PoissonRegressionHead):
        y = rng.poisson(np.exp(0.3 * Xs[:, 0] - 0.2 * Xs[:, 1]))
    elif isinstance(head, LogisticRegressionHead):
        y = 1 / (1 + np.exp(-Xs[:, 0]))
    elif head.label_dimension == 2:
        y = np.c_[Xs[:, 0] + rng.normal(size=400), Xs[:, 1] - Xs[:, 2]]
    else:
        y = Xs[:, 0] * 3 + rng.normal(size=400)
    make = lambda **p: LinearEstimator(head, **p)  # noqa: E731
    lbfgs, newton = _fit_both(make, X, y, w, alpha=1e-3)
    _same_model(lbfgs, newton)


def test_a_quadratic_objective_takes_one_newton_step(data):
    X, _, _ = data
    y = X[:, 0] + 1.0
    est = LinearEstimator(RegressionHead(), solver="newton-cholesky", alpha=1e-3).fit(X, y)
    assert est.n_iter_ == 1


def test_near_separable_data_without_penalty(data):
    X, y, _ = data
    Xs = StandardScaler().fit_transform(X)
    y = (Xs[:, 0] + 0.05 * np.random.RandomState(0).normal(size=400) > 0).astype(int)
    lbfgs, newton = _fit_both(LinearClassifier, Xs, y, alpha=0.0)
    assert_allclose(newton.predict_proba(Xs), lbfgs.predict_proba(Xs), atol=1e-4)


# ----------------------------------------------------------------------
# the same fits as scikit-learn's, for both solvers
@pytest.mark.parametrize("solver", SOLVERS)
def test_logistic_regression_equivalence(data, solver):
    X, y, w = data
    X = StandardScaler().fit_transform(X)
    C = 0.5
    ours = LinearClassifier(alpha=1 / (C * w.sum()), tol=1e-10, max_iter=5000, solver=solver)
    ours.fit(X, y, sample_weight=w)
    theirs = LogisticRegression(C=C, tol=1e-10, max_iter=5000).fit(X, y, sample_weight=w)
    assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)


@pytest.mark.parametrize("solver", SOLVERS)
def test_ridge_and_poisson_equivalence(data, solver):
    X, _, _ = data
    X = StandardScaler().fit_transform(X)
    rng = np.random.RandomState(0)
    y = X[:, 0] * 2 + rng.normal(size=400)
    a = 3.0
    ours = LinearEstimator(RegressionHead(), alpha=2 * a / 400, tol=1e-10, solver=solver)
    ridge = Ridge(alpha=a).fit(X, y)
    assert_allclose(ours.fit(X, y).coef_[0], ridge.coef_, atol=1e-6)
    counts = rng.poisson(np.exp(0.5 * X[:, 1]))
    ours = LinearEstimator(PoissonRegressionHead(), alpha=0.01, tol=1e-10, solver=solver)
    theirs = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10_000).fit(X, counts)
    assert_allclose(ours.fit(X, counts).coef_[0], theirs.coef_, atol=1e-6)


# ----------------------------------------------------------------------
# the stopping rule, warnings, warm start, fallback, auto
def test_max_iter_warns_with_the_gradient(data):
    X, y, _ = data
    with pytest.warns(
        ConvergenceWarning,
        match=r"Newton-Cholesky failed to converge after 1 iteration\(s\).*largest gradient",
    ):
        est = LinearClassifier(solver="newton-cholesky", max_iter=1, tol=1e-10).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 1


def test_tol_bounds_the_gradient(data):
    X, y, _ = data
    est = LinearClassifier(solver="newton-cholesky", alpha=1e-3, tol=1e-9).fit(X, y)
    objective = Objective(est.head_, LinearModel(X.shape[1], 1), X, y, alpha=1e-3)
    theta = np.r_[est.coef_.ravel(), est.intercept_]
    assert np.max(np.abs(objective.gradient(theta))) <= 1e-9
    assert est.loss_curve_[-1] == pytest.approx(objective.loss(theta), rel=1e-12)
    # every step lowers the objective, or (near the minimum, where the
    # objective no longer resolves a decrease) keeps it equal up to its
    # rounding while lowering the gradient: _line_search's rule
    curve = np.asarray(est.loss_curve_)
    assert np.all(np.diff(curve) <= 16 * np.finfo(np.float64).eps * np.abs(curve[:-1]))
    assert curve[-1] < curve[0]


def test_warm_start_starts_from_the_fit(data):
    X, y, _ = data
    est = LinearClassifier(solver="newton-cholesky", warm_start=True, tol=1e-6).fit(X, y)
    coef = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ == 0
    assert_allclose(est.coef_, coef)
    est.set_params(tol=1e-10).fit(X, y)
    assert 1 <= est.n_iter_ <= 2


def test_verbose_prints_the_iterations(data, capsys):
    X, y, _ = data
    LinearClassifier(solver="newton-cholesky", verbose=1).fit(X, y)
    assert "Iteration 1, loss =" in capsys.readouterr().out


def test_no_newton_step_continues_with_lbfgs(data, capsys):
    X, y, _ = data
    calls = []

    def failing_step(self, grad):
        calls.append(1)
        if len(calls) > 1:
            raise NewtonStepError("for the test")
        return original(self, grad)

    original = LinearHessian.newton_step
    with mock.patch.object(LinearHessian, "newton_step", failing_step):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est = LinearClassifier(solver="newton-cholesky", tol=1e-8, verbose=1).fit(X, y)
    assert "no Newton step (for the test); continuing with L-BFGS" in capsys.readouterr().out
    reference = LinearClassifier(solver="lbfgs", tol=1e-8).fit(X, y)
    assert_allclose(est.coef_, reference.coef_, rtol=1e-5)
    assert est.n_iter_ == len(est.loss_curve_) > 1


def test_a_failed_newton_fit_leaves_the_estimator_unchanged(data):
    X, y, _ = data
    est = LinearClassifier(solver="newton-cholesky").fit(X, y)
    before = est.coef_.copy()
    with mock.patch.object(LinearHessian, "newton_step", side_effect=KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X[:, :4], y)
    assert est.n_features_in_ == X.shape[1]
    assert_allclose(est.coef_, before)


def test_auto_hands_over_to_newton_where_it_may_win():
    from sklearn_heads._linear import NEWTON_AUTO_WIDTH

    def solver_of(est, X, y):
        # with one L-BFGS iteration before the hand-over, every fit where
        # auto may use Newton does (none of these converges in one)
        with mock.patch("sklearn_heads._linear.AUTO_LBFGS_ITERATIONS", 1), mock.patch(
            "sklearn_heads._linear.minimize_newton", side_effect=RuntimeError
        ):
            try:
                est.fit(X, y)
            except RuntimeError:
                return "newton-cholesky"
        return "lbfgs"

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(50, 5)), np.arange(50) % 2
    assert solver_of(LinearClassifier(), X, y) == "newton-cholesky"
    assert solver_of(LinearClassifier(), sp.csr_matrix(X), y) == "newton-cholesky"
    # float32: L-BFGS (it reads X in half the bytes; the Hessian is float64)
    assert solver_of(LinearClassifier(), X.astype(np.float32), y) == "lbfgs"
    assert solver_of(LinearClassifier(solver="newton-cholesky"), X.astype(np.float32), y) == (
        "newton-cholesky"
    )
    assert solver_of(LinearClassifier(solver="lbfgs"), X, y) == "lbfgs"
    widest = rng.normal(size=(50, NEWTON_AUTO_WIDTH - 1))
    assert solver_of(LinearClassifier(), widest, y) == "newton-cholesky"
    wide = rng.normal(size=(50, NEWTON_AUTO_WIDTH))
    assert solver_of(LinearClassifier(), wide, y) == "lbfgs"
    # a softmax head's coefficients count for every class
    classes = np.arange(50) % 3
    assert solver_of(LinearClassifier(), X, classes) == "newton-cholesky"
    assert solver_of(LinearClassifier(), widest[:, :50], classes) == "lbfgs"
    # multi-label: L-BFGS per label; a custom loss: no Hessian
    assert solver_of(LinearClassifier(), X, np.c_[y, 1 - y]) == "lbfgs"
    head = BinaryClassHead(loss_fn=_squared_loss_fn)
    assert solver_of(LinearEstimator(head), X, y) == "lbfgs"
    # the MLPs have no solver parameter of this kind
    assert "newton" not in str(MLPClassifier().get_params().get("solver", ""))


def _ill_conditioned(n=2000, d=20, seed=0):
    X, y = make_classification(n, d, n_informative=10, random_state=seed)
    return X * np.logspace(-2, 2, d), y


def test_auto_runs_lbfgs_then_newton_to_the_same_minimiser():
    from sklearn_heads._linear import AUTO_LBFGS_ITERATIONS

    X, y = _ill_conditioned()
    kwargs = dict(alpha=1e-3, tol=1e-9, max_iter=1000)
    newton = LinearClassifier(solver="newton-cholesky", **kwargs).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it may stall above tol
        lbfgs = LinearClassifier(solver="lbfgs", **kwargs).fit(X, y)
    assert lbfgs.n_iter_ > AUTO_LBFGS_ITERATIONS  # L-BFGS alone is slow here
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        auto = LinearClassifier(solver="auto", **kwargs).fit(X, y)
    # AUTO_LBFGS_ITERATIONS of L-BFGS, then a few Newton iterations
    assert AUTO_LBFGS_ITERATIONS < auto.n_iter_ < lbfgs.n_iter_
    assert len(auto.loss_curve_) == auto.n_iter_
    assert np.all(np.diff(auto.loss_curve_) <= 1e-12)
    assert_allclose(auto.coef_, newton.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(auto.intercept_, newton.intercept_, rtol=1e-6, atol=1e-8)


def test_auto_keeps_lbfgs_where_it_converges_within_its_iterations():
    from sklearn_heads._linear import AUTO_LBFGS_ITERATIONS

    X, y = make_classification(500, 5, random_state=0)
    X = StandardScaler().fit_transform(X)
    with mock.patch("sklearn_heads._linear.minimize_newton", side_effect=RuntimeError):
        auto = LinearClassifier(tol=1e-4).fit(X, y)
    assert auto.n_iter_ < AUTO_LBFGS_ITERATIONS
    lbfgs = LinearClassifier(solver="lbfgs", tol=1e-4).fit(X, y)
    assert auto.n_iter_ == lbfgs.n_iter_
    assert_allclose(auto.coef_, lbfgs.coef_)


def test_auto_verbose_counts_the_iterations_of_both_solvers(capsys):
    X, y = _ill_conditioned()
    est = LinearClassifier(alpha=1e-3, tol=1e-9, verbose=1).fit(X, y)
    numbers = [
        int(line.split()[1].rstrip(","))
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Iteration ")
    ]
    assert numbers == list(range(1, est.n_iter_ + 1))


@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_auto_counts_both_solvers_against_max_iter(max_iter):
    X, y = _ill_conditioned()
    est = LinearClassifier(alpha=1e-3, tol=1e-12, max_iter=max_iter)
    with pytest.warns(ConvergenceWarning, match=f"failed to converge after {max_iter} iter"):
        est.fit(X, y)
    assert est.n_iter_ == max_iter
    assert len(est.loss_curve_) == max_iter


def test_auto_goes_on_with_newton_where_lbfgs_stops_short_of_tol():
    # L-BFGS stops early without converging (here: SciPy's own iteration
    # limit, as a failed line search would): no warning from it; Newton
    # goes on from its iterate and converges
    from sklearn_heads import _solver

    X, y = _ill_conditioned()
    real = _solver.minimize

    def failing_after_three(fun, x0, **kwargs):
        kwargs["options"] = dict(kwargs["options"], maxiter=3)
        return real(fun, x0, **kwargs)

    with mock.patch.object(_solver, "minimize", side_effect=failing_after_three):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est = LinearClassifier(alpha=1e-3, tol=1e-9).fit(X, y)
    assert 3 < est.n_iter_ < 30
    newton = LinearClassifier(alpha=1e-3, tol=1e-9, solver="newton-cholesky").fit(X, y)
    assert_allclose(est.coef_, newton.coef_, rtol=1e-6, atol=1e-8)


def test_bad_solver_is_refused(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="solver"):
        LinearClassifier(solver="newton").fit(X, y)
