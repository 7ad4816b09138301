"""Malformed values at every public entry point: a clear error or a sound result.

Hypothesis takes a valid call of each entry point (the two losses; each
head's ``loss``, ``loss_and_gradient``, ``predictions``, ``evaluate``,
``update_metrics`` and its metrics' ``merge``; each estimator's ``fit``,
``predict``, ``predict_proba``, ``decision_function``, ``score`` and
``evaluate``; a ``make_head_scorer`` scorer) and breaks one argument: another
dtype (complex, object, strings, bytes, bool, float32), another shape (0-d,
empty, a wrong length, flattened, transposed, 3-d), a special value (NaN,
infinities, -0.0, huge, tiny, denormal) in one place or a huge or tiny scale
everywhere, another container (a list, a ragged list, a CSR, CSC or COO
matrix, None, a scalar, a string). It asserts only that

* the call succeeds, or raises ``ValueError``, ``TypeError`` or
  ``NotFittedError`` whose message names the broken argument; nothing else
  (no ``AttributeError``, ``IndexError``, ``ZeroDivisionError``, NumPy
  internals) and no ``ComplexWarning`` (an imaginary part silently dropped)
  or NumPy ``RuntimeWarning`` (an overflow or NaN on the way to a result);
* a successful result is finite where it must be: losses, gradients,
  metrics, probabilities (in [0, 1]); decision functions may overflow to an
  infinity, never NaN;
* the inputs are unchanged.

It is bounded to run in a few seconds; ``SKLEARN_HEADS_FUZZ_EXAMPLES``
multiplies the number of examples of every test, for a longer search.
The faults it found are fixed in the package and have plain regression
rows in ``tests/test_bad_inputs.py``.
"""

import functools
import os
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiLabelHead,
    make_head_scorer,
    sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

SCALE = float(os.environ.get("SKLEARN_HEADS_FUZZ_EXAMPLES", "1"))


def _settings(max_examples):
    return settings(
        max_examples=max(1, int(max_examples * SCALE)),
        deadline=None,
        database=None,  # nothing left behind in the work tree
        suppress_health_check=list(HealthCheck),
    )


# ---------------------------------------------------------------------------
# valid data: N rows, K labels, D features

N, K, D = 8, 3, 2
RNG = np.random.RandomState(0)
X = RNG.normal(size=(N, D))
Y = np.array([0, 1, 0, 1, 1, 0, 1, 0])
Y_MULTI = np.array([[0, 1, 1], [1, 0, 1], [0, 1, 0], [1, 0, 1],
                    [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 1]])
P = np.linspace(0.1, 0.9, N)
W = RNG.uniform(0.5, 2.0, size=N)
LOGITS_1 = RNG.normal(size=(N, 1))
LOGITS_K = RNG.normal(size=(N, K))

SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 1e308, -1e308, np.finfo(np.float64).max,
            1e-308, 5e-324, 1e300, -1e300, 3.5e38, 1e-45]
SCALES = [1e300, 1e200, 1e154, 1e-300, 5e-324, 1e38, -1e300]
OBJECTS = [None, "a", b"b", Fraction(1, 3), 1j, object(), [1.0]]


# ---------------------------------------------------------------------------
# breaking one value


def _as_float(value):
    value = np.asarray(value)
    if value.dtype.kind == "c":
        return value.real.astype(np.float64)
    if value.dtype.kind not in "biuf":  # string labels: their 0/1 codes
        value = (value == value.reshape(-1)[0]) if value.size else np.zeros(value.shape)
    return np.array(value, dtype=np.float64)


def _ragged(value):
    rows = value.tolist()
    if not isinstance(rows, list) or len(rows) < 2:
        return [[1.0], [1.0, 2.0]]
    first = rows[0] if isinstance(rows[0], list) else [rows[0]]
    return [first + [0.0]] + rows[1:]


def _sparse(value, fmt):
    two_d = value if value.dtype.kind in "biufc" else _as_float(value)
    two_d = two_d.reshape(two_d.shape[0], -1) if two_d.ndim else two_d.reshape(1, 1)
    return sp.csr_matrix(two_d).asformat(fmt)


