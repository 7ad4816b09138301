"""The base head: reductions, loss and gradient, streaming metric plumbing.

A head turns logits into a training loss (and its gradient with respect to
the logits), predictions and evaluation metrics, exactly as the heads of
``tf.estimator`` do. Subclasses supply the label encoding, the unreduced
default loss, the predictions and the list of metrics; everything that is
the same for every head lives here.

Internal contract used by the estimators' optimiser
(``sklearn_heads._objective``), so that labels are encoded once per fit and
the loss can be summed over row chunks:

* ``z, w = head._prepare(labels, n_rows, sample_weight, dtype)``
* ``s, G = head._sum_loss_gradient(z, logits, w)``: ``s = sum_i w_i l_i``
  and its gradient with respect to ``logits``;
* ``head._loss_scale(n_rows)``: the reduction factor, so that
  ``loss = _loss_scale(n) * sum of s over chunks``.
"""

import inspect
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .._compat import InvalidParameterError, asarray
from .._losses import (
    LossOverflowError,
    _as_array,
    _check_finite,
    _check_pos_weight,
    _float_dtype,
    _is_real_scalar,
    _real_dtype_error,
    _sigmoid_ce_sum_grad,
)
from .._warnings import warn_outside_package
from ._labels import check_sample_weight, check_weight_total, hard_labels
from ._task import _Task


class Reduction:
    """How a head reduces the weighted per-example losses to one number.

    ``SUM`` adds them; ``SUM_OVER_BATCH_SIZE`` (the default) divides that sum
    by the number of examples (the product of all but the last logits
    dimension), as ``tf.keras.losses.Reduction`` does. ``AUTO`` is accepted
    for TensorFlow compatibility and means ``SUM_OVER_BATCH_SIZE``.
    """

    AUTO = "auto"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        """Every valid reduction."""
        return (cls.AUTO, cls.SUM, cls.SUM_OVER_BATCH_SIZE)


def _check_reduction(loss_reduction):
    if loss_reduction not in Reduction.all():
        raise ValueError(
            f"Invalid loss_reduction: {loss_reduction!r}; expected one of "
            f"{list(Reduction.all())!r}."
        )


def _check_loss_fn(loss_fn):
    """A loss_fn must accept ``labels`` and ``logits`` and need nothing else."""
    if loss_fn is None:
        return
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable; got {loss_fn!r}.")
    try:
        params = inspect.signature(loss_fn).parameters
    except (TypeError, ValueError):
        return  # builtins without a signature: checked at the first call
    var_keyword = any(p.kind is p.VAR_KEYWORD for p in params.values())
    for required in ("labels", "logits"):
        param = params.get(required)
        if (param is None and not var_keyword) or (
            param is not None and param.kind is param.POSITIONAL_ONLY
        ):
            raise ValueError(
                f"loss_fn must accept the keyword argument {required!r}. Given "
                f"arguments: {list(params)}."
            )
    unexpected = [
        name
        for name, p in params.items()
        if name not in ("labels", "logits")
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if unexpected:
        raise ValueError(
            f"loss_fn has unexpected required arguments: {unexpected}; it is "
            "called as loss_fn(labels=..., logits=...)."
        )


def _loss_fn_output(value, what, shape, expected):
    """The ``what`` (loss or gradient) returned by a ``loss_fn``, checked.

    It must convert to an array of real numbers of ``shape``, all finite;
    otherwise a ``TypeError`` (not numbers) or ``ValueError`` (shape, NaN or
    infinity) says what ``loss_fn`` returned and what ``expected`` is.
    """
    if sp.issparse(value):
        raise TypeError(
            f"loss_fn must return {expected}, as a dense array; its {what} is a "
            f"sparse {value.format} matrix of shape {value.shape}."
        )
    try:
        array = asarray(value)
    except ValueError as exc:  # ragged
        raise ValueError(
            f"loss_fn must return {expected}; its {what} is not a rectangular array "
            f"({exc}): {value!r:.80}."
        ) from None
    if array.dtype.kind not in "biuf":
        if array.dtype.kind == "O" and all(_is_real_scalar(v) for v in array.reshape(-1)):
            array = array.astype(np.float64)
        else:
            first = array.reshape(-1)[0] if array.size else None
            if isinstance(first, np.generic):
                first = first.item()
            raise TypeError(
                f"loss_fn must return real numbers; its {what} has dtype "
                f"{array.dtype} (values such as {first!r:.60}). Return {expected}, "
                "as floats"
                + (" (complex numbers are refused, not cut to their real part)."
                   if array.dtype.kind == "c" or isinstance(first, complex) else ".")
            )
    if array.shape != tuple(shape):
        raise ValueError(
            f"loss_fn must return {expected}; its {what} has shape {array.shape}."
        )
    finite = np.isfinite(array)
    if not np.all(finite):
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"loss_fn returned a {what} of {array[index].item()!r} at index {index} "
            f"(for finite logits); its {what} must be finite. Compute it in a "
            "numerically stable form (for example with np.logaddexp or "
            "scipy.special.log_expit), or clip the logits inside loss_fn."
        )
    return array


