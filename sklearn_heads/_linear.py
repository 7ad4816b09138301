"""Linear models under a head: ``LinearClassifier`` and ``LinearEstimator``."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from ._base_estimator import _BaseHeadEstimator
from ._targets import _GivenHead, _HeadFromTarget
from ._batched_lbfgs import minimize_lbfgs_batched
from ._compat import Interval, StrOptions
from ._models import LinearModel
from ._newton import minimize_newton
from ._objective import make_objective
from ._solver import LBFGSResult
from ._warnings import warn_outside_package

#: ``solver="auto"`` picks Newton-Cholesky up to this many coefficients,
#: ``(n_features + 1) * n_outputs`` (see :func:`newton_wins`).
NEWTON_AUTO_WIDTH = 128

#: ``solver="auto"``, where Newton may win (:func:`newton_wins`), starts
#: with this many L-BFGS iterations; Newton-Cholesky takes over from
#: there if they did not converge (see :meth:`_LinearModelMixin._minimize`).
AUTO_LBFGS_ITERATIONS = 10

#: ``solver="newton-cholesky"`` refuses Hessians wider than this (a dense
#: matrix of 800 MB in float64).
MAX_NEWTON_WIDTH = 10_000


def _hessian_width(model):
    """Rows of the largest Hessian block of a linear model.

    ``(n_features + 1) * n_outputs``: the outputs of a softmax head are
    coupled (one system of that size); those of other heads are not, but
    this bound is what the rules use, without evaluating the head.
    """
    return (model.n_features + model.fit_intercept) * model.n_outputs


def newton_wins(head, model, dtype):
    """Whether ``solver="auto"`` goes on with Newton-Cholesky after a few L-BFGS iterations.

    Where ``X`` is float64, the head's loss has a second derivative, the
    model has at most
    :data:`NEWTON_AUTO_WIDTH` coefficients (``(n_features + 1) *
    n_outputs``: up to 127 features for one output, 41 for three classes;
    dense or sparse ``X``, in memory or on Dask: the choice depends on the
    shapes only, so that sparse and dense ``X`` give the same fit), and
    the head's outputs are not fitted label by label (a multi-label head's
    separable objective keeps its per-label L-BFGS).

    Measured on 200_000 x 100 binary data: Newton's 5 to 8 iterations
    (each a Hessian pass of ``n d^2``) took 2.7 times less than L-BFGS's
    63 on columns scaled over ``logspace(-0.7, 0.7)``, and a fifth more
    than its 31 on the well-conditioned data. A softmax head's Hessian
    costs ``k^2 / 2`` such passes: on 50_000 x 50 with 5 classes (255
    coefficients) Newton took 4 times L-BFGS's time, on 50_000 x 30 with 3
    classes (93) a quarter to a half less. On float32 ``X`` (read in
    half the bytes by L-BFGS, while the Hessian is computed in float64)
    Newton took a third more than L-BFGS on the well-conditioned data.

    Newton alone lost where L-BFGS needs few iterations (well-conditioned
    Poisson data, 200_000 x 50: 0.18 s against 0.07 s, 5 iterations
    against 7); hence L-BFGS first (:data:`AUTO_LBFGS_ITERATIONS`), and
    Newton from its iterate, which then needs 1 to 7 iterations. Measured
    (idle 2-core machine, ``tol=1e-7``; L-BFGS then Newton / Newton alone
    / L-BFGS alone): 0.35 / 0.55 / 0.73 s on the 200_000 x 100 binary
    data, 0.37 / 0.56 / 1.15 s with its columns scaled over
    ``logspace(-0.7, 0.7)``, 0.65 / 0.57 / 1.03 s over 8 decades, 0.046 /
    0.060 / 0.073 s on its first 20_000 rows; 0.078 s on the Poisson data
    (L-BFGS converges within its 10 iterations).
    """
    return (
        np.dtype(dtype) == np.float64
        and head._has_loss_hessian
        and not head._separable_outputs
        and _hessian_width(model) <= NEWTON_AUTO_WIDTH
    )


def _chained(first, then, message):
    """One ``LBFGSResult`` of two solvers run one after the other."""
    return LBFGSResult(
        theta=then.theta,
        n_iter=first.n_iter + then.n_iter,
        loss_curve=first.loss_curve + then.loss_curve,
        loss=then.loss,
        converged=then.converged,
        message=message + then.message,
    )


class _LinearModelMixin:
    """The linear logits model ``X @ coef_.T + intercept_``."""

    def _make_model(self, n_features, n_outputs):
        return LinearModel(n_features, n_outputs, fit_intercept=self.fit_intercept)

    def _init_random_state(self):
        return None  # zeros; nothing random

    def _lbfgs_history(self, X):
        """30 past steps up to 1000 features, SciPy's default 10 beyond.

        With up to a few hundred features the longer memory cuts the
        iterations by a third (47 to 31 on the 100-feature benchmark, 68 to
        46 with 200 features) and ends at the same objective (to 1e-12),
        for microseconds of L-BFGS-B work per iteration. With thousands of
        features it meets the gradient test (a maximum over the features)
        sooner but at a visibly higher objective (5.7e-6 above the optimum
        instead of 7.5e-8 with 20_000 sparse features, 1e-9 instead of
        3e-11 with 5_000), so those keep 10. The choice depends on the
        shape only: sparse and dense ``X`` give the same fit. The per-label
        runs of a multi-label fit keep 10 as well, and with it one-vs-rest's
        exact iterates.
        """
        return 30 if X.shape[1] <= 1000 else 10

    def _minimize(self, head, model, X, labels, sample_weight):
        """L-BFGS, Newton-Cholesky or (``"auto"``) the two in turn: see :meth:`_solver_for`.

        Where ``"auto"`` finds that Newton may win (:func:`newton_wins`),
        L-BFGS runs first for :data:`AUTO_LBFGS_ITERATIONS` iterations:
        well-conditioned data converge there, at the cost of a few passes
        over ``X`` (where a Newton iteration costs ``n_features / 4`` or
        more of them); if they did not converge, Newton-Cholesky goes on
        from L-BFGS's iterate, and needs fewer iterations from there.
        ``n_iter_`` and ``loss_curve_`` count both.
        """
        solver = self._solver_for(head, X, model)
        if solver == "lbfgs":
            return self._minimize_lbfgs(head, model, X, labels, sample_weight)
        objective = self._objective(head, model, X, labels, sample_weight)
        if solver == "newton-cholesky":
            return self._minimize_newton(head, model, X, labels, sample_weight, objective)
        budget = min(AUTO_LBFGS_ITERATIONS, self.max_iter - 1)
        first = None
        if budget >= 1:
            first = self._minimize_lbfgs(
                head, model, X, labels, sample_weight, max_iter=budget, objective=objective,
                warn=False,
            )
            if first.converged:
                return first  # the gradient test passed
        # out of its iterations, or stopped short of tol (Newton may get there)
        rest = self._minimize_newton(head, model, X, labels, sample_weight, objective, first)
        if first is None:
            return rest
        return _chained(first, rest, f"L-BFGS: {first.message}; then Newton: ")

    def _solver_for(self, head, X, model):
        """The solver of this fit: ``solver``, or what ``"auto"`` picks.

        ``"auto"`` picks ``"lbfgs, then newton-cholesky"`` where Newton may
        win (see :func:`newton_wins` and :meth:`_minimize`), L-BFGS
        elsewhere.

        Raises
        ------
        ValueError
            ``solver="newton-cholesky"`` with a head whose loss has no
            second derivative (a user's ``loss_fn``), or with more
            coefficients per Hessian than :data:`MAX_NEWTON_WIDTH`.
        """
        if self.solver == "lbfgs":
            return "lbfgs"
        if self.solver == "auto":
            return "lbfgs, then newton-cholesky" if newton_wins(head, model, X.dtype) else "lbfgs"
        if not head._has_loss_hessian:
            raise ValueError(
                f"solver='newton-cholesky' needs the second derivative of the loss, "
                f"which {type(head).__name__} with a loss_fn does not have; use "
                "solver='lbfgs' (or 'auto', which picks it)."
            )
        width = _hessian_width(model)
        if width > MAX_NEWTON_WIDTH:
            raise ValueError(
                f"solver='newton-cholesky' would factor a Hessian of {width} x {width} "
                f"(n_features + 1 times n_outputs), more than {MAX_NEWTON_WIDTH}: use "
                "solver='lbfgs' (or 'auto', which picks it)."
            )
        return "newton-cholesky"

    def _minimize_newton(self, head, model, X, labels, sample_weight, objective, before=None):
        """Newton-Cholesky (:func:`~sklearn_heads._newton.minimize_newton`).

        From :meth:`_initial_theta`, or from where ``before`` (an
        ``LBFGSResult``) ended, for the iterations it left of ``max_iter``.
        A multi-label head whose objective separates
        (``_separable_outputs``) stops on each label's own problem (``tol`` on ``n_labels`` times the gradient), as its
        per-label L-BFGS does. Where Newton finds no usable step (a Hessian
        without a Cholesky factor even shifted, a line search that fails),
        L-BFGS goes on from its last iterate for the iterations left, and
        ``n_iter_`` and ``loss_curve_`` count both.
        """
        max_iter = self.max_iter - (0 if before is None else before.n_iter)
        factor = float(model.n_outputs) if head._separable_outputs else 1.0
        column_scale = objective.preconditioner(self._unscaled_octaves)
        result = minimize_newton(
            objective,
            self._initial_theta(model, X.dtype) if before is None else before.theta,
            max_iter=max_iter,
            tol=self.tol,
            verbose=self.verbose,
            gradient_factor=factor,
            scale=model.parameter_scale(column_scale),
            column_scale=column_scale,
            before=before,
        )
        if result.failure is None:
            return result
        remaining = max_iter - result.n_iter
        if remaining < 1:
            warn_outside_package(
                f"Newton-Cholesky stopped after {self.max_iter} iteration(s) without "
                f"meeting tol={self.tol:g}: {result.failure}. Increase max_iter, or "
                "loosen tol.",
                ConvergenceWarning,
            )
            return result
        rest = self._minimize_lbfgs(
            head, model, X, labels, sample_weight, theta0=result.theta, max_iter=remaining,
            objective=objective,
        )
        return _chained(result, rest, f"Newton: {result.failure}; then L-BFGS: ")

    def _minimize_lbfgs(
        self, head, model, X, labels, sample_weight, theta0=None, max_iter=None, *,
        objective=None, warn=True,
    ):
        """L-BFGS from ``theta0`` (default: a fresh or warm start) for ``max_iter`` iterations.

        One L-BFGS per output when the head's objective separates, evaluated together.
        A head says so with ``_separable_outputs`` (a multi-label head with
        its built-in loss): its objective is a sum of independent per-label
        problems (see :class:`~sklearn_heads._objective.LabelwiseObjective`):
        each label keeps its own L-BFGS history, line search and stopping
        rule, as one-vs-rest would, while every round of evaluations costs
        one ``X @ W`` and one ``X.T @ G``. ``n_iter_`` is the largest number
        of iterations of a label; ``loss_curve_[t]`` is the objective with
        every label at its iterate after ``t + 1`` iterations (or its last).
        ``objective`` (shared with Newton) and ``warn`` are those of the
        joint L-BFGS (see ``_BaseHeadEstimator._minimize``); the per-label
        runs make their own objective, and warn.
        """
        if not head._separable_outputs:
            return super()._minimize(
                head, model, X, labels, sample_weight, theta0=theta0, max_iter=max_iter,
                objective=objective, warn=warn,
            )
        objective = make_objective(
            head, model, X, labels, sample_weight, alpha=self.alpha, labelwise=True
        )
        scale = self._parameter_scale(model, objective)
        if theta0 is None:
            theta0 = self._initial_theta(model, X.dtype, scale)
        result = minimize_lbfgs_batched(
            objective.loss_and_gradient_labels,
            objective.split(theta0),
            max_iter=self.max_iter if max_iter is None else max_iter,
            tol=self.tol,
            verbose=self.verbose,
            scale=objective.split(scale)[0],
        )
        n_iter = int(result.n_iter.max())
        per_label = np.full((objective.n_labels, n_iter), np.nan)
        for j, curve in enumerate(result.loss_curves):
            last = curve[-1] if curve else result.initial_losses[j]
            per_label[j, : len(curve)] = curve
            per_label[j, len(curve) :] = last
        loss_curve = (per_label.sum(axis=0) / objective.label_factor).tolist()
        return LBFGSResult(
            theta=objective.join(result.thetas),
            n_iter=n_iter,
            loss_curve=loss_curve,
            loss=float(result.losses.sum() / objective.label_factor),
            converged=bool(result.converged.all()),
            message="; ".join(sorted(set(result.messages))),
        )

    def _set_fitted(self, model, theta, dtype):
        (W,), (b,) = model.unpack(theta, dtype)
        self.coef_ = np.ascontiguousarray(W.T)
        self.intercept_ = b.copy() if b is not None else np.zeros(model.n_outputs, dtype)

    def _fitted_params(self):
        if not hasattr(self, "coef_"):
            return None
        return [np.asarray(self.coef_).T], [self.intercept_]

    def _fitted_model(self):
        n_outputs, n_features = self.coef_.shape
        model = LinearModel(n_features, n_outputs, fit_intercept=True)
        return model, model.pack([self.coef_.T], [self.intercept_])


class LinearClassifier(_HeadFromTarget, ClassifierMixin, _LinearModelMixin, _BaseHeadEstimator):
    """Linear classifier with TensorFlow's binary, multi-class or multi-label head.

    ``y`` selects the head: two classes (of any type) get a
    :class:`~sklearn_heads.BinaryClassHead`, three or more a
    :class:`~sklearn_heads.MultiClassHead` (softmax), a multi-label
    indicator matrix a :class:`~sklearn_heads.MultiLabelHead` (or
    lists of labels per row: see the user guide, "Multi-label targets as
    lists"). The model
    ``logits = X @ coef_.T + intercept_`` is fitted (with L-BFGS or
    Newton-Cholesky, see ``solver``) on the
    head's weighted mean loss plus ``0.5 * alpha * ||coef_||^2``: that is
    ``head.loss(y, logits)`` without ``sample_weight``, and with it the
    weighted sum of losses divided by the sum of the weights (not by the
    number of rows, as ``head.loss`` does), so that an integer weight is the
    same as repeating the row.

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength of the L2 penalty ``0.5 * alpha * ||coef_||^2`` added to the
        head's loss (the intercept is not penalised). With the default
        reduction, ``alpha = 1 / (C * sample_weight.sum())`` (``n_samples``
        without weights) matches
        :class:`~sklearn.linear_model.LogisticRegression` with ``C``.
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
    fit_intercept : bool, default=True
        Whether to fit ``intercept_``.
    max_iter : int, default=100
        Maximum number of iterations (of L-BFGS or Newton); a
        :class:`~sklearn.exceptions.ConvergenceWarning` is raised when it
        stops the fit.
    tol : float, default=1e-4
        Converged means that every component of the gradient of the
        objective is at most ``tol`` in absolute value (or, where floating
        point cannot get there on badly scaled columns, the gradient with
        respect to the coefficients in units of ``sqrt(mean square of the
        column + alpha)``, which L-BFGS runs on; see the user guide). A fit
        that stops above ``tol`` warns. Multi-label: the objective
        is a sum of one problem per label, and each label stops when the
        gradient of its own problem scaled to a binary one (``n_labels``
        times its share: its mean loss plus ``0.5 * n_labels * alpha *
        ||coef_[j]||^2``) is at most ``tol``, exactly as one-vs-rest would.
    warm_start : bool, default=False
        Start from the previous solution (when the model's shape is
        unchanged) instead of zeros.
    verbose : int, default=0
        If positive, print the objective after each iteration (of each
        label, for multi-label L-BFGS).
    solver : {"auto", "lbfgs", "newton-cholesky"}, default="auto"
        The optimiser; every one minimises the same objective with the same
        stopping rule (``tol``). ``"lbfgs"``: SciPy's L-BFGS-B on the
        preconditioned coefficients (one run per label for multi-label).
        ``"newton-cholesky"``: Newton's method with the Hessian summed over
        the row chunks and a Cholesky solve, a handful of iterations even
        on ill-conditioned data, each costing ``n_samples * n_features^2``
        per output (the heads with a built-in loss; for a multi-class head
        one system of ``(n_features + 1) * n_classes``). ``"auto"`` picks
        Newton-Cholesky for float64 ``X`` and models of at most 128
        coefficients (``(n_features + 1) * n_outputs``), except for a multi-label
        target (fitted label by label with L-BFGS), and L-BFGS otherwise;
        see the user guide.

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
    coef_ : ndarray of shape (1, n_features), (n_classes, n_features) or (n_labels, n_features)
        One row for a binary target, one per class (multi-class) or label.
    intercept_ : ndarray of shape (1,), (n_classes,) or (n_labels,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.
    n_iter_ : int
        Number of iterations (of Newton-Cholesky, and of L-BFGS after it
        where Newton found no usable step). Multi-label L-BFGS: each label
        is fitted by its own L-BFGS (all labels evaluated together), and ``n_iter_`` is
        the largest number of iterations of a label.
    loss_curve_ : list of float
        The objective after each iteration; multi-label: after iteration
        ``t`` of every label (a label that stopped earlier counts with its
        final value).

    See Also
    --------
    LinearEstimator : The same model with any head.
    MLPClassifier : A multi-layer perceptron with the same heads.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_heads import LinearClassifier
    >>> X, y = make_classification(random_state=0)
    >>> clf = LinearClassifier(pos_weight=2.0, threshold=0.4).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> sorted(clf.evaluate(X, y))[:3]
    ['accuracy', 'accuracy_baseline', 'auc']
    """

    _parameter_constraints = {
        **_BaseHeadEstimator._parameter_constraints,
        "pos_weight": [
            None, Interval(numbers.Real, 0, None, closed="left"), "array-like",
            StrOptions({"balanced"}),
        ],
        "pos_label": [None, numbers.Real, str, "boolean"],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "thresholds": [None, "array-like"],
        "classes_for_class_based_metrics": [None, "array-like"],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "lbfgs", "newton-cholesky"})],
    }

    def __init__(
        self,
        *,
        alpha=1e-4,
        pos_weight=None,
        pos_label=None,
        class_weight=None,
        threshold=0.5,
        thresholds=None,
        classes_for_class_based_metrics=None,
        fit_intercept=True,
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        solver="auto",
    ):
        self.alpha = alpha
        self.pos_weight = pos_weight
        self.pos_label = pos_label
        self.class_weight = class_weight
        self.threshold = threshold
        self.thresholds = thresholds
        self.classes_for_class_based_metrics = classes_for_class_based_metrics
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.solver = solver


class LinearEstimator(_GivenHead, _LinearModelMixin, _BaseHeadEstimator):
    """Linear model trained under any head.

    The head answers for the task: a classifier with a
    :class:`~sklearn_heads.BinaryClassHead`,
    :class:`~sklearn_heads.MultiClassHead` or
    :class:`~sklearn_heads.MultiLabelHead`; a scikit-learn regressor with a
    :class:`~sklearn_heads.RegressionHead` (``predict`` after its inverse
    link, ``score`` R^2; with ``alpha = 2 a / (n_samples *
    label_dimension)`` the minimiser of ``Ridge(alpha=a)``), a
    :class:`~sklearn_heads.PoissonRegressionHead` (``predict`` the rate,
    ``score`` D^2; with ``alpha = a`` the minimiser of
    ``PoissonRegressor(alpha=a)``) or a
    :class:`~sklearn_heads.LogisticRegressionHead` (``predict`` the
    probability). The head is a parameter, so
    ``GridSearchCV(est, {"head__pos_weight": [1, 3]})`` works.

    Parameters
    ----------
    head : head instance
        Any head of the package but ``MultiHead``: it defines the loss, the
        predictions, the metrics and the task; it is cloned (as
        ``head_``) at fit.
    alpha : float, default=1e-4
        Strength of the L2 penalty ``0.5 * alpha * ||coef_||^2`` added to the
        head's loss (the intercept is not penalised). With the default
        reduction, ``alpha = 1 / (C * sample_weight.sum())`` (``n_samples``
        without weights) matches
        :class:`~sklearn.linear_model.LogisticRegression` with ``C``.
    threshold : float or array-like of shape (n_labels,), default=0.5
        Decision threshold on the probability (binary and multi-label heads
        only), as in :class:`LinearClassifier`.
    fit_intercept : bool, default=True
        Whether to fit ``intercept_``.
    max_iter : int, default=100
        Maximum number of iterations (of L-BFGS or Newton); a
        :class:`~sklearn.exceptions.ConvergenceWarning` is raised when it
        stops the fit.
    tol : float, default=1e-4
        Converged means that every component of the gradient of the
        objective is at most ``tol`` in absolute value (or, where floating
        point cannot get there on badly scaled columns, the gradient with
        respect to the coefficients in units of ``sqrt(mean square of the
        column + alpha)``, which L-BFGS runs on; see the user guide). A fit
        that stops above ``tol`` warns.
    warm_start : bool, default=False
        Start from the previous solution (when the model's shape is
        unchanged) instead of zeros.
    verbose : int, default=0
        If positive, print the objective after each iteration.
    solver : {"auto", "lbfgs", "newton-cholesky"}, default="auto"
        The optimiser; every one minimises the same objective with the same
        stopping rule (``tol``). ``"lbfgs"``: SciPy's L-BFGS-B on the
        preconditioned coefficients (one run per label for multi-label).
        ``"newton-cholesky"``: Newton's method with the Hessian summed over
        the row chunks and a Cholesky solve, a handful of iterations even
        on ill-conditioned data, each costing ``n_samples * n_features^2``
        per output (the heads with a built-in loss; for a multi-class head
        one system of ``(n_features + 1) * n_classes``). ``"auto"`` picks
        Newton-Cholesky for float64 ``X`` and models of at most 128
        coefficients (``(n_features + 1) * n_outputs``), except for a multi-label head
        without ``loss_fn`` (fitted label by label with L-BFGS) and a head
        with ``loss_fn``, and L-BFGS otherwise; see the user guide.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or (n_labels,)
        Classification heads only: the classes (the head's
        ``label_vocabulary`` when it has one; for a ``MultiClassHead``
        without one, ``arange(n_classes)``).
    head_ : head instance
        The fitted clone of ``head``.
    coef_ : ndarray of shape (logits_dimension, n_features)
    intercept_ : ndarray of shape (logits_dimension,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``X`` has string feature names.
    n_iter_ : int
        Number of iterations (the most of any label for L-BFGS on a
        :class:`~sklearn_heads.MultiLabelHead` without ``loss_fn``, whose
        labels are fitted separately, as in :class:`LinearClassifier`).
    loss_curve_ : list of float
        The objective after each iteration.

    See Also
    --------
    LinearClassifier : Chooses the head from ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_heads import LinearEstimator, LogisticRegressionHead
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0.1, 0.3, 0.6, 0.9])
    >>> reg = LinearEstimator(LogisticRegressionHead(), alpha=0.0).fit(X, y)
    >>> bool(np.all((reg.predict(X) > 0) & (reg.predict(X) < 1)))
    True

    A Poisson regression of counts: the predicted rates add up to the
    counts (the intercept's score equation).

    >>> from sklearn_heads import PoissonRegressionHead
    >>> counts = np.array([0, 1, 1, 3])
    >>> poisson = LinearEstimator(PoissonRegressionHead(), alpha=0.0, tol=1e-8).fit(X, counts)
    >>> poisson.predict(X).round(1)
    array([0.2, 0.5, 1.3, 3. ])
    >>> round(float(poisson.predict(X).sum()), 6)
    5.0
    """

    _parameter_constraints = {
        **_BaseHeadEstimator._parameter_constraints,
        "head": "no_validation",  # checked at fit: any head of the package
        "fit_intercept": ["boolean"],
        "solver": [StrOptions({"auto", "lbfgs", "newton-cholesky"})],
    }

    def __init__(
        self,
        head,
        *,
        alpha=1e-4,
        threshold=0.5,
        fit_intercept=True,
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        verbose=0,
        solver="auto",
    ):
        self.head = head
        self.alpha = alpha
        self.threshold = threshold
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.solver = solver
