"""What scikit-learn users expect of the classifiers' labels (issue 15).

``pos_label`` (the positive class of a binary target, with scikit-learn's
orientation of ``classes_``, ``decision_function``, ``predict_proba`` and
``coef_`` kept), ``pos_weight="balanced"``, multi-label targets given as
lists of labels per row, ``predict_log_proba``, and the ``thresholds`` and
``classes_for_class_based_metrics`` the classifiers hand to their head.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer, scale

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiClassHead,
    MultiLabelHead,
    RegressionHead,
    evaluate,
    make_head_scorer,
)
from sklearn_heads._compat import InvalidParameterError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _churn_data(n=300, seed=0):
    """'stay' (about 80%) or 'churn', from three features."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    score = X @ [1.5, -1.0, 0.5] + 0.8 * rng.normal(size=n)
    y = np.where(score > np.quantile(score, 0.8), "churn", "stay")
    return X, y


def _linear(**params):
    return LinearClassifier(alpha=1e-3, tol=1e-8, max_iter=500, **params)


def _mlp(**params):
    return MLPClassifier((6,), alpha=1e-2, random_state=0, max_iter=300, **params)


# ----------------------------------------------------------------------
# pos_label
@pytest.mark.parametrize("make", [_linear, _mlp], ids=["linear", "mlp"])
def test_pos_label_is_the_head_positive_class_with_scikit_learn_orientation(make):
    X, y = _churn_data()
    churn = (y == "churn").astype(int)
    clf = make(pos_label="churn", pos_weight=5.0).fit(X, y)
    # the same problem as 0/1 labels with churn as 1: the same fit, its
    # logits negated (decision_function > 0 means classes_[1], 'stay')
    reference = make(pos_weight=5.0).fit(X, churn)
    assert_array_equal(clf.classes_, ["churn", "stay"])
    assert clf.head_.pos_weight == 5.0
    assert_allclose(clf.decision_function(X), -reference.decision_function(X), atol=1e-10)
    proba = clf.predict_proba(X)
    assert_allclose(proba[:, 1], expit(clf.decision_function(X)))
    assert_allclose(proba[:, 0], reference.predict_proba(X)[:, 1], atol=1e-10)
    assert_array_equal(clf.predict(X) == "churn", reference.predict(X) == 1)
    # the metrics are about churn: the reference's, with churn as 1
    assert clf.evaluate(X, y) == pytest.approx(reference.evaluate(X, churn), abs=1e-10)


def test_linear_coef_gives_the_decision_function():
    X, y = _churn_data()
    clf = _linear(pos_label="churn").fit(X, y)
    assert_allclose(clf.decision_function(X), X @ clf.coef_[0] + clf.intercept_[0])
    # scikit-learn's own logistic regression has the same orientation
    sk = LogisticRegression(C=1 / (1e-3 * X.shape[0]), tol=1e-10).fit(X, y)
    assert_allclose(clf.coef_, sk.coef_, rtol=1e-4, atol=1e-5)


def test_churn_is_up_weighted_and_recall_is_reported_for_churn():
    X, y = _churn_data()
    plain = _linear(pos_label="churn").fit(X, y)
    weighted = _linear(pos_label="churn", pos_weight=5).fit(X, y)
    for clf in (plain, weighted):
        metrics = clf.evaluate(X, y)
        y_pred = clf.predict(X)
        assert metrics["recall"] == pytest.approx(recall_score(y, y_pred, pos_label="churn"))
        assert metrics["precision"] == pytest.approx(
            precision_score(y, y_pred, pos_label="churn")
        )
        assert metrics["label/mean"] == pytest.approx(np.mean(y == "churn"))
    # up-weighting the minority finds more of it
    assert weighted.evaluate(X, y)["recall"] > plain.evaluate(X, y)["recall"]
    assert np.sum(weighted.predict(X) == "churn") > np.sum(plain.predict(X) == "churn")
    assert weighted.evaluate(X, y)["prediction/mean"] > plain.evaluate(X, y)["prediction/mean"]
    # the scorer reports the same number
    scorer = make_head_scorer("recall")
    assert scorer(weighted, X, y) == weighted.evaluate(X, y)["recall"]
    assert make_head_scorer("recall", pos_label="churn")(weighted, X, y) == scorer(weighted, X, y)
    with pytest.raises(ValueError, match=r"pos_label='stay', but the positive class .* 'churn'"):
        make_head_scorer("recall", pos_label="stay")(weighted, X, y)
    assert evaluate(weighted, X, y) == weighted.evaluate(X, y)


