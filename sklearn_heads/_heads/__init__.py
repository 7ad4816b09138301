"""The heads: loss, predictions and metrics on top of a logits model."""

from ._base import Reduction
from ._binary import BinaryClassHead, binary_classification_head
from ._logistic import LogisticRegressionHead
from ._multi_label import MultiLabelHead

__all__ = [
    "BinaryClassHead",
    "LogisticRegressionHead",
    "MultiLabelHead",
    "Reduction",
    "binary_classification_head",
]
