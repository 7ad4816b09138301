"""The heads and losses against cases computed by TensorFlow 2.15 itself.

The cases live in ``../shared/tf_reference/`` (see its README for the
format); a copy under ``tests/tf_reference/`` keeps the suite running where
``../shared`` is absent.

Every case of every head is checked the same way: the loss, the gradient
(its shape and dtype here, its values against finite differences of the
loss), the metric keys and values (streamed batch by batch when the case
says so), the prediction keys and values, and the errors (where TensorFlow
raises, the package raises ``ValueError`` or ``TypeError``, at the same
call or earlier). The deliberate differences of the README are decided from
each case's inputs, not from its id, so that held-out cases are judged by
the same rules:

* predictions that TensorFlow tiles over the first dimension only
  (``all_class_ids``, ``all_classes``, multi-label ``classes`` of logits of
  rank >= 3) are compared after broadcasting TensorFlow's to every leading
  dimension;
* 1-d logits of a head with one logit are read as ``(n, 1)`` where
  TensorFlow raises;
* inputs TensorFlow accepts but the package refuses (a negative sample
  weight or Poisson count, two ``MultiHead`` sub-heads with one name, a
  negative head weight) must raise a ``ValueError`` naming the value; the
  rest of ``tf_accepts`` (``head_weights=[]``) must match TensorFlow.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax

import sklearn_heads
from sklearn_heads import weighted_cross_entropy_with_logits

from _numerical import finite_differences

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "tf_reference"
LOCAL = HERE / "tf_reference"
REFERENCE_DIR = SHARED if SHARED.is_dir() else LOCAL
TOL = dict(atol=1e-5, rtol=1e-5)
APPROX = dict(abs=1e-5, rel=1e-5)


#: Deliberate differences from TensorFlow (tf_reference/README.md).
DIFFERENT = {
    "near_threshold_tf_ulp": "TF's float32 sigmoid is not correctly rounded for x in "
    "[15.7, 17.33]; the package's is (a deliberate difference)",
}

#: Non-finite numbers are written as strings in the JSON files.
NON_FINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def _param(case, file_stem):
    marks = []
    category = case.get("category")
    if category in DIFFERENT:
        marks.append(pytest.mark.skip(reason=DIFFERENT[category]))
    return pytest.param(case, id=f"{file_stem}:{case['id']}", marks=marks)


def _load_cases():
    files = sorted(REFERENCE_DIR.glob("*.json"))
    assert files, f"no reference cases in {REFERENCE_DIR}"
    cases = []
    for path in files:
        for case in json.loads(path.read_text())["cases"]:
            cases.append(_param(case, path.stem))
    return cases


CASES = _load_cases()


def _decode(values):
    """JSON values with ``"nan"``, ``"inf"`` and ``"-inf"`` as floats."""
    if isinstance(values, list):
        return [_decode(v) for v in values]
    if isinstance(values, str) and values in NON_FINITE:
        return NON_FINITE[values]
    return values


def _numbers(values):
    """JSON numbers as an array, non-finite strings decoded."""
    return np.asarray(_decode(values))


# ---------------------------------------------------------------------------
# loss_fn twins: NumPy versions of the losses the TensorFlow heads were given
# (README, "loss_fn names"); each returns the loss, or (loss, gradient).


def _one_hot(labels, k):
    return (np.asarray(labels) == np.arange(k)).astype(np.float64)


def mc_smooth_ce(labels, logits, eps=0.1):
    # -sum(t * log p), t = (1 - eps) y + eps / k; d/dx = p - t (sum t = 1)
    k = logits.shape[-1]
    t = (1 - eps) * _one_hot(labels, k) + eps / k
    loss = -np.sum(t * log_softmax(logits, axis=-1), axis=-1, keepdims=True)
    return loss, softmax(logits, axis=-1) - t


def mc_focal_g2(labels, logits):
    # -(1 - p_y)^2 log p_y; d/dx_j = (2 p_y (1 - p_y) log p_y - (1 - p_y)^2) (y_j - p_j)
    y = _one_hot(labels, logits.shape[-1])
    p = softmax(logits, axis=-1)
    log_py = np.take_along_axis(log_softmax(logits, axis=-1), labels, axis=-1)
    py = np.exp(log_py)
    loss = -((1 - py) ** 2) * log_py
    return loss, (2 * py * (1 - py) * log_py - (1 - py) ** 2) * (y - p)


def mc_brier(labels, logits):
    # sum((p - y)^2); d/dx_j = 2 p_j ((p_j - y_j) - sum_i (p_i - y_i) p_i)
    y = _one_hot(labels, logits.shape[-1])
    p = softmax(logits, axis=-1)
    loss = np.sum((p - y) ** 2, axis=-1, keepdims=True)
    inner = np.sum((p - y) * p, axis=-1, keepdims=True)
    return loss, 2 * p * ((p - y) - inner)


def mc_hinge(labels, logits):
    # max(0, 1 + max_{j != y} x_j - x_y); d/dx = onehot(argmax_{j != y}) - y where active
    k = logits.shape[-1]
    y = _one_hot(labels, k)
    x_y = np.take_along_axis(logits, labels, axis=-1)
    others = np.where(y > 0, -np.inf, logits)
    runner_up = np.argmax(others, axis=-1)[..., None]
    margin = 1 + np.take_along_axis(others, runner_up, axis=-1) - x_y
    active = (margin > 0).astype(np.float64)
    return np.maximum(margin, 0), active * (_one_hot(runner_up, k) - y)


def mc_bad_shape_n(labels, logits):
    return mc_smooth_ce(labels, logits)[0][..., 0]  # [...] instead of [..., 1]


def reg_abs(labels, logits):
    r = logits - labels
    return np.abs(r), np.sign(r)


def reg_huber_1(labels, logits):
    r = logits - labels
    small = np.abs(r) <= 1
    return np.where(small, r**2 / 2, np.abs(r) - 0.5), np.where(small, r, np.sign(r))


def reg_log_cosh(labels, logits):
    # log(cosh(r)) = |r| + log1p(exp(-2|r|)) - log 2, without overflow
    r = logits - labels
    a = np.abs(r)
    return a + np.log1p(np.exp(-2 * a)) - np.log(2), np.tanh(r)


def reg_pinball_08(labels, logits):
    # max(0.8 u, -0.2 u) with u = z - x: d/dx = -0.8 where u > 0, 0.2 elsewhere
    u = labels - logits
    return np.maximum(0.8 * u, -0.2 * u), np.where(u > 0, -0.8, 0.2)


def reg_poisson_exp(labels, logits):
    return np.exp(logits) - labels * logits, np.exp(logits) - labels


def reg_bad_shape_n(labels, logits):
    return np.sum((logits - labels) ** 2, axis=-1)  # [...]


def reg_bad_dim1(labels, logits):
    return np.sum((logits - labels) ** 2, axis=-1, keepdims=True)  # [..., 1]


LOSS_FNS = {
    "mc_smooth_ce_0.1": mc_smooth_ce,
    "mc_focal_g2": mc_focal_g2,
    "mc_brier": mc_brier,
    "mc_hinge": mc_hinge,
    "mc_bad_shape_n": mc_bad_shape_n,
    "reg_abs": reg_abs,
    "reg_huber_1": reg_huber_1,
    "reg_log_cosh": reg_log_cosh,
    "reg_pinball_0.8": reg_pinball_08,
    "reg_poisson_exp": reg_poisson_exp,
    "reg_bad_shape_n": reg_bad_shape_n,
    "reg_bad_dim1": reg_bad_dim1,
}
#: Twins that return a gradient (the wrong-shape ones return a loss only).
WITH_GRADIENT = [name for name in LOSS_FNS if "bad" not in name]


def _loss_fn(spec):
    twin = LOSS_FNS[spec["name"]]
    if spec["returns_grad"]:
        return twin

    def loss_only(labels, logits):
        out = twin(labels, logits)
        return out[0] if isinstance(out, tuple) else out

    return loss_only


# ---------------------------------------------------------------------------
# cases as calls

LINKS = {None: None, "exp": np.exp, "sigmoid": expit}
HEADS = ("BinaryClassHead", "MultiLabelHead", "LogisticRegressionHead")
NEW_HEADS = ("MultiClassHead", "RegressionHead", "PoissonRegressionHead", "MultiHead")


def _make_one(kind, init, loss_fn=None):
    init = dict(init)
    if "inverse_link_fn" in init:
        init["inverse_link_fn"] = LINKS[init["inverse_link_fn"]]
    if loss_fn is not None:
        init["loss_fn"] = _loss_fn(loss_fn)
    return getattr(sklearn_heads, kind)(**init)


def _make_head(case):
    if case["head"] == "MultiHead":
        init = case["init"]
        heads = [_make_one(h["head"], h["init"], h.get("loss_fn")) for h in init["heads"]]
        return sklearn_heads.MultiHead(heads, head_weights=init["head_weights"])
    return _make_one(case["head"], case["init"], case.get("loss_fn"))


def _labels(case):
    labels = case["labels"]
    if isinstance(labels, dict):
        return {name: _array_or_lists(value) for name, value in labels.items()}
    if case.get("label_format") in ("ids", "strings"):
        return labels  # (ragged) Python lists of class ids or names
    return _numbers(labels) if case["head"] != "MultiClassHead" else np.asarray(labels)


def _array_or_lists(values):
    """An array; ragged lists (multi-label class ids) stay lists."""
    lengths = {len(v) for v in values if isinstance(v, list)}
    return values if len(lengths) > 1 else np.asarray(values)


def _logits(case, dtype=np.float64):
    logits = case["logits"]
    if isinstance(logits, dict):
        return {name: np.asarray(value, dtype=dtype) for name, value in logits.items()}
    return np.asarray(logits, dtype=dtype)


def _weights(case):
    weights = case["sample_weight"]
    return None if weights is None else _numbers(weights)


def _rows(values, start, stop):
    if values is None:
        return None
    if isinstance(values, dict):
        return {name: value[start:stop] for name, value in values.items()}
    return values[start:stop]


def _sub_cases(case):
    """``(kind, init, labels)`` of the head, or of each sub-head of a MultiHead."""
    if case["head"] != "MultiHead":
        return [(case["head"], case.get("init"), case.get("labels"))]
    labels = case.get("labels") or {}
    return [
        (h["head"], h["init"], labels.get(h["init"]["name"]) if isinstance(labels, dict) else None)
        for h in case["init"]["heads"]
    ]


def _refused_value(case):
    """What the package refuses in a case TensorFlow accepts (README), or None.

    A regular expression for the value the ``ValueError`` must name.
    """
    if case["head"] == "MultiHead":
        names = [h["init"]["name"] for h in case["init"]["heads"]]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            return re.escape(repr(duplicates[0]))
        negative = [w for w in case["init"]["head_weights"] or () if w < 0]
        if negative:
            return re.escape(repr(float(negative[0])))
    weights = case.get("sample_weight")
    if weights is not None and np.any(_numbers(weights) < 0):
        return re.escape(repr(float(np.min(_numbers(weights)))))
    for kind, _, labels in _sub_cases(case):
        if kind == "PoissonRegressionHead" and labels is not None:
            counts = _numbers(labels).astype(np.float64)
            if np.any(counts < 0):
                return re.escape(repr(float(counts[counts < 0][0])))
    return None


def _by_kind(*kinds, errors=False, refused=False):
    return [
        c
        for c in CASES
        if c.values[0]["head"] in kinds
        and ("raises" in c.values[0]["expected"]) == errors
        and (not errors and _refused_value(c.values[0]) is not None) == refused
    ]


def test_reference_cases_are_found():
    kinds = {c.values[0]["head"] for c in CASES}
    assert set(HEADS + NEW_HEADS) | {"weighted_cross_entropy_with_logits"} <= kinds


def test_refusals_are_only_tf_accepts_cases():
    # the refusal rules single out exactly the cases TensorFlow accepts and
    # the README lists as refused (all but head_weights=[])
    refused = {c.values[0]["id"] for c in _by_kind(*HEADS, *NEW_HEADS, refused=True)}
    categories = {
        c.values[0]["category"] for c in CASES if c.values[0]["id"] in refused
    }
    assert categories <= {"tf_accepts"}
    assert len(refused) >= 5


@pytest.mark.parametrize("case", _by_kind("weighted_cross_entropy_with_logits"))
def test_weighted_cross_entropy(case):
    dtype = np.dtype(case["dtype"])
    labels = np.asarray(case["labels"], dtype=dtype)
    logits = np.asarray(case["logits"], dtype=dtype)
    loss = weighted_cross_entropy_with_logits(labels, logits, case["pos_weight"])
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss, case["expected"]["loss"], **TOL)


# ---------------------------------------------------------------------------
# errors


def _one_logit_1d(case, head):
    """TensorFlow's "rank at least 2" error that the package reads as (n, 1)."""
    logits = case.get("logits")
    return (
        case.get("raises_at") == "loss"
        and not isinstance(logits, dict)
        and np.ndim(logits) == 1
        and head.logits_dimension == 1
    )


