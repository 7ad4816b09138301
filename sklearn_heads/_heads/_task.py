"""What the estimators ask a head: its task, told by the head itself.

The estimators (``sklearn_heads._base_estimator``) never ask what kind of
head they hold. They call these private methods, which every head answers
for its own task:

``_estimator_type``
    ``"classifier"`` or ``"regressor"``; ``_update_tags(tags)`` sets the
    estimator's scikit-learn tags to match.
``_encode_target(y, classes=None) -> (labels, classes)``
    ``y`` as the head's labels, and the classes (None for regression).
    At ``fit`` (``classes=None``) the head finds the classes, from ``y``
    or from itself (``n_classes``, ``label_vocabulary``); afterwards (the
    fitted ``classes_`` given) labels outside them are an error that
    names them.
``_check_threshold(threshold)``
    The estimator's decision ``threshold`` checked for this head (None
    where the head has no use for it).
``_decide(logits, classes, threshold)``
    What ``predict`` returns; ``_proba(logits)`` what ``predict_proba``
    returns and ``_log_proba(logits)`` its logarithm, computed from the
    logits (classifiers only).
``_indicator_of_label_lists(y, classes=None)``
    A multi-label ``y`` given as lists of labels per row, as an indicator
    matrix: read by the head (class ids, or names from its vocabulary), or
    by the names of its columns, ``classes``.
``_score(y, y_pred, sample_weight, classes)``
    What ``score`` returns, as the matching scikit-learn estimator scores.
``_update_metrics_at(eval_metrics, logits, labels, sample_weight, threshold, predicted_labels=None)``
    ``update_metrics``, with the decision threshold where the head's
    metrics use one, or the decisions of a model wrapping the estimator
    (``predicted_labels``, encoded as the labels are) in its place.
``_can_separate``, ``_separated(z, w, logits)``
    Whether the fitted logits can separate the training data (then the
    loss of an unpenalised fit has no minimum), and per output whether
    they do.
``_separable_outputs``
    Whether the built-in objective is a sum of independent per-output
    problems (which the linear models then solve one by one).
``_loss_hessian_logits(z, logits, w)``, ``_has_loss_hessian``
    The second derivative of ``_sum_loss_gradient``'s sum with respect to
    the logits (``z`` and ``w`` encoded by ``_prepare``): shape ``(n, k)``
    where the logits of a row do not interact (sigmoid, squared error,
    Poisson), ``(n, k, k)`` blocks where they do (softmax); None for a
    loss without one (a user's ``loss_fn``). Newton's solver of the linear
    models needs it.

The defaults here are those of a head no estimator can fit; the mixins
below give the classification and regression families theirs.
"""

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.validation import column_or_1d

from .._label_lists import BINARIZER_HINT, label_lists_indicator
from .._losses import _real_array


def class_indices(y, classes, fitted=True, dtype=np.intp):
    """The index in ``classes`` of every label of ``y``.

    Without a temporary array of ``y``'s size beyond a copy of ``y`` (to
    find its distinct values) and byte masks: ``np.unique``'s
    ``return_inverse`` needs four more.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    classes : ndarray of shape (n_classes,)
        In any order (a vocabulary is not sorted).
    fitted : bool, default=True
        Whether ``classes`` are those seen in fit (for the message).
    dtype : dtype, default=np.intp
        Of the indices (float64: a binary head's labels, without an
        intermediate array of integers).

    Returns
    -------
    indices : ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        Naming the labels of ``y`` that are not in ``classes``.
    """
    y = np.asarray(y)
    values = np.unique(y)
    lookup = {c: i for i, c in enumerate(np.asarray(classes).tolist())}
    positions = [lookup.get(v) for v in values.tolist()]
    unseen = [v for v, p in zip(values.tolist(), positions) if p is None]
    if unseen:
        where = "not seen in fit" if fitted else "that are not classes of the head"
        raise ValueError(
            f"y contains labels {where}: {unseen!r}; the classes are "
            f"{np.asarray(classes).tolist()!r}."
        )
    y = np.reshape(y, -1)
    if len(positions) <= 2:
        # a value at a time: masks of bytes, not an array of intp
        indices = np.zeros(y.shape[0], dtype=dtype)
        for value, position in zip(values, positions):
            if position:
                indices[y == value] = position
        return indices
    # np.unique's inverse (values are y's sorted distinct values)
    inverse = np.searchsorted(values, y)
    if positions != list(range(len(positions))):  # classes are not sorted
        inverse = np.asarray(positions, dtype=np.intp)[inverse]
    return inverse.astype(dtype, copy=False)


def check_threshold(threshold, n_values=None):
    """An estimator's decision ``threshold``: in (0, 1), a scalar or ``n_values`` of them.

    Returns
    -------
    threshold : ndarray of shape () or (n_values,)
    """
    # real numbers only: not "0.5", not 0.5j cut to its real part
    value = _real_array(threshold, "threshold")
    if value.dtype.kind == "b":
        raise TypeError(f"threshold must be numbers in (0, 1); got {threshold!r}.")
    value = value.astype(np.float64)
    allowed = ((),) if n_values is None else ((), (n_values,))
    if value.shape not in allowed:
        what = "a scalar" if n_values is None else f"a scalar or {n_values} values"
        raise ValueError(f"threshold must be {what}; got shape {value.shape}.")
    if not np.all((value > 0) & (value < 1)):
        raise ValueError(
            f"threshold must be in the open interval (0, 1); got {threshold!r}."
        )
    return value