def _set(value, i, new, dtype):
    out = np.array(value, dtype=dtype)
    if out.size:
        out.reshape(-1)[i % out.size] = new
    return out


#: name -> function(value, draw) of the broken value; ``draw`` draws
#: from a strategy
CORRUPTIONS = {
    # dtypes
    "complex": lambda v, draw: _as_float(v).astype(np.complex128) + 0.5j,
    "complex-real": lambda v, draw: _as_float(v).astype(np.complex128),
    "object": lambda v, draw: _set(v, draw(st.integers(0, 99)), draw(st.sampled_from(OBJECTS)),
                                   object),
    "str": lambda v, draw: np.asarray(v).astype(str),
    "bytes": lambda v, draw: np.asarray(v).astype(bytes),
    "bool": lambda v, draw: _as_float(v).astype(bool),
    "float32": lambda v, draw: _as_float(v).astype(np.float32),
    "int": lambda v, draw: _as_float(v).astype(np.int64),
    # shapes
    "0-d": lambda v, draw: np.asarray(v).reshape(-1)[0] if np.size(v) else np.float64(0),
    "0-d-array": lambda v, draw: np.asarray(np.asarray(v).reshape(-1)[0]),
    "empty": lambda v, draw: np.asarray(v)[:0],
    "shorter": lambda v, draw: np.asarray(v)[:-1],
    "longer": lambda v, draw: np.concatenate([np.asarray(v), np.asarray(v)[:1]]),
    "flat": lambda v, draw: np.asarray(v).reshape(-1),
    "column": lambda v, draw: np.asarray(v)[..., None],
    "3-d": lambda v, draw: np.stack([np.asarray(v)] * 2, axis=-1),
    "transposed": lambda v, draw: np.asarray(v).T,
    # special values, scales
    "special": lambda v, draw: _set(_as_float(v), draw(st.integers(0, 99)),
                                    draw(st.sampled_from(SPECIALS)), np.float64),
    "scaled": lambda v, draw: _as_float(v) * draw(st.sampled_from(SCALES)),
    # containers
    "list": lambda v, draw: np.asarray(v).tolist(),
    "ragged": lambda v, draw: _ragged(np.asarray(v)),
    "sparse": lambda v, draw: _sparse(v, draw(st.sampled_from(["csr", "csc", "coo"]))),
    "other": lambda v, draw: draw(st.sampled_from(
        [None, 0.5, "abc", {"a": 1}, Fraction(1, 2), 1j, [], (), object()]
    )),
}


