"""Checks of sample weights and class labels shared by every input path.

A neutral module: the estimators (``_base_estimator``) and the optional
backends (``_dask``) both use it, and it imports neither, so that a
backend never imports the estimators back.
"""

import numpy as np

from ._compat import check_sample_weight


def check_sample_weight_values(sample_weight, X, dtype, offset=0):
    """``sample_weight`` checked by scikit-learn, then for sign.

    ``offset`` is the index of ``X``'s first row in the whole data (for a
    row chunk of Dask input), so that errors name the global index. The
    total is checked by the head that uses the weights (whose sums it
    computes), after a fit has divided them by their largest where their
    scale does not matter (see ``_objective.scale_free_weights``).
    """
    try:
        sample_weight = check_sample_weight(sample_weight, X, dtype)
    except ValueError as exc:
        if "sample_weight" in str(exc) or "Sample weights" in str(exc):
            raise
        raise ValueError(f"Invalid sample_weight: {exc}") from None
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
