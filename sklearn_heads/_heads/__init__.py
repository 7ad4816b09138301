"""The heads: loss, predictions and metrics on top of a logits model."""

from ._base import Reduction
from ._binary import BinaryClassHead, binary_classification_head
from ._logistic import LogisticRegressionHead
from ._multi_class import MultiClassHead
from ._multi_label import MultiLabelHead

__all__ = [
    "BinaryClassHead",
    "LogisticRegressionHead",
    "MultiClassHead",
    "MultiLabelHead",
    "Reduction",
    "binary_classification_head",
]
