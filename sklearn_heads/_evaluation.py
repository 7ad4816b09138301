"""TensorFlow's metric dict for any fitted classifier: :func:`evaluate`.

Where the metrics come from depends on the model:

* this package's estimators, alone or inside wrappers that keep their
  outputs (``Pipeline``, a fitted search's ``best_estimator_``,
  ``FrozenEstimator``): their own head on their logits, what their
  ``evaluate`` returns;
* the same inside ``FixedThresholdClassifier`` or
  ``TunedThresholdClassifierCV``: the same, except that ``accuracy``,
  ``precision`` and ``recall`` count the wrapper's decisions (its
  ``predict``), made at its threshold;
* any other classifier (and meta-estimators that change the outputs, such
  as ``CalibratedClassifierCV`` or ``StackingClassifier``): a binary,
  multi-label or multi-class head (or the one given) on its
  ``predict_proba``, and its ``predict`` for the decisions.

The head scorers of ``_scorers.py`` compute their metric through
:func:`metric_dict`, with scikit-learn's cache of predictions.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base_estimator import _BaseHeadEstimator
from ._heads import BinaryClassHead, MultiClassHead, MultiLabelHead
from ._heads._labels import binary_indicator
from ._label_lists import BINARIZER_HINT, is_label_lists
from ._metric_keys import head_for_key
from ._validation import require_positive_weight

_THRESHOLD_WRAPPERS = (FixedThresholdClassifier, TunedThresholdClassifierCV)

_HEAD_TASKS = {
    BinaryClassHead: "binary",
    MultiLabelHead: "multilabel",
    MultiClassHead: "multiclass",
}


def _inner(estimator):
    """The fitted estimator whose outputs ``estimator`` passes on unchanged, or None."""
    if isinstance(estimator, Pipeline):
        return estimator.steps[-1][1]
    if isinstance(estimator, FrozenEstimator):
        return estimator.estimator
    if isinstance(estimator, _THRESHOLD_WRAPPERS):
        return getattr(estimator, "estimator_", estimator.estimator)
    # a fitted search (GridSearchCV, RandomizedSearchCV, ...) with refit
    return getattr(estimator, "best_estimator_", None)


def own_estimator(estimator):
    """This package's estimator at the end of ``estimator``'s wrappers.

    Returns
    -------
    final : _BaseHeadEstimator or None
        None when a wrapper on the way changes the outputs (or there is no
        estimator of this package).
    thresholded : bool
        Whether a threshold wrapper on the way makes the decisions.
    """
    thresholded = False
    while estimator is not None and not isinstance(estimator, _BaseHeadEstimator):
        thresholded = thresholded or isinstance(estimator, _THRESHOLD_WRAPPERS)
        estimator = _inner(estimator)
    return estimator, thresholded


def _call(estimator, method, X, method_caller=None, **kwargs):
    """``estimator.<method>(X)``, through scikit-learn's response cache if given.

    The cache serves classifiers only: scikit-learn before 1.9 gives
    regressors ``predict`` whatever the method asked for.
    """
    if method_caller is not None and is_classifier(estimator):
        return method_caller(estimator, method, X, **kwargs)
    return getattr(estimator, method)(X)


def _n_rows(y):
    return y.shape[0] if hasattr(y, "shape") and len(y.shape) else len(y)


def _indicator(y):
    """``y`` as a multi-label indicator matrix (2-d, several columns), or None.

    A nested list is a matrix, as scikit-learn reads it (the multi-label
    head would read it as lists of class ids).
    """
    if sp.issparse(y):
        return y
    try:
        y = np.asarray(y)
    except ValueError:  # ragged lists: not a matrix
        return None
    return y if y.ndim == 2 and y.shape[1] > 1 else None


def _check_weights_total(sample_weight, n_rows):
    """Refuse all-zero weights, as the estimators' ``evaluate`` does."""
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)
        require_positive_weight(bool(np.any(weights)), n_rows)


def _own_metrics(
    estimator, final, thresholded, X, y, sample_weight, head, decisions, method_caller
):
    """The metric dict of this package's estimator ``final`` inside ``estimator``."""
    if head is not None and (
        type(head) is not type(final.head_) or head.logits_dimension != final.head_.logits_dimension
    ):
        raise ValueError(
            f"head must be a head of the same kind and size as the estimator's own, "
            f"{final.head_!r}, whose logits it evaluates; got {head!r}."
        )
    if hasattr(final, "decision_function"):
        logits = np.asarray(_call(estimator, "decision_function", X, method_caller))
    else:  # a regression head: scikit-learn's regressors have no decision_function
        logits = _logits_through(estimator, X)
    y_pred = None
    # a threshold wrapper's decisions replace the threshold of a binary head
    if thresholded and decisions and isinstance(final.head_, BinaryClassHead):
        y_pred = np.asarray(_call(estimator, "predict", X, method_caller))
    return final._evaluate_logits(logits, y, sample_weight, head=head, y_pred=y_pred)


