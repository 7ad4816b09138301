"""Label and weight encoding shared by the heads.

Every function validates what it is given and returns a float array shaped
like the logits (``(..., 1)`` for binary and logistic regression,
``(..., n_classes)`` for multi-label, ``(..., label_dimension)`` for
regression) or, for multi-class, the class ids as a float column
``(..., 1)``; or raises an error that names the bad value and says what is
allowed.
"""

import itertools
import numbers

import numpy as np
import scipy.sparse as sp

from .._losses import _as_array, _is_real_scalar, _real_dtype_error


def _first_bad(values, mask):
    """The first value of ``values`` where ``mask`` is False, for messages."""
    bad = np.asarray(values).reshape(-1)[~np.asarray(mask).reshape(-1)][0]
    return bad.item() if isinstance(bad, np.generic) else bad


def _is_string_array(array):
    """Whether ``array`` holds names: strings, or bytes as ``tf.data`` yields them."""
    return array.dtype.kind in "USO" and array.size and isinstance(
        array.reshape(-1)[0], (str, bytes)
    )


def _decode_bytes(array):
    """Bytes labels (as ``tf.data`` yields them) as strings; others unchanged."""
    if array.dtype.kind == "S" or (
        array.dtype.kind == "O" and array.size and isinstance(array.reshape(-1)[0], bytes)
    ):
        try:
            return np.char.decode(array.astype("S"), "utf-8")
        except (TypeError, ValueError, UnicodeDecodeError):
            return array
    return array


def _reshape_like(array, shape, what, logits_shape=None):
    """Reshape ``array`` of shape ``shape`` or ``shape[:-1]`` to ``shape``.

    ``logits_shape`` (for the message) when it is not ``shape`` (class ids).
    """
    if array.shape == tuple(shape):
        return array
    if shape[-1] == 1 and array.shape == tuple(shape[:-1]):
        return array.reshape(shape)
    allowed = f"{tuple(shape)}" + (f" or {tuple(shape[:-1])}" if shape[-1] == 1 else "")
    logits_shape = tuple(shape) if logits_shape is None else tuple(logits_shape)
    raise ValueError(
        f"{what} of shape {array.shape} do not match logits of shape "
        f"{logits_shape}; expected shape {allowed}."
    )


def _check_numeric(array, what):
    """``array`` as real numbers; None, strings and complex numbers are refused.

    Nothing is converted that does not convert exactly: NumPy would turn
    ``"1"`` into 1.0 and drop the imaginary part of ``1 + 1j``.
    """
    if array.dtype.kind in "biuf":
        return array
    if array.dtype.kind == "c":
        raise _real_dtype_error(array, what)
    values = array.reshape(-1).tolist()
    for value in values:
        if not _is_real_scalar(value):
            complex_note = (
                " (complex numbers are refused, not cut to their real part)"
                if isinstance(value, numbers.Complex) else ""
            )
            raise TypeError(
                f"{what} must be numeric; got {value!r}"
                + (f" in {values!r:.80}" if array.ndim else "")
                + f"{complex_note}."
            )
    try:
        return array.astype(np.float64)
    except OverflowError:  # Python ints or Fractions beyond float64
        raise ValueError(
            f"{what} must be finite; got values beyond float64 in {values!r:.80}."
        ) from None
    except (TypeError, ValueError):  # pragma: no cover - real numbers convert
        raise TypeError(
            f"{what} must be numeric; got values such as {values[0]!r:.80}."
        ) from None


def _check_unit_interval(array, what):
    """Labels in ``[0, 1]``: hard 0/1 labels or soft ones, as TensorFlow takes them.

    NaN, infinities and values outside the interval are refused, named.
    """
    ok = (array >= 0) & (array <= 1)  # False for NaN
    if not np.all(ok):
        raise ValueError(
            f"{what} must be in [0, 1] (0/1, or soft labels in between); got "
            f"{_first_bad(array, ok)!r}."
        )


