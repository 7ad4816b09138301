"""What the four estimators share: fit, predictions, evaluation, tags.

The estimators pair a head (the loss, predictions and metrics) with a logits
model (linear or MLP) and fit the model with L-BFGS. Two independent choices
make the four public classes:

* where the head comes from: built from ``y`` (``*Classifier``, see
  :class:`_HeadFromTarget`) or given by the user (``*Estimator``, see
  :class:`_GivenHead`);
* which logits model is fitted (``_linear.py``, ``_mlp.py``).
"""

import contextlib
import functools
import numbers
import re

import numpy as np
import scipy.sparse as sp
from scipy.special import logit
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._compat import Interval, _fit_context, asarray, check_sample_weight
from ._warnings import warn_outside_package
from ._heads import BinaryClassHead, LogisticRegressionHead, MultiLabelHead
from ._heads._base import LossOverflowError
from ._losses import _real_array
from ._dask._detect import uses_dask
from ._objective import _max_abs, make_objective
from ._solver import minimize_lbfgs

BINARY, MULTILABEL, REGRESSION = "binary", "multilabel", "regression"


def _first_complex(value):
    """The first complex number (with a non-zero imaginary part if any) in ``value``.

    None if ``value`` holds no complex numbers.
    """
    if sp.issparse(value):
        array = value.data if value.dtype.kind == "c" else np.zeros(0)
    else:
        try:
            array = np.asarray(value)
        except Exception:  # ragged lists and other oddities: not complex
            return None
    if array.dtype.kind == "O":
        found = [
            v for v in array.reshape(-1)
            if isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real)
        ]
        array = np.asarray(found, dtype=complex)
    elif array.dtype.kind != "c":
        return None
    if array.size == 0:
        return None
    flat = array.reshape(-1)
    imaginary = np.flatnonzero(flat.imag)
    return complex(flat[imaginary[0] if imaginary.size else 0])


@contextlib.contextmanager
def _argument_named(arguments, culprit=None):
    """Errors of scikit-learn's input validation, naming the argument at fault.

    ``arguments`` maps the names of the arguments being validated to their
    values; ``culprit(exc)`` (default: the only argument) says which one
    failed. scikit-learn's messages often do not say ("Expected 2D array,
    got scalar array instead", "could not convert string to float: 'abc'",
    "Complex data not supported" followed by the whole array); those are
    raised again, of the same type, as "Invalid X: <the message>" (a
    complex number: "Complex data not supported: X must be real numbers;
    ..."). Messages that name the argument are left as they are.

    NumPy's floating-point warnings are silenced meanwhile: scikit-learn's
    finiteness check sums ``X`` first, which warns "invalid value" for
    ``inf - inf`` just before it raises its own, clear, error.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            yield
    except (ValueError, TypeError) as exc:
        if type(exc) not in (ValueError, TypeError):
            raise  # scikit-learn's own error classes, ours: already clear
        message = str(exc)
        if "Complex data not supported" in message:
            for name, value in arguments.items():
                found = _first_complex(value)
                if found is not None:
                    raise ValueError(
                        f"Complex data not supported: {name} must be real numbers; got "
                        f"complex values such as {found!r}. Pass {name}.real if the "
                        "imaginary parts are zero (they are not dropped silently)."
                    ) from None
        if "inconsistent numbers of samples" in message:
            rows = ", ".join(f"{name} has {_n_rows(value)}" for name, value in arguments.items())
            raise ValueError(
                f"{' and '.join(arguments)} must have one row per sample ({rows}): "
                f"{message}"
            ) from None
        name = culprit(exc) if culprit is not None else next(iter(arguments))
        if re.search(rf"\b{re.escape(name)}\b", message):
            raise
        raise type(exc)(f"Invalid {name}: {message}") from None


def _x_or_y(X):
    """Which of ``X`` and ``y`` failed ``validate_data``: ``X`` if it fails alone."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            check_array(X, accept_sparse="csr", dtype=[np.float64, np.float32])
    except (ValueError, TypeError):
        return "X"
    return "y"


def _n_rows(value):
    """The number of rows of ``value``, for messages ("no rows" if it has none)."""
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape):
        return shape[0]
    try:
        return len(value)
    except TypeError:
        return "no rows"