def _logits_through(estimator, X):
    """The logits of the package's estimator inside ``estimator``.

    ``X`` goes through the transforms of the pipelines on the way.
    """
    while not isinstance(estimator, _BaseHeadEstimator):
        if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        estimator = _inner(estimator)
    return np.asarray(estimator._predict_logits(X))


def _task(estimator, y, head):
    """``(task, n_outputs)`` of a classifier without a head of its own."""
    if head is not None:
        task = next((t for cls, t in _HEAD_TASKS.items() if isinstance(head, cls)), None)
        if task is None:
            raise TypeError(
                "head must be a BinaryClassHead, MultiLabelHead or MultiClassHead to "
                f"evaluate a classifier's probabilities; got {head!r}."
            )
        return task, head.logits_dimension
    indicator = _indicator(y)
    if indicator is not None:
        return "multilabel", indicator.shape[1]
    n_classes = len(estimator.classes_)
    return ("binary", 2) if n_classes == 2 else ("multiclass", n_classes)


def _multilabel_probabilities(estimator, X, n_labels):
    """``(n, n_labels)`` probabilities of the positive class of each label."""
    proba = estimator.predict_proba(X)
    if isinstance(proba, list):
        # one (n, n_classes_j) array per label (random forests, k-NN,
        # MultiOutputClassifier): the column of class 1, 0 where unseen in fit
        classes = estimator.classes_
        columns = []
        for j, p in enumerate(proba):
            positive = np.flatnonzero(np.asarray(classes[j]) == 1)
            columns.append(p[:, positive[0]] if positive.size else np.zeros(p.shape[0]))
        proba = np.column_stack(columns)
    proba = np.asarray(proba)
    if proba.ndim != 2 or proba.shape[1] != n_labels:
        raise ValueError(
            f"y is a multi-label indicator matrix of {n_labels} labels, but "
            f"{type(estimator).__name__}.predict_proba gives shape {proba.shape}; "
            "a multi-label model gives one probability per label."
        )
    return proba


def _class_index(values, classes, what):
    """The index in ``classes`` of each of ``values``."""
    values = np.asarray(values)
    lookup = {c: i for i, c in enumerate(np.asarray(classes).tolist())}
    try:
        return np.array([lookup[v] for v in values.ravel().tolist()], dtype=np.int64)
    except KeyError as exc:
        raise ValueError(
            f"{what} contains the label {exc.args[0]!r}, which is not a class of the "
            f"model: {list(lookup)!r}."
        ) from None


def _binary_inputs(estimator, X, y, vocabulary, pos_label, decisions, method_caller):
    """Probabilities, labels and decisions of a binary classifier, for a binary head."""
    classes = np.asarray(estimator.classes_)
    if len(classes) != 2:
        raise ValueError(
            f"A BinaryClassHead evaluates binary classifiers; {type(estimator).__name__} "
            f"has {len(classes)} classes."
        )
    if vocabulary is not None:
        if pos_label is not None and pos_label != vocabulary[1]:
            raise ValueError(
                f"pos_label={pos_label!r} disagrees with the head's label_vocabulary "
                f"{list(vocabulary)!r}, whose second entry is the positive class."
            )
        pos_label = vocabulary[1]
    if pos_label is None:
        pos_label = getattr(estimator, "pos_label", None)  # a threshold classifier's
    if pos_label is None:
        pos_label = classes[1]
    if pos_label not in classes.tolist():
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the classes {classes.tolist()!r}."
        )
    column = classes.tolist().index(pos_label)
    if method_caller is not None and column == 1:
        # the column every scikit-learn scorer asks the cache for: share it
        proba = method_caller(estimator, "predict_proba", X, pos_label=pos_label)
    else:
        proba = np.asarray(estimator.predict_proba(X))[:, column]
    # a head with a vocabulary reads the class names itself
    labels = y if vocabulary is not None else binary_indicator(y, pos_label, "y")
    predicted = None
    if decisions:
        y_pred = np.asarray(_call(estimator, "predict", X, method_caller))
        predicted = (
            y_pred if vocabulary is not None
            else binary_indicator(y_pred, pos_label, "predict(X)")
        )
    return proba, labels, predicted


