"""What serving a fitted estimator computes, independent of any runtime.

:func:`serving` reads a fitted estimator into a :class:`ServingSpec`: the
logits model's layers, and the head's transform of the logits into what
``predict`` and ``predict_proba`` return. The ONNX converter writes that
out; nothing here imports ONNX.
"""

import numpy as np
from scipy.special import expit, logit
from sklearn.utils.validation import check_is_fitted


class ServingSpec:
    """The computation behind ``predict`` and ``predict_proba``.

    Attributes
    ----------
    weights, intercepts : list of ndarray
        The layers: ``a = act(a @ W + b)`` for all but the last, whose
        output is the logits.
    activation : str or None
        The hidden layers' activation (``"relu"``, ``"tanh"``,
        ``"logistic"``, ``"identity"``); None for a linear model.
    classifier : bool
        Outputs ``label`` and ``probabilities`` (else ``variable``).
    link : {"sigmoid", "softmax", "exp", None}
        From logits to probabilities (classifiers) or predictions.
    logit_thresholds : ndarray or None
        Sigmoid classifiers: a logit above it is the positive class
        (``logit(threshold)``, one per label).
    label_values : ndarray or None
        ``classes_`` indexed by the decision; None for multi-label (the
        label is the 0/1 indicator).
    label_width : int or None
        None for one label per row, else the number of labels.
    proba_width, output_width : int
        Columns of ``probabilities`` / ``variable``.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _links(inverse_link_fn):
    if inverse_link_fn is None:
        return None
    for name, functions in (("exp", (np.exp,)), ("sigmoid", (expit,))):
        if any(inverse_link_fn is f for f in functions):
            return name
    raise ValueError(
        f"A RegressionHead with inverse_link_fn={inverse_link_fn!r} cannot be "
        "exported: an arbitrary Python function has no ONNX form. Export supports "
        "inverse_link_fn=None, numpy.exp and scipy.special.expit."
    )


def serving(estimator):
    """The :class:`ServingSpec` of a fitted estimator of this package."""
    from .. import (
        BinaryClassHead,
        LogisticRegressionHead,
        MultiClassHead,
        MultiLabelHead,
        PoissonRegressionHead,
        RegressionHead,
    )

    check_is_fitted(estimator)
    model, theta = estimator._fitted_model()
    weights, intercepts = model.unpack(theta)
    layers = {
        "weights": [np.asarray(W) for W in weights],
        "intercepts": [None if b is None else np.asarray(b) for b in intercepts],
        "activation": getattr(model, "activation", None),
    }
    head = estimator.head_
    k = head.logits_dimension
    if isinstance(head, (BinaryClassHead, MultiLabelHead)):
        threshold = np.broadcast_to(np.asarray(estimator.threshold, dtype=np.float64), (k,))
        binary = isinstance(head, BinaryClassHead)
        if estimator._head_flips():
            # the threshold is on the probability of pos_label, classes_[0]
            threshold = 1.0 - threshold
        return ServingSpec(
            classifier=True, link="sigmoid", logit_thresholds=logit(threshold),
            label_values=np.asarray(estimator.classes_) if binary else None,
            label_width=None if binary else k, proba_width=2 if binary else k,
            **layers,
        )
    if isinstance(head, MultiClassHead):
        return ServingSpec(
            classifier=True, link="softmax", logit_thresholds=None,
            label_values=np.asarray(estimator.classes_), label_width=None, proba_width=k,
            **layers,
        )
    if isinstance(head, LogisticRegressionHead):
        link = "sigmoid"
    elif isinstance(head, PoissonRegressionHead):
        link = "exp"
    elif isinstance(head, RegressionHead):
        link = _links(head.inverse_link_fn)
    else:
        raise TypeError(f"{type(head).__name__} has no ONNX export.")
    return ServingSpec(classifier=False, link=link, output_width=k, **layers)
