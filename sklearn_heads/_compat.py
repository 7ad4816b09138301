"""Every private scikit-learn name, and every version switch, in one place.

Private scikit-learn names are not part of its public API and change
between releases. The package supports scikit-learn 1.6 and later (and the
NumPy and SciPy releases they allow): where something behaves differently
across that range, the switch on ``SKLEARN_VERSION`` or ``NUMPY_VERSION``
lives here, so the rest of the package imports one stable name from this
module.

Why not the ``sklearn-compat`` package: it backports scikit-learn's public
helpers for releases older than 1.6 (``validate_data``, tags), which the
floor of 1.6 already has; the two names that break across 1.6 to 1.9
(``_check_sample_weight``'s ``allow_all_zero_weights`` keyword and the
scorer base class) are not in it. A dependency for three re-exports would
not pay for itself.
"""

import math
import numbers
import warnings

import numpy as np
import sklearn
from sklearn.base import _fit_context
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils._param_validation import InvalidParameterError, StrOptions, validate_params
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
)
from sklearn.utils.validation import _check_sample_weight as _sklearn_check_sample_weight


def _release(version):
    """``(major, minor)`` of a version string such as ``"1.9.1"`` or ``"1.10.dev0"``."""
    major, minor = version.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


#: ``(major, minor)`` of the installed scikit-learn.
SKLEARN_VERSION = _release(sklearn.__version__)
#: ``(major, minor)`` of the installed NumPy.
NUMPY_VERSION = _release(np.__version__)


class Interval(_SklearnInterval):
    """scikit-learn's ``Interval`` constraint, for every ``numbers.Real``.

    Its membership test calls ``np.isnan`` on the value, which raises
    ``TypeError`` for real numbers NumPy cannot convert implicitly (a
    ``fractions.Fraction``). Here they are compared as floats (a Fraction
    beyond the float range as an infinity), so ``alpha=Fraction(1, 10)`` is
    checked like ``alpha=0.1``.
    """

    def __contains__(self, val):
        if isinstance(val, numbers.Real) and not isinstance(
            val, (numbers.Integral, float, np.floating)
        ):
            try:
                val = float(val)
            except OverflowError:
                val = math.copysign(math.inf, val)
        return super().__contains__(val)


def asarray(values):
    """``np.asarray(values)``; ragged nested sequences raise ``ValueError``.

    NumPy 1.24 and later raise for ragged lists; earlier releases return an
    object array and emit a ``VisibleDeprecationWarning`` instead, which is
    turned into the error here.
    """
    if NUMPY_VERSION >= (1, 24) or not isinstance(values, (list, tuple)):
        return np.asarray(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.VisibleDeprecationWarning)
        try:
            return np.asarray(values)
        except np.VisibleDeprecationWarning as exc:
            raise ValueError(str(exc)) from None


def check_sample_weight(sample_weight, X, dtype):
    """``sample_weight`` as a 1-d float array of ``len(X)``; all zeros allowed.

    Scikit-learn 1.9 refuses all-zero weights unless told
    ``allow_all_zero_weights=True``; earlier releases accept them and do
    not know the keyword. The estimators check the total themselves, with
    their own message (see ``_validation.require_positive_weight``).
    """
    if SKLEARN_VERSION >= (1, 9):
        return _sklearn_check_sample_weight(
            sample_weight, X, dtype=dtype, allow_all_zero_weights=True
        )
    return _sklearn_check_sample_weight(sample_weight, X, dtype=dtype)


__all__ = [
    "NUMPY_VERSION",
    "SKLEARN_VERSION",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_BaseScorer",
    "_check_feature_names",
    "_check_n_features",
    "_fit_context",
    "asarray",
    "check_sample_weight",
    "validate_params",
]