def _multiclass_inputs(estimator, X, y, n_classes, vocabulary, decisions, method_caller):
    """Probabilities, labels and decisions of a multi-class classifier."""
    classes = np.asarray(estimator.classes_)
    if n_classes != len(classes):
        raise ValueError(
            f"The head has {n_classes} classes; {type(estimator).__name__} has "
            f"{len(classes)}."
        )
    proba = np.asarray(_call(estimator, "predict_proba", X, method_caller))
    if vocabulary is not None:
        # the columns in the order of the head's vocabulary
        proba = proba[:, _class_index(vocabulary, classes, "label_vocabulary")]

    def encode(values, what):
        # a head with a vocabulary reads the class names itself
        return values if vocabulary is not None else _class_index(values, classes, what)

    predicted = None
    if decisions:
        y_pred = np.asarray(_call(estimator, "predict", X, method_caller))
        predicted = encode(y_pred, "predict(X)")
    return proba, encode(y, "y"), predicted


def _foreign_metrics(
    estimator, X, y, sample_weight, head, key, pos_label, decisions, method_caller
):
    """The metric dict of a classifier without a head of its own, and the head."""
    if not is_classifier(estimator):
        raise TypeError(
            "TensorFlow's metrics need a fitted classifier with predict_proba (or an "
            "estimator of this package, or a pipeline or meta-estimator ending in "
            f"one); got {type(estimator).__name__}."
        )
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{type(estimator).__name__} has no predict_proba, and TensorFlow's metrics "
            "are computed on probabilities. Calibrate it first, for example with "
            "sklearn.calibration.CalibratedClassifierCV."
        )
    if is_label_lists(y):
        raise ValueError(
            "y is one list of class labels per row, which only this package's "
            f"estimators read; {type(estimator).__name__} needs a multi-label indicator "
            f"matrix in the order of its classes_: {BINARIZER_HINT}."
        )
    task, n_outputs = _task(estimator, y, head)
    if head is None:
        head = head_for_key(key, task, n_outputs)
    vocabulary = getattr(head, "label_vocabulary", None)
    if task == "binary":
        proba, labels, predicted = _binary_inputs(
            estimator, X, y, vocabulary, pos_label, decisions, method_caller
        )
    elif task == "multiclass":
        proba, labels, predicted = _multiclass_inputs(
            estimator, X, y, n_outputs, vocabulary, decisions, method_caller
        )
    else:
        if pos_label not in (None, 1):
            raise ValueError(f"pos_label is for binary targets; got pos_label={pos_label!r}.")
        # a multi-label head has no decision metrics
        labels = _indicator(y)
        if labels is None:
            raise ValueError(
                f"{head!r} evaluates a multi-label indicator matrix y of shape "
                f"(n_samples, {n_outputs}); got {y!r:.60}."
            )
        proba, predicted = _multilabel_probabilities(estimator, X, n_outputs), None
    if _n_rows(y) != np.shape(proba)[0]:
        raise ValueError(
            f"y has {_n_rows(y)} samples but X has {np.shape(proba)[0]}; give one target "
            "per row of X."
        )
    _check_weights_total(sample_weight, _n_rows(y))
    options = {} if predicted is None else {"predicted_labels": predicted}
    eval_metrics = head._update_probabilities(
        head.metrics(), proba, labels, sample_weight, **options
    )
    return {k: metric.result() for k, metric in eval_metrics.items()}, head


def metric_dict(
    estimator, X, y, sample_weight=None, *, head=None, key=None, pos_label=None,
    decisions=True, method_caller=None,
):
    """TensorFlow's metric dict of a fitted model, and who computed it.

    Parameters
    ----------
    estimator : fitted estimator
    X, y, sample_weight
        The data to evaluate on.
    head : head instance, default=None
        The head to compute the metrics with, instead of the model's own or
        the default one.
    key : MetricKey, default=None
        The key a scorer wants: a model without a head of its own gets a
        default head that reports it (its threshold, class, name).
    pos_label : default=None
        The positive class of a binary model without a head of its own.
    decisions : bool, default=True
        Whether the decision metrics (``accuracy``, ``precision``,
        ``recall``) must be the model's own decisions; when False, a model
        without a head of its own is not asked to ``predict``.
    method_caller : callable, default=None
        scikit-learn's cached ``method_caller`` of a scorer.

    Returns
    -------
    metrics : dict of str to float
    head : the head that computed them
    owner : this package's estimator whose head it is, or None
    """
    check_is_fitted(estimator)
    if y is None:
        raise ValueError("y is required to evaluate the head's metrics; got None.")
    final, thresholded = own_estimator(estimator)
    if final is not None:
        if pos_label is not None and isinstance(final.head_, BinaryClassHead):
            _check_own_pos_label(final, pos_label)
        metrics = _own_metrics(
            estimator, final, thresholded, X, y, sample_weight, head, decisions, method_caller
        )
        return metrics, final.head_ if head is None else head, final
    metrics, head = _foreign_metrics(
        estimator, X, y, sample_weight, head, key, pos_label, decisions, method_caller
    )
    return metrics, head, None


