"""The Poisson regression head (``tf.estimator.PoissonRegressionHead``)."""

import numpy as np
from sklearn.metrics import d2_tweedie_score

from .._losses import _log_poisson_loss_grad
from ._base import Reduction
from ._labels import encode_real_labels
from ._regression import RegressionHead


class PoissonRegressionHead(RegressionHead):
    """Head for Poisson regression of counts, with the log link.

    The NumPy port of ``tf.estimator.PoissonRegressionHead``: a
    :class:`RegressionHead` whose loss is TensorFlow's log-Poisson loss and
    whose predictions are ``exp(logits)``, the predicted rates.

    Parameters
    ----------
    label_dimension : int, default=1
        Number of counts per example (the logits' last dimension).
    loss_reduction : {"sum_over_batch_size", "sum"}, default="sum_over_batch_size"
        How the weighted losses are reduced: every count of every example is
        one term, as in :class:`RegressionHead`.
    compute_full_loss : bool, default=True
        Whether to add Stirling's approximation of ``log(z!)`` to the loss
        of the counts ``z > 1``, so that the loss is the negative
        log-likelihood (to that approximation). The term does not depend on
        the logits: it changes the loss values, not the gradient.
    name : str, default=None
        Appended to every metric key as ``/<name>``.

    Attributes
    ----------
    logits_dimension : int
        ``label_dimension``.

    Notes
    -----
    With ``x`` the logit (the log of the rate) and ``z`` the count, the loss
    is ``tf.nn.log_poisson_loss``::

        exp(x) - z * x  [+ z log z - z + 0.5 log(2 pi z)  if z > 1]

    Labels: counts ``>= 0`` (whole numbers or not, as TensorFlow accepts),
    shaped as in :class:`RegressionHead`. Negative counts are refused
    (TensorFlow computes a NaN loss for them). Predictions are
    ``predictions`` (``exp(logits)``) and ``logits``; the metrics are those
    of :class:`RegressionHead`.

    Examples
    --------
    A rate of 1 (logit 0) for the counts 0 and 2: the losses are
    ``exp(0) - 0 = 1`` and ``exp(0) - 0 + (2 log 2 - 2 + 0.5 log(4 pi))
    = 1 + 0.6518``, whose mean is 1.3259.

    >>> import numpy as np
    >>> from sklearn_heads import PoissonRegressionHead
    >>> head = PoissonRegressionHead()
    >>> logits = np.array([[0.0], [0.0]])
    >>> print(f"{head.loss([0, 2], logits):.4f}")
    1.3259
    >>> print(f"{PoissonRegressionHead(compute_full_loss=False).loss([0, 2], logits):.4f}")
    1.0000
    >>> head.predictions(np.log([[2.0], [3.0]]))["predictions"]
    array([[2.],
           [3.]])
    """

    #: PoissonRegressionHead has no ``loss_fn``: its loss is fixed.
    loss_fn = None

    #: ... and its inverse link is ``exp``.
    inverse_link_fn = staticmethod(np.exp)

    def __init__(
        self,
        label_dimension=1,
        loss_reduction=Reduction.SUM_OVER_BATCH_SIZE,
        compute_full_loss=True,
        name=None,
    ):
        self.label_dimension = label_dimension
        self.loss_reduction = loss_reduction
        self.compute_full_loss = compute_full_loss
        self.name = name
        self._check_params()

    def _validate(self):
        if not isinstance(self.compute_full_loss, (bool, np.bool_)):
            raise TypeError(
                f"compute_full_loss must be True or False; got {self.compute_full_loss!r}."
            )
        super()._validate()

    def _encode_labels(self, labels, shape, dtype):
        return encode_real_labels(labels, shape, dtype, minimum=0, what="Poisson counts")

    def _default_loss(self, z, logits, need_grad):
        return _log_poisson_loss_grad(
            z, logits, bool(self.compute_full_loss), need_grad=need_grad
        )

    def _loss_hessian_logits(self, z, logits, w):
        # exp(x) - z x has the second derivative exp(x)
        with np.errstate(over="ignore"):
            hessian = np.exp(logits)
        if w is not None:
            hessian *= w
        return hessian

    def _predicted_values(self, logits):
        with np.errstate(over="ignore"):  # a rate of inf, as TensorFlow's
            return np.exp(logits)

    # ------------------------------------------------------------------
    # the estimators' questions (see _task.py)
    def _update_tags(self, tags):
        tags = super()._update_tags(tags)
        tags.target_tags.positive_only = True  # as PoissonRegressor's
        return tags

    def _score(self, y, y_pred, sample_weight=None, classes=None):
        """D^2, the fraction of Poisson deviance explained (PoissonRegressor's score).

        With ``label_dimension > 1``, the mean of every target's D^2.
        """
        y = np.asarray(y, dtype=np.float64)
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if y_pred.ndim == 1:
            return d2_tweedie_score(
                np.reshape(y, -1), y_pred, sample_weight=sample_weight, power=1
            )
        return float(np.mean([
            d2_tweedie_score(y[:, j], y_pred[:, j], sample_weight=sample_weight, power=1)
            for j in range(y_pred.shape[1])
        ]))