def test_threshold_applies_to_the_probability_of_pos_label():
    X, y = _churn_data()
    clf = _linear(pos_label="churn", threshold=0.3).fit(X, y)
    p_churn = clf.predict_proba(X)[:, 0]
    assert_array_equal(clf.predict(X), np.where(p_churn > 0.3, "churn", "stay"))
    assert clf.evaluate(X, y)["recall"] == pytest.approx(
        recall_score(y, clf.predict(X), pos_label="churn")
    )


def test_pos_label_of_the_second_class_is_the_default():
    X, y = _churn_data()
    default = _linear().fit(X, y)
    explicit = _linear(pos_label="stay").fit(X, y)
    assert_array_equal(default.coef_, explicit.coef_)
    assert default.evaluate(X, y) == explicit.evaluate(X, y)


def test_pos_label_with_numbers_and_class_weight():
    X, y = make_classification(200, 4, weights=[0.7], random_state=0)
    clf = _linear(pos_label=0, class_weight={0: 3.0, 1: 1.0}).fit(X, y)
    reference = _linear(class_weight={1: 3.0, 0: 1.0}).fit(X, 1 - y)
    assert_array_equal(clf.classes_, [0, 1])
    assert_allclose(clf.decision_function(X), -reference.decision_function(X), atol=1e-10)
    assert_array_equal(clf.predict(X), 1 - reference.predict(X))
    assert clf.score(X, y) == reference.score(X, 1 - y)


def test_warm_start_keeps_the_orientation():
    X, y = _churn_data()
    clf = _linear(pos_label="churn", warm_start=True).fit(X, y)
    coef = clf.coef_.copy()
    clf.fit(X, y)  # starts at the solution
    assert clf.n_iter_ <= 1
    assert_allclose(clf.coef_, coef, atol=1e-8)
    # switching the positive class starts from the same model, the other way round
    clf.set_params(pos_label="stay").fit(X, y)
    assert clf.n_iter_ <= 1
    assert_allclose(clf.coef_, coef, atol=1e-8)


def test_pos_label_not_a_class_is_an_error():
    X, y = _churn_data()
    with pytest.raises(ValueError, match=r"pos_label='leave' is not a class of y; the classes "
                                         r"are \['churn', 'stay'\]"):
        _linear(pos_label="leave").fit(X, y)
    with pytest.raises(ValueError, match=r"pos_label=2 is not a class of y"):
        _linear(pos_label=2).fit(X, (y == "churn").astype(int))


def test_pos_label_is_for_binary_targets():
    X, y = _churn_data()
    three = np.where(X[:, 1] > 1, "leave", y)
    with pytest.raises(ValueError, match=r"pos_label='churn' applies to binary targets"):
        _linear(pos_label="churn").fit(X, three)
    Y = np.column_stack([y == "churn", X[:, 0] > 0]).astype(int)
    with pytest.raises(ValueError, match=r"pos_label=1 is the positive class of a binary"):
        _linear(pos_label=1).fit(X, Y)


def test_pos_label_parameter_type_is_validated():
    X, y = _churn_data()
    with pytest.raises(InvalidParameterError, match="pos_label"):
        _linear(pos_label=["churn"]).fit(X, y)


def test_pos_weight_on_string_classes_without_pos_label_warns():
    X, y = _churn_data()
    with pytest.warns(UserWarning, match=r"weighs the positive class, which is 'stay' only "
                                         r"because it sorts after 'churn'\. Pass pos_label"):
        _linear(pos_weight=5).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _linear(pos_weight=5, pos_label="stay").fit(X, y)  # chosen
        _linear(pos_weight=1).fit(X, y)  # nothing weighed
        _linear(pos_weight="balanced").fit(X, y)  # the same balance either way
        _linear(pos_weight=5).fit(X, (y == "churn").astype(int))  # 1 is positive
    assert not [w for w in caught if "weighs the positive class" in str(w.message)]


