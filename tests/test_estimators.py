"""Tests of LinearClassifier, MLPClassifier, LinearEstimator and MLPEstimator."""

import pickle
import warnings
from unittest import mock

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, precision_score, r2_score, recall_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    TunedThresholdClassifierCV,
    cross_val_predict,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiLabelHead,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, weights=[0.75], flip_y=0.05, class_sep=1.5,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), Y


def _binary_estimators():
    return [
        LinearClassifier(),
        MLPClassifier((6,), random_state=0, max_iter=100),
        LinearEstimator(BinaryClassHead()),
        MLPEstimator(BinaryClassHead(), (6,), random_state=0, max_iter=100),
    ]


BINARY_IDS = ["LinearClassifier", "MLPClassifier", "LinearEstimator", "MLPEstimator"]


def _weights(est):
    """The fitted weight matrices of a linear model or an MLP."""
    return [est.coef_] if hasattr(est, "coef_") else est.coefs_


def _short_mlp(**params):
    # 20 L-BFGS iterations: long enough to fit, short enough that rounding
    # differences (float32, sparse products) do not grow chaotically along
    # the non-convex path, as they do over hundreds of iterations.
    return MLPClassifier((5,), random_state=0, max_iter=20, **params)


# ----------------------------------------------------------------------
# binary targets


