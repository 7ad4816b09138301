"""Where an estimator's head comes from: built from ``y``, or given.

Two mixins of the estimators, one per way:

* :class:`_HeadFromTarget` (``LinearClassifier``, ``MLPClassifier``): the
  one factory from ``y``'s target type to a head
  (:func:`head_for_target`), with ``pos_weight`` and ``class_weight``;
* :class:`_GivenHead` (``LinearEstimator``, ``MLPEstimator``): a clone of
  the ``head`` parameter.

Either way the head then answers every question about its task (see
``_heads/_task.py``): this module and the estimators never ask which
kind of head it is.
"""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from ._base_estimator import _BaseHeadEstimator
from ._compat import InvalidParameterError
from ._heads import BinaryClassHead, MultiClassHead, MultiLabelHead
from ._heads._base import _Head
from ._heads._task import class_indices


def class_weight_vector(class_weight, classes, ids, sample_weight=None):
    """The weight of each class, as scikit-learn's ``class_weight`` means it.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        ``{class: weight}`` (classes left out weigh 1), or ``"balanced"``:
        ``total / (n_classes * class total)``, the totals counting
        ``sample_weight`` (so that an integer sample weight is a repeated
        row).
    classes : ndarray of shape (n_classes,)
    ids : ndarray of shape (n_samples,)
        The class index of every row.
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    weights : ndarray of shape (n_classes,) or None
    """
    if class_weight is None:
        return None
    n_classes = classes.shape[0]
    if isinstance(class_weight, str):  # "balanced" (the only string allowed)
        counts = np.bincount(ids, weights=sample_weight, minlength=n_classes)
        with np.errstate(divide="ignore"):
            return np.where(counts > 0, counts.sum() / (n_classes * counts), 0.0)
    known = classes.tolist()
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(
            f"class_weight has keys that are not classes of y: {unknown!r}; the "
            f"classes are {known!r}."
        )
    weights = np.array([class_weight.get(c, 1.0) for c in known], dtype=object)
    for c, w in zip(known, weights):
        if (
            not isinstance(w, numbers.Real)
            or isinstance(w, (bool, np.bool_))
            or not (np.isfinite(w) and w >= 0)
        ):
            raise ValueError(
                f"class_weight values must be finite numbers >= 0; got {w!r} for "
                f"class {c!r}."
            )
    return weights.astype(np.float64)


def head_for_target(y, *, pos_weight=None, class_weight=None, sample_weight=None,
                    whole=True, estimator="The classifier"):
    """The head for ``y``'s target type, the labels and the classes.

    The one place where a target type becomes a head: a binary target a
    :class:`BinaryClassHead` (with ``pos_weight``), a multi-class target a
    :class:`MultiClassHead`, a multi-label indicator matrix a
    :class:`MultiLabelHead` (with ``pos_weight``). ``class_weight``
    (binary and multi-class) weighs the training rows of each class.

    Parameters
    ----------
    y : array-like or sparse matrix
    pos_weight, class_weight
        The classifier's parameters.
    sample_weight : ndarray of shape (n_samples,), default=None
        Validated; ``"balanced"`` counts it.
    whole : bool, default=True
        Whether ``y`` is the whole target; False for a summary of its
        distinct values (a Dask fit), which cannot count the classes.
    estimator : str
        The estimator's name, for messages.

    Returns
    -------
    head, labels, classes
    """
    target_type = type_of_target(y, input_name="y")
    if target_type == "multilabel-indicator":
        if class_weight is not None:
            raise ValueError(
                "class_weight applies to binary and multi-class targets (one class "
                "per row); y is a multi-label indicator matrix: weigh each label's "
                "positives with pos_weight (one value per label) instead."
            )
        head = MultiLabelHead(n_classes=y.shape[1], pos_weight=pos_weight)
        return (head, *head._encode_target(y))
    check_classification_targets(y)
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            f"{estimator} fits binary, multi-class and multi-label indicator "
            f"targets; got a target of type {target_type!r}."
        )
    y = column_or_1d(y, warn=True)
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator} needs samples of at least 2 classes, but the data "
            f"contains only one class: {classes.tolist()[0]!r}."
        )
    if classes.shape[0] == 2:
        head = BinaryClassHead(pos_weight=pos_weight)
    else:
        if pos_weight is not None:
            raise ValueError(
                "pos_weight weighs the positive term of a sigmoid cross-entropy "
                f"(binary and multi-label targets); y has {classes.shape[0]} classes, "
                "fitted with a softmax: use class_weight to weigh the classes."
            )
        head = MultiClassHead(n_classes=classes.shape[0])
    labels, classes = head._encode_target(y, classes)
    if class_weight is not None:
        if class_weight == "balanced" and not whole:
            raise ValueError(
                "class_weight='balanced' needs the class totals of y, which a Dask "
                "fit does not compute: pass the weights as a dict {class: weight} "
                "(for example from sklearn.utils.class_weight.compute_class_weight)."
            )
        ids = class_indices(y, classes)
        weights = class_weight_vector(class_weight, classes, ids, sample_weight)
        rows = weights[ids] if sample_weight is None else weights[ids] * sample_weight
        if whole and not np.any(rows > 0):
            raise ValueError(
                f"class_weight {class_weight!r} gives every sample a zero weight; "
                "give at least one class of y a positive weight."
            )
        head._set_class_weight(weights)
    return head, labels, classes


class _HeadFromTarget:
    """The head is built from ``y`` (``*Classifier``): see :func:`head_for_target`."""

    def _unfitted_head(self):
        return None

    # ClassifierMixin.score would come first in the MRO; this one
    # validates sample_weight as fit and evaluate do
    score = _BaseHeadEstimator.score

    def _head_for_target(self, y, sample_weight=None, whole=True):
        return head_for_target(
            y, pos_weight=self.pos_weight, class_weight=self.class_weight,
            sample_weight=sample_weight, whole=whole, estimator=type(self).__name__,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        return tags


def _head_kinds():
    """The names of the heads the estimators fit, for messages."""
    found, stack = [], list(_Head.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        public = not cls.__name__.startswith("_") and cls.__module__.startswith("sklearn_heads.")
        if public and cls._estimator_type is not None:
            found.append(cls.__name__)
    return sorted(set(found))


def check_head(estimator, head):
    """``head`` (the parameter) is a head the estimators can fit."""
    if not isinstance(head, _Head) or head._estimator_type is None:
        raise InvalidParameterError(
            f"The 'head' parameter of {type(estimator).__name__} must be a head "
            f"of sklearn_heads, one of {', '.join(_head_kinds())}; got "
            f"{head!r:.80}."
        )


class _GivenHead:
    """The head is a parameter (``*Estimator``); it answers for its task."""

    def _unfitted_head(self):
        return self.head

    def _head_for_target(self, y, sample_weight=None, whole=True):
        check_head(self, self.head)
        head = clone(self.head)
        return (head, *head._encode_target(y))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        update = getattr(self.head, "_update_tags", None)
        return tags if update is None else update(tags)