def _check_own_pos_label(final, pos_label):
    """``pos_label`` must be the positive class of this package's binary estimator."""
    classes = np.asarray(getattr(final, "_head_classes", final.classes_))
    encoded = np.asarray(final.head_._encode_target(classes, classes)[0])
    if encoded.dtype.kind in "biuf":
        positive = classes[encoded > 0.5].tolist()[0]
    else:  # a head with a label_vocabulary reads the names itself
        positive = final.head_.label_vocabulary[1]
    if pos_label != positive:
        raise ValueError(
            f"pos_label={pos_label!r}, but the positive class of {type(final).__name__} "
            f"is {positive!r}: its head's metrics count that class as positive."
        )


def evaluate(estimator, X, y, *, sample_weight=None, head=None):
    """TensorFlow's metric dict of any fitted classifier, pipeline or meta-estimator.

    * An estimator of this package, or a :class:`~sklearn.pipeline.Pipeline`,
      fitted search (its ``best_estimator_``) or
      :class:`~sklearn.frozen.FrozenEstimator` ending in one: its own head
      on its logits, what the estimator's ``evaluate`` returns. Inside a
      :class:`~sklearn.model_selection.FixedThresholdClassifier` or
      :class:`~sklearn.model_selection.TunedThresholdClassifierCV`, the
      same, with ``accuracy``, ``precision`` and ``recall`` counting the
      wrapper's decisions (made at its threshold).
    * Any other classifier (including
      :class:`~sklearn.calibration.CalibratedClassifierCV` or
      :class:`~sklearn.ensemble.StackingClassifier` around one of ours): a
      :class:`BinaryClassHead` (two classes), :class:`MultiLabelHead` (a
      multi-label indicator ``y``) or :class:`MultiClassHead` (more
      classes) on its ``predict_proba``, with the decisions of its
      ``predict`` (made at its threshold, for threshold classifiers). Its
      positive class is its ``pos_label`` if it has one, else
      ``classes_[1]``.

    Parameters
    ----------
    estimator : object
        A fitted classifier with ``predict_proba``, or an estimator of this
        package (or a pipeline or meta-estimator ending in one).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), or {array-like, sparse matrix} of shape (n_samples, n_labels)
        Class labels, or a multi-label indicator matrix (for this
        package's estimators also one list of labels per row, as their
        ``fit`` reads it).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative, not all zero.
    head : BinaryClassHead, MultiLabelHead or MultiClassHead, default=None
        The head to evaluate with: for a model without a head of its own,
        to add ``thresholds``, per-class metrics, a ``name``, a
        ``pos_weight`` or a ``label_vocabulary`` (whose second entry is then
        the positive class); for an estimator of this package, a head of
        the same kind and size that reads its logits (for example with
        more ``thresholds``).

    Returns
    -------
    metrics : dict of str to float
        TensorFlow's keys and values (``average_loss``, ``accuracy``,
        ``auc``, ...). For a model with probabilities only, the loss is
        computed from them: a probability of exactly 0 or 1 costs nothing
        when right and makes ``average_loss`` infinite when wrong.

    See Also
    --------
    make_head_scorer : any key of this dict as a scorer.
    sklearn_heads.metrics.auc : a metric of the dict as a function of probabilities.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from sklearn_heads import evaluate
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    >>> metrics = evaluate(model, X, y)
    >>> sorted(metrics)[:4]
    ['accuracy', 'accuracy_baseline', 'auc', 'auc_precision_recall']
    """
    if isinstance(estimator, _BaseHeadEstimator) and head is None:
        # its own evaluate, which also streams Dask arrays chunk by chunk
        return estimator.evaluate(X, y, sample_weight=sample_weight)
    return metric_dict(estimator, X, y, sample_weight, head=head)[0]
