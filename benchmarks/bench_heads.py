"""Fit time of the multi-class and Poisson estimators against their references.

Issue 14's problems: a multi-class linear model against scikit-learn's
``LogisticRegression`` (``lbfgs`` and ``newton-cholesky``), a Poisson model
against ``PoissonRegressor`` (``lbfgs`` and ``newton-cholesky``) and glum's
``GeneralizedLinearRegressor``, and a multi-class MLP against
scikit-learn's L-BFGS ``MLPClassifier``. Every fit of a problem runs in
this one process, interleaved (the order rotates from one repeat to the
next), ``--repeats`` times; the table reports median wall times, the ratio
ours / the fastest reference, and every fit's final objective computed by
one formula in float64 (:func:`softmax_objective`,
:func:`poisson_objective`, :func:`mlp_objective`), so that the times are
compared at (close to) equal objectives.

Usage::

    python benchmarks/bench_heads.py [--repeats N] [--only NAME ...] [--markdown FILE]

glum is optional (``pip install glum``); without it its column is left
out. The machine is shared and noisy: read ratios, not seconds.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import scipy
import sklearn
from scipy.special import logsumexp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import _report  # noqa: E402
from sklearn_heads import (  # noqa: E402
    LinearClassifier,
    LinearEstimator,
    MLPClassifier,
    PoissonRegressionHead,
)

try:  # optional
    import glum
except ImportError:  # pragma: no cover - depends on the machine
    glum = None

C, TOL, MAX_ITER = 1.0, 1e-6, 1000
#: Our tol on the multi-class problem: at 1e-6 our fit stops after 20
#: iterations 1.1e-8 above the references' objective; at 1e-7 it reaches
#: their objective (to 10 digits), so the times compare equal objectives.
MULTICLASS_TOL = 1e-7
POISSON_ALPHA = 1e-4
MLP_ALPHA, MLP_HIDDEN, MLP_MAX_ITER = 1e-4, (64,), 200


# ----------------------------------------------------------------------
# the one formula per problem that every fit is judged by
def softmax_objective(X, y, coef, intercept, C=C):
    """LogisticRegression(C)'s multinomial objective divided by ``C * n``.

    ``mean_i (logsumexp(z_i) - z_i[y_i]) + ||coef||^2 / (2 C n)``: what
    ``LinearClassifier(alpha=1 / (C * n))`` minimises. Float64.
    """
    n = X.shape[0]
    Z = np.asarray(X, np.float64) @ np.asarray(coef, np.float64).T + np.asarray(intercept)
    data = np.mean(logsumexp(Z, axis=1) - Z[np.arange(n), y])
    return float(data + 0.5 * np.sum(np.square(coef, dtype=np.float64)) / (C * n))


def poisson_objective(X, y, coef, intercept, alpha=POISSON_ALPHA):
    """Half the mean Poisson deviance plus ``alpha / 2 ||coef||^2`` (PoissonRegressor's).

    ``mean(exp(eta) - y eta) + mean(y log y - y) + alpha / 2 ||coef||^2``:
    the log-Poisson loss that ``PoissonRegressionHead`` minimises plus the
    constant that makes it half the deviance. Float64.
    """
    eta = np.asarray(X, np.float64) @ np.ravel(coef).astype(np.float64)
    eta += float(np.ravel(intercept)[0])
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    data = np.mean(np.exp(eta) - y * eta + ylogy - y)
    return float(data + 0.5 * alpha * np.sum(np.square(np.ravel(coef), dtype=np.float64)))


def mlp_objective(X, y, coefs, intercepts, alpha=MLP_ALPHA):
    """scikit-learn's MLP objective: mean cross-entropy + alpha / (2 n) sum ||W||^2."""
    a = np.asarray(X, dtype=np.float64)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        a = a @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
        if i < len(coefs) - 1:
            np.maximum(a, 0, out=a)
    n = X.shape[0]
    data = np.mean(logsumexp(a, axis=1) - a[np.arange(n), y])
    penalty = 0.5 * alpha * sum(float(np.sum(np.square(W, dtype=np.float64))) for W in coefs)
    return float(data + penalty / n)


# ----------------------------------------------------------------------
# data
def _multiclass():
    return make_classification(200_000, 100, n_informative=30, n_classes=5, random_state=0)


def _poisson():
    rng = np.random.RandomState(0)
    n, d = 200_000, 50
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) * 0.6 / np.sqrt(d)  # log-rates of standard deviation 0.6
    y = rng.poisson(np.exp(X @ w - 0.5)).astype(np.float64)
    return X, y


def _mlp_data():
    X, y = _multiclass()
    X, y = X[:50_000], y[:50_000]
    return train_test_split(X, y, test_size=0.2, random_state=0)


# ----------------------------------------------------------------------
# the fits of each problem: name -> factory(n_train) of an unfitted estimator
def _multiclass_fits(n):
    return {
        "ours": LinearClassifier(alpha=1.0 / (C * n), tol=MULTICLASS_TOL, max_iter=MAX_ITER),
        "lbfgs": LogisticRegression(C=C, tol=TOL, max_iter=MAX_ITER),
        "newton-cholesky": LogisticRegression(
            C=C, solver="newton-cholesky", tol=TOL, max_iter=MAX_ITER
        ),
    }