def _check_output_logits(logits, X=None, *, allow_infinite=True):
    """Logits computed from ``X`` by a fitted model: no NaN (nor infinity).

    An infinite logit (``X @ coef_`` beyond the largest float) still has a
    well-defined probability, 0 or 1, and class; a NaN logit (an infinity
    minus another) has none, and the loss of an infinite logit on the wrong
    side of the boundary cannot be computed. The message is about ``X`` and
    the coefficients, which are finite: their products overflowed.
    """
    bad = np.isnan(logits) if allow_infinite else ~np.isfinite(logits)
    if not np.any(bad):
        return logits
    index = tuple(np.argwhere(bad)[0])
    row, value = int(index[0]), logits[index].item()
    size = "" if X is None else f" (X has values as large as {_max_abs(X):.3g} in magnitude)"
    what = (
        "an infinity minus another, NaN" if np.isnan(value)
        else f"{value!r}, so the loss cannot be computed"
    )
    raise ValueError(
        f"The logits of X overflow at row {row}: X times the model's finite "
        f"coefficients exceeds the largest float{size}, and gives {what}. X is "
        "far outside the scale the model was fitted on: scale X as the training "
        "data were scaled (for example with sklearn.preprocessing.StandardScaler "
        "in a pipeline)."
    )


def _task_of(head):
    """The learning task a head defines: binary, multi-label or regression."""
    if isinstance(head, BinaryClassHead):
        return BINARY
    if isinstance(head, MultiLabelHead):
        return MULTILABEL
    if isinstance(head, LogisticRegressionHead):
        return REGRESSION
    raise TypeError(
        "head must be a BinaryClassHead, MultiLabelHead or LogisticRegressionHead "
        f"instance; got {head!r}."
    )


def _is_classifier_head(estimator):
    """Whether ``estimator`` (fitted or not) classifies; for ``available_if``."""
    head = getattr(estimator, "head_", None)
    if head is None:
        head = estimator._unfitted_head()
    return not isinstance(head, LogisticRegressionHead)


def _check_sample_weight_values(sample_weight, X, dtype, offset=0):
    """``sample_weight`` checked by scikit-learn, then for sign.

    ``offset`` is the index of ``X``'s first row in the whole data (for a
    row chunk of Dask input), so that errors name the global index. The
    total is checked by the head that uses the weights (whose sums it
    computes), after a fit has divided them by their largest where their
    scale does not matter (see ``_objective.scale_free_weights``).
    """
    if isinstance(sample_weight, numbers.Number) and not isinstance(
        sample_weight, (numbers.Real, np.bool_)
    ):  # scikit-learn fills an array with a scalar, dropping an imaginary part
        raise ValueError(
            "Complex data not supported: sample_weight must be real numbers; got "
            f"{sample_weight!r}."
        )
    try:
        with _argument_named({"sample_weight": sample_weight}):
            sample_weight = check_sample_weight(sample_weight, X, dtype)
    except ValueError as exc:
        if "sample_weight.shape ==" not in str(exc):
            raise
        raise ValueError(
            f"sample_weight must have one weight per row of X ({_n_rows(X)} rows): {exc}"
        ) from None
    negative = sample_weight < 0
    if np.any(negative):
        index = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"sample_weight must be >= 0; got {sample_weight[index].item()!r} at "
            f"index {offset + index}."
        )
    return sample_weight


def _require_positive_weight(any_positive, n_samples):
    """Refuse weights that are all zero (``any_positive`` false)."""
    if not any_positive:
        raise ValueError(
            f"sample_weight is all zero ({n_samples} zeros): the "
            "weighted mean loss and every metric divide by the sum of the "
            "weights. Give at least one sample a positive weight."
        )


def _validate_sample_weight(sample_weight, X, dtype):
    """``sample_weight`` checked by scikit-learn, then for sign and a positive total.

    The estimators fit and evaluate weighted *means* (the sum of weighted
    losses divided by the sum of the weights), so the weights must be
    non-negative with a positive sum.
    """
    sample_weight = _check_sample_weight_values(sample_weight, X, dtype)
    _require_positive_weight(np.any(sample_weight), sample_weight.shape[0])
    return sample_weight


