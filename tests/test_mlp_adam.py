"""The MLPs past full batch: solver="adam", partial_fit, early stopping."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_heads import (
    BinaryClassHead,
    MLPClassifier,
    MLPEstimator,
    MultiClassHead,
    PoissonRegressionHead,
    RegressionHead,
)
from sklearn_heads._adam import NoImprovement, _batch_objective
from sklearn_heads._models import MLPModel
from sklearn_heads._objective import Objective


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(400, 8, n_informative=5, random_state=0)
    return StandardScaler().fit_transform(X), y


def objective_value(est, X, y):
    """The fitted network's full-batch objective: mean log-loss + 0.5 alpha ||W||^2."""
    loss = est.evaluate(X, y)["average_loss"]
    return loss + 0.5 * est.alpha * sum(float(np.sum(W**2)) for W in est.coefs_)


# ---------------------------------------------------------------------------
# the mini-batch objective is the full-batch objective's estimate


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_batch_objectives_average_to_the_full_objective(reduction, weighted):
    # for any partition of the rows into batches, the batch objectives
    # weighted by their share of the total weight add up to the full
    # objective (loss and gradient): the same objective, in pieces
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    y = (rng.uniform(size=50) < 0.4).astype(float)
    w = rng.uniform(0.5, 2.0, size=50) if weighted else None
    head = BinaryClassHead(pos_weight=2.0, loss_reduction=reduction)
    model = MLPModel(4, (3,), 1)
    theta = model.init_params(0)
    full = Objective(head, model, X, y, w, alpha=0.3)
    expected_loss, expected_grad = full.loss_and_gradient(theta)
    loss, grad = 0.0, np.zeros_like(expected_grad)
    for rows in np.array_split(rng.permutation(50), 4):
        batch = _batch_objective(full, rows, n_threads=1)
        share = batch.total_weight / full.total_weight
        batch_loss, batch_grad = batch.loss_and_gradient(theta)
        loss += share * batch_loss
        grad += share * batch_grad
    assert_allclose(loss, expected_loss, rtol=1e-12)
    assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-14)
    # a batch of every row is the full objective itself
    everything = _batch_objective(full, np.arange(50), n_threads=1)
    assert_allclose(everything.loss_and_gradient(theta)[0], expected_loss, rtol=1e-12)


def test_no_improvement_is_scikit_learns_rule():
    # scikit-learn stops once more than n_iter_no_change epochs in a row
    # were not better than the best minus tol
    rule = NoImprovement(tol=0.1, n_iter_no_change=2)
    for value in [1.0, 0.95, 0.94]:  # 0.95 > 1.0 - 0.1: counted, but the best
        rule.update(value)
    assert rule.best == 0.94 and rule.count == 2 and not rule.stop
    rule.update(0.93)
    assert rule.stop
    rule.update(0.5)  # a real improvement resets the count
    assert rule.count == 0 and not rule.stop


# ---------------------------------------------------------------------------
# adam fits what L-BFGS fits