def test_onnx_labels_follow_pos_label():
    pytest.importorskip("onnxruntime")
    import onnxruntime as rt

    from sklearn_heads import to_onnx

    X, y = _churn_data()
    clf = _linear(pos_label="churn", threshold=0.3).fit(X, y)
    session = rt.InferenceSession(to_onnx(clf, X[:1]).SerializeToString())
    label, proba = session.run(None, {session.get_inputs()[0].name: X})
    assert_array_equal(label, clf.predict(X))
    assert_allclose(proba, clf.predict_proba(X), rtol=1e-12, atol=1e-12)


def test_dask_fit_with_pos_label_is_the_in_memory_fit():
    da = pytest.importorskip("dask.array")
    import dask

    X, y = _churn_data()
    in_memory = _linear(pos_label="churn", pos_weight=3).fit(X, y)
    with dask.config.set(scheduler="synchronous"):
        Xd, yd = da.from_array(X, chunks=100), da.from_array(y, chunks=100)
        lazy = _linear(pos_label="churn", pos_weight=3).fit(Xd, yd)
        assert_array_equal(lazy.classes_, in_memory.classes_)
        assert_allclose(lazy.coef_, in_memory.coef_, rtol=1e-6, atol=1e-8)
        assert_array_equal(np.asarray(lazy.predict(Xd)), in_memory.predict(X))
        assert lazy.evaluate(Xd, yd) == pytest.approx(in_memory.evaluate(X, y))
        assert_allclose(
            np.asarray(lazy.predict_log_proba(Xd)), in_memory.predict_log_proba(X),
            rtol=1e-6, atol=1e-8,
        )
        with pytest.raises(ValueError, match=r"pos_weight='balanced' needs the totals"):
            _linear(pos_weight="balanced").fit(Xd, yd)


# ----------------------------------------------------------------------
# pos_weight="balanced"
def test_balanced_pos_weight_is_negatives_over_positives():
    X, y = _churn_data()
    w = np.random.RandomState(3).uniform(0.5, 2.0, size=y.shape[0])
    clf = _linear(pos_label="churn", pos_weight="balanced").fit(X, y, sample_weight=w)
    churn = y == "churn"
    expected = w[~churn].sum() / w[churn].sum()
    assert clf.head_.pos_weight == pytest.approx(expected, rel=1e-12)
    assert clf.pos_weight == "balanced"  # the parameter is left alone
    explicit = _linear(pos_label="churn", pos_weight=expected).fit(X, y, sample_weight=w)
    assert_allclose(clf.coef_, explicit.coef_, rtol=1e-12)


def test_balanced_pos_weight_per_label():
    X, Y = make_multilabel_classification(120, 5, n_classes=3, random_state=0)
    clf = _linear(pos_weight="balanced").fit(X, Y)
    positives = Y.sum(axis=0)
    assert_allclose(clf.head_.pos_weight, (Y.shape[0] - positives) / positives)
    assert clf.head_.pos_weight.shape == (3,)


def test_balanced_pos_weight_needs_positives_and_negatives_of_every_label():
    X, Y = make_multilabel_classification(60, 4, n_classes=3, random_state=0)
    Y[:, 1] = 0
    with pytest.raises(ValueError, match=r"pos_weight='balanced' .* label 1 has no positive"):
        _linear(pos_weight="balanced").fit(X, Y)
    lists = [["a", "b"] if i % 2 else ["a"] for i in range(60)]
    with pytest.raises(ValueError, match=r"label 'a' has no negative example"):
        _linear(pos_weight="balanced").fit(X, lists)
    X, y = _churn_data()
    w = np.where(y == "churn", 0.0, 1.0)
    with pytest.raises(ValueError, match=r"the positive class has no positive example"):
        _linear(pos_label="churn", pos_weight="balanced").fit(X, y, sample_weight=w)


def test_pos_weight_string_other_than_balanced_is_refused():
    X, y = _churn_data()
    with pytest.raises(InvalidParameterError, match="pos_weight"):
        _linear(pos_weight="balance").fit(X, y)


