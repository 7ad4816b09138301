"""The heads: loss, predictions and metrics on top of a logits model."""

from ._base import Reduction
from ._binary import BinaryClassHead, binary_classification_head
from ._logistic import LogisticRegressionHead
from ._multi_class import MultiClassHead
from ._multi_head import MultiHead
from ._multi_label import MultiLabelHead
from ._poisson import PoissonRegressionHead
from ._regression import RegressionHead

__all__ = [
    "BinaryClassHead",
    "LogisticRegressionHead",
    "MultiClassHead",
    "MultiHead",
    "MultiLabelHead",
    "PoissonRegressionHead",
    "Reduction",
    "RegressionHead",
    "binary_classification_head",
]
