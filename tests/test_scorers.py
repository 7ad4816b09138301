"""Tests of make_head_scorer, alone and in scikit-learn's model selection."""

import warnings
from unittest import mock

import numpy as np
import pytest
from sklearn import config_context
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    StackingClassifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer, precision_score, recall_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    KFold,
    TunedThresholdClassifierCV,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MultiLabelHead,
    evaluate,
    make_head_scorer,
    metrics,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    """HistGradientBoosting's OpenMP threads wait for work by spinning: on a
    busy machine one fit of a few hundred rows takes seconds instead of
    milliseconds. One thread is plenty here."""
    with threadpool_limits(1, user_api="openmp"):
        yield


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


# ----------------------------------------------------------------------
# any classifier and meta-estimator (issue 16)
FOREIGN = {
    "logistic": lambda: LogisticRegression(),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=15, random_state=0),
    "calibrated": lambda: CalibratedClassifierCV(LinearClassifier(), cv=3),
    "stacking": lambda: StackingClassifier(
        [("linear", LinearClassifier()), ("logistic", LogisticRegression())], cv=3
    ),
    "fixed threshold": lambda: FixedThresholdClassifier(LogisticRegression(), threshold=0.3),
    "pipeline": lambda: make_pipeline(StandardScaler(), RandomForestClassifier(10, random_state=0)),
}


@pytest.mark.parametrize("name", list(FOREIGN))
@pytest.mark.parametrize(
    "key", ["auc", "recall", "average_loss", "precision/positive_threshold_0.3"]
)
def test_scorer_on_any_classifier_matches_evaluate_per_fold(data, name, key):
    X, y = data
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(
        FOREIGN[name](), X, y, cv=cv, scoring=make_head_scorer(key), error_score="raise"
    )
    # a forest's probabilities of exactly 0 and 1 make its log loss infinite
    # where it is certain and wrong; every other score is a number
    assert np.all(np.isfinite(scores)) or (name, key) == ("pipeline", "average_loss")
    for fold, (train, test) in enumerate(cv.split(X)):
        model = FOREIGN[name]().fit(X[train], y[train])
        head = BinaryClassHead(thresholds=[0.3]) if "threshold_" in key else None
        expected = evaluate(model, X[test], y[test], head=head)[key]
        assert scores[fold] == (-expected if key == "average_loss" else expected)


def test_scorer_at_a_threshold_needs_no_head_option_on_foreign_models(data):
    X, y = data
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    assert make_head_scorer("recall/positive_threshold_0.3")(model, X, y) == (
        metrics.recall_at_threshold(y, proba, threshold=0.3)
    )
    # a name in the key names the head
    assert make_head_scorer("auc/challenger")(model, X, y) == metrics.auc(y, proba)
    X_ml, Y_ml = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    forest = RandomForestClassifier(10, random_state=0).fit(X_ml, Y_ml)
    column = forest.predict_proba(X_ml)[2][:, 1]
    assert make_head_scorer("auc_precision_recall/class2")(forest, X_ml, Y_ml) == (
        metrics.auc_precision_recall(Y_ml[:, 2], column)
    )


