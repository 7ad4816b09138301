"""Scikit-learn scorers that report one of a head's evaluation metrics."""

import numpy as np

from ._compat import _BaseScorer
from ._evaluation import metric_dict
from ._heads import BinaryClassHead
from ._heads._labels import binary_indicator
from ._metric_keys import LOSSES, missing_key_message, parse_key


class _DecisionMetric:
    """The score function of a head scorer: its key from class decisions.

    ``score(y_true, y_pred)`` with ``y_pred`` the predicted class labels,
    as :class:`~sklearn.model_selection.TunedThresholdClassifierCV` calls a
    scorer's score function at each candidate threshold. Only keys that
    depend on the decisions (``accuracy``, ``precision``, ``recall`` of a
    binary head) can be computed from them; the scorer itself computes
    every key from the model (see :class:`_HeadScorer`).
    """

    def __init__(self, key):
        self.key = key
        self.__name__ = f"head_metric({key!r})"

    def __repr__(self):
        return self.__name__

    def __call__(self, y_true, y_pred, *, sample_weight=None, pos_label=None):
        parsed = parse_key(self.key)
        if not parsed.depends_on_decisions:
            raise ValueError(
                f"make_head_scorer({self.key!r}) scores a model's probabilities, not "
                "its decisions at one threshold; TunedThresholdClassifierCV and other "
                "callers of the score function on predicted labels need a key that "
                "depends on the decision threshold: 'accuracy', 'precision' or "
                "'recall' (with '/<head name>' for a named head)."
            )
        head = BinaryClassHead(name="/".join(parsed.rest) or None)
        labels = binary_indicator(y_true, pos_label)
        decisions = binary_indicator(y_pred, pos_label, "y_pred")
        if decisions.shape != labels.shape:
            raise ValueError(
                f"y_true has {labels.shape[0]} samples but y_pred has {decisions.shape[0]}."
            )
        # a model whose probabilities are its decisions
        eval_metrics = head._update_probabilities(
            head.metrics(), decisions, labels, sample_weight, predicted_labels=decisions
        )
        return eval_metrics[self.key].result()


class _HeadScorer(_BaseScorer):
    """The metric ``key`` of the head that evaluates a fitted model, negated for losses.

    The model's logits (this package's estimators) or probabilities (any
    other classifier), and its decisions where the key counts them, come
    through scikit-learn's response cache, so a multi-metric dict of head
    scorers computes each once.
    """

    def __init__(self, key, pos_label=None):
        self._parsed = parse_key(key)
        super().__init__(
            score_func=_DecisionMetric(key),
            sign=-1 if self._parsed.base in LOSSES else 1,
            kwargs={} if pos_label is None else {"pos_label": pos_label},
            # what the scorer asks the model for, by preference (scikit-learn
            # reads it to decide whether a multi-metric search caches them)
            response_method=("decision_function", "predict_proba", "predict"),
        )
        self._key = key

    def __repr__(self):
        pos_label = self._kwargs.get("pos_label")
        extra = "" if pos_label is None else f", pos_label={pos_label!r}"
        return f"make_head_scorer({self._key!r}{extra})"

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        metrics, head, owner = metric_dict(
            estimator,
            X,
            y_true,
            kwargs.get("sample_weight"),
            key=self._parsed,
            pos_label=kwargs.get("pos_label", self._kwargs.get("pos_label")),
            decisions=self._parsed.depends_on_decisions,
            method_caller=method_caller,
        )
        if self._key not in metrics:
            raise ValueError(missing_key_message(self._key, head, metrics, owner))
        return self._sign * metrics[self._key]


def make_head_scorer(key, *, pos_label=None):
    """A scorer reporting the TensorFlow metric ``key`` of any fitted classifier.

    The scorer computes what :func:`sklearn_heads.evaluate` computes and
    returns ``key``:

    * for the estimators of this package (alone, or in a
      :class:`~sklearn.pipeline.Pipeline`, a fitted search or a
      :class:`~sklearn.frozen.FrozenEstimator`), their head's metric on
      their logits, what their ``evaluate`` returns, so the binary
      ``accuracy``, ``precision`` and ``recall`` use the estimator's
      ``threshold``;
    * inside a :class:`~sklearn.model_selection.FixedThresholdClassifier`
      or :class:`~sklearn.model_selection.TunedThresholdClassifierCV`,
      those three count the wrapper's decisions, at its threshold;
    * for any other classifier (:class:`~sklearn.ensemble.HistGradientBoostingClassifier`,
      :class:`~sklearn.calibration.CalibratedClassifierCV`, a
      :class:`~sklearn.ensemble.StackingClassifier`, ...), the metric of a
      binary, multi-label or multi-class head on its ``predict_proba``, with
      the decisions of its ``predict``; the head has the threshold, class
      and name that ``key`` names (``"recall/positive_threshold_0.3"``
      needs no option).

    The scorer also has a score function of class decisions, so that
    ``TunedThresholdClassifierCV(scoring=make_head_scorer("recall"))`` tunes
    a threshold for a head metric (only ``accuracy``, ``precision`` and
    ``recall`` depend on it).

    Parameters
    ----------
    key : str
        A metric key of the heads: ``average_loss``, ``accuracy``,
        ``precision``, ``recall``, ``prediction/mean``, ``label/mean``,
        ``accuracy_baseline``, ``auc``, ``auc_precision_recall``, then
        ``/positive_threshold_<t>`` (accuracy, precision, recall), ``/<class>``
        (``auc/class2``, ``probability_mean/class2`` of a multi-label head)
        or ``/<head name>``. Checked now: a key no head can report raises
        a :class:`ValueError` that suggests the closest valid key.
    pos_label : int, float, bool or str, default=None
        The positive class of a binary model without a head of its own
        (default: its ``pos_label`` if it has one, else ``classes_[1]``);
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV` also
        reads it, as it reads the ``pos_label`` of :func:`~sklearn.metrics.make_scorer`.
        For an estimator of this package it must be its positive class.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``, usable as
        ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` and
        :func:`~sklearn.model_selection.cross_validate`, alone or in a dict.
        Loss keys (``average_loss``) are negated, since scikit-learn
        maximises scores. With metadata routing enabled, request sample
        weights with ``scorer.set_score_request(sample_weight=True)``.

    Raises
    ------
    ValueError
        When scoring, if the model's head does not report ``key``; the
        message names the head option that adds it (``thresholds``,
        ``classes_for_class_based_metrics``, ``name``).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn_heads import LinearClassifier, make_head_scorer
    >>> X, y = make_classification(random_state=0)
    >>> scorer = make_head_scorer("auc_precision_recall")
    >>> scores = cross_val_score(LinearClassifier(alpha=0.01), X, y, scoring=scorer)
    >>> bool(scores.mean() > 0.8)
    True
    >>> hgb = HistGradientBoostingClassifier(max_iter=20)
    >>> bool(cross_val_score(hgb, X, y, scoring=scorer).mean() > 0.8)
    True
    >>> make_head_scorer("acuracy")
    Traceback (most recent call last):
    ...
    ValueError: 'acuracy' is not a metric key of the heads: it starts with no base key; did you mean 'accuracy'? ...
    """
    return _HeadScorer(key, pos_label=pos_label)