def hard_labels(z):
    """Whether every encoded label in ``z`` is exactly 0 or 1 (not soft)."""
    return bool(np.all((z == 0) | (z == 1)))


def _as_strings(values, what):
    """``values`` (str, bytes or objects) as a str array; anything else refused."""
    if values.dtype.kind == "U":
        return values
    flat = values.reshape(-1).tolist() if values.dtype.kind == "O" else values.reshape(-1)
    strings = []
    for value in flat:
        if isinstance(value, (bytes, np.bytes_)):
            try:
                value = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(
                    f"{what} must be strings (or UTF-8 bytes) from label_vocabulary; "
                    f"got {value!r:.60}, which is not UTF-8."
                ) from None
        elif not isinstance(value, str):
            raise ValueError(
                f"{what} must be strings from label_vocabulary; got {value!r:.60} "
                f"(of type {type(value).__name__})."
            )
        strings.append(value)
    return np.asarray(strings, dtype=str).reshape(values.shape)


def _vocabulary_ids(values, vocabulary, what):
    """Ids of the strings ``values`` in ``vocabulary``."""
    values = np.asarray(values)
    strings = _as_strings(values, what)
    uniques, inverse = np.unique(strings, return_inverse=True)
    lookup = {v: i for i, v in enumerate(vocabulary)}
    unknown = [u for u in uniques if u not in lookup]
    if unknown:
        # named as given: a string, or the bytes it was decoded from
        given = values.reshape(-1)[np.flatnonzero(strings.reshape(-1) == unknown[0])[0]]
        given = bytes(given) if isinstance(given, bytes) else str(given)
        raise ValueError(
            f"{what} contain {given!r}, which is not in label_vocabulary "
            f"{list(vocabulary)!r}."
        )
    ids = np.array([lookup[u] for u in uniques], dtype=np.int64)
    return ids[inverse].reshape(values.shape)


def encode_binary_labels(labels, shape, dtype, vocabulary=None):
    """Labels in ``[0, 1]`` (or vocabulary strings or bytes) as floats of ``shape``.

    Soft labels strictly between 0 and 1 are accepted, as TensorFlow's
    ``BinaryClassHead`` accepts them.
    """
    if sp.issparse(labels):
        raise TypeError("Binary labels must be a dense array, not a sparse matrix.")
    labels = _as_array(labels, "labels")
    if vocabulary is not None:
        if not _is_string_array(labels):
            raise ValueError(
                f"With label_vocabulary={list(vocabulary)!r}, labels must be "
                f"strings from it; got values such as {labels.reshape(-1)[:1].tolist()!r}."
            )
        labels = _vocabulary_ids(labels, vocabulary, "labels")
    elif _is_string_array(labels):
        raise ValueError(
            f"labels are strings (such as {str(labels.reshape(-1)[0])!r}) but the head "
            "has no label_vocabulary; pass label_vocabulary=[negative, positive] "
            "or encode the labels as 0/1."
        )
    labels = _check_numeric(labels, "labels")
    _check_unit_interval(labels, "Binary labels")
    return _reshape_like(labels, shape, "labels").astype(dtype, copy=False)


def encode_probability_labels(labels, shape, dtype):
    """Labels in ``[0, 1]`` (logistic regression) as floats of ``shape``."""
    labels = _check_numeric(_as_array(labels, "labels"), "labels")
    ok = (labels >= 0) & (labels <= 1)
    if not np.all(ok):
        raise ValueError(
            f"Labels must be in [0, 1]; got {_first_bad(labels, ok)!r}."
        )
    return _reshape_like(labels, shape, "labels").astype(dtype, copy=False)


