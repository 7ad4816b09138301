"""Multi-label targets given as one list of labels per row.

The estimators read ``y`` as scikit-learn reads it, with one addition:
a multi-label target may also be a (ragged) list of per-row collections of
class labels, as :class:`~sklearn.preprocessing.MultiLabelBinarizer` and
the multi-label head read them. The rule that tells the two apart:

* a list whose rows are all sequences of **numbers of the same length** is
  a matrix, as scikit-learn reads it (a multi-label indicator matrix when
  it holds 0/1: ``check_estimator`` passes ``Y.tolist()`` and expects the
  fit of ``Y``);
* any other list (or tuple, or 1-d object array such as a pandas Series)
  of rows that are lists, tuples, sets or 1-d arrays holds the labels of
  each row: ragged rows, or rows of class names.

This module tells them apart and turns label lists into an indicator
matrix; the estimators call it before scikit-learn's validation (which
would fail on ragged lists with NumPy's "inhomogeneous shape").
"""

import numbers

import numpy as np
from sklearn.preprocessing import MultiLabelBinarizer

#: The end of every message about lists that cannot be read here.
BINARIZER_HINT = (
    "sklearn.preprocessing.MultiLabelBinarizer turns lists of labels into a "
    "multi-label indicator matrix, which every scikit-learn tool accepts"
)

_ROW_TYPES = (list, tuple, set, frozenset, np.ndarray)


def _rows(y):
    """``y`` as a list of rows if it is a list, tuple or 1-d object array; else None."""
    if isinstance(y, (list, tuple)):
        return list(y)
    # a 1-d object array or pandas Series of lists (not a lazy collection,
    # such as a Dask array, which this must not compute)
    in_memory = isinstance(y, np.ndarray) or type(y).__module__.split(".")[0] == "pandas"
    if in_memory and getattr(y, "dtype", None) == object and getattr(y, "ndim", None) == 1:
        return list(y)
    return None


def _is_row(value):
    """A collection of labels: a list, tuple, set or 1-d array (not a string)."""
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, _ROW_TYPES)


def _is_number(value):
    return isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, str)


def is_nested_list(y):
    """Whether ``y`` is a list (tuple, 1-d object array) with some row a sequence."""
    rows = _rows(y)
    return bool(rows) and any(_is_row(row) for row in rows)


def is_label_lists(y):
    """Whether ``y`` holds one collection of class labels per row.

    False for a list of rows of numbers that all have the same length
    (scikit-learn's matrix, an indicator matrix when 0/1) and for anything
    that is not a list, tuple or 1-d object array with sequences as rows.
    """
    if not is_nested_list(y):
        return False
    if isinstance(y, (list, tuple)):
        rows = list(y)
        lengths = {len(row) if _is_row(row) else -1 for row in rows}
        if len(lengths) == 1 and -1 not in lengths:
            values = [v for row in rows for v in row]
            if all(_is_number(v) for v in values):
                return False  # a matrix, as scikit-learn reads it
    return True


def _check_rows(rows):
    for i, row in enumerate(rows):
        if not _is_row(row):
            raise ValueError(
                "A multi-label y given as lists must have one list (tuple, set) of "
                f"class labels per row, such as [['news'], [], ['news', 'sports']]; "
                f"row {i} is {row!r:.60}. {BINARIZER_HINT}."
            )


def label_lists_indicator(y, classes=None):
    """Label lists as a 0/1 indicator matrix, and its classes.

    Parameters
    ----------
    y : list of collections of class labels
        One collection per row (see :func:`is_label_lists`).
    classes : ndarray of shape (n_classes,), default=None
        The classes of the columns (those seen in fit): a label outside
        them is an error that names it. Without it, the sorted distinct
        labels of ``y``, as :class:`~sklearn.preprocessing.MultiLabelBinarizer`
        finds them.

    Returns
    -------
    indicator : ndarray of shape (n_samples, n_classes), int
    classes : ndarray of shape (n_classes,)
    """
    rows = _rows(y)
    _check_rows(rows)
    seen = set()
    for row in rows:
        for label in row:
            if isinstance(label, np.generic):
                label = label.item()
            integer = isinstance(label, numbers.Integral) and not isinstance(label, bool)
            if not (integer or isinstance(label, str)):
                raise ValueError(
                    "The labels in y's lists must be class ids (integers) or names "
                    f"(strings); got {label!r:.60} of type {type(label).__name__}. "
                    f"{BINARIZER_HINT}."
                )
            seen.add(label)
    if classes is None:
        try:
            classes = np.asarray(sorted(seen))
        except TypeError:
            kinds = sorted({type(label).__name__ for label in seen})
            raise ValueError(
                f"The labels in y's lists mix types ({', '.join(kinds)}), which cannot "
                "be sorted into classes; give every label as the same type."
            ) from None
        if classes.shape[0] < 2:
            found = f"only one distinct label, {classes.tolist()[0]!r}" if classes.size else "no labels"
            raise ValueError(
                f"y's lists of labels hold {found}; a multi-label target needs at "
                "least 2 labels (for one label, pass a 1-d target of two classes)."
            )
    else:
        known = set(np.asarray(classes).tolist())
        unseen = sorted((label for label in seen if label not in known), key=repr)
        if unseen:
            raise ValueError(
                f"y contains labels not seen in fit: {unseen!r}; the classes are "
                f"{np.asarray(classes).tolist()!r}."
            )
    binarizer = MultiLabelBinarizer(classes=list(np.asarray(classes).tolist()))
    return binarizer.fit_transform(rows), np.asarray(classes)