def _separated_labels(X, z, w, model, theta):
    """Per label: whether every (weighted) row is on its label's side.

    ``z`` and ``w`` are encoded by ``head._prepare``.
    """
    logits = model.forward(theta, X)[0]
    right = np.where(z > 0.5, logits > 0, logits < 0)
    if w is not None:
        right |= w == 0
    return np.all(right, axis=0)


def _warn_if_separated(head, model, theta, X, labels, sample_weight):
    """Warn when ``alpha=0`` and the fit separates the training data.

    Every (weighted) example on the right side of the decision boundary
    means that scaling the logits up lowers every loss term: the objective
    has no minimum, and the coefficients L-BFGS stopped at depend on ``tol``
    and ``max_iter``. Called once after the fit, only for ``alpha == 0``.
    ``X`` may be the loaded chunks of a Dask fit (which hold the labels).
    """
    if head.loss_fn is not None:
        return
    if hasattr(X, "all_chunks"):
        separated = X.all_chunks(_separated_labels, model, theta)
    else:
        z, w = head._prepare(labels, X.shape[0], sample_weight, np.float64)
        separated = _separated_labels(X, z, w, model, theta)
    # one label separated is enough: scaling its output weights lowers its
    # loss without changing the others
    separated = np.flatnonzero(separated)
    if separated.size:
        which = f" (labels {separated.tolist()})" if head.logits_dimension > 1 else ""
        warn_outside_package(
            f"alpha=0 and the fitted model separates the training data{which} "
            "perfectly: the loss has no minimum (it keeps falling as the "
            "weights grow), so the coefficients depend on tol and max_iter. "
            "Set alpha > 0 (for example 1e-4) for a well-defined fit.",
            ConvergenceWarning,
        )


def _on_dask_blocks(method):
    """Make a prediction method map Dask ``X`` lazily, chunk by chunk."""

    @functools.wraps(method)
    def wrapper(self, X):
        if uses_dask(X):
            from ._dask._predict import map_row_chunks

            return map_row_chunks(self, method.__name__, X)
        return method(self, X)

    return wrapper


