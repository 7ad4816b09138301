"""The scikit-learn estimators (defined in ``_linear.py`` and ``_mlp.py``)."""

from ._linear import LinearClassifier, LinearEstimator
from ._mlp import MLPClassifier, MLPEstimator

__all__ = ["LinearClassifier", "LinearEstimator", "MLPClassifier", "MLPEstimator"]
