"""Multi-layer perceptrons under a head: ``MLPClassifier``, ``MLPEstimator``."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import validate_data

from ._adam import (
    Adam,
    MiniBatchState,
    ValidationMonitor,
    train_adam,
    validation_objective,
)
from ._backend import input_backend
from ._base_estimator import _BaseHeadEstimator
from ._compat import Interval, StrOptions, _fit_context
from ._models import ACTIVATIONS, MLPModel
from ._objective import Objective
from ._targets import _GivenHead, _HeadFromTarget, check_head
from ._validation import argument_named, validate_sample_weight, x_or_y
from ._warnings import warn_outside_package


def _stochastic_solver(estimator):
    """``partial_fit`` exists for ``solver="adam"`` only (for ``available_if``)."""
    if estimator.solver != "adam":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers: "
            f"solver={estimator.solver!r} is not stochastic; set solver='adam'."
        )
    return True


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

    # ------------------------------------------------------------------
    # solvers: L-BFGS (full batch), Adam (mini-batches), early stopping
    def _minimize(self, head, model, X, labels, sample_weight):
        """Fit with ``solver``, on a validation split with ``early_stopping``."""
        if self.solver == "lbfgs" and not self.early_stopping:
            return super()._minimize(head, model, X, labels, sample_weight)
        if hasattr(X, "make_objective"):  # a backend's rows
            what = "solver='adam'" if self.solver == "adam" else "early_stopping=True"
            raise ValueError(
                f"{what} needs in-memory X: a Dask array is fitted with full-batch "
                "L-BFGS (solver='lbfgs', early_stopping=False). Compute it into memory "
                "(X.compute()) to train on mini-batches."
            )
        random_state = check_random_state(self.random_state)
        monitor = None
        if self.early_stopping:
            X, labels, sample_weight, validation = self._validation_split(
                head, model, X, labels, sample_weight, random_state
            )
            monitor = ValidationMonitor(validation, self.tol, self.n_iter_no_change, self.verbose)
        if self.solver == "lbfgs":
            result = super()._minimize(head, model, X, labels, sample_weight, monitor=monitor)
            if monitor.best_theta is not None:  # the best iterate on the validation set
                result.theta = monitor.best_theta
            result.validation_curve = monitor.curve
            result.best_validation_loss = monitor.best if monitor.curve else None
            return result
        full = Objective(head, model, X, labels, sample_weight, alpha=self.alpha)
        scale = self._parameter_scale(model, full)
        state = MiniBatchState(
            Adam(model.n_params, X.dtype, self.learning_rate_init), scale, random_state
        )
        result = train_adam(
            full, self._initial_theta(model, X.dtype, scale), state,
            batch_size=self._batch_size(full.n_samples), shuffle=self.shuffle,
            max_iter=self.max_iter, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            validation=monitor, verbose=self.verbose,
        )
        result.state = state
        return result

    def _validation_split(self, head, model, X, labels, sample_weight, random_state):
        """Training rows, and the validation rows' objective (``validation_fraction``).

        Stratified by class for a head with one class per row, as
        scikit-learn's ``MLPClassifier`` splits.
        """
        one_label = np.ndim(labels) == 1 or np.shape(labels)[1] == 1
        stratify = labels if head._estimator_type == "classifier" and one_label else None
        train, val = train_test_split(
            np.arange(X.shape[0]), test_size=self.validation_fraction,
            random_state=random_state, stratify=stratify,
        )
        if val.shape[0] < 2:
            raise ValueError(
                f"The validation set is too small ({val.shape[0]} sample(s) of "
                f"{X.shape[0]}, validation_fraction={self.validation_fraction}). Increase "
                "validation_fraction or the size of your dataset."
            )
        labels = np.asarray(labels)
        w = (lambda rows: None) if sample_weight is None else (lambda rows: sample_weight[rows])
        validation = validation_objective(head, model, X[val], labels[val], w(val))
        return X[train], labels[train], w(train), validation

    def _batch_size(self, n_samples):
        """``batch_size`` for ``n_samples`` rows: ``min(200, n_samples)`` for "auto"."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warn_outside_package(
                f"batch_size={self.batch_size} is larger than the {n_samples} training "
                f"samples: batches of {n_samples} are used.",
                UserWarning,
            )
        return min(self.batch_size, n_samples)

    def _set_solver_attributes(self, result):
        self.best_loss_ = getattr(result, "best_loss", None)
        self.validation_loss_curve_ = getattr(result, "validation_curve", None)
        self.best_validation_loss_ = getattr(result, "best_validation_loss", None)
        self._mini_batch_state = getattr(result, "state", None)
        if self._mini_batch_state is not None:
            self.t_ = result.n_samples_seen
        else:
            self.__dict__.pop("t_", None)

    # ------------------------------------------------------------------
    # partial_fit
    @available_if(_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the network with one epoch of Adam over ``(X, y)``.

        Available with ``solver="adam"`` only. The first call starts the
        network (as :meth:`fit` would); every call runs one pass over the
        given rows in mini-batches of ``batch_size`` (shuffled with
        ``shuffle``) and keeps Adam's state for the next call, or continues
        a network fitted by :meth:`fit`. There is no stopping rule and no
        early stopping (``early_stopping=True`` is an error, as in
        scikit-learn). The objective of each mini-batch is the same as in
        :meth:`fit`; ``sample_weight`` weighs the rows of this call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            In memory. After the first call, in the dtype of ``coefs_``
            (float32 data trains and stays in float32).
        y : array-like or sparse matrix of shape (n_samples,) or (n_samples, logits_dimension)
            Targets, as for :meth:`fit`; labels outside the classes are an
            error.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of these rows.
        classes : array-like of shape (n_classes,), default=None
            ``MLPClassifier``: all the classes of the target, required on
            the first call (scikit-learn's contract; a batch need not
            hold every class) and equal to ``classes_`` afterwards; not
            used for a multi-label indicator ``y``. ``MLPEstimator``:
            optional, classes of the head (a ``BinaryClassHead`` without
            a vocabulary takes its two classes from it on the first call).

        Returns
        -------
        self : object
        """
        return self._all_or_nothing(self._partial_fit, X, y, sample_weight, classes)

    def _partial_fit(self, X, y, sample_weight, classes):
        if input_backend(X, y, sample_weight) is not None:
            raise TypeError(
                "partial_fit takes in-memory data: pass the chunks of a Dask array "
                "one by one (chunk.compute())."
            )
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: set "
                "early_stopping=False, or use fit."
            )
        first = not hasattr(self, "coefs_")
        dtype = [np.float64, np.float32] if first else self.coefs_[0].dtype
        with argument_named({"X": X, "y": y}, culprit=lambda exc: x_or_y(X)):
            X, y = validate_data(
                self, X, y, reset=first, accept_sparse="csr", dtype=dtype,
                multi_output=True,
            )
        if sample_weight is not None:
            sample_weight = validate_sample_weight(sample_weight, X, np.float64)
        with argument_named({"y": y}):
            if first:
                head, labels, fitted_classes = self._first_partial_fit_head(
                    y, classes, sample_weight
                )
                model, theta = self._make_model(X.shape[1], head.logits_dimension), None
            else:
                head, fitted_classes = self.head_, getattr(self, "classes_", None)
                self._check_partial_fit_classes(classes, fitted_classes)
                labels, _ = head._encode_target(y, fitted_classes)
                model, theta = self._fitted_model()
        full = Objective(head, model, X, labels, sample_weight, alpha=self.alpha)
        state = getattr(self, "_mini_batch_state", None)
        if state is None or state.adam.m.shape != (model.n_params,):
            scale = self._parameter_scale(model, full)
            state = MiniBatchState(
                Adam(model.n_params, X.dtype, self.learning_rate_init), scale,
                check_random_state(self.random_state),
            )
            if theta is None:
                theta = self._initial_theta(model, X.dtype, scale)
        state.adam.learning_rate_init = float(self.learning_rate_init)
        best_loss = getattr(self, "best_loss_", None)
        result = train_adam(
            full, theta, state, batch_size=self._batch_size(full.n_samples),
            shuffle=self.shuffle, max_iter=1, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose,
            incremental=True, best_loss=np.inf if best_loss is None else best_loss,
        )
        self.head_ = head
        if fitted_classes is not None:
            self.classes_ = fitted_classes
        self._set_fitted(model, result.theta, X.dtype)
        self.n_iter_ = getattr(self, "n_iter_", 0) + 1
        self.loss_curve_ = list(getattr(self, "loss_curve_", [])) + result.loss_curve
        self.t_ = getattr(self, "t_", 0) + result.n_samples_seen
        self.best_loss_ = result.best_loss
        self.validation_loss_curve_ = self.best_validation_loss_ = None
        self._mini_batch_state = state
        return self


_MLP_CONSTRAINTS = {
    **_BaseHeadEstimator._parameter_constraints,
    "hidden_units": ["array-like", Interval(numbers.Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "random_state": ["random_state"],
    "solver": [StrOptions({"lbfgs", "adam"})],
    "batch_size": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
    "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
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
    L-BFGS (or Adam on mini-batches, ``solver="adam"``) on the head's
    weighted mean loss plus ``0.5 * alpha * sum_i ||coefs_[i]||^2`` (see
    :class:`LinearClassifier` for how sample weights enter it, and the
    user guide's "Mini-batch training (adam) and early stopping").

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
        Maximum number of L-BFGS iterations, or of epochs for
        ``solver="adam"``; a :class:`~sklearn.exceptions.ConvergenceWarning`
        is raised when it stops the fit.
    tol : float, default=1e-4
        L-BFGS: converged means that every component of the gradient of
        the objective is at most ``tol`` in absolute value; a fit that
        stops above it warns. Adam: the improvement of the epoch's training
        loss that resets the ``n_iter_no_change`` count (scikit-learn's
        meaning). With ``early_stopping``: the improvement of the
        validation loss that resets it.
    random_state : int, RandomState instance or None, default=None
        Seeds the Glorot-uniform initial weights (the same for both
        solvers), and for ``early_stopping`` or ``solver="adam"`` the
        validation split and the shuffles.
    warm_start : bool, default=False
        Start from the previous solution (when the network's shape is
        unchanged) instead of a random initialisation; Adam's state starts
        afresh.
    verbose : int, default=0
        If positive, print the objective after each iteration (epoch).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        Full-batch L-BFGS, or Adam on mini-batches (scikit-learn's
        ``beta_1=0.9``, ``beta_2=0.999``, ``epsilon=1e-8``). The objective
        of a mini-batch estimates the full-batch one (the same ``alpha``).
    batch_size : int or "auto", default="auto"
        Rows per mini-batch (``solver="adam"``): ``"auto"`` is
        ``min(200, n_samples)``; larger than the data, it is clipped with
        a warning.
    learning_rate_init : float, default=1e-3
        Adam's step size.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified
        for one class per row) and stop when the head's loss on them has
        not fallen by ``tol`` for more than ``n_iter_no_change`` epochs
        (L-BFGS iterations) in a row; the network is the best one on the
        validation rows. For both solvers; not in :meth:`partial_fit`.
    validation_fraction : float, default=0.1
        Fraction of the rows held out for ``early_stopping``, in (0, 1).
    n_iter_no_change : int, default=10
        Epochs (or, for L-BFGS with ``early_stopping``, iterations) without
        an improvement of ``tol`` that end the fit (scikit-learn's count:
        it ends when more than ``n_iter_no_change`` in a row).
    shuffle : bool, default=True
        Visit the rows in a new random order every epoch (``solver="adam"``).

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
        Number of L-BFGS iterations, or of Adam's epochs (counting every
        :meth:`partial_fit` call).
    loss_curve_ : list of float
        The objective after each iteration; for Adam, each epoch's mean of
        its mini-batch objectives.
    best_loss_ : float or None
        Adam without ``early_stopping``: the lowest of ``loss_curve_``;
        else None.
    validation_loss_curve_ : list of float or None
        With ``early_stopping``: the head's loss on the validation rows
        after each epoch (iteration); lower is better (scikit-learn's
        ``validation_scores_`` are accuracies or R^2). Else None.
    best_validation_loss_ : float or None
        The lowest of ``validation_loss_curve_``: that of the fitted network.
    t_ : int
        Adam only: the number of training rows visited (scikit-learn's).

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
        solver="lbfgs",
        batch_size="auto",
        learning_rate_init=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
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
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle

    def _first_partial_fit_head(self, y, classes, sample_weight):
        """The head of the first ``partial_fit`` call: from ``classes`` (or a multi-label ``y``)."""
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if isinstance(self.class_weight, str):  # "balanced"
            raise ValueError(
                "class_weight='balanced' needs the class totals of the whole target, "
                "which partial_fit does not see: pass the weights as a dict "
                "{class: weight} (for example from "
                "sklearn.utils.class_weight.compute_class_weight)."
            )
        if type_of_target(y, input_name="y") == "multilabel-indicator":
            return self._target_head(y, sample_weight)
        head, _, fitted_classes = self._target_head(np.unique(np.asarray(classes)))
        labels, _ = head._encode_target(y, fitted_classes)
        return head, labels, fitted_classes

    def _check_partial_fit_classes(self, classes, fitted_classes):
        """``classes`` of a later ``partial_fit`` call: those of the first, as in scikit-learn."""
        if classes is None or fitted_classes is None:
            return
        if not np.array_equal(np.unique(np.asarray(classes)), np.sort(fitted_classes)):
            raise ValueError(
                f"classes={np.asarray(classes).tolist()!r} is not the same as on the "
                f"first call to partial_fit (or fit), which gave "
                f"{np.asarray(fitted_classes).tolist()!r}."
            )


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
        Maximum number of L-BFGS iterations, or of epochs for
        ``solver="adam"``; a :class:`~sklearn.exceptions.ConvergenceWarning`
        is raised when it stops the fit.
    tol : float, default=1e-4
        L-BFGS: converged means that every component of the gradient of
        the objective is at most ``tol`` in absolute value; a fit that
        stops above it warns. Adam: the improvement of the epoch's training
        loss that resets the ``n_iter_no_change`` count (scikit-learn's
        meaning). With ``early_stopping``: the improvement of the
        validation loss that resets it.
    random_state : int, RandomState instance or None, default=None
        Seeds the Glorot-uniform initial weights (the same for both
        solvers), and for ``early_stopping`` or ``solver="adam"`` the
        validation split and the shuffles.
    warm_start : bool, default=False
        Start from the previous solution (when the network's shape is
        unchanged) instead of a random initialisation; Adam's state starts
        afresh.
    verbose : int, default=0
        If positive, print the objective after each iteration (epoch).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        Full-batch L-BFGS, or Adam on mini-batches (scikit-learn's
        ``beta_1=0.9``, ``beta_2=0.999``, ``epsilon=1e-8``). The objective
        of a mini-batch estimates the full-batch one (the same ``alpha``).
    batch_size : int or "auto", default="auto"
        Rows per mini-batch (``solver="adam"``): ``"auto"`` is
        ``min(200, n_samples)``; larger than the data, it is clipped with
        a warning.
    learning_rate_init : float, default=1e-3
        Adam's step size.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows (stratified
        for one class per row) and stop when the head's loss on them has
        not fallen by ``tol`` for more than ``n_iter_no_change`` epochs
        (L-BFGS iterations) in a row; the network is the best one on the
        validation rows. For both solvers; not in :meth:`partial_fit`.
    validation_fraction : float, default=0.1
        Fraction of the rows held out for ``early_stopping``, in (0, 1).
    n_iter_no_change : int, default=10
        Epochs (or, for L-BFGS with ``early_stopping``, iterations) without
        an improvement of ``tol`` that end the fit (scikit-learn's count:
        it ends when more than ``n_iter_no_change`` in a row).
    shuffle : bool, default=True
        Visit the rows in a new random order every epoch (``solver="adam"``).

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
        Number of L-BFGS iterations, or of Adam's epochs (counting every
        :meth:`partial_fit` call).
    loss_curve_ : list of float
        The objective after each iteration; for Adam, each epoch's mean of
        its mini-batch objectives.
    best_loss_ : float or None
        Adam without ``early_stopping``: the lowest of ``loss_curve_``;
        else None.
    validation_loss_curve_ : list of float or None
        With ``early_stopping``: the head's loss on the validation rows
        after each epoch (iteration); lower is better (scikit-learn's
        ``validation_scores_`` are accuracies or R^2). Else None.
    best_validation_loss_ : float or None
        The lowest of ``validation_loss_curve_``: that of the fitted network.
    t_ : int
        Adam only: the number of training rows visited (scikit-learn's).

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
        solver="lbfgs",
        batch_size="auto",
        learning_rate_init=1e-3,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
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
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle

    def _first_partial_fit_head(self, y, classes, sample_weight):
        """The head of the first ``partial_fit`` call, with its classes read from ``classes``."""
        if classes is None:
            return self._target_head(y, sample_weight)
        check_head(self, self.head)
        head = clone(self.head)
        if head._estimator_type != "classifier":
            raise ValueError(
                f"classes is for classification heads; the {type(head).__name__} "
                "regresses: leave classes=None."
            )
        _, fitted_classes = head._encode_target(np.unique(np.asarray(classes)))
        head._check_threshold(self.threshold)
        labels, _ = head._encode_target(y, fitted_classes)
        return head, labels, fitted_classes

    def _check_partial_fit_classes(self, classes, fitted_classes):
        """``classes`` of a later ``partial_fit`` call: classes of the head."""
        if classes is None:
            return
        if fitted_classes is None:
            raise ValueError(
                f"classes is for classification heads; the {type(self.head_).__name__} "
                "regresses: leave classes=None."
            )
        # the head names any class it does not have
        self.head_._encode_target(np.unique(np.asarray(classes)), fitted_classes)