@pytest.mark.parametrize("case", _by_kind(*HEADS, *NEW_HEADS, errors=True))
@pytest.mark.filterwarnings("ignore:loss_fn returned no gradient")
def test_errors(case):
    # where TensorFlow raises (at construction unless ``raises_at`` says
    # otherwise), the package raises a ValueError or a TypeError: at the same
    # call, or earlier (the constructor refuses what TensorFlow refuses only
    # when the head is used, such as a duplicate label_vocabulary entry)
    where = case.get("raises_at", "init")
    if where == "init":
        error = getattr(__builtins__, case["expected"]["raises"], None) or ValueError
        with pytest.raises(error):
            _make_head(case)
        return
    try:
        head = _make_head(case)
    except (ValueError, TypeError):
        return
    if where == "loss_reduction":
        with pytest.raises((ValueError, TypeError)):
            head.loss_reduction  # noqa: B018
        return
    if where == "predictions":
        with pytest.raises((ValueError, TypeError)):
            head.predictions(_logits(case), keys=case.get("predict_keys"))
        return
    assert where == "loss", where
    labels, logits, weights = _labels(case), _logits(case), _weights(case)
    if _one_logit_1d(case, head):
        # a deliberate difference: 1-d logits of a one-logit head are (n, 1)
        column = head.loss(labels, logits[:, None], weights)
        assert head.loss(labels, logits, weights) == column
        return
    with pytest.raises((ValueError, TypeError)):
        head.loss(labels, logits, weights)
    # every entry point that reads the same inputs refuses them too
    with pytest.raises((ValueError, TypeError)):
        head.evaluate(labels, logits, weights)