@pytest.mark.parametrize(
    "labels", [[3, 7], [False, True], ["cat", "dog"], [-1.0, 1.0]], ids=str
)
@pytest.mark.parametrize("estimator", _binary_estimators(), ids=BINARY_IDS)
def test_any_two_labels_and_the_second_is_positive(binary, estimator, labels):
    X, y = binary
    labels = np.asarray(labels)
    est = clone(estimator).fit(X, labels[y])
    assert_array_equal(est.classes_, labels)  # already sorted
    proba = est.predict_proba(X)
    assert proba.shape == (len(y), 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    # column 1 and the positive logits belong to classes_[1]
    assert_allclose(proba[:, 1], expit(est.decision_function(X)), rtol=1e-12)
    pred = est.predict(X)
    assert pred.dtype == labels.dtype
    assert_array_equal(pred, labels[(proba[:, 1] > 0.5).astype(int)])
    assert est.score(X, labels[y]) == accuracy_score(labels[y], pred)
    assert est.score(X, labels[y]) > 0.8


def test_swapping_the_labels_negates_the_logits(binary):
    X, y = binary
    pos = LinearClassifier().fit(X, np.array(["a", "b"])[y]).decision_function(X)
    neg = LinearClassifier().fit(X, np.array(["b", "a"])[y]).decision_function(X)
    assert_allclose(pos, -neg, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("estimator", _binary_estimators(), ids=BINARY_IDS)
def test_threshold_sets_predict(binary, estimator):
    X, y = binary
    est = clone(estimator).fit(X, y)
    proba = est.predict_proba(X)[:, 1]
    n_positive = []
    for threshold in [0.1, 0.3, 0.5, 0.7, 0.9]:
        est.set_params(threshold=threshold)  # no refit needed
        assert_array_equal(est.predict(X), (proba > threshold).astype(int))
        n_positive.append(est.predict(X).sum())
    assert n_positive == sorted(n_positive, reverse=True) and n_positive[0] > n_positive[-1]


def test_pos_weight_raises_recall(binary):
    X, y = binary
    recalls = [
        recall_score(y, LinearClassifier(pos_weight=q).fit(X, y).predict(X))
        for q in [0.5, 1.0, 4.0]
    ]
    assert recalls == sorted(recalls) and recalls[0] < recalls[-1]


@pytest.mark.parametrize("estimator", [LinearClassifier(), MLPClassifier((4,))], ids=str)
def test_targets_that_are_not_classes_are_rejected_clearly(estimator):
    X = np.random.RandomState(0).randn(30, 2)
    with pytest.raises(ValueError, match="Unknown label type"):
        clone(estimator).fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="only one class"):
        clone(estimator).fit(X, np.ones(30))
    with pytest.raises(ValueError, match="'multiclass-multioutput'"):
        clone(estimator).fit(X, np.c_[np.arange(30) % 3, np.arange(30) % 2])


def test_column_vector_y_warns_and_fits_the_same(binary):
    from sklearn.exceptions import DataConversionWarning

    X, y = binary
    with pytest.warns(DataConversionWarning):
        column = LinearClassifier().fit(X, y[:, None])
    assert_allclose(column.coef_, LinearClassifier().fit(X, y).coef_)


# ----------------------------------------------------------------------
# multi-label targets


def _mlp8(**params):
    return MLPClassifier((8,), random_state=0, **params)


@pytest.mark.parametrize("make", [LinearClassifier, _mlp8], ids=["linear", "mlp"])
def test_multilabel_indicator_targets(multilabel, make):
    X, Y = multilabel
    est = make().fit(X, Y)
    assert isinstance(est.head_, MultiLabelHead) and est.head_.n_classes == 3
    assert_array_equal(est.classes_, np.arange(3))
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape
    assert_allclose(proba, expit(est.decision_function(X)), rtol=1e-12)
    pred = est.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    assert_array_equal(pred, (proba > 0.5).astype(int))
    assert est.score(X, Y) == accuracy_score(Y, pred)
    # a sparse indicator matrix is the same target
    sparse = make().fit(X, sp.csr_matrix(Y))
    assert_allclose(sparse.predict_proba(X), proba, rtol=1e-10)


def test_multilabel_per_label_threshold_and_pos_weight(multilabel):
    X, Y = multilabel
    base = LinearClassifier().fit(X, Y)
    proba = base.predict_proba(X)
    base.set_params(threshold=[0.2, 0.5, 0.8])
    assert_array_equal(base.predict(X), (proba > [0.2, 0.5, 0.8]).astype(int))
    # pos_weight > 1 on label 0 only raises label 0's probabilities
    weighted = LinearClassifier(pos_weight=[5.0, 1.0, 1.0]).fit(X, Y)
    mean_shift = weighted.predict_proba(X).mean(axis=0) - proba.mean(axis=0)
    assert mean_shift[0] > 0.05 and np.all(np.abs(mean_shift[1:]) < 0.02)
    with pytest.raises(ValueError, match="threshold must be a scalar or 3 values"):
        LinearClassifier(threshold=[0.5, 0.5]).fit(X, Y)
    with pytest.raises(ValueError, match="pos_weight"):
        LinearClassifier(pos_weight=[1.0, 2.0]).fit(X, Y)


def test_multilabel_evaluate(multilabel):
    X, Y = multilabel
    est = LinearClassifier().fit(X, Y)
    metrics = est.evaluate(X, Y)
    assert {"average_loss", "auc", "auc_precision_recall"} <= set(metrics)
    assert metrics["average_loss"] == pytest.approx(
        est.head_.loss(Y, est.decision_function(X))
    )


# ----------------------------------------------------------------------
# the fitted state


def test_fitted_attributes_and_the_loss_curve(binary):
    X, y = binary
    alpha = 0.01
    est = LinearClassifier(alpha=alpha, tol=1e-8).fit(X, y)
    assert est.coef_.shape == (1, X.shape[1]) and est.intercept_.shape == (1,)
    assert est.n_features_in_ == X.shape[1]
    assert isinstance(est.head_, BinaryClassHead)
    assert est.n_iter_ == len(est.loss_curve_) >= 1
    curve = np.asarray(est.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-12)  # L-BFGS decreases the objective
    objective = est.head_.loss(y, est.decision_function(X)) + 0.5 * alpha * np.sum(est.coef_**2)
    assert curve[-1] == pytest.approx(objective, rel=1e-10)

    mlp = MLPClassifier((4, 3), random_state=0, max_iter=30).fit(X, y)
    assert [W.shape for W in mlp.coefs_] == [(5, 4), (4, 3), (3, 1)]
    assert [b.shape for b in mlp.intercepts_] == [(4,), (3,), (1,)]
    assert mlp.n_iter_ == len(mlp.loss_curve_) <= 30


def test_feature_names_in(binary):
    pd = pytest.importorskip("pandas")
    X, y = binary
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = LinearClassifier().fit(frame, pd.Series(y))
    assert_array_equal(est.feature_names_in_, frame.columns)
    with pytest.warns(UserWarning, match="fitted with feature names"):
        array_proba = est.predict_proba(frame.to_numpy())
    assert_allclose(est.predict_proba(frame), array_proba)


def test_fit_intercept_false(binary):
    X, y = binary
    est = LinearClassifier(fit_intercept=False).fit(X, y)
    assert_array_equal(est.intercept_, [0.0])
    assert_allclose(est.decision_function(X), X @ est.coef_[0])


def _mlp5(**params):
    # A smooth activation: with relu the objective has kinks, L-BFGS stops on
    # the relative reduction of f with a gradient far above tol, and how many
    # iterations a restart takes depends on the last bits of the loss.
    return MLPClassifier((5,), activation="logistic", random_state=0, **params)


@pytest.mark.parametrize("make", [LinearClassifier, _mlp5], ids=["linear", "mlp"])
def test_warm_start_continues_from_the_solution(binary, make):
    X, y = binary
    cold = make(tol=1e-6, max_iter=500).fit(X, y)
    warm = make(tol=1e-6, max_iter=500, warm_start=True).fit(X, y)
    first = [W.copy() for W in _weights(warm)]
    warm.fit(X, y)  # already at the minimum: (almost) nothing to do
    assert warm.n_iter_ <= 2 < cold.n_iter_
    for before, after in zip(first, _weights(warm)):
        assert_allclose(after, before, atol=1e-4)
    # without warm_start a refit starts afresh
    assert cold.fit(X, y).n_iter_ > 2
    # a changed shape starts afresh instead of failing
    assert warm.fit(X[:, :3], y).n_features_in_ == 3


def test_verbose_prints_the_loss_per_iteration(binary, capsys):
    X, y = binary
    est = LinearClassifier(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == est.n_iter_
    assert lines[-1] == f"Iteration {est.n_iter_}, loss = {est.loss_curve_[-1]:.8f}"


def test_max_iter_raises_an_actionable_convergence_warning(binary):
    X, y = binary
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning, match="after 2 iteration.*Increase max_iter"):
            LinearClassifier(max_iter=2, tol=1e-12).fit(X, y)


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_mlp_activations_and_random_state(binary, activation):
    X, y = binary
    a = MLPClassifier((5,), activation=activation, random_state=1, max_iter=50).fit(X, y)
    b = MLPClassifier((5,), activation=activation, random_state=1, max_iter=50).fit(X, y)
    c = MLPClassifier((5,), activation=activation, random_state=2, max_iter=50).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])
    assert a.score(X, y) > 0.8


