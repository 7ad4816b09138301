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
from ._label_lists import BINARIZER_HINT, label_lists_indicator
from ._warnings import warn_outside_package


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


def _check_binary_only(option, value, target):
    """``option`` applies to binary (and multi-label) targets only."""
    if value is not None:
        raise ValueError(
            f"{option}={value!r:.60} applies to {target}; y is a multi-class target "
            "(more than two classes, fitted with a softmax)."
        )


def balanced_pos_weight(z, sample_weight=None, names=None):
    """``pos_weight="balanced"``: negatives / positives of each label.

    Parameters
    ----------
    z : ndarray of shape (n_samples,) or (n_samples, n_labels)
        0/1 labels (1: the positive class of a binary target, or a label
        present in a row).
    sample_weight : ndarray of shape (n_samples,), default=None
        The totals count it, so that an integer weight is a repeated row.
    names : sequence, default=None
        The label names, for messages.

    Returns
    -------
    pos_weight : float or ndarray of shape (n_labels,)

    Raises
    ------
    ValueError
        When a label has no (weighted) positive or no negative example:
        its ratio would be infinite or zero, and its loss one-sided.
    """
    z = np.asarray(z, dtype=np.float64)
    column = z.ndim == 1
    z = z[:, None] if column else z
    w = np.ones(z.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    positives = w @ z
    negatives = w.sum() - positives
    empty = np.flatnonzero((positives <= 0) | (negatives <= 0))
    if empty.size:
        names = list(range(z.shape[1])) if names is None else np.asarray(names).tolist()
        j = int(empty[0])
        which = "the positive class" if column else f"label {names[j]!r}"
        kind = "positive" if positives[j] <= 0 else "negative"
        raise ValueError(
            f"pos_weight='balanced' divides the negatives by the positives of each label "
            f"in the (weighted) training data, but {which} has no {kind} example "
            f"(weighted positives {positives[j]:g}, negatives {negatives[j]:g}). Give "
            "pos_weight as numbers, or train on data where every label has both."
        )
    ratio = negatives / positives
    return float(ratio[0]) if column else ratio


def _is_string_classes(classes):
    return classes.dtype.kind in "US" or (
        classes.dtype.kind == "O" and all(isinstance(c, (str, bytes)) for c in classes.tolist())
    )


def _weighs_positives(pos_weight):
    """Whether ``pos_weight`` (numbers) is set to something other than 1."""
    if pos_weight is None or isinstance(pos_weight, str):  # None, "balanced"
        return False
    try:
        values = np.asarray(pos_weight, dtype=np.float64)
    except (TypeError, ValueError):
        return False  # not numbers: the head's check names it
    return not np.all(values == 1)


def _binary_head_classes(classes, pos_label, pos_weight, estimator):
    """The classes in the head's order, ``[negative, positive]``.

    ``pos_label`` (default ``classes[1]``) is the positive one. Warns when
    ``pos_weight`` weighs a positive class of strings chosen by their sort
    order only.
    """
    if pos_label is None:
        if _weighs_positives(pos_weight) and _is_string_classes(classes):
            negative, positive = classes.tolist()
            warn_outside_package(
                f"{estimator}(pos_weight={pos_weight!r}) weighs the positive class, which "
                f"is {positive!r} only because it sorts after {negative!r}. Pass "
                "pos_label to say which class pos_weight (and threshold, precision and "
                "recall) applies to.",
                UserWarning,
            )
        return classes
    known = classes.tolist()
    if pos_label not in known:
        raise ValueError(
            f"pos_label={pos_label!r} is not a class of y; the classes are {known!r}."
        )
    return classes if known.index(pos_label) == 1 else classes[::-1]


def head_for_target(y, *, pos_weight=None, class_weight=None, pos_label=None,
                    thresholds=None, classes_for_class_based_metrics=None,
                    sample_weight=None, whole=True, estimator="The classifier",
                    label_names=None, nested_list=False):
    """The head for ``y``'s target type, the labels and the classes.

    The one place where a target type becomes a head: a binary target a
    :class:`BinaryClassHead` (with ``pos_weight`` and ``thresholds``, its
    positive class ``pos_label``), a multi-class target a
    :class:`MultiClassHead`, a multi-label indicator matrix a
    :class:`MultiLabelHead` (with ``pos_weight``, ``thresholds`` and
    ``classes_for_class_based_metrics``). ``class_weight`` (binary and
    multi-class) weighs the training rows of each class.

    Parameters
    ----------
    y : array-like or sparse matrix
    pos_weight, class_weight, pos_label, thresholds, classes_for_class_based_metrics
        The classifier's parameters. ``pos_weight="balanced"`` is computed
        here, from ``y`` and ``sample_weight``.
    sample_weight : ndarray of shape (n_samples,), default=None
        Validated; ``"balanced"`` counts it.
    whole : bool, default=True
        Whether ``y`` is the whole target; False for a summary of its
        distinct values (a Dask fit), which cannot count the classes.
    estimator : str
        The estimator's name, for messages.
    label_names : ndarray of shape (n_labels,), default=None
        The names of the columns of a multi-label ``y`` read from lists of
        labels (see ``_label_lists``); they become the classes (and, for
        strings, the head's ``label_vocabulary``).
    nested_list : bool, default=False
        Whether ``y`` was given as a nested list (for messages).

    Returns
    -------
    head, labels, classes
        ``classes`` in the head's order: ``[negative, positive]`` for a
        binary target.
    """
    balanced = isinstance(pos_weight, str)  # "balanced", the only string allowed
    if balanced and not whole:
        raise ValueError(
            "pos_weight='balanced' needs the totals of y, which a Dask fit does not "
            "compute: pass pos_weight as numbers (negatives / positives)."
        )
    target_type = type_of_target(y, input_name="y")
    if target_type == "multilabel-indicator":
        if class_weight is not None:
            raise ValueError(
                "class_weight applies to binary and multi-class targets (one class "
                "per row); y is a multi-label indicator matrix: weigh each label's "
                "positives with pos_weight (one value per label) instead."
            )
        if pos_label is not None:
            raise ValueError(
                f"pos_label={pos_label!r} is the positive class of a binary target; y is "
                "a multi-label target, whose labels are each positive where present."
            )
        vocabulary = None
        if label_names is not None and _is_string_classes(label_names):
            vocabulary = [str(name) for name in label_names.tolist()]
        if balanced:
            indicator = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
            pos_weight = balanced_pos_weight(
                indicator, sample_weight,
                names=label_names if label_names is not None else None,
            )
        head = MultiLabelHead(
            n_classes=y.shape[1], pos_weight=pos_weight, thresholds=thresholds,
            classes_for_class_based_metrics=classes_for_class_based_metrics,
            label_vocabulary=vocabulary,
        )
        labels, classes = head._encode_target(y)
        return head, labels, (classes if label_names is None else label_names)
    if target_type == "multiclass-multioutput" and nested_list:
        raise ValueError(
            f"{estimator} read y as scikit-learn reads a nested list whose rows have "
            "the same length, as a matrix, and that matrix is not a multi-label "
            "indicator matrix (of 0/1): its type is 'multiclass-multioutput'. If the "
            "rows are lists of class labels, pass them as an indicator matrix: "
            f"{BINARIZER_HINT}."
        )
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
        classes = _binary_head_classes(classes, pos_label, pos_weight, estimator)
        if balanced:
            positive = class_indices(y, classes) == 1
            pos_weight = balanced_pos_weight(positive, sample_weight)
        head = BinaryClassHead(pos_weight=pos_weight, thresholds=thresholds)
        _check_binary_only(
            "classes_for_class_based_metrics", classes_for_class_based_metrics,
            "multi-label targets",
        )
    else:
        if pos_weight is not None:
            raise ValueError(
                "pos_weight weighs the positive term of a sigmoid cross-entropy "
                f"(binary and multi-label targets); y has {classes.shape[0]} classes, "
                "fitted with a softmax: use class_weight to weigh the classes."
            )
        _check_binary_only("pos_label", pos_label, "binary targets")
        _check_binary_only("thresholds", thresholds, "binary and multi-label targets")
        _check_binary_only(
            "classes_for_class_based_metrics", classes_for_class_based_metrics,
            "multi-label targets",
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

    def _head_for_target(self, y, sample_weight=None, whole=True, **target):
        return head_for_target(
            y, pos_weight=self.pos_weight, class_weight=self.class_weight,
            pos_label=self.pos_label, thresholds=self.thresholds,
            classes_for_class_based_metrics=self.classes_for_class_based_metrics,
            sample_weight=sample_weight, whole=whole, estimator=type(self).__name__,
            **target,
        )

    def _public_classes(self, classes):
        """``classes_``: sorted, as scikit-learn's classifiers have them.

        A binary head's classes are ``[negative, positive]``, which
        ``pos_label`` may have put in the other order.
        """
        return np.sort(classes)

    def _label_lists_indicator(self, y):
        """At fit: lists of labels as an indicator matrix, and its classes (sorted)."""
        return label_lists_indicator(y)

    def _label_list_classes(self):
        """After fit: the classes that name the columns of label lists."""
        return self.classes_

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

    def _head_for_target(self, y, sample_weight=None, whole=True, label_names=None,
                         nested_list=False):
        check_head(self, self.head)
        head = clone(self.head)
        try:
            return (head, *head._encode_target(y))
        except ValueError as exc:
            if not (nested_list and head._multi_label):
                raise
            raise ValueError(
                f"{exc} y was a nested list whose rows all have the same length, which "
                "scikit-learn (and so this estimator) reads as a matrix, not as lists "
                f"of class ids: {BINARIZER_HINT}."
            ) from None

    def _public_classes(self, classes):
        """``classes_``: the head's own order (its ``label_vocabulary``)."""
        return classes

    def _label_lists_indicator(self, y):
        """At fit: lists of labels, read by the head, as an indicator matrix."""
        check_head(self, self.head)
        return self.head._indicator_of_label_lists(y), None

    def _label_list_classes(self):
        """After fit: None, the head reads the lists itself (ids, or its names)."""
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        update = getattr(self.head, "_update_tags", None)
        return tags if update is None else update(tags)
