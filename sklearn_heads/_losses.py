"""Losses of the heads and their gradients.

The public functions mirror ``tf.nn.sigmoid_cross_entropy_with_logits`` and
``tf.nn.weighted_cross_entropy_with_logits``. Two private kernels serve the
sigmoid heads: :func:`_sigmoid_ce_loss_grad`, the element-wise loss (and
gradient) behind these functions and the heads' per-example losses
(``average_loss``, ``loss_fn``-free ``_unreduced_loss``), and
:func:`_sigmoid_ce_sum_grad`, the fused weighted *sum* of the same loss with
its gradient, which training evaluates.

The other heads' losses follow the same pattern, each as one function
returning the unreduced loss and its gradient and one returning their
weighted sum: the sparse softmax cross-entropy (:func:`_softmax_ce_loss_grad`,
:func:`_softmax_ce_sum_grad`), the squared error and TensorFlow's log-Poisson
loss (:func:`_squared_error_loss_grad`, :func:`_log_poisson_loss_grad` and
:func:`_weighted_sum_grad`).

The classification losses also have a form on probabilities rather than
logits (:func:`_sigmoid_ce_of_probabilities`,
:func:`_softmax_ce_of_probabilities`), for evaluating classifiers that
give probabilities only: a probability of exactly 0 or 1, whose logit is
infinite, costs 0 when it is right and ``inf`` when it is wrong.
"""

import math
import numbers

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, log_expit, softmax, xlog1py, xlogy

from ._compat import asarray


class LossOverflowError(ValueError):
    """A loss (or its gradient, or a metric's sum) overflows for finite inputs.

    Raised by the heads with the inputs' magnitudes; the estimators, whose
    logits come from ``X``, say so (not public: a ``ValueError``).
    """


def _float_dtype(array):
    """Floating dtype the loss of ``array`` is computed in."""
    if array.dtype in (np.float32, np.float64):
        return array.dtype
    return np.dtype(np.float64)


def _check_finite(array, name):
    if not np.all(np.isfinite(array)):
        bad = array[~np.isfinite(array)].ravel()[0].item()
        raise ValueError(
            f"{name} must be finite; got {bad!r}. Remove or impute rows with "
            "NaN or infinite values."
        )


def _as_array(values, name):
    """``np.asarray(values)``, with an error naming ``name`` if that fails."""
    if sp.issparse(values):
        raise TypeError(
            f"{name} must be a dense array; got a sparse {values.format} matrix of "
            f"shape {values.shape} (use .toarray())."
        )
    try:
        return asarray(values)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} must be a rectangular array of numbers; got {values!r:.80} "
            f"({exc})."
        ) from None


def _is_real_scalar(value):
    """Whether ``value`` is a real number (bools included), not complex or text."""
    return isinstance(value, (numbers.Real, np.bool_))


def _float_or_inf(value):
    try:
        return float(value)
    except OverflowError:
        return np.inf


def _real_dtype_error(array, name):
    """The ``TypeError`` for an array ``name`` whose dtype is not real numbers."""
    if array.dtype.kind == "c":
        first = array.reshape(-1)[0].item() if array.size else None
        return TypeError(
            f"{name} must be real numbers; got complex values (dtype {array.dtype}"
            + (f", such as {first!r}" if array.size else "")
            + f"). Pass the real part ({name}.real) if the imaginary parts are zero."
        )
    return TypeError(f"{name} must be numeric; got an array of dtype {array.dtype}.")