class _BaseHeadEstimator(BaseEstimator):
    """Fit a logits model under a head's loss with L-BFGS (not public).

    Subclasses provide the head (``_head_for_target``, ``_unfitted_head``)
    and the model (``_make_model``, ``_init_random_state``, ``_set_fitted``,
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
        y : array-like or sparse matrix of shape (n_samples,) or (n_samples, n_labels)
            Targets: two classes of any type, a multi-label indicator
            matrix, or probabilities in [0, 1], as the head requires. A
            Dask array (or in memory) when ``X`` is a Dask array.
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
        before = dict(self.__dict__)
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit(self, X, y, sample_weight):
        """:meth:`fit`'s work; it may leave the estimator half-updated if it raises."""
        if uses_dask(X, y, sample_weight):
            from ._dask._rows import training_rows

            # X becomes the loaded chunks, which hold the labels and weights
            head, classes, X = training_rows(self, X, y, sample_weight, self._check_head)
            labels = sample_weight = None
        else:
            with _argument_named({"X": X, "y": y}, culprit=lambda exc: _x_or_y(X)):
                X, y = validate_data(
                    self,
                    X,
                    y,
                    accept_sparse="csr",
                    dtype=[np.float64, np.float32],
                    multi_output=True,
                )
            with _argument_named({"y": y}):
                head, labels, classes = self._head_for_target(y)
            self._check_head(head)
            if sample_weight is not None:
                # float64: the objective divides them by their largest first
                sample_weight = _validate_sample_weight(sample_weight, X, np.float64)
        task = _task_of(head)

        model = self._make_model(X.shape[1], head.logits_dimension)
        theta0 = self._initial_theta(model, X.dtype)
        result = self._minimize(head, model, X, labels, sample_weight, theta0)

        if self.alpha == 0 and result.converged and task != REGRESSION:
            _warn_if_separated(head, model, result.theta, X, labels, sample_weight)

        self.head_ = head
        if classes is not None:
            self.classes_ = classes
        self._set_fitted(model, result.theta, X.dtype)
        self.n_iter_ = result.n_iter
        self.loss_curve_ = result.loss_curve
        return self

    def _check_head(self, head):
        """Check ``threshold`` against the head built from ``y``."""
        task = _task_of(head)
        if task != REGRESSION:
            self._check_threshold(task, head.logits_dimension)

    def _lbfgs_history(self, X):
        """L-BFGS history length for ``X`` (see ``minimize_lbfgs``)."""
        return 10

    def _minimize(self, head, model, X, labels, sample_weight, theta0):
        """Minimise the objective with L-BFGS from ``theta0``: an ``LBFGSResult``."""
        objective = make_objective(head, model, X, labels, sample_weight, alpha=self.alpha)
        return minimize_lbfgs(
            objective.loss_and_gradient,
            theta0,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
            history=self._lbfgs_history(X),
            scale=self._parameter_scale(model, objective),
        )

    def _parameter_scale(self, model, objective):
        """Scales of the parameters L-BFGS runs on (None: the parameters)."""
        return None

    def _initial_theta(self, model, dtype):
        """The previous solution under ``warm_start``, else a fresh start."""
        if self.warm_start:
            params = self._fitted_params()
            if params is not None:
                try:
                    return model.pack(*params)
                except ValueError:
                    pass  # the shapes changed (other features or labels)
        return model.init_params(self._init_random_state(), dtype)

    # ------------------------------------------------------------------
    # targets
    def _encode_binary(self, head, y, classes=None):
        """Labels for a binary head and the classes (from ``y`` unless given)."""
        y = column_or_1d(y, warn=True)
        if head.label_vocabulary is not None:
            return y, np.asarray(head.label_vocabulary)
        if classes is None:
            check_classification_targets(y)
            classes = np.unique(y)
            if classes.shape[0] == 1:
                raise ValueError(
                    f"{type(self).__name__} needs samples of 2 classes, but the "
                    f"data contains only one class: {classes.tolist()[0]!r}."
                )
            if classes.shape[0] > 2:
                raise ValueError(
                    "Only binary classification is supported (a binary head); "
                    f"got {classes.shape[0]} classes. For multiclass problems, "
                    "wrap the estimator in sklearn.multiclass.OneVsRestClassifier."
                )
        else:
            unseen = np.setdiff1d(np.unique(y), classes)
            if unseen.size:
                raise ValueError(
                    f"y contains labels not seen in fit: {unseen.tolist()!r}; the "
                    f"classes are {classes.tolist()!r}."
                )
        return (y == classes[1]).astype(np.float64), classes

    def _encode_labels(self, y, head=None, classes=None):
        """``y`` in the label format of ``head`` (default: the fitted head).

        For ``evaluate``, and for each row chunk of a Dask fit (whose head
        and classes are given).
        """
        if head is None:
            head, classes = self.head_, getattr(self, "classes_", None)
        task = _task_of(head)
        if task == BINARY:
            with _argument_named({"y": y}):
                return self._encode_binary(head, y, classes)[0]
        if task == REGRESSION:
            with _argument_named({"y": y}):
                return column_or_1d(y, warn=True)
        if sp.issparse(y):
            return y
        try:
            return asarray(y)
        except ValueError:  # ragged lists
            raise ValueError(
                "y must be a multi-label indicator matrix of shape (n_samples, "
                f"{head.logits_dimension}), as for fit; got {y!r:.60}."
            ) from None

    def _check_threshold(self, task, n_outputs):
        # real numbers only: not "0.5", not 0.5j cut to its real part
        threshold = _real_array(self.threshold, "threshold")
        if threshold.dtype.kind == "b":
            raise TypeError(f"threshold must be numbers in (0, 1); got {self.threshold!r}.")
        threshold = threshold.astype(np.float64)
        allowed = ((),) if task == BINARY else ((), (n_outputs,))
        if threshold.shape not in allowed:
            what = "a scalar" if task == BINARY else f"a scalar or {n_outputs} values"
            raise ValueError(
                f"threshold must be {what}; got shape {threshold.shape}."
            )
        if not np.all((threshold > 0) & (threshold < 1)):
            raise ValueError(
                f"threshold must be in the open interval (0, 1); got {self.threshold!r}."
            )
        return threshold

    # ------------------------------------------------------------------
    # predictions
    def _logits(self, X):
        """2-d logits of ``X``, shape (n_samples, logits_dimension).

        Finite ``X`` whose products with the coefficients overflow gives
        infinite logits (their probabilities and classes are still right);
        a NaN logit is an error about ``X``.
        """
        check_is_fitted(self)
        with _argument_named({"X": X}):
            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
                reset=False,
            )
        model, theta = self._fitted_model()
        with np.errstate(over="ignore", invalid="ignore"):
            logits = model.forward(theta, X)[0]
        # an overflow to an infinity is kept (see _check_output_logits)
        return _check_output_logits(logits, X)

    @_on_dask_blocks
    def decision_function(self, X):
        """The logits: log-odds of the positive class (of each label).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        logits : ndarray of shape (n_samples,) or (n_samples, n_labels)
            1-d for a head with one logit (binary, logistic regression).
            An infinity where the product of ``X`` with the coefficients
            overflows; a NaN there (an infinity minus another) raises a
            ``ValueError`` about ``X``.
        """
        logits = self._logits(X)
        return logits[:, 0] if logits.shape[1] == 1 else logits

    @available_if(_is_classifier_head)
    @_on_dask_blocks
    def predict_proba(self, X):
        """Probabilities, from the head's ``"probabilities"`` prediction.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2) or (n_samples, n_labels)
            Binary: the probabilities of ``classes_[0]`` and ``classes_[1]``.
            Multi-label: the probability of each label.
        """
        logits = self._logits(X)
        return self.head_._checked_predictions(
            logits, "probabilities", allow_infinite=True
        )["probabilities"]

    @_on_dask_blocks
    def predict(self, X):
        """Classes (probability above ``threshold``), or probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask.array.Array} of shape (n_samples, n_features)
            For a Dask array, the result is a lazy Dask array with its row
            chunks.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Binary: ``classes_[1]`` where its probability is above
            ``threshold``, else ``classes_[0]``. Multi-label: the 0/1
            indicator matrix. Logistic regression: the predicted probability.
        """
        logits = self._logits(X)
        task = _task_of(self.head_)
        if task == REGRESSION:
            return self.head_._checked_predictions(
                logits, "predictions", allow_infinite=True
            )["predictions"][:, 0]
        # probability > threshold, computed on the logits as the head does
        positive = logits > logit(self._check_threshold(task, logits.shape[1]))
        if task == BINARY:
            return self.classes_[positive[:, 0].astype(np.intp)]
        return positive.astype(np.int64)

    def score(self, X, y, sample_weight=None):
        """Accuracy (subset accuracy for multi-label), or R^2 for regression.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, not all zero.

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        if sample_weight is not None:
            sample_weight = _validate_sample_weight(sample_weight, y_pred, np.float64)
            # both scores are weighted means: the same for any scale of the
            # weights, which must neither underflow nor overflow
            sample_weight = sample_weight / np.max(sample_weight)
        if _task_of(self.head_) == REGRESSION:
            return float(r2_score(y, y_pred, sample_weight=sample_weight))
        # the targets are checked as evaluate checks them (labels unseen in
        # fit are an error, not a miss)
        self._encode_labels(y)
        return float(accuracy_score(y, y_pred, sample_weight=sample_weight))

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

        Raises
        ------
        ValueError
            For bad ``y`` or ``sample_weight`` (as in :meth:`fit`), or when
            the logits of ``X`` or their loss overflow: the loss of ``X``
            far outside the scale the model was fitted on cannot be
            computed.
        """
        if uses_dask(X, y, sample_weight):
            from ._dask._predict import evaluate_chunks

            return evaluate_chunks(self, X, y, sample_weight)
        logits = self._logits(X)
        _check_output_logits(logits, X, allow_infinite=False)
        return self._evaluate_logits(logits, y, sample_weight)

    def _evaluate_logits(self, logits, y, sample_weight=None, *, head=None, y_pred=None):
        """:meth:`evaluate` from already computed logits (1-d or 2-d).

        ``head`` (default ``head_``) and ``y_pred``: see :meth:`_update_metrics`.
        """
        head = self.head_ if head is None else head
        eval_metrics, any_positive = self._update_metrics(
            head.metrics(), logits, y, sample_weight, head=head, y_pred=y_pred
        )
        _require_positive_weight(any_positive, np.shape(logits)[0])
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
        _check_output_logits(logits, allow_infinite=False)
        if y is None:
            raise ValueError("y is required to evaluate the head's metrics; got None.")
        n_y = _n_rows(y)
        if isinstance(n_y, str) or isinstance(y, (str, bytes, dict)):
            raise TypeError(
                f"y must be an array-like of one target per row of X; got {y!r:.60}."
            )
        if n_y != logits.shape[0]:
            raise ValueError(
                f"y has {n_y} samples but X has {logits.shape[0]}; give one target "
                "per row of X."
            )
        labels = self._encode_labels(y)
        any_positive = True
        if sample_weight is not None:
            sample_weight = _check_sample_weight_values(
                sample_weight, logits, np.float64, offset=offset
            )
            any_positive = bool(np.any(sample_weight))
        options = {}
        if y_pred is not None:
            options["predicted_labels"] = self._encode_labels(y_pred)
        elif _task_of(self.head_) == BINARY:
            options["decision_threshold"] = float(self._check_threshold(BINARY, 1))
        head = self.head_ if head is None else head
        try:
            head._update_metrics(eval_metrics, logits, labels, sample_weight, **options)
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


