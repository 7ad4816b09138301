"""LinearEstimator and MLPEstimator with a RegressionHead or PoissonRegressionHead.

They are scikit-learn regressors: tagged as such, ``predict`` after the
head's inverse link, 1-d for one target and ``(n, d)`` for
``label_dimension=d``, ``score`` as the matching scikit-learn regressor
scores (R^2, D^2 for Poisson), no ``decision_function``. The linear model
has the minimiser of scikit-learn's estimator of the same objective:

* ``LinearEstimator(RegressionHead(), alpha=2 a / n)`` and ``Ridge(alpha=a)``
  (the head's mean squared error over ``n`` rows is Ridge's sum of squares
  divided by ``n``; with ``label_dimension=d`` the mean runs over ``n d``
  values, so ``alpha = 2 a / (n d)``);
* ``LinearEstimator(PoissonRegressionHead(compute_full_loss=False),
  alpha=a)`` and ``PoissonRegressor(alpha=a)`` (half the mean Poisson
  deviance is the log-Poisson loss plus a constant).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import is_classifier, is_regressor
from sklearn.linear_model import PoissonRegressor, Ridge
from sklearn.metrics import d2_tweedie_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from sklearn_heads import (
    LinearEstimator,
    MLPEstimator,
    PoissonRegressionHead,
    RegressionHead,
    make_head_scorer,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

N, D = 200, 5


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N, D))
    targets = X @ rng.normal(size=(D, 2)) + 0.5 + 0.3 * rng.normal(size=(N, 2))
    counts = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.2)).astype(np.float64)
    weights = rng.uniform(0.2, 3.0, size=N)
    return X, targets, counts, weights


def _mlp(head, **params):
    return MLPEstimator(head, (8,), activation="tanh", random_state=0, **params)


# ----------------------------------------------------------------------
# scikit-learn's regressors, the same minimisers


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_regression_head_is_ridge(data, weighted, fit_intercept):
    X, targets, _, weights = data
    y = targets[:, 0]
    sample_weight = weights if weighted else None
    a = 3.0
    total = N if sample_weight is None else weights.sum()
    # (tol=1e-8: below it the squared error's floating point stalls first)
    ours = LinearEstimator(
        RegressionHead(), alpha=2 * a / total, fit_intercept=fit_intercept, tol=1e-8
    ).fit(X, y, sample_weight=sample_weight)
    ridge = Ridge(alpha=a, fit_intercept=fit_intercept).fit(X, y, sample_weight=sample_weight)
    assert_allclose(ours.coef_[0], ridge.coef_, atol=1e-7)
    assert_allclose(ours.intercept_[0], ridge.intercept_, atol=1e-7)
    assert_allclose(ours.predict(X), ridge.predict(X), atol=1e-7)
    assert ours.score(X, y, sample_weight) == pytest.approx(
        ridge.score(X, y, sample_weight), abs=1e-10
    )


def test_multi_output_regression_head_is_ridge(data):
    X, targets, _, _ = data
    a, d = 2.0, targets.shape[1]
    ours = LinearEstimator(RegressionHead(label_dimension=d), alpha=2 * a / (N * d), tol=1e-8)
    ours.fit(X, targets)
    ridge = Ridge(alpha=a).fit(X, targets)
    assert ours.coef_.shape == ridge.coef_.shape == (d, D)
    assert_allclose(ours.coef_, ridge.coef_, atol=1e-7)
    assert_allclose(ours.intercept_, ridge.intercept_, atol=1e-7)
    assert ours.predict(X).shape == (N, d)
    assert ours.score(X, targets) == pytest.approx(ridge.score(X, targets), abs=1e-10)
    tags = get_tags(ours)
    assert tags.target_tags.multi_output and not tags.target_tags.single_output


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_poisson_head_is_poisson_regressor(data, weighted):
    X, _, counts, weights = data
    sample_weight = weights if weighted else None
    a = 0.05
    ours = LinearEstimator(PoissonRegressionHead(compute_full_loss=False), alpha=a, tol=1e-10)
    ours.fit(X, counts, sample_weight=sample_weight)
    reference = PoissonRegressor(alpha=a, solver="newton-cholesky", tol=1e-12, max_iter=100)
    reference.fit(X, counts, sample_weight=sample_weight)
    assert_allclose(ours.coef_[0], reference.coef_, atol=1e-7)
    assert_allclose(ours.intercept_[0], reference.intercept_, atol=1e-7)
    # predict is the rate, after the head's inverse link (exp)
    assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-7)
    # score is D^2, the fraction of Poisson deviance explained, as PoissonRegressor's
    assert ours.score(X, counts, sample_weight) == pytest.approx(
        reference.score(X, counts, sample_weight), abs=1e-9
    )
    # the Stirling term changes the loss by a constant, not the minimiser
    full = LinearEstimator(PoissonRegressionHead(), alpha=a, tol=1e-10)
    full.fit(X, counts, sample_weight=sample_weight)
    assert_allclose(full.coef_, ours.coef_, atol=1e-8)


def test_exposure_as_sample_weight_fits_rates(data):
    # counts over different exposures: fit the rate counts / exposure with
    # the exposure as sample weight, as with PoissonRegressor
    X, _, _, _ = data
    rng = np.random.RandomState(5)
    exposure = rng.uniform(0.1, 5.0, size=N)
    rate = np.exp(0.5 * X[:, 0] - 0.2)
    counts = rng.poisson(rate * exposure)
    ours = LinearEstimator(PoissonRegressionHead(), alpha=1e-4, tol=1e-10)
    ours.fit(X, counts / exposure, sample_weight=exposure)
    reference = PoissonRegressor(alpha=1e-4, solver="newton-cholesky", tol=1e-12)
    reference.fit(X, counts / exposure, sample_weight=exposure)
    assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-6)


# ----------------------------------------------------------------------
# the scikit-learn contract of a regressor


@pytest.mark.parametrize("make", [LinearEstimator, _mlp], ids=["linear", "mlp"])
@pytest.mark.parametrize("head", [RegressionHead(), PoissonRegressionHead()], ids=repr)
def test_a_regressor_in_every_respect(data, make, head):
    X, targets, counts, _ = data
    y = counts if isinstance(head, PoissonRegressionHead) else targets[:, 0]
    est = make(head)
    assert is_regressor(est) and not is_classifier(est)
    tags = get_tags(est)
    assert tags.estimator_type == "regressor" and tags.regressor_tags is not None
    assert tags.target_tags.positive_only == isinstance(head, PoissonRegressionHead)
    est.fit(X, y)
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        assert not hasattr(est, method)
    assert not hasattr(est, "classes_")
    pred = est.predict(X)
    assert pred.shape == (N,)
    if isinstance(head, PoissonRegressionHead):
        assert np.all(pred > 0)
        assert est.score(X, y) == pytest.approx(d2_tweedie_score(y, pred, power=1))
    else:
        assert est.score(X, y) == pytest.approx(r2_score(y, pred))
    assert est.score(X, y) > 0.2
    metrics = est.evaluate(X, y)
    assert set(metrics) == {"average_loss", "prediction/mean", "label/mean"}
    assert metrics["prediction/mean"] == pytest.approx(pred.mean())
    assert metrics["label/mean"] == pytest.approx(y.mean())


def test_regression_head_with_an_inverse_link_predicts_through_it(data):
    X, targets, _, _ = data
    y = np.exp(0.3 * targets[:, 0])
    head = RegressionHead(inverse_link_fn=np.exp)
    est = LinearEstimator(head).fit(X, np.log(y))  # the loss is on the logits
    assert_allclose(est.predict(X), np.exp(est._predict_logits(X)), rtol=1e-12)


def test_multi_output_poisson_scores_the_mean_d2(data):
    X, _, counts, _ = data
    Y = np.c_[counts, counts[::-1]]
    est = LinearEstimator(PoissonRegressionHead(label_dimension=2)).fit(X, Y)
    pred = est.predict(X)
    assert pred.shape == (N, 2)
    expected = np.mean([d2_tweedie_score(Y[:, j], pred[:, j], power=1) for j in range(2)])
    assert est.score(X, Y) == pytest.approx(expected)


def test_targets_of_the_wrong_shape_or_range_are_refused(data):
    X, targets, counts, _ = data
    with pytest.raises(ValueError, match=r"RegressionHead\(label_dimension=2\) needs y of shape"):
        LinearEstimator(RegressionHead(label_dimension=2)).fit(X, targets[:, 0])
    with pytest.raises(ValueError, match=r"needs y of shape \(n_samples, 3\); got shape"):
        LinearEstimator(RegressionHead(label_dimension=3)).fit(X, targets)
    with pytest.raises(ValueError, match=r"Poisson counts must be >= 0; got -1\.0"):
        LinearEstimator(PoissonRegressionHead()).fit(X, np.where(counts == 0, -1.0, counts))
    with pytest.raises(TypeError, match="labels must be numeric"):
        LinearEstimator(RegressionHead()).fit(X, np.array(["a"] * N))


def test_a_column_target_of_one_output_warns_and_fits_the_same(data):
    from sklearn.exceptions import DataConversionWarning

    X, targets, _, _ = data
    with pytest.warns(DataConversionWarning):
        column = LinearEstimator(RegressionHead()).fit(X, targets[:, :1])
    flat = LinearEstimator(RegressionHead()).fit(X, targets[:, 0])
    assert_allclose(column.coef_, flat.coef_)
    assert column.predict(X).shape == (N,)


# ----------------------------------------------------------------------
# model selection


def test_grid_search_and_head_scorers_in_a_pipeline(data):
    X, _, counts, _ = data
    pipe = make_pipeline(StandardScaler(), LinearEstimator(PoissonRegressionHead()))
    grid = {"linearestimator__alpha": [1e-4, 1.0, 100.0]}
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=cv, scoring=make_head_scorer("average_loss"))
    search.fit(X, counts)
    assert search.best_params_["linearestimator__alpha"] != 100.0
    # the scorer's logits went through the pipeline's scaler
    best = search.best_estimator_
    scorer = make_head_scorer("average_loss")
    logits = best[-1]._predict_logits(best[0].transform(X))
    assert scorer(best, X, counts) == pytest.approx(
        -best[-1].head_.evaluate(counts, logits)["average_loss"]
    )
    # the default score (D^2) in a cross-validation
    scores = cross_val_score(pipe, X, counts, cv=cv)
    assert np.all(scores > 0.05)