def encode_class_ids(labels, shape, dtype, n_classes, vocabulary=None):
    """Class ids (or vocabulary strings) as floats of ``shape[:-1] + (1,)``.

    As TensorFlow's ``MultiClassHead``: integer ids in ``[0, n_classes)``
    without a vocabulary, strings from it with one; labels of shape
    ``[D0, ..., DN, 1]`` or ``[D0, ..., DN]``. Floats (even whole numbers)
    and booleans are refused, as TensorFlow refuses them.
    """
    if sp.issparse(labels):
        raise TypeError(
            "Class labels must be a dense array of class ids, not a sparse matrix."
        )
    labels = _as_array(labels, "labels")
    id_shape = tuple(shape[:-1]) + (1,)
    if vocabulary is not None:
        if not _is_string_array(labels):
            raise ValueError(
                f"With label_vocabulary={list(vocabulary)!r}, labels must be "
                "strings from it; got values such as "
                f"{labels.reshape(-1)[:1].tolist()!r} of dtype {labels.dtype}."
            )
        ids = _vocabulary_ids(labels, vocabulary, "labels")
    else:
        if _is_string_array(labels):
            raise ValueError(
                f"labels are strings (such as {str(labels.reshape(-1)[0])!r}) but the "
                "head has no label_vocabulary; pass label_vocabulary or use class "
                f"ids in [0, {n_classes})."
            )
        ids = _integer_ids(labels, n_classes)
    return _reshape_like(ids, id_shape, "labels", shape).astype(dtype, copy=False)


def _integer_ids(labels, n_classes):
    """Integer class ids in ``[0, n_classes)``, validated."""
    if labels.dtype.kind == "O":
        values = labels.reshape(-1).tolist()
        bad = [
            v for v in values
            if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_))
        ]
        if bad:
            raise ValueError(
                f"Class ids in labels must be integers in [0, {n_classes}); got "
                f"{bad[0]!r}."
            )
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        flat = labels.reshape(-1)
        if labels.dtype.kind == "f" and flat.size:
            whole = np.isfinite(flat) & (flat == np.round(flat))
            bad = flat[~whole][0] if not np.all(whole) else flat[0]
            hint = (
                "" if not np.all(whole) else
                " (whole-number floats are refused, as TensorFlow refuses them: "
                "convert with labels.astype(int))"
            )
            raise ValueError(
                f"Class ids in labels must be integers in [0, {n_classes}); got "
                f"{bad.item()!r} in an array of dtype {labels.dtype}{hint}."
            )
        raise ValueError(
            f"Class ids in labels must be integers in [0, {n_classes}); got an "
            f"array of dtype {labels.dtype}"
            + (f" such as {flat[0].item()!r}." if flat.size else ".")
        )
    ok = (labels >= 0) & (labels < n_classes)
    if not np.all(ok):
        raise ValueError(
            f"Class ids in labels must be in [0, {n_classes}); got "
            f"{_first_bad(labels, ok)!r}."
        )
    return labels


def encode_real_labels(labels, shape, dtype, minimum=None, what="labels"):
    """Real-valued targets (regression) as floats of ``shape``.

    Labels of shape ``shape``, or ``shape[:-1]`` when ``shape[-1] == 1``;
    finite numbers, and ``>= minimum`` when it is given.
    """
    if sp.issparse(labels):
        raise TypeError(
            f"{what} must be a dense array, not a sparse {labels.format} matrix "
            "(use .toarray())."
        )
    labels = _check_numeric(_as_array(labels, "labels"), "labels")
    labels = _reshape_like(labels, shape, "labels")
    ok = np.isfinite(labels)
    if not np.all(ok):
        raise ValueError(f"labels must be finite; got {_first_bad(labels, ok)!r}.")
    if minimum is not None:
        ok = labels >= minimum
        if not np.all(ok):
            raise ValueError(
                f"{what} must be >= {minimum}; got {_first_bad(labels, ok)!r}."
            )
    return labels.astype(dtype, copy=False)


def _is_id_lists(labels):
    if isinstance(labels, (list, tuple)):
        return True
    return isinstance(labels, np.ndarray) and labels.dtype == object and labels.ndim == 1


