"""TensorFlow's classification metrics of probabilities, one function per key.

Every function validates its inputs as the heads' probability path does
(``_Head._probability_inputs``) and feeds the same streaming metric class
of ``sklearn_heads._metrics`` with the same arrays as the head's
``update_metrics``, so each returns exactly what the head reports under its
key:

================================  ==========================================
function                          key of the binary / multi-label head
================================  ==========================================
``auc``                           ``auc``
``auc_precision_recall``          ``auc_precision_recall``
``precision_at_threshold``        ``precision/positive_threshold_<t>``
``recall_at_threshold``           ``recall/positive_threshold_<t>``
``accuracy_at_threshold``         ``accuracy/positive_threshold_<t>``
``accuracy_baseline``             ``accuracy_baseline`` (binary head only)
================================  ==========================================

Multi-label inputs are pooled over every (example, label) pair, as
TensorFlow's multi-label head pools them.
"""

import numbers

import numpy as np
import scipy.sparse as sp

from .._compat import Interval, validate_params
from .._heads import BinaryClassHead, MultiLabelHead
from .._heads._labels import binary_indicator
from .._losses import _as_array
from .._metrics import AUC, AccuracyBaseline, MeanMatch, Precision, Recall

_POS_LABEL = [numbers.Real, str, "boolean", None]

_COMMON = {
    "y_true": ["array-like", "sparse matrix"],
    "y_prob": ["array-like"],
    "sample_weight": ["array-like", None],
    "pos_label": _POS_LABEL,
}

_AUC = {**_COMMON, "num_thresholds": [Interval(numbers.Integral, 2, None, closed="left")]}

_AT_THRESHOLD = {**_COMMON, "threshold": [Interval(numbers.Real, 0, 1, closed="both")]}


def _indicator(y_true):
    """``y_true`` as an indicator matrix of several labels, or None.

    A nested list is a matrix here, as in scikit-learn's metrics (the
    multi-label head would read it as lists of class ids).
    """
    if not sp.issparse(y_true):
        y_true = _as_array(y_true, "y_true")
    shape = y_true.shape
    return y_true if len(shape) == 2 and shape[1] > 1 else None


def _head_for(y_true, pos_label):
    """The head whose metrics these are, and the labels it reads."""
    indicator = _indicator(y_true)
    if indicator is not None:
        if pos_label not in (None, 1):
            raise ValueError(
                "pos_label is for binary targets; a multi-label y_true is an "
                f"indicator matrix whose positives are 1. Got pos_label={pos_label!r}."
            )
        return MultiLabelHead(n_classes=indicator.shape[1]), indicator
    return BinaryClassHead(), binary_indicator(y_true, pos_label)


def _inputs(y_true, y_prob, sample_weight, pos_label):
    """``(z, p, w)`` as the head feeds its metrics.

    Binary: ``(n, 1)`` labels and probabilities; multi-label: ``(n, k)``;
    weights ``(n, 1)`` (or None), broadcast over the labels.
    """
    head, labels = _head_for(y_true, pos_label)
    n_true = labels.shape[0]
    y_prob_shape = np.shape(y_prob)
    if head.logits_dimension == 1:
        if len(y_prob_shape) not in (1, 2) or y_prob_shape[1:] not in ((), (1,)):
            raise ValueError(
                f"y_true holds binary class labels, so y_prob must be the probability "
                f"of the positive class, of shape (n_samples,); got shape "
                f"{y_prob_shape}. From predict_proba, take the positive class's "
                "column, such as predict_proba(X)[:, 1]."
            )
    elif y_prob_shape[1:] != (head.logits_dimension,) or len(y_prob_shape) != 2:
        raise ValueError(
            f"y_true is a multi-label indicator matrix of {head.logits_dimension} "
            f"labels, so y_prob must hold one probability per label, of shape "
            f"(n_samples, {head.logits_dimension}); got shape {y_prob_shape}."
        )
    if y_prob_shape[0] != n_true:
        raise ValueError(
            f"y_true has {n_true} samples but y_prob has {y_prob_shape[0]}."
        )
    return head._probability_inputs(labels, y_prob, sample_weight)