def _real_array(values, name):
    """``values`` as an array of real numbers, or an error naming ``name``.

    Boolean, integer and floating arrays are returned as they are; object
    arrays of real numbers (``fractions.Fraction``, Python floats) as
    float64. Complex numbers, strings, None and other objects are refused
    with a ``TypeError``, never converted (NumPy would drop the imaginary
    part of a complex number).
    """
    array = _as_array(values, name)
    if array.dtype.kind in "biuf":
        return array
    if array.dtype.kind == "O":
        flat = array.reshape(-1)
        bad = next((v for v in flat if not _is_real_scalar(v)), None)
        if bad is None:
            try:
                return array.astype(np.float64)
            except OverflowError:  # a Fraction or int beyond float64
                big = next(v for v in flat if not np.isfinite(_float_or_inf(v)))
                raise ValueError(
                    f"{name} must be finite; got {big!r:.80}, which overflows float64."
                ) from None
        kind = "complex numbers" if isinstance(bad, numbers.Complex) else "real numbers"
        raise TypeError(
            f"{name} must be real numbers; got {bad!r:.80} (of type "
            f"{type(bad).__name__}) in an array of objects"
            + (" (complex numbers are refused, not cut to their real part)."
               if kind == "complex numbers" else ".")
        )
    raise _real_dtype_error(array, name)


def _check_labels_logits(labels, logits):
    """Validate ``labels`` and ``logits`` for the element-wise losses."""
    logits = _as_array(logits, "logits")
    if logits.dtype.kind not in "biuf":
        raise _real_dtype_error(logits, "logits")
    dtype = _float_dtype(logits)
    logits = logits.astype(dtype, copy=False)
    labels = _as_array(labels, "labels")
    if labels.dtype.kind not in "biuf":
        raise _real_dtype_error(labels, "labels")
    if labels.shape != logits.shape:
        raise ValueError(
            f"labels and logits must have the same shape; got labels of shape "
            f"{labels.shape} and logits of shape {logits.shape}."
        )
    if logits.size == 0:
        raise ValueError(
            f"labels and logits of shape {logits.shape} are empty; give at least "
            "one value."
        )
    labels = labels.astype(dtype, copy=False)
    _check_finite(logits, "logits")
    _check_finite(labels, "labels")
    outside = (labels < 0) | (labels > 1)
    if np.any(outside):
        raise ValueError(
            "labels must be probabilities in [0, 1]; got "
            f"{labels[outside].ravel()[0].item()!r}."
        )
    return labels, logits


def _check_pos_weight(pos_weight, shape=None, dtype=np.float64):
    """Validate ``pos_weight``: finite, non-negative, broadcastable to ``shape``.

    Returns a float scalar or an array of ``dtype``.
    """
    message = (
        "pos_weight must be a non-negative number or an array of them; "
        f"got {pos_weight!r}."
    )
    if isinstance(pos_weight, numbers.Real) and not isinstance(pos_weight, bool):
        try:
            array = np.asarray(float(pos_weight))
        except OverflowError:  # a Fraction beyond float64
            raise ValueError(
                f"pos_weight must be finite and >= 0; got {pos_weight!r}, which "
                "overflows float64."
            ) from None
    elif pos_weight is None or isinstance(pos_weight, (str, bytes, bool, np.bool_)):
        raise TypeError(message)
    else:
        # None, strings, booleans, complex numbers, objects: not silently
        # converted to numbers; Fractions and other real numbers are
        try:
            array = _real_array(pos_weight, "pos_weight")
        except TypeError:
            raise TypeError(message) from None
        if array.dtype.kind == "b":
            raise TypeError(message)
        try:
            array = array.astype(np.float64)
        except OverflowError:  # pragma: no cover - object arrays are converted above
            raise TypeError(message) from None
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(
            "pos_weight must be finite and >= 0 (a scalar or one value per "
            f"class); got {pos_weight!r}."
        )
    if shape is not None and array.ndim:
        try:
            fits = np.broadcast_shapes(array.shape, shape) == tuple(shape)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"pos_weight of shape {array.shape} does not broadcast to the "
                f"logits shape {shape}; give a scalar or one value per class "
                f"(shape ({shape[-1] if len(shape) else 1},))."
            )
    if array.ndim == 0:
        return float(array)
    return array.astype(dtype, copy=False)


