"""Every private scikit-learn name this package uses, imported in one place.

These names are not part of scikit-learn's public API and move between
releases; when one does, only this module needs a fix.
"""

from sklearn.base import _fit_context
from sklearn.metrics._scorer import _BaseScorer
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
)

__all__ = [
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_BaseScorer",
    "_check_feature_names",
    "_check_n_features",
    "_check_sample_weight",
    "_fit_context",
]
