"""Every bad input at every public entry point gets a clear error.

One table, :data:`CASES`, one parametrized test over it. Each row is a call
(losses, head constructors and methods, estimators' ``fit``, ``predict``,
``predict_proba``, ``decision_function``, ``evaluate``, scorers), the
exception it must raise and a regular expression its message must match:
the pattern names the argument and the offending value (or shape), so a
message that only says "invalid input" fails.

Where scikit-learn has its own error (``NotFittedError``, its parameter
validation's ``InvalidParameterError``, the "X has 2 features" check,
``Input X contains NaN``) that error is expected; ``InvalidParameterError``
(a private name, not imported here) is expected as the ``ValueError`` it
is, by its message. Head parameter errors are such errors too.

Two Hypothesis tests then put a NaN or an infinity anywhere in any array
argument of any entry point and check that the message names the argument
and the value.

The head rows of the former ``tests/test_heads.py::BAD_INPUTS`` table are
run through each of ``loss``, ``loss_and_gradient``, ``evaluate`` and
``update_metrics`` (:data:`HEAD_INPUTS`); its ``BAD_CONSTRUCTORS`` rows are
in :data:`CONSTRUCTORS`.
"""

import functools
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.svm import LinearSVC

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
from sklearn_heads._metrics import AUC, Mean, Precision, Recall


@dataclass
class Case:
    id: str
    call: Callable[[], Any]
    error: type
    match: str


# ---------------------------------------------------------------------------
# data and fitted estimators (fitted once, on first use)

RNG = np.random.RandomState(0)
X = RNG.normal(size=(20, 3))
Y = (X[:, 0] > 0).astype(int)
Y_MULTI = (RNG.normal(size=(20, 3)) > 0).astype(int)
Y_MULTI[0], Y_MULTI[1] = 1, 0  # every column has both values
P = np.clip(0.5 + 0.3 * X[:, 1], 0.05, 0.95)
X_NAN = X.copy()
X_NAN[3, 1] = np.nan
X_INF = X.copy()
X_INF[5, 2] = np.inf
ONES = np.ones(20)
L2 = np.array([[0.0], [1.0]])  # two binary logits