class _HeadFromTarget:
    """The head is built from ``y``: binary or multi-label (``*Classifier``)."""

    def _unfitted_head(self):
        return None

    # ClassifierMixin.score would come first in the MRO; this one
    # validates sample_weight as fit and evaluate do
    score = _BaseHeadEstimator.score

    def _head_for_target(self, y):
        target_type = type_of_target(y, input_name="y")
        if target_type == "multilabel-indicator":
            head = MultiLabelHead(n_classes=y.shape[1], pos_weight=self.pos_weight)
            return head, y, np.arange(y.shape[1])
        check_classification_targets(y)
        if target_type != BINARY:
            n_classes = np.unique(y).shape[0]
            raise ValueError(
                "Only binary classification is supported. (With one label; "
                f"{type(self).__name__} also fits multi-label indicator matrices.) "
                f"Got a target of type {target_type!r} with {n_classes} classes; "
                "for multiclass problems, wrap the estimator in "
                "sklearn.multiclass.OneVsRestClassifier."
            )
        head = BinaryClassHead(pos_weight=self.pos_weight)
        labels, classes = self._encode_binary(head, y)
        return head, labels, classes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags


class _GivenHead:
    """The head is a parameter (``*Estimator``); its type sets the task."""

    def _unfitted_head(self):
        return self.head

    def _head_for_target(self, y):
        head = clone(self.head)
        task = _task_of(head)
        if task == REGRESSION:
            return head, column_or_1d(y, warn=True), None
        target_type = type_of_target(y, input_name="y")
        if task == BINARY:
            if target_type == "multilabel-indicator":
                raise ValueError(
                    "A BinaryClassHead needs a 1-d target of two classes; got a "
                    "multi-label indicator matrix (use a MultiLabelHead)."
                )
            labels, classes = self._encode_binary(head, y)
            return head, labels, classes
        # multi-label
        if target_type != "multilabel-indicator" or y.shape[1] != head.n_classes:
            raise ValueError(
                f"A MultiLabelHead(n_classes={head.n_classes}) needs a multi-label "
                f"indicator matrix of {head.n_classes} columns; got a target of "
                f"type {target_type!r} and shape {y.shape}."
            )
        vocabulary = head.label_vocabulary
        classes = np.arange(y.shape[1]) if vocabulary is None else np.asarray(vocabulary)
        return head, y, classes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        try:
            task = _task_of(self.head)
        except TypeError:
            return tags
        if task == REGRESSION:
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        else:
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(
                multi_class=False, multi_label=task == MULTILABEL
            )
        return tags