def _result(metric, *inputs):
    metric.update_state(*inputs)
    return metric.result()


@validate_params(_AUC, prefer_skip_nested_validation=True)
def auc(y_true, y_prob, *, sample_weight=None, num_thresholds=200, pos_label=None):
    """TensorFlow's area under the ROC curve (the heads' ``auc``).

    ``tf.keras.metrics.AUC()``: the true- and false-positive rates at
    ``num_thresholds`` evenly spaced thresholds on the probability,
    integrated with the trapezoidal rule. Close to, not equal to,
    :func:`sklearn.metrics.roc_auc_score`: probabilities that fall in one
    bucket count as ties (see the user guide's "TensorFlow's numbers for
    any model").

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or {array-like, sparse matrix} of shape (n_samples, n_labels)
        Binary class labels, or a multi-label indicator matrix.
    y_prob : array-like of shape (n_samples,) or (n_samples, n_labels)
        The probability of the positive class (of each label), in [0, 1];
        exactly 0 and 1 are allowed.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights. All zero gives 0, as in TensorFlow.
    num_thresholds : int >= 2, default=200
        TensorFlow's default is 200. More thresholds bring the value closer
        to the exact area.
    pos_label : int, float, bool or str, default=None
        The positive class of binary labels; by default 1, for labels 0/1
        or -1/1 (other labels, such as strings, need it).

    Returns
    -------
    auc : float
        Multi-label: the area of the curve of every (example, label) pair
        pooled, as TensorFlow's multi-label head reports it.

    Examples
    --------
    >>> from sklearn_heads.metrics import auc
    >>> y_true = [0, 0, 1, 1]
    >>> y_prob = [0.1, 0.4, 0.35, 0.8]
    >>> round(auc(y_true, y_prob), 4)
    0.75
    >>> round(auc(["ham", "ham", "spam", "spam"], y_prob, pos_label="spam"), 4)
    0.75
    """
    z, p, w = _inputs(y_true, y_prob, sample_weight, pos_label)
    return _result(AUC(curve="ROC", num_thresholds=num_thresholds), z, p, w)


@validate_params(_AUC, prefer_skip_nested_validation=True)
def auc_precision_recall(
    y_true, y_prob, *, sample_weight=None, num_thresholds=200, pos_label=None
):
    """TensorFlow's area under the precision-recall curve (``auc_precision_recall``).

    ``tf.keras.metrics.AUC(curve="PR")``: precision and recall at
    ``num_thresholds`` evenly spaced thresholds, the area computed with the
    interpolation of Davis & Goadrich (2006). Close to, not equal to,
    :func:`sklearn.metrics.average_precision_score`, which is a step sum over
    every distinct probability.

    Parameters
    ----------
    y_true, y_prob, sample_weight, num_thresholds, pos_label
        As in :func:`auc`.

    Returns
    -------
    auc_precision_recall : float

    Examples
    --------
    >>> from sklearn.metrics import average_precision_score
    >>> from sklearn_heads.metrics import auc_precision_recall
    >>> y_true, y_prob = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    >>> round(auc_precision_recall(y_true, y_prob), 4)
    0.7973
    >>> round(average_precision_score(y_true, y_prob), 4)
    0.8333
    """
    z, p, w = _inputs(y_true, y_prob, sample_weight, pos_label)
    return _result(AUC(curve="PR", num_thresholds=num_thresholds), z, p, w)