def _id_lists_to_indicator(labels, shape, n_classes, vocabulary):
    n_rows = len(labels)
    if len(shape) != 2 or shape[0] != n_rows:
        raise ValueError(
            f"labels given as lists of class ids have {n_rows} rows; logits of "
            f"shape {tuple(shape)} need {shape[0]} rows (and must be 2-d)."
        )
    for row in labels:
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ValueError(
                "Multi-label labels given as a list must be one list of class "
                f"ids per row, such as [[0, 2], [], [1]]; got the row {row!r}. "
                "Pass multi-hot labels as a NumPy array or a SciPy sparse matrix."
            )
    lengths = np.fromiter((len(row) for row in labels), dtype=np.int64, count=n_rows)
    flat = list(itertools.chain.from_iterable(labels))
    # names as strings, or bytes (as tf.data yields them)
    if flat and all(isinstance(v, (str, bytes, np.bytes_)) for v in flat):
        if vocabulary is None:
            raise ValueError(
                f"labels are strings (such as {flat[0]!r}) but the head has no "
                "label_vocabulary; pass label_vocabulary or use class ids."
            )
        ids = _vocabulary_ids(np.asarray(flat, dtype=object), vocabulary, "labels")
    else:
        bad = [v for v in flat if not isinstance(v, numbers.Integral) or isinstance(v, bool)]
        if bad:
            raise ValueError(
                f"Class ids in labels must be integers in [0, {n_classes}); got "
                f"{bad[0]!r}."
            )
        ids = np.asarray(flat, dtype=np.int64)
        ok = (ids >= 0) & (ids < n_classes)
        if not np.all(ok):
            raise ValueError(
                f"Class ids in labels must be in [0, {n_classes}); got "
                f"{_first_bad(ids, ok)!r}."
            )
    indicator = np.zeros(shape, dtype=np.float64)
    indicator[np.repeat(np.arange(n_rows), lengths), ids] = 1.0
    return indicator


def encode_multilabel_labels(labels, shape, dtype, n_classes, vocabulary=None):
    """Multi-label targets as a multi-hot float array of ``shape``.

    Accepts a multi-hot NumPy array or SciPy sparse matrix (whose entries
    may be soft labels in ``[0, 1]``, as TensorFlow's ``MultiLabelHead``
    accepts them), or a (ragged) list of per-row lists of class ids or,
    with a vocabulary, class names (strings or bytes).
    """
    if sp.issparse(labels):
        data = _check_numeric(labels.tocoo().data, "labels")
        _check_unit_interval(data, "Multi-hot labels")
        labels = labels.toarray()
    elif _is_id_lists(labels):
        return _id_lists_to_indicator(labels, shape, n_classes, vocabulary).astype(
            dtype, copy=False
        )
    labels = _as_array(labels, "labels")
    if _is_string_array(labels):
        raise ValueError(
            "Multi-hot labels must be 0/1; to give class names, pass one list of "
            "names per row with label_vocabulary."
        )
    labels = _check_numeric(labels, "labels")
    if labels.shape != tuple(shape):
        raise ValueError(
            f"Multi-hot labels of shape {labels.shape} do not match logits of "
            f"shape {tuple(shape)}."
        )
    _check_unit_interval(labels, "Multi-hot labels")
    return labels.astype(dtype, copy=False)