@pytest.mark.parametrize("make", [LinearClassifier, _short_mlp], ids=["linear", "mlp"])
def test_float32_is_fitted_in_float32(binary, make):
    X, y = binary
    est32 = make(tol=1e-6).fit(X.astype(np.float32), y)
    est64 = make(tol=1e-6).fit(X, y)
    assert all(W.dtype == np.float32 for W in _weights(est32))
    assert est32.decision_function(X.astype(np.float32)).dtype == np.float32
    # float32 rounding (6e-8 relative) of the gradient limits how close the
    # float32 fit gets to the float64 one; probabilities agree to ~1e-4.
    assert_allclose(est32.predict_proba(X), est64.predict_proba(X), atol=1e-3)


@pytest.mark.parametrize("sparse", [False, True])
def test_fit_does_not_copy_float32_x(binary, sparse):
    from sklearn_heads import _base_estimator

    X, y = binary
    X32 = sp.csr_matrix(X, dtype=np.float32) if sparse else X.astype(np.float32)
    with mock.patch.object(
        _base_estimator, "make_objective", wraps=_base_estimator.make_objective
    ) as objective:
        LinearClassifier().fit(X32, y)
    assert objective.call_args.args[2] is X32


@pytest.mark.parametrize("make", [LinearClassifier, _short_mlp], ids=["linear", "mlp"])
def test_sparse_x_is_the_same_as_dense(binary, make):
    X, y = binary
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = make().fit(X, y)
    sparse = make().fit(sp.csr_matrix(X), y)
    # the same arithmetic up to summation order
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-9)
    assert get_tags(make()).input_tags.sparse


# ----------------------------------------------------------------------
# sample weights


@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_sample_weight_is_repetition_with_sum_reduction(binary, model):
    X, y = binary
    head = BinaryClassHead(loss_reduction="sum")
    est = (
        LinearEstimator(head, tol=1e-10, max_iter=1000)
        if model == "linear"
        # smooth and well-conditioned, so that both fits converge to tol (with
        # relu, L-BFGS stops at kinks that depend on the rounding of the loss)
        else MLPEstimator(
            head, (4,), activation="tanh", alpha=1.0, random_state=0, tol=1e-10, max_iter=1000
        )
    )
    weights = np.random.RandomState(0).randint(0, 3, len(y))
    weighted = clone(est).fit(X, y, sample_weight=weights)
    repeated = clone(est).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    # same objective, same start; L-BFGS paths differ only by rounding
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-4)


