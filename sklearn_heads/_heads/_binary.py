"""The binary classification head (``tf.estimator.BinaryClassHead``)."""

import numbers

import numpy as np
from scipy.special import log_expit, logit
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from .._losses import (
    _sigmoid,
    _sigmoid_ce_hessian,
    _sigmoid_ce_loss_grad,
    _sigmoid_ce_of_probabilities,
)
from .._metrics import AUC, AccuracyBaseline, Mean, MeanMatch, Precision, Recall
from ._base import Reduction, _check_thresholds, _check_vocabulary, _Head
from ._labels import encode_binary_labels
from ._task import _ClassifierTask, check_threshold, class_indices


class BinaryClassHead(_ClassifierTask, _Head):
    """Head for binary classification with sigmoid cross-entropy.

    The NumPy port of ``tf.estimator.BinaryClassHead``: the same loss,
    reductions, predictions and metrics (with TensorFlow's keys and values).
    ``pos_weight`` (not in TensorFlow) switches the loss to
    :func:`~sklearn_heads.weighted_cross_entropy_with_logits`.

    Parameters
    ----------
    thresholds : iterable of float in (0, 1), default=None
        For each threshold ``t`` the metrics ``accuracy/positive_threshold_t``,
        ``precision/positive_threshold_t`` and ``recall/positive_threshold_t``
        are reported, counting ``probability > t`` as positive.
    label_vocabulary : list or tuple of 2 str, default=None
        Class names; the first is the negative class. Without it, labels are
        0/1.
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted per-example losses are reduced (see
        :class:`Reduction`).
    loss_fn : callable, default=None
        ``loss_fn(labels, logits)`` returning the unreduced loss of shape
        ``[D0, ..., DN, 1]``, or a tuple ``(loss, gradient)`` with the
        gradient of each example's loss w.r.t. its logits. Labels are passed
        as floats in ``[0, 1]`` shaped like the logits. Without a gradient,
        :meth:`loss_and_gradient` uses finite differences and warns once.
        Both must be finite real numbers (checked at every call: otherwise
        a ``ValueError`` or ``TypeError`` naming ``loss_fn``).
    name : str, default=None
        Appended to every metric key as ``/<name>``.
    pos_weight : float, default=None
        Weight of the positive term of the cross-entropy; ``None`` is 1.

    Attributes
    ----------
    logits_dimension : int
        Always 1.

    Notes
    -----
    Labels: 0/1 (int, float or bool) of shape ``[D0, ..., DN]`` or
    ``[D0, ..., DN, 1]``, or strings (or bytes) from ``label_vocabulary``.
    Soft labels in ``[0, 1]`` are accepted, as in TensorFlow: the loss is
    the cross-entropy against them; ``accuracy`` never counts a soft label
    as right, and precision, recall and the AUCs count any label above 0
    as a positive. Logits:
    ``[D0, ..., DN, 1]`` (a 1-d array is read as ``(n, 1)``).
    ``sample_weight`` is TensorFlow's ``weight_column``, one per example.

    Examples
    --------
    The worked example of ``tf.estimator.BinaryClassHead``: the losses of the
    two examples are ``45 - 45 * 1 + log(1 + exp(-45)) = 0`` and
    ``41 + log(1 + exp(-41)) = 41``, so the mean is 20.5.

    >>> import numpy as np
    >>> from sklearn_heads import BinaryClassHead
    >>> head = BinaryClassHead()
    >>> logits = np.array([[45.0], [-41.0]])
    >>> labels = np.array([[1], [1]])
    >>> head.loss(labels, logits)
    20.5
    >>> for key, value in sorted(head.evaluate(labels, logits).items()):
    ...     print(f"{key} : {value:.2f}")
    accuracy : 0.50
    accuracy_baseline : 1.00
    auc : 0.00
    auc_precision_recall : 1.00
    average_loss : 20.50
    label/mean : 1.00
    precision : 1.00
    prediction/mean : 0.50
    recall : 0.50
    """

    _binary_labels = True

    _prediction_keys = (
        "logits",
        "logistic",
        "probabilities",
        "class_ids",
        "classes",
        "all_class_ids",
        "all_classes",
    )

    def __init__(
        self,
        thresholds=None,
        label_vocabulary=None,
        loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
        loss_fn=None,
        name=None,
        pos_weight=None,
    ):
        self.thresholds = thresholds
        self.label_vocabulary = label_vocabulary
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.name = name
        self.pos_weight = pos_weight
        self._check_params()

    def _validate(self):
        self._thresholds = _check_thresholds(self.thresholds)
        self._vocabulary = _check_vocabulary(self.label_vocabulary, 2)
        self._setup_common()
        self._pos_weight = self._pos_weight_for(1)

    @property
    def logits_dimension(self):
        """Number of logits per example: 1."""
        self._ensure_valid()
        return 1

    def _encode_labels(self, labels, shape, dtype):
        return encode_binary_labels(labels, shape, dtype, self._vocabulary)

    def _default_loss(self, z, logits, need_grad):
        return _sigmoid_ce_loss_grad(z, logits, self._pos_weight, need_grad=need_grad)

    def _loss_hessian_logits(self, z, logits, w):
        if self.loss_fn is not None:
            return None
        return _sigmoid_ce_hessian(z, logits, self._pos_weight, w)

    def _class_names(self):
        return np.asarray(self._vocabulary if self._vocabulary else ("0", "1"))

    def _predictions(self, logits, keys):
        out = {"logits": logits}
        if keys & {"logistic", "probabilities"}:
            out["logistic"] = _sigmoid(logits)
            out["probabilities"] = np.concatenate([_sigmoid(-logits), out["logistic"]], axis=-1)
        if keys & {"class_ids", "classes"}:
            out["class_ids"] = (logits > 0).astype(np.int64)
            out["classes"] = self._class_names()[out["class_ids"]]
        all_shape = logits.shape[:-1] + (2,)
        out["all_class_ids"] = np.broadcast_to(np.arange(2, dtype=np.int64), all_shape).copy()
        out["all_classes"] = np.broadcast_to(self._class_names(), all_shape).copy()
        return out

    def _metric_factories(self):
        k = self._key
        factories = [
            (k("average_loss"), lambda key: Mean(name=key)),
            (k("accuracy"), lambda key: MeanMatch(name=key)),
            (k("precision"), lambda key: Precision(name=key)),
            (k("recall"), lambda key: Recall(name=key)),
            (k("prediction/mean"), lambda key: Mean(name=key)),
            (k("label/mean"), lambda key: Mean(name=key)),
            (k("accuracy_baseline"), lambda key: AccuracyBaseline(name=key)),
            (k("auc"), lambda key: AUC(name=key)),
            (k("auc_precision_recall"), lambda key: AUC(curve="PR", name=key)),
        ]
        for t in self._thresholds:
            factories += [
                (k("accuracy/positive_threshold_%g" % t), lambda key, t=t: MeanMatch(t, name=key)),
                (k("precision/positive_threshold_%g" % t), lambda key, t=t: Precision(t, name=key)),
                (k("recall/positive_threshold_%g" % t), lambda key, t=t: Recall(t, name=key)),
            ]
        return factories

    def _update(self, m, z, logits, w, loss, decision_threshold=0.5, predicted_labels=None):
        if predicted_labels is None:
            class_ids = logits > logit(decision_threshold)
        else:
            class_ids = self._predicted_class_ids(predicted_labels, logits.shape)
        self._update_outputs(m, z, _sigmoid(logits), class_ids, w, loss)

    def _update_from_probabilities(
        self, m, z, probabilities, w, loss, decision_threshold=0.5, predicted_labels=None
    ):
        if predicted_labels is None:
            class_ids = probabilities > decision_threshold
        else:
            class_ids = self._predicted_class_ids(predicted_labels, probabilities.shape)
        self._update_outputs(m, z, probabilities, class_ids, w, loss)

    def _default_probability_loss(self, z, probabilities):
        return _sigmoid_ce_of_probabilities(z, probabilities, self._pos_weight)

    def _predicted_class_ids(self, predicted_labels, shape):
        """The model's decisions, given as labels are given (0/1 or vocabulary strings)."""
        try:
            return self._encode_labels(predicted_labels, shape, np.float64) > 0.5
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Invalid predicted labels: {exc}") from None

    def _update_outputs(self, m, z, logistic, class_ids, w, loss):
        """Feed every metric: labels, probabilities, decisions, losses.

        The one place that decides which metric sees what, for logits and
        for probabilities alike.
        """
        k = self._key
        m[k("average_loss")].update_state(loss, w)
        for name in ("accuracy", "precision", "recall"):
            m[k(name)].update_state(z, class_ids, w)
        m[k("prediction/mean")].update_state(logistic, w)
        m[k("label/mean")].update_state(z, w)
        m[k("accuracy_baseline")].update_state(z, w)
        m[k("auc")].update_state(z, logistic, w)
        m[k("auc_precision_recall")].update_state(z, logistic, w)
        for t in self._thresholds:
            for name in ("accuracy", "precision", "recall"):
                m[k(f"{name}/positive_threshold_%g" % t)].update_state(z, logistic, w)

    # ------------------------------------------------------------------
    # the estimators' questions (see _task.py)
    def _encode_target(self, y, classes=None):
        if np.ndim(y) == 2 and np.shape(y)[1] > 1:
            raise ValueError(
                "A BinaryClassHead needs a 1-d target of two classes; got a multi-label "
                f"indicator matrix or another 2-d target, of shape {np.shape(y)} (use a "
                "MultiLabelHead for multi-label targets)."
            )
        y = column_or_1d(y, warn=True)
        if self._vocabulary is not None:
            return y, np.asarray(self._vocabulary)  # the head reads the names
        fitted = classes is not None
        if not fitted:
            check_classification_targets(y)
            classes = np.unique(y)
            if classes.shape[0] == 1:
                raise ValueError(
                    "A BinaryClassHead needs samples of 2 classes, but the data "
                    f"contains only one class: {classes.tolist()[0]!r}."
                )
            if classes.shape[0] > 2:
                raise ValueError(
                    "Only binary classification is supported by a BinaryClassHead; "
                    f"got {classes.shape[0]} classes {classes.tolist()!r:.80}. Use a "
                    f"MultiClassHead(n_classes={classes.shape[0]}), or LinearClassifier "
                    "or MLPClassifier, which choose the head from y."
                )
        return class_indices(y, classes, fitted, dtype=np.float64), classes

    def _check_threshold(self, threshold):
        return float(check_threshold(threshold))

    def _log_probabilities(self, logits):
        return np.concatenate([log_expit(-logits), log_expit(logits)], axis=-1)

    def _decide(self, logits, classes, threshold):
        # probability > threshold, computed on the logits as the head does
        positive = logits[:, 0] > logit(self._check_threshold(threshold))
        return classes[positive.astype(np.intp)]

    def _update_metrics_at(
        self, eval_metrics, logits, labels, sample_weight, threshold, predicted_labels=None
    ):
        if predicted_labels is not None:  # a wrapper's decisions
            options = {"predicted_labels": predicted_labels}
        else:
            options = {"decision_threshold": self._check_threshold(threshold)}
        return self._update_metrics(eval_metrics, logits, labels, sample_weight, **options)

    def update_metrics(
        self, eval_metrics, logits, labels, sample_weight=None, *, decision_threshold=0.5
    ):
        """Update ``eval_metrics`` (from :meth:`metrics`) with one batch.

        Call once per batch to stream; the result equals one call on all the
        rows.

        Parameters
        ----------
        eval_metrics : dict
            As returned by :meth:`metrics`.
        logits : array-like of shape (..., 1)
        labels : array-like
        sample_weight : array-like, default=None
        decision_threshold : float in (0, 1), default=0.5
            Probability above which an example counts as positive for
            ``accuracy``, ``precision`` and ``recall`` (TensorFlow: 0.5).

        Returns
        -------
        eval_metrics : dict
            The same dict, updated.
        """
        return self._update_metrics(
            eval_metrics, logits, labels, sample_weight,
            decision_threshold=_check_decision_threshold(decision_threshold),
        )

    def evaluate(self, labels, logits, sample_weight=None, *, decision_threshold=0.5):
        """Every metric of the head on one set of rows.

        Parameters
        ----------
        labels, logits, sample_weight
            As in :meth:`loss`.
        decision_threshold : float in (0, 1), default=0.5
            As in :meth:`update_metrics`.

        Returns
        -------
        results : dict of str to float
        """
        return self._evaluate(
            labels, logits, sample_weight,
            decision_threshold=_check_decision_threshold(decision_threshold),
        )


def _check_decision_threshold(threshold):
    if (
        not isinstance(threshold, numbers.Real)
        or isinstance(threshold, (bool, np.bool_))
        or not 0.0 < threshold < 1.0
    ):
        raise ValueError(
            "decision_threshold must be a number in the open interval (0, 1); "
            f"got {threshold!r}."
        )
    return float(threshold)


def binary_classification_head(
    thresholds=None,
    label_vocabulary=None,
    loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
    loss_fn=None,
    name=None,
    pos_weight=None,
):
    """The older spelling of :class:`BinaryClassHead`; same arguments.

    Returns
    -------
    head : BinaryClassHead
    """
    return BinaryClassHead(
        thresholds=thresholds,
        label_vocabulary=label_vocabulary,
        loss_reduction=loss_reduction,
        loss_fn=loss_fn,
        name=name,
        pos_weight=pos_weight,
    )
