"""The multi-label classification head (``tf.estimator.MultiLabelHead``)."""

import numbers

import numpy as np
import scipy.sparse as sp
from scipy.special import log_expit, logit
from sklearn.utils.multiclass import type_of_target

from .._compat import asarray
from .._losses import (
    _sigmoid,
    _sigmoid_ce_hessian,
    _sigmoid_ce_loss_grad,
    _sigmoid_ce_of_probabilities,
    _sigmoid_ce_sum_grad,
)
from .._metrics import AUC, Mean, MeanMatch, Precision, Recall
from ._base import Reduction, _check_thresholds, _check_vocabulary, _Head
from ._labels import encode_multilabel_labels, hard_labels
from ._task import _ClassifierTask, check_threshold


def _check_n_classes(n_classes):
    if (
        not isinstance(n_classes, numbers.Integral)
        or isinstance(n_classes, bool)
        or n_classes < 2
    ):
        raise ValueError(
            "n_classes must be an integer > 1 for multi-label classification "
            f"(use BinaryClassHead for one class); got {n_classes!r}."
        )
    return int(n_classes)


def _resolve_classes(classes, n_classes, vocabulary):
    """Class ids of ``classes_for_class_based_metrics`` (ids or names)."""
    if classes is None:
        return ()
    if isinstance(classes, (str, bytes)) or not np.iterable(classes):
        raise TypeError(
            "classes_for_class_based_metrics must be a list of class ids or "
            f"names, such as [0, 2]; got {classes!r}."
        )
    classes = list(classes)
    names = [c for c in classes if isinstance(c, str)]
    if names and len(names) != len(classes):
        other = next(c for c in classes if not isinstance(c, str))
        raise ValueError(
            "classes_for_class_based_metrics must be all class ids or all names "
            f"from label_vocabulary, not a mix (as in TensorFlow); got {other!r} "
            f"and {names[0]!r} in {classes!r}."
        )
    ids = []
    for c in classes:
        if isinstance(c, str):
            if vocabulary is None:
                raise ValueError(
                    "label_vocabulary must be provided when "
                    f"classes_for_class_based_metrics are strings; got {c!r}."
                )
            if c not in vocabulary:
                raise ValueError(
                    f"classes_for_class_based_metrics entry {c!r} is not in "
                    f"label_vocabulary {list(vocabulary)!r}."
                )
            ids.append(vocabulary.index(c))
        elif isinstance(c, numbers.Integral) and not isinstance(c, bool) and 0 <= c < n_classes:
            ids.append(int(c))
        else:
            raise ValueError(
                "All classes_for_class_based_metrics must be class ids in "
                f"[0, {n_classes - 1}] or names from label_vocabulary; got {c!r}."
            )
        if ids.count(ids[-1]) > 1:
            raise ValueError(
                f"classes_for_class_based_metrics has the duplicate entry {c!r} "
                f"(class {ids[-1]}); give each class once."
            )
    return tuple(ids)