def check_sample_weight(sample_weight, shape, dtype, per_logit=False):
    """Per-example weights as an array of ``shape[:-1] + (1,)``, or None.

    With ``per_logit`` (regression heads), weights of ``shape`` itself, one
    per logit, are accepted too and returned as they are.
    """
    if sample_weight is None:
        return None
    weights = _check_numeric(_as_array(sample_weight, "sample_weight"), "sample_weight")
    allowed = [tuple(shape[:-1]), tuple(shape[:-1]) + (1,)]
    if per_logit and tuple(shape) not in allowed:
        allowed.append(tuple(shape))
    if weights.shape not in allowed:
        expected = (
            f"one weight per example, of shape {allowed[0]} or {allowed[1]}"
            + (f", or one per logit, of shape {allowed[2]}" if len(allowed) > 2 else "")
        )
        raise ValueError(
            f"sample_weight of shape {weights.shape} does not match logits of shape "
            f"{tuple(shape)}; expected {expected}."
        )
    if weights.shape != tuple(shape):
        weights = weights.reshape(tuple(shape[:-1]) + (1,))
    ok = np.isfinite(weights) & (weights >= 0)
    if not np.all(ok):
        raise ValueError(
            "sample_weight must be finite and >= 0; got "
            f"{_first_bad(weights, ok)!r}."
        )
    with np.errstate(over="ignore"):
        cast = weights.astype(dtype, copy=False)
    if not np.all(np.isfinite(cast)):
        raise ValueError(
            f"sample_weight must be finite in {np.dtype(dtype)}, the dtype of the "
            f"logits; got {float(np.max(weights)):.6g}. Divide the weights by a "
            "common factor."
        )
    check_weight_total(cast)
    return cast


def check_weight_total(weights, n_labels=1):
    """Weights whose sum overflows would turn every weighted mean into NaN.

    ``n_labels`` counts each weight that many times, as the metrics of a
    multi-label head do (once per label).
    """
    with np.errstate(over="ignore"):
        total = np.sum(weights, dtype=weights.dtype)
        counted = total * weights.dtype.type(n_labels)
    if not np.isfinite(total):
        raise ValueError(
            f"sample_weight sums to {float(total)!r} in {weights.dtype} (the largest "
            f"weight is {float(np.max(weights)):.6g}); divide the weights by a "
            "common factor."
        )
    if not np.isfinite(counted):
        raise ValueError(
            f"sample_weight sums to {float(total):.6g}, and the metrics of "
            f"{n_labels} labels add each weight once per label: {n_labels} x "
            f"{float(total):.6g} overflows {weights.dtype}. Divide the weights by a "
            "common factor."
        )


def binary_indicator(y_true, pos_label=None, what="y_true"):
    """Class labels of any type as floats 0/1 (1 where ``y_true == pos_label``).

    scikit-learn's convention: without ``pos_label``, the labels must be
    numbers in {0, 1} or {-1, 1} (or booleans), and 1 is positive; other
    labels (strings, {1, 2}) need ``pos_label``.

    Parameters
    ----------
    y_true : array-like of shape (n,) or (n, 1)
        At most two distinct class labels.
    pos_label : int, float, bool or str, default=None
    what : str
        The name of ``y_true`` in error messages.

    Returns
    -------
    indicator : ndarray of shape (n,), float64
    """
    if sp.issparse(y_true):
        raise TypeError(f"Binary {what} must be a dense array, not a sparse matrix.")
    y = _decode_bytes(_as_array(y_true, what))
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"Binary {what} must be class labels of shape (n,); got shape {y.shape}."
        )
    try:
        classes = np.unique(y).tolist()
    except TypeError:
        raise ValueError(
            f"{what} mixes labels of different types, such as {y[:4].tolist()!r}."
        ) from None
    if len(classes) > 2:
        raise ValueError(
            f"{what} has {len(classes)} classes, such as {classes[:4]!r}; these "
            "metrics are binary, or multi-label with an indicator matrix of shape "
            "(n_samples, n_labels) and one probability per label."
        )
    if pos_label is None:
        numbers_only = all(
            isinstance(c, numbers.Number) and not isinstance(c, complex) for c in classes
        )
        if not (numbers_only and (set(classes) <= {0, 1} or set(classes) <= {-1, 1})):
            raise ValueError(
                f"{what} takes the values {classes!r}: pass pos_label, the positive "
                "class (without it, labels must be 0/1 or -1/1, and 1 is positive)."
            )
        pos_label = 1
    elif len(classes) == 2 and pos_label not in classes:
        raise ValueError(
            f"pos_label={pos_label!r} is not a class of {what}, whose classes are "
            f"{classes!r}."
        )
    return (y == pos_label).astype(np.float64)