class _Task:
    """The estimator-facing defaults: a head the estimators cannot fit."""

    #: "classifier" or "regressor" (None: the estimators cannot fit it).
    _estimator_type = None

    #: Whether the head classifies several labels per row.
    _multi_label = False

    @property
    def _separable_outputs(self):
        return False

    @property
    def _can_separate(self):
        return False

    def _encode_target(self, y, classes=None):
        raise TypeError(f"The estimators cannot fit a {type(self).__name__}.")

    def _check_threshold(self, threshold):
        return None

    def _indicator_of_label_lists(self, y, classes=None):
        raise ValueError(
            f"y is one list of class labels per row, a multi-label target, which a "
            f"{type(self).__name__} does not take: fit a MultiLabelHead (or "
            "LinearClassifier / MLPClassifier, which read the task from y). "
            f"{BINARIZER_HINT}."
        )

    def _update_tags(self, tags):
        return tags

    def _update_metrics_at(
        self, eval_metrics, logits, labels, sample_weight, threshold, predicted_labels=None
    ):
        options = {} if predicted_labels is None else {"predicted_labels": predicted_labels}
        return self._update_metrics(eval_metrics, logits, labels, sample_weight, **options)

    def _separated(self, z, w, logits):
        return np.zeros(0, dtype=bool)

    def _loss_hessian_logits(self, z, logits, w):
        return None

    @property
    def _has_loss_hessian(self):
        """Whether :meth:`_loss_hessian_logits` answers (a head's own loss, not a ``loss_fn``)."""
        overridden = type(self)._loss_hessian_logits is not _Task._loss_hessian_logits
        return overridden and getattr(self, "loss_fn", None) is None


class _ClassifierTask(_Task):
    """Classification heads: ``predict`` returns classes, ``score`` is accuracy.

    ``_class_weight`` (set by the ``*Classifier`` estimators through
    :meth:`_set_class_weight`, never a parameter) multiplies the training
    weight of every row by its class's weight, as scikit-learn's
    ``class_weight`` does; heads with a class id per row support it.
    """

    _estimator_type = "classifier"
    _multi_class = False
    _multi_label = False
    _class_weight = None

    @property
    def _can_separate(self):
        return self.loss_fn is None

    def _update_tags(self, tags):
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(
            multi_class=self._multi_class, multi_label=self._multi_label
        )
        tags.regressor_tags = None
        return tags

    def _proba(self, logits):
        # logits that overflowed to an infinity still have probabilities
        # (exactly 0 and 1); those of finite logits are positive, and one
        # that underflows is kept at the dtype's smallest normal number, so
        # that predict_log_proba (finite there) agrees with its log
        logits = self._check_logits(logits, allow_infinite=True)
        proba = self._checked_predictions(
            logits, "probabilities", allow_infinite=True
        )["probabilities"]
        tiny = np.finfo(proba.dtype).tiny
        finite = np.all(np.isfinite(logits), axis=-1, keepdims=True)
        return np.where(finite & (proba < tiny), proba.dtype.type(tiny), proba)

    def _log_proba(self, logits):
        # a probability below 1/2 from the logits (log_expit, log_softmax):
        # finite where it underflows to 0; one of at least 1/2 as _proba
        # rounds it, so that the two agree to that rounding (1 - p is
        # below the dtype's resolution there, and scikit-learn's checks
        # compare log_proba with log(proba))
        logits = self._check_logits(logits, allow_infinite=True)
        proba = self._proba(logits)
        with np.errstate(divide="ignore"):
            return np.where(proba >= 0.5, np.log(proba), self._log_probabilities(logits))

    def _indicator_of_label_lists(self, y, classes=None):
        if not self._multi_label:
            return super()._indicator_of_label_lists(y, classes)
        if classes is not None:  # the names of the columns
            return label_lists_indicator(y, classes)[0]
        rows = list(y)
        return self._encode_labels(rows, (len(rows), self.logits_dimension), np.float64)

    def _score(self, y, y_pred, sample_weight=None, classes=None):
        self._encode_target(y, classes)  # labels unseen in fit are an error
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    def _separated(self, z, w, logits):
        # sigmoid heads: every (weighted) logit on its label's side
        right = np.where(z > 0.5, logits > 0, logits < 0)
        if w is not None:
            right |= w == 0
        return np.all(right, axis=0)

    def _set_class_weight(self, weights):
        """Weigh the training rows of each class (``weights[class id]``)."""
        self._class_weight = np.asarray(weights, dtype=np.float64)
        return self

    def _prepare(self, labels, n_rows, sample_weight=None, dtype=np.float64):
        z, w = super()._prepare(labels, n_rows, sample_weight, dtype)
        if self._class_weight is None:
            return z, w
        # z is a column of class ids (0/1 for a binary head)
        row_weight = self._class_weight[z[:, 0].astype(np.intp)][:, None].astype(dtype)
        return z, row_weight if w is None else w * row_weight


class _RegressorTask(_Task):
    """Regression heads: ``predict`` returns the predictions, ``score`` is R^2."""

    _estimator_type = "regressor"

    def _update_tags(self, tags):
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.classifier_tags = None
        if self.logits_dimension > 1:
            tags.target_tags.multi_output = True
            tags.target_tags.single_output = False
        return tags

    def _encode_target(self, y, classes=None):
        d = self.logits_dimension
        if d == 1:
            return column_or_1d(y, warn=True), None
        if np.ndim(y) != 2 or np.shape(y)[1] != d:
            raise ValueError(
                f"A {type(self).__name__}(label_dimension={d}) needs y of shape "
                f"(n_samples, {d}); got shape {np.shape(y)}."
            )
        return y, None

    def _decide(self, logits, classes, threshold):
        values = self._checked_predictions(
            logits, "predictions", allow_infinite=True
        )["predictions"]
        return values[:, 0] if values.shape[1] == 1 else values

    def _score(self, y, y_pred, sample_weight=None, classes=None):
        return r2_score(y, y_pred, sample_weight=sample_weight)
