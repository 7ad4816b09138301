"""Multi-layer perceptrons under a head: ``MLPClassifier``, ``MLPEstimator``."""

import numbers

from sklearn.base import ClassifierMixin

from ._base_estimator import _BaseHeadEstimator
from ._targets import _GivenHead, _HeadFromTarget
from ._compat import Interval, StrOptions
from ._models import ACTIVATIONS, MLPModel


class _MLPModelMixin:
    """The MLP logits model; its weights are ``coefs_`` and ``intercepts_``."""

    #: Only the first-layer weights of columns more than a factor 4 from
    #: unit scale are preconditioned: a non-convex fit's path is left alone
    #: on moderately scaled data, and inputs in the hundreds (or 1e-3) are
    #: brought to unit scale.
    _unscaled_octaves = 2

    def _hidden_units(self):
        units = self.hidden_units
        if isinstance(units, numbers.Integral):
            units = (units,)
        if isinstance(units, (set, frozenset, dict, str, bytes)):
            # unordered (or not numbers): the layers would have no order
            raise TypeError(
                "hidden_units must be a sequence (list or tuple) of positive "
                f"integers, one per hidden layer in order; got a "
                f"{type(units).__name__}: {units!r}."
            )
        units = tuple(units)
        for u in units:
            if not isinstance(u, numbers.Integral) or isinstance(u, bool) or u < 1:
                raise ValueError(
                    f"hidden_units must be positive integers; got {self.hidden_units!r}."
                )
        return tuple(int(u) for u in units)

    def _make_model(self, n_features, n_outputs):
        return MLPModel(n_features, self._hidden_units(), n_outputs, self.activation)

    def _init_random_state(self):
        return self.random_state

    def _set_fitted(self, model, theta, dtype):
        weights, intercepts = model.unpack(theta, dtype)
        self.coefs_ = [w.copy() for w in weights]
        self.intercepts_ = [b.copy() for b in intercepts]
        # predictions use the activation the weights were fitted with, even
        # after set_params(activation=...)
        self._fitted_activation = model.activation

    def _fitted_params(self):
        if not hasattr(self, "coefs_"):
            return None
        return self.coefs_, self.intercepts_

    def _fitted_model(self):
        hidden = [w.shape[1] for w in self.coefs_[:-1]]
        n_features, n_outputs = self.coefs_[0].shape[0], self.coefs_[-1].shape[1]
        model = MLPModel(n_features, hidden, n_outputs, self._fitted_activation)
        return model, model.pack(self.coefs_, self.intercepts_)


_MLP_CONSTRAINTS = {
    **_BaseHeadEstimator._parameter_constraints,
    "hidden_units": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "random_state": ["random_state"],
}