def test_sample_weight_changes_the_fit_and_is_validated(binary):
    X, y = binary
    weights = np.where(y == 1, 5.0, 1.0)
    plain = LinearClassifier().fit(X, y)
    weighted = LinearClassifier().fit(X, y, sample_weight=weights)
    # up-weighting the positives is pos_weight=5, once the penalty is
    # rescaled: the weighted fit divides the data term by the sum of the
    # weights, the pos_weight fit by the number of rows
    # (the same minimiser: fitted to a tight tol, the coefficients agree)
    alpha = 1e-4 * weights.sum() / len(y)
    by_pos_weight = LinearClassifier(pos_weight=5.0, alpha=alpha, tol=1e-9).fit(X, y)
    tight = LinearClassifier(tol=1e-9).fit(X, y, sample_weight=weights)
    assert_allclose(tight.coef_, by_pos_weight.coef_, atol=1e-6)
    assert weighted.predict(X).sum() > plain.predict(X).sum()
    with pytest.raises(ValueError, match="sample_weight"):
        LinearClassifier().fit(X, y, sample_weight=-weights)
    with pytest.raises(ValueError):
        LinearClassifier().fit(X, y, sample_weight=weights[:-1])


# ----------------------------------------------------------------------
# evaluate


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_evaluate_uses_the_threshold(binary, threshold):
    X, y = binary
    labels = np.array(["neg", "pos"])[y]
    est = LinearClassifier(threshold=threshold).fit(X, labels)
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    for sw in [None, sample_weight]:
        metrics = est.evaluate(X, labels, sample_weight=sw)
        pred = est.predict(X)
        # the head's streaming metrics (TensorFlow's) and scikit-learn's
        # agree up to float32-free rounding
        assert metrics["accuracy"] == pytest.approx(accuracy_score(labels, pred, sample_weight=sw))
        assert metrics["precision"] == pytest.approx(
            precision_score(labels, pred, pos_label="pos", sample_weight=sw)
        )
        assert metrics["recall"] == pytest.approx(
            recall_score(labels, pred, pos_label="pos", sample_weight=sw)
        )
        # TensorFlow's average_loss metric is the weighted mean of the losses
        losses = BinaryClassHead(loss_reduction="sum").loss(y, est.decision_function(X), sw)
        mean = losses / (len(y) if sw is None else sw.sum())
        assert metrics["average_loss"] == pytest.approx(mean)
    with pytest.raises(ValueError, match="not seen in fit"):
        est.evaluate(X, np.array(["neg", "other"])[y])


# ----------------------------------------------------------------------
# *Estimator with a given head


def test_estimator_head_is_cloned_and_tunable(binary):
    X, y = binary
    head = BinaryClassHead(pos_weight=2.0, thresholds=[0.3])
    est = LinearEstimator(head).fit(X, y)
    assert est.head_ is not head and est.head_.get_params() == head.get_params()
    assert "recall/positive_threshold_0.3" in est.evaluate(X, y)
    est.set_params(head__pos_weight=4.0)  # sets the parameter object ...
    assert est.head.pos_weight == 4.0
    assert est.head_.pos_weight == 2.0  # ... not the fitted clone
    assert_allclose(
        est.fit(X, y).coef_, LinearClassifier(pos_weight=4.0).fit(X, y).coef_, rtol=1e-8
    )


def test_estimator_with_label_vocabulary(binary):
    X, y = binary
    # the first vocabulary entry is the negative class, even if it sorts last
    vocabulary = ["yes", "no"]
    labels = np.array(vocabulary)[y]
    est = MLPEstimator(BinaryClassHead(label_vocabulary=vocabulary), (5,), random_state=0)
    est.fit(X, labels)
    assert list(est.classes_) == vocabulary
    assert est.score(X, labels) > 0.8
    positive = (est.predict_proba(X)[:, 1] > 0.5).astype(int)
    assert_array_equal(est.predict(X), np.array(vocabulary)[positive])
    with pytest.raises(ValueError, match="maybe"):
        est.fit(X, np.where(y == 1, "maybe", "no"))


def test_estimator_with_multilabel_head(multilabel):
    X, Y = multilabel
    est = LinearEstimator(MultiLabelHead(n_classes=3, label_vocabulary=["a", "b", "c"]))
    assert get_tags(est).classifier_tags.multi_label
    est.fit(X, Y)
    assert list(est.classes_) == ["a", "b", "c"]
    assert est.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="indicator matrix of 3 columns"):
        est.fit(X, Y[:, :2])
    with pytest.raises(ValueError, match="multi-label indicator matrix"):
        LinearEstimator(BinaryClassHead()).fit(X, Y)


