"""LinearClassifier and MLPClassifier on targets of more than two classes.

``y`` of three or more classes (of any type) gets a ``MultiClassHead``:
softmax cross-entropy, ``predict_proba`` of shape ``(n, n_classes)``,
TensorFlow's ``average_loss`` and ``accuracy`` from ``evaluate``, and, for
the linear model with ``alpha = 1 / (C * n)``, the minimiser of
``LogisticRegression(C=C)`` (multinomial). ``class_weight`` weighs the
rows of each class as scikit-learn's does.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from sklearn_heads import (
    LinearClassifier,
    LinearEstimator,
    MLPClassifier,
    MLPEstimator,
    MultiClassHead,
    make_head_scorer,
)
from sklearn_heads._compat import SKLEARN_VERSION

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_redundant=0, n_classes=4,
        n_clusters_per_class=1, weights=[0.4, 0.3, 0.2, 0.1], random_state=0,
    )
    return StandardScaler().fit_transform(X), y


def _mlp(**params):
    return MLPClassifier((8,), random_state=0, **params)


def _centred(intercept):
    # the intercepts of a softmax are defined up to a common shift
    return intercept - intercept.mean()


# ----------------------------------------------------------------------
# the fitted model


@pytest.mark.parametrize(
    "labels",
    [[0, 1, 2, 3], [3, 7, 11, 20], ["ant", "bee", "cat", "dog"], [-1.0, 0.0, 2.0, 9.0]],
    ids=["ids", "ints", "strings", "floats"],
)
@pytest.mark.parametrize("make", [LinearClassifier, _mlp], ids=["linear", "mlp"])
def test_any_classes_give_a_softmax_model(data, make, labels):
    X, y = data
    labels = np.asarray(labels)
    est = make().fit(X, labels[y])
    assert isinstance(est.head_, MultiClassHead) and est.head_.n_classes == 4
    assert_array_equal(est.classes_, labels)  # sorted, as given
    logits = est.decision_function(X)
    assert logits.shape == (len(y), 4)
    proba = est.predict_proba(X)
    assert proba.shape == (len(y), 4)
    assert_allclose(proba, softmax(logits, axis=1), rtol=1e-12)
    assert_allclose(proba.sum(axis=1), 1.0)
    pred = est.predict(X)
    assert pred.dtype == labels.dtype
    assert_array_equal(pred, labels[np.argmax(proba, axis=1)])
    assert est.score(X, labels[y]) == accuracy_score(labels[y], pred)
    assert est.score(X, labels[y]) > 0.8


@pytest.mark.parametrize("make", [LinearClassifier, _mlp], ids=["linear", "mlp"])
def test_evaluate_reports_tensorflows_multi_class_metrics(data, make):
    X, y = data
    names = np.array(["ant", "bee", "cat", "dog"])[y]
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    est = make().fit(X, names)
    for sw in (None, weights):
        metrics = est.evaluate(X, names, sample_weight=sw)
        assert set(metrics) == {"average_loss", "accuracy"}
        assert metrics["accuracy"] == pytest.approx(
            accuracy_score(names, est.predict(X), sample_weight=sw)
        )
        # TensorFlow's average_loss is the weighted mean cross-entropy
        assert metrics["average_loss"] == pytest.approx(
            log_loss(names, est.predict_proba(X), sample_weight=sw, labels=est.classes_)
        )
    with pytest.raises(ValueError, match=r"y contains labels not seen in fit: \['eel'\]"):
        est.evaluate(X, np.where(y == 0, "eel", names))
    with pytest.raises(ValueError, match=r"not seen in fit: \['eel'\]"):
        est.score(X, np.where(y == 0, "eel", names))


def test_the_threshold_does_not_change_multi_class_predictions(data):
    X, y = data
    est = LinearClassifier().fit(X, y)
    pred = est.predict(X)
    assert_array_equal(est.set_params(threshold=0.9).predict(X), pred)
    with pytest.raises(ValueError, match="threshold must be a scalar"):
        est.set_params(threshold=[0.5, 0.5, 0.5, 0.5]).predict(X)


def test_tags_say_multi_class(data):
    for est in (LinearClassifier(), MLPClassifier()):
        assert get_tags(est).classifier_tags.multi_class
    est = LinearEstimator(MultiClassHead(3))
    tags = get_tags(est)
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags.multi_class and not tags.classifier_tags.multi_label


# ----------------------------------------------------------------------
# the same minimiser as scikit-learn's multinomial LogisticRegression


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_model_is_multinomial_logistic_regression(data, weighted, fit_intercept):
    X, y = data
    sample_weight = np.random.RandomState(1).uniform(0.2, 3.0, len(y)) if weighted else None
    C = 0.5
    total = len(y) if sample_weight is None else sample_weight.sum()
    ours = LinearClassifier(
        alpha=1 / (C * total), fit_intercept=fit_intercept, tol=1e-10, max_iter=1000
    ).fit(X, y, sample_weight=sample_weight)
    # newton-cholesky reaches the minimum to more digits than lbfgs
    reference = LogisticRegression(
        C=C, fit_intercept=fit_intercept, solver="newton-cholesky", tol=1e-12, max_iter=100
    ).fit(X, y, sample_weight=sample_weight)
    assert_allclose(ours.coef_, reference.coef_, atol=1e-6)
    if fit_intercept:
        assert_allclose(_centred(ours.intercept_), _centred(reference.intercept_), atol=1e-6)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-7)


def test_float32_and_sparse_multi_class_fits_are_the_same(data):
    import scipy.sparse as sp

    X, y = data
    X = np.where(np.abs(X) < 0.4, 0.0, X)
    dense = LinearClassifier(tol=1e-8).fit(X, y)
    sparse = LinearClassifier(tol=1e-8).fit(sp.csr_matrix(X), y)
    single = LinearClassifier(tol=1e-8).fit(X.astype(np.float32), y)
    assert single.coef_.dtype == np.float32
    assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), atol=1e-9)
    assert_allclose(single.predict_proba(X), dense.predict_proba(X), atol=1e-4)


def test_badly_scaled_columns_fit_as_standardised_ones(data):
    # the column scaling (preconditioning) of the linear models works for
    # the joint softmax objective too: columns spread over four decades
    # take about as many iterations as standardised ones
    X, y = data
    scales = np.logspace(-2, 2, X.shape[1])
    alpha = 1e-4
    scaled = LinearClassifier(alpha=alpha, tol=1e-8, max_iter=1000).fit(X * scales, y)
    plain = LinearClassifier(alpha=alpha, tol=1e-8, max_iter=1000).fit(X, y)
    reference = LogisticRegression(
        C=1 / (alpha * len(y)), solver="newton-cholesky", tol=1e-12, max_iter=100
    ).fit(X * scales, y)
    assert_allclose(scaled.predict_proba(X * scales), reference.predict_proba(X * scales),
                    atol=1e-6)
    assert scaled.n_iter_ < 2 * plain.n_iter_ + 20


def test_alpha_zero_separated_multi_class_data_warns():
    X = np.array([[-3.0], [-2.0], [0.0], [0.2], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1, 2, 2])
    with pytest.warns(ConvergenceWarning, match="separates the training data perfectly"):
        LinearClassifier(alpha=0.0, max_iter=10_000, tol=1e-6).fit(X, y)


# ----------------------------------------------------------------------
# class_weight


@pytest.mark.parametrize("class_weight", [{0: 3.0, 2: 0.5}, "balanced"], ids=str)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_class_weight_is_logistic_regressions(data, class_weight, weighted):
    X, y = data
    if weighted and class_weight == "balanced" and SKLEARN_VERSION < (1, 7):
        pytest.skip("scikit-learn < 1.7 counts the classes without sample_weight")
    sample_weight = np.random.RandomState(2).uniform(0.2, 3.0, len(y)) if weighted else None
    C = 2.0
    reference = LogisticRegression(
        C=C, class_weight=class_weight, solver="newton-cholesky", tol=1e-12, max_iter=100
    ).fit(X, y, sample_weight=sample_weight)
    # scikit-learn divides the data term by the total of the class-weighted
    # sample weights: so does the weighted mean loss minimised here
    weights = np.ones(len(y)) if sample_weight is None else sample_weight
    if class_weight == "balanced":
        counts = np.bincount(y, weights=weights)
        per_class = counts.sum() / (len(counts) * counts)
    else:
        per_class = np.array([class_weight.get(k, 1.0) for k in range(4)])
    total = np.sum(weights * per_class[y])
    ours = LinearClassifier(
        alpha=1 / (C * total), class_weight=class_weight, tol=1e-10, max_iter=1000
    ).fit(X, y, sample_weight=sample_weight)
    assert_allclose(ours.coef_, reference.coef_, atol=1e-6)
    assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    # class_weight is sample_weight multiplied by the class's weight
    by_weights = LinearClassifier(alpha=1 / (C * total), tol=1e-10, max_iter=1000).fit(
        X, y, sample_weight=weights * per_class[y]
    )
    assert_allclose(by_weights.coef_, ours.coef_, atol=1e-7)


def test_class_weight_on_a_binary_target_and_pos_weight(data):
    # on two classes class_weight={neg: 1, pos: q} weighs rows, pos_weight=q
    # the positive term of the loss: the same minimiser once alpha accounts
    # for the different total the mean divides by
    X, y = data
    y = (y == 0).astype(int)
    q = 3.0
    by_class = LinearClassifier(class_weight={1: q}, tol=1e-10).fit(X, y)
    total = np.sum(np.where(y == 1, q, 1.0))
    by_pos = LinearClassifier(pos_weight=q, alpha=1e-4 * total / len(y), tol=1e-10).fit(X, y)
    assert_allclose(by_pos.coef_, by_class.coef_, atol=1e-7)
    # string classes are keys too
    names = np.array(["no", "yes"])[y]
    named = LinearClassifier(class_weight={"yes": q}, tol=1e-10).fit(X, names)
    assert_allclose(named.coef_, by_class.coef_, atol=1e-10)


def test_class_weight_does_not_change_the_metrics(data):
    # class weights shape the training objective only: evaluate and score
    # weigh rows by sample_weight alone, as in scikit-learn
    X, y = data
    est = LinearClassifier(class_weight="balanced").fit(X, y)
    assert est.evaluate(X, y)["accuracy"] == accuracy_score(y, est.predict(X))
    assert est.head_.get_params()["n_classes"] == 4
    # and it raises the recall of the rare class
    plain = LinearClassifier().fit(X, y)
    rare = y == 3
    assert np.mean(est.predict(X)[rare] == 3) >= np.mean(plain.predict(X)[rare] == 3)


def test_balanced_class_weight_counts_sample_weight_as_repeated_rows(data):
    X, y = data
    repeats = np.random.RandomState(3).randint(0, 3, len(y))
    repeats[:8] = 1  # every class keeps rows
    weighted = LinearClassifier(class_weight="balanced", tol=1e-10).fit(
        X, y, sample_weight=repeats
    )
    repeated = LinearClassifier(class_weight="balanced", tol=1e-10).fit(
        np.repeat(X, repeats, axis=0), np.repeat(y, repeats)
    )
    assert_allclose(weighted.coef_, repeated.coef_, atol=1e-6)


# ----------------------------------------------------------------------
# model selection


def test_grid_search_with_head_scorers(data):
    X, y = data
    names = np.array(["ant", "bee", "cat", "dog"])[y]
    pipe = make_pipeline(StandardScaler(), LinearClassifier())
    scoring = {
        "loss": make_head_scorer("average_loss"),
        "accuracy": make_head_scorer("accuracy"),
    }
    search = GridSearchCV(
        pipe, {"linearclassifier__alpha": [1e-4, 1e-1, 10.0]}, scoring=scoring,
        refit="loss", cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, names)
    assert search.best_params_["linearclassifier__alpha"] in (1e-4, 1e-1)
    # the head's accuracy is scikit-learn's default score
    default = GridSearchCV(
        pipe, {"linearclassifier__alpha": [1e-4, 1e-1, 10.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, names)
    assert_allclose(
        search.cv_results_["mean_test_accuracy"], default.cv_results_["mean_test_score"]
    )


def test_cross_val_predict_proba_has_a_column_per_class(data):
    X, y = data
    proba = cross_val_predict(LinearClassifier(), X, y, cv=3, method="predict_proba")
    assert proba.shape == (len(y), 4)
    assert np.mean(np.argmax(proba, axis=1) == y) > 0.75


# ----------------------------------------------------------------------
# a given MultiClassHead


@pytest.mark.parametrize("make", [LinearEstimator, MLPEstimator], ids=["linear", "mlp"])
def test_given_multi_class_head_has_its_classes(data, make):
    X, y = data
    est = make(MultiClassHead(4, label_vocabulary=["d", "c", "b", "a"]))
    names = np.array(["d", "c", "b", "a"])[y]
    est.fit(X, names)
    assert list(est.classes_) == ["d", "c", "b", "a"]  # the vocabulary's order
    assert est.predict_proba(X).shape == (len(y), 4)
    assert_array_equal(est.predict(X), est.classes_[np.argmax(est.predict_proba(X), 1)])
    # class ids without a vocabulary: the classes are 0 .. n_classes - 1,
    # also when a class has no row
    est = clone(est).set_params(head=MultiClassHead(5)).fit(X, y)
    assert_array_equal(est.classes_, np.arange(5))
    assert est.predict_proba(X).shape == (len(y), 5)
    with pytest.raises(ValueError, match=r"not classes of the head: \[7\]"):
        clone(est).fit(X, np.where(y == 0, 7, y))


def test_given_head_fits_as_the_classifier_does(data):
    X, y = data
    given = LinearEstimator(MultiClassHead(4), tol=1e-10).fit(X, y)
    chosen = LinearClassifier(tol=1e-10).fit(X, y)
    assert_allclose(given.coef_, chosen.coef_, atol=1e-12)
