"""Scikit-learn scorers that report one of a head's evaluation metrics."""

from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._compat import _BaseScorer

#: Metric keys (before any ``/<suffix>``) where smaller is better.
_LOSS_KEYS = frozenset({"average_loss", "loss"})


def _is_loss_key(key):
    return key.split("/", 1)[0] in _LOSS_KEYS


def _head_metric(y_true, y_pred, sample_weight=None):
    """Placeholder score function: it only declares the metadata accepted.

    :class:`_HeadScorer` computes the score itself; scikit-learn reads this
    signature to learn that the scorer accepts ``sample_weight``.
    """
    raise NotImplementedError  # pragma: no cover


def _head_estimator(estimator, X=None):
    """The sklearn_heads estimator at the end of ``estimator``, and ``X`` for it.

    ``X`` is passed through the transforms of the pipelines on the way
    (when given).
    """
    while not hasattr(estimator, "_evaluate_logits"):
        if isinstance(estimator, Pipeline):
            if X is not None and len(estimator.steps) > 1:
                X = estimator[:-1].transform(X)
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        else:
            raise TypeError(
                "Head scorers evaluate the head of a LinearClassifier, "
                "MLPClassifier, LinearEstimator or MLPEstimator, or of a Pipeline "
                f"ending in one; got {type(estimator).__name__}."
            )
    return estimator, X


class _HeadScorer(_BaseScorer):
    """``head_.evaluate(y, logits, sample_weight)[key]``, negated for losses.

    The logits come from ``decision_function``, called through scikit-learn's
    response cache for classifiers, so a multi-metric dict of head scorers
    computes them once; a regressor (which has no ``decision_function``)
    gives its head's logits.
    """

    def __init__(self, key):
        super().__init__(
            score_func=_head_metric,
            sign=-1 if _is_loss_key(key) else 1,
            kwargs={},
            # regressors have no decision_function: scikit-learn checks that
            # an estimator has one of these before scoring it
            response_method=("decision_function", "predict"),
        )
        self._key = key

    def __repr__(self):
        return f"make_head_scorer({self._key!r})"

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if is_classifier(estimator):
            final, _ = _head_estimator(estimator)
            check_is_fitted(final)
            logits = method_caller(estimator, "decision_function", X)
        else:
            # a regressor has no decision_function: the logits of its head,
            # after the pipeline's transforms
            final, Xt = _head_estimator(estimator, X)
            check_is_fitted(final)
            logits = final._predict_logits(Xt)
        metrics = final._evaluate_logits(logits, y_true, kwargs.get("sample_weight"))
        if self._key not in metrics:
            raise ValueError(
                f"{self._key!r} is not a metric of {final.head_!r}; its metrics "
                f"are {sorted(metrics)}."
            )
        return self._sign * metrics[self._key]


def make_head_scorer(key):
    """A scorer reporting the metric ``key`` of a fitted estimator's head.

    The scorer computes the logits of ``X`` with the estimator's
    ``decision_function`` (for a regression head, which has none, the
    logits of the head, after the pipeline's transforms) and returns ``head_.evaluate(y, logits,
    sample_weight)[key]`` (what :meth:`LinearClassifier.evaluate` returns),
    so binary ``accuracy``, ``precision`` and ``recall`` use the estimator's
    ``threshold``. It works on the estimators of this package and on
    pipelines ending in one.

    Parameters
    ----------
    key : str
        A metric key of the head, such as ``"auc_precision_recall"``,
        ``"precision"``, ``"recall/positive_threshold_0.3"``, ``"auc/class2"``
        or ``"average_loss/<name>"``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``, usable as
        ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` and
        :func:`~sklearn.model_selection.cross_validate`, alone or in a dict.
        Loss keys (``average_loss``) are negated, since scikit-learn
        maximises scores. With metadata routing enabled, request sample
        weights with ``scorer.set_score_request(sample_weight=True)``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn_heads import LinearClassifier, make_head_scorer
    >>> X, y = make_classification(random_state=0)
    >>> scorer = make_head_scorer("auc_precision_recall")
    >>> scores = cross_val_score(LinearClassifier(alpha=0.01), X, y, scoring=scorer)
    >>> bool(scores.mean() > 0.8)
    True
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty string; got {key!r}.")
    return _HeadScorer(key)