class MultiLabelHead(_ClassifierTask, _Head):
    """Head for multi-label classification: one sigmoid per class.

    The NumPy port of ``tf.estimator.MultiLabelHead``. The loss of an example
    is the sigmoid cross-entropy averaged over its classes; ``pos_weight``
    (not in TensorFlow) weights the positive term, per class if a vector.

    Parameters
    ----------
    n_classes : int
        Number of labels, greater than 1.
    thresholds : iterable of float in (0, 1), default=None
        For each threshold ``t``: ``accuracy/positive_threshold_t``,
        ``precision/positive_threshold_t`` and ``recall/positive_threshold_t``
        over all (example, class) pairs.
    label_vocabulary : list or tuple of ``n_classes`` str, default=None
        Class names; labels may then be lists of names per example.
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted per-example losses are reduced.
    loss_fn : callable, default=None
        ``loss_fn(labels, logits)`` returning the per-example loss of shape
        ``[D0, ..., DN, 1]`` (labels are passed multi-hot), or a tuple
        ``(loss, gradient)``. Both must be finite real numbers (checked at
        every call).
    classes_for_class_based_metrics : list of int or str, default=None
        Classes (all ids, or all names) for which ``probability_mean``,
        ``auc`` and ``auc_precision_recall`` are reported per class.
    name : str, default=None
        Appended to every metric key as ``/<name>``.
    pos_weight : float or array-like of shape (n_classes,), default=None
        Weight of the positive term of the cross-entropy.

    Notes
    -----
    Labels: a multi-hot array or SciPy sparse matrix shaped like the logits
    (soft labels in ``[0, 1]`` accepted, as in TensorFlow, with the metrics
    of :class:`BinaryClassHead` for them), or a (ragged) list of
    per-example lists of class ids or, with ``label_vocabulary``, class
    names (strings or bytes). A nested Python list is always read
    as class ids, never as multi-hot. The estimators
    (:class:`~sklearn_heads.LinearEstimator` and the others) read ``y`` as
    scikit-learn does: a nested list of numbers whose rows all have the
    same length is an indicator matrix there, and other lists (ragged, or
    of names) are lists of labels, read as this head reads them.

    Examples
    --------
    The worked example of ``tf.estimator.MultiLabelHead``: the per-example
    losses are ``(1.31326169 + 0.31326169) / 2`` and
    ``(1.70141327 + 0.20141327) / 2``, whose mean is 1.13.

    >>> import numpy as np
    >>> from sklearn_heads import MultiLabelHead
    >>> head = MultiLabelHead(n_classes=2)
    >>> logits = np.array([[-1.0, 1.0], [-1.5, 1.5]])
    >>> labels = np.array([[1, 0], [1, 1]])
    >>> print(f"{head.loss(labels, logits):.2f}")
    1.13
    >>> for key, value in sorted(head.evaluate(labels, logits).items()):
    ...     print(f"{key} : {value:.2f}")
    auc : 0.33
    auc_precision_recall : 0.77
    average_loss : 1.13
    """

    _binary_labels = True
    _multi_label = True

    _prediction_keys = ("logits", "probabilities", "classes")

    def __init__(
        self,
        n_classes,
        thresholds=None,
        label_vocabulary=None,
        loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
        loss_fn=None,
        classes_for_class_based_metrics=None,
        name=None,
        pos_weight=None,
    ):
        self.n_classes = n_classes
        self.thresholds = thresholds
        self.label_vocabulary = label_vocabulary
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.classes_for_class_based_metrics = classes_for_class_based_metrics
        self.name = name
        self.pos_weight = pos_weight
        self._check_params()

    def _validate(self):
        n_classes = _check_n_classes(self.n_classes)
        self._thresholds = _check_thresholds(self.thresholds)
        self._vocabulary = _check_vocabulary(self.label_vocabulary, n_classes)
        self._setup_common()
        self._class_ids = _resolve_classes(
            self.classes_for_class_based_metrics, n_classes, self._vocabulary
        )
        self._pos_weight = self._pos_weight_for(n_classes)

    @property
    def logits_dimension(self):
        """Number of logits per example: ``n_classes``."""
        self._ensure_valid()
        return int(self.n_classes)

    def _encode_labels(self, labels, shape, dtype):
        return encode_multilabel_labels(
            labels, shape, dtype, self.logits_dimension, self._vocabulary
        )

    def _default_loss(self, z, logits, need_grad):
        loss, grad = _sigmoid_ce_loss_grad(z, logits, self._pos_weight, need_grad=need_grad)
        k = logits.shape[-1]
        loss = loss.mean(axis=-1, keepdims=True)
        if need_grad:
            grad /= k
        return loss, grad

    def _loss_hessian_logits(self, z, logits, w):
        if self.loss_fn is not None:
            return None
        # the mean over the classes: every logit weighs 1 / n_classes
        weight = 1.0 / self.logits_dimension
        weight = weight if w is None else w * weight
        return _sigmoid_ce_hessian(z, logits, self._pos_weight, weight)

    def _fused_sum_loss_gradient(self, z, logits, w, need_grad, out, columns):
        # the mean over the classes: every logit weighs 1 / n_classes
        weight = 1.0 / self.logits_dimension
        if w is not None:
            weight = w * weight
        pos_weight = self._pos_weight
        if columns is not None and pos_weight is not None and np.ndim(pos_weight):
            pos_weight = np.broadcast_to(pos_weight, (self.logits_dimension,))[columns]
        return _sigmoid_ce_sum_grad(
            z, logits, pos_weight, weight, out=out, need_grad=need_grad,
            axis=None if columns is None else 0, binary_labels=hard_labels(z),
        )

    def _class_names(self):
        if self._vocabulary:
            return np.asarray(self._vocabulary)
        return np.asarray([str(i) for i in range(self.logits_dimension)])

    def _predictions(self, logits, keys):
        out = {"logits": logits}
        if "probabilities" in keys:
            out["probabilities"] = _sigmoid(logits)
        if "classes" in keys:
            out["classes"] = np.broadcast_to(self._class_names(), logits.shape).copy()
        return out

    def _class_suffix(self, class_id):
        if self._vocabulary is None:
            return "class%d" % class_id
        return self._vocabulary[class_id]

    def _metric_factories(self):
        k = self._key
        factories = [
            (k("average_loss"), lambda key: Mean(name=key)),
            (k("auc"), lambda key: AUC(name=key)),
            (k("auc_precision_recall"), lambda key: AUC(curve="PR", name=key)),
        ]
        for t in self._thresholds:
            factories += [
                (k("accuracy/positive_threshold_%g" % t), lambda key, t=t: MeanMatch(t, name=key)),
                (k("precision/positive_threshold_%g" % t), lambda key, t=t: Precision(t, name=key)),
                (k("recall/positive_threshold_%g" % t), lambda key, t=t: Recall(t, name=key)),
            ]
        for c in self._class_ids:
            suffix = self._class_suffix(c)
            factories += [
                (k(f"probability_mean/{suffix}"), lambda key: Mean(name=key)),
                (k(f"auc/{suffix}"), lambda key: AUC(name=key)),
                (k(f"auc_precision_recall/{suffix}"), lambda key: AUC(curve="PR", name=key)),
            ]
        return factories

    def _update(self, m, z, logits, w, loss):
        self._update_outputs(m, z, _sigmoid(logits), w, loss)

    def _update_from_probabilities(self, m, z, probabilities, w, loss):
        self._update_outputs(m, z, probabilities, w, loss)

    def _default_probability_loss(self, z, probabilities):
        loss = _sigmoid_ce_of_probabilities(z, probabilities, self._pos_weight)
        return loss.mean(axis=-1, keepdims=True)

    def _update_outputs(self, m, z, probabilities, w, loss):
        """Feed every metric, for logits and for probabilities alike."""
        k = self._key
        m[k("average_loss")].update_state(loss, w)
        m[k("auc")].update_state(z, probabilities, w)
        m[k("auc_precision_recall")].update_state(z, probabilities, w)
        for t in self._thresholds:
            for name in ("accuracy", "precision", "recall"):
                m[k(f"{name}/positive_threshold_%g" % t)].update_state(z, probabilities, w)
        for c in self._class_ids:
            suffix = self._class_suffix(c)
            p, zc = probabilities[..., c : c + 1], z[..., c : c + 1]
            m[k(f"probability_mean/{suffix}")].update_state(p, w)
            m[k(f"auc/{suffix}")].update_state(zc, p, w)
            m[k(f"auc_precision_recall/{suffix}")].update_state(zc, p, w)

    # ------------------------------------------------------------------
    # the estimators' questions (see _task.py)
    @property
    def _separable_outputs(self):
        # the built-in loss is a mean of one cross-entropy per label
        return self.loss_fn is None and self.logits_dimension > 1

    def _encode_target(self, y, classes=None):
        k = self.logits_dimension
        if classes is not None:  # after fit: the head checks the values
            if sp.issparse(y):
                return y, classes
            try:
                return asarray(y), classes
            except ValueError:  # ragged lists
                raise ValueError(
                    "y must be a multi-label indicator matrix of shape (n_samples, "
                    f"{k}), as for fit; got {y!r:.60}."
                ) from None
        target_type = type_of_target(y, input_name="y")
        if target_type != "multilabel-indicator" or y.shape[1] != k:
            raise ValueError(
                f"A MultiLabelHead(n_classes={k}) needs a multi-label indicator "
                f"matrix of {k} columns; got a target of type {target_type!r} and "
                f"shape {np.shape(y)}."
            )
        own = np.arange(k) if self._vocabulary is None else np.asarray(self._vocabulary)
        return y, own

    def _check_threshold(self, threshold):
        return check_threshold(threshold, self.logits_dimension)

    def _proba(self, logits):
        # below 1 for finite logits, as scikit-learn expects of multi-label
        # probabilities: expit rounds logits above 37 to exactly 1
        p = super()._proba(logits)
        below_one = np.nextafter(p.dtype.type(1), p.dtype.type(0))
        return np.where(np.isfinite(logits) & (p > below_one), below_one, p)

    def _log_probabilities(self, logits):
        return log_expit(logits)

    def _decide(self, logits, classes, threshold):
        return (logits > logit(self._check_threshold(threshold))).astype(np.int64)
