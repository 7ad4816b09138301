"""Tests of make_head_scorer, alone and in scikit-learn's model selection."""

from unittest import mock

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MultiLabelHead,
    make_head_scorer,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=200, n_features=5, n_informative=3, weights=[0.8], flip_y=0.05,
        random_state=0,
    )
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    head = BinaryClassHead(thresholds=[0.3], name="churn")
    return LinearEstimator(head, threshold=0.4).fit(X, y)


@pytest.mark.parametrize(
    "key",
    [
        "accuracy/churn",
        "precision/churn",
        "recall/churn",
        "auc/churn",
        "auc_precision_recall/churn",
        "recall/positive_threshold_0.3/churn",
    ],
)
def test_scorer_returns_the_evaluated_metric(data, fitted, key):
    X, y = data
    sample_weight = np.random.RandomState(0).uniform(0.2, 3.0, len(y))
    scorer = make_head_scorer(key)
    assert scorer(fitted, X, y) == fitted.evaluate(X, y)[key]
    weighted = scorer(fitted, X, y, sample_weight=sample_weight)
    assert weighted == fitted.evaluate(X, y, sample_weight=sample_weight)[key]
    assert weighted != scorer(fitted, X, y)


def test_loss_keys_are_negated(data, fitted):
    X, y = data
    loss = fitted.evaluate(X, y)["average_loss/churn"]
    assert loss > 0
    assert make_head_scorer("average_loss/churn")(fitted, X, y) == -loss


def test_scorer_on_multilabel_class_metrics():
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    est = LinearEstimator(MultiLabelHead(3, classes_for_class_based_metrics=[2])).fit(X, Y)
    for key in ["auc", "auc/class2", "auc_precision_recall/class2"]:
        assert make_head_scorer(key)(est, X, Y) == est.evaluate(X, Y)[key]


def test_scorer_reaches_through_a_pipeline(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LinearClassifier(threshold=0.3)).fit(X, y)
    expected = pipe[-1].evaluate(pipe[:-1].transform(X), y)["precision"]
    assert make_head_scorer("precision")(pipe, X, y) == expected
    # and through a fitted search, to its best estimator
    search = GridSearchCV(pipe, {"linearclassifier__alpha": [1e-4]}, cv=2).fit(X, y)
    best = search.best_estimator_
    expected = best[-1].evaluate(best[:-1].transform(X), y)["precision"]
    assert make_head_scorer("precision")(search, X, y) == expected


def test_scorer_errors(data, fitted):
    X, y = data
    with pytest.raises(ValueError, match="'auc/class9' is not a metric.*auc/churn"):
        make_head_scorer("auc/class9")(fitted, X, y)
    # any classifier with probabilities is scored (see test_metrics_api.py);
    # without them, or for a regressor, the scorer says what it needs
    with pytest.raises(TypeError, match="LinearSVC has no predict_proba.*CalibratedClassifierCV"):
        make_head_scorer("auc")(LinearSVC().fit(X, y), X, y)
    with pytest.raises(TypeError, match="need a fitted classifier.*got LinearRegression"):
        make_head_scorer("auc")(LinearRegression().fit(X, y), X, y)
    with pytest.raises(TypeError, match="non-empty string"):
        make_head_scorer(None)
    assert repr(make_head_scorer("auc")) == "make_head_scorer('auc')"


def test_multi_metric_cross_validate_matches_a_manual_loop(data):
    X, y = data
    keys = ["recall", "precision", "average_loss"]
    scoring = {key: make_head_scorer(key) for key in keys}
    cv = KFold(3, shuffle=True, random_state=0)
    original = LinearClassifier.decision_function
    with mock.patch.object(
        LinearClassifier, "decision_function", autospec=True, side_effect=original
    ) as decision_function:
        results = cross_validate(LinearClassifier(threshold=0.3), X, y, cv=cv, scoring=scoring)
    # three scorers, one decision_function per test fold: the response is cached
    assert decision_function.call_count == 3
    for fold, (train, test) in enumerate(cv.split(X)):
        est = LinearClassifier(threshold=0.3).fit(X[train], y[train])
        metrics = est.evaluate(X[test], y[test])
        assert results["test_recall"][fold] == metrics["recall"]
        assert results["test_precision"][fold] == metrics["precision"]
        assert results["test_average_loss"][fold] == -metrics["average_loss"]