def test_grid_search_over_pos_weight_with_balanced():
    X, y = _churn_data()
    search = GridSearchCV(
        _linear(pos_label="churn"),
        {"pos_weight": [1.0, 5.0, "balanced"]},
        scoring={"recall": make_head_scorer("recall"), "auc_pr": make_head_scorer(
            "auc_precision_recall")},
        refit="recall",
        cv=3,
    ).fit(X, y)
    recalls = search.cv_results_["mean_test_recall"]
    assert np.all(np.isfinite(recalls))
    assert recalls[0] < recalls[1]  # up-weighting churn finds more of it
    assert search.best_params_["pos_weight"] != 1.0


# ----------------------------------------------------------------------
# multi-label targets as lists of labels
TAGS = [["news"], ["news", "sports"], [], ["weather", "news"], ["sports"], ["weather"]]


def _tag_data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X, Y = make_multilabel_classification(n, 5, n_classes=3, random_state=seed)
    names = np.array(["news", "sports", "weather"])
    lists = [list(names[np.flatnonzero(row)][rng.permutation(row.sum())]) for row in Y]
    return scale(X), Y, lists


@pytest.mark.parametrize("make", [_linear, _mlp], ids=["linear", "mlp"])
def test_classifiers_fit_lists_of_names_as_the_indicator_matrix(make):
    X, Y, lists = _tag_data()
    clf = make().fit(X, lists)
    reference = make().fit(X, Y)
    assert_array_equal(clf.classes_, ["news", "sports", "weather"])
    assert clf.head_.label_vocabulary == ["news", "sports", "weather"]
    assert_allclose(clf.decision_function(X), reference.decision_function(X))
    assert_array_equal(clf.predict(X), reference.predict(X))
    assert clf.score(X, lists) == reference.score(X, Y)
    assert clf.evaluate(X, lists) == reference.evaluate(X, Y)
    assert evaluate(clf, X, lists) == clf.evaluate(X, lists)
    for key in ("average_loss", "auc_precision_recall"):
        assert make_head_scorer(key)(clf, X, lists) == make_head_scorer(key)(reference, X, Y)
    # predict is the indicator in classes_ order
    assert_array_equal(
        MultiLabelBinarizer(classes=clf.classes_).fit_transform(lists), Y
    )


def test_lists_of_integer_labels_keep_their_values():
    X, Y, _ = _tag_data()
    lists = [[(3, 7, 10)[j] for j in np.flatnonzero(row)] for row in Y]
    clf = _linear().fit(X, lists)
    assert_array_equal(clf.classes_, [3, 7, 10])
    assert clf.head_.label_vocabulary is None
    assert_array_equal(clf.predict(X), _linear().fit(X, Y).predict(X))
    assert clf.score(X, lists) == _linear().fit(X, Y).score(X, Y)
    with pytest.raises(ValueError, match=r"labels not seen in fit: \[4\]; the classes are "
                                         r"\[3, 7, 10\]"):
        clf.evaluate(X, [[4]] + lists[1:])


def test_a_series_of_lists_and_tuples_and_sets():
    X, Y, lists = _tag_data()
    reference = _linear().fit(X, lists)
    for y in (pd.Series(lists), [tuple(row) for row in lists], [set(row) for row in lists]):
        assert_allclose(_linear().fit(X, y).coef_, reference.coef_)
        assert reference.score(X, y) == reference.score(X, lists)