def _mlp_estimator(head):
    return MLPEstimator(head, (4,), random_state=0)


@pytest.mark.parametrize("make", [LinearEstimator, _mlp_estimator], ids=["linear", "mlp"])
def test_logistic_regression_head_is_a_probability_regressor(make):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    w = np.array([1.5, -2.0, 0.5])
    p = expit(X @ w + 0.3)
    est = make(LogisticRegressionHead())
    assert is_regressor(est) and not is_classifier(est)
    # regressors have neither probabilities nor a decision function
    assert not hasattr(est, "predict_proba") and not hasattr(est, "decision_function")
    est.set_params(alpha=0.0, tol=1e-10, max_iter=1000).fit(X, p)
    pred = est.predict(X)
    assert pred.shape == (200,) and np.all((pred > 0) & (pred < 1))
    assert_allclose(pred, expit(est._predict_logits(X)), rtol=1e-12)
    assert est.score(X, p) == pytest.approx(r2_score(p, pred))
    if isinstance(est, LinearEstimator):
        # soft labels p = sigmoid(Xw + b): cross-entropy is minimised at (w, b)
        assert_allclose(est.coef_[0], w, atol=1e-4)
        assert_allclose(est.intercept_, [0.3], atol=1e-4)
    else:
        assert est.score(X, p) > 0.99
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        est.fit(X, p + 1)


def test_tags_tell_the_truth():
    for est in [LinearClassifier(), MLPClassifier()]:
        tags = get_tags(est)
        assert tags.estimator_type == "classifier" and tags.input_tags.sparse
        assert tags.classifier_tags.multi_label and tags.classifier_tags.multi_class
    assert not get_tags(LinearEstimator(BinaryClassHead())).classifier_tags.multi_label
    assert get_tags(MLPEstimator(LogisticRegressionHead())).estimator_type == "regressor"


# ----------------------------------------------------------------------
# parameter validation


# scikit-learn's parameter validation raises InvalidParameterError, a
# ValueError (and TypeError) that names the parameter
@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -1.0}, "The 'alpha' parameter of MLPClassifier must be"),
        ({"threshold": 1.5}, "The 'threshold' parameter of MLPClassifier must be"),
        ({"threshold": [0.2, 0.4]}, "threshold must be a scalar"),  # binary
        ({"max_iter": 0}, "The 'max_iter' parameter of MLPClassifier must be"),
        ({"pos_weight": -2.0}, "The 'pos_weight' parameter of MLPClassifier must be"),
        ({"activation": "softsign"}, "The 'activation' parameter of MLPClassifier must be"),
        ({"hidden_units": (4, 0)}, "hidden_units must be positive integers"),
    ],
)
def test_invalid_parameters(binary, params, match):
    X, y = binary
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="The 'head' parameter of LinearEstimator must be"):
        LinearEstimator("binary").fit(X, y)


def test_fractions_are_real_numbers_for_every_parameter(binary, multilabel):
    # issue 13: scikit-learn's Interval check raised "ufunc 'isnan' not
    # supported" for a Fraction; the heads refused a list of them
    from fractions import Fraction

    X, y = binary
    floats = LinearClassifier(pos_weight=1.5, alpha=0.01, tol=1e-5, threshold=0.25).fit(X, y)
    fractions = LinearClassifier(
        pos_weight=Fraction(3, 2), alpha=Fraction(1, 100), tol=Fraction(1, 10**5),
        threshold=Fraction(1, 4),
    ).fit(X, y)
    assert_allclose(fractions.coef_, floats.coef_, rtol=1e-12)
    assert_array_equal(fractions.predict(X), floats.predict(X))
    with pytest.warns(ConvergenceWarning, match=r"tol=1e-05"):  # formatted as a float
        MLPClassifier((3,), max_iter=2, tol=Fraction(1, 10**5), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"The 'alpha' parameter .* Got Fraction\(-1, 2\)"):
        LinearClassifier(alpha=Fraction(-1, 2)).fit(X, y)
    X, Y = multilabel
    floats = LinearClassifier(pos_weight=[0.5, 1.0, 2.0]).fit(X, Y)
    fractions = LinearClassifier(pos_weight=[Fraction(1, 2), 1, Fraction(2)]).fit(X, Y)
    assert_allclose(fractions.coef_, floats.coef_, rtol=1e-12)