def _poisson_fits(n):
    fits = {
        "ours": LinearEstimator(
            PoissonRegressionHead(compute_full_loss=False), alpha=POISSON_ALPHA, tol=TOL,
            max_iter=MAX_ITER,
        ),
        "lbfgs": PoissonRegressor(alpha=POISSON_ALPHA, tol=TOL, max_iter=MAX_ITER),
        "newton-cholesky": PoissonRegressor(
            alpha=POISSON_ALPHA, solver="newton-cholesky", tol=TOL, max_iter=MAX_ITER
        ),
    }
    if glum is not None:
        # glum minimises the same function: half the mean deviance plus
        # alpha / 2 ||coef||^2 (l1_ratio=0); gradient_tol bounds the largest
        # gradient component, as tol does for the others
        fits["glum"] = glum.GeneralizedLinearRegressor(
            family="poisson", alpha=POISSON_ALPHA, l1_ratio=0.0, gradient_tol=TOL,
            max_iter=MAX_ITER,
        )
    return fits


def _mlp_fits(n):
    return {
        "ours": MLPClassifier(
            hidden_units=MLP_HIDDEN, alpha=MLP_ALPHA / n, max_iter=MLP_MAX_ITER, random_state=0
        ),
        "lbfgs": SkMLPClassifier(
            MLP_HIDDEN, solver="lbfgs", alpha=MLP_ALPHA, max_iter=MLP_MAX_ITER, random_state=0
        ),
    }


def _n_iter(est):
    n_iter = getattr(est, "n_iter_", None)
    return None if n_iter is None else int(np.max(n_iter))


def _linear_objective(objective):
    def judge(data, est):
        X, y = data
        return objective(X, y, est.coef_, est.intercept_)

    return judge


def _mlp_judge(data, est):
    X_train, X_test, y_train, y_test = data
    return mlp_objective(X_train, y_train, est.coefs_, est.intercepts_)


def _mlp_extra(data, fitted):
    X_train, X_test, y_train, y_test = data
    return {f"test acc {name}": float(est.score(X_test, y_test)) for name, est in fitted.items()}


class Problem:
    """One row: data, the fits to compare, the objective that judges them."""

    def __init__(self, name, target, data, fits, judge, extra=None):
        self.name, self.target = name, target
        self._data, self._fits, self.judge, self._extra = data, fits, judge, extra
        self.data = None

    def load(self):
        if self.data is None:
            self.data = self._data()
        return self.data

    def train(self):
        data = self.load()
        return (data[0], data[1]) if len(data) == 2 else (data[0], data[2])

    def fits(self):
        return self._fits(self.train()[0].shape[0])

    def fit(self, name):
        X, y = self.train()
        est = self.fits()[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            est.fit(X, y)
            elapsed = time.perf_counter() - t0
        return est, elapsed

    def extra(self, fitted):
        return {} if self._extra is None else self._extra(self.load(), fitted)


PROBLEMS = [
    Problem("multiclass", 0.6, _multiclass, _multiclass_fits,
            _linear_objective(softmax_objective)),
    Problem("poisson", 0.6, _poisson, _poisson_fits, _linear_objective(poisson_objective)),
    Problem("mlp-multiclass", 0.7, _mlp_data, _mlp_fits, _mlp_judge, _mlp_extra),
]


def run(problem, repeats):
    names = list(problem.fits())
    times = {name: [] for name in names}
    fitted = {}
    for name in names:  # warm-up: imports, thread pools, caches
        problem.fit(name)
    for r in range(repeats):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            est, elapsed = problem.fit(name)
            times[name].append(elapsed)
            fitted[name] = est
    medians = {name: statistics.median(t) for name, t in times.items()}
    references = [name for name in names if name != "ours"]
    fastest = min(references, key=medians.get)
    row = {
        "problem": problem.name,
        "ours_s": medians["ours"],
        "fastest": fastest,
        "fastest_s": medians[fastest],
        "ratio": medians["ours"] / medians[fastest],
        "target": problem.target,
    }
    for name in names:
        row[f"s {name}"] = medians[name]
        row[f"objective {name}"] = problem.judge(problem.load(), fitted[name])
        row[f"n_iter {name}"] = _n_iter(fitted[name])
        row[f"times_{name}"] = times[name]
    row.update(problem.extra(fitted))
    return row


COLUMNS = [
    ("problem", "problem"),
    ("ours_s", "ours (s)"),
    ("fastest", "fastest reference"),
    ("fastest_s", "its time (s)"),
    ("ratio", "ratio"),
    ("target", "target"),
]


def _cell(value):
    if isinstance(value, float) and 1e-3 < abs(value) < 10:
        return f"{value:.12f}"
    return _report.fmt(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=[p.name for p in PROBLEMS])
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, scikit-learn {sklearn.__version__}, glum "
        f"{getattr(glum, '__version__', 'not installed')}, {os.cpu_count()} cpus, "
        f"{args.repeats} repeats",
        flush=True,
    )
    rows = []
    for problem in PROBLEMS:
        if args.only and problem.name not in args.only:
            continue
        row = run(problem, args.repeats)
        rows.append(row)
        details = "  ".join(
            f"{key} {_cell(value)}" for key, value in row.items()
            if key.startswith(("s ", "objective ", "n_iter ", "test acc"))
        )
        print(
            f"{row['problem']:<15} ratio {row['ratio']:.2f} (target <= {row['target']}, "
            f"against {row['fastest']})  {details}",
            flush=True,
        )
        for name in row:
            if name.startswith("times_"):
                print(f"    {name[6:]:<16} {_report.fmt(row[name])}", flush=True)
    # the notes column shows every objective to 12 digits
    shown = [
        {key: f"{value:.12f}" if key.startswith("objective ") else value
         for key, value in row.items()}
        for row in rows
    ]
    _report.emit(_report.markdown(shown, COLUMNS), args.markdown)


if __name__ == "__main__":
    main()