@pytest.mark.parametrize("case", _by_kind(*HEADS, *NEW_HEADS, refused=True))
def test_refused_tf_accepts(case):
    # TensorFlow computes a value; the package refuses with a ValueError that
    # names the value (a deliberate difference)
    pattern = _refused_value(case)
    with pytest.raises(ValueError, match=pattern):
        head = _make_head(case)
        head.loss(_labels(case), _logits(case), _weights(case))
    with pytest.raises(ValueError, match=pattern):
        head = _make_head(case)
        head.evaluate(_labels(case), _logits(case), _weights(case))


# ---------------------------------------------------------------------------
# values


def _result_of(head, case, labels, logits, weights):
    if not case.get("batches"):
        return head.evaluate(labels, logits, weights)
    eval_metrics = head.metrics()
    for start, stop in case["batches"]:
        head.update_metrics(
            eval_metrics,
            _rows(logits, start, stop),
            _rows(labels, start, stop),
            _rows(weights, start, stop),
        )
    return {k: m.result() for k, m in eval_metrics.items()}


def _dtype_of(gradient):
    if isinstance(gradient, dict):
        dtypes = {g.dtype for g in gradient.values()}
        assert len(dtypes) == 1, dtypes
        return dtypes.pop()
    return gradient.dtype


def _shape_of(values):
    if isinstance(values, dict):
        return {name: np.shape(v) for name, v in values.items()}
    return np.shape(values)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", _by_kind(*HEADS, *NEW_HEADS))