def test_unfitted_estimator_raises_not_fitted(binary):
    from sklearn.exceptions import NotFittedError

    for method in ["predict", "predict_proba", "decision_function"]:
        with pytest.raises(NotFittedError):
            getattr(LinearClassifier(), method)(binary[0])
    with pytest.raises(NotFittedError):
        LinearClassifier().evaluate(*binary)


# ----------------------------------------------------------------------
# interplay with scikit-learn


@pytest.mark.parametrize("estimator", _binary_estimators(), ids=BINARY_IDS)
def test_clone_pickle_and_joblib_round_trip(binary, estimator, tmp_path):
    X, y = binary
    est = clone(estimator).fit(X, y)
    for copy in [pickle.loads(pickle.dumps(est)), clone(est).fit(X, y)]:
        assert_allclose(copy.predict_proba(X), est.predict_proba(X))
    joblib.dump(est, tmp_path / "est.joblib")
    assert_allclose(joblib.load(tmp_path / "est.joblib").predict_proba(X), est.predict_proba(X))


def test_pipeline_and_grid_search_in_parallel(binary):
    X, y = binary
    pipe = make_pipeline(StandardScaler(), LinearEstimator(BinaryClassHead()))
    grid = {
        "linearestimator__head__pos_weight": [1.0, 4.0],
        "linearestimator__threshold": [0.3, 0.6],
        "linearestimator__alpha": [1e-4, 1e-2],
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    assert_allclose(search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"])
    assert search.best_estimator_[-1].head_.pos_weight in (1.0, 4.0)


def test_calibration_and_threshold_wrappers(binary):
    X, y = binary
    calibrated = CalibratedClassifierCV(LinearClassifier(), cv=3).fit(X, y)
    assert calibrated.predict_proba(X).shape == (len(y), 2)

    tuned = TunedThresholdClassifierCV(LinearClassifier(), scoring="balanced_accuracy", cv=3)
    tuned.fit(X, y)
    assert 0 < tuned.best_threshold_ < 1

    # FixedThresholdClassifier (>= on the probability) and our threshold
    # (> on the probability) predict the same away from exact ties
    fixed = FixedThresholdClassifier(LinearClassifier(), threshold=0.3).fit(X, y)
    ours = LinearClassifier(threshold=0.3).fit(X, y)
    assert_array_equal(fixed.predict(X), ours.predict(X))


@pytest.mark.parametrize("estimator", _binary_estimators(), ids=BINARY_IDS)
def test_cross_val_predict_proba(binary, estimator):
    X, y = binary
    proba = cross_val_predict(estimator, X, y, cv=3, method="predict_proba")
    assert proba.shape == (len(y), 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    # out-of-fold probabilities still rank the classes
    assert proba[y == 1, 1].mean() > proba[y == 0, 1].mean() + 0.3


def test_warnings_point_at_the_callers_line():
    # the ConvergenceWarning of fit and the finite-difference warning of a
    # head without a gradient are attributed to this file, where a user can
    # act on them, not to the package's internals
    X, y = make_classification(60, 4, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        LinearClassifier(max_iter=1).fit(X, y)
    assert [w.filename for w in record] == [__file__]
    head = BinaryClassHead(loss_fn=lambda labels, logits: (labels - logits) ** 2)
    with pytest.warns(UserWarning, match="finite differences") as record:
        head.loss_and_gradient(y, X[:, :1])
    assert [w.filename for w in record] == [__file__]


def test_mlp_predicts_with_the_activation_it_was_fitted_with(binary):
    X, y = binary
    est = MLPClassifier((4,), activation="relu", random_state=0).fit(X, y)
    proba = est.predict_proba(X)
    est.set_params(activation="tanh")
    assert_array_equal(est.predict_proba(X), proba)
    # until the next fit
    assert not np.allclose(est.fit(X, y).predict_proba(X), proba)


@pytest.mark.parametrize("units", [{3, 4}, {3: 1}, frozenset({2})])
def test_unordered_hidden_units_are_refused(binary, units):
    X, y = binary
    with pytest.raises(TypeError, match="hidden_units must be a sequence .* one per hidden layer"):
        MLPClassifier(units).fit(X, y)


def test_score_refuses_labels_unseen_in_fit(binary):
    X, y = binary
    est = LinearClassifier().fit(X, y)
    with pytest.raises(ValueError, match=r"y contains labels not seen in fit: \[2\]"):
        est.score(X, np.where(y == 1, 2, 0))
    assert est.score(X, y) == est.evaluate(X, y)["accuracy"]