@validate_params(_AT_THRESHOLD, prefer_skip_nested_validation=True)
def precision_at_threshold(
    y_true, y_prob, *, threshold=0.5, sample_weight=None, pos_label=None
):
    """Precision of ``y_prob > threshold`` (``precision/positive_threshold_<t>``).

    ``tf.keras.metrics.Precision(thresholds=threshold)``: the probability
    and the threshold are compared strictly, after rounding both to
    float32; no predicted positive gives 0.

    Parameters
    ----------
    y_true, y_prob, sample_weight, pos_label
        As in :func:`auc`.
    threshold : float in [0, 1], default=0.5
        Probabilities strictly above it count as positive.

    Returns
    -------
    precision : float
        Multi-label: over every (example, label) pair.

    Examples
    --------
    >>> from sklearn_heads.metrics import precision_at_threshold
    >>> precision_at_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], threshold=0.3)
    0.6666666666666666
    """
    z, p, w = _inputs(y_true, y_prob, sample_weight, pos_label)
    return _result(Precision(threshold), z, p, w)


@validate_params(_AT_THRESHOLD, prefer_skip_nested_validation=True)
def recall_at_threshold(
    y_true, y_prob, *, threshold=0.5, sample_weight=None, pos_label=None
):
    """Recall of ``y_prob > threshold`` (``recall/positive_threshold_<t>``).

    ``tf.keras.metrics.Recall(thresholds=threshold)``, compared as in
    :func:`precision_at_threshold`.

    Parameters
    ----------
    y_true, y_prob, sample_weight, pos_label
        As in :func:`auc`.
    threshold : float in [0, 1], default=0.5

    Returns
    -------
    recall : float

    Examples
    --------
    >>> from sklearn_heads.metrics import recall_at_threshold
    >>> recall_at_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], threshold=0.5)
    0.5
    """
    z, p, w = _inputs(y_true, y_prob, sample_weight, pos_label)
    return _result(Recall(threshold), z, p, w)


@validate_params(_AT_THRESHOLD, prefer_skip_nested_validation=True)
def accuracy_at_threshold(
    y_true, y_prob, *, threshold=0.5, sample_weight=None, pos_label=None
):
    """Accuracy of ``y_prob > threshold`` (``accuracy/positive_threshold_<t>``).

    ``tf.keras.metrics.BinaryAccuracy(threshold=threshold)``, compared as
    in :func:`precision_at_threshold`.

    Parameters
    ----------
    y_true, y_prob, sample_weight, pos_label
        As in :func:`auc`.
    threshold : float in [0, 1], default=0.5

    Returns
    -------
    accuracy : float
        The weighted fraction of correct decisions (multi-label: of
        (example, label) pairs).

    Examples
    --------
    >>> from sklearn_heads.metrics import accuracy_at_threshold
    >>> accuracy_at_threshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], threshold=0.3)
    0.75
    """
    z, p, w = _inputs(y_true, y_prob, sample_weight, pos_label)
    return _result(MeanMatch(threshold), z, p, w)


_BASELINE = {key: _COMMON[key] for key in ("y_true", "sample_weight", "pos_label")}


@validate_params(_BASELINE, prefer_skip_nested_validation=True)
def accuracy_baseline(y_true, *, sample_weight=None, pos_label=None):
    """The accuracy of always predicting the majority class (``accuracy_baseline``).

    ``max(m, 1 - m)``, where ``m`` is the weighted fraction of positives:
    the accuracy a model has to beat. It needs no predictions, so it is
    not a scorer of its own (``make_head_scorer("accuracy_baseline")`` is).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,), or {array-like, sparse matrix} of shape (n_samples, n_labels)
        Binary class labels, or a multi-label indicator matrix: then over
        every (example, label) pair, the baseline of
        :func:`accuracy_at_threshold` (TensorFlow's multi-label head does
        not report it).
    sample_weight, pos_label
        As in :func:`auc`.

    Returns
    -------
    accuracy_baseline : float

    Examples
    --------
    >>> from sklearn_heads.metrics import accuracy_baseline
    >>> accuracy_baseline([0, 0, 0, 1])
    0.75
    """
    head, labels = _head_for(y_true, pos_label)
    n_samples = labels.shape[0]
    # the labels' probability-shaped twin: the baseline needs no predictions
    placeholder = np.zeros((n_samples, head.logits_dimension))
    z, _, w = head._probability_inputs(labels, placeholder, sample_weight)
    return _result(AccuracyBaseline(), z, w)