def test_adam_reaches_the_lbfgs_objective(binary):
    X, y = binary
    params = dict(hidden_units=(8,), alpha=1e-2, random_state=0)
    with warnings.catch_warnings():
        # it stalls in floating point near the minimum: close enough here
        warnings.simplefilter("ignore", ConvergenceWarning)
        lbfgs = MLPClassifier(**params, tol=1e-6, max_iter=2000).fit(X, y)
    adam = MLPClassifier(
        **params, solver="adam", learning_rate_init=1e-2, batch_size=50, max_iter=400,
        tol=1e-6, n_iter_no_change=30,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        adam.fit(X, y)
    best, reached = objective_value(lbfgs, X, y), objective_value(adam, X, y)
    # a non-convex objective: adam may even end lower, but not far above
    assert reached <= best + 0.02, (reached, best)
    assert adam.score(X, y) >= lbfgs.score(X, y) - 0.03


def test_fitted_attributes(binary):
    X, y = binary
    est = MLPClassifier((4,), solver="adam", max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Adam: maximum iterations \\(30\\)"):
        est.fit(X, y)
    assert est.n_iter_ == 30 and len(est.loss_curve_) == 30
    assert est.t_ == 30 * X.shape[0]
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.validation_loss_curve_ is None and est.best_validation_loss_ is None
    # the epoch losses fall
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_tol_stops_the_fit(binary):
    X, y = binary
    est = MLPClassifier((4,), solver="adam", tol=1.0, n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    # the first epoch is the first best; each later one fails to improve by
    # 1.0, and the count exceeds 3 at epoch 5 (scikit-learn's count)
    assert est.n_iter_ == 5


# ---------------------------------------------------------------------------
# sample weights, pos_weight


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
def test_integer_weights_are_repeated_rows_for_full_batches(reduction):
    # one batch of all the rows: Adam's steps are deterministic, on the
    # same objective for weights and for repeated (or dropped) rows
    rng = np.random.RandomState(1)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + rng.normal(size=40) > 0).astype(int)
    w = rng.randint(0, 4, size=40)
    params = dict(hidden_units=(5,), solver="adam", max_iter=50, random_state=0,
                  shuffle=False)
    head = BinaryClassHead(loss_reduction=reduction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = MLPEstimator(head, **params).fit(X, y, sample_weight=w)
        repeated = MLPEstimator(head, **params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    for a, b in zip(weighted.coefs_ + weighted.intercepts_,
                    repeated.coefs_ + repeated.intercepts_):
        assert_allclose(a, b, rtol=1e-8, atol=1e-10)


def test_pos_weight_is_a_weight_on_the_positives_with_sum_reduction():
    # with the "sum" reduction pos_weight=q and a sample weight q on the
    # positives are the same objective: the same full-batch Adam path
    X, y = make_classification(60, 4, random_state=0, weights=[0.7])
    params = dict(hidden_units=(5,), solver="adam", max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPEstimator(BinaryClassHead(pos_weight=3.0, loss_reduction="sum"), **params)
        a.fit(X, y)
        b = MLPEstimator(BinaryClassHead(loss_reduction="sum"), **params)
        b.fit(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-8, atol=1e-10)
    # and pos_weight moves the probabilities up, as it should
    c = MLPEstimator(BinaryClassHead(loss_reduction="sum"), **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        c.fit(X, y)
    assert a.predict_proba(X)[:, 1].mean() > c.predict_proba(X)[:, 1].mean()


# ---------------------------------------------------------------------------
# every kind of head


def test_multi_label_and_multi_class():
    X, Y = make_multilabel_classification(300, 10, n_classes=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    est = MLPClassifier((16,), solver="adam", learning_rate_init=1e-2, max_iter=100,
                        random_state=0, early_stopping=True)
    est.fit(X, Y)
    assert est.predict(X).shape == (300, 3)
    assert est.score(X, Y) > 0.4  # subset accuracy; a constant model gets ~0.1
    X, y = make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPEstimator(MultiClassHead(3), (16,), solver="adam", max_iter=100,
                           learning_rate_init=1e-2, random_state=0).fit(X, y)
    assert est.score(X, y) > 0.8


def test_regression_and_poisson():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 3))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.normal(size=500)
    est = MLPEstimator(RegressionHead(), (32,), solver="adam", learning_rate_init=1e-2,
                       max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.score(X, y) > 0.9
    counts = rng.poisson(np.exp(0.5 * X[:, 0] + 0.3 * X[:, 2]))
    est = MLPEstimator(PoissonRegressionHead(), (8,), solver="adam", learning_rate_init=1e-2,
                       max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, counts)
    assert est.score(X, counts) > 0.2  # D^2 of the true model is about 0.3
    assert np.all(est.predict(X) > 0)


# ---------------------------------------------------------------------------
# partial_fit


def test_partial_fit_epochs_are_fits_epochs(binary):
    # the same start, the same shuffles, the same steps
    X, y = binary
    params = dict(hidden_units=(6,), solver="adam", random_state=3, batch_size=64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = MLPClassifier(**params, max_iter=3).fit(X, y)
    partial = MLPClassifier(**params)
    for _ in range(3):
        partial.partial_fit(X, y, classes=[0, 1])
    for a, b in zip(fitted.coefs_ + fitted.intercepts_, partial.coefs_ + partial.intercepts_):
        assert_allclose(a, b, rtol=1e-12)
    assert partial.n_iter_ == 3 and partial.t_ == 3 * X.shape[0]
    assert_allclose(partial.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert partial.best_loss_ == min(partial.loss_curve_)


def test_partial_fit_batches_need_not_hold_every_class():
    X, y = make_classification(300, 5, n_classes=3, n_informative=3, random_state=0)
    est = MLPClassifier((8,), solver="adam", random_state=0)
    first = y != 2
    est.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (300, 3)
    est.partial_fit(X, y)  # classes may be left out after the first call
    est.partial_fit(X, y, classes=np.array([2, 1, 0]))  # the same set
    # continuing a fitted network keeps Adam's state: t counts every step
    assert est._mini_batch_state.adam.t == int(np.ceil(first.sum() / 200)) + 2 * 2


def test_partial_fit_errors():
    X, y = make_classification(100, 4, random_state=0)
    est = MLPClassifier((3,), solver="adam", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    assert not hasattr(est, "coefs_")
    with pytest.raises(ValueError, match=r"y contains labels .*\[1\]"):
        est.partial_fit(X, y, classes=[0, 5])
    est.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not seen in fit"):
        est.partial_fit(X, np.where(y == 1, 7, 0))
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(solver="adam", early_stopping=True).partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="balanced"):
        MLPClassifier(solver="adam", class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="classes is for classification heads"):
        MLPEstimator(RegressionHead(), solver="adam").partial_fit(X, y, classes=[0, 1])
    # L-BFGS has no partial_fit, as scikit-learn's MLP
    lbfgs = MLPClassifier()
    assert not hasattr(lbfgs, "partial_fit")
    with pytest.raises(AttributeError) as exc:
        lbfgs.partial_fit(X, y, classes=[0, 1])
    assert "only available for stochastic optimizers" in str(exc.value.__cause__)


def test_partial_fit_with_a_given_head():
    X, y = make_classification(100, 4, random_state=0)
    est = MLPEstimator(BinaryClassHead(), (3,), solver="adam", random_state=0)
    # the two classes from classes=, although the first batch has one
    est.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    assert_array_equal(est.classes_, [0, 1])
    est.partial_fit(X, y)
    reg = MLPEstimator(RegressionHead(), (3,), solver="adam", random_state=0)
    reg.partial_fit(X, X[:, 0]).partial_fit(X, X[:, 0])
    assert reg.n_iter_ == 2


def test_partial_fit_continues_a_fit_and_all_or_nothing(binary):
    X, y = binary
    est = MLPClassifier((4,), solver="adam", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    t = est._mini_batch_state.adam.t
    coefs = [W.copy() for W in est.coefs_]
    state = dict(vars(est))
    with pytest.raises(ValueError):
        est.partial_fit(X, np.where(y == 1, "b", "a"))  # labels it has never seen
    assert vars(est).keys() == state.keys()
    assert est._mini_batch_state.adam.t == t and est.n_iter_ == 5
    for a, b in zip(coefs, est.coefs_):
        assert_array_equal(a, b)
    est.partial_fit(X, y)
    assert est.n_iter_ == 6 and len(est.loss_curve_) == 6
    assert est._mini_batch_state.adam.t == t + 2  # 400 rows, batches of 200


def test_fit_is_all_or_nothing_under_a_failing_loss(binary):
    X, y = binary
    calls = []

    def failing_loss(labels, logits):
        calls.append(1)
        if len(calls) > 5:
            raise RuntimeError("boom")
        p = 1 / (1 + np.exp(-logits))
        loss = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
        return loss, p - labels

    est = MLPEstimator(BinaryClassHead(loss_fn=failing_loss), (3,), solver="adam",
                       random_state=0, max_iter=20)
    with pytest.raises(RuntimeError, match="boom"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_") and not hasattr(est, "_mini_batch_state")


# ---------------------------------------------------------------------------
# early stopping


def _validation_rows(y, seed, fraction=0.1):
    """The validation rows the estimators hold out (scikit-learn's split)."""
    return train_test_split(np.arange(len(y)), test_size=fraction,
                            random_state=np.random.RandomState(seed), stratify=y)[1]


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_early_stopping_keeps_the_best_parameters(solver):
    # a wide network, no penalty, few rows and noisy labels: it overfits,
    # and the validation loss passes a minimum
    X, y = make_classification(300, 20, n_informative=3, flip_y=0.2, random_state=0)
    est = MLPClassifier((64,), alpha=0.0, solver=solver, early_stopping=True,
                        learning_rate_init=1e-2, n_iter_no_change=5, max_iter=500,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    curve = est.validation_loss_curve_
    assert len(curve) == est.n_iter_ < 500
    assert est.best_validation_loss_ == min(curve) < curve[-1]
    assert est.best_loss_ is None
    # the restored network is the best one on the held-out rows
    val = _validation_rows(y, 0)
    assert_allclose(log_loss(y[val], est.predict_proba(X[val])), est.best_validation_loss_,
                    rtol=1e-10)
    # it stopped n_iter_no_change + 1 iterations after the best
    assert est.n_iter_ - (int(np.argmin(curve)) + 1) == est.n_iter_no_change + 1


def test_early_stopping_errors():
    X, y = make_classification(12, 4, n_informative=2, random_state=0)
    est = MLPEstimator(RegressionHead(), solver="adam", early_stopping=True,
                       validation_fraction=0.05)
    with pytest.raises(ValueError, match=r"validation set is too small \(1 sample"):
        est.fit(X, X[:, 0])
    assert not hasattr(est, "coefs_")
    with pytest.raises(ValueError, match="validation_fraction"):
        MLPClassifier(validation_fraction=1.0).fit(X, y)


def test_batch_size_larger_than_the_data_warns(binary):
    X, y = binary
    est = MLPClassifier((3,), solver="adam", batch_size=1000, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match="batch_size=1000 is larger than the 400"):
            est.fit(X, y)
    assert est._mini_batch_state.adam.t == 2  # one batch per epoch


# ---------------------------------------------------------------------------
# dtypes, reproducibility, warm start


def test_float32_end_to_end(binary):
    X, y = binary
    est = MLPClassifier((4,), solver="adam", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
    assert est._mini_batch_state.adam.m.dtype == np.float32
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    # a later float64 batch is trained in the network's float32
    est.partial_fit(X, y)
    assert est.coefs_[0].dtype == np.float32


def test_random_state_reproduces_and_warm_start_continues(binary):
    X, y = binary
    params = dict(hidden_units=(4,), solver="adam", max_iter=5, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**params, random_state=0).fit(X, y)
        b = MLPClassifier(**params, random_state=0).fit(X, y)
        c = MLPClassifier(**params, random_state=1).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert a.validation_loss_curve_ == b.validation_loss_curve_
    assert not np.allclose(a.coefs_[0], c.coefs_[0])
    warm = MLPClassifier((4,), solver="adam", max_iter=5, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, y)
        first = warm.loss_curve_
        warm.fit(X, y)
    assert warm.loss_curve_[0] < first[0]  # started where the first fit ended
    assert warm.n_iter_ == 5


def test_lbfgs_fit_after_adam_drops_the_adam_state(binary):
    X, y = binary
    est = MLPClassifier((3,), solver="adam", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        assert hasattr(est, "t_")
        est.set_params(solver="lbfgs", max_iter=5).fit(X, y)
    assert not hasattr(est, "t_") and est._mini_batch_state is None


def test_dask_input_is_refused_for_mini_batches(binary):
    da = pytest.importorskip("dask.array")
    X, y = binary
    est = MLPClassifier((3,), solver="adam")
    with pytest.raises(ValueError, match="solver='adam' needs in-memory X"):
        est.fit(da.from_array(X, chunks=100), da.from_array(y, chunks=100))


def test_partial_fit_classes_of_a_given_head_are_checked():
    X, y = make_classification(90, 4, n_informative=3, n_redundant=0, n_classes=3,
                               random_state=0)
    est = MLPEstimator(MultiClassHead(3), (3,), solver="adam", random_state=0)
    est.partial_fit(X, y, classes=[0, 1])  # a subset of the head's classes
    assert_array_equal(est.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match=r"\[5\]"):
        est.partial_fit(X, y, classes=[0, 5])
