"""Nothing the user passes is changed, and nothing fitted is lost.

* ``X``, ``y`` and ``sample_weight`` are byte-for-byte unchanged by
  ``fit``, ``predict``, ``predict_proba``, ``decision_function``, ``score``,
  ``evaluate`` and the scorers (dense, sparse, float32, Fortran-ordered and
  read-only arrays), and labels, logits and weights by the losses and heads;
* estimators predict and evaluate the same after ``pickle`` and ``joblib``
  round trips;
* two fits with the same ``random_state`` are identical;
* ``predict`` from several threads at once equals one thread.
"""

import copy
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.base import clone

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiClassHead,
    MultiHead,
    MultiLabelHead,
    PoissonRegressionHead,
    RegressionHead,
    make_head_scorer,
    sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(40, 4))
X[np.abs(X) < 0.6] = 0.0  # sparse-friendly
Y = (X[:, 0] - X[:, 1] > 0).astype(int)
Y_MULTI = (X[:, :3] + 0.5 * RNG.normal(size=(40, 3)) > 0).astype(int)
P = np.clip(0.5 + 0.2 * X[:, 2], 0.01, 0.99)
W = RNG.uniform(0.5, 2.0, size=40)


def _estimators():
    """(id, estimator, y, scorer key) for every task and model."""
    return [
        ("linear-binary", LinearClassifier(pos_weight=2.0), Y, "auc"),
        ("mlp-binary", MLPClassifier((3,), max_iter=30, random_state=0), Y, "precision"),
        ("linear-multilabel", LinearClassifier(threshold=[0.4, 0.5, 0.6]), Y_MULTI, "auc"),
        ("mlp-multilabel", MLPEstimator(MultiLabelHead(3, thresholds=[0.3]), (3,),
                                        max_iter=30, random_state=0), Y_MULTI,
         "recall/positive_threshold_0.3"),
        ("linear-logistic", LinearEstimator(LogisticRegressionHead()), P, "average_loss"),
        ("linear-vocabulary", LinearEstimator(BinaryClassHead(label_vocabulary=["no", "yes"])),
         np.where(Y == 1, "yes", "no"), "auc_precision_recall"),
    ]


ESTIMATORS = _estimators()
ESTIMATOR_IDS = [e[0] for e in ESTIMATORS]


def _variant(X, kind):
    if kind == "dense":
        return X.copy()
    if kind == "float32":
        return X.astype(np.float32)
    if kind == "fortran":
        return np.asfortranarray(X)
    if kind == "csr":
        return sp.csr_matrix(X)
    if kind == "csc32":
        return sp.csc_matrix(X, dtype=np.float32)
    if kind == "dataframe":
        return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    raise AssertionError(kind)


def _read_only(value):
    """``value`` with every buffer made read-only."""
    if sp.issparse(value):
        for part in (value.data, value.indices, value.indptr):
            part.setflags(write=False)
    elif isinstance(value, np.ndarray):
        value.setflags(write=False)
    return value


def _fingerprint(value):
    """Everything that identifies the contents of ``value``, bytes included."""
    if sp.issparse(value):
        return (
            type(value), value.shape, value.format,
            *(_fingerprint(part) for part in (value.data, value.indices, value.indptr)),
        )
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return (type(value), tuple(map(str, value.dtypes if value.ndim == 2 else [value.dtype])),
                tuple(getattr(value, "columns", ())), _fingerprint(value.to_numpy()))
    if isinstance(value, np.ndarray):
        # the bytes of an object array are pointers, and pandas' to_numpy()
        # of a str Series makes new string objects at every call
        contents = (
            tuple(value.ravel(order="K").tolist()) if value.dtype == object
            else value.tobytes(order="A")
        )
        return (
            value.dtype, value.shape, value.strides, value.flags.writeable,
            value.flags.c_contiguous, value.flags.f_contiguous, contents,
        )
    return copy.deepcopy(value)  # lists, scalars, None


def _assert_unchanged(before, values):
    for expected, value in zip(before, values):
        actual = _fingerprint(value)
        assert type(actual) is type(expected)
        if isinstance(expected, tuple):
            assert len(actual) == len(expected)
            for a, e in zip(actual, expected):
                assert a == e if not isinstance(e, tuple) else _equal_tuples(a, e)
        else:
            assert actual == expected