def _sigmoid(logits):
    """The logistic sigmoid of ``logits``, in their dtype, correctly rounded.

    float32 logits are computed in float64 and rounded once to float32:
    SciPy's float32 ``expit`` can be a few ulps off, which decides
    ``probability > float32(threshold)`` wrongly for probabilities near a
    threshold close to 1. TensorFlow's float32 sigmoid is the correctly
    rounded one there (except for logits in about [15.7, 17.3], where it is
    not and this one is: a deliberate difference).
    """
    if logits.dtype == np.float32:
        return expit(logits.astype(np.float64)).astype(np.float32)
    return expit(logits)


def _sigmoid_ce_loss_grad(labels, logits, pos_weight=None, *, need_grad=True):
    """Element-wise (weighted) sigmoid cross-entropy and its derivative.

    With ``x`` the logits, ``z`` the labels and ``q`` the positive weight, the
    loss of the seed note,
    ``(1 - z) * x + (1 + (q - 1) * z) * softplus(-x)``, is computed in the
    algebraically identical form::

        loss = (1 - z) * softplus(x) + q * z * softplus(-x)
        d loss / d x = (1 - z) * sigmoid(x) - q * z * sigmoid(-x)

    whose two terms are non-negative, so nothing cancels: the loss is exact
    to the last bits even in float32, and finite for every finite ``x``
    (``softplus(x) = -log_expit(-x)``). ``q = 1`` (or ``None``) gives the
    plain cross-entropy, whose gradient is ``sigmoid(x) - z``.

    Parameters
    ----------
    labels, logits : ndarray of the same shape and floating dtype
        Already validated.
    pos_weight : None, float or ndarray broadcastable to ``logits``
        Already validated.
    need_grad : bool, default=True
        Whether to compute the gradient.

    Returns
    -------
    loss : ndarray, shaped like ``logits``
    grad : ndarray shaped like ``logits``, or None if ``need_grad`` is False
    """
    dtype = logits.dtype
    neg_labels = 1 - labels
    pos_labels = labels if pos_weight is None else labels * np.asarray(pos_weight, dtype=dtype)
    loss = neg_labels * log_expit(-logits)
    loss += pos_labels * log_expit(logits)
    np.negative(loss, out=loss)
    if not need_grad:
        return loss, None
    grad = neg_labels * expit(logits)
    grad -= pos_labels * expit(-logits)
    return loss, grad


def _weighted_sum(u, v, axis):
    """``sum(u * v)`` (``axis=None``) or its column sums (``axis=0``), float64.

    ``u`` and ``v`` are 2-d; ``u`` may broadcast to ``v`` (an ``(n, 1)``
    column of weights).
    """
    if axis is None:
        if u.shape == v.shape and u.dtype == v.dtype == np.float64:
            return float(np.dot(u.ravel(), v.ravel()))  # contiguous: no copy
        return float(np.sum(u * v, dtype=np.float64))
    if u.shape[1] == 1 and v.shape[1] > 1:
        return np.asarray(u.T @ v, dtype=np.float64).ravel()
    return np.sum(u * v, axis=0, dtype=np.float64)


