"""The logistic regression head (``tf.estimator.LogisticRegressionHead``)."""


from .._losses import _sigmoid, _sigmoid_ce_hessian, _sigmoid_ce_loss_grad
from .._metrics import Mean
from ._base import Reduction, _Head
from ._labels import encode_probability_labels
from ._task import _RegressorTask


class LogisticRegressionHead(_RegressorTask, _Head):
    """Head for regression of a probability in ``[0, 1]`` through a sigmoid.

    The NumPy port of ``tf.estimator.LogisticRegressionHead``: the loss is
    the sigmoid cross-entropy against labels in ``[0, 1]``, the prediction is
    ``sigmoid(logits)``.

    Parameters
    ----------
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted per-example losses are reduced.
    loss_fn : callable, default=None
        ``loss_fn(labels, logits)`` returning the per-example loss of shape
        ``[D0, ..., DN, 1]``, or a tuple ``(loss, gradient)``; replaces the
        sigmoid cross-entropy. Both must be finite real numbers (checked at
        every call).
    name : str, default=None
        Appended to every metric key as ``/<name>``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_heads import LogisticRegressionHead
    >>> head = LogisticRegressionHead()
    >>> logits = np.array([[0.0], [2.0]])
    >>> labels = np.array([[0.5], [1.0]])
    >>> head.predictions(logits)["predictions"].round(3)
    array([[0.5  ],
           [0.881]])
    >>> print(f"{head.loss(labels, logits):.4f}")  # (log 2 + log(1 + e^-2)) / 2
    0.4100
    """

    _prediction_keys = ("predictions", "logits")

    def __init__(
        self, loss_reduction=Reduction.SUM_OVER_BATCH_SIZE, loss_fn=None, name=None
    ):
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.name = name
        self._check_params()

    def _validate(self):
        self._setup_common()

    @property
    def logits_dimension(self):
        """Number of logits per example: 1."""
        self._ensure_valid()
        return 1

    def _encode_labels(self, labels, shape, dtype):
        return encode_probability_labels(labels, shape, dtype)

    def _default_loss(self, z, logits, need_grad):
        return _sigmoid_ce_loss_grad(z, logits, need_grad=need_grad)

    def _loss_hessian_logits(self, z, logits, w):
        if self.loss_fn is not None:
            return None
        return _sigmoid_ce_hessian(z, logits, None, w)

    def _predictions(self, logits, keys):
        return {"predictions": _sigmoid(logits), "logits": logits}

    def _metric_factories(self):
        return [
            (self._key(key), lambda key: Mean(name=key))
            for key in ("average_loss", "prediction/mean", "label/mean")
        ]

    def _update(self, m, z, logits, w, loss):
        k = self._key
        m[k("average_loss")].update_state(loss, w)
        m[k("prediction/mean")].update_state(_sigmoid(logits), w)
        m[k("label/mean")].update_state(z, w)