def _check_thresholds(thresholds, name="thresholds"):
    if thresholds is None:
        return ()
    if isinstance(thresholds, (str, bytes)) or not np.iterable(thresholds):
        raise TypeError(
            f"{name} must be a list of numbers in the open interval (0, 1), such "
            f"as [0.3, 0.7]; got {thresholds!r}."
        )
    thresholds = tuple(thresholds)
    for threshold in thresholds:
        if (
            not isinstance(threshold, numbers.Real)
            or isinstance(threshold, (bool, np.bool_))
            or not 0.0 < threshold < 1.0
        ):
            raise ValueError(
                f"{name} must be numbers in the open interval (0, 1); got "
                f"{threshold!r} in {thresholds!r}."
            )
    keys = ["%g" % t for t in thresholds]
    if len(set(keys)) != len(keys):
        dup = next(t for t, key in zip(thresholds, keys) if keys.count(key) > 1)
        raise ValueError(
            f"{name} has the duplicate entry {dup!r} in {thresholds!r} (metric keys "
            "use the threshold to 6 significant digits); give each threshold once."
        )
    return thresholds


def _check_vocabulary(label_vocabulary, n_classes):
    if label_vocabulary is None:
        return None
    if not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(
            "label_vocabulary must be a list or a tuple of strings; got "
            f"{type(label_vocabulary).__name__} {label_vocabulary!r}."
        )
    if len(label_vocabulary) != n_classes:
        raise ValueError(
            f"label_vocabulary must have {n_classes} entries; got "
            f"{len(label_vocabulary)}: {list(label_vocabulary)!r}."
        )
    for entry in label_vocabulary:
        if not isinstance(entry, str):
            raise ValueError(f"label_vocabulary entries must be strings; got {entry!r}.")
    if len(set(label_vocabulary)) != len(label_vocabulary):
        dup = next(v for v in label_vocabulary if label_vocabulary.count(v) > 1)
        raise ValueError(f"label_vocabulary has the duplicate entry {dup!r}.")
    # NumPy's fixed-width strings drop trailing NUL characters: "a\0" is
    # read back as "a", so such an entry equals another or matches no label
    stripped = [v.rstrip("\0") for v in label_vocabulary]
    for i, entry in enumerate(label_vocabulary):
        if stripped.count(stripped[i]) > 1:
            other = next(
                v for j, v in enumerate(label_vocabulary) if j != i and stripped[j] == stripped[i]
            )
            raise ValueError(
                f"label_vocabulary has the entries {entry!r} and {other!r}, which differ "
                "only by trailing NUL characters: NumPy's string arrays drop those, so "
                "labels could not tell them apart. Give distinct names."
            )
    for entry in label_vocabulary:
        if entry.endswith("\0"):
            raise ValueError(
                f"label_vocabulary entry {entry!r} ends with a NUL character, which "
                "NumPy's string arrays drop, so no label could match it; remove the "
                "trailing '\\x00'."
            )
    return tuple(label_vocabulary)


def _check_name(name):
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a string or None; got {name!r}.")


