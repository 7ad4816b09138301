"""The multi-class classification head (``tf.estimator.MultiClassHead``)."""

import numbers

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from .._losses import (
    _softmax_ce_hessian,
    _softmax_ce_loss_grad,
    _softmax_ce_of_probabilities,
    _softmax_ce_sum_grad,
)
from .._metrics import Mean, MeanMatch
from ._base import Reduction, _check_vocabulary, _Head
from ._labels import encode_class_ids
from ._task import _ClassifierTask, check_threshold, class_indices


def _check_n_classes(n_classes):
    if (
        not isinstance(n_classes, numbers.Integral)
        or isinstance(n_classes, (bool, np.bool_))
        or n_classes < 3
    ):
        raise ValueError(
            "n_classes must be an integer > 2 for multi-class classification "
            f"(use BinaryClassHead for 2 classes); got {n_classes!r}."
        )
    return int(n_classes)


class MultiClassHead(_ClassifierTask, _Head):
    """Head for multi-class classification with softmax cross-entropy.

    The NumPy port of ``tf.estimator.MultiClassHead``: the same loss,
    reductions, predictions and metrics (with TensorFlow's keys and values).

    Parameters
    ----------
    n_classes : int
        Number of classes, greater than 2 (use :class:`BinaryClassHead` for
        two).
    label_vocabulary : list or tuple of ``n_classes`` str, default=None
        Class names, in the order of the logits. Without it, labels are
        class ids in ``[0, n_classes)``.
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted per-example losses are reduced (see
        :class:`Reduction`).
    loss_fn : callable, default=None
        ``loss_fn(labels, logits)`` returning the unreduced loss of shape
        ``[D0, ..., DN, 1]``, or a tuple ``(loss, gradient)`` with the
        gradient of each example's loss w.r.t. its logits. Labels are passed
        as integer class ids of shape ``[D0, ..., DN, 1]`` (after the
        vocabulary lookup), as TensorFlow passes them. Without a gradient,
        :meth:`loss_and_gradient` uses finite differences and warns once.
    name : str, default=None
        Appended to every metric key as ``/<name>``.

    Attributes
    ----------
    logits_dimension : int
        ``n_classes``.

    Notes
    -----
    Labels: integer class ids of shape ``[D0, ..., DN, 1]`` or
    ``[D0, ..., DN]``, or strings (or bytes) from ``label_vocabulary``.
    Floats, even whole numbers, are refused, as TensorFlow refuses them.
    Logits: ``[D0, ..., DN, n_classes]``. ``sample_weight`` is TensorFlow's
    ``weight_column``, one per example.

    The loss of an example is ``logsumexp(logits) - logits[label]``. The
    metrics are ``average_loss`` (the weighted mean loss) and ``accuracy``
    (the weighted fraction of examples whose largest logit is the label's;
    ties go to the first class, as ``argmax`` does).

    Examples
    --------
    The worked example of ``tf.estimator.MultiClassHead``: the losses are
    ``logsumexp(10, 0, 0) - 0 = 10`` and ``logsumexp(0, 10, 0) - 10 = 0``
    (to 4.5e-5), whose mean is 5.

    >>> import numpy as np
    >>> from sklearn_heads import MultiClassHead
    >>> head = MultiClassHead(n_classes=3)
    >>> logits = np.array([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
    >>> labels = np.array([[1], [1]])
    >>> print(f"{head.loss(labels, logits):.2f}")
    5.00
    >>> for key, value in sorted(head.evaluate(labels, logits).items()):
    ...     print(f"{key} : {value:.2f}")
    accuracy : 0.50
    average_loss : 5.00
    >>> head.predictions(logits)["class_ids"]
    array([[0],
           [1]])
    """

    _multi_class = True

    _prediction_keys = (
        "logits",
        "probabilities",
        "class_ids",
        "classes",
        "all_class_ids",
        "all_classes",
    )

    def __init__(
        self,
        n_classes,
        label_vocabulary=None,
        loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
        loss_fn=None,
        name=None,
    ):
        self.n_classes = n_classes
        self.label_vocabulary = label_vocabulary
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.name = name
        self._check_params()

    def _validate(self):
        n_classes = _check_n_classes(self.n_classes)
        self._vocabulary = _check_vocabulary(self.label_vocabulary, n_classes)
        self._setup_common()

    @property
    def logits_dimension(self):
        """Number of logits per example: ``n_classes``."""
        self._ensure_valid()
        return int(self.n_classes)

    def _encode_labels(self, labels, shape, dtype):
        return encode_class_ids(labels, shape, dtype, self.logits_dimension, self._vocabulary)

    def _prepared_widths(self):
        return 1, 1  # a column of class ids, one weight per row

    def _loss_fn_labels(self, z):
        return z.astype(np.int64)

    def _default_loss(self, z, logits, need_grad):
        return _softmax_ce_loss_grad(z, logits, need_grad=need_grad)

    def _loss_hessian_logits(self, z, logits, w):
        if self.loss_fn is not None:
            return None
        return _softmax_ce_hessian(logits, w)

    def _fused_sum_loss_gradient(self, z, logits, w, need_grad, out, columns):
        if columns is not None:
            raise ValueError("MultiClassHead has no per-column losses.")
        return _softmax_ce_sum_grad(z, logits, w, out=out, need_grad=need_grad)

    def _class_names(self):
        if self._vocabulary:
            return np.asarray(self._vocabulary)
        return np.asarray([str(i) for i in range(self.logits_dimension)])

    def _predictions(self, logits, keys):
        out = {"logits": logits}
        if "probabilities" in keys:
            out["probabilities"] = softmax(logits, axis=-1)
        if keys & {"class_ids", "classes"}:
            out["class_ids"] = np.argmax(logits, axis=-1)[..., None].astype(np.int64)
            out["classes"] = self._class_names()[out["class_ids"]]
        if "all_class_ids" in keys:
            ids = np.arange(self.logits_dimension, dtype=np.int64)
            out["all_class_ids"] = np.broadcast_to(ids, logits.shape).copy()
        if "all_classes" in keys:
            out["all_classes"] = np.broadcast_to(self._class_names(), logits.shape).copy()
        return out

    def _metric_factories(self):
        return [
            (self._key("average_loss"), lambda key: Mean(name=key)),
            (self._key("accuracy"), lambda key: MeanMatch(name=key)),
        ]

    def _update(self, m, z, logits, w, loss, predicted_labels=None):
        self._update_outputs(m, z, self._class_ids(logits, predicted_labels), w, loss)

    def _update_from_probabilities(self, m, z, probabilities, w, loss, predicted_labels=None):
        self._update_outputs(m, z, self._class_ids(probabilities, predicted_labels), w, loss)

    def _class_ids(self, scores, predicted_labels):
        """The decisions: the ``argmax`` of the scores, or the model's own."""
        if predicted_labels is None:
            return np.argmax(scores, axis=-1)[..., None]
        try:
            return self._encode_labels(predicted_labels, scores.shape, np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Invalid predicted labels: {exc}") from None

    def _logits_of_probabilities(self, probabilities):
        return np.log(probabilities)  # softmax(log p) = p for rows summing to 1

    def _default_probability_loss(self, z, probabilities):
        return _softmax_ce_of_probabilities(z, probabilities)

    def _update_outputs(self, m, z, class_ids, w, loss):
        """Feed every metric, for logits and for probabilities alike."""
        m[self._key("average_loss")].update_state(loss, w)
        m[self._key("accuracy")].update_state(z, class_ids, w)

    # ------------------------------------------------------------------
    # the estimators' questions (see _task.py)
    def _encode_target(self, y, classes=None):
        if np.ndim(y) == 2 and np.shape(y)[1] > 1:
            raise ValueError(
                "A MultiClassHead needs a 1-d target of class labels; got a 2-d "
                f"target of shape {np.shape(y)}."
            )
        y = column_or_1d(y, warn=True)
        fitted = classes is not None
        if not fitted:  # the head's own classes: its names, or the class ids
            check_classification_targets(y)
            classes = (
                np.arange(self.logits_dimension)
                if self._vocabulary is None
                else np.asarray(self._vocabulary)
            )
        ids = class_indices(y, classes, fitted)
        # with a vocabulary the head reads the names itself
        return (ids if self._vocabulary is None else y), classes

    def _check_threshold(self, threshold):
        # not used (predict returns the most probable class), but checked
        return check_threshold(threshold)

    def _log_probabilities(self, logits):
        return log_softmax(logits, axis=-1)

    def _decide(self, logits, classes, threshold):
        self._check_threshold(threshold)
        return classes[np.argmax(logits, axis=1)]

    def _separated(self, z, w, logits):
        # every (weighted) row's own logit above all the others
        rows = np.arange(logits.shape[0])
        ids = z[:, 0].astype(np.intp)
        own = logits[rows, ids]
        others = np.array(logits, dtype=np.float64, copy=True)
        others[rows, ids] = -np.inf
        right = own > others.max(axis=1)
        if w is not None:
            right |= w[:, 0] == 0
        return np.array([np.all(right)])