@pytest.mark.parametrize("make_head_estimator", [LinearEstimator, MLPEstimator])
def test_estimators_with_a_multi_label_head_read_lists_as_the_head_does(make_head_estimator):
    X, Y, lists = _tag_data()
    options = {"random_state": 0, "hidden_units": (5,)} if make_head_estimator is MLPEstimator else {}
    names = ["news", "sports", "weather"]
    ids = [[names.index(name) for name in row] for row in lists]
    reference = make_head_estimator(MultiLabelHead(3), **options).fit(X, Y)
    by_ids = make_head_estimator(MultiLabelHead(3), **options).fit(X, ids)
    assert_array_equal(by_ids.classes_, [0, 1, 2])
    assert_allclose(by_ids.decision_function(X), reference.decision_function(X))
    assert by_ids.evaluate(X, ids) == reference.evaluate(X, Y)
    assert by_ids.score(X, ids) == reference.score(X, Y)
    assert make_head_scorer("auc")(by_ids, X, ids) == reference.evaluate(X, Y)["auc"]
    head = MultiLabelHead(3, label_vocabulary=names)
    by_names = make_head_estimator(head, **options).fit(X, lists)
    assert_array_equal(by_names.classes_, names)
    assert_array_equal(by_names.predict(X), reference.predict(X))
    assert by_names.evaluate(X, lists) == reference.evaluate(X, Y)
    assert by_names.evaluate(X, ids) == reference.evaluate(X, Y)  # ids, as the head reads
    with pytest.raises(ValueError, match=r"'politics', which is not in label_vocabulary"):
        by_names.score(X, [["politics"]] + lists[1:])
    with pytest.raises(ValueError, match=r"Class ids in labels must be in \[0, 3\); got 3"):
        make_head_estimator(MultiLabelHead(3)).fit(X, [[3]] + ids[1:])


@pytest.mark.parametrize(
    "estimator",
    [LinearClassifier(), LinearEstimator(MultiLabelHead(3))],
    ids=["classifier", "estimator"],
)
def test_a_rectangular_list_of_numbers_is_a_matrix_as_in_scikit_learn(estimator):
    # check_estimator passes Y.tolist() and expects the fit of Y
    X, Y, _ = _tag_data()
    from_list = estimator.fit(X, Y.tolist()).decision_function(X)
    assert_allclose(from_list, estimator.fit(X, Y).decision_function(X))
    assert estimator.score(X, Y.tolist()) == estimator.score(X, Y)
    assert estimator.evaluate(X, [list(row) for row in Y]) == estimator.evaluate(X, Y)


def test_a_rectangular_list_of_class_ids_is_refused_with_the_binarizer_hint():
    X, _, _ = _tag_data(n=6)
    ids = [[0, 2], [1, 2], [0, 1], [2, 0], [1, 2], [0, 2]]  # two labels per row
    with pytest.raises(ValueError, match=r"read y as scikit-learn reads a nested list .* "
                                         r"'multiclass-multioutput'.*MultiLabelBinarizer"):
        LinearClassifier().fit(X, ids)
    with pytest.raises(ValueError, match=r"nested list whose rows all have the same length.*"
                                         r"MultiLabelBinarizer"):
        LinearEstimator(MultiLabelHead(3)).fit(X, ids)
    # as a ragged list, or binarized, they fit
    Y = MultiLabelBinarizer().fit_transform(ids)
    LinearClassifier().fit(X, Y)


def test_bad_label_lists_are_named():
    X, _, lists = _tag_data(n=6)
    with pytest.raises(ValueError, match=r"only one distinct label, 'news'"):
        _linear().fit(X, [["news"], [], ["news"], [], ["news"], ["news"]])
    with pytest.raises(ValueError, match=r"mix types \(int, str\)"):
        _linear().fit(X, [["news"], [1], [], ["a", "b"], [], []])
    with pytest.raises(ValueError, match=r"row 1 is 'news'"):
        _linear().fit(X, [["news"], "news", [], ["a", "b"], [], []])
    with pytest.raises(ValueError, match=r"must be class ids \(integers\) or names"):
        _linear().fit(X, [[0.5], [1.0, 2.0], [], [], [], []])
    with pytest.raises(ValueError, match=r"y has 5 samples but X has 6|inconsistent"):
        _linear().fit(X, lists[:5])


def test_label_lists_given_to_a_single_label_model_are_refused():
    X, y = _churn_data(n=40)
    binary = _linear().fit(X, y)
    lists = [["churn"], ["stay", "churn"]] * 20
    with pytest.raises(ValueError, match=r"one list of class labels per row, a multi-label "
                                         r"target, which a BinaryClassHead does not take"):
        binary.evaluate(X, lists)
    with pytest.raises(ValueError, match=r"MultiLabelBinarizer"):
        LinearEstimator(BinaryClassHead()).fit(X, lists)
    with pytest.raises(ValueError, match=r"which a RegressionHead does not take"):
        LinearEstimator(RegressionHead()).fit(X, lists)


