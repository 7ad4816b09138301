"""What the four estimators share: fit, predictions, evaluation, tags.

The estimators pair a head (the loss, predictions, metrics, and the task:
labels, classes, decisions, score, tags) with a logits model (linear or
MLP) and fit the model with L-BFGS. They never ask what kind of head they
hold: they call the head interface of ``_heads/_task.py``. Two independent
choices make the four public classes:

* where the head comes from: built from ``y`` (``*Classifier``, see
  ``_targets._HeadFromTarget``) or given by the user (``*Estimator``, see
  ``_targets._GivenHead``);
* which logits model is fitted (``_linear.py``, ``_mlp.py``).

Input of an optional backend (a Dask array) goes through the one seam of
``_backend.py``.
"""

import functools
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._backend import input_backend
from ._compat import Interval, _fit_context
from ._objective import make_objective
from ._solver import minimize_lbfgs
from ._label_lists import is_label_lists, is_nested_list
from ._losses import LossOverflowError
from ._validation import (
    argument_named,
    check_output_logits,
    check_sample_weight_values,
    n_rows,
    require_positive_weight,
    validate_sample_weight,
    x_or_y,
)
from ._warnings import warn_outside_package


def _is_classifier_head(estimator):
    """Whether ``estimator`` (fitted or not) classifies; for ``available_if``."""
    head = getattr(estimator, "head_", None)
    if head is None:
        head = estimator._unfitted_head()
    return getattr(head, "_estimator_type", "classifier") == "classifier"


def _separated_outputs(X, z, w, head, model, theta):
    """Per output: whether every (weighted) row is on its label's side.

    ``z`` and ``w`` are encoded by ``head._prepare``.
    """
    return head._separated(z, w, model.forward(theta, X)[0])


def _warn_if_separated(head, model, theta, X, labels, sample_weight):
    """Warn when ``alpha=0`` and the fit separates the training data.

    Every (weighted) example on the right side of the decision boundary
    means that scaling the logits up lowers every loss term: the objective
    has no minimum, and the coefficients L-BFGS stopped at depend on ``tol``
    and ``max_iter``. Called once after the fit, only for ``alpha == 0``
    and a head whose logits can separate the data. ``X`` may be the rows of
    a backend (which hold the labels).
    """
    if hasattr(X, "all_chunks"):
        separated = X.all_chunks(_separated_outputs, head, model, theta)
    else:
        z, w = head._prepare(labels, X.shape[0], sample_weight, np.float64)
        separated = _separated_outputs(X, z, w, head, model, theta)
    # one output separated is enough: scaling its weights lowers its loss
    # without changing the others
    which_ones = np.flatnonzero(separated)
    if which_ones.size:
        which = f" (labels {which_ones.tolist()})" if np.size(separated) > 1 else ""
        warn_outside_package(
            f"alpha=0 and the fitted model separates the training data{which} "
            "perfectly: the loss has no minimum (it keeps falling as the "
            "weights grow), so the coefficients depend on tol and max_iter. "
            "Set alpha > 0 (for example 1e-4) for a well-defined fit.",
            ConvergenceWarning,
        )


def _negate_outputs(model, theta):
    """``theta`` with the output layer negated: the model of minus the logits."""
    weights, intercepts = model.unpack(theta)
    last = intercepts[-1]
    return model.pack(
        [*weights[:-1], -weights[-1]],
        [*intercepts[:-1], None if last is None else -last],
    )


def _on_backend_blocks(method):
    """Make a prediction method map a backend's ``X`` lazily, chunk by chunk."""

    @functools.wraps(method)
    def wrapper(self, X):
        backend = input_backend(X)
        if backend is not None:
            return backend.map_row_chunks(self, method.__name__, X)
        return method(self, X)

    return wrapper