class _Validated(BaseEstimator):
    """A scikit-learn parameter object, validated when built and when used (not public).

    Subclasses implement ``_validate``, which checks the parameters and
    derives the object's private state from them. The constructor calls
    it, so that a bad head is refused where it is written, as TensorFlow
    refuses it. :meth:`set_params` does not: it only marks the parameters
    unchecked, and the next use of the object (every entry point calls
    :meth:`_ensure_valid`: the loss, predictions, metrics,
    ``logits_dimension``, and the estimators' ``fit``, which builds the head
    it trains with ``clone``, that is with the constructor) validates them
    and raises there.

    Why not in ``set_params``: scikit-learn's model selection
    (``_fit_and_score``) calls ``set_params`` outside the error handling it
    puts around ``fit``, so an invalid grid point such as
    ``{"head__pos_weight": [-1, 1]}`` raising in ``set_params`` would abort
    the whole search instead of scoring ``error_score`` for that point.
    The constructor may keep validating: the searches clone only the base
    estimator, whose parameters are valid, and set the grid's values on
    the clone.
    """

    #: Whether ``set_params`` changed the parameters since they were validated.
    _unchecked = False

    def set_params(self, **params):
        """Set parameters; they are validated at the next use of the object.

        Parameters
        ----------
        **params : dict
            Parameter names and values, as for any scikit-learn estimator.

        Returns
        -------
        self : object
        """
        super().set_params(**params)
        self._unchecked = True
        return self

    def _ensure_valid(self):
        """Validate parameters changed by :meth:`set_params` (a no-op otherwise)."""
        if self._unchecked:
            self._unchecked = False  # _validate may use the entry points itself
            try:
                self._check_params()
            except BaseException:
                self._unchecked = True  # invalid: refused again at the next use
                raise

    def _check_params(self):
        """``_validate``, raising scikit-learn's ``InvalidParameterError``.

        That error is both a ``ValueError`` and a ``TypeError``, as for the
        parameters of scikit-learn's estimators; the message is ours.
        """
        try:
            self._validate()
        except InvalidParameterError:
            raise
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(str(exc)) from None