def _equal_tuples(a, b):
    return len(a) == len(b) and all(x == y for x, y in zip(a, b))


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
@pytest.mark.parametrize("kind", ["dense", "float32", "fortran", "csr", "csc32", "dataframe"])
@pytest.mark.parametrize("name, estimator, y, key", ESTIMATORS, ids=ESTIMATOR_IDS)
def test_inputs_are_not_changed(name, estimator, y, key, kind, read_only):
    Xv = _variant(X, kind)
    if kind == "dataframe" and read_only:  # a frame over a read-only array
        Xv = pd.DataFrame(_read_only(X.copy()), columns=Xv.columns, copy=False)
    yv = y.copy()
    if name == "linear-multilabel" and kind.startswith("cs"):
        yv = sp.csr_matrix(yv)  # sparse indicator targets too
    wv = W.astype(np.float32) if kind == "float32" else W.copy()
    if kind == "dataframe":
        yv, wv = pd.Series(yv) if yv.ndim == 1 else pd.DataFrame(yv), pd.Series(wv)
    if read_only and kind != "dataframe":
        Xv, yv, wv = _read_only(Xv), _read_only(yv), _read_only(wv)
    before = [_fingerprint(v) for v in (Xv, yv, wv)]

    est = clone(estimator).fit(Xv, yv, sample_weight=wv)
    est.predict(Xv)
    if hasattr(est, "decision_function"):  # classification heads
        est.decision_function(Xv)
    if hasattr(est, "predict_proba"):
        est.predict_proba(Xv)
    if not sp.issparse(yv):
        est.score(Xv, yv, sample_weight=wv)
    est.evaluate(Xv, yv, sample_weight=wv)
    make_head_scorer(key)(est, Xv, yv, sample_weight=wv)
    _assert_unchanged(before, (Xv, yv, wv))


def _head_inputs():
    rng = np.random.RandomState(1)
    logits1 = rng.normal(size=(6, 1))
    logits3 = rng.normal(size=(6, 3))
    z = (rng.uniform(size=(6, 3)) > 0.5).astype(int)
    ids = [[int(i) for i in np.flatnonzero(row)] for row in z]
    weights = rng.uniform(size=6)
    return [
        ("binary", BinaryClassHead(thresholds=[0.3], pos_weight=2.0), z[:, 0], logits1, weights),
        ("binary-1d", BinaryClassHead(), z[:, 0].astype(float), logits1[:, 0], weights[:, None]),
        ("binary-vocabulary", BinaryClassHead(label_vocabulary=["a", "b"]),
         np.array(["a", "b"])[z[:, 0]], logits1.astype(np.float32), None),
        ("multilabel-dense", MultiLabelHead(3, pos_weight=[1.0, 2.0, 3.0]), z, logits3, weights),
        ("multilabel-sparse", MultiLabelHead(3, classes_for_class_based_metrics=[1]),
         sp.csr_matrix(z), logits3, weights),
        ("multilabel-ids", MultiLabelHead(3), ids, logits3.astype(np.float32), weights),
        ("logistic", LogisticRegressionHead(), rng.uniform(size=6), logits1, weights),
        ("multiclass", MultiClassHead(3), z.argmax(axis=1), logits3, weights),
        ("multiclass-vocabulary", MultiClassHead(3, label_vocabulary=["a", "b", "c"]),
         np.array(["a", "b", "c"])[z.argmax(axis=1)], logits3.astype(np.float32), None),
        ("regression", RegressionHead(3, inverse_link_fn=np.exp), rng.normal(size=(6, 3)),
         logits3, rng.uniform(size=(6, 3))),
        ("poisson", PoissonRegressionHead(), rng.poisson(2.0, size=6).astype(float), logits1,
         weights),
    ]


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
@pytest.mark.parametrize(
    "head, labels, logits, weights", [c[1:] for c in _head_inputs()],
    ids=[c[0] for c in _head_inputs()],
)
def test_heads_do_not_change_their_inputs(head, labels, logits, weights, read_only):
    if read_only:
        labels, logits, weights = _read_only(labels), _read_only(logits), _read_only(weights)
    before = [_fingerprint(v) for v in (labels, logits, weights)]
    head.loss(labels, logits, weights)
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    assert grad is not logits and not np.shares_memory(grad, logits)
    head.predictions(logits)
    head.evaluate(labels, logits, weights)
    head.update_metrics(head.metrics(), logits, labels, weights)
    _assert_unchanged(before, (labels, logits, weights))
    # and the returned gradient belongs to the caller: changing it changes
    # nothing the head computes next
    grad[...] = 0
    assert head.loss_and_gradient(labels, logits, weights)[0] == loss


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
@pytest.mark.parametrize("side_by_side", [False, True], ids=["dict", "array"])
def test_multi_head_does_not_change_its_inputs(side_by_side, read_only):
    rng = np.random.RandomState(2)
    head = MultiHead([MultiClassHead(3, name="kind"), RegressionHead(2, name="value")],
                     head_weights=[1.0, 2.0])
    logits = rng.normal(size=(6, 5))
    labels = {"kind": rng.randint(0, 3, size=6), "value": rng.normal(size=(6, 2))}
    weights = rng.uniform(size=6)
    if read_only:
        logits, weights = _read_only(logits), _read_only(weights)
        labels = {k: _read_only(v) for k, v in labels.items()}
    given = logits if side_by_side else {"kind": logits[:, :3], "value": logits[:, 3:]}
    arrays = [logits, weights, *labels.values()]
    before = [_fingerprint(v) for v in arrays]
    loss, grad = head.loss_and_gradient(labels, given, weights)
    head.loss(labels, given, weights)
    head.predictions(given)
    head.evaluate(labels, given, weights)
    _assert_unchanged(before, arrays)
    for part in grad.values() if isinstance(grad, dict) else [grad]:
        assert not np.shares_memory(part, logits)


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_do_not_change_their_inputs(dtype, read_only):
    labels = np.array([[1.0, 0.0], [0.5, 1.0]], dtype=dtype)
    logits = np.array([[2.0, -1.0], [0.0, 1e4]], dtype=dtype)
    pos_weight = np.array([2.0, 0.5])
    if read_only:
        labels, logits, pos_weight = map(_read_only, (labels, logits, pos_weight))
    before = [_fingerprint(v) for v in (labels, logits, pos_weight)]
    out = sigmoid_cross_entropy_with_logits(labels, logits)
    assert not np.shares_memory(out, logits) and not np.shares_memory(out, labels)
    weighted_cross_entropy_with_logits(labels, logits, pos_weight)
    _assert_unchanged(before, (labels, logits, pos_weight))