def _sigmoid_ce_sum_grad(
    labels, logits, pos_weight=None, weight=None, *, out=None, need_grad=True, axis=None,
    binary_labels=False,
):
    """Weighted sum of the sigmoid cross-entropy and its gradient, fused.

    The training kernel of the heads: the same loss as
    :func:`_sigmoid_ce_loss_grad`, summed, with one ``exp`` and one ``log``
    per logit and every other step an in-place pass over block-sized
    buffers. With ``a = weight * (1 - z)``, ``b = weight * q * z`` and
    ``e = exp(-|x|)``::

        loss = a * softplus(x) + b * softplus(-x)
             = (a + b) * log1p(e) + a * max(x, 0) + b * max(-x, 0)
        grad = a * sigmoid(x) - b * sigmoid(-x)

    where ``sigmoid(|x|) = 1 / (1 + e)`` and ``sigmoid(-|x|) = e / (1 + e)``;
    ``log1p(e)`` is ``log(u) - ((u - 1) - e) / u`` with ``u = 1 + e`` (the
    rounding error of ``u`` corrected to first order, exact also when
    ``u == 1``). All terms are non-negative, so nothing cancels, as in
    :func:`_sigmoid_ce_loss_grad`, whose results this matches to a few ulps.

    Parameters
    ----------
    labels : ndarray of shape (n, k)
        Targets in ``[0, 1]``.
    logits : ndarray of shape (n, k), float32 or float64
    pos_weight : None, float or ndarray of shape (k,)
    weight : None, float or ndarray broadcastable to (n, k)
        Per-element weights (per-row sample weights as an ``(n, 1)``
        column, times any constant factor).
    out : ndarray of shape (n, k), default=None
        Where to write the gradient; may be ``logits`` itself (it is read
        for the last time before the gradient is written).
    need_grad : bool, default=True
    axis : None or 0, default=None
        Sum over everything (a float), or per column (an ndarray (k,)).
    binary_labels : bool, default=False
        Promise that every label is 0 or 1 (as the classification heads'
        encoded labels are unless soft), which allows a shorter computation on the
        margin ``m = x`` for ``z = 0``, ``-x`` for ``z = 1``: then
        ``loss = c * softplus(m)`` and ``grad = -/+ c * sigmoid(m)`` with
        ``c = weight * (1 + (q - 1) * z)``, the same values.

    Returns
    -------
    total : float or ndarray of shape (k,), float64
    grad : ndarray of shape (n, k) or None
    """
    x = logits
    dtype = x.dtype
    if binary_labels:
        return _binary_labels_sum_grad(labels, x, pos_weight, weight, out, need_grad, axis)
    a = np.subtract(1, labels, dtype=dtype)
    b = labels if pos_weight is None else labels * np.asarray(pos_weight, dtype=dtype)
    if weight is not None:
        weight = np.asarray(weight, dtype=dtype)
        a *= weight
        b = b * weight
    b = b.astype(dtype, copy=False)
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(-|x|), in (0, 1]
    r = e + 1  # u = 1 + e
    log1p_e = np.log(r)
    t = r - 1
    t -= e  # the rounding error of u
    np.reciprocal(r, out=r)  # r = 1 / u = sigmoid(|x|)
    t *= r
    log1p_e -= t
    relu = np.maximum(x, 0, out=t)
    total = _weighted_sum(a, relu, axis)
    relu -= x  # max(-x, 0), exactly
    total = total + _weighted_sum(b, relu, axis)
    total = total + _weighted_sum(a, log1p_e, axis) + _weighted_sum(b, log1p_e, axis)
    if not need_grad:
        return total, None
    positive = x >= 0
    e *= r  # sigmoid(-|x|)
    # sigmoid(-x) into t, then sigmoid(x) into out
    np.copyto(t, r)
    np.copyto(t, e, where=positive)
    t *= b
    if out is None:
        out = np.empty_like(x)
    np.copyto(out, e)
    np.copyto(out, r, where=positive)
    out *= a
    out -= t
    return total, out


def _label_weights(labels, pos_weight, dtype):
    """``(1 - z) + q z``: the weight of each label's loss under ``pos_weight = q``.

    Exactly 1 or ``q`` for labels 0 and 1 (1 without ``pos_weight``).
    """
    c = np.subtract(1, labels, dtype=dtype)
    c += labels if pos_weight is None else labels * np.asarray(pos_weight, dtype=dtype)
    return c