class _Head(_Task, _Validated):
    """Shared implementation of the heads (not public).

    Subclasses implement ``_validate`` (which calls ``_setup_common`` and
    fills ``self._metric_keys``), ``logits_dimension``, ``_encode_labels``,
    ``_default_loss``, ``_prediction_keys``, ``_predictions``,
    ``_metric_factories`` and ``_update``; and, through the mixins of
    ``_task.py``, what the estimators ask of their task.

    Two kinds of loss are supported. By default the loss of an example is
    one number per example (shape ``[D0, ..., DN, 1]``: the classification
    heads); with ``_elementwise_loss`` (the regression heads) every logit
    has its own loss (shape ``[D0, ..., DN, logits_dimension]``), each
    logit is an example of the reduction, as in TensorFlow, and
    ``sample_weight`` may also give one weight per logit.
    """

    #: Keys :meth:`predictions` can return, in TensorFlow's order.
    _prediction_keys = ()

    #: Whether encoded labels are usually 0 or 1 (classification heads): the
    #: training kernel then works on the margin when they all are (soft
    #: labels, strictly between 0 and 1, take the general kernel).
    _binary_labels = False

    #: Whether the loss has one value per logit rather than per example.
    _elementwise_loss = False

    def _setup_common(self):
        self._specs = None  # of the metrics, see _metric_specs
        _check_reduction(self.loss_reduction)
        _check_loss_fn(self.loss_fn)
        _check_name(self.name)
        self._fd_warned = False

    def _key(self, base):
        """A metric key with TensorFlow's ``/<name>`` suffix."""
        return f"{base}/{self.name}" if self.name else base

    # ------------------------------------------------------------------
    # input checks
    def _check_logits(self, logits, allow_infinite=False):
        """``logits`` as a float array of shape ``(..., logits_dimension)``.

        ``allow_infinite=True`` (the estimators' predictions, whose logits
        may overflow to an infinity with a well-defined probability of 0 or
        1) refuses NaN only.
        """
        self._ensure_valid()
        if sp.issparse(logits):
            raise TypeError(
                f"logits must be a dense array; got a sparse {logits.format} matrix "
                f"of shape {logits.shape} (use .toarray())."
            )
        logits = _as_array(logits, "logits")
        if logits.dtype.kind == "c":
            raise _real_dtype_error(logits, "logits")
        if logits.dtype.kind not in "biuf":
            raise TypeError(f"logits must be numeric; got dtype {logits.dtype}.")
        logits = logits.astype(_float_dtype(logits), copy=False)
        if logits.ndim == 1 and self.logits_dimension == 1:
            logits = logits[:, None]
        if logits.ndim < 2 or logits.shape[-1] != self.logits_dimension:
            raise ValueError(
                f"logits must have shape [D0, ..., DN, {self.logits_dimension}] "
                f"(logits_dimension={self.logits_dimension}); got shape "
                f"{logits.shape}."
            )
        if logits.size == 0:
            raise ValueError(f"logits of shape {logits.shape} hold no examples.")
        if not allow_infinite:
            _check_finite(logits, "logits")
        elif np.any(np.isnan(logits)):
            _check_finite(logits[np.isnan(logits)], "logits")
        return logits

    def _check_weights(self, sample_weight, shape, dtype):
        """Per-example weights, ``(..., 1)``, or None (see ``check_sample_weight``)."""
        return check_sample_weight(sample_weight, shape, dtype)

    def _prepare(self, labels, n_rows, sample_weight=None, dtype=np.float64):
        """Encode labels and weights once for ``n_rows`` rows of 2-d logits."""
        self._ensure_valid()
        shape = (n_rows, self.logits_dimension)
        z = self._encode_labels(labels, shape, dtype)
        return z, self._check_weights(sample_weight, shape, dtype)

    def _prepared_widths(self):
        """Columns of the ``z`` and ``w`` that :meth:`_prepare` returns.

        ``w`` is returned as None or with this many columns.
        """
        return self.logits_dimension, 1

    def _inputs(self, labels, logits, sample_weight):
        logits = self._check_logits(logits)
        z = self._encode_labels(labels, logits.shape, logits.dtype)
        w = self._check_weights(sample_weight, logits.shape, logits.dtype)
        return z, logits, w

    # ------------------------------------------------------------------
    # loss
    def _n_examples(self, logits_shape):
        """How many examples the reduction divides by for logits of this shape.

        The product of the leading dimensions; for an element-wise loss
        every logit counts (TensorFlow divides by ``batch_size *
        label_dimension``).
        """
        n = int(np.prod(logits_shape[:-1]))
        return n * logits_shape[-1] if self._elementwise_loss else n

    def _loss_scale(self, n_examples):
        if self.loss_reduction == Reduction.SUM:
            return 1.0
        return 1.0 / n_examples

    @property
    def _calls_user_code(self):
        """Whether the loss calls a user's function (``loss_fn``).

        Such a function is only ever called with finite logits.
        """
        return self.loss_fn is not None

    @property
    def _scale_free_weights(self):
        """Whether a weighted-mean objective is the same for weights ``w`` and ``c * w``.

        True for the mean reductions (the estimators divide by the total
        weight); with ``"sum"`` the weights' scale is part of the objective.
        """
        return self.loss_reduction != Reduction.SUM

    def _unreduced_loss(self, z, logits, need_grad=True):
        """Unreduced loss (``_loss_shape``) and ``d loss_i / d logits_i``."""
        if self.loss_fn is None:
            return self._default_loss(z, logits, need_grad)
        loss, grad = self._call_loss_fn(z, logits)
        if need_grad and grad is None:
            grad = self._finite_difference_gradient(z, logits)
        return loss, grad

    def _loss_fn_labels(self, z):
        """The labels ``loss_fn`` is given: the encoded labels by default."""
        return z

    def _loss_shape(self, logits_shape):
        """Shape of the unreduced loss for logits of ``logits_shape``."""
        if self._elementwise_loss:
            return tuple(logits_shape)
        return tuple(logits_shape[:-1]) + (1,)

    def _call_loss_fn(self, z, logits):
        """``loss_fn(labels=..., logits=logits)``, its results checked.

        The loss (and the gradient, when ``loss_fn`` returns one) must be
        finite real numbers of the documented shapes: anything else is an
        error naming ``loss_fn`` and what it returned, never a NaN that
        L-BFGS stops on or a complex number cut to its real part.
        """
        out = self.loss_fn(labels=self._loss_fn_labels(z), logits=logits)
        grad = None
        if isinstance(out, tuple):
            if len(out) != 2:
                raise ValueError(
                    "loss_fn must return the per-example loss or a tuple "
                    f"(loss, gradient); got a tuple of {len(out)} items."
                )
            out, grad = out
        expected = self._loss_shape(logits.shape)
        loss = _loss_fn_output(
            out, "loss", expected,
            f"the unreduced loss of shape [D0, ..., DN, {expected[-1]}] = {expected} "
            f"for logits of shape {logits.shape}",
        )
        if grad is not None:
            grad = _loss_fn_output(
                grad, "gradient", logits.shape,
                f"the gradient of each example's loss with respect to its logits, "
                f"of the shape of the logits {logits.shape}",
            )
            grad = grad.astype(logits.dtype, copy=False)
        return loss.astype(logits.dtype, copy=False), grad

    def _finite_difference_gradient(self, z, logits):
        """Central differences of each example's loss, one logit at a time."""
        if not self._fd_warned:
            warn_outside_package(
                "loss_fn returned no gradient, so the gradient is estimated by "
                f"central finite differences ({2 * self.logits_dimension} extra "
                "loss_fn calls per evaluation). Return a tuple (loss, gradient) "
                "from loss_fn, the gradient of each example's loss with respect "
                "to its logits, to make this exact and fast.",
                UserWarning,
            )
            self._fd_warned = True
        x = logits.astype(np.float64)
        grad = np.empty_like(x)
        largest = np.finfo(np.float64).max
        for j in range(x.shape[-1]):
            step = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(x[..., j]))
            x_plus, x_minus = x.copy(), x.copy()
            with np.errstate(over="ignore"):
                # one-sided next to the largest float, never an infinite logit
                x_plus[..., j] = np.minimum(x[..., j] + step, largest)
                x_minus[..., j] = np.maximum(x[..., j] - step, -largest)
            # an element-wise loss: logit j moves loss j only
            column = j if self._elementwise_loss else 0
            loss_plus = self._call_loss_fn(z, x_plus)[0][..., column]
            loss_minus = self._call_loss_fn(z, x_minus)[0][..., column]
            grad[..., j] = (loss_plus - loss_minus) / (x_plus[..., j] - x_minus[..., j])
        return grad.astype(logits.dtype, copy=False)

    def _sum_loss_gradient(self, z, logits, w, need_grad=True, *, out=None, columns=None):
        """``sum_i w_i * loss_i`` and its gradient w.r.t. ``logits``.

        The built-in losses go through one fused kernel
        (``_fused_sum_loss_gradient``); ``out`` (which may be ``logits``)
        receives the gradient there. ``columns`` (built-in loss of a head
        whose loss is a sum over logits, multi-label) selects the logits
        columns that ``z`` and ``logits`` hold, and returns the sum of each
        column instead of the total.
        """
        if self.loss_fn is None:
            return self._fused_sum_loss_gradient(z, logits, w, need_grad, out, columns)
        if columns is not None:
            raise ValueError("columns needs a head without loss_fn.")
        loss, grad = self._unreduced_loss(z, logits, need_grad)
        if w is not None:
            loss = loss * w
            if need_grad:
                grad = grad * w
        return float(np.sum(loss, dtype=np.float64)), grad

    def _fused_sum_loss_gradient(self, z, logits, w, need_grad, out, columns):
        """``_sum_loss_gradient`` of the built-in (weighted) cross-entropy."""
        if columns is not None:
            raise ValueError(f"{type(self).__name__} has no per-column losses.")
        pos_weight = getattr(self, "_pos_weight", None)
        return _sigmoid_ce_sum_grad(
            z, logits, pos_weight, w, out=out, need_grad=need_grad,
            binary_labels=self._binary_labels and hard_labels(z),
        )

    def loss(self, labels, logits, sample_weight=None):
        """The reduced training loss.

        Parameters
        ----------
        labels : array-like
            Labels in the format of the head (see the class docstring).
        logits : array-like of shape (..., logits_dimension)
        sample_weight : array-like of shape (...,) or (..., 1), default=None
            Per-example weights (TensorFlow's ``weight_column``): finite and
            ``>= 0``. All zero is allowed, as in TensorFlow: the loss is 0,
            and the metrics of :meth:`evaluate` are 0 (``divide_no_nan``).

        Returns
        -------
        loss : float
            ``sum_i w_i * loss_i``, divided by the number of examples when
            ``loss_reduction="sum_over_batch_size"``.
        """
        z, logits, w = self._inputs(labels, logits, sample_weight)
        with np.errstate(over="ignore", invalid="ignore"):
            total, _ = self._sum_loss_gradient(z, logits, w, need_grad=False)
            loss = total * self._loss_scale(self._n_examples(logits.shape))
        if not np.isfinite(loss):
            raise self._overflow_error("loss", logits, w)
        return loss

    def loss_and_gradient(self, labels, logits, sample_weight=None):
        """The reduced training loss and its gradient w.r.t. the logits.

        Parameters
        ----------
        labels, logits, sample_weight
            As in :meth:`loss`.

        Returns
        -------
        loss : float
        gradient : ndarray, shaped like ``logits``
        """
        given = logits
        z, logits, w = self._inputs(labels, logits, sample_weight)
        input_shape = np.shape(given)  # rectangular: checked
        with np.errstate(over="ignore", invalid="ignore"):
            total, grad = self._sum_loss_gradient(z, logits, w)
            scale = self._loss_scale(self._n_examples(logits.shape))
            if scale != 1.0:
                grad = grad * grad.dtype.type(scale)
            loss = total * scale
        if not np.isfinite(loss):
            raise self._overflow_error("loss", logits, w)
        if not np.all(np.isfinite(grad)):
            raise self._overflow_error(f"gradient (in {grad.dtype})", logits, w)
        # 1-d logits of a single-logit head were taken as (n, 1)
        return loss, grad.reshape(input_shape)

    def _overflow_error(self, what, logits, w):
        """The ``ValueError`` for a loss or metric sum that overflows float64.

        The inputs are finite; only their products and sums are too large.
        The message gives their magnitudes.
        """
        sizes = [f"logits as large as {float(np.max(np.abs(logits))):.6g} in magnitude"]
        if w is not None:
            sizes.append(f"sample weights up to {float(np.max(w)):.6g}")
        pos_weight = getattr(self, "_pos_weight", None)
        if pos_weight is not None:
            sizes.append(f"pos_weight up to {float(np.max(pos_weight)):.6g}")
        return LossOverflowError(
            f"The {what} overflows (is not finite) for these finite inputs: "
            f"{', '.join(sizes)}. Scale the logits or sample_weight down "
            "(or use a smaller pos_weight)."
        )

    # ------------------------------------------------------------------
    # predictions
    def predictions(self, logits, keys=None):
        """Predictions under TensorFlow's prediction keys.

        Parameters
        ----------
        logits : array-like of shape (..., logits_dimension)
        keys : str or list of str, default=None
            The keys to return; all of them by default (and, as in
            TensorFlow, when the list is empty).

        Returns
        -------
        predictions : dict of str to ndarray
        """
        return self._checked_predictions(logits, keys)

    def _checked_predictions(self, logits, keys=None, allow_infinite=False):
        """:meth:`predictions`; ``allow_infinite`` as in :meth:`_check_logits`."""
        if keys is None:
            keys = self._prediction_keys
        elif isinstance(keys, str):
            keys = (keys,)
        elif not np.iterable(keys):
            raise TypeError(
                f"keys must be a prediction key or a list of them, from "
                f"{list(self._prediction_keys)}; got {keys!r}."
            )
        keys = tuple(keys) or self._prediction_keys  # TensorFlow's "if keys"
        unknown = [k for k in keys if not isinstance(k, str) or k not in self._prediction_keys]
        if unknown:
            raise ValueError(
                f"Unknown prediction keys {unknown}; this head predicts "
                f"{list(self._prediction_keys)}."
            )
        logits = self._check_logits(logits, allow_infinite)
        everything = self._predictions(logits, set(keys))
        return {k: everything[k] for k in self._prediction_keys if k in keys}

    # ------------------------------------------------------------------
    # metrics
    def metrics(self):
        """A fresh dict of metric key to streaming metric.

        Returns
        -------
        eval_metrics : dict of str to Metric
            Each metric has ``update_state``, ``result()``, ``reset_state()``
            and ``merge(other)``.
        """
        self._ensure_valid()
        return {key: factory(key) for key, factory in self._metric_factories()}

    def update_metrics(self, eval_metrics, logits, labels, sample_weight=None):
        """Update ``eval_metrics`` (from :meth:`metrics`) with one batch.

        Call once per batch to stream; the result equals one call on all the
        rows.

        Parameters
        ----------
        eval_metrics : dict
            As returned by :meth:`metrics`.
        logits : array-like of shape (..., logits_dimension)
        labels : array-like
        sample_weight : array-like, default=None

        Returns
        -------
        eval_metrics : dict
            The same dict, updated.
        """
        return self._update_metrics(eval_metrics, logits, labels, sample_weight)

    def _check_eval_metrics(self, eval_metrics):
        self._ensure_valid()
        if not isinstance(eval_metrics, dict):
            raise TypeError(
                "eval_metrics must be the dict returned by this head's metrics(); "
                f"got {type(eval_metrics).__name__} {eval_metrics!r:.80}."
            )
        expected = self._metric_specs()
        missing = [key for key in expected if key not in eval_metrics]
        if missing:
            raise ValueError(
                f"eval_metrics lacks the keys {missing}; create it with this "
                "head's metrics()."
            )
        for key, (kind, config, description) in expected.items():
            given = eval_metrics[key]
            if type(given) is not kind or given._config() != config:
                raise TypeError(
                    f"eval_metrics[{key!r}] is {given!r:.80}, not this head's "
                    f"{description}; create eval_metrics with this head's metrics()."
                )
        return expected

    def _update_metrics(self, eval_metrics, logits, labels, sample_weight, **options):
        expected = self._check_eval_metrics(eval_metrics)
        z, logits, w = self._inputs(labels, logits, sample_weight)
        if w is not None and logits.shape[-1] > 1:
            check_weight_total(w, n_labels=logits.shape[-1])
        with np.errstate(over="ignore", invalid="ignore"):
            loss, _ = self._unreduced_loss(z, logits, need_grad=False)
            weighted = loss if w is None else np.multiply(loss, w, dtype=np.float64)
            total = np.sum(weighted, dtype=np.float64)
        if not np.isfinite(total):
            raise self._overflow_error("weighted sum of the losses (average_loss)", logits, w)
        # all or nothing: a stream whose sums overflow leaves the metrics
        # as they were before this batch
        saved = {key: eval_metrics[key]._state() for key in expected}
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                self._update(eval_metrics, z, logits, w, loss, **options)
            for key in expected:
                eval_metrics[key].check_state()
        except BaseException:
            for key, state in saved.items():
                eval_metrics[key]._restore(state)
            raise
        return eval_metrics

    def _metric_specs(self):
        """``key -> (class, configuration, repr)`` of each metric of :meth:`metrics`.

        Computed once per set of parameters (``_validate`` clears it).
        """
        self._ensure_valid()
        if getattr(self, "_specs", None) is None:
            self._specs = {
                key: (type(metric), metric._config(), repr(metric))
                for key, metric in self.metrics().items()
            }
        return self._specs

    # ------------------------------------------------------------------
    # metrics of probabilities (any classifier's predict_proba)
    def _check_probabilities(self, probabilities):
        """``probabilities`` as a float64 array ``(..., logits_dimension)`` in [0, 1].

        What ``predictions(logits)["probabilities"]`` would be (the
        ``logistic`` column for a single-logit head, given as ``(n,)`` or
        ``(n, 1)``), from a model that has no logits; 0 and 1 are allowed.
        """
        self._ensure_valid()
        if sp.issparse(probabilities):
            raise TypeError("probabilities must be a dense array, not a sparse matrix.")
        p = _as_array(probabilities, "probabilities")
        if p.dtype.kind not in "biuf":
            raise TypeError(f"probabilities must be numeric; got dtype {p.dtype}.")
        p = p.astype(np.float64, copy=False)
        if p.ndim == 1 and self.logits_dimension == 1:
            p = p[:, None]
        if p.ndim < 2 or p.shape[-1] != self.logits_dimension:
            what = (
                "the probability of the positive class, shape (n,) or (n, 1)"
                if self.logits_dimension == 1
                else f"one probability per class, shape (n, {self.logits_dimension})"
            )
            raise ValueError(
                f"{type(self).__name__} evaluates {what}; got probabilities of "
                f"shape {p.shape}."
            )
        if p.size == 0:
            raise ValueError(f"probabilities of shape {p.shape} hold no examples.")
        ok = (p >= 0) & (p <= 1)  # False for NaN
        if not np.all(ok):
            bad = p[~ok].ravel()[0].item()
            raise ValueError(f"probabilities must be in [0, 1]; got {bad!r}.")
        return p

    def _probability_loss(self, z, probabilities):
        """The unreduced loss of ``probabilities`` (``_loss_shape``).

        The built-in losses are computed from the probabilities themselves
        (exact where they are 0 or 1); a ``loss_fn`` is given their logits,
        which must then be finite.
        """
        if self.loss_fn is None:
            return self._default_probability_loss(z, probabilities)
        with np.errstate(divide="ignore"):
            logits = self._logits_of_probabilities(probabilities)
        if not np.all(np.isfinite(logits)):
            raise ValueError(
                "A head with a loss_fn computes its average_loss from logits, but "
                "some probabilities are exactly 0 or 1, whose logits are infinite. "
                "Use a head without loss_fn, or a model whose probabilities are "
                "strictly between 0 and 1."
            )
        return self._unreduced_loss(z, logits, need_grad=False)[0]

    def _logits_of_probabilities(self, probabilities):
        """Logits whose probabilities are ``probabilities`` (sigmoid heads: the logit)."""
        return np.log(probabilities) - np.log1p(-probabilities)

    def _default_probability_loss(self, z, probabilities):
        raise TypeError(f"{type(self).__name__} does not evaluate probabilities.")

    def _update_probabilities(
        self, eval_metrics, probabilities, labels, sample_weight=None, **options
    ):
        """``update_metrics`` from a classifier's probabilities instead of logits.

        The metrics are those of :meth:`update_metrics` on logits whose
        probabilities are ``probabilities``; the loss is computed from the
        probabilities (see :meth:`_probability_loss`). Options are the head's
        ``_update`` options (``decision_threshold``, ``predicted_labels``).
        """
        self._check_eval_metrics(eval_metrics)
        z, p, w = self._probability_inputs(labels, probabilities, sample_weight)
        loss = self._probability_loss(z, p)
        self._update_from_probabilities(eval_metrics, z, p, w, loss, **options)
        return eval_metrics

    def _probability_inputs(self, labels, probabilities, sample_weight=None):
        """The validated ``(z, p, w)`` that :meth:`_update_probabilities` feeds the metrics."""
        p = self._check_probabilities(probabilities)
        z = self._encode_labels(labels, p.shape, p.dtype)
        return z, p, self._check_weights(sample_weight, p.shape, p.dtype)

    def _update_from_probabilities(self, m, z, probabilities, w, loss, **options):
        raise TypeError(f"{type(self).__name__} does not evaluate probabilities.")

    def evaluate(self, labels, logits, sample_weight=None):
        """Every metric of the head on one set of rows.

        Parameters
        ----------
        labels, logits, sample_weight
            As in :meth:`loss`.

        Returns
        -------
        results : dict of str to float
            The same as ``metrics()``, one ``update_metrics`` and ``result()``.
        """
        return self._evaluate(labels, logits, sample_weight)

    def _evaluate(self, labels, logits, sample_weight, **options):
        eval_metrics = self._update_metrics(
            self.metrics(), logits, labels, sample_weight, **options
        )
        return {key: metric.result() for key, metric in eval_metrics.items()}

    # ------------------------------------------------------------------
    # helpers for subclasses
    def _pos_weight_for(self, n_classes):
        """The validated ``pos_weight`` (None, a float or a per-class array)."""
        if self.pos_weight is None:
            return None
        if self.loss_fn is not None:
            raise ValueError(
                "pos_weight and loss_fn cannot both be set: pos_weight selects the "
                "built-in weighted cross-entropy."
            )
        pos_weight = _check_pos_weight(self.pos_weight)
        if np.ndim(pos_weight) and np.shape(pos_weight) not in ((1,), (n_classes,)):
            raise ValueError(
                f"pos_weight must be a scalar or have {n_classes} entries (one per "
                f"class); got shape {np.shape(pos_weight)}."
            )
        return pos_weight