@functools.lru_cache(maxsize=None)
def fitted(kind):
    """A small fitted estimator of ``kind``, shared by the rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "linear":
            return LinearClassifier().fit(X, Y)
        if kind == "mlp":
            return MLPClassifier((3,), max_iter=20, random_state=0).fit(X, Y)
        if kind == "multilabel":
            return LinearClassifier().fit(X, Y_MULTI)
        if kind == "logistic":
            return LinearEstimator(LogisticRegressionHead()).fit(X, P)
        if kind == "mlp_estimator":
            return MLPEstimator(BinaryClassHead(), (3,), max_iter=20, random_state=0).fit(X, Y)
    raise AssertionError(kind)


def with_one(values, index, value):
    out = np.array(values, dtype=np.float64)
    out[index] = value
    return out


# ---------------------------------------------------------------------------
# 1. the element-wise losses

sce = sigmoid_cross_entropy_with_logits
wce = weighted_cross_entropy_with_logits

LOSSES = [
    Case("sce-shapes", lambda: sce([1.0, 0.0], [0.0, 1.0, 2.0]), ValueError,
         r"labels of shape \(2,\) and logits of shape \(3,\)"),
    Case("sce-logits-nan", lambda: sce([1.0, 0.0], [0.0, np.nan]), ValueError,
         r"logits must be finite; got nan"),
    Case("sce-logits-inf", lambda: sce([1.0, 0.0], [0.0, -np.inf]), ValueError,
         r"logits must be finite; got -inf"),
    Case("sce-labels-nan", lambda: sce([1.0, np.nan], [0.0, 1.0]), ValueError,
         r"labels must be finite; got nan"),
    Case("sce-labels-2", lambda: sce([1.0, 2.0], [0.0, 1.0]), ValueError,
         r"labels must be probabilities in \[0, 1\]; got 2\.0"),
    Case("sce-labels-negative", lambda: sce([-0.5, 1.0], [0.0, 1.0]), ValueError,
         r"labels must be probabilities in \[0, 1\]; got -0\.5"),
    Case("sce-labels-strings", lambda: sce(["a", "b"], [0.0, 1.0]), TypeError,
         r"labels must be numeric; got an array of dtype <U1"),
    Case("sce-logits-ragged", lambda: sce([[1.0], [0.0, 1.0]], [[0.0], [1.0, 2.0]]),
         ValueError, r"logits must be a rectangular array of numbers; got \[\[0\.0\]"),
    Case("sce-empty", lambda: sce([], []), ValueError,
         r"labels and logits of shape \(0,\) are empty"),
    Case("wce-empty", lambda: wce(np.zeros((0, 2)), np.zeros((0, 2)), 2.0), ValueError,
         r"labels and logits of shape \(0, 2\) are empty"),
    Case("wce-pos_weight-negative", lambda: wce([1.0, 0.0], [0.0, 1.0], -1.0), ValueError,
         r"pos_weight must be finite and >= 0.*got -1\.0"),
    Case("wce-pos_weight-nan", lambda: wce([1.0, 0.0], [0.0, 1.0], np.nan), ValueError,
         r"pos_weight must be finite and >= 0.*got nan"),
    Case("wce-pos_weight-length", lambda: wce(np.ones((4, 2)), np.zeros((4, 2)), [1.0, 2.0, 3.0]),
         ValueError, r"pos_weight of shape \(3,\) does not broadcast to the logits shape \(4, 2\)"),
    Case("wce-pos_weight-string", lambda: wce([1.0, 0.0], [0.0, 1.0], "2"), TypeError,
         r"pos_weight must be a non-negative number.*got '2'"),
    Case("wce-pos_weight-none", lambda: wce([1.0, 0.0], [0.0, 1.0], None), TypeError,
         r"pos_weight must be a non-negative number.*got None"),
    # issue 13: complex numbers are refused, not cut to their real part
    Case("sce-labels-complex", lambda: sce(np.ones(2, complex), [0.0, 1.0]), TypeError,
         r"labels must be real numbers; got complex values \(dtype complex128, such as "
         r"\(1\+0j\)\)"),
    Case("sce-logits-complex", lambda: sce([1.0], [1j]), TypeError,
         r"logits must be real numbers; got complex values"),
    Case("wce-pos_weight-complex", lambda: wce([1.0], [0.0], 1 + 1j), TypeError,
         r"pos_weight must be a non-negative number.*got \(1\+1j\)"),
    Case("wce-pos_weight-complex-array", lambda: wce([1.0], [0.0], np.array([1j])), TypeError,
         r"pos_weight must be a non-negative number.*got array\(\[0\.\+1\.j\]\)"),
    Case("sce-logits-sparse", lambda: sce(sp.csr_matrix([[1.0]]), sp.csr_matrix([[0.0]])),
         TypeError, r"logits must be a dense array; got a sparse csr matrix of shape \(1, 1\)"),
    # pos_weight times a loss beyond the largest float
    Case("wce-overflows", lambda: wce([1.0], [-1e308], 1e308), ValueError,
         r"The weighted loss overflows float64: pos_weight \(up to 1e\+308\) times the loss "
         r"of logits as large as 1e\+308"),
    Case("wce-pos_weight-fraction-overflows", lambda: wce([1.0], [0.0], Fraction(10**400)),
         ValueError, r"pos_weight must be finite and >= 0; got Fraction\(1000.*overflows float64"),
]


# ---------------------------------------------------------------------------
# 2. head constructors (the former BAD_CONSTRUCTORS rows first)

CONSTRUCTORS = [
    Case("thresholds-0", lambda: BinaryClassHead(thresholds=[0.0, 0.5]), ValueError,
         r"thresholds must be numbers in the open interval \(0, 1\); got 0\.0"),
    Case("thresholds-1", lambda: BinaryClassHead(thresholds=[0.5, 1.0]), ValueError,
         r"thresholds must be .*\(0, 1\); got 1\.0"),
    Case("vocabulary-string", lambda: BinaryClassHead(label_vocabulary="a,b"), ValueError,
         r"label_vocabulary must be a list or a tuple of strings; got str 'a,b'"),
    Case("vocabulary-3-entries", lambda: BinaryClassHead(label_vocabulary=["a", "b", "c"]),
         ValueError, r"label_vocabulary must have 2 entries; got 3: \['a', 'b', 'c'\]"),
    Case("vocabulary-duplicate", lambda: BinaryClassHead(label_vocabulary=["a", "a"]),
         ValueError, r"label_vocabulary has the duplicate entry 'a'"),
    Case("vocabulary-ints", lambda: BinaryClassHead(label_vocabulary=[0, 1]), ValueError,
         r"label_vocabulary entries must be strings; got 0"),
    Case("loss_reduction", lambda: BinaryClassHead(loss_reduction="none"), ValueError,
         r"loss_reduction: 'none'; expected one of \['auto', 'sum', 'sum_over_batch_size'\]"),
    Case("pos_weight-negative", lambda: BinaryClassHead(pos_weight=-1.0), ValueError,
         r"pos_weight must be finite and >= 0.*got -1\.0"),
    Case("binary-pos_weight-2", lambda: BinaryClassHead(pos_weight=[1.0, 2.0]), ValueError,
         r"pos_weight must be a scalar or have 1 entries.*got shape \(2,\)"),
    Case("n_classes-1", lambda: MultiLabelHead(1), ValueError,
         r"n_classes must be an integer > 1.*got 1"),
    Case("n_classes-float", lambda: MultiLabelHead(2.5), ValueError,
         r"n_classes must be an integer > 1.*got 2\.5"),
    Case("multi-vocabulary-length", lambda: MultiLabelHead(3, label_vocabulary=["a", "b"]),
         ValueError, r"label_vocabulary must have 3 entries; got 2: \['a', 'b'\]"),
    Case("classes-id-3", lambda: MultiLabelHead(3, classes_for_class_based_metrics=[3]),
         ValueError, r"classes_for_class_based_metrics must be class ids in \[0, 2\].*got 3"),
    Case("classes-names-no-vocabulary",
         lambda: MultiLabelHead(3, classes_for_class_based_metrics=["a"]), ValueError,
         r"label_vocabulary must be provided when classes_for_class_based_metrics are "
         r"strings; got 'a'"),
    Case("multi-pos_weight-length", lambda: MultiLabelHead(3, pos_weight=[1.0, 2.0]),
         ValueError, r"pos_weight must be a scalar or have 3 entries.*got shape \(2,\)"),
    Case("multi-pos_weight-nan", lambda: MultiLabelHead(3, pos_weight=[1.0, np.nan, 1.0]),
         ValueError, r"pos_weight must be finite and >= 0.*got \[1\.0, nan, 1\.0\]"),
    # new rows
    Case("thresholds-scalar", lambda: BinaryClassHead(thresholds=0.5), TypeError,
         r"thresholds must be a list of numbers .*; got 0\.5"),
    Case("thresholds-string", lambda: BinaryClassHead(thresholds="0.5"), TypeError,
         r"thresholds must be a list of numbers .*; got '0\.5'"),
    Case("thresholds-nan", lambda: MultiLabelHead(2, thresholds=[np.nan]), ValueError,
         r"thresholds must be numbers in the open interval \(0, 1\); got nan"),
    Case("thresholds-duplicate", lambda: BinaryClassHead(thresholds=[0.3, 0.3]), ValueError,
         r"thresholds has the duplicate entry 0\.3"),
    Case("n_classes-none", lambda: MultiLabelHead(None), ValueError,
         r"n_classes must be an integer > 1.*got None"),
    Case("multi-vocabulary-duplicate",
         lambda: MultiLabelHead(3, label_vocabulary=["a", "b", "a"]), ValueError,
         r"label_vocabulary has the duplicate entry 'a'"),
    Case("classes-duplicate", lambda: MultiLabelHead(3, classes_for_class_based_metrics=[1, 1]),
         ValueError, r"classes_for_class_based_metrics has the duplicate entry 1"),
    Case("classes-string",
         lambda: MultiLabelHead(3, label_vocabulary=["a", "b", "c"],
                                classes_for_class_based_metrics="ab"),
         TypeError, r"classes_for_class_based_metrics must be a list .*; got 'ab'"),
    Case("classes-scalar", lambda: MultiLabelHead(3, classes_for_class_based_metrics=1),
         TypeError, r"classes_for_class_based_metrics must be a list .*; got 1"),
    Case("pos_weight-bool", lambda: BinaryClassHead(pos_weight=True), TypeError,
         r"pos_weight must be a non-negative number.*got True"),
    Case("pos_weight-string", lambda: BinaryClassHead(pos_weight="a"), TypeError,
         r"pos_weight must be a non-negative number.*got 'a'"),
    Case("name-int", lambda: BinaryClassHead(name=3), TypeError,
         r"name must be a string or None; got 3"),
    Case("loss_fn-not-callable", lambda: LogisticRegressionHead(loss_fn=3), TypeError,
         r"loss_fn must be callable; got 3"),
    Case("set_params-revalidates",
         lambda: BinaryClassHead().set_params(thresholds=[2.0]).loss([1], [[0.0]]),
         ValueError, r"thresholds must be .*\(0, 1\); got 2\.0"),
    # the heads of the second round
    Case("multiclass-n_classes-2", lambda: MultiClassHead(2), ValueError,
         r"n_classes must be an integer > 2 .*BinaryClassHead.*got 2"),
    Case("multiclass-vocabulary-length", lambda: MultiClassHead(3, label_vocabulary=["a", "b"]),
         ValueError, r"label_vocabulary must have 3 entries; got 2: \['a', 'b'\]"),
    Case("multiclass-vocabulary-duplicate",
         lambda: MultiClassHead(3, label_vocabulary=["a", "b", "a"]), ValueError,
         r"label_vocabulary has the duplicate entry 'a'"),
    Case("regression-label_dimension-0", lambda: RegressionHead(0), ValueError,
         r"label_dimension must be an integer >= 1 .*; got 0"),
    Case("regression-inverse_link_fn-string", lambda: RegressionHead(inverse_link_fn="exp"),
         TypeError, r"inverse_link_fn must be a callable .*; got 'exp'"),
    Case("poisson-compute_full_loss-none", lambda: PoissonRegressionHead(compute_full_loss=None),
         TypeError, r"compute_full_loss must be True or False; got None"),
    Case("multihead-empty", lambda: MultiHead([]), ValueError,
         r"heads must hold at least one head; got an empty list"),
    Case("multihead-unnamed", lambda: MultiHead([BinaryClassHead(name="a"), RegressionHead()]),
         ValueError, r"Every head of a MultiHead needs a name .*got RegressionHead\(\) without"),
    Case("multihead-duplicate-names",
         lambda: MultiHead([BinaryClassHead(name="a"), RegressionHead(name="a")]), ValueError,
         r"heads have the duplicate name 'a'"),
    Case("multihead-head_weights-negative",
         lambda: MultiHead([BinaryClassHead(name="a")], head_weights=[-0.5]), ValueError,
         r"head_weights must be finite and >= 0; got -0\.5"),
    Case("multihead-head_weights-length",
         lambda: MultiHead([BinaryClassHead(name="a")], head_weights=[1.0, 1.0]), ValueError,
         r"head_weights must have one weight per head: 1 heads, got 2 weights"),
    # issue 13: NumPy's fixed-width strings drop trailing NULs
    Case("vocabulary-trailing-nul", lambda: BinaryClassHead(label_vocabulary=["a", "a\0"]),
         ValueError, r"label_vocabulary has the entries 'a' and 'a\\x00', which differ only "
         r"by trailing NUL characters"),
    Case("multi-vocabulary-trailing-nul",
         lambda: MultiLabelHead(3, label_vocabulary=["b\0\0", "a", "b"]), ValueError,
         r"label_vocabulary has the entries 'b\\x00\\x00' and 'b'"),
    Case("vocabulary-ends-with-nul", lambda: BinaryClassHead(label_vocabulary=["a\0", "b"]),
         ValueError, r"label_vocabulary entry 'a\\x00' ends with a NUL character"),
    Case("pos_weight-complex", lambda: BinaryClassHead(pos_weight=2j), TypeError,
         r"pos_weight must be a non-negative number or an array of them; got 2j"),
    Case("multi-pos_weight-complex-objects",
         lambda: MultiLabelHead(2, pos_weight=np.array([1.0, 1j], dtype=object)), TypeError,
         r"pos_weight must be a non-negative number or an array of them; got "
         r"array\(\[1\.0, 1j\]"),
    Case("pos_weight-fraction-negative", lambda: BinaryClassHead(pos_weight=Fraction(-1, 2)),
         ValueError, r"pos_weight must be finite and >= 0.*got Fraction\(-1, 2\)"),
]


# ---------------------------------------------------------------------------
# 3. head methods: the former BAD_INPUTS rows, each through loss,
# loss_and_gradient, evaluate and update_metrics

Z3 = np.zeros((1, 3))
Z22, Z23 = np.zeros((2, 2)), np.zeros((2, 3))
MULTI = MultiHead([BinaryClassHead(name="flag"), MultiClassHead(3, name="kind")])
MULTI_LABELS = {"flag": [0, 1], "kind": [2, 0]}
MULTI_LOGITS = {"flag": L2, "kind": Z23}
BAD_HEAD_INPUTS = [
    # (id, head, (labels, logits[, sample_weight]), error, pattern)
    ("binary-label-2", BinaryClassHead(), ([0, 2], L2), ValueError,
     r"Binary labels must be in \[0, 1\] \(0/1, or soft labels in between\); got 2"),
    ("binary-label-nan", BinaryClassHead(), ([0, np.nan], L2), ValueError,
     r"Binary labels must be in \[0, 1\] .*; got nan"),
    ("strings-without-vocabulary", BinaryClassHead(), (["a", "b"], L2), ValueError,
     r"labels are strings \(such as 'a'\) but the head has no label_vocabulary"),
    ("string-not-in-vocabulary", BinaryClassHead(label_vocabulary=["a", "b"]),
     (["a", "c"], L2), ValueError,
     r"labels contain 'c', which is not in label_vocabulary \['a', 'b'\]"),
    ("labels-length", BinaryClassHead(), ([0, 1, 1], L2), ValueError,
     r"labels of shape \(3,\) do not match logits of shape \(2, 1\)"),
    ("logits-last-dimension", BinaryClassHead(), ([0, 1], [[0.0, 1.0], [1.0, 2.0]]),
     ValueError, r"logits must have shape \[D0, \.\.\., DN, 1\].*got shape \(2, 2\)"),
    ("logits-inf", BinaryClassHead(), ([0, 1], [[np.inf], [1.0]]), ValueError,
     r"logits must be finite; got inf"),
    ("sample_weight-negative", BinaryClassHead(), ([0, 1], L2, [1.0, -1.0]), ValueError,
     r"sample_weight must be finite and >= 0; got -1\.0"),
    ("sample_weight-nan", BinaryClassHead(), ([0, 1], L2, [1.0, np.nan]), ValueError,
     r"sample_weight must be finite and >= 0; got nan"),
    ("sample_weight-length", BinaryClassHead(), ([0, 1], L2, [1.0, 2.0, 3.0]), ValueError,
     r"sample_weight of shape \(3,\) does not match logits of shape \(2, 1\); expected one "
     r"weight per example, of shape \(2,\) or \(2, 1\)"),
    ("class-id-3", MultiLabelHead(3), ([[0, 3]], Z3), ValueError,
     r"Class ids in labels must be in \[0, 3\); got 3"),
    ("class-id-negative", MultiLabelHead(3), ([[0, -1]], Z3), ValueError,
     r"Class ids in labels must be in \[0, 3\); got -1"),
    ("class-id-float", MultiLabelHead(3), ([[0.5]], Z3), ValueError,
     r"Class ids in labels must be integers in \[0, 3\); got 0\.5"),
    ("class-names-without-vocabulary", MultiLabelHead(3), ([["a"]], Z3), ValueError,
     r"labels are strings \(such as 'a'\) but the head has no label_vocabulary"),
    ("class-name-not-in-vocabulary", MultiLabelHead(3, label_vocabulary=["a", "b", "c"]),
     ([["d"]], Z3), ValueError, r"labels contain 'd', which is not in label_vocabulary"),
    ("flat-list-of-ids", MultiLabelHead(3), ([0, 1], np.zeros((2, 3))), ValueError,
     r"one list of class ids per row.*got the row 0"),
    ("id-lists-rows", MultiLabelHead(3), ([[0], [1]], np.zeros((3, 3))), ValueError,
     r"labels given as lists of class ids have 2 rows; logits of shape \(3, 3\)"),
    ("multi-hot-2", MultiLabelHead(3), (np.array([[0, 2, 0]]), Z3), ValueError,
     r"Multi-hot labels must be in \[0, 1\] .*; got 2"),
    ("multi-hot-shape", MultiLabelHead(3), (np.ones((1, 2)), Z3), ValueError,
     r"Multi-hot labels of shape \(1, 2\) do not match logits of shape \(1, 3\)"),
    ("sparse-multi-hot-3", MultiLabelHead(3), (sp.csr_matrix([[0, 3, 0]]), Z3), ValueError,
     r"Multi-hot labels must be in \[0, 1\] .*; got 3"),
    ("logistic-label-1.5", LogisticRegressionHead(), ([0.5, 1.5], L2), ValueError,
     r"Labels must be in \[0, 1\]; got 1\.5"),
    ("empty", BinaryClassHead(), ([], np.zeros((0, 1))), ValueError,
     r"logits of shape \(0, 1\) hold no examples"),
    # new rows
    ("labels-ragged", BinaryClassHead(), ([[1], [0, 1]], L2), ValueError,
     r"labels must be a rectangular array of numbers; got \[\[1\], \[0, 1\]\]"),
    ("labels-none", BinaryClassHead(), (None, L2), TypeError,
     r"labels must be numeric; got None"),
    ("labels-none-entry", LogisticRegressionHead(), (np.array([0.5, None]), L2), TypeError,
     r"labels must be numeric; got None in \[0\.5, None\]"),
    ("logistic-labels-strings", LogisticRegressionHead(), (["0.5", "1"], L2), TypeError,
     r"labels must be numeric; got '0\.5'"),
    ("sample_weight-higher-rank", MultiLabelHead(2), (np.zeros((2, 3, 2)), np.zeros((2, 3, 2)),
                                                      np.ones((3, 2))), ValueError,
     r"sample_weight of shape \(3, 2\) does not match logits of shape \(2, 3, 2\)"),
    ("class-id-none", MultiLabelHead(3), ([[None]], Z3), ValueError,
     r"Class ids in labels must be integers in \[0, 3\); got None"),
    ("logits-strings", LogisticRegressionHead(), ([0.5], [["a"]]), TypeError,
     r"logits must be numeric; got dtype <U1"),
    ("multi-logits-last-dimension", MultiLabelHead(3), ([[0]], [[0.0, 1.0]]), ValueError,
     r"logits must have shape \[D0, \.\.\., DN, 3\] \(logits_dimension=3\); got shape \(1, 2\)"),
    ("sample_weight-strings", BinaryClassHead(), ([0, 1], L2, ["a", "b"]), TypeError,
     r"sample_weight must be numeric; got 'a' in \['a', 'b'\]"),
    ("sample_weight-sum-overflows", BinaryClassHead(), ([0, 1], L2, [1e308, 1e308]), ValueError,
     r"sample_weight sums to inf in float64 \(the largest weight is 1e\+308\)"),
    ("sample_weight-inf", LogisticRegressionHead(), ([0.5, 0.5], L2, [np.inf, 1.0]),
     ValueError, r"sample_weight must be finite and >= 0; got inf"),
    # the heads of the second round
    ("multiclass-label-3", MultiClassHead(3), ([0, 3], Z23), ValueError,
     r"Class ids in labels must be in \[0, 3\); got 3"),
    ("multiclass-float-labels", MultiClassHead(3), (np.array([0.0, 1.0]), Z23), ValueError,
     r"Class ids in labels must be integers in \[0, 3\); got 0\.0 in an array of dtype "
     r"float64 \(whole-number floats are refused"),
    ("multiclass-strings-without-vocabulary", MultiClassHead(3), (["a", "b"], Z23), ValueError,
     r"labels are strings \(such as 'a'\) but the head has no label_vocabulary"),
    ("multiclass-ids-with-vocabulary", MultiClassHead(3, label_vocabulary=["a", "b", "c"]),
     ([0, 1], Z23), ValueError,
     r"With label_vocabulary=\['a', 'b', 'c'\], labels must be strings from it; got values "
     r"such as \[0\]"),
    ("multiclass-labels-shape", MultiClassHead(3), ([[0, 1], [1, 2]], Z23), ValueError,
     r"labels of shape \(2, 2\) do not match logits of shape \(2, 3\); expected shape "
     r"\(2, 1\) or \(2,\)"),
    ("multiclass-per-logit-weights", MultiClassHead(3), ([0, 1], Z23, np.ones((2, 3))),
     ValueError, r"sample_weight of shape \(2, 3\) does not match logits of shape \(2, 3\); "
     r"expected one weight per example, of shape \(2,\) or \(2, 1\)\."),
    ("regression-labels-shape", RegressionHead(2), (np.ones(2), Z22), ValueError,
     r"labels of shape \(2,\) do not match logits of shape \(2, 2\); expected shape \(2, 2\)"),
    ("regression-labels-nan", RegressionHead(2), ([[0.0, np.nan], [1.0, 1.0]], Z22), ValueError,
     r"labels must be finite; got nan"),
    ("regression-weights-shape", RegressionHead(2), (np.ones((2, 2)), Z22, np.ones((2, 3))),
     ValueError, r"sample_weight of shape \(2, 3\) does not match logits of shape \(2, 2\); "
     r"expected one weight per example, of shape \(2,\) or \(2, 1\), or one per logit, of "
     r"shape \(2, 2\)"),
    ("poisson-negative-count", PoissonRegressionHead(), ([1.0, -1.0], L2), ValueError,
     r"Poisson counts must be >= 0; got -1\.0"),
    ("multihead-labels-not-a-dict", MULTI, (np.zeros((2, 1)), MULTI_LOGITS), ValueError,
     r"labels must be a dict keyed by head name \(\['flag', 'kind'\]\); got ndarray of shape "
     r"\(2, 1\)"),
    ("multihead-labels-missing", MULTI, ({"flag": [0, 1]}, MULTI_LOGITS), ValueError,
     r"labels has no entry for the heads \['kind'\]; got the keys \['flag'\]"),
    ("multihead-logits-missing", MULTI, (MULTI_LABELS, {"kind": Z23}), ValueError,
     r"logits has no entry for the heads \['flag'\]"),
    ("multihead-logits-width", MULTI, (MULTI_LABELS, np.zeros((2, 3))), ValueError,
     r"logits of shape \(2, 3\) cannot be split among the heads, whose logits dimensions are "
     r"\{'flag': 1, 'kind': 3\} \(total 4\)"),
    ("multihead-sub-head-label", MULTI, ({"flag": [0, 1], "kind": [0, 5]}, MULTI_LOGITS),
     ValueError, r"Class ids in labels must be in \[0, 3\); got 5"),
    ("multihead-sample_weight-negative", MULTI, (MULTI_LABELS, MULTI_LOGITS, [1.0, -1.0]),
     ValueError, r"sample_weight must be finite and >= 0; got -1\.0"),
    ("multihead-sample_weight-unknown-head", MULTI,
     (MULTI_LABELS, MULTI_LOGITS, {"falg": [1.0, 1.0]}), ValueError,
     r"sample_weight has entries for \['falg'\], which are not heads of this MultiHead"),
    # issue 13: complex numbers are refused, not cut to their real part
    ("labels-complex", BinaryClassHead(), (np.ones(2, complex), L2), TypeError,
     r"labels must be real numbers; got complex values \(dtype complex128, such as "
     r"\(1\+0j\)\)\. Pass the real part \(labels\.real\)"),
    ("multi-hot-complex", MultiLabelHead(3), (np.ones((1, 3), complex), Z3), TypeError,
     r"labels must be real numbers; got complex values"),
    ("labels-complex-objects", LogisticRegressionHead(),
     (np.array([0.5, 1j], dtype=object), L2), TypeError,
     r"labels must be numeric; got 1j in \[0\.5, 1j\] \(complex numbers are refused"),
    ("sample_weight-complex", BinaryClassHead(), ([0, 1], L2, [1.0, 2j]), TypeError,
     r"sample_weight must be real numbers; got complex values \(dtype complex128, such as "
     r"\(1\+0j\)\)"),
    ("sample_weight-complex-scalar", MultiLabelHead(3), (np.ones((1, 3)), Z3, 1j), TypeError,
     r"sample_weight must be real numbers; got complex values"),
    ("logits-complex", LogisticRegressionHead(), ([0.5, 0.5], L2.astype(complex)), TypeError,
     r"logits must be real numbers; got complex values"),
    ("sample_weight-sparse", BinaryClassHead(), ([0, 1], L2, sp.csr_matrix([[1.0, 1.0]])),
     TypeError, r"sample_weight must be a dense array; got a sparse csr matrix"),
    ("vocabulary-labels-objects", BinaryClassHead(label_vocabulary=["a", "b"]),
     (np.array(["a", [1.0]], dtype=object), L2), ValueError,
     r"labels must be strings from label_vocabulary; got \[1\.0\] \(of type list\)"),
    # finite inputs whose loss sums overflow float64
    ("loss-sum-overflows", BinaryClassHead(), ([0, 0], [[1e308], [1e308]]), ValueError,
     r"overflows \(is not finite\) for these finite inputs: logits as large as 1e\+308 "
     r"in magnitude"),
    ("weighted-loss-overflows", BinaryClassHead(pos_weight=4.0), ([1, 1], [[-1e308], [0.0]]),
     ValueError, r"overflows \(is not finite\) for these finite inputs: logits as large "
     r"as 1e\+308 in magnitude, pos_weight up to 4"),
]


def _head_call(head, method, args):
    labels, logits, *rest = args
    sample_weight = rest[0] if rest else None
    if method == "update_metrics":
        return lambda: head.update_metrics(head.metrics(), logits, labels, sample_weight)
    return lambda: getattr(head, method)(labels, logits, sample_weight)


HEAD_INPUTS = [
    Case(f"{row_id}-{method}", _head_call(head, method, args), error, match)
    for row_id, head, args, error, match in BAD_HEAD_INPUTS
    for method in ("loss", "loss_and_gradient", "evaluate", "update_metrics")
]

HEAD_OTHER = [
    Case("predictions-unknown-key", lambda: BinaryClassHead().predictions(L2, keys=["probs"]),
         ValueError, r"Unknown prediction keys \['probs'\]; this head predicts \['logits'"),
    Case("predictions-key-of-other-head",
         lambda: LogisticRegressionHead().predictions(L2, keys="probabilities"), ValueError,
         r"Unknown prediction keys \['probabilities'\]; this head predicts \['predictions'"),
    Case("predictions-keys-int", lambda: BinaryClassHead().predictions(L2, keys=3), TypeError,
         r"keys must be a prediction key or a list of them.*got 3"),
    Case("predictions-logits-nan", lambda: MultiLabelHead(2).predictions([[0.0, np.nan]]),
         ValueError, r"logits must be finite; got nan"),
    Case("predictions-logits-shape", lambda: MultiLabelHead(3).predictions([[0.0, 1.0]]),
         ValueError, r"logits_dimension=3\); got shape \(1, 2\)"),
    Case("predictions-logits-sparse",
         lambda: BinaryClassHead().predictions(sp.csr_matrix(L2)), TypeError,
         r"logits must be a dense array; got a sparse csr matrix of shape \(2, 1\)"),
    Case("predictions-logits-ragged", lambda: MultiLabelHead(2).predictions([[0.0, 1.0], [2.0]]),
         ValueError, r"logits must be a rectangular array of numbers; got \[\[0\.0, 1\.0\]"),
    Case("predictions-empty", lambda: BinaryClassHead().predictions(np.zeros((0, 1))),
         ValueError, r"logits of shape \(0, 1\) hold no examples"),
    Case("update_metrics-not-a-dict", lambda: BinaryClassHead().update_metrics(None, L2, [0, 1]),
         TypeError, r"eval_metrics must be the dict returned by this head's metrics\(\); got "
         r"NoneType None"),
    Case("update_metrics-other-head",
         lambda: BinaryClassHead().update_metrics(MultiLabelHead(2).metrics(), L2, [0, 1]),
         ValueError, r"eval_metrics lacks the keys \['accuracy'"),
    Case("update_metrics-decision_threshold",
         lambda: BinaryClassHead().update_metrics(
             BinaryClassHead().metrics(), L2, [0, 1], decision_threshold=1.0),
         ValueError, r"decision_threshold must be a number in the open interval \(0, 1\); got 1\.0"),
    Case("evaluate-decision_threshold-nan",
         lambda: BinaryClassHead().evaluate([0, 1], L2, decision_threshold=np.nan),
         ValueError, r"decision_threshold must be .*; got nan"),
    Case("regression-predictions-logits-without-link",
         lambda: RegressionHead().predictions(L2, keys=["logits"]), ValueError,
         r"Unknown prediction keys \['logits'\]; this head predicts \['predictions'\]"),
    Case("multihead-predictions-unknown-head",
         lambda: MULTI.predictions(MULTI_LOGITS, keys={"falg": None}), ValueError,
         r"keys name \['falg'\], which are not heads \(heads \['flag', 'kind'\]\)"),
    Case("multihead-loss_reduction-mixed",
         lambda: MultiHead([BinaryClassHead(name="a"),
                            RegressionHead(name="b", loss_reduction="sum")]).loss_reduction,
         ValueError, r"The heads have different loss reductions \{'a': 'sum_over_batch_size', "
         r"'b': 'sum'\}"),
    Case("multihead-update_metrics-other-head",
         lambda: MULTI.update_metrics(BinaryClassHead(name="flag").metrics(), MULTI_LOGITS,
                                      MULTI_LABELS),
         ValueError, r"eval_metrics lacks the keys \['loss/flag'"),
    Case("merge-other-metric",
         lambda: BinaryClassHead().metrics()["auc"].merge(BinaryClassHead().metrics()["recall"]),
         ValueError, r"Cannot merge Recall\(.*\) into AUC\(.*\)"),
    # issue 13: what loss_fn returns is checked
    Case("loss_fn-nan", lambda: BinaryClassHead(loss_fn=nan_loss).loss([0, 1], L2),
         ValueError, r"loss_fn returned a loss of nan at index \(0, 0\) \(for finite "
         r"logits\); its loss must be finite"),
    Case("loss_fn-inf-fit",
         lambda: LinearEstimator(BinaryClassHead(loss_fn=inf_loss)).fit(X, Y), ValueError,
         r"loss_fn returned a loss of inf at index \(0, 0\)"),
    Case("loss_fn-complex", lambda: LogisticRegressionHead(loss_fn=complex_loss).evaluate(
         [0.5, 0.5], L2), TypeError, r"loss_fn must return real numbers; its loss has dtype "
         r"complex128 \(values such as 0j\).*complex numbers are refused"),
    Case("loss_fn-complex-fit",
         lambda: LinearEstimator(BinaryClassHead(loss_fn=complex_loss)).fit(X, Y), TypeError,
         r"loss_fn must return real numbers; its loss has dtype complex128"),
    Case("loss_fn-strings", lambda: BinaryClassHead(
         loss_fn=lambda labels, logits: np.full(logits.shape, "a")).loss([0, 1], L2),
         TypeError, r"loss_fn must return real numbers; its loss has dtype <U1 \(values such "
         r"as 'a'\)"),
    Case("loss_fn-none-objects", lambda: MultiLabelHead(2, loss_fn=lambda labels, logits: np.full(
         logits.shape[:-1] + (1,), None)).loss([[0]], [[0.0, 1.0]]), TypeError,
         r"loss_fn must return real numbers; its loss has dtype object \(values such as None"),
    Case("loss_fn-ragged", lambda: BinaryClassHead(
         loss_fn=lambda labels, logits: [[1.0], [1.0, 2.0]]).loss([0, 1], L2), ValueError,
         r"loss_fn must return the unreduced loss .*; its loss is not a rectangular array"),
    Case("loss_fn-scalar", lambda: BinaryClassHead(
         loss_fn=lambda labels, logits: 1.0).loss([0, 1], L2), ValueError,
         r"loss_fn must return the unreduced loss of shape \[D0, \.\.\., DN, 1\] = "
         r"\(2, 1\) for logits of shape \(2, 1\); its loss has shape \(\)"),
    Case("loss_fn-gradient-nan", lambda: BinaryClassHead(
         loss_fn=lambda labels, logits: (logits**2, np.full(logits.shape, np.nan))
         ).loss_and_gradient([0, 1], L2), ValueError,
         r"loss_fn returned a gradient of nan at index \(0, 0\)"),
    Case("loss_fn-gradient-complex", lambda: BinaryClassHead(
         loss_fn=lambda labels, logits: (logits**2, logits + 1j)).loss_and_gradient([0, 1], L2),
         TypeError, r"loss_fn must return real numbers; its gradient has dtype complex128"),
    Case("loss_fn-gradient-shape", lambda: MultiLabelHead(2, loss_fn=lambda labels, logits: (
         logits[:, :1], logits[:, :1])).loss_and_gradient([[0]], [[0.0, 1.0]]), ValueError,
         r"loss_fn must return the gradient .* of the shape of the logits \(1, 2\); its "
         r"gradient has shape \(1, 1\)"),
    # issue 13: the weights of a multi-label head's metrics count once per label
    Case("multilabel-weight-total-over-labels",
         lambda: MultiLabelHead(2).evaluate(np.ones((2, 2)), np.zeros((2, 2)), [1e308, 5e307]),
         ValueError, r"sample_weight sums to 1\.5e\+308, and the metrics of 2 labels add "
         r"each weight once per label: 2 x 1\.5e\+308 overflows float64"),
    Case("update_metrics-stream-overflows", lambda: stream_twice([1e308, 5e307]), ValueError,
         r"The sums of metric 'average_loss' overflow float64 \(count is inf\)"),
    Case("update_metrics-metric-of-other-type",
         lambda: BinaryClassHead().update_metrics(
             {**BinaryClassHead().metrics(), "auc": BinaryClassHead().metrics()["recall"]},
             L2, [0, 1]),
         TypeError, r"eval_metrics\['auc'\] is Recall\(\(0\.5,\), name='recall'\), not this "
         r"head's AUC\('ROC', 200, name='auc'\)"),
    Case("update_metrics-values-not-metrics",
         lambda: BinaryClassHead().update_metrics(
             {key: None for key in BinaryClassHead().metrics()}, L2, [0, 1]),
         TypeError, r"eval_metrics\['average_loss'\] is None, not this head's Mean"),
    # issue 13: merge checks the state it receives
    Case("merge-not-a-metric", lambda: BinaryClassHead().metrics()["auc"].merge(None),
         TypeError, r"merge needs a metric of the same class and configuration as "
         r"AUC\('ROC', 200, name='auc'\); got NoneType None"),
    Case("merge-negative-count", lambda: Mean().merge(with_state(Mean(), count=-1.0)),
         ValueError, r"The merged metric Mean\(name=None\)\.count is a sum of weights and "
         r"must be >= 0; got -1\.0"),
    Case("merge-nan-total", lambda: Mean().merge(with_state(Mean(), total=np.nan)),
         ValueError, r"Mean\(name=None\)\.total must be finite; got nan"),
    Case("merge-inf-counts",
         lambda: Precision().merge(with_state(Precision(), true_positives=np.array([np.inf]))),
         ValueError, r"Precision\(\(0\.5,\), name=None\)\.true_positives must be finite"),
    Case("merge-wrong-shape",
         lambda: AUC().merge(with_state(AUC(), false_negatives=np.zeros(100))), ValueError,
         r"false_negatives has shape \(100,\); a AUC\('ROC', 200, name=None\) holds shape "
         r"\(200,\)"),
    Case("merge-other-num_thresholds", lambda: AUC().merge(AUC(num_thresholds=100)), ValueError,
         r"Cannot merge AUC\('ROC', 100, name=None\) into AUC\('ROC', 200, name=None\)"),
    Case("merge-other-thresholds", lambda: Recall(0.3).merge(Recall(0.7)), ValueError,
         r"Cannot merge Recall\(\(0\.7,\), name=None\) into Recall\(\(0\.3,\)"),
    Case("merge-strings", lambda: Mean().merge(with_state(Mean(), total="1")), TypeError,
         r"Mean\(name=None\)\.total must be real numbers; got '1' of dtype <U1"),
    Case("merge-complex", lambda: Mean().merge(with_state(Mean(), total=1j)), TypeError,
         r"\.total must be real numbers; got 1j of dtype complex128"),
    Case("merge-overflows",
         lambda: with_state(Mean(), count=1e308).merge(with_state(Mean(), count=1e308)),
         ValueError, r"Merging Mean\(name=None\) into Mean\(name=None\) overflows float64 "
         r"in 'count'"),
]


def nan_loss(labels, logits):
    return np.full(logits.shape[:-1] + (1,), np.nan)


def inf_loss(labels, logits):
    return np.full(logits.shape[:-1] + (1,), np.inf), np.zeros(logits.shape)


def complex_loss(labels, logits):
    return logits.astype(complex) ** 2


def stream_twice(sample_weight):
    head = BinaryClassHead()
    eval_metrics = head.update_metrics(head.metrics(), L2, [0, 1], sample_weight)
    head.update_metrics(eval_metrics, L2, [0, 1], sample_weight)


def with_state(metric, **state):
    for name, value in state.items():
        setattr(metric, name, value)
    return metric


# ---------------------------------------------------------------------------
# 4. estimators


def fit(make, X=X, y=Y, **kwargs):
    return lambda: make().fit(X, y, **kwargs)


ESTIMATORS = [
    Case("fit-X-nan", fit(LinearClassifier, X_NAN), ValueError, r"Input X contains NaN"),
    Case("fit-X-inf", fit(MLPClassifier, X_INF), ValueError, r"Input X contains infinity"),
    Case("fit-y-nan", fit(LinearClassifier, y=with_one(Y, 4, np.nan)), ValueError,
         r"Input y contains NaN"),
    Case("fit-empty", fit(LinearClassifier, np.zeros((0, 3)), []), ValueError,
         r"Found array with 0 sample\(s\) \(shape=\(0, 3\)\)"),
    Case("fit-lengths", fit(LinearClassifier, y=Y[:-1]), ValueError,
         r"inconsistent numbers of samples: \[20, 19\]"),
    Case("fit-sample_weight-nan", fit(LinearClassifier, sample_weight=with_one(ONES, 0, np.nan)),
         ValueError, r"Input sample_weight contains NaN"),
    Case("fit-sample_weight-inf", fit(MLPClassifier, sample_weight=with_one(ONES, 0, np.inf)),
         ValueError, r"Input sample_weight contains infinity"),
    Case("fit-sample_weight-negative",
         fit(LinearClassifier, sample_weight=with_one(ONES, 7, -2.0)), ValueError,
         r"sample_weight must be >= 0; got -2\.0 at index 7"),
    Case("fit-sample_weight-all-zero", fit(LinearClassifier, sample_weight=np.zeros(20)),
         ValueError, r"sample_weight is all zero \(20 zeros\)"),
    Case("fit-sample_weight-zero-scalar", fit(MLPClassifier, sample_weight=0.0), ValueError,
         r"sample_weight is all zero"),
    Case("fit-sample_weight-length", fit(LinearClassifier, sample_weight=np.ones(19)),
         ValueError, r"sample_weight\.shape == \(19,\), expected \(20,\)"),
    Case("fit-sample_weight-strings", fit(LinearClassifier, sample_weight=["a"] * 20),
         ValueError, r"Invalid sample_weight: could not convert string to float: 'a'"),
    Case("fit-one-class", fit(LinearClassifier, y=np.zeros(20)), ValueError,
         r"needs samples of at least 2 classes, but the data contains only one class: .*0\.0"),
    Case("fit-three-classes-binary-head",
         fit(lambda: LinearEstimator(BinaryClassHead()), y=np.arange(20) % 3), ValueError,
         r"Only binary classification is supported by a BinaryClassHead; got 3 classes "
         r"\[0, 1, 2\]. Use a MultiClassHead\(n_classes=3\)"),
    Case("fit-multi-class-pos_weight",
         lambda: MLPClassifier(pos_weight=2.0).fit(X, np.arange(20) % 3), ValueError,
         r"pos_weight weighs the positive term .* y has 3 classes, .* use class_weight"),
    Case("fit-multi-class-head-unknown-class",
         fit(lambda: LinearEstimator(MultiClassHead(3)), y=np.arange(20) % 4), ValueError,
         r"y contains labels that are not classes of the head: \[3\]; the classes are "
         r"\[0, 1, 2\]"),
    Case("fit-class_weight-unknown-class",
         lambda: LinearClassifier(class_weight={0: 1, 7: 2}).fit(X, np.arange(20) % 3),
         ValueError, r"class_weight has keys that are not classes of y: \[7\]"),
    Case("fit-class_weight-negative",
         lambda: LinearClassifier(class_weight={0: -1}).fit(X, np.arange(20) % 3),
         ValueError, r"class_weight values must be finite numbers >= 0; got -1 for class 0"),
    Case("fit-class_weight-all-zero",
         lambda: LinearClassifier(class_weight={0: 0, 1: 0}).fit(X, Y),
         ValueError, r"class_weight \{0: 0, 1: 0\} gives every sample a zero weight"),
    Case("fit-class_weight-multilabel",
         lambda: LinearClassifier(class_weight="balanced").fit(X, Y_MULTI),
         ValueError, r"class_weight applies to binary and multi-class targets .* pos_weight"),
    Case("fit-regression-head-dimension",
         fit(lambda: LinearEstimator(RegressionHead(label_dimension=2)), y=P), ValueError,
         r"A RegressionHead\(label_dimension=2\) needs y of shape \(n_samples, 2\); got "
         r"shape \(20,\)"),
    Case("fit-poisson-negative-count",
         fit(lambda: LinearEstimator(PoissonRegressionHead()), y=P - 0.5), ValueError,
         r"Poisson counts must be >= 0; got -0\.\d+"),
    Case("fit-multi-head", fit(lambda: LinearEstimator(MultiHead([RegressionHead(name="a")]))),
         ValueError, r"'head' parameter of LinearEstimator must be a head of "
         r"sklearn_heads, one of BinaryClassHead, .*; got MultiHead"),
    Case("fit-pos_weight-negative", lambda: LinearClassifier(pos_weight=-1.0).fit(X, Y),
         ValueError, r"'pos_weight' parameter .* Got -1\.0"),
    Case("fit-pos_weight-length", lambda: LinearClassifier(pos_weight=[1.0, 2.0]).fit(X, Y_MULTI),
         ValueError, r"pos_weight must be a scalar or have 3 entries.*got shape \(2,\)"),
    Case("fit-threshold-1", lambda: MLPClassifier(threshold=1.0).fit(X, Y),
         ValueError, r"'threshold' parameter .* Got 1\.0"),
    Case("fit-threshold-length", lambda: LinearClassifier(threshold=[0.5, 0.5]).fit(X, Y_MULTI),
         ValueError, r"threshold must be a scalar or 3 values; got shape \(2,\)"),
    Case("fit-threshold-vector-outside",
         lambda: LinearClassifier(threshold=[0.5, 1.5, 0.5]).fit(X, Y_MULTI), ValueError,
         r"threshold must be in the open interval \(0, 1\); got \[0\.5, 1\.5, 0\.5\]"),
    Case("fit-alpha-negative", lambda: LinearClassifier(alpha=-1.0).fit(X, Y),
         ValueError, r"'alpha' parameter .* Got -1\.0"),
    Case("fit-hidden_units-0", lambda: MLPClassifier(hidden_units=(4, 0)).fit(X, Y), ValueError,
         r"hidden_units must be positive integers; got \(4, 0\)"),
    Case("fit-head-string", lambda: LinearEstimator("binary").fit(X, Y), ValueError,
         r"'head' parameter of LinearEstimator must be .* got 'binary'"),
    Case("fit-vocabulary-unknown-label",
         fit(lambda: LinearEstimator(BinaryClassHead(label_vocabulary=["a", "b"])),
             y=np.where(Y == 1, "a", "c")),
         ValueError, r"labels contain 'c', which is not in label_vocabulary \['a', 'b'\]"),
    Case("fit-multilabel-columns", fit(lambda: MLPEstimator(MultiLabelHead(4)), y=Y_MULTI),
         ValueError, r"MultiLabelHead\(n_classes=4\) needs .* 4 columns; got .* shape \(20, 3\)"),
    Case("fit-multilabel-2", fit(lambda: LinearEstimator(MultiLabelHead(3)), y=Y_MULTI * 2),
         ValueError, r"Multi-hot labels must be in \[0, 1\] .*; got 2"),
    Case("fit-binary-head-multilabel-y", fit(lambda: LinearEstimator(BinaryClassHead()), y=Y_MULTI),
         ValueError, r"BinaryClassHead needs a 1-d target .*got a multi-label indicator"),
    Case("fit-logistic-label-1.5", fit(lambda: LinearEstimator(LogisticRegressionHead()), y=P * 3),
         ValueError, r"Labels must be in \[0, 1\]; got 1\.\d+"),
    # predict, predict_proba, decision_function
    Case("predict-not-fitted", lambda: LinearClassifier().predict(X), NotFittedError,
         r"LinearClassifier instance is not fitted yet"),
    Case("predict_proba-not-fitted", lambda: MLPClassifier().predict_proba(X), NotFittedError,
         r"MLPClassifier instance is not fitted yet"),
    Case("decision_function-not-fitted",
         lambda: LinearEstimator(BinaryClassHead()).decision_function(X), NotFittedError,
         r"LinearEstimator instance is not fitted yet"),
    Case("predict-n_features", lambda: fitted("linear").predict(X[:, :2]), ValueError,
         r"X has 2 features, but LinearClassifier is expecting 3 features"),
    Case("predict_proba-n_features", lambda: fitted("mlp").predict_proba(np.ones((2, 4))),
         ValueError, r"X has 4 features, but MLPClassifier is expecting 3 features"),
    Case("decision_function-n_features",
         lambda: fitted("multilabel").decision_function(X[:, :1]), ValueError,
         r"X has 1 features, but LinearClassifier is expecting 3 features"),
    Case("predict-n_features-regressor",
         lambda: fitted("logistic").predict(X[:, :1]), ValueError,
         r"X has 1 features, but LinearEstimator is expecting 3 features"),
    Case("predict-X-nan", lambda: fitted("multilabel").predict(X_NAN), ValueError,
         r"Input X contains NaN"),
    Case("predict_proba-X-inf", lambda: fitted("linear").predict_proba(X_INF), ValueError,
         r"Input X contains infinity"),
    Case("decision_function-X-1d", lambda: fitted("mlp_estimator").decision_function(X[0]),
         ValueError, r"Expected 2D array, got 1D array instead"),
    Case("predict-empty", lambda: fitted("logistic").predict(np.zeros((0, 3))), ValueError,
         r"Found array with 0 sample\(s\) \(shape=\(0, 3\)\)"),
    # evaluate
    Case("evaluate-not-fitted", lambda: LinearClassifier().evaluate(X, Y), NotFittedError,
         r"LinearClassifier instance is not fitted yet"),
    Case("evaluate-lengths", lambda: fitted("linear").evaluate(X, Y[:-1]), ValueError,
         r"y has 19 samples but X has 20"),
    Case("evaluate-unseen-label", lambda: fitted("mlp").evaluate(X, Y * 2), ValueError,
         r"y contains labels not seen in fit: \[2\]; the classes are \[0, 1\]"),
    Case("evaluate-y-nan", lambda: fitted("linear").evaluate(X, with_one(Y, 0, np.nan)),
         ValueError, r"y contains labels not seen in fit: \[nan\]"),
    Case("evaluate-sample_weight-negative",
         lambda: fitted("multilabel").evaluate(X, Y_MULTI, with_one(ONES, 2, -1.0)),
         ValueError, r"sample_weight must be >= 0; got -1\.0 at index 2"),
    Case("evaluate-sample_weight-all-zero",
         lambda: fitted("logistic").evaluate(X, P, np.zeros(20)), ValueError,
         r"sample_weight is all zero \(20 zeros\)"),
    Case("evaluate-sample_weight-length", lambda: fitted("linear").evaluate(X, Y, np.ones(3)),
         ValueError, r"sample_weight\.shape == \(3,\), expected \(20,\)"),
    Case("evaluate-sample_weight-nan",
         lambda: fitted("mlp_estimator").evaluate(X, Y, with_one(ONES, 1, np.nan)),
         ValueError, r"Input sample_weight contains NaN"),
    Case("score-sample_weight-negative",
         lambda: fitted("linear").score(X, Y, with_one(ONES, 4, -1.0)), ValueError,
         r"sample_weight must be >= 0; got -1\.0 at index 4"),
    Case("evaluate-X-nan", lambda: fitted("linear").evaluate(X_NAN, Y), ValueError,
         r"Input X contains NaN"),
    Case("evaluate-n_features", lambda: fitted("multilabel").evaluate(X[:, :2], Y_MULTI),
         ValueError, r"X has 2 features, but LinearClassifier is expecting 3 features"),
    Case("evaluate-multilabel-columns", lambda: fitted("multilabel").evaluate(X, Y_MULTI[:, :2]),
         ValueError, r"Multi-hot labels of shape \(20, 2\) do not match logits of shape \(20, 3\)"),
    # ragged lists are lists of labels (issue 15): a label outside classes_ is named
    Case("evaluate-multilabel-ragged",
         lambda: fitted("multilabel").evaluate(X, [[0]] * 10 + [[0, 5]] * 10), ValueError,
         r"y contains labels not seen in fit: \[5\]; the classes are \[0, 1, 2\]"),
    Case("evaluate-multilabel-ragged-floats",
         lambda: fitted("multilabel").evaluate(X, [[0.0]] * 10 + [[0.0, 1.0]] * 10),
         ValueError, r"labels in y's lists must be class ids \(integers\) or names"),
    Case("evaluate-multilabel-2", lambda: fitted("multilabel").evaluate(X, Y_MULTI * 2),
         ValueError, r"Multi-hot labels must be in \[0, 1\] .*; got 2"),
    Case("evaluate-logistic-label-negative", lambda: fitted("logistic").evaluate(X, P - 1),
         ValueError, r"Labels must be in \[0, 1\]; got -0\.\d+"),
    Case("evaluate-y-none", lambda: fitted("linear").evaluate(X, None), ValueError,
         r"y is required .*; got None"),
    # issue 13: complex numbers are refused, naming the argument
    Case("fit-X-complex", fit(LinearClassifier, X + 0.5j), ValueError,
         r"Complex data not supported: X must be real numbers; got complex values such as "
         r"\(1\.76\d*\+0\.5j\)"),
    Case("fit-y-complex", fit(lambda: LinearEstimator(LogisticRegressionHead()), y=P + 0.5j),
         ValueError, r"Complex data not supported: y must be real numbers"),
    Case("fit-sample_weight-complex", fit(MLPClassifier, sample_weight=ONES * 1j), ValueError,
         r"Complex data not supported: sample_weight must be real numbers; got complex values "
         r"such as 1j"),
    Case("fit-sample_weight-complex-scalar", fit(LinearClassifier, sample_weight=2j), ValueError,
         r"Complex data not supported: sample_weight must be real numbers; got 2j"),
    Case("predict-X-complex", lambda: fitted("mlp").predict(X.astype(complex)), ValueError,
         r"Complex data not supported: X must be real numbers"),
    Case("evaluate-y-complex", lambda: fitted("linear").evaluate(X, Y + 1j), ValueError,
         r"Complex data not supported: y must be real numbers; got complex values such as "
         r"\(1\+1j\)"),
    Case("evaluate-multilabel-y-complex",
         lambda: fitted("multilabel").evaluate(X, Y_MULTI.astype(complex)), TypeError,
         r"labels must be real numbers; got complex values"),
    Case("score-sample_weight-complex",
         lambda: fitted("linear").score(X, Y, np.ones(20, complex)), ValueError,
         r"Complex data not supported: sample_weight must be real numbers"),
    # issue 13: scikit-learn's messages that do not name the argument
    Case("fit-X-scalar", fit(LinearClassifier, 3.0), ValueError,
         r"Invalid X: Expected 2D array, got scalar array instead"),
    Case("fit-X-3d", fit(LinearClassifier, X[:, :, None]), ValueError,
         r"Invalid X: Found array with dim 3"),
    Case("fit-X-dict", fit(MLPClassifier, {"a": 1}), TypeError,
         r"Invalid X: float\(\) argument must be"),
    Case("fit-X-strings", fit(LinearClassifier, np.full((20, 3), "abc")), ValueError,
         r"Invalid X: could not convert string to float: .*'abc'"),
    Case("fit-y-scalar", fit(LinearClassifier, y=0), TypeError, r"Invalid y: .*got scalar"),
    Case("fit-lengths-named", fit(LinearClassifier, X[:-1]), ValueError,
         r"X and y must have one row per sample \(X has 19, y has 20\)"),
    Case("predict-X-scalar", lambda: fitted("linear").predict(1.0), ValueError,
         r"Invalid X: Expected 2D array, got scalar array instead"),
    Case("evaluate-y-scalar", lambda: fitted("linear").evaluate(X, 0), TypeError,
         r"y must be an array-like of one target per row of X; got 0"),
    Case("evaluate-y-string", lambda: fitted("linear").evaluate(X, "y"), TypeError,
         r"y must be an array-like of one target per row of X; got 'y'"),
    Case("fit-X-inf-minus-inf",
         fit(LinearClassifier, np.where(X > 0, np.inf, -np.inf)), ValueError,
         r"Input X contains infinity"),  # without scikit-learn's RuntimeWarning first
    Case("fit-threshold-complex",
         lambda: LinearClassifier(threshold=[0.5j, 0.5, 0.5]).fit(X, Y_MULTI), TypeError,
         r"threshold must be numeric; got an array of dtype complex128|threshold must be "
         r"real numbers; got complex values"),
    Case("fit-threshold-strings",
         lambda: LinearClassifier(threshold=["0.5"] * 3).fit(X, Y_MULTI), TypeError,
         r"threshold must be numeric; got an array of dtype <U3"),
    Case("score-sample_weight-length", lambda: fitted("linear").score(X[:5], Y[:5], ONES),
         ValueError, r"sample_weight must have one weight per row of X \(5 rows\): "
         r"sample_weight\.shape == \(20,\), expected \(5,\)"),
    # issue 13: finite X whose logits overflow
    Case("evaluate-X-overflows", lambda: fitted("linear").evaluate(X * 1e307, Y), ValueError,
         r"The logits of X overflow at row \d+: X times the model's finite coefficients "
         r"exceeds the largest float \(X has values as large as .*\), and gives -?inf, so "
         r"the loss cannot be computed"),
    Case("scorer-X-overflows",
         lambda: make_head_scorer("auc")(fitted("linear"), X * 1e307, Y), ValueError,
         r"The logits of X overflow at row \d+"),
]


# ---------------------------------------------------------------------------
# 5. scorers

SCORERS = [
    Case("scorer-key-none", lambda: make_head_scorer(None), TypeError,
         r"key must be a non-empty string; got None"),
    Case("scorer-key-empty", lambda: make_head_scorer(""), TypeError,
         r"key must be a non-empty string; got ''"),
    Case("scorer-unknown-key", lambda: make_head_scorer("aucc"),
         ValueError, r"'aucc' is not a metric key of the heads: .*; did you mean 'auc'\?"),
    Case("scorer-key-of-another-head",
         lambda: make_head_scorer("probability_mean/class0")(fitted("linear"), X, Y),
         ValueError, r"'probability_mean/class0' is not a metric of BinaryClassHead\(\); a "
         r"BinaryClassHead does not report 'probability_mean'\. Its metrics are \['accuracy'"),
    Case("scorer-class-key-of-binary", lambda: make_head_scorer("auc/class2")(fitted("mlp"), X, Y),
         ValueError, r"'auc/class2' is not a metric"),
    Case("scorer-not-fitted", lambda: make_head_scorer("auc")(LinearClassifier(), X, Y),
         NotFittedError, r"LinearClassifier instance is not fitted yet"),
    Case("scorer-other-estimator",
         lambda: make_head_scorer("auc")(LinearSVC().fit(X, Y), X, Y), TypeError,
         r"LinearSVC has no predict_proba, and TensorFlow's metrics are computed on "
         r"probabilities"),
    Case("scorer-lengths", lambda: make_head_scorer("precision")(fitted("linear"), X, Y[:-2]),
         ValueError, r"y has 18 samples but X has 20"),
    Case("scorer-unseen-label", lambda: make_head_scorer("auc")(fitted("mlp"), X, Y + 5),
         ValueError, r"y contains labels not seen in fit: \[5, 6\]"),
    Case("scorer-sample_weight-negative",
         lambda: make_head_scorer("average_loss")(
             fitted("logistic"), X, P, sample_weight=with_one(ONES, 9, -3.0)),
         ValueError, r"sample_weight must be >= 0; got -3\.0 at index 9"),
    Case("scorer-sample_weight-all-zero",
         lambda: make_head_scorer("auc")(fitted("linear"), X, Y, sample_weight=np.zeros(20)),
         ValueError, r"sample_weight is all zero"),
    Case("scorer-X-nan", lambda: make_head_scorer("auc")(fitted("multilabel"), X_NAN, Y_MULTI),
         ValueError, r"Input X contains NaN"),
    Case("scorer-n_features", lambda: make_head_scorer("auc")(fitted("linear"), X[:, :1], Y),
         ValueError, r"X has 1 features, but LinearClassifier is expecting 3 features"),
]


CASES = LOSSES + CONSTRUCTORS + HEAD_INPUTS + HEAD_OTHER + ESTIMATORS + SCORERS


def test_the_table_is_large_and_its_ids_unique():
    assert len(CASES) >= 40
    ids = [case.id for case in CASES]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case):
    with warnings.catch_warnings():
        # a bad input is an error, not a warning followed by a wrong number
        warnings.simplefilter("error")
        with pytest.raises(case.error, match=case.match):
            case.call()


# ---------------------------------------------------------------------------
# 6. a NaN or an infinity anywhere: drawn by Hypothesis over the entry points

NON_FINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}
HEAD_MAKERS = {
    "binary": (lambda: BinaryClassHead(thresholds=[0.5]), 1),
    "multilabel": (lambda: MultiLabelHead(3, classes_for_class_based_metrics=[0]), 3),
    "logistic": (lambda: LogisticRegressionHead(), 1),
    "multiclass": (lambda: MultiClassHead(3), 3),
    "regression": (lambda: RegressionHead(3, inverse_link_fn=np.exp), 3),
    "poisson": (lambda: PoissonRegressionHead(2), 2),
}
# labels of 5 rows for k logits: 0/1 floats, but class ids for multi-class
LABEL_MAKERS = {"multiclass": lambda rng, k: rng.randint(0, k, size=5)}
# what each message calls the argument
ARGUMENT_NAMES = {
    "logits": "logits", "labels": "[Ll]abels", "sample_weight": "sample_weight",
    "X": "X", "y": "(y|[Ll]abels)",
}


@settings(max_examples=80, deadline=None, database=None)
@given(
    kind=st.sampled_from(sorted(HEAD_MAKERS)),
    argument=st.sampled_from(["logits", "labels", "sample_weight"]),
    method=st.sampled_from(["loss", "loss_and_gradient", "evaluate", "update_metrics",
                            "predictions"]),
    value=st.sampled_from(sorted(NON_FINITE)),
    row=st.integers(0, 4),
    column=st.integers(0, 2),
)
def test_non_finite_head_inputs_are_named(kind, argument, method, value, row, column):
    make, k = HEAD_MAKERS[kind]
    head = make()
    rng = np.random.RandomState(row)
    make_labels = LABEL_MAKERS.get(
        kind, lambda rng, k: (rng.uniform(size=(5, k)) > 0.5).astype(np.float64)
    )
    args = {
        "logits": rng.normal(size=(5, k)),
        "labels": make_labels(rng, k),
        "sample_weight": rng.uniform(size=5),
    }
    if method == "predictions":
        argument = "logits"
    target = args[argument] = args[argument].astype(np.float64)  # a float to hold NaN
    target[(row, column % k) if target.ndim == 2 else row] = NON_FINITE[value]
    if method == "predictions":
        call = lambda: head.predictions(args["logits"])  # noqa: E731
    elif method == "update_metrics":
        call = lambda: head.update_metrics(head.metrics(), **args)  # noqa: E731
    else:
        call = lambda: getattr(head, method)(**args)  # noqa: E731
    pattern = rf"{ARGUMENT_NAMES[argument]}.*got {value.replace('+', '')}\b"
    with pytest.raises(ValueError, match=pattern):
        call()


@settings(max_examples=40, deadline=None, database=None)
@given(
    kind=st.sampled_from(["linear", "mlp", "multilabel", "logistic"]),
    argument=st.sampled_from(["X", "y", "sample_weight"]),
    method=st.sampled_from(["fit", "predict", "decision_function", "evaluate", "scorer"]),
    value=st.sampled_from(sorted(NON_FINITE)),
    row=st.integers(0, 19),
)
def test_non_finite_estimator_inputs_are_named(kind, argument, method, value, row):
    est = fitted(kind)
    y = {"multilabel": Y_MULTI, "logistic": P}.get(kind, Y).astype(np.float64)
    args = {"X": X.copy(), "y": y.copy(), "sample_weight": ONES.copy()}
    if method in ("predict", "decision_function"):
        argument = "X"
    if method == "decision_function" and kind == "logistic":
        method = "predict"  # a regressor has no decision_function
    target = args[argument]
    target[(row, 0) if target.ndim == 2 else row] = NON_FINITE[value]
    Xa, ya, wa = args["X"], args["y"], args["sample_weight"]
    calls = {
        "fit": lambda: clone(est).fit(Xa, ya, sample_weight=wa),
        "predict": lambda: est.predict(Xa),
        "decision_function": lambda: est.decision_function(Xa),
        "evaluate": lambda: est.evaluate(Xa, ya, wa),
        "scorer": lambda: make_head_scorer("average_loss")(est, Xa, ya, sample_weight=wa),
    }
    # scikit-learn's own message ("Input X contains NaN", "... infinity")
    # where it checks, ours ("got nan", "not seen in fit: [inf]") elsewhere
    word = {"nan": "(NaN|nan)", "inf": "(infinity|inf)", "-inf": "(infinity|-inf)"}[value]
    with pytest.raises(ValueError, match=rf"{ARGUMENT_NAMES[argument]}.*{word}"):
        calls[method]()