def _binary_labels_sum_grad(labels, x, pos_weight, weight, out, need_grad, axis):
    """:func:`_sigmoid_ce_sum_grad` for labels in {0, 1}, on the margin.

    Fifteen NumPy calls on the logits' shape (the training kernel of every
    binary and multi-label fit, called once per row chunk from several
    threads: each call holds the GIL a little), with ``e = exp(-|m|)``
    (``|m| = |x|``)::

        softplus(m) = log1p(e) + max(m, 0)
        sigmoid(m) = (1 if m >= 0 else e) / (1 + e)

    both without cancellation.
    """
    dtype = x.dtype
    sign = np.multiply(labels, -2, dtype=dtype)
    sign += 1  # 1 for z = 0, -1 for z = 1
    m = x * sign  # the margin: loss = c * softplus(m), exactly
    c = None
    if pos_weight is not None:  # q for z = 1, 1 for z = 0: exactly
        c = _label_weights(labels, pos_weight, dtype)
    if weight is not None:
        weight = np.asarray(weight, dtype=dtype)
        c = np.broadcast_to(weight, m.shape) if c is None else c * weight
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(-|m|), in (0, 1]
    softplus = np.log1p(e)
    softplus += np.maximum(m, 0)  # no cancellation: both terms >= 0
    if c is None:
        total = softplus.sum(axis=axis, dtype=np.float64)
        total = float(total) if axis is None else total
    else:
        total = _weighted_sum(c, softplus, axis)
    if not need_grad:
        return total, None
    numerator = np.maximum(e, m >= 0, out=softplus)  # 1 for m >= 0, else e
    e += 1
    if out is None:
        out = np.empty_like(x)
    np.divide(numerator, e, out=out)  # sigmoid(m)
    out *= sign if c is None else c * sign  # d softplus(m) / dx = sign * sigmoid(m)
    return total, out


def sigmoid_cross_entropy_with_logits(labels, logits):
    """Element-wise sigmoid cross-entropy between labels and logits.

    The port of ``tf.nn.sigmoid_cross_entropy_with_logits``::

        max(x, 0) - x * z + log(1 + exp(-|x|))

    for logits ``x`` and labels ``z``, computed so that no finite logit
    overflows.

    Parameters
    ----------
    labels : array-like
        Targets in ``[0, 1]``, the same shape as ``logits``.
    logits : array-like
        Unnormalised log-odds.

    Returns
    -------
    loss : ndarray
        Shaped like ``logits`` (0-d for scalar inputs); float32 logits
        give float32, anything else float64.

    Raises
    ------
    ValueError
        If the shapes differ (the message names both), the inputs are
        empty, a value is not finite or a label is outside ``[0, 1]``.
    TypeError
        If ``labels`` or ``logits`` are not real numbers (complex numbers
        are refused, not cut to their real part).

    Examples
    --------
    >>> from sklearn_heads import sigmoid_cross_entropy_with_logits
    >>> sigmoid_cross_entropy_with_logits([1.0, 0.0], [0.0, 1e4]).round(4)
    array([6.931e-01, 1.000e+04])
    """
    labels, logits = _check_labels_logits(labels, logits)
    loss = _sigmoid_ce_loss_grad(
        np.atleast_1d(labels), np.atleast_1d(logits), need_grad=False
    )[0]
    return loss.reshape(logits.shape)  # 0-d in, 0-d out


