"""The regression head (``tf.estimator.RegressionHead``)."""

import numbers

import numpy as np

from .._losses import _squared_error_loss_grad, _weighted_sum_grad
from .._metrics import Mean
from ._base import Reduction, _Head
from ._labels import check_sample_weight, encode_real_labels
from ._task import _RegressorTask


def _check_label_dimension(label_dimension):
    if (
        not isinstance(label_dimension, numbers.Integral)
        or isinstance(label_dimension, (bool, np.bool_))
        or label_dimension < 1
    ):
        raise ValueError(
            "label_dimension must be an integer >= 1 (the number of regression "
            f"targets per example); got {label_dimension!r}."
        )
    return int(label_dimension)


class RegressionHead(_RegressorTask, _Head):
    """Head for regression with the mean squared error.

    The NumPy port of ``tf.estimator.RegressionHead``: the same loss,
    reductions, predictions and metrics (with TensorFlow's keys and values).

    Parameters
    ----------
    label_dimension : int, default=1
        Number of regression targets per example (the logits' last
        dimension).
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted losses are reduced: every target of every example
        is one term, so ``"sum_over_batch_size"`` divides the weighted sum
        by ``n_examples * label_dimension``, as TensorFlow does.
    loss_fn : callable, default=None
        ``loss_fn(labels, logits)`` returning the unreduced loss of shape
        ``[D0, ..., DN, label_dimension]``, or a tuple ``(loss, gradient)``
        with ``gradient[..., j]`` the derivative of ``loss[..., j]`` w.r.t.
        ``logits[..., j]`` (the loss of a target may depend on its own logit
        only, as TensorFlow's losses do). Labels are passed as floats shaped
        like the logits. Without a gradient, :meth:`loss_and_gradient` uses
        finite differences and warns once.
    inverse_link_fn : callable, default=None
        A NumPy function mapping logits to predictions (the inverse of a
        generalised linear model's link, such as ``numpy.exp``), returning
        an array of the logits' shape. The loss is always computed on the
        logits, as in TensorFlow; the link only changes ``predictions`` and
        the ``prediction/mean`` metric. ``None`` is the identity.
    name : str, default=None
        Appended to every metric key as ``/<name>``.

    Attributes
    ----------
    logits_dimension : int
        ``label_dimension``.

    Notes
    -----
    Labels: numbers of shape ``[D0, ..., DN, label_dimension]`` (or
    ``[D0, ..., DN]`` when ``label_dimension=1``). Logits: the same shape
    (a 1-d array is read as ``(n, 1)`` when ``label_dimension=1``).
    ``sample_weight`` (TensorFlow's ``weight_column``) is one weight per
    example, ``[D0, ..., DN]`` or ``[D0, ..., DN, 1]``, or one per target,
    ``[D0, ..., DN, label_dimension]``.

    Predictions are ``predictions`` (``inverse_link_fn(logits)``) and, only
    with an ``inverse_link_fn``, ``logits``, as in TensorFlow. Metrics:
    ``average_loss``, ``prediction/mean`` and ``label/mean``, weighted means
    over every target.

    Examples
    --------
    The worked example of ``tf.estimator.RegressionHead``: the squared
    errors are ``(43 - 45)^2 = 4`` and ``(44 - 41)^2 = 9``, whose mean is
    6.5.

    >>> import numpy as np
    >>> from sklearn_heads import RegressionHead
    >>> head = RegressionHead()
    >>> logits = np.array([[45.0], [41.0]])
    >>> labels = np.array([[43], [44]])
    >>> head.loss(labels, logits)
    6.5
    >>> for key, value in sorted(head.evaluate(labels, logits).items()):
    ...     print(f"{key} : {value:.2f}")
    average_loss : 6.50
    label/mean : 43.50
    prediction/mean : 43.00
    """

    _elementwise_loss = True

    def __init__(
        self,
        label_dimension=1,
        loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
        loss_fn=None,
        inverse_link_fn=None,
        name=None,
    ):
        self.label_dimension = label_dimension
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.inverse_link_fn = inverse_link_fn
        self.name = name
        self._check_params()

    def _validate(self):
        _check_label_dimension(self.label_dimension)
        if self.inverse_link_fn is not None and not callable(self.inverse_link_fn):
            raise TypeError(
                "inverse_link_fn must be a callable mapping logits to predictions, "
                f"such as numpy.exp, or None; got {self.inverse_link_fn!r}."
            )
        self._setup_common()

    @property
    def logits_dimension(self):
        """Number of logits per example: ``label_dimension``."""
        self._ensure_valid()
        return int(self.label_dimension)

    @property
    def _prediction_keys(self):
        if self.inverse_link_fn is None:
            return ("predictions",)
        return ("predictions", "logits")

    # ------------------------------------------------------------------
    # labels, weights and the training contract
    def _encode_labels(self, labels, shape, dtype):
        return encode_real_labels(labels, shape, dtype)

    def _check_weights(self, sample_weight, shape, dtype):
        return check_sample_weight(sample_weight, shape, dtype, per_logit=True)

    def _prepare(self, labels, n_rows, sample_weight=None, dtype=np.float64):
        """Labels and one weight per target, so that the weights sum to the count.

        Every target is an example of the reduction: the weights returned
        are broadcast to ``(n_rows, label_dimension)`` (read-only views, not
        copies), so that their sum, which the objective divides by, counts
        every target, as :meth:`loss`'s division by ``n * label_dimension``
        does. With one target and no weights, None.
        """
        z, w = super()._prepare(labels, n_rows, sample_weight, dtype)
        d = self.logits_dimension
        if d > 1:
            if w is None:
                w = np.ones((1, 1), dtype=dtype)
            w = np.broadcast_to(w, (n_rows, d))
        return z, w

    def _prepared_widths(self):
        d = self.logits_dimension
        return d, d

    # ------------------------------------------------------------------
    # loss
    def _default_loss(self, z, logits, need_grad):
        return _squared_error_loss_grad(z, logits, need_grad=need_grad)

    def _loss_hessian_logits(self, z, logits, w):
        if self.loss_fn is not None:
            return None
        # (x - z)^2 has the second derivative 2
        hessian = np.full(logits.shape, 2.0, dtype=logits.dtype)
        if w is not None:
            hessian *= w
        return hessian

    def _fused_sum_loss_gradient(self, z, logits, w, need_grad, out, columns):
        if columns is not None:
            raise ValueError(f"{type(self).__name__} has no per-column losses.")
        loss, grad = self._default_loss(z, logits, need_grad)
        return _weighted_sum_grad(loss, grad, w, out=out)

    # ------------------------------------------------------------------
    # predictions and metrics
    def _predicted_values(self, logits):
        if self.inverse_link_fn is None:
            return logits
        values = np.asarray(self.inverse_link_fn(logits))
        if values.dtype.kind not in "biuf":
            raise TypeError(
                f"inverse_link_fn must return numbers; got dtype {values.dtype}."
            )
        if values.shape != logits.shape:
            raise ValueError(
                "inverse_link_fn must return an array of the logits' shape "
                f"{logits.shape}; got shape {values.shape}."
            )
        return values

    def _predictions(self, logits, keys):
        out = {"predictions": self._predicted_values(logits)}
        if self.inverse_link_fn is not None:
            out["logits"] = logits
        return out

    def _metric_factories(self):
        return [
            (self._key(key), lambda key: Mean(name=key))
            for key in ("average_loss", "prediction/mean", "label/mean")
        ]

    def _update(self, m, z, logits, w, loss):
        k = self._key
        m[k("average_loss")].update_state(loss, w)
        m[k("prediction/mean")].update_state(self._predicted_values(logits), w)
        m[k("label/mean")].update_state(z, w)