def test_scikit_learn_tools_that_cannot_carry_lists():
    X, Y, lists = _tag_data()
    # the default cv of a classifier asks type_of_target, which refuses them,
    # pointing at MultiLabelBinarizer
    with pytest.raises(ValueError, match="MultiLabelBinarizer"):
        cross_val_score(LinearClassifier(), X, lists)
    # with a plain KFold scikit-learn only indexes y: our fit and score read it
    scores = cross_val_score(LinearClassifier(), X, lists, cv=KFold(3))
    assert_allclose(scores, cross_val_score(LinearClassifier(), X, Y, cv=KFold(3)))
    # a classifier of another library needs the indicator matrix
    other = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
    with pytest.raises(ValueError, match=r"only this package's estimators read; "
                                         r"OneVsRestClassifier .*MultiLabelBinarizer"):
        evaluate(other, X, lists)


# ----------------------------------------------------------------------
# predict_log_proba
def _fitted_classifiers():
    X, y = _churn_data(n=120)
    three = np.where(X[:, 1] > 1, "leave", y)
    Xm, Y, lists = _tag_data()
    return [
        ("binary", _linear().fit(X, y), X),
        ("pos_label", _mlp(pos_label="churn").fit(X, y), X),
        ("multiclass", _linear().fit(X, three), X),
        ("multilabel", _mlp().fit(Xm, lists), Xm),
        ("binary-head", LinearEstimator(BinaryClassHead()).fit(X, y == "churn"), X),
        ("multiclass-head", MLPEstimator(MultiClassHead(3), (4,), random_state=0).fit(
            X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)), X),
        ("multilabel-head", LinearEstimator(MultiLabelHead(3)).fit(Xm, Y), Xm),
    ]


@pytest.mark.parametrize("case", range(7))
def test_predict_log_proba_is_the_log_of_predict_proba_and_stays_finite(case):
    name, clf, X = _fitted_classifiers()[case]
    assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-12,
                    atol=1e-300)
    far = X * 1e4  # probabilities round to 0 and 1 in float64
    log_proba = clf.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba)), name
    assert np.all(log_proba <= 0)
    assert np.min(log_proba) < -700  # below log(smallest float): computed from the logits


def test_regressors_have_no_predict_log_proba():
    X, y = _churn_data(n=40)
    reg = LinearEstimator(RegressionHead()).fit(X, X[:, 0])
    assert not hasattr(reg, "predict_log_proba")
    assert not hasattr(LinearEstimator(LogisticRegressionHead()), "predict_log_proba")
    assert hasattr(LinearEstimator(MultiLabelHead(2)), "predict_log_proba")


def test_multi_label_probabilities_stay_strictly_inside_zero_one():
    X, Y, _ = _tag_data()
    clf = _linear().fit(X, Y)
    for dtype in (np.float64, np.float32):
        proba = clf.predict_proba((X * 1e4).astype(dtype))
        assert np.all(proba > 0) and np.all(proba < 1)
        assert proba.max() == np.nextafter(dtype(1), dtype(0))


# ----------------------------------------------------------------------
# thresholds and classes_for_class_based_metrics
def test_thresholds_give_per_threshold_keys_for_binary_targets():
    X, y = _churn_data()
    clf = _linear(pos_label="churn", thresholds=[0.3, 0.7]).fit(X, y)
    assert clf.head_.thresholds == [0.3, 0.7]
    metrics = clf.evaluate(X, y)
    p_churn = clf.predict_proba(X)[:, 0]
    for t in (0.3, 0.7):
        expected = recall_score(y == "churn", p_churn > t)
        assert metrics[f"recall/positive_threshold_{t}"] == pytest.approx(expected)
        scorer = make_head_scorer(f"precision/positive_threshold_{t}")
        assert scorer(clf, X, y) == metrics[f"precision/positive_threshold_{t}"]


