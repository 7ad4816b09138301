"""sklearn_heads.metrics and sklearn_heads.evaluate: TensorFlow's numbers for any model.

The functions are checked against the heads' own ``evaluate`` (the same
values, to the bit), and ``evaluate`` against the estimators' ``evaluate``
(this package's models, alone or wrapped) and against the functions and
scikit-learn's metrics (any other classifier).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    StackingClassifier,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    make_scorer,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    KFold,
    TunedThresholdClassifierCV,
    cross_val_score,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits
from sklearn.tree import DecisionTreeClassifier

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    MultiClassHead,
    MultiLabelHead,
    evaluate,
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

RNG = np.random.RandomState(0)
N = 300
#: logits of a model that is right more often than not, some of them so
#: large that their probabilities are exactly 0 or 1 in float64
LOGITS = RNG.normal(scale=2.5, size=N)
LOGITS[:6] = [800.0, -800.0, 800.0, -800.0, 40.0, -40.0]
Y = (RNG.uniform(size=N) < expit(LOGITS)).astype(int)
Y[:4] = [1, 0, 0, 1]  # two confident errors at probabilities 1 and 0
W = RNG.uniform(0.1, 3.0, size=N)
P = expit(LOGITS)

LOGITS_ML = RNG.normal(scale=2.0, size=(N, 3))
LOGITS_ML[0] = [800.0, -800.0, 0.0]
Y_ML = (RNG.uniform(size=(N, 3)) < expit(LOGITS_ML)).astype(int)
P_ML = expit(LOGITS_ML)

THRESHOLDS = [0.3, 0.7]


def test_probabilities_include_exact_zeros_and_ones():
    assert P[0] == 1.0 and P[1] == 0.0 and P_ML[0, 0] == 1.0 and P_ML[0, 1] == 0.0


# ----------------------------------------------------------------------
# the functions equal the heads' values
@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_binary_functions_equal_the_head(w):
    expected = BinaryClassHead(thresholds=THRESHOLDS).evaluate(Y, LOGITS[:, None], w)
    assert metrics.auc(Y, P, sample_weight=w) == expected["auc"]
    assert metrics.auc_precision_recall(Y, P, sample_weight=w) == expected["auc_precision_recall"]
    assert metrics.accuracy_baseline(Y, sample_weight=w) == expected["accuracy_baseline"]
    for t in THRESHOLDS:
        for name, function in [
            ("precision", metrics.precision_at_threshold),
            ("recall", metrics.recall_at_threshold),
            ("accuracy", metrics.accuracy_at_threshold),
        ]:
            value = function(Y, P, threshold=t, sample_weight=w)
            assert value == expected[f"{name}/positive_threshold_{t}"], (name, t)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_multilabel_functions_equal_the_head(w, sparse):
    head = MultiLabelHead(3, thresholds=THRESHOLDS, classes_for_class_based_metrics=[0, 2])
    expected = head.evaluate(Y_ML, LOGITS_ML, w)
    y_true = sp.csr_matrix(Y_ML) if sparse else Y_ML
    assert metrics.auc(y_true, P_ML, sample_weight=w) == expected["auc"]
    assert metrics.auc_precision_recall(y_true, P_ML, sample_weight=w) == expected[
        "auc_precision_recall"
    ]
    for t in THRESHOLDS:
        assert metrics.precision_at_threshold(y_true, P_ML, threshold=t, sample_weight=w) == (
            expected[f"precision/positive_threshold_{t}"]
        )
        assert metrics.recall_at_threshold(y_true, P_ML, threshold=t, sample_weight=w) == (
            expected[f"recall/positive_threshold_{t}"]
        )
        assert metrics.accuracy_at_threshold(y_true, P_ML, threshold=t, sample_weight=w) == (
            expected[f"accuracy/positive_threshold_{t}"]
        )
    # the per-class keys are the binary functions on one label's column
    for c in (0, 2):
        assert metrics.auc(Y_ML[:, c], P_ML[:, c], sample_weight=w) == expected[f"auc/class{c}"]


def test_a_nested_list_is_an_indicator_matrix_as_in_scikit_learn():
    # the multi-label head reads nested lists as lists of class ids; the
    # functions and evaluate read them as scikit-learn does
    assert metrics.auc(Y_ML.tolist(), P_ML.tolist()) == metrics.auc(Y_ML, P_ML)
    assert metrics.accuracy_baseline(Y_ML.tolist()) == metrics.accuracy_baseline(Y_ML)
    X, Y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    model = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
    assert evaluate(model, X, Y.tolist()) == evaluate(model, X, Y)


def test_multilabel_accuracy_baseline_pools_the_pairs():
    positives = Y_ML.mean()
    assert metrics.accuracy_baseline(Y_ML) == pytest.approx(max(positives, 1 - positives))
    pairs = Y_ML.ravel()
    assert metrics.accuracy_baseline(Y_ML, sample_weight=W) == pytest.approx(
        metrics.accuracy_baseline(pairs, sample_weight=np.repeat(W, 3)), rel=1e-12
    )


def test_string_labels_with_pos_label_equal_a_vocabulary_head():
    names = np.array(["ham", "spam"])[Y]
    head = BinaryClassHead(label_vocabulary=["ham", "spam"], thresholds=[0.3])
    expected = head.evaluate(names, LOGITS[:, None], W)
    assert metrics.auc(names, P, sample_weight=W, pos_label="spam") == expected["auc"]
    assert metrics.recall_at_threshold(
        names, P, threshold=0.3, sample_weight=W, pos_label="spam"
    ) == expected["recall/positive_threshold_0.3"]
    assert metrics.accuracy_baseline(names, sample_weight=W, pos_label="spam") == expected[
        "accuracy_baseline"
    ]
    # the other class as positive: the complement's probabilities
    assert metrics.auc(names, 1 - P, pos_label="ham") == pytest.approx(metrics.auc(Y, P), abs=0.01)


@pytest.mark.parametrize("labels", [Y * 2 - 1, Y.astype(bool), Y.astype(float)])
def test_numeric_labels_need_no_pos_label(labels):
    assert metrics.auc(labels, P) == metrics.auc(Y, P)


def test_num_thresholds_approaches_the_ranking_auc():
    coarse = metrics.auc(Y[6:], P[6:])
    fine = metrics.auc(Y[6:], P[6:], num_thresholds=100_000)
    exact = roc_auc_score(Y[6:], P[6:])
    assert abs(fine - exact) < abs(coarse - exact)
    assert fine == pytest.approx(exact, abs=1e-4)
    assert metrics.auc(Y, P, num_thresholds=200) == metrics.auc(Y, P)


def test_all_zero_weights_give_zero_as_in_tensorflow():
    zeros = np.zeros(N)
    assert metrics.auc(Y, P, sample_weight=zeros) == 0.0
    assert metrics.precision_at_threshold(Y, P, sample_weight=zeros) == 0.0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: metrics.auc(Y, np.column_stack([1 - P, P])), ValueError, r"\[:, 1\]"),
        (lambda: metrics.auc(np.array(["a", "b"])[Y], P), ValueError, "pass pos_label"),
        (lambda: metrics.auc(Y, P, pos_label=2), ValueError, "pos_label=2 is not a class"),
        (lambda: metrics.auc(Y + RNG.randint(0, 2, N), P), ValueError, "3 classes"),
        (lambda: metrics.auc(Y[:-1], P), ValueError, "299 samples but y_prob has 300"),
        (lambda: metrics.auc(Y, P * 2), ValueError, r"in \[0, 1\]; got"),
        (lambda: metrics.auc(Y, np.where(Y, np.nan, P)), ValueError, r"in \[0, 1\]; got nan"),
        (lambda: metrics.auc(Y, P, sample_weight=-W), ValueError, ">= 0"),
        (lambda: metrics.auc(Y, P, num_thresholds=1), ValueError, "num_thresholds"),
        (lambda: metrics.recall_at_threshold(Y, P, threshold=1.5), ValueError, "threshold"),
        (lambda: metrics.auc(Y_ML, P), ValueError, r"shape \(n_samples, 3\)"),
        (lambda: metrics.auc(Y_ML, P_ML, pos_label="x"), ValueError, "binary targets"),
        (lambda: metrics.auc(Y, P, num_thresholds=2.5), TypeError, "num_thresholds"),
    ],
)
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------
# as scikit-learn scorers on any classifier
@pytest.fixture(scope="module")
def binary_data():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, weights=[0.75], flip_y=0.05,
        random_state=0,
    )
    return X, y


@pytest.mark.parametrize(
    "model",
    [
        HistGradientBoostingClassifier(max_iter=20, random_state=0),
        RandomForestClassifier(n_estimators=10, random_state=0),
        LogisticRegression(),
    ],
    ids=["hgb", "forest", "logistic"],
)
def test_make_scorer_with_predict_proba_on_any_classifier(binary_data, model):
    X, y = binary_data
    cv = KFold(3, shuffle=True, random_state=0)
    scorer = make_scorer(
        metrics.recall_at_threshold, response_method="predict_proba", threshold=0.3
    )
    scores = cross_val_score(model, X, y, cv=cv, scoring=scorer, error_score="raise")
    for fold, (train, test) in enumerate(cv.split(X)):
        proba = model.fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        assert scores[fold] == metrics.recall_at_threshold(y[test], proba, threshold=0.3)


def test_make_scorer_with_string_labels(binary_data):
    X, y = binary_data
    names = np.array(["ham", "spam"])[y]
    scorer = make_scorer(metrics.auc, response_method="predict_proba", pos_label="spam")
    model = LogisticRegression().fit(X, names)
    assert scorer(model, X, names) == metrics.auc(y, model.predict_proba(X)[:, 1])
    # pos_label is also the class whose probabilities scikit-learn passes
    ham = make_scorer(metrics.auc, response_method="predict_proba", pos_label="ham")
    assert ham(model, X, names) == metrics.auc(1 - y, model.predict_proba(X)[:, 0])


# ----------------------------------------------------------------------
# evaluate on this package's estimators, alone and wrapped
def test_evaluate_of_an_estimator_is_its_own(binary_data):
    X, y = binary_data
    clf = LinearClassifier(threshold=0.4).fit(X, y)
    assert evaluate(clf, X, y, sample_weight=W) == clf.evaluate(X, y, sample_weight=W)


def test_evaluate_a_pipeline_without_transforming_by_hand(binary_data):
    X, y = binary_data
    pipe = make_pipeline(StandardScaler(), LinearClassifier(threshold=0.3)).fit(X, y)
    assert evaluate(pipe, X, y) == pipe[-1].evaluate(pipe[:-1].transform(X), y)
    assert evaluate(pipe, X, y, sample_weight=W) == pipe[-1].evaluate(
        pipe[:-1].transform(X), y, sample_weight=W
    )


def test_evaluate_searches_and_frozen_estimators(binary_data):
    X, y = binary_data
    search = GridSearchCV(LinearClassifier(), {"threshold": [0.3, 0.6]}, cv=2).fit(X, y)
    assert evaluate(search, X, y) == search.best_estimator_.evaluate(X, y)
    frozen = FrozenEstimator(search.best_estimator_)
    assert evaluate(frozen, X, y) == search.best_estimator_.evaluate(X, y)


@pytest.mark.parametrize("wrapper", ["fixed", "tuned"])
def test_evaluate_threshold_wrappers_count_their_decisions(binary_data, wrapper):
    X, y = binary_data
    clf = LinearEstimator(BinaryClassHead(thresholds=[0.3], name="churn"))
    if wrapper == "fixed":
        model = FixedThresholdClassifier(clf, threshold=0.25).fit(X, y)
    else:
        model = TunedThresholdClassifierCV(clf, scoring="f1", cv=3).fit(X, y)
    inner = model.estimator_
    own = inner.evaluate(X, y, sample_weight=W)
    result = evaluate(model, X, y, sample_weight=W)
    y_pred = model.predict(X)
    assert not np.array_equal(y_pred, inner.predict(X))  # another threshold
    assert result["accuracy/churn"] == pytest.approx(
        accuracy_score(y, y_pred, sample_weight=W), rel=1e-12
    )
    assert result["precision/churn"] == pytest.approx(
        precision_score(y, y_pred, sample_weight=W), rel=1e-12
    )
    assert result["recall/churn"] == pytest.approx(
        recall_score(y, y_pred, sample_weight=W), rel=1e-12
    )
    # everything else is the inner estimator's head on its logits
    for key in set(own) - {"accuracy/churn", "precision/churn", "recall/churn"}:
        assert result[key] == own[key], key


def test_evaluate_with_another_head_reads_the_estimators_logits(binary_data):
    X, y = binary_data
    clf = LinearClassifier(threshold=0.4).fit(X, y)
    result = evaluate(clf, X, y, head=BinaryClassHead(thresholds=[0.2]))
    expected = BinaryClassHead(thresholds=[0.2]).evaluate(
        y, clf.decision_function(X), decision_threshold=0.4
    )
    assert result == expected and "recall/positive_threshold_0.2" in result
    with pytest.raises(ValueError, match="same kind and size"):
        evaluate(clf, X, y, head=MultiLabelHead(2))


# ----------------------------------------------------------------------
# evaluate on other classifiers
@pytest.mark.parametrize(
    "model",
    [
        HistGradientBoostingClassifier(max_iter=20, random_state=0),
        LogisticRegression(),
        CalibratedClassifierCV(LinearClassifier(), cv=3),
        StackingClassifier([("linear", LinearClassifier()), ("logistic", LogisticRegression())]),
        make_pipeline(StandardScaler(), HistGradientBoostingClassifier(max_iter=10)),
    ],
    ids=["hgb", "logistic", "calibrated", "stacking", "pipeline"],
)
def test_evaluate_any_binary_classifier(binary_data, model):
    X, y = binary_data
    model.fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    y_pred = model.predict(X)
    result = evaluate(model, X, y, sample_weight=W)
    assert result["auc"] == metrics.auc(y, proba, sample_weight=W)
    assert result["auc_precision_recall"] == metrics.auc_precision_recall(
        y, proba, sample_weight=W
    )
    assert result["accuracy_baseline"] == metrics.accuracy_baseline(y, sample_weight=W)
    assert result["accuracy"] == pytest.approx(accuracy_score(y, y_pred, sample_weight=W))
    assert result["precision"] == pytest.approx(precision_score(y, y_pred, sample_weight=W))
    assert result["recall"] == pytest.approx(recall_score(y, y_pred, sample_weight=W))
    assert result["average_loss"] == pytest.approx(log_loss(y, proba, sample_weight=W), rel=1e-9)
    assert result["prediction/mean"] == pytest.approx(np.average(proba, weights=W))
    assert result["label/mean"] == pytest.approx(np.average(y, weights=W))


def test_evaluate_a_foreign_threshold_classifier_at_its_threshold(binary_data):
    X, y = binary_data
    model = FixedThresholdClassifier(LogisticRegression(), threshold=0.2).fit(X, y)
    result = evaluate(model, X, y)
    assert result["recall"] == pytest.approx(recall_score(y, model.predict(X)))
    assert result["recall"] > evaluate(model.estimator_, X, y)["recall"]


def test_evaluate_probabilities_of_exactly_zero_and_one(binary_data):
    X, y = binary_data
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X[:150], y[:150])
    proba = tree.predict_proba(X[150:])[:, 1]
    assert np.isin(proba, [0.0, 1.0]).any()
    result = evaluate(tree, X[150:], y[150:])
    assert result["auc"] == metrics.auc(y[150:], proba)
    assert result["accuracy"] == pytest.approx(accuracy_score(y[150:], tree.predict(X[150:])))
    confidently_wrong = np.any(np.abs(proba - y[150:]) == 1.0)
    assert confidently_wrong and result["average_loss"] == np.inf
    # right where certain: no loss from those rows at all
    right = np.abs(proba - y[150:]) < 1.0
    assert np.isfinite(evaluate(tree, X[150:][right], y[150:][right])["average_loss"])


def test_evaluate_string_labels_and_the_positive_class(binary_data):
    X, y = binary_data
    names = np.array(["ham", "spam"])[y]
    model = LogisticRegression().fit(X, names)
    expected = evaluate(LogisticRegression().fit(X, y), X, y)
    assert evaluate(model, X, names) == expected
    # a threshold classifier's pos_label is its positive class
    flipped = FixedThresholdClassifier(LogisticRegression(), pos_label="ham").fit(X, names)
    result = evaluate(flipped, X, names)
    assert result["label/mean"] == pytest.approx(np.mean(names == "ham"))
    assert result["auc"] == metrics.auc(names, flipped.predict_proba(X)[:, 0], pos_label="ham")


def test_evaluate_with_a_given_head(binary_data):
    X, y = binary_data
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    head = BinaryClassHead(thresholds=[0.3], name="lr", pos_weight=4.0)
    result = evaluate(model, X, y, head=head)
    assert result["recall/positive_threshold_0.3/lr"] == metrics.recall_at_threshold(
        y, proba, threshold=0.3
    )
    unweighted = evaluate(model, X, y)["average_loss"]
    assert result["average_loss/lr"] > unweighted  # the positives' loss weighs 4 times
    names = np.array(["ham", "spam"])[y]
    vocabulary = BinaryClassHead(label_vocabulary=["ham", "spam"])
    on_names = evaluate(LogisticRegression().fit(X, names), X, names, head=vocabulary)
    assert on_names == evaluate(model, X, y)


def test_evaluate_multilabel_classifiers():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=3, random_state=0)
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, Y)  # list of arrays
    one_vs_rest = OneVsRestClassifier(LogisticRegression()).fit(X, Y)  # one (n, 3) array
    for model in (forest, one_vs_rest):
        proba = model.predict_proba(X)
        if isinstance(proba, list):
            proba = np.column_stack([p[:, 1] for p in proba])
        result = evaluate(model, X, Y, sample_weight=W[:200])
        assert sorted(result) == ["auc", "auc_precision_recall", "average_loss"]
        assert result["auc"] == metrics.auc(Y, proba, sample_weight=W[:200])
        head = MultiLabelHead(3, classes_for_class_based_metrics=[1], thresholds=[0.5])
        per_class = evaluate(model, X, Y, head=head)
        assert per_class["auc/class1"] == metrics.auc(Y[:, 1], proba[:, 1])
        assert per_class["precision/positive_threshold_0.5"] == metrics.precision_at_threshold(
            Y, proba
        )


def test_evaluate_multilabel_of_two_labels():
    # scikit-learn takes classes_ = [0, 1] for binary; the indicator y says otherwise
    X, Y = make_multilabel_classification(n_samples=100, n_classes=2, random_state=0)
    model = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
    assert evaluate(model, X, Y)["auc"] == metrics.auc(Y, model.predict_proba(X))


def test_evaluate_multiclass_classifiers():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    result = evaluate(model, X, y, sample_weight=W[:150])
    assert sorted(result) == ["accuracy", "average_loss"]
    assert result["accuracy"] == pytest.approx(
        accuracy_score(y, model.predict(X), sample_weight=W[:150])
    )
    assert result["average_loss"] == pytest.approx(
        log_loss(y, model.predict_proba(X), sample_weight=W[:150]), rel=1e-9
    )
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    # a vocabulary in another order than classes_ reorders the probabilities
    head = MultiClassHead(3, label_vocabulary=["virginica", "setosa", "versicolor"], name="iris")
    on_names = evaluate(LogisticRegression(max_iter=1000).fit(X, names), X, names, head=head)
    assert on_names == {f"{key}/iris": value for key, value in evaluate(model, X, y).items()}


def test_evaluate_errors(binary_data):
    X, y = binary_data
    with pytest.raises(NotFittedError):
        evaluate(LogisticRegression(), X, y)
    with pytest.raises(TypeError, match="no predict_proba.*CalibratedClassifierCV"):
        evaluate(LinearSVC().fit(X, y), X, y)
    with pytest.raises(TypeError, match="need a fitted classifier"):
        evaluate(LinearRegression().fit(X, y), X, y)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="y has 299 samples but X has 300"):
        evaluate(model, X, y[1:])
    with pytest.raises(ValueError, match="sample_weight is all zero"):
        evaluate(model, X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="y is required"):
        evaluate(model, X, None)