def test_a_fitted_head_is_not_the_given_head():
    head = BinaryClassHead(pos_weight=2.0)
    params = head.get_params()
    est = LinearEstimator(head).fit(X, Y)
    assert est.head_ is not head and head.get_params() == params


# ---------------------------------------------------------------------------
# round trips, determinism, threads


def _fitted(estimator, y, Xf=X):
    return clone(estimator).fit(Xf, y, sample_weight=W)


def _outputs(est, Xp=X):
    out = [est.predict(Xp)]
    if hasattr(est, "decision_function"):
        out.append(est.decision_function(Xp))
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(Xp))
    return out


@pytest.mark.parametrize("name, estimator, y, key", ESTIMATORS, ids=ESTIMATOR_IDS)
def test_pickle_and_joblib_round_trips(name, estimator, y, key, tmp_path):
    est = _fitted(estimator, y, X.astype(np.float32) if "mlp" in name else X)
    expected = _outputs(est)
    path = tmp_path / "est.joblib"
    joblib.dump(est, path)
    for again in (pickle.loads(pickle.dumps(est)), joblib.load(path)):
        for a, b in zip(_outputs(again), expected):
            assert a.dtype == b.dtype
            assert_array_equal(a, b)
        assert again.evaluate(X, y, W) == est.evaluate(X, y, W)
        assert make_head_scorer(key)(again, X, y) == make_head_scorer(key)(est, X, y)
        assert again.get_params().keys() == est.get_params().keys()


@pytest.mark.parametrize(
    "estimator, y",
    [
        (MLPClassifier((4, 3), max_iter=40, random_state=7), Y),
        (MLPEstimator(MultiLabelHead(3), (4,), activation="tanh", max_iter=40, random_state=7),
         Y_MULTI),
        (LinearClassifier(), Y),
    ],
    ids=["mlp-binary", "mlp-multilabel", "linear"],
)
def test_same_random_state_same_fit(estimator, y):
    first, second = _fitted(estimator, y), _fitted(estimator, y)
    weights = (
        [first.coef_, first.intercept_] if hasattr(first, "coef_")
        else first.coefs_ + first.intercepts_
    )
    weights2 = (
        [second.coef_, second.intercept_] if hasattr(second, "coef_")
        else second.coefs_ + second.intercepts_
    )
    for a, b in zip(weights, weights2):
        assert_array_equal(a, b)
    assert first.loss_curve_ == second.loss_curve_
    assert first.n_iter_ == second.n_iter_


def test_random_state_instance_is_used_not_changed_by_clone():
    rs = np.random.RandomState(3)
    state = rs.get_state()[1].copy()
    est = MLPClassifier((3,), max_iter=5, random_state=rs)
    clone(est)  # cloning does not draw from it
    assert_array_equal(rs.get_state()[1], state)


@pytest.mark.parametrize("name, estimator, y, key", ESTIMATORS, ids=ESTIMATOR_IDS)
def test_predict_from_threads_equals_one_thread(name, estimator, y, key):
    est = _fitted(estimator, y)
    rng = np.random.RandomState(5)
    batches = [rng.normal(size=(n, 4)) for n in (1, 7, 50, 200, 3, 64, 11, 128)]
    expected = [_outputs(est, b) for b in batches]
    expected_eval = est.evaluate(X, y)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda b: _outputs(est, b), batches * 4))
        evaluated = list(pool.map(lambda _: est.evaluate(X, y), range(8)))
    for got, want in zip(results, expected * 4):
        for a, b in zip(got, want):
            assert_array_equal(a, b)
    assert all(e == expected_eval for e in evaluated)


def test_warnings_from_threads_do_not_leak_state():
    # heads keep a "warned once" flag; using one head from threads must not
    # break the computation
    head = BinaryClassHead(loss_fn=sigmoid_cross_entropy_with_logits)
    labels, logits = np.array([1, 0, 1]), np.array([[0.5], [-1.0], [2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = head.loss_and_gradient(labels, logits)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda _: head.loss_and_gradient(labels, logits), range(16)))
    for loss, grad in results:
        assert loss == expected[0]
        assert_array_equal(grad, expected[1])
