"""Checks of sample weights and class labels shared by every input path.

A neutral module: the estimators (``_base_estimator``) and the optional
backends (``_dask``) both use it, and it imports neither, so that a
backend never imports the estimators back.
"""

import contextlib
import numbers
import re

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from ._compat import check_sample_weight


def _first_complex(value):
    """The first complex number (with a non-zero imaginary part if any) in ``value``.

    None if ``value`` holds no complex numbers.
    """
    if sp.issparse(value):
        array = value.data if value.dtype.kind == "c" else np.zeros(0)
    else:
        try:
            array = np.asarray(value)
        except Exception:  # ragged lists and other oddities: not complex
            return None
    if array.dtype.kind == "O":
        found = [
            v for v in array.reshape(-1)
            if isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real)
        ]
        array = np.asarray(found, dtype=complex)
    elif array.dtype.kind != "c":
        return None
    if array.size == 0:
        return None
    flat = array.reshape(-1)
    imaginary = np.flatnonzero(flat.imag)
    return complex(flat[imaginary[0] if imaginary.size else 0])


@contextlib.contextmanager
def argument_named(arguments, culprit=None):
    """Errors of scikit-learn's input validation, naming the argument at fault.

    ``arguments`` maps the names of the arguments being validated to their
    values; ``culprit(exc)`` (default: the only argument) says which one
    failed. scikit-learn's messages often do not say ("Expected 2D array,
    got scalar array instead", "could not convert string to float: 'abc'",
    "Complex data not supported" followed by the whole array); those are
    raised again, of the same type, as "Invalid X: <the message>" (a
    complex number: "Complex data not supported: X must be real numbers;
    ..."). Messages that name the argument are left as they are.

    NumPy's floating-point warnings are silenced meanwhile: scikit-learn's
    finiteness check sums ``X`` first, which warns "invalid value" for
    ``inf - inf`` just before it raises its own, clear, error.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            yield
    except (ValueError, TypeError) as exc:
        if type(exc) not in (ValueError, TypeError):
            raise  # scikit-learn's own error classes, ours: already clear
        message = str(exc)
        if "Complex data not supported" in message:
            for name, value in arguments.items():
                found = _first_complex(value)
                if found is not None:
                    raise ValueError(
                        f"Complex data not supported: {name} must be real numbers; got "
                        f"complex values such as {found!r}. Pass {name}.real if the "
                        "imaginary parts are zero (they are not dropped silently)."
                    ) from None
        if "inconsistent numbers of samples" in message:
            rows = ", ".join(f"{name} has {n_rows(value)}" for name, value in arguments.items())
            raise ValueError(
                f"{' and '.join(arguments)} must have one row per sample ({rows}): "
                f"{message}"
            ) from None
        name = culprit(exc) if culprit is not None else next(iter(arguments))
        if re.search(rf"\b{re.escape(name)}\b", message):
            raise
        raise type(exc)(f"Invalid {name}: {message}") from None


def x_or_y(X):
    """Which of ``X`` and ``y`` failed ``validate_data``: ``X`` if it fails alone."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32])
    except (ValueError, TypeError):
        return "X"
    return "y"


def n_rows(value):
    """The number of rows of ``value``, for messages ("no rows" if it has none)."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape):
        return shape[0]
    try:
        return len(value)
    except TypeError:
        return "no rows"


def max_abs(X):
    """The largest absolute value of ``X`` (dense or sparse), for messages."""
    data = X.data if sp.issparse(X) else X
    with np.errstate(invalid="ignore"):
        return float(np.max(np.abs(data), initial=0.0))


def check_output_logits(logits, X=None, *, allow_infinite=True):
    """Logits computed from ``X`` by a fitted model: no NaN (nor infinity).

    An infinite logit (``X @ coef_`` beyond the largest float) still has a
    well-defined probability, 0 or 1, and class; a NaN logit (an infinity
    minus another) has none, and the loss of an infinite logit on the wrong
    side of the boundary cannot be computed. The message is about ``X`` and
    the coefficients, which are finite: their products overflowed.
    """
    bad = np.isnan(logits) if allow_infinite else ~np.isfinite(logits)
    if not np.any(bad):
        return logits
    index = tuple(np.argwhere(bad)[0])
    row, value = int(index[0]), logits[index].item()
    size = "" if X is None else f" (X has values as large as {max_abs(X):.3g} in magnitude)"
    what = (
        "an infinity minus another, NaN" if np.isnan(value)
        else f"{value!r}, so the loss cannot be computed"
    )
    raise ValueError(
        f"The logits of X overflow at row {row}: X times the model's finite "
        f"coefficients exceeds the largest float{size}, and gives {what}. X is "
        "far outside the scale the model was fitted on: scale X as the training "
        "data were scaled (for example with sklearn.preprocessing.StandardScaler "
        "in a pipeline)."
    )


def check_sample_weight_values(sample_weight, X, dtype, offset=0):
    """``sample_weight`` checked by scikit-learn, then for sign.

    ``offset`` is the index of ``X``'s first row in the whole data (for a
    row chunk of Dask input), so that errors name the global index. The
    total is checked by the head that uses the weights (whose sums it
    computes), after a fit has divided them by their largest where their
    scale does not matter (see ``_objective.scale_free_weights``).
    """
    if isinstance(sample_weight, numbers.Number) and not isinstance(
        sample_weight, (numbers.Real, np.bool_)
    ):  # scikit-learn fills an array with a scalar, dropping an imaginary part
        raise ValueError(
            "Complex data not supported: sample_weight must be real numbers; got "
            f"{sample_weight!r}."
        )
    try:
        with argument_named({"sample_weight": sample_weight}):
            sample_weight = check_sample_weight(sample_weight, X, dtype)
    except ValueError as exc:
        if "sample_weight.shape ==" not in str(exc):
            raise
        raise ValueError(
            f"sample_weight must have one weight per row of X ({n_rows(X)} rows): {exc}"
        ) from None
    negative = sample_weight < 0
    if np.any(negative):
        index = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"sample_weight must be >= 0; got {sample_weight[index].item()!r} at "
            f"index {offset + index}."
        )
    return sample_weight


def require_positive_weight(any_positive, n_samples):
    """Refuse weights that are all zero (``any_positive`` false)."""
    if not any_positive:
        raise ValueError(
            f"sample_weight is all zero ({n_samples} zeros): the "
            "weighted mean loss and every metric divide by the sum of the "
            "weights. Give at least one sample a positive weight."
        )


def validate_sample_weight(sample_weight, X, dtype):
    """``sample_weight`` checked by scikit-learn, then for sign and a positive total.

    The estimators fit and evaluate weighted *means* (the sum of weighted
    losses divided by the sum of the weights), so the weights must be
    non-negative with a positive sum.
    """
    sample_weight = check_sample_weight_values(sample_weight, X, dtype)
    require_positive_weight(np.any(sample_weight), sample_weight.shape[0])
    return sample_weight