@st.composite
def _corruptions(draw, value):
    """A broken version of ``value`` (an array)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # casting inf to int, ...: the test's own
        return _apply_corruptions(draw, value)


def _apply_corruptions(draw, value):
    value = np.asarray(value)
    if value.ndim == 0:  # a scalar argument (pos_weight): as one value
        value = value.reshape(1)
    # one or two corruptions (a special value in float32, a complex CSR
    # matrix, ...); the second only applies to an array
    for step in range(draw(st.integers(1, 2), label="corruptions")):
        if step and not (isinstance(value, np.ndarray) and value.ndim):
            break
        name = draw(st.sampled_from(sorted(CORRUPTIONS)), label="corruption")
        if step == 0:
            value = CORRUPTIONS[name](value, draw)
            continue
        try:
            value = CORRUPTIONS[name](value, draw)
        except (ValueError, TypeError, IndexError):
            pass  # this second corruption does not apply to the first one's result
    return value


# ---------------------------------------------------------------------------
# inputs unchanged


def _snapshot(value):
    if sp.issparse(value):
        return ("sparse", value.format, value.copy())
    if isinstance(value, np.ndarray):
        return ("array", value.copy())
    return ("other", repr(value))


def _same(before, value):
    kind = before[0]
    if kind == "sparse":
        old = before[2]
        if not (sp.issparse(value) and value.format == before[1]):
            return False
        if value.shape != old.shape or value.dtype != old.dtype:
            return False
        return np.array_equal(value.toarray(), old.toarray(), equal_nan=old.dtype.kind in "fc")
    if kind == "array":
        old = before[1]
        if not isinstance(value, np.ndarray):
            return False
        if value.dtype != old.dtype or value.shape != old.shape:
            return False
        if old.dtype.kind in "fc":
            return np.array_equal(value, old, equal_nan=True)
        return bool(np.all(value == old)) if old.dtype.kind != "O" else all(
            a is b or a == b for a, b in zip(value.reshape(-1), old.reshape(-1))
        )
    return repr(value) == before[1]  # lists, scalars, objects


# ---------------------------------------------------------------------------
# the outcome


ALLOWED = (ValueError, TypeError, NotFittedError)
# an imaginary part dropped on the way (np.exceptions from NumPy 1.25)
COMPLEX_WARNING = getattr(getattr(np, "exceptions", np), "ComplexWarning")
NAMES = {
    "labels": r"[Ll]abel|[Cc]lass ids|[Mm]ulti-hot",
    "logits": r"logits",
    "sample_weight": r"sample_weight|[Ss]ample weights",
    "pos_weight": r"pos_weight",
    "X": r"\bX\b",
    "y": r"\by\b|[Ll]abel|[Cc]lass|[Mm]ulti-hot|[Tt]arget",
    "eval_metrics": r"eval_metrics",
    "other": r"merge|[Mm]erged|metric",
    "keys": r"keys|prediction key",
    "threshold": r"threshold",
}


def _check_outcome(call, arguments, broken, check_result):
    """Run ``call()``; check the error or the result, and the inputs."""
    before = {name: _snapshot(value) for name, value in arguments.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except ALLOWED as exc:
            message = str(exc)
            pattern = NAMES[broken]
            assert re.search(pattern, message), (
                f"the error does not name {broken!r}: {type(exc).__name__}: {message}"
            )
            result = None
    bad = [w for w in caught if issubclass(w.category, (COMPLEX_WARNING, RuntimeWarning))]
    assert not bad, f"{bad[0].category.__name__}: {bad[0].message}"
    for name, value in arguments.items():
        assert _same(before[name], value), f"{name} was changed"
    if result is not None:
        check_result(result)


def _finite(value):
    value = np.asarray(value, dtype=np.float64)
    assert np.all(np.isfinite(value)), f"not finite: {value!r:.200}"


def _probabilities(value):
    _finite(value)
    value = np.asarray(value)
    assert np.all((value >= 0) & (value <= 1)), f"not in [0, 1]: {value!r:.200}"


def _metric_dict(result):
    assert isinstance(result, dict)
    for key, value in result.items():
        assert isinstance(value, float), key
        assert np.isfinite(value), f"{key} = {value}"


def _rows(value):
    shape = getattr(value, "shape", None)
    if shape is not None:
        return shape[0] if len(shape) else None
    try:
        return len(value)
    except TypeError:
        return None


def _broken_arguments(valid, data, names):
    """``valid`` with one argument of ``names`` replaced by a broken version."""
    broken = data.draw(st.sampled_from(names), label="broken")
    arguments = dict(valid)
    arguments[broken] = data.draw(_corruptions(valid[broken]), label=broken)
    return arguments, broken


# ---------------------------------------------------------------------------
# 1. the element-wise losses


@_settings(150)
@given(data=st.data(), weighted=st.booleans(), two_d=st.booleans())
def test_losses(data, weighted, two_d):
    logits = LOGITS_K if two_d else LOGITS_1[:, 0]
    labels = (Y_MULTI if two_d else Y).astype(np.float64)
    valid = {"labels": labels, "logits": logits}
    names = ["labels", "logits"]
    if weighted:
        valid["pos_weight"] = np.array([1.0, 2.0, 0.5]) if two_d else 2.0
        names.append("pos_weight")
    arguments, broken = _broken_arguments(valid, data, names)
    if weighted:
        call = lambda: weighted_cross_entropy_with_logits(**arguments)  # noqa: E731
    else:
        call = lambda: sigmoid_cross_entropy_with_logits(**arguments)  # noqa: E731

    def check(result):
        assert isinstance(result, np.ndarray)
        assert result.shape == np.shape(arguments["logits"])
        _finite(result)

    _check_outcome(call, arguments, broken, check)


# ---------------------------------------------------------------------------
# 2. heads


def _loss_with_gradient(labels, logits):
    loss = np.logaddexp(0, logits) - labels * logits
    grad = 1 / (1 + np.exp(-np.clip(logits, -500, 500))) - labels
    return loss.mean(axis=-1, keepdims=True), grad / logits.shape[-1]


def _loss_without_gradient(labels, logits):
    return (np.logaddexp(0, logits) - labels * logits).sum(axis=-1, keepdims=True)


HEADS = {
    "binary": lambda: BinaryClassHead(),
    "binary-options": lambda: BinaryClassHead(
        thresholds=[0.3], label_vocabulary=["no", "yes"], pos_weight=2.0, name="b",
        loss_reduction="sum",
    ),
    "binary-loss_fn": lambda: BinaryClassHead(loss_fn=_loss_with_gradient),
    "multilabel": lambda: MultiLabelHead(
        K, thresholds=[0.5], pos_weight=[1.0, 2.0, 0.5], classes_for_class_based_metrics=[0]
    ),
    "multilabel-vocabulary": lambda: MultiLabelHead(K, label_vocabulary=["a", "b", "c"]),
    "multilabel-loss_fn": lambda: MultiLabelHead(K, loss_fn=_loss_without_gradient),
    "logistic": lambda: LogisticRegressionHead(),
    "logistic-loss_fn": lambda: LogisticRegressionHead(loss_fn=_loss_with_gradient),
}


def _head_inputs(kind):
    head = HEADS[kind]()
    if head.logits_dimension == 1:
        labels = P if kind.startswith("logistic") else Y
        if kind == "binary-options":
            labels = np.where(Y == 1, "yes", "no")
        return head, {"labels": labels.copy(), "logits": LOGITS_1.copy(),
                      "sample_weight": W.copy()}
    return head, {"labels": Y_MULTI.copy(), "logits": LOGITS_K.copy(),
                  "sample_weight": W.copy()}


@_settings(200)
@given(
    data=st.data(),
    kind=st.sampled_from(sorted(HEADS)),
    method=st.sampled_from(["loss", "loss_and_gradient", "evaluate", "update_metrics"]),
)
def test_head_methods(data, kind, method):
    head, valid = _head_inputs(kind)
    arguments, broken = _broken_arguments(
        valid, data, ["labels", "logits", "sample_weight"]
    )
    if method == "update_metrics":
        def call():
            return head.update_metrics(head.metrics(), **arguments)
    else:
        def call():
            return getattr(head, method)(**arguments)

    def check(result):
        if method == "loss":
            assert isinstance(result, float) and np.isfinite(result), result
        elif method == "loss_and_gradient":
            loss, grad = result
            assert isinstance(loss, float) and np.isfinite(loss), loss
            assert grad.shape == np.shape(arguments["logits"])
            _finite(grad)
        elif method == "evaluate":
            _metric_dict(result)
        else:
            _metric_dict({key: metric.result() for key, metric in result.items()})

    _check_outcome(call, arguments, broken, check)


@_settings(100)
@given(data=st.data(), kind=st.sampled_from(sorted(HEADS)))
def test_head_predictions(data, kind):
    head, valid = _head_inputs(kind)
    if not data.draw(st.booleans(), label="break keys"):
        arguments, broken = _broken_arguments({"logits": valid["logits"]}, data, ["logits"])
    else:
        arguments, broken = {"logits": valid["logits"]}, "keys"
        arguments["keys"] = data.draw(
            st.sampled_from([3, None, ["logits", 3], ["nope"], "probabilities", [b"logits"],
                             {"logits": 1}, ("logits",)]),
            label="keys",
        )

    def check(result):
        assert isinstance(result, dict)
        for key in ("probabilities", "logistic", "predictions"):
            if key in result:
                _probabilities(result[key])
        if "logits" in result:
            _finite(result["logits"])

    _check_outcome(lambda: head.predictions(**arguments), arguments, broken, check)


@_settings(100)
@given(data=st.data(), kind=st.sampled_from(sorted(HEADS)))
def test_update_metrics_eval_metrics(data, kind):
    head, valid = _head_inputs(kind)
    choice = data.draw(st.sampled_from(
        ["other-head", "subset", "none", "list", "wrong-values", "streamed"]
    ), label="eval_metrics")
    if choice == "other-head":
        other = data.draw(st.sampled_from(sorted(HEADS)), label="other")
        eval_metrics = HEADS[other]().metrics()
    elif choice == "subset":
        eval_metrics = dict(list(head.metrics().items())[:1])
    elif choice == "none":
        eval_metrics = None
    elif choice == "list":
        eval_metrics = list(head.metrics().values())
    elif choice == "wrong-values":
        eval_metrics = {key: None for key in head.metrics()}
    else:  # the same metrics updated twice: valid
        eval_metrics = head.update_metrics(head.metrics(), valid["logits"], valid["labels"])

    def check(result):
        _metric_dict({key: metric.result() for key, metric in result.items()})

    _check_outcome(
        lambda: head.update_metrics(eval_metrics, valid["logits"], valid["labels"]),
        {"logits": valid["logits"]}, "eval_metrics", check,
    )


# ---------------------------------------------------------------------------
# 3. merge


@_settings(150)
@given(data=st.data(), kind=st.sampled_from(sorted(HEADS)))
def test_merge(data, kind):
    head, valid = _head_inputs(kind)
    mine = head.update_metrics(head.metrics(), valid["logits"], valid["labels"], W)
    theirs = head.update_metrics(head.metrics(), valid["logits"], valid["labels"], W)
    key = data.draw(st.sampled_from(sorted(mine)), label="key")
    other = theirs[key]
    how = data.draw(st.sampled_from(["state", "other-metric", "object"]), label="how")
    if how == "state":
        state = data.draw(st.sampled_from(other._state_names), label="state")
        setattr(other, state, data.draw(_corruptions(np.asarray(getattr(other, state))),
                                        label="value"))
    elif how == "other-metric":
        other_kind = data.draw(st.sampled_from(sorted(HEADS)), label="other head")
        metrics = HEADS[other_kind]().metrics()
        other = metrics[data.draw(st.sampled_from(sorted(metrics)), label="other key")]
    else:
        other = data.draw(st.sampled_from([None, 1.0, {"total": 1.0}, "auc"]), label="other")
    metric = mine[key]
    before = metric._state()

    def call():
        try:
            return metric.merge(other)
        except ALLOWED:
            # a refused merge leaves the metric as it was
            after = metric._state()
            for name, value in before.items():
                assert np.array_equal(after[name], value), name
            raise

    def check(result):
        assert result is metric
        assert np.isfinite(result.result()), result.result()

    _check_outcome(call, {}, "other", check)


# ---------------------------------------------------------------------------
# 4. estimators


def _fitted(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est, y = ESTIMATORS[kind]
        return clone(est).fit(X, y)


ESTIMATORS = {
    "linear-binary": (LinearClassifier(max_iter=10), Y),
    "linear-multilabel": (LinearClassifier(max_iter=10, threshold=[0.4, 0.5, 0.6]), Y_MULTI),
    "mlp-binary": (MLPClassifier((2,), max_iter=5, random_state=0), Y),
    "linear-vocabulary": (
        LinearEstimator(BinaryClassHead(label_vocabulary=["no", "yes"]), max_iter=10),
        np.where(Y == 1, "yes", "no"),
    ),
    "linear-logistic": (LinearEstimator(LogisticRegressionHead(), max_iter=10), P),
    "mlp-multilabel": (
        MLPEstimator(MultiLabelHead(K, thresholds=[0.3]), (2,), max_iter=5, random_state=0),
        Y_MULTI,
    ),
    "linear-loss_fn": (
        LinearEstimator(BinaryClassHead(loss_fn=_loss_with_gradient), max_iter=10), Y
    ),
}
FITTED = functools.lru_cache(maxsize=None)(_fitted)


def _estimator_result_check(kind, method):
    def check(result):
        if method == "fit":
            assert hasattr(result, "n_iter_")
            params = [getattr(result, "coef_", None), getattr(result, "coefs_", None)]
            for p in params:
                if p is not None:
                    for array in (p if isinstance(p, list) else [p]):
                        _finite(array)
        elif method == "predict_proba":
            _probabilities(result)
        elif method == "decision_function":
            assert not np.any(np.isnan(result)), result
        elif method == "predict" and kind == "linear-logistic":
            _probabilities(result)
        elif method == "score":
            assert isinstance(result, float) and np.isfinite(result), result
        elif method == "evaluate":
            _metric_dict(result)
    return check


@_settings(150)
@given(
    data=st.data(),
    kind=st.sampled_from(sorted(ESTIMATORS)),
    method=st.sampled_from(["fit", "predict", "predict_proba", "decision_function",
                            "score", "evaluate", "scorer"]),
)
def test_estimator_methods(data, kind, method):
    est, y = ESTIMATORS[kind]
    valid = {"X": X.copy(), "y": np.array(y, copy=True), "sample_weight": W.copy()}
    names = ["X"] if method in ("predict", "predict_proba", "decision_function") else [
        "X", "y", "sample_weight"
    ]
    arguments, broken = _broken_arguments(valid, data, names)
    Xa, ya, wa = arguments["X"], arguments["y"], arguments["sample_weight"]
    if method in ("predict_proba", "decision_function") and kind == "linear-logistic":
        method = "predict"  # a regressor: neither method
    if method == "fit":
        def call():
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=Warning, module="sklearn")
                return clone(est).fit(Xa, ya, sample_weight=wa)
    elif method in ("predict", "predict_proba", "decision_function"):
        def call():
            return getattr(FITTED(kind), method)(Xa)
    elif method == "score":
        # score's y is checked by scikit-learn's metrics (accuracy_score,
        # r2_score), against the predictions for X: this test breaks X and
        # sample_weight only, and keeps X's rows
        if broken == "y" or _rows(Xa) != N:
            broken = "sample_weight"
            arguments = dict(valid, sample_weight=data.draw(_corruptions(W), label="weights"))
            Xa, ya, wa = arguments["X"], arguments["y"], arguments["sample_weight"]

        def call():
            return FITTED(kind).score(Xa, ya, sample_weight=wa)
    elif method == "evaluate":
        def call():
            return FITTED(kind).evaluate(Xa, ya, sample_weight=wa)
    else:
        keys = ["average_loss", "label/mean" if kind == "linear-logistic" else "auc"]
        scorer = make_head_scorer(data.draw(st.sampled_from(keys), label="key"))

        def call():
            return scorer(FITTED(kind), Xa, ya, sample_weight=wa)

    check = _estimator_result_check(kind, "evaluate" if method == "scorer" else method)
    if method == "scorer":
        def check(result):
            assert isinstance(result, float) and np.isfinite(result), result
    _check_outcome(call, arguments, broken, check)


@_settings(100)
@given(
    data=st.data(),
    kind=st.sampled_from(["linear-binary", "linear-multilabel", "mlp-binary"]),
    parameter=st.sampled_from(["pos_weight", "threshold"]),
)
def test_classifier_parameters(data, kind, parameter):
    est, y = ESTIMATORS[kind]
    if parameter == "pos_weight":
        valid = np.array([1.0, 2.0, 0.5]) if y.ndim == 2 else np.array(2.0)
        extra = [Fraction(3, 2), [Fraction(1, 2)] * 3, -1.0, 1j, "2"]
    else:
        valid = np.array([0.3, 0.5, 0.7]) if y.ndim == 2 else np.array(0.4)
        extra = [Fraction(1, 3), [Fraction(1, 2)] * 3, 1.0, 0.5j, [0.5j] * 3, ["0.5"] * 3]
    value = data.draw(_corruptions(valid) | st.sampled_from(extra), label=parameter)

    def call():
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=Warning, module="sklearn")
            return clone(est).set_params(**{parameter: value}).fit(X, y)

    _check_outcome(call, {parameter: value}, parameter, _estimator_result_check(kind, "fit"))


@pytest.mark.parametrize("key", [None, "", 3, b"auc", ["auc"]])
def test_make_head_scorer_key(key):
    with pytest.raises(TypeError, match="key must be a non-empty string"):
        make_head_scorer(key)
