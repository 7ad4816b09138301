"""Property-based tests of the losses, the heads and their streaming metrics.

The example-based tests pin values (by hand and against TensorFlow); these
tests check, on inputs drawn by Hypothesis, the invariants every correct
implementation must satisfy whatever the values:

* losses: non-negative and finite for any finite logit (``|x| <= 1e4``)
  without a ``RuntimeWarning``, dtype kept, ``pos_weight=1`` is the plain
  loss, a per-class ``pos_weight`` vector is the same as one scalar per
  column, and the values match a float64 evaluation of the seed formula
  ``(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))``;
* heads: ``loss_and_gradient`` is consistent with ``loss`` and its gradient
  with central finite differences of ``loss``, integer sample weights are
  the same as repeated rows, and ``"sum_over_batch_size"`` is ``"sum"``
  divided by the number of rows;
* metrics: ``evaluate`` does not depend on the row order or on how the rows
  are streamed in batches, ``merge`` is associative and commutative, and
  the multi-label metrics are the binary metrics of the (example, class)
  pairs or of one class.

Tolerances are derived next to each assertion. Every test is bounded by a
small ``max_examples`` so that the file runs in well under a minute.
"""

import copy
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_heads import (
    BinaryClassHead,
    LogisticRegressionHead,
    MultiLabelHead,
    sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

EPS64 = np.finfo(np.float64).eps
FLOAT_DTYPES = [np.float32, np.float64]
REDUCTIONS = ["sum", "sum_over_batch_size"]
HEAD_KINDS = ["binary", "multilabel", "logistic"]
# max |d^3 softplus / dx^3| = max |s (1 - s) (1 - 2 s)| over s in (0, 1),
# reached at s = (3 +- sqrt(3)) / 6: sqrt(3) / 18 = 0.0962...
SOFTPLUS_D3_MAX = np.sqrt(3) / 18


def _settings(max_examples):
    # no example database: the tests leave nothing behind in the work tree
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# ---------------------------------------------------------------------------
# strategies: element-wise losses


def _floats(dtype, lo, hi, **kwargs):
    width = 32 if np.dtype(dtype) == np.float32 else 64
    return st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False, **kwargs)


def _label_elements(dtype):
    # soft labels in [0, 1] and, often, the hard labels 0 and 1
    return st.sampled_from([0.0, 1.0]) | _floats(dtype, 0.0, 1.0)


def _logit_elements(dtype, bound):
    # the whole range, the edges +-bound and moderate values (where the
    # two terms of the loss are of comparable size)
    return st.one_of(
        _floats(dtype, -bound, bound),
        st.sampled_from([-bound, bound, 0.0]),
        _floats(dtype, -5.0, 5.0),
    )


POS_WEIGHT_VALUES = st.sampled_from([0.0, 1.0]) | st.floats(0.0, 100.0)