class _BaseHeadEstimator(BaseEstimator):
    """Fit a logits model under a head's loss with L-BFGS (not public).

    Subclasses provide the head (``_head_for_target``, ``_unfitted_head``,
    see ``_targets.py``) and the model (``_make_model``, ``_init_random_state``, ``_set_fitted``,
    ``_fitted_params``, ``_fitted_model``).
    """

    _parameter_constraints = {
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "threshold": [Interval(numbers.Real, 0, 1, closed="neither"), "array-like"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------
    # fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by minimising the head's loss plus the L2 penalty.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            Training data. float32 data is fitted in float32. A Dask array
            (chunked by rows, with known chunk sizes) is fitted on its
            chunks where they live: see the user guide's "Scaling out with
            Dask".
        y : array-like or sparse matrix of shape (n_samples,) or (n_samples, n_outputs)
            Targets, as the head reads them: classes of any type (two or
            more), a multi-label indicator matrix (or one list of labels per
            row, ragged or of names: a nested list of numbers whose rows
            all have the same length is a matrix, as scikit-learn reads
            it), real values (one column per target of a
            ``RegressionHead``), counts, or probabilities in [0, 1]. A Dask
            array (or in memory) when ``X`` is a Dask array.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative per-sample weights (TensorFlow's ``weight_column``),
            not all zero: the data term is their weighted mean loss. A Dask
            array (or in memory) when ``X`` is a Dask array.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            For non-finite or complex ``X``, ``y`` or ``sample_weight``,
            negative or all-zero weights, lengths that disagree, or targets
            the head does not accept (the message names the bad value); or
            when the objective overflows for finite data (the message says
            what overflowed and how large ``X`` and the weights are).

        Warns
        -----
        ConvergenceWarning
            When L-BFGS stops before converging, or when ``alpha=0`` and the
            fitted model separates the training data (of a label) perfectly,
            so that the loss has no minimum.

        Notes
        -----
        ``fit`` is all or nothing: if it raises (bad input, a failing
        ``loss_fn``, a lost Dask worker, ``KeyboardInterrupt``), the
        estimator is left exactly as it was, fitted or not, and every thread
        the fit started has finished.
        """
        return self._all_or_nothing(self._fit, X, y, sample_weight)

    def _all_or_nothing(self, work, *args):
        """``work(*args)``; if it raises, the estimator is left exactly as it was."""
        before = dict(self.__dict__)
        try:
            return work(*args)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit(self, X, y, sample_weight):
        """:meth:`fit`'s work; it may leave the estimator half-updated if it raises."""
        # lists of labels per row become an indicator matrix (and its names)
        target = {"nested_list": is_nested_list(y)}
        y, target["label_names"] = self._read_label_lists(y, fitted=False)
        backend = input_backend(X, y, sample_weight)
        if backend is not None:
            # X becomes the backend's rows, which hold the labels and weights
            head, classes, X = backend.training_rows(self, X, y, sample_weight)
            labels = sample_weight = None
        else:
            with argument_named({"X": X, "y": y}, culprit=lambda exc: x_or_y(X)):
                X, y = validate_data(
                    self,
                    X,
                    y,
                    accept_sparse="csr",
                    dtype=[np.float64, np.float32],
                    multi_output=True,
                )
            if sample_weight is not None:
                # float64: the objective divides them by their largest first
                sample_weight = validate_sample_weight(sample_weight, X, np.float64)
            with argument_named({"y": y}):
                head, labels, classes = self._target_head(y, sample_weight, **target)

        self.__dict__.pop("_head_classes", None)
        if classes is not None:
            # set before the fit: a warm start reads the orientation
            self.classes_ = self._public_classes(classes)
            self._head_classes = classes
        model = self._make_model(X.shape[1], head.logits_dimension)
        result = self._minimize(head, model, X, labels, sample_weight)

        if self.alpha == 0 and result.converged and head._can_separate:
            _warn_if_separated(head, model, result.theta, X, labels, sample_weight)

        self.head_ = head
        theta = result.theta
        if self._head_flips():
            # stored as scikit-learn has it: decision_function > 0 is classes_[1]
            theta = _negate_outputs(model, theta)
        self._set_fitted(model, theta, X.dtype)
        self.n_iter_ = result.n_iter
        self.loss_curve_ = result.loss_curve
        self._set_solver_attributes(result)
        return self

    def _set_solver_attributes(self, result):
        """Fitted attributes of a solver beyond ``n_iter_`` and ``loss_curve_`` (none here)."""

    def _target_head(self, y, sample_weight=None, whole=True, **target):
        """The head for ``y``, ``y`` encoded for it, and the classes (or None).

        The classes are in the head's order (``[negative, positive]`` for a
        binary head, see :meth:`_head_flips`). Also checks ``threshold``
        for that head. ``whole=False`` when ``y`` is a summary of the
        target's distinct values (a backend's fit). ``target``:
        ``label_names`` (the columns of a ``y`` read from lists of labels)
        and ``nested_list`` (``y`` was a nested list), see
        ``_targets.head_for_target``.
        """
        head, labels, classes = self._head_for_target(y, sample_weight, whole, **target)
        head._check_threshold(self.threshold)
        return head, labels, classes

    def _read_label_lists(self, y, fitted=True):
        """``y`` given as lists of labels per row, as an indicator matrix.

        Other targets are returned unchanged (see ``_label_lists`` for how
        a nested list is read). Returns ``(y, label_names)``: the names of
        the indicator's columns when the classifier found them in ``y``
        (at fit), else None.
        """
        if not is_label_lists(y):
            return y, None
        if fitted:
            check_is_fitted(self)
            return self.head_._indicator_of_label_lists(y, self._label_list_classes()), None
        return self._label_lists_indicator(y)

    def _head_flips(self):
        """Whether the head's logits are minus :meth:`decision_function`.

        A binary head's logit is the log-odds of its positive class; when
        that is ``classes_[0]`` (``pos_label``), scikit-learn's convention
        (``decision_function > 0`` and ``predict_proba[:, 1]`` are
        ``classes_[1]``, ``coef_`` their log-odds) is the head's negated.
        """
        head_classes = getattr(self, "_head_classes", None)
        return head_classes is not None and not np.array_equal(head_classes, self.classes_)

    def _head_logits(self, logits):
        """The head's logits of the decision function's ``logits`` (2-d)."""
        return -logits if self._head_flips() else logits

    def _in_classes_order(self, proba):
        """The head's probability columns (its class order) in ``classes_`` order."""
        return proba[:, ::-1] if self._head_flips() else proba

    def _lbfgs_history(self, X):
        """L-BFGS history length for ``X`` (see ``minimize_lbfgs``)."""
        return 10

    def _minimize(
        self, head, model, X, labels, sample_weight, theta0=None, max_iter=None, monitor=None,
        objective=None, warn=True,
    ):
        """Minimise the objective with L-BFGS: an ``LBFGSResult``.

        From ``theta0`` (default: :meth:`_initial_theta`) for ``max_iter``
        iterations (default: the parameter), with ``minimize_lbfgs``'s
        ``monitor`` (early stopping) and ``warn``. float32 ``X`` is
        multiplied in float32 until ``minimize_lbfgs`` refines the
        objective (see ``Objective.refine``). ``objective``: the one of
        this fit, when another solver shares it (default: a new one).
        """
        if objective is None:
            objective = make_objective(
                head, model, X, labels, sample_weight, alpha=self.alpha, precise=False
            )
        scale = self._parameter_scale(model, objective)
        if theta0 is None:
            theta0 = self._initial_theta(model, X.dtype, scale)
        return minimize_lbfgs(
            objective.loss_and_gradient,
            theta0,
            max_iter=self.max_iter if max_iter is None else max_iter,
            tol=self.tol,
            verbose=self.verbose,
            history=self._lbfgs_history(X),
            scale=scale,
            refine=objective.refine,
            monitor=monitor,
            warn=warn,
        )

    def _objective(self, head, model, X, labels, sample_weight):
        """The training objective (see ``_objective.make_objective``)."""
        return make_objective(head, model, X, labels, sample_weight, alpha=self.alpha)

    def _parameter_scale(self, model, objective):
        """The first layer's weights in units of their column's scale (a preconditioner).

        L-BFGS runs on ``W * sqrt(rms(column) ** 2 + alpha)`` for the
        weights of each column (see ``Objective.preconditioner`` and
        :class:`~sklearn_heads._solver.Stopping` for what ``tol`` then
        bounds): the model of ``X`` with every column divided by its scale,
        so that L-BFGS sees unscaled data as it sees standardised data. On
        standardised data nothing changes; on columns of very different
        scales (a constant column of 1e8, features in different units, an
        MLP on inputs of 100 under a Poisson head) L-BFGS would otherwise
        crawl, overflow, or stop where the objective stalls in floating
        point. The minimiser, the fitted parameters and ``loss_curve_`` are
        those of the unscaled objective.
        """
        return model.parameter_scale(objective.preconditioner(self._unscaled_octaves))

    #: Columns whose scale is within this many powers of two of 1 are not
    #: preconditioned (see ``Objective.preconditioner``).
    _unscaled_octaves = 0

    def _initial_theta(self, model, dtype, scale=None):
        """The previous solution under ``warm_start``, else a fresh start.

        A fresh start is drawn in the preconditioned variables
        ``scale * theta`` (see :meth:`_parameter_scale`): an MLP's initial
        weights are those it would draw for standardised data (a linear
        model starts from zeros either way).
        """
        if self.warm_start:
            params = self._fitted_params()
            if params is not None:
                try:
                    theta = model.pack(*params)
                except ValueError:
                    pass  # the shapes changed (other features or labels)
                else:
                    # the fitted parameters are stored in scikit-learn's orientation
                    return _negate_outputs(model, theta) if self._head_flips() else theta
        theta = model.init_params(self._init_random_state(), dtype)
        return theta if scale is None else theta / scale

    # ------------------------------------------------------------------
    # predictions
    def _logits(self, X):
        """2-d logits of ``X``, shape (n_samples, logits_dimension).

        Finite ``X`` whose products with the coefficients overflow gives
        infinite logits (their probabilities and classes are still right);
        a NaN logit is an error about ``X``.
        """
        check_is_fitted(self)
        with argument_named({"X": X}):
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                reset=False,
            )
        model, theta = self._fitted_model()
        with np.errstate(over="ignore", invalid="ignore"):
            logits = model.forward(theta, X)[0]
        # an overflow to an infinity is kept (see check_output_logits)
        return check_output_logits(logits, X)

    @_on_backend_blocks
    def _predict_logits(self, X):
        """The logits of ``X``, 1-d for a head with one logit (every head).

        What :meth:`decision_function` returns for classification heads;
        regressors have no ``decision_function`` (scikit-learn's rule), and
        the head scorers take the logits of a regression head from here.
        """
        logits = self._logits(X)
        return logits[:, 0] if logits.shape[1] == 1 else logits

    @available_if(_is_classifier_head)
    def decision_function(self, X):
        """The logits: log-odds of the positive class (of each label), or class scores.

        Classification heads only.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        logits : ndarray of shape (n_samples,) or (n_samples, logits_dimension)
            1-d for a binary head. Multi-class: one logit per class (the
            softmax of a row gives its probabilities); multi-label: one
            per label. An infinity where the product of ``X`` with the
            coefficients overflows; a NaN there (an infinity minus another)
            raises a ``ValueError`` about ``X``.
        """
        return self._predict_logits(X)

    @available_if(_is_classifier_head)
    @_on_backend_blocks
    def predict_proba(self, X):
        """Probabilities, from the head's ``"probabilities"`` prediction.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
            Binary and multi-class: the probability of each class of
            ``classes_`` (two columns for binary). Multi-label: the
            probability of each label.
        """
        logits = self._head_logits(self._logits(X))
        return self._in_classes_order(self.head_._proba(logits))

    @available_if(_is_classifier_head)
    @_on_backend_blocks
    def predict_log_proba(self, X):
        """Log-probabilities, computed from the logits without rounding to 0.

        ``log(predict_proba(X))``, but exact where a probability rounds to
        0 or 1: ``log_expit`` of the logits for sigmoid heads,
        ``log_softmax`` for a multi-class head.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
            The columns of :meth:`predict_proba`.
        """
        logits = self._head_logits(self._logits(X))
        return self._in_classes_order(self.head_._log_proba(logits))

    @_on_backend_blocks
    def predict(self, X):
        """Classes, label indicators, or predicted values, as the head decides.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Binary: ``classes_[1]`` where its probability is above
            ``threshold``, else ``classes_[0]``. Multi-class: the most
            probable class. Multi-label: the 0/1 indicator matrix (a
            probability above ``threshold``). Regression: the prediction
            after the head's inverse link (the probability for logistic
            regression, the rate for Poisson regression), 1-d for one
            target.
        """
        logits = self._head_logits(self._logits(X))
        classes = getattr(self, "_head_classes", getattr(self, "classes_", None))
        return self.head_._decide(logits, classes, self.threshold)

    def score(self, X, y, sample_weight=None):
        """The head's default score, as the matching scikit-learn estimator's.

        Accuracy for binary and multi-class heads (subset accuracy for
        multi-label), R^2 for regression heads, and D^2 (the fraction of
        Poisson deviance explained) for a Poisson head, as
        :class:`~sklearn.linear_model.PoissonRegressor` scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, not all zero.

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        y, _ = self._read_label_lists(y)
        if sample_weight is not None:
            sample_weight = validate_sample_weight(sample_weight, y_pred, np.float64)
            # every score is a weighted mean: the same for any scale of the
            # weights, which must neither underflow nor overflow
            sample_weight = sample_weight / np.max(sample_weight)
        # classification heads check the targets as evaluate checks them
        # (labels unseen in fit are an error, not a miss)
        classes = getattr(self, "classes_", None)
        return float(self.head_._score(y, y_pred, sample_weight, classes))

    def evaluate(self, X, y, sample_weight=None):
        """The head's evaluation metrics on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the metrics are computed per row chunk where
            it lives and merged: the same values as in memory.
        y : array-like or sparse matrix
            Targets, as for :meth:`fit` (a Dask array, or in memory, when
            ``X`` is a Dask array).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, not all zero.

        Returns
        -------
        metrics : dict of str to float
            TensorFlow's metric keys (``average_loss``, ``auc``, ...). For a
            binary head, ``accuracy``, ``precision`` and ``recall`` count a
            probability above ``threshold`` as positive.
        """
        backend = input_backend(X, y, sample_weight)
        if backend is not None:
            return backend.evaluate_chunks(self, X, y, sample_weight)
        logits = self._logits(X)
        check_output_logits(logits, X, allow_infinite=False)
        return self._evaluate_logits(logits, y, sample_weight)

    def _evaluate_logits(self, logits, y, sample_weight=None, *, head=None, y_pred=None):
        """:meth:`evaluate` from already computed logits (1-d or 2-d).

        ``head`` (default ``head_``) and ``y_pred``: see :meth:`_update_metrics`.
        """
        head = self.head_ if head is None else head
        eval_metrics, any_positive = self._update_metrics(
            head.metrics(), logits, y, sample_weight, head=head, y_pred=y_pred
        )
        require_positive_weight(any_positive, np.shape(logits)[0])
        return {key: metric.result() for key, metric in eval_metrics.items()}

    def _update_metrics(
        self, eval_metrics, logits, y, sample_weight=None, offset=0, *, head=None, y_pred=None
    ):
        """Add one batch of logits (1-d or 2-d) and targets to ``eval_metrics``.

        ``offset`` is the batch's first row in the whole data (for error
        messages). Returns the metrics and whether a weight is positive
        (true without ``sample_weight``): all-zero weights are refused for
        the whole data, not for one batch. ``head`` (default ``head_``) is
        a head of the same task and logits that computes the metrics
        (``sklearn_heads.evaluate(..., head=...)``); ``y_pred`` are the
        decisions of a binary model wrapping this one (a
        ``FixedThresholdClassifier``), in place of ``threshold``.
        """
        check_is_fitted(self)
        logits = np.asarray(logits)
        if logits.ndim == 1:
            logits = logits[:, None]
        check_output_logits(logits, allow_infinite=False)
        if y is None:
            raise ValueError("y is required to evaluate the head's metrics; got None.")
        n_y = n_rows(y)
        if isinstance(n_y, str) or isinstance(y, (str, bytes, dict)):
            raise TypeError(
                f"y must be an array-like of one target per row of X; got {y!r:.60}."
            )
        if n_y != logits.shape[0]:
            raise ValueError(
                f"y has {n_y} samples but X has {logits.shape[0]}; give one target "
                "per row of X."
            )
        logits = self._head_logits(logits)
        y, _ = self._read_label_lists(y)
        classes = getattr(self, "_head_classes", getattr(self, "classes_", None))
        with argument_named({"y": y}):
            labels, _ = self.head_._encode_target(y, classes)
        any_positive = True
        if sample_weight is not None:
            sample_weight = check_sample_weight_values(
                sample_weight, logits, np.float64, offset=offset
            )
            any_positive = bool(np.any(sample_weight))
        if y_pred is not None:
            predicted, _ = self.head_._encode_target(y_pred, classes)
        else:
            predicted = None
        head = self.head_ if head is None else head
        try:
            head._update_metrics_at(
                eval_metrics, logits, labels, sample_weight, self.threshold,
                predicted_labels=predicted,
            )
        except LossOverflowError as exc:
            raise ValueError(
                "The logits of X (decision_function(X)) are too large for the loss: "
                f"{exc} X is far outside the scale the model was fitted on: scale X "
                "as the training data were scaled."
            ) from None
        return eval_metrics, any_positive

    # ------------------------------------------------------------------
    # tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
