"""sklearn_heads: TensorFlow estimator heads as scikit-learn estimators.

A *head* owns the loss (sigmoid cross-entropy, optionally weighted with
``pos_weight``, softmax cross-entropy, squared error, log-Poisson, or
several heads' together), its reduction, label handling, predictions and
TensorFlow's evaluation metrics; the estimators pair a linear or MLP logits
model with a head and train it with SciPy's L-BFGS.
"""

from ._heads import (
    BinaryClassHead,
    LogisticRegressionHead,
    MultiClassHead,
    MultiHead,
    MultiLabelHead,
    PoissonRegressionHead,
    Reduction,
    RegressionHead,
    binary_classification_head,
)
from ._estimators import LinearClassifier, LinearEstimator, MLPClassifier, MLPEstimator
from ._evaluation import evaluate
from ._losses import sigmoid_cross_entropy_with_logits, weighted_cross_entropy_with_logits
from ._onnx import to_onnx
from ._persistence import skops_trusted_types
from ._scorers import make_head_scorer
from ._show_versions import show_versions
from . import metrics  # noqa: F401  (sklearn_heads.metrics, a public module)

__version__ = "0.1.0.dev0"

__all__ = [
    "BinaryClassHead",
    "LinearClassifier",
    "LinearEstimator",
    "LogisticRegressionHead",
    "MLPClassifier",
    "MLPEstimator",
    "MultiClassHead",
    "MultiHead",
    "MultiLabelHead",
    "PoissonRegressionHead",
    "Reduction",
    "RegressionHead",
    "binary_classification_head",
    "evaluate",
    "make_head_scorer",
    "show_versions",
    "skops_trusted_types",
    "to_onnx",
    "sigmoid_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
    "__version__",
]