class MLPClassifier(_HeadFromTarget, ClassifierMixin, _MLPModelMixin, _BaseHeadEstimator):
    """Multi-layer perceptron classifier with TensorFlow's binary, multi-class or multi-label head.

    ``y`` selects the head: two classes (of any type) get a
    :class:`~sklearn_heads.BinaryClassHead`, three or more a
    :class:`~sklearn_heads.MultiClassHead` (softmax), a multi-label
    indicator matrix a :class:`~sklearn_heads.MultiLabelHead` (or
    lists of labels per row: see the user guide, "Multi-label targets as
    lists"). The network (hidden layers with
    ``activation``, a linear output layer giving the logits) is fitted with
    L-BFGS on the head's weighted mean loss plus ``0.5 * alpha * sum_i
    ||coefs_[i]||^2`` (see :class:`LinearClassifier` for how sample weights
    enter it).

    Parameters
    ----------
    hidden_units : int or sequence of int, default=(100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.
    alpha : float, default=1e-4
        Strength of the L2 penalty on every weight matrix (intercepts are
        not penalised).
    pos_weight : float, array-like of shape (n_labels,) or "balanced", default=None
        Weight of the positive term of the cross-entropy (one per label for
        multi-label); binary and multi-label targets only. ``pos_weight=q``
        has the minimiser of ``class_weight={negative: 1, positive: q}``
        once ``alpha`` is matched to the different total weight (see the
        user guide). ``"balanced"``: the (``sample_weight``-weighted)
        negatives divided by the positives of each label in the training
        data, computed at fit and handed to ``head_``; a label without a
        positive or a negative example is a ``ValueError``. For string
        classes without ``pos_label``, a numeric ``pos_weight`` other than
        1 warns: the positive class is then ``classes_[1]`` by sort order
        alone.
    pos_label : int, float, bool or str, default=None
        The positive class of a binary target: the one ``pos_weight``
        weighs, ``threshold`` applies to, and ``precision``, ``recall``
        (and the other metrics of :meth:`evaluate` and the head scorers)
        are about. Default ``classes_[1]``, as in scikit-learn. It must be
        a class of ``y``; refused for multi-class and multi-label targets.
        ``classes_`` stays sorted and scikit-learn's orientation is kept:
        ``predict_proba[:, 1]`` is the probability of ``classes_[1]`` and
        :meth:`decision_function` its log-odds, also when ``pos_label`` is
        ``classes_[0]`` (then ``head_``'s logits are minus
        :meth:`decision_function`).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes of a binary or multi-class target,
        scikit-learn's meaning: ``{class: weight}`` (classes left out weigh
        1), or ``"balanced"``, ``n_samples / (n_classes * class count)``
        (counted with ``sample_weight``). Every training row's weight is
        multiplied by its class's, as in
        :class:`~sklearn.linear_model.LogisticRegression`; the metrics of
        :meth:`evaluate` and :meth:`score` are not. Refused for multi-label
        targets (use ``pos_weight``).
    threshold : float or array-like of shape (n_labels,), default=0.5
        :meth:`predict` (and the ``accuracy``, ``precision``, ``recall`` of
        :meth:`evaluate`) counts a probability above ``threshold`` as
        positive; one value per label is allowed for multi-label. Not used
        for a multi-class target (the most probable class is predicted).
    thresholds : list of float in (0, 1), default=None
        Handed to the head (binary and multi-label targets): :meth:`evaluate`
        and :func:`~sklearn_heads.make_head_scorer` then also report
        ``accuracy/positive_threshold_t``, ``precision/positive_threshold_t``
        and ``recall/positive_threshold_t`` for each ``t``. Refused for a
        multi-class target.
    classes_for_class_based_metrics : list of int or str, default=None
        Handed to the :class:`~sklearn_heads.MultiLabelHead` of a
        multi-label target: ``probability_mean``, ``auc`` and
        ``auc_precision_recall`` are also reported per class, as
        ``auc/class2`` (class ids: positions in ``classes_``) or
        ``auc/<name>`` (names, for labels given as lists of strings).
        Refused for binary and multi-class targets.
    max_iter : int, default=200
        Maximum number of L-BFGS iterations; a
        :class:`~sklearn.exceptions.ConvergenceWarning` is raised when it
        stops the fit.
    tol : float, default=1e-4
        Converged means that every component of the gradient of the
        objective is at most ``tol`` in absolute value; a fit that stops
        above it warns.
    random_state : int, RandomState instance or None, default=None
        Seeds the Glorot-uniform initial weights.
    warm_start : bool, default=False
        Start from the previous solution (when the network's shape is
        unchanged) instead of a random initialisation.
    verbose : int, default=0
        If positive, print the objective after each iteration.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or (n_labels,)
        Binary and multi-class: the sorted classes (``classes_[1]`` is the
        positive one of two unless ``pos_label`` says otherwise).
        Multi-label: ``arange(n_labels)`` for an indicator matrix; the
        sorted distinct labels for lists of labels (the columns of
        :meth:`predict`, as :class:`~sklearn.preprocessing.MultiLabelBinarizer`
        orders them).
    head_ : BinaryClassHead, MultiClassHead or MultiLabelHead
        The fitted head; :meth:`evaluate` reports its metrics.
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (fan_in, fan_out): the weights of layer ``i``.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (fan_out,).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.
    n_iter_ : int
        Number of L-BFGS iterations.
    loss_curve_ : list of float
        The objective after each iteration.

    See Also
    --------
    MLPEstimator : The same network with any head.
    LinearClassifier : The linear model with the same heads.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_heads import MLPClassifier
    >>> X, y = make_classification(random_state=0)
    >>> clf = MLPClassifier((8,), alpha=0.1, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **_MLP_CONSTRAINTS,
        "pos_weight": [
            None, Interval(numbers.Real, 0, None, closed="left"), "array-like",
            StrOptions({"balanced"}),
        ],
        "pos_label": [None, numbers.Real, str, "boolean"],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "thresholds": [None, "array-like"],
        "classes_for_class_based_metrics": [None, "array-like"],
    }

    def __init__(
        self,
        hidden_units=(100,),
        *,
        activation="relu",
        alpha=1e-4,
        pos_weight=None,
        pos_label=None,
        class_weight=None,
        threshold=0.5,
        thresholds=None,
        classes_for_class_based_metrics=None,
        max_iter=200,
        tol=1e-4,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.hidden_units = hidden_units
        self.activation = activation
        self.alpha = alpha
        self.pos_weight = pos_weight
        self.pos_label = pos_label
        self.class_weight = class_weight
        self.threshold = threshold
        self.thresholds = thresholds
        self.classes_for_class_based_metrics = classes_for_class_based_metrics
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class MLPEstimator(_GivenHead, _MLPModelMixin, _BaseHeadEstimator):
    """Multi-layer perceptron trained under any head.

    The head answers for the task: a classifier with a
    :class:`~sklearn_heads.BinaryClassHead`,
    :class:`~sklearn_heads.MultiClassHead` or
    :class:`~sklearn_heads.MultiLabelHead`; a scikit-learn regressor with a
    :class:`~sklearn_heads.RegressionHead`,
    :class:`~sklearn_heads.PoissonRegressionHead` or
    :class:`~sklearn_heads.LogisticRegressionHead` (``predict`` after the
    head's inverse link, see :class:`LinearEstimator`). The head is a
    parameter, so ``GridSearchCV(est, {"head__pos_weight": [1, 3]})`` works.

    Parameters
    ----------
    head : head instance
        Any head of the package but ``MultiHead``: it defines the loss, the
        predictions, the metrics and the task; it is cloned (as
        ``head_``) at fit.
    hidden_units : int or sequence of int, default=(100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of the hidden layers.
    alpha : float, default=1e-4
        Strength of the L2 penalty on every weight matrix.
    threshold : float or array-like of shape (n_labels,), default=0.5
        Decision threshold on the probability (binary and multi-label heads
        only), as in :class:`MLPClassifier`.
    max_iter : int, default=200
        Maximum number of L-BFGS iterations.
    tol : float, default=1e-4
        Converged means that every component of the gradient of the
        objective is at most ``tol`` in absolute value; a fit that stops
        above it warns.
    random_state : int, RandomState instance or None, default=None
        Seeds the Glorot-uniform initial weights.
    warm_start : bool, default=False
        Start from the previous solution when the network's shape is
        unchanged.
    verbose : int, default=0
        If positive, print the objective after each iteration.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or (n_labels,)
        Classification heads only: the classes (the head's
        ``label_vocabulary`` when it has one; for a ``MultiClassHead``
        without one, ``arange(n_classes)``).
    head_ : head instance
        The fitted clone of ``head``.
    coefs_ : list of ndarray
    intercepts_ : list of ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.
    n_iter_ : int
    loss_curve_ : list of float

    See Also
    --------
    MLPClassifier : Chooses the head from ``y``.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.preprocessing import scale
    >>> from sklearn_heads import MLPEstimator, MultiLabelHead
    >>> X, Y = make_multilabel_classification(n_classes=3, random_state=0)
    >>> est = MLPEstimator(MultiLabelHead(n_classes=3), (8,), alpha=0.1, random_state=0)
    >>> est.fit(scale(X), Y).predict(scale(X)[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        **_MLP_CONSTRAINTS,
        "head": "no_validation",  # checked at fit: any head of the package
    }

    def __init__(
        self,
        head,
        hidden_units=(100,),
        *,
        activation="relu",
        alpha=1e-4,
        threshold=0.5,
        max_iter=200,
        tol=1e-4,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.head = head
        self.hidden_units = hidden_units
        self.activation = activation
        self.alpha = alpha
        self.threshold = threshold
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