def test_sample_weight_is_routed_to_fit_and_scorer(data):
    X, y = data
    sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    with config_context(enable_metadata_routing=True):
        scorer = make_head_scorer("auc_precision_recall").set_score_request(sample_weight=True)
        est = LinearClassifier().set_fit_request(sample_weight=True)
        results = cross_validate(
            est, X, y, cv=cv, scoring=scorer, params={"sample_weight": sample_weight}
        )
        unweighted = cross_validate(LinearClassifier(), X, y, cv=cv, scoring=scorer)
    for fold, (train, test) in enumerate(cv.split(X)):
        fitted = LinearClassifier().fit(X[train], y[train], sample_weight=sample_weight[train])
        expected = fitted.evaluate(X[test], y[test], sample_weight=sample_weight[test])
        assert results["test_score"][fold] == expected["auc_precision_recall"]
    assert not np.allclose(results["test_score"], unweighted["test_score"])


def test_grid_search_over_pos_weight_and_threshold(data):
    X, y = data
    pos_weights, thresholds = [1.0, 3.0, 9.0], [0.2, 0.5, 0.8]
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LinearClassifier()),
        {"linearclassifier__pos_weight": pos_weights, "linearclassifier__threshold": thresholds},
        scoring={
            "recall": make_head_scorer("recall"),
            "precision": make_head_scorer("precision"),
            "auc": make_head_scorer("auc"),
        },
        refit="auc",
        cv=3,
    ).fit(X, y)
    results = search.cv_results_
    # rows are ordered pos_weight-major: reshape to (pos_weight, threshold)
    recall = results["mean_test_recall"].reshape(3, 3)
    auc = results["mean_test_auc"].reshape(3, 3)
    assert [p["linearclassifier__threshold"] for p in results["params"][:3]] == thresholds
    # the threshold does not change the fit: recall falls with it, AUC is flat
    assert np.all(np.diff(recall, axis=1) <= 0) and np.all(recall[:, 0] > recall[:, -1])
    assert np.allclose(auc, auc[:, :1])
    # up-weighting the positives raises recall at every threshold
    assert np.all(np.diff(recall, axis=0) >= 0) and np.all(recall[-1] > recall[0])
    assert search.best_score_ == results["mean_test_auc"].max()


def test_scorers_of_a_logistic_regression_head_in_model_selection(data):
    # a LogisticRegressionHead estimator is a regressor: its logits do not
    # come through scikit-learn's response cache (regressors only have
    # ``predict`` there before 1.9), and no fold may score NaN
    X, y = data
    target = np.clip(y * 0.8 + 0.1 + 0.05 * X[:, 0], 0, 1)
    scoring = {key: make_head_scorer(key) for key in ("average_loss", "label/mean")}
    cv = KFold(3, shuffle=True, random_state=0)
    results = cross_validate(
        LinearEstimator(LogisticRegressionHead()), X, target, cv=cv, scoring=scoring,
        error_score="raise",
    )
    for fold, (train, test) in enumerate(cv.split(X)):
        metrics = LinearEstimator(LogisticRegressionHead()).fit(X[train], target[train]).evaluate(
            X[test], target[test]
        )
        assert results["test_average_loss"][fold] == -metrics["average_loss"]
        assert results["test_label/mean"][fold] == metrics["label/mean"]
    search = GridSearchCV(
        LinearEstimator(LogisticRegressionHead()), {"alpha": [1e-4, 1.0]},
        scoring=make_head_scorer("average_loss"), cv=cv, error_score="raise",
    ).fit(X, target)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_ == {"alpha": 1e-4}