def weighted_cross_entropy_with_logits(labels, logits, pos_weight):
    """Sigmoid cross-entropy with the positive term weighted by ``pos_weight``.

    The port of ``tf.nn.weighted_cross_entropy_with_logits``. With logits
    ``x``, labels ``z`` and ``q = pos_weight``::

        (1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))

    ``q > 1`` makes a missed positive cost more (raising recall), ``q < 1``
    less (raising precision). ``q = 1`` is
    :func:`sigmoid_cross_entropy_with_logits`.

    Parameters
    ----------
    labels : array-like
        Targets in ``[0, 1]``, the same shape as ``logits``.
    logits : array-like
        Unnormalised log-odds.
    pos_weight : float or array-like
        Non-negative weight of the positive term: a scalar, or an array
        broadcastable to ``logits`` (one value per class for multi-label
        logits of shape ``(n_samples, n_classes)``).

    Returns
    -------
    loss : ndarray
        Shaped like ``logits``, with the dtype rule of
        :func:`sigmoid_cross_entropy_with_logits`.

    Raises
    ------
    ValueError
        As :func:`sigmoid_cross_entropy_with_logits`, or if ``pos_weight`` is
        negative, not finite or does not broadcast to ``logits``, or if
        ``pos_weight`` times a loss overflows the floating dtype.
    TypeError
        If an input is not real numbers (``pos_weight`` None, a string, a
        bool or complex included).

    Examples
    --------
    The worked example of ``tf.nn.weighted_cross_entropy_with_logits``:

    >>> import numpy as np
    >>> from sklearn_heads import weighted_cross_entropy_with_logits
    >>> labels = np.array([1.0, 0.5, 0.0], dtype=np.float32)
    >>> logits = np.array([1.5, -0.1, -10.0], dtype=np.float32)
    >>> weighted_cross_entropy_with_logits(labels, logits, pos_weight=1.5).round(7)
    array([3.021200e-01, 8.804958e-01, 4.540000e-05], dtype=float32)
    >>> weighted_cross_entropy_with_logits(labels, logits, pos_weight=0.5).round(7)
    array([1.007066e-01, 5.082975e-01, 4.540000e-05], dtype=float32)

    The last value is ``log1p(exp(-10))`` to float32 precision; TensorFlow's
    literal evaluation of the formula loses it to cancellation
    (``4.5776367e-05``).
    """
    labels, logits = _check_labels_logits(labels, logits)
    pos_weight = _check_pos_weight(pos_weight, logits.shape, logits.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = _sigmoid_ce_loss_grad(
            np.atleast_1d(labels), np.atleast_1d(logits), pos_weight, need_grad=False
        )[0]
    if not np.all(np.isfinite(loss)):
        # only pos_weight times a loss beyond the largest float overflows
        raise ValueError(
            f"The weighted loss overflows {loss.dtype}: pos_weight "
            f"(up to {np.max(pos_weight):.6g}) times the loss of logits as large as "
            f"{np.max(np.abs(logits)):.6g} is beyond the largest {loss.dtype}. Use a "
            "smaller pos_weight or scale the logits down."
        )
    return loss.reshape(logits.shape)  # 0-d in, 0-d out


# ---------------------------------------------------------------------------
# sparse softmax cross-entropy (MultiClassHead)


def _softmax_ce_2d(class_ids, x, need_grad):
    """:func:`_softmax_ce_loss_grad` on ``x`` of shape (n, k), ids of shape (n,).

    Returns the loss (n,) and the gradient (n, k) (a new array) or None.
    """
    n = x.shape[0]
    rows = np.arange(n)
    ids = class_ids
    top = np.argmax(x, axis=1)
    m = x[rows, top]
    e = x - m[:, None]
    np.exp(e, out=e)  # exp(x - max) in (0, 1], exactly 1 at the maximum
    e[rows, top] = 0
    others = e.sum(axis=1)  # sum of exp(x_j - max) over j != argmax
    # log(sum exp(x)) - x_y = (max - x_y) + log1p(others): two non-negative
    # terms, so the loss keeps its relative precision even when it is tiny
    loss = m - x[rows, ids]
    loss += np.log1p(others)
    if not need_grad:
        return loss, None
    r = 1 / (1 + others)  # the largest probability
    e *= r[:, None]
    e[rows, top] = r
    e[rows, ids] -= 1
    hit = ids == top
    e[rows[hit], ids[hit]] = -others[hit] * r[hit]  # p_y - 1, without cancellation
    return loss, e


def _softmax_ce_loss_grad(class_ids, logits, *, need_grad=True):
    """Per-example sparse softmax cross-entropy and its gradient.

    With logits ``x`` of one example and its class ``y``::

        loss = logsumexp(x) - x_y
        d loss / d x = softmax(x) - onehot(y)

    computed as ``(max(x) - x_y) + log1p(sum_{j != argmax} exp(x_j - max(x)))``,
    whose terms are non-negative: no overflow for any finite logit and no
    cancellation, also in float32.

    Parameters
    ----------
    class_ids : ndarray of shape (..., 1)
        Class ids (floats or integers), already validated.
    logits : ndarray of shape (..., k), float32 or float64
    need_grad : bool, default=True

    Returns
    -------
    loss : ndarray of shape (..., 1), the dtype of ``logits``
    grad : ndarray shaped like ``logits``, or None
    """
    k = logits.shape[-1]
    x = logits.reshape(-1, k)
    ids = np.asarray(class_ids).reshape(-1).astype(np.intp)
    loss, grad = _softmax_ce_2d(ids, x, need_grad)
    loss = loss.reshape(logits.shape[:-1] + (1,))
    return loss, None if grad is None else grad.reshape(logits.shape)


def _softmax_ce_sum_grad(class_ids, logits, weight=None, *, out=None, need_grad=True):
    """Weighted sum of the sparse softmax cross-entropy and its gradient.

    Parameters
    ----------
    class_ids : ndarray of shape (..., 1)
    logits : ndarray of shape (..., k)
    weight : None or ndarray of shape (..., 1)
    out : ndarray shaped like ``logits``, default=None
        Where to write the gradient; may be ``logits`` itself.
    need_grad : bool, default=True

    Returns
    -------
    total : float
    grad : ndarray shaped like ``logits``, or None
    """
    shape = logits.shape
    ids = np.asarray(class_ids).reshape(-1).astype(np.intp)
    loss, grad = _softmax_ce_2d(ids, logits.reshape(-1, shape[-1]), need_grad)
    if weight is not None:
        weight = np.asarray(weight).reshape(-1).astype(loss.dtype, copy=False)
        loss *= weight
    # (np.sum, not np.dot: a BLAS call outside the objective's thread limit
    # costs more in thread start-up than the whole sum)
    total = float(np.sum(loss, dtype=np.float64))
    if not need_grad:
        return total, None
    if weight is not None:
        grad *= weight[:, None]
    grad = grad.reshape(shape)
    if out is None:
        return total, grad
    np.copyto(out, grad)
    return total, out


# ---------------------------------------------------------------------------
# element-wise regression losses (RegressionHead, PoissonRegressionHead)


def _squared_error_loss_grad(labels, logits, *, need_grad=True):
    """Element-wise ``(x - z)^2`` and its derivative ``2 (x - z)``.

    TensorFlow's ``mean_squared_error`` with ``reduction=NONE``: the loss of
    each logit, the same shape as ``logits``.
    """
    residual = logits - labels
    loss = residual * residual
    if not need_grad:
        return loss, None
    residual *= 2
    return loss, residual


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _stirling_log_factorial(labels):
    """TensorFlow's Stirling term of ``log(z!)``, 0 for labels in [0, 1].

    ``z log z - z + 0.5 log(2 pi z)`` where ``z > 1``, as
    ``tf.nn.log_poisson_loss(..., compute_full_loss=True)`` adds it.
    """
    big = labels > 1
    z = np.where(big, labels, 1)
    term = xlogy(z, z) - z + 0.5 * np.log(z) + z.dtype.type(_HALF_LOG_2PI)
    return np.where(big, term, 0).astype(labels.dtype, copy=False)


def _log_poisson_loss_grad(labels, logits, compute_full_loss=True, *, need_grad=True):
    """Element-wise log-Poisson loss and its derivative.

    ``tf.nn.log_poisson_loss`` with the log of the rate as ``logits``::

        loss = exp(x) - z x  [+ Stirling's log(z!) for z > 1]
        d loss / d x = exp(x) - z

    Parameters
    ----------
    labels : ndarray
        Counts, ``>= 0`` (already validated).
    logits : ndarray, the same shape
    compute_full_loss : bool, default=True
        Whether to add the constant Stirling term.
    need_grad : bool, default=True

    Returns
    -------
    loss : ndarray shaped like ``logits``
    grad : ndarray shaped like ``logits``, or None
    """
    with np.errstate(over="ignore"):  # exp(x) = inf is the loss's own value
        rate = np.exp(logits)
    loss = rate - labels * logits
    if compute_full_loss:
        loss += _stirling_log_factorial(labels)
    if not need_grad:
        return loss, None
    rate -= labels
    return loss, rate


def _weighted_sum_grad(loss, grad, weight=None, *, out=None):
    """``sum(weight * loss)`` in float64 and ``weight * grad`` (into ``out``).

    The fused step of the element-wise losses: ``loss`` and ``grad`` are
    fresh arrays of the logits' shape, ``weight`` None or broadcastable.
    """
    if weight is None:
        total = float(np.sum(loss, dtype=np.float64))
    else:
        weight = np.asarray(weight)
        total = float(np.sum(loss * weight, dtype=np.float64))
    if grad is None:
        return total, None
    if weight is not None:
        grad *= weight.astype(grad.dtype, copy=False)
    if out is None:
        return total, grad
    np.copyto(out, grad)
    return total, out


def _sigmoid_ce_of_probabilities(labels, probabilities, pos_weight=None):
    """Element-wise (weighted) sigmoid cross-entropy of probabilities.

    ``-(q * z * log(p) + (1 - z) * log(1 - p))`` with ``0 * log(0) = 0``:
    the loss of the logits ``logit(p)`` without forming them, so a
    probability of exactly 0 or 1 (a random forest's) costs 0 when it is
    right and ``inf`` when it is wrong.

    Parameters
    ----------
    labels : ndarray, 0/1 (or in [0, 1]), shaped like ``probabilities``
    probabilities : ndarray of values in [0, 1]
    pos_weight : None, float or array broadcastable to ``probabilities``

    Returns
    -------
    loss : ndarray shaped like ``probabilities``
    """
    positive = xlogy(labels, probabilities)
    if pos_weight is not None:
        positive = positive * pos_weight
    return -(positive + xlog1py(1.0 - labels, -probabilities))


def _softmax_ce_of_probabilities(class_ids, probabilities):
    """Per-example softmax cross-entropy ``-log(p[label])`` of probabilities.

    Parameters
    ----------
    class_ids : ndarray of shape (..., 1), validated class ids
    probabilities : ndarray of shape (..., k), values in [0, 1]

    Returns
    -------
    loss : ndarray of shape (..., 1); ``inf`` where ``p[label]`` is 0
    """
    ids = class_ids.astype(np.intp)
    with np.errstate(divide="ignore"):
        return -np.log(np.take_along_axis(probabilities, ids, axis=-1))


# ---------------------------------------------------------------------------
# curvature of the losses with respect to the logits (Newton's solver)


def _sigmoid_ce_hessian(labels, logits, pos_weight=None, weight=None):
    """Second derivative of the (weighted) sigmoid cross-entropy, element-wise.

    With ``a = weight * (1 - z)`` and ``b = weight * q * z`` (see
    :func:`_sigmoid_ce_sum_grad`) the loss ``a softplus(x) + b softplus(-x)``
    has the second derivative ``(a + b) sigmoid(x) sigmoid(-x)``, computed
    as ``e / (1 + e)^2`` with ``e = exp(-|x|)`` (no overflow, no
    cancellation). Soft labels in ``[0, 1]`` are allowed.

    Returns
    -------
    hessian : ndarray shaped like ``logits``
    """
    x = logits
    e = np.exp(-np.abs(x))
    curvature = e / np.square(1 + e)
    c = _label_weights(labels, pos_weight, x.dtype)
    if weight is not None:
        c *= np.asarray(weight, dtype=x.dtype)
    curvature *= c
    return curvature


def _softmax_ce_hessian(logits, weight=None):
    """Per-row Hessian ``w_i (diag(p_i) - p_i p_i^T)`` of the softmax cross-entropy.

    It does not depend on the labels.

    Parameters
    ----------
    logits : ndarray of shape (n, k)
    weight : None or ndarray of shape (n, 1)

    Returns
    -------
    hessian : ndarray of shape (n, k, k)
    """
    p = softmax(logits, axis=1)
    hessian = -p[:, :, None] * p[:, None, :]
    k = p.shape[1]
    hessian[:, np.arange(k), np.arange(k)] += p
    if weight is not None:
        hessian *= np.asarray(weight, dtype=p.dtype).reshape(-1, 1, 1)
    return hessian