def test_thresholds_and_class_metrics_for_multi_label_targets():
    X, Y, lists = _tag_data()
    clf = _mlp(thresholds=[0.4], classes_for_class_based_metrics=["sports", "news"]).fit(X, lists)
    metrics = clf.evaluate(X, lists)
    expected = {
        "accuracy/positive_threshold_0.4", "precision/positive_threshold_0.4",
        "recall/positive_threshold_0.4", "auc/sports", "auc_precision_recall/sports",
        "probability_mean/sports", "auc/news", "probability_mean/news",
    }
    assert expected <= set(metrics)
    assert make_head_scorer("auc/sports")(clf, X, lists) == metrics["auc/sports"]
    by_ids = _linear(classes_for_class_based_metrics=[2]).fit(X, Y)
    assert "auc/class2" in by_ids.evaluate(X, Y)


@pytest.mark.parametrize(
    "params, target, message",
    [
        ({"thresholds": [0.5]}, "three", r"thresholds=\[0\.5\] applies to binary and "
                                         r"multi-label targets; y is a multi-class target"),
        ({"classes_for_class_based_metrics": [0]}, "binary",
         r"classes_for_class_based_metrics=\[0\] applies to multi-label targets"),
        ({"classes_for_class_based_metrics": [0]}, "three",
         r"classes_for_class_based_metrics=\[0\] applies to multi-label targets"),
        ({"thresholds": [1.5]}, "binary", r"thresholds must be numbers in the open interval "
                                          r"\(0, 1\); got 1\.5"),
        ({"thresholds": 0.5}, "binary", r"thresholds"),
        ({"classes_for_class_based_metrics": ["politics"]}, "lists",
         r"'politics' is not in label_vocabulary"),
        ({"classes_for_class_based_metrics": [3]}, "lists", r"class ids in \[0, 2\]"),
    ],
)
def test_bad_thresholds_and_classes_are_named(params, target, message):
    X, y = _churn_data(n=120)
    Xm, _, lists = _tag_data()
    data = {
        "binary": (X, y),
        "three": (X, np.where(X[:, 1] > 1, "leave", y)),
        "lists": (Xm, lists),
    }[target]
    with pytest.raises((ValueError, TypeError), match=message):
        _linear(**params).fit(*data)


def test_new_parameters_keep_their_defaults_in_get_params():
    for cls in (LinearClassifier, MLPClassifier):
        params = cls().get_params()
        for name in ("pos_label", "thresholds", "classes_for_class_based_metrics"):
            assert params[name] is None
        assert re.search(r"pos_label='churn'", repr(cls(pos_label="churn")))


def test_probabilities_of_finite_logits_are_positive_and_of_infinite_ones_exact():
    X, y = _churn_data(n=120)
    three = np.where(X[:, 1] > 1, "leave", y)
    for target in (y, three):
        clf = _linear().fit(X, target)
        for dtype in (np.float64, np.float32):
            far = (X * 1e4).astype(dtype)  # finite logits whose probabilities underflow
            proba = clf.predict_proba(far)
            assert proba.dtype == dtype
            assert np.all(proba >= np.finfo(dtype).tiny)
            assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
            # predict_log_proba is finite and finer: at most the log of the floor
            log_proba = clf.predict_log_proba(far)
            assert np.all(np.isfinite(log_proba))
            assert np.all(log_proba <= np.log(proba) + 1e-6)
            # where the floor is within a factor 9 of the log, the two agree
            # within scikit-learn's check of predict_log_proba (rtol=8)
            # logits up to about 300: log-probabilities down to about -600
            scale = 300 / np.abs(clf.decision_function(X)).max()
            near = (X * scale).astype(dtype)
            assert np.any(clf.predict_proba(near) == np.finfo(dtype).tiny) or dtype == np.float64
            assert_allclose(
                clf.predict_log_proba(near), np.log(clf.predict_proba(near)), rtol=8, atol=1e-9
            )
    # logits that overflow to an infinity keep their limits, 0 and 1
    clf = _linear().fit(X, y)
    huge = np.array([[np.sign(clf.coef_[0, 0]) * 1e308, 0.0, 0.0]])
    assert_array_equal(clf.predict_proba(huge), [[0.0, 1.0]])
    assert_array_equal(clf.predict_log_proba(huge), [[-np.inf, 0.0]])