@st.composite
def loss_inputs(draw, dtype, bound=1e4, min_dims=1, per_class=True):
    """``(labels, logits, pos_weight)``; ``pos_weight`` None, a float or a vector."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, max_side=5))
    labels = draw(hnp.arrays(dtype, shape, elements=_label_elements(dtype)))
    logits = draw(hnp.arrays(dtype, shape, elements=_logit_elements(dtype, bound)))
    options = [st.none(), POS_WEIGHT_VALUES]
    if per_class:
        options.append(hnp.arrays(np.float64, (shape[-1],), elements=POS_WEIGHT_VALUES))
    pos_weight = draw(st.one_of(*options))
    return labels, logits, pos_weight


def _assert_within(error, tolerance):
    """``|error| <= tolerance`` element-wise, reporting the worst entry."""
    error = np.abs(np.asarray(error, dtype=np.float64))
    tolerance = np.broadcast_to(tolerance, error.shape)
    excess = error - tolerance
    worst = np.unravel_index(np.argmax(excess), error.shape) if error.size else ()
    assert np.all(excess <= 0), (
        f"error {error[worst]!r} > tolerance {tolerance[worst]!r} at index {worst}"
    )


def _loss(labels, logits, pos_weight):
    if pos_weight is None:
        return sigmoid_cross_entropy_with_logits(labels, logits)
    return weighted_cross_entropy_with_logits(labels, logits, pos_weight)


def _reference_and_tolerance(labels, logits, pos_weight, dtype):
    """The seed formula in float64 and the error allowed to the package.

    * The reference itself cancels (``(1 - z) * x`` against
      ``max(-x, 0)``, and ``1`` against ``(q - 1) * z`` for small ``q``), so
      its absolute error is a few float64 ulps of the magnitude of its
      terms before cancellation: ``8 * eps64 * magnitude``.
    * The package adds two non-negative terms, so it is accurate relative to
      the value: a handful of roundings (``1 - z``, ``q * z``, the products,
      the sum, ``q`` rounded to float32 for float32 inputs) and ``log_expit``
      (a few ulps); ``32 * eps(dtype)`` relative leaves margin.
    * Products of tiny labels, weights and ``exp(-|x|)`` may underflow to
      subnormals (or 0) in float32, an absolute error below
      ``smallest_normal`` per unit of loss scale.
    """
    z = np.asarray(labels, dtype=np.float64)
    x = np.asarray(logits, dtype=np.float64)
    q = np.float64(1.0) if pos_weight is None else np.asarray(pos_weight, np.float64)
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0.0)
    reference = (1 - z) * x + (1 + (q - 1) * z) * softplus_neg
    magnitude = np.abs((1 - z) * x) + (1 + np.abs(q - 1) * z) * softplus_neg
    finfo = np.finfo(dtype)
    tolerance = (
        8 * EPS64 * magnitude
        + 32 * finfo.eps * np.abs(reference)
        + finfo.smallest_normal * (1 + q) * (1 + np.abs(x))
    )
    return reference, tolerance


# ---------------------------------------------------------------------------
# 1. element-wise losses


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@_settings(150)
@given(data=st.data())
def test_losses_nonnegative_finite_dtype_kept_without_warnings(dtype, data):
    labels, logits, pos_weight = data.draw(loss_inputs(dtype))
    with warnings.catch_warnings():
        # overflow in exp, log(0), 0 * inf, ... would all raise here
        warnings.simplefilter("error")
        loss = _loss(labels, logits, pos_weight)
    assert loss.dtype == dtype
    assert loss.shape == logits.shape
    assert np.all(np.isfinite(loss))
    assert np.all(loss >= 0)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@_settings(60)
@given(data=st.data())
def test_extreme_logits_match_the_formula_without_warnings(dtype, data):
    # |x| = 1e4: exp(|x|) overflows in any dtype, so a literal evaluation of
    # log(1 + exp(x)) fails here; the exact loss is (1 - z) * x for x > 0 and
    # q * z * |x| for x < 0 (the other term is exp(-1e4), which underflows)
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=6))
    labels = data.draw(hnp.arrays(dtype, shape, elements=_label_elements(dtype)))
    logits = data.draw(
        hnp.arrays(dtype, shape, elements=st.sampled_from([-1e4, 1e4]))
    )
    pos_weight = data.draw(st.none() | POS_WEIGHT_VALUES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = _loss(labels, logits, pos_weight)
    assert loss.dtype == dtype
    assert np.all(np.isfinite(loss)) and np.all(loss >= 0)
    z = labels.astype(np.float64)
    q = 1.0 if pos_weight is None else pos_weight
    exact = np.where(logits > 0, (1 - z) * 1e4, q * z * 1e4)
    # relative accuracy as in _reference_and_tolerance (no cancellation in
    # ``exact``, so no float64 term)
    finfo = np.finfo(dtype)
    _assert_within(
        loss - exact, 32 * finfo.eps * exact + finfo.smallest_normal * (1 + q) * (1 + 1e4)
    )
    reference, tolerance = _reference_and_tolerance(labels, logits, pos_weight, dtype)
    _assert_within(loss - reference, tolerance)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@_settings(60)
@given(data=st.data())
def test_pos_weight_one_is_the_plain_loss(dtype, data):
    labels, logits, _ = data.draw(loss_inputs(dtype, per_class=False))
    plain = sigmoid_cross_entropy_with_logits(labels, logits)
    # z * 1 == z exactly, so every operation is the same: bit-identical
    np.testing.assert_array_equal(weighted_cross_entropy_with_logits(labels, logits, 1.0), plain)
    np.testing.assert_array_equal(weighted_cross_entropy_with_logits(labels, logits, 1), plain)
    ones = np.ones(logits.shape[-1])
    np.testing.assert_array_equal(weighted_cross_entropy_with_logits(labels, logits, ones), plain)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@_settings(60)
@given(data=st.data())
def test_per_class_pos_weight_equals_column_by_column(dtype, data):
    labels, logits, _ = data.draw(loss_inputs(dtype, min_dims=2, per_class=False))
    n_classes = logits.shape[-1]
    pos_weight = data.draw(hnp.arrays(np.float64, (n_classes,), elements=POS_WEIGHT_VALUES))
    loss = weighted_cross_entropy_with_logits(labels, logits, pos_weight)
    assert loss.dtype == dtype and loss.shape == logits.shape
    for j in range(n_classes):
        column = weighted_cross_entropy_with_logits(
            labels[..., j], logits[..., j], float(pos_weight[j])
        )
        assert column.dtype == dtype
        # element by element the same IEEE operations on the same values
        # (q_j rounded to the dtype once either way): bit-identical
        np.testing.assert_array_equal(loss[..., j], column)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@_settings(150)
@given(data=st.data())
def test_losses_match_float64_reference_formula(dtype, data):
    labels, logits, pos_weight = data.draw(loss_inputs(dtype, bound=30.0))
    loss = _loss(labels, logits, pos_weight)
    reference, tolerance = _reference_and_tolerance(labels, logits, pos_weight, dtype)
    # see _reference_and_tolerance: for float64 about 1e-14 relative, for
    # float32 about 4e-6 relative
    _assert_within(loss.astype(np.float64) - reference, tolerance)


# ---------------------------------------------------------------------------
# strategies: heads and their inputs


@dataclass
class Problem:
    """A head and one set of rows to give it."""

    head: Any
    labels: Any  # in the head's format (array, sparse matrix or lists)
    logits: np.ndarray  # float64, (n_rows, logits_dimension) or (n_rows,) if 1
    sample_weight: Any  # None or (n_rows,) / (n_rows, 1)
    kind: str
    max_pos_weight: float  # 1 when pos_weight is None
    label_format: str
    targets: np.ndarray  # the labels as floats, (n_rows, logits_dimension)

    @property
    def n_rows(self):
        return self.logits.shape[0]


def _multi_hot_to_format(z, label_format, vocabulary, reverse_rows):
    """Multi-hot rows ``z`` (n, k) in one of the accepted label formats."""
    if label_format == "dense":
        return z.astype(np.int64)
    if label_format == "dense_float":
        return z.astype(np.float64)
    if label_format == "sparse":
        return sp.csr_matrix(z)
    ids = [[int(i) for i in np.flatnonzero(row)] for row in z]
    # the order of the ids within a row does not matter
    ids = [row[::-1] if reverse else row for row, reverse in zip(ids, reverse_rows)]
    if label_format == "ids":
        return ids
    return [[vocabulary[i] for i in row] for row in ids]  # "names"


@st.composite
def problems(
    draw,
    *,
    kinds=HEAD_KINDS,
    reduction=None,
    max_rows=8,
    logit_bound=20.0,
    weights="float",
    metric_options=False,
    max_pos_weight=10.0,
):
    """A head (of a kind in ``kinds``) and rows for it.

    ``weights``: "float" (None, or 0 or floats in [1e-3, 5] per row) or
    "int" (integers in [0, 3], never None). ``metric_options`` adds thresholds, names,
    vocabularies and class-based metrics, which only change the metrics.
    """
    kind = draw(st.sampled_from(kinds))
    if reduction is None:
        reduction = draw(st.sampled_from(REDUCTIONS))
    n = draw(st.integers(1, max_rows))
    pos_weight_values = st.sampled_from([0.0, 1.0, 3.0]) | st.floats(0.0, max_pos_weight)
    name = draw(st.sampled_from([None, "head"])) if metric_options else None
    thresholds = (
        draw(
            st.just([0.3, 0.7])
            | st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9]), unique=True, max_size=3)
        )
        if metric_options
        else None
    )
    pos_weight = None
    if kind == "binary":
        k = 1
        pos_weight = draw(st.none() | pos_weight_values)
        vocabulary = draw(st.sampled_from([None, ["no", "yes"]])) if metric_options else None
        z = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 1)))
        if vocabulary is not None:
            label_format = "names"
            labels = np.asarray(vocabulary)[z]
        else:
            label_format = draw(st.sampled_from(["1d", "2d", "bool", "float"]))
            labels = {
                "1d": z,
                "2d": z[:, None],
                "bool": z.astype(bool),
                "float": z.astype(np.float64)[:, None],
            }[label_format]
        head = BinaryClassHead(
            thresholds=thresholds,
            label_vocabulary=vocabulary,
            loss_reduction=reduction,
            name=name,
            pos_weight=pos_weight,
        )
    elif kind == "multilabel":
        k = draw(st.integers(2, 4))
        pos_weight = draw(
            st.none()
            | pos_weight_values
            | hnp.arrays(np.float64, (k,), elements=pos_weight_values)
        )
        vocabulary = classes = None
        if metric_options:
            vocabulary = draw(st.sampled_from([None, [f"label {i}" for i in range(k)]]))
            class_ids = draw(st.lists(st.integers(0, k - 1), unique=True, max_size=k))
            if vocabulary is not None and draw(st.booleans()):
                classes = [vocabulary[i] for i in class_ids]
            else:
                classes = class_ids
        formats = ["dense", "dense_float", "sparse", "ids"]
        if vocabulary is not None:
            formats.append("names")
        label_format = draw(st.sampled_from(formats))
        z = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(0, 1)))
        reverse_rows = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        labels = _multi_hot_to_format(z, label_format, vocabulary, reverse_rows)
        head = MultiLabelHead(
            k,
            thresholds=thresholds,
            label_vocabulary=vocabulary,
            loss_reduction=reduction,
            classes_for_class_based_metrics=classes,
            name=name,
            pos_weight=pos_weight,
        )
    else:
        k = 1
        label_format = draw(st.sampled_from(["1d", "2d"]))
        z = labels = draw(
            hnp.arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1))
        )
        if label_format == "2d":
            labels = labels[:, None]
        head = LogisticRegressionHead(loss_reduction=reduction, name=name)
    logits = draw(
        hnp.arrays(
            np.float64,
            (n, k),
            elements=st.one_of(
                st.floats(-logit_bound, logit_bound),
                st.sampled_from([0.0, -logit_bound, logit_bound]),
            ),
        )
    )
    if weights == "int":
        sample_weight = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    else:
        # weights are 0 or >= 1e-3: weights hundreds of orders of magnitude
        # apart make auc_precision_recall NaN (see the report); that is not
        # what these tests are about
        weight_values = st.sampled_from([0.0, 1.0]) | st.floats(1e-3, 5.0)
        sample_weight = draw(
            st.none() | hnp.arrays(np.float64, (n,), elements=weight_values)
        )
        if sample_weight is not None and draw(st.booleans()):
            sample_weight = sample_weight[:, None]
    if k == 1 and draw(st.booleans()):
        logits = logits[:, 0]  # 1-d logits, read as (n_rows, 1)
    max_q = 1.0 if pos_weight is None else max(1.0, float(np.max(pos_weight)))
    targets = np.reshape(z, (n, k)).astype(np.float64)
    return Problem(head, labels, logits, sample_weight, kind, max_q, label_format, targets)


def _take(values, rows):
    """Rows ``rows`` of labels (array, sparse matrix or list) or weights."""
    if values is None:
        return None
    if isinstance(values, list):
        return [values[i] for i in rows]
    return values[np.asarray(rows, dtype=np.intp)]


def _assert_results_close(actual, expected, rtol=1e-9, atol=1e-12):
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert isinstance(actual[key], float), key
        assert np.isfinite(actual[key]), key
        assert actual[key] == pytest.approx(value, rel=rtol, abs=atol), key


def _results(eval_metrics):
    return {key: metric.result() for key, metric in eval_metrics.items()}


def _stream(head, eval_metrics, problem, rows):
    """Update ``eval_metrics`` with the rows ``rows`` of ``problem``."""
    if len(rows):
        head.update_metrics(
            eval_metrics,
            logits=problem.logits[rows],
            labels=_take(problem.labels, rows),
            sample_weight=_take(problem.sample_weight, rows),
        )
    return eval_metrics


def _evaluate(problem, rows=None):
    if rows is None:
        rows = np.arange(problem.n_rows)
    return problem.head.evaluate(
        _take(problem.labels, rows), problem.logits[rows], _take(problem.sample_weight, rows)
    )


# ---------------------------------------------------------------------------
# 2. heads: loss and gradient


@_settings(100)
@given(problem=problems())
def test_loss_and_gradient_agrees_with_loss(problem):
    head, labels, logits, weights = (
        problem.head, problem.labels, problem.logits, problem.sample_weight
    )
    loss = head.loss(labels, logits, weights)
    value, grad = head.loss_and_gradient(labels, logits, weights)
    assert isinstance(loss, float) and isinstance(value, float)
    # the same computation with and without the gradient: exactly equal
    assert value == loss
    assert np.isfinite(loss) and loss >= 0
    # and it is the reduced element-wise loss, sum_i w_i mean_j l_ij (over n
    # for "sum_over_batch_size"): non-negative terms summed in another
    # order, a few eps relative
    elementwise = _loss(
        problem.targets, logits.reshape(problem.targets.shape), getattr(head, "pos_weight", None)
    )
    w = np.ones(problem.n_rows) if weights is None else np.ravel(weights)
    expected = np.sum(w * elementwise.mean(axis=1))
    if head.loss_reduction == "sum_over_batch_size":
        expected /= problem.n_rows
    assert loss == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert grad.shape == logits.shape
    assert grad.dtype == np.float64
    assert np.all(np.isfinite(grad))


@_settings(80)
@given(problem=problems())
def test_gradient_matches_central_finite_differences(problem):
    head, labels, logits, weights = (
        problem.head, problem.labels, problem.logits, problem.sample_weight
    )
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    assert grad.shape == logits.shape
    step = 1e-5
    fd = np.empty_like(logits)
    for index in np.ndindex(logits.shape):
        plus, minus = logits.copy(), logits.copy()
        plus[index] += step
        minus[index] -= step
        # divide by the step actually taken, not 2 * step: x +- step is rounded
        fd[index] = (head.loss(labels, plus, weights) - head.loss(labels, minus, weights)) / (
            plus[index] - minus[index]
        )

    n_rows, n_logits = problem.n_rows, head.logits_dimension
    scale = 1.0 if head.loss_reduction == "sum" else 1.0 / n_rows
    w_max = 1.0 if weights is None else max(float(np.max(weights)), 0.0)
    # d^k loss / d logit_ij^k = scale * w_i / n_logits * l_ij^(k), with the
    # element-wise loss l = (1 - z) softplus(x) + q z softplus(-x), so
    # |l'''| <= max(1, q) * sqrt(3) / 18 and |l''| <= max(1, q) / 4
    curvature = scale * w_max * problem.max_pos_weight / n_logits
    # truncation of the central difference: step^2 / 6 * |l'''|
    truncation = step**2 / 6 * curvature * SOFTPLUS_D3_MAX
    # round-off: each loss is a float64 sum of n_rows * n_logits non-negative
    # terms, accurate to about (n_terms + a few) * eps * loss; the
    # difference of two such values divided by 2 * step
    round_off = (logits.size + 8) * EPS64 * abs(loss) / step
    # x +- step rounded: the midpoint moves by up to eps * |x|, the slope by
    # |l''| times that
    midpoint = curvature / 4 * EPS64 * np.abs(logits)
    # the analytic gradient itself: a few roundings relative to its size
    tolerance = 2 * (truncation + round_off + midpoint) + 8 * EPS64 * np.abs(grad)
    _assert_within(grad - fd, tolerance)


@_settings(60)
@given(problem=problems(weights="int"))
def test_integer_sample_weight_is_repeating_rows(problem):
    weights = problem.sample_weight
    assume(weights.sum() > 0)
    rows = np.repeat(np.arange(problem.n_rows), weights)
    repeated = (_take(problem.labels, rows), problem.logits[rows])

    head = problem.head
    sum_head = copy.deepcopy(head).set_params(loss_reduction="sum")
    weighted_loss = sum_head.loss(problem.labels, problem.logits, weights)
    # the same non-negative terms summed in another order (and w * l instead
    # of l + ... + l): a few eps relative
    assert weighted_loss == pytest.approx(sum_head.loss(*repeated), rel=1e-12, abs=1e-300)
    # every metric: float64 sums of the same terms in another order
    _assert_results_close(
        head.evaluate(problem.labels, problem.logits, weights), head.evaluate(*repeated)
    )


@_settings(80)
@given(problem=problems(reduction="sum"), data=st.data())
def test_sum_over_batch_size_is_sum_divided_by_rows(problem, data):
    sum_head = problem.head
    mean_head = copy.deepcopy(sum_head).set_params(loss_reduction="sum_over_batch_size")
    labels, logits, weights = problem.labels, problem.logits, problem.sample_weight
    n_examples = problem.n_rows
    if (
        problem.n_rows % 2 == 0
        and logits.ndim == 2
        and isinstance(labels, np.ndarray)
        and data.draw(st.booleans(), label="rank 3")
    ):
        # higher-rank logits [D0, D1, k]: the batch size is D0 * D1
        lead = (2, problem.n_rows // 2)
        logits = logits.reshape(lead + logits.shape[1:])
        labels = labels.reshape(lead + labels.shape[1:])
        if weights is not None:
            weights = weights.reshape(lead + weights.shape[1:])
    total, total_grad = sum_head.loss_and_gradient(labels, logits, weights)
    mean, mean_grad = mean_head.loss_and_gradient(labels, logits, weights)
    # one extra multiplication by 1 / n: two roundings
    assert mean == pytest.approx(total / n_examples, rel=4 * EPS64, abs=1e-300)
    assert mean_head.loss(labels, logits, weights) == mean
    np.testing.assert_allclose(mean_grad, total_grad / n_examples, rtol=4 * EPS64, atol=1e-300)
    assert mean_grad.shape == total_grad.shape


# ---------------------------------------------------------------------------
# 3. metrics: order, batching and merging

METRIC_PROBLEMS = problems(metric_options=True, logit_bound=8.0, max_rows=12)


@_settings(80)
@given(problem=METRIC_PROBLEMS, data=st.data())
def test_evaluate_does_not_depend_on_row_order(problem, data):
    order = np.asarray(data.draw(st.permutations(range(problem.n_rows)), label="order"))
    expected = _evaluate(problem)
    # float64 sums of the same terms in another order: ~1e-15 relative; 1e-9
    # is loose for that, yet one mis-counted row moves a value far more
    _assert_results_close(_evaluate(problem, order), expected)


@_settings(80)
@given(problem=METRIC_PROBLEMS, data=st.data())
def test_streaming_batches_equals_one_evaluate(problem, data):
    n = problem.n_rows
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1)), label="cuts")) if n > 1 else []
    head = problem.head
    eval_metrics = head.metrics()
    for rows in np.split(np.arange(n), cuts):
        returned = _stream(head, eval_metrics, problem, rows)
        assert returned is eval_metrics
    _assert_results_close(_results(eval_metrics), _evaluate(problem))


def _merged(first, second):
    """``first`` with ``second`` merged into it, both left untouched."""
    out = copy.deepcopy(first)
    for key, metric in out.items():
        assert metric.merge(second[key]) is metric
    return out


@_settings(80)
@given(problem=METRIC_PROBLEMS, data=st.data())
def test_merge_is_associative_and_commutative(problem, data):
    head = problem.head
    groups = data.draw(
        hnp.arrays(np.int64, (problem.n_rows,), elements=st.integers(0, 2)), label="groups"
    )
    # a group may be empty: its metrics stay fresh, the identity of merge
    a, b, c = (
        _stream(head, head.metrics(), problem, np.flatnonzero(groups == g)) for g in range(3)
    )
    states = [_results(m) for m in (a, b, c)]
    expected = _evaluate(problem)
    for merged in (
        _merged(_merged(a, b), c),
        _merged(a, _merged(b, c)),
        _merged(_merged(c, b), a),
        _merged(b, _merged(c, a)),
        _merged(_merged(b, a), c),
        _merged(c, _merged(a, b)),
    ):
        _assert_results_close(_results(merged), expected)
    # merging reads the other metric and does not change it
    for before, metrics in zip(states, (a, b, c)):
        assert _results(metrics) == before
    # merging into a fresh dict copies the state
    _assert_results_close(_results(_merged(_merged(head.metrics(), a), _merged(b, c))), expected)


@_settings(60)
@given(problem=problems(kinds=["multilabel"], metric_options=True, logit_bound=8.0, max_rows=12))
def test_multilabel_metrics_are_binary_metrics_of_the_pairs(problem):
    # MultiLabelHead's auc, auc_precision_recall and threshold metrics count
    # every (example, class) pair as one binary example with the example's
    # weight; its per-class metrics are those of one column. Both must equal
    # BinaryClassHead's metrics of the same pairs (the same weighted counts,
    # summed in another order: 1e-9 as above).
    head = problem.head
    n_rows, n_classes = problem.logits.shape
    z = problem.targets
    weights = problem.sample_weight
    w = np.ones(n_rows) if weights is None else np.ravel(weights)
    binary = BinaryClassHead(thresholds=head.thresholds)
    results = _evaluate(problem)
    suffix = f"/{head.name}" if head.name else ""

    pairs = binary.evaluate(
        z.ravel().astype(int), problem.logits.reshape(-1, 1), np.repeat(w, n_classes)
    )
    keys = ["auc", "auc_precision_recall"] + [
        f"{metric}/positive_threshold_{t:g}"
        for t in head.thresholds or ()
        for metric in ("accuracy", "precision", "recall")
    ]
    _assert_results_close(
        {key: results[key + suffix] for key in keys}, {key: pairs[key] for key in keys}
    )

    vocabulary = head.label_vocabulary
    for c in head.classes_for_class_based_metrics or ():
        class_id = vocabulary.index(c) if isinstance(c, str) else c
        name = vocabulary[class_id] if vocabulary else f"class{class_id}"
        column = binary.evaluate(
            z[:, class_id].astype(int), problem.logits[:, class_id : class_id + 1], w
        )
        _assert_results_close(
            {
                "prediction/mean": results[f"probability_mean/{name}{suffix}"],
                "auc": results[f"auc/{name}{suffix}"],
                "auc_precision_recall": results[f"auc_precision_recall/{name}{suffix}"],
            },
            {key: column[key] for key in ("prediction/mean", "auc", "auc_precision_recall")},
        )