@pytest.mark.filterwarnings("ignore:loss_fn returned no gradient")
def test_loss_and_metrics(case, dtype):
    head = _make_head(case)
    labels, weights = _labels(case), _weights(case)
    logits = _logits(case, dtype)
    expected = case["expected"]
    expected_loss = _decode(expected["loss"])

    assert head.loss(labels, logits, weights) == pytest.approx(expected_loss, **APPROX)
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    assert loss == pytest.approx(expected_loss, **APPROX)
    assert _shape_of(grad) == _shape_of(logits) and _dtype_of(grad) == dtype

    results = _result_of(head, case, labels, logits, weights)
    assert set(results) == set(expected["metrics"])
    for key, value in expected["metrics"].items():
        assert results[key] == pytest.approx(_decode(value), **APPROX), key


def _tiled_by_tf(key, head, ndim):
    """Predictions TensorFlow tiles over the first dimension only (rank >= 3)."""
    tiled = {"all_class_ids", "all_classes"}
    if isinstance(head, sklearn_heads.MultiLabelHead):
        tiled.add("classes")
    return ndim >= 3 and key in tiled


def _check_predictions(head, predictions, expected, ndim):
    assert set(predictions) == set(expected)
    for key, value in expected.items():
        ours = predictions[key]
        if key in ("classes", "all_classes"):
            value = np.asarray(value, dtype=str)
        else:
            value = _numbers(value)
        if _tiled_by_tf(key, head, ndim):
            # TF: [D0, k]; the package keeps every leading dimension
            assert value.shape == (ours.shape[0], ours.shape[-1]), key
            value = np.broadcast_to(
                value.reshape((value.shape[0],) + (1,) * (ours.ndim - 2) + (value.shape[-1],)),
                ours.shape,
            )
        assert ours.shape == value.shape, key
        if value.dtype.kind == "U":
            np.testing.assert_array_equal(ours, value, err_msg=key)
        else:
            np.testing.assert_allclose(ours, value, **TOL, err_msg=key)


