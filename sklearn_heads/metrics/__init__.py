"""TensorFlow's evaluation metrics as functions, for the probabilities of any model.

Each function returns what TensorFlow's binary (``y_prob`` of shape
``(n,)``) or multi-label (``(n, k)``) head reports under the matching key,
computed by the same streaming metrics the heads use. They take
probabilities, so they work with :func:`sklearn.metrics.make_scorer` and
``response_method="predict_proba"`` on any classifier::

    from sklearn.metrics import make_scorer
    from sklearn_heads import metrics

    scorer = make_scorer(metrics.auc_precision_recall, response_method="predict_proba")

See :func:`sklearn_heads.evaluate` for the whole metric dict of a fitted
model, and :func:`sklearn_heads.make_head_scorer` for any key as a scorer.
"""

from ._classification import (
    accuracy_at_threshold,
    accuracy_baseline,
    auc,
    auc_precision_recall,
    precision_at_threshold,
    recall_at_threshold,
)

__all__ = [
    "accuracy_at_threshold",
    "accuracy_baseline",
    "auc",
    "auc_precision_recall",
    "precision_at_threshold",
    "recall_at_threshold",
]