@pytest.mark.parametrize("wrapper", ["pipeline", "search", "frozen", "fixed", "tuned"])
def test_scorer_through_meta_estimators_of_own_estimators(data, wrapper):
    X, y = data
    clf = LinearEstimator(BinaryClassHead(thresholds=[0.3]), threshold=0.4)
    if wrapper == "pipeline":
        model = make_pipeline(StandardScaler(), clf).fit(X, y)
    elif wrapper == "search":
        model = GridSearchCV(clf, {"alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    elif wrapper == "frozen":
        model = FrozenEstimator(clf.fit(X, y))
    elif wrapper == "fixed":
        model = FixedThresholdClassifier(clf, threshold=0.2).fit(X, y)
    else:
        scorer = make_head_scorer("accuracy")
        model = TunedThresholdClassifierCV(clf, scoring=scorer, cv=3).fit(X, y)
    expected = evaluate(model, X, y)
    for key in ("recall", "auc", "recall/positive_threshold_0.3", "average_loss"):
        value = make_head_scorer(key)(model, X, y)
        assert value == (-expected[key] if key == "average_loss" else expected[key])
    # the recall of the model's own decisions, at its own threshold
    assert make_head_scorer("recall")(model, X, y) == pytest.approx(
        recall_score(y, model.predict(X)), rel=1e-12
    )


def test_tuned_threshold_classifier_tunes_a_head_metric(data):
    X, y = data
    cv = KFold(3, shuffle=True, random_state=0)
    ours = TunedThresholdClassifierCV(
        LinearClassifier(), scoring=make_head_scorer("accuracy"), cv=cv, store_cv_results=True
    ).fit(X, y)
    sklearns = TunedThresholdClassifierCV(
        LinearClassifier(), scoring="accuracy", cv=cv, store_cv_results=True
    ).fit(X, y)
    # the same decisions at every candidate threshold: the same scores, to rounding
    assert np.allclose(ours.cv_results_["scores"], sklearns.cv_results_["scores"], atol=1e-12)
    assert ours.best_threshold_ == sklearns.best_threshold_
    # precision of no predicted positive is 0, as scikit-learn's zero_division=0
    precision = TunedThresholdClassifierCV(
        LinearClassifier(), scoring=make_head_scorer("precision"), cv=cv, store_cv_results=True
    ).fit(X, y)
    reference = TunedThresholdClassifierCV(
        LinearClassifier(), scoring=make_scorer(precision_score, zero_division=0), cv=cv,
        store_cv_results=True,
    ).fit(X, y)
    assert np.allclose(precision.cv_results_["scores"], reference.cv_results_["scores"])
    # and the tuned model scores at its tuned threshold
    assert make_head_scorer("accuracy")(ours, X, y) == pytest.approx(
        accuracy_score(y, ours.predict(X)), rel=1e-12
    )


def test_tuned_threshold_classifier_with_string_labels(data):
    X, y = data
    names = np.array(["ham", "spam"])[y]
    for positive in ("spam", "ham"):
        tuned = TunedThresholdClassifierCV(
            LogisticRegression(), scoring=make_head_scorer("recall", pos_label=positive), cv=3
        ).fit(X, names)
        reference = TunedThresholdClassifierCV(
            LogisticRegression(), scoring=make_scorer(recall_score, pos_label=positive), cv=3
        ).fit(X, names)
        assert tuned.best_threshold_ == reference.best_threshold_
        assert make_head_scorer("recall", pos_label=positive)(tuned, X, names) == (
            pytest.approx(recall_score(names, tuned.predict(X), pos_label=positive))
        )


def test_score_function_of_decisions(data):
    X, y = data
    scorer = make_head_scorer("recall")
    y_pred = LogisticRegression().fit(X, y).predict(X)
    assert scorer._score_func(y, y_pred) == pytest.approx(recall_score(y, y_pred))
    with pytest.raises(ValueError, match="scores a model's probabilities, not its decisions"):
        TunedThresholdClassifierCV(LogisticRegression(), scoring=make_head_scorer("auc")).fit(X, y)


def test_misspelt_keys_fail_when_the_scorer_is_made():
    with pytest.raises(ValueError, match="'acuracy' is not a metric key.*did you mean 'accuracy'"):
        make_head_scorer("acuracy")
    with pytest.raises(ValueError, match="did you mean 'precision/positive_threshold_0.3'"):
        make_head_scorer("precision/positive_treshold_0.3")
    with pytest.raises(ValueError, match="%g.*did you mean 'recall/positive_threshold_0.3'"):
        make_head_scorer("recall/positive_threshold_0.30")
    with pytest.raises(ValueError, match="did you mean 'auc_precision_recall/class2'"):
        make_head_scorer("auc_precison_recall/class2")
    with pytest.raises(ValueError, match="not in the open interval"):
        make_head_scorer("recall/positive_threshold_1.5")
    with pytest.raises(ValueError, match="only accuracy, precision and recall"):
        make_head_scorer("auc/positive_threshold_0.5")
    with pytest.raises(ValueError, match="per class"):
        make_head_scorer("probability_mean")


def test_missing_keys_name_the_head_option(data):
    X, y = data
    clf = LinearClassifier().fit(X, y)
    with pytest.raises(ValueError, match=r"reports it with thresholds=\[0.3\]"):
        make_head_scorer("recall/positive_threshold_0.3")(clf, X, y)
    X_ml, Y_ml = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    est = LinearEstimator(MultiLabelHead(3)).fit(X_ml, Y_ml)
    with pytest.raises(
        ValueError,
        match=r"classes_for_class_based_metrics=\[2\]: LinearEstimator\(MultiLabelHead\(\.\.\., "
        r"classes_for_class_based_metrics=\[2\]\)\)",
    ):
        make_head_scorer("auc/class2")(est, X_ml, Y_ml)
    with pytest.raises(ValueError, match="a MultiLabelHead does not report 'accuracy_baseline'"):
        make_head_scorer("accuracy_baseline")(est, X_ml, Y_ml)


def test_multi_metric_scoring_of_a_foreign_model_predicts_once_per_fold(data):
    X, y = data
    cv = KFold(3, shuffle=True, random_state=0)
    scoring = {key: make_head_scorer(key) for key in ("auc", "recall", "precision", "average_loss")}
    methods = {}
    for method in ("predict_proba", "predict"):
        original = getattr(LogisticRegression, method)
        methods[method] = mock.patch.object(
            LogisticRegression, method, autospec=True, side_effect=original
        )
    with methods["predict_proba"] as predict_proba, methods["predict"] as predict:
        cross_validate(LogisticRegression(), X, y, cv=cv, scoring=scoring)
    # once per test fold each (predict on top of predict_proba: the decisions)
    assert predict_proba.call_count == 3
    assert predict.call_count == 3


def test_sample_weight_routed_to_the_scorer_of_a_foreign_model(data):
    X, y = data
    sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    with config_context(enable_metadata_routing=True):
        scorer = make_head_scorer("auc_precision_recall").set_score_request(sample_weight=True)
        model = LogisticRegression().set_fit_request(sample_weight=False)
        results = cross_validate(
            model, X, y, cv=cv, scoring=scorer, params={"sample_weight": sample_weight}
        )
    for fold, (train, test) in enumerate(cv.split(X)):
        proba = LogisticRegression().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        assert results["test_score"][fold] == metrics.auc_precision_recall(
            y[test], proba, sample_weight=sample_weight[test]
        )


def test_searches_with_sample_weight_raise_no_warning_about_the_scorer(data):
    X, y = data
    sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        GridSearchCV(
            LogisticRegression(), {"C": [0.1, 1.0]}, scoring=make_head_scorer("auc"), cv=2
        ).fit(X, y, sample_weight=sample_weight)


def test_scorer_repr_and_pos_label_of_own_estimators(data):
    X, y = data
    assert repr(make_head_scorer("recall", pos_label="spam")) == (
        "make_head_scorer('recall', pos_label='spam')"
    )
    clf = LinearClassifier().fit(X, y)
    assert make_head_scorer("recall", pos_label=1)(clf, X, y) == clf.evaluate(X, y)["recall"]
    with pytest.raises(ValueError, match="pos_label=0, but the positive class"):
        make_head_scorer("recall", pos_label=0)(clf, X, y)