@pytest.mark.parametrize(
    "case", [c for c in _by_kind(*HEADS, *NEW_HEADS) if "predictions" in c.values[0]["expected"]]
)
def test_predictions(case):
    head = _make_head(case)
    logits = _logits(case)
    predictions = head.predictions(logits, keys=case.get("predict_keys"))
    expected = case["expected"]["predictions"]
    if case["head"] != "MultiHead":
        _check_predictions(head, predictions, expected, np.ndim(logits))
        return
    assert set(predictions) == set(expected)
    ndim = len(next(iter(_shape_of(logits).values()))) if isinstance(logits, dict) else logits.ndim
    for sub in head.heads:
        _check_predictions(sub, predictions[sub.name], expected[sub.name], ndim)


@pytest.mark.parametrize("case", _by_kind(*HEADS, *NEW_HEADS))
@pytest.mark.filterwarnings("ignore:loss_fn returned no gradient")
def test_gradient_matchesfinite_differences(case):
    head = _make_head(case)
    labels, weights = _labels(case), _weights(case)
    logits = _logits(case)
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    step = 1e-6
    # central differences: truncation ~ step**2, round-off ~ eps * |loss| / step
    atol = 10 * np.finfo(np.float64).eps * max(1.0, abs(loss)) / step
    if not isinstance(logits, dict):
        numeric = finite_differences(lambda x: head.loss(labels, x, weights), logits, step)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=atol)
        return
    for name, part in logits.items():
        numeric = finite_differences(
            lambda x: head.loss(labels, {**logits, name: x}, weights), part, step
        )
        np.testing.assert_allclose(grad[name], numeric, rtol=1e-5, atol=atol, err_msg=name)


# ---------------------------------------------------------------------------
# the loss_fn twins themselves


@pytest.mark.parametrize("name", WITH_GRADIENT)
def test_loss_fn_twins_return_their_gradient(name):
    rng = np.random.RandomState(0)
    if name.startswith("mc_"):
        logits = rng.normal(scale=2.0, size=(7, 4))
        labels = rng.randint(0, 4, size=(7, 1))
    else:
        logits = rng.normal(size=(7, 3))
        labels = rng.uniform(0, 3, size=(7, 3)) if "poisson" in name else rng.normal(size=(7, 3))
    loss, grad = LOSS_FNS[name](labels, logits)
    assert loss.shape == (logits.shape[:-1] + (1,) if name.startswith("mc_") else logits.shape)
    numeric = finite_differences(lambda x: np.sum(LOSS_FNS[name](labels, x)[0]), logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)
