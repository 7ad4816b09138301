"""Dask fit time of sklearn_heads against dask-ml on the same Dask data.

``LinearClassifier`` and ``dask_ml.linear_model.LogisticRegression(
solver="lbfgs")`` are fitted on the same ``dask.array`` data, persisted on
one ``distributed.LocalCluster`` (2 worker processes, 1 thread each) that
this script starts, with its ``Client`` as the default scheduler. The fits
are interleaved (the order alternates from one repeat to the next),
``--repeats`` times each, after one untimed warm-up fit of each; the table
reports the median wall times, their ratio ours / dask-ml, the final
objective of both fits computed by one formula on the cluster
(:func:`objective_and_gradient`), the largest gradient component there,
the L-BFGS iterations and evaluations of both (ours: ``n_iter_`` and a
count of ``DaskRows.sum_loss_gradient`` calls; dask-ml exposes neither, so
the info dict that SciPy's ``fmin_l_bfgs_b`` returns inside dask_glm is
recorded), the median fit time per evaluation (setup included), and each
repeat's own ratio.

The same function is minimised by both: dask-ml's L-BFGS minimises the
SUM of the log-losses plus ``||beta||^2 / (2 C)`` with the intercept
penalised as a column of ones, and standardises ``X`` first unless told
not to; ours minimises the MEAN log-loss plus ``alpha / 2 ||coef||^2``.
So both get ``fit_intercept=False`` and ``X`` with an explicit column of
ones, dask-ml ``solver_kwargs={"normalize": False}``, and ours
``alpha = 1 / (C n)``: then ours is dask-ml's divided by ``n``, and
dask-ml's ``tol = n * TOL`` (SciPy's ``pgtol`` on the sum-scale gradient)
is the same stopping rule as ours ``tol = TOL`` (on the mean-scale one).
What dask-ml does not let one set stays SciPy's default there: a 10-step
memory (ours: 30) and ``factr=1e7``, a stop when the objective falls by
less than 2.2e-9 relatively (ours: 64 machine epsilons, so that ``tol``
decides).

Usage::

    python benchmarks/bench_dask.py [--repeats N] [--rows N] [--features D]
        [--chunk-rows N] [--scale-decades D] [--markdown FILE]

The machine is shared and noisy: take medians of several repeats, and read
ratios rather than absolute times.
"""

import argparse
import logging
import os
import platform
import statistics
import sys
import time
import warnings

import dask
import dask.array as da
import dask_glm
import dask_glm.algorithms
import dask_ml
import distributed
import numpy as np
import scipy
import sklearn
from dask_ml.linear_model import LogisticRegression as DaskLogisticRegression
from distributed import Client, LocalCluster, wait
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import _report  # noqa: E402
from sklearn_heads import LinearClassifier  # noqa: E402
from sklearn_heads._dask._rows import DaskRows  # noqa: E402

C, TOL, MAX_ITER = 1.0, 1e-6, 1000
N_WORKERS, THREADS_PER_WORKER = 2, 1
#: The issue's criterion: at least as fast as dask-ml (ratio ours / dask-ml).
TARGET = 1.0


# ----------------------------------------------------------------------
# data: built lazily, then persisted on the workers before any timing
def make_data(rows, features, chunk_rows, scale_decades=0.0, seed=0):
    """Normal features plus a column of ones; labels from a logistic model.

    ``y = 1`` with probability ``sigmoid(F @ w + b)`` for a fixed random
    ``w`` (scaled so that the logits have standard deviation 2) and
    ``b = 0.5``: the logistic noise is ``log(u / (1 - u))`` of a uniform
    ``u``. With ``scale_decades > 0`` the features' standard deviations
    are spread over that many decades (``logspace(-D/2, D/2)``), the same
    labels: a worse-conditioned problem. Returns lazy ``X`` (float64,
    ``rows x (features + 1)``, one chunk wide) and ``y`` (int64), both
    chunked by ``chunk_rows`` rows.
    """
    rs = da.random.RandomState(seed)
    F = rs.standard_normal((rows, features), chunks=(chunk_rows, features))
    w = np.random.RandomState(seed + 1).standard_normal(features)
    w *= 2.0 / np.linalg.norm(w)
    u = rs.uniform(size=rows, chunks=chunk_rows)
    logits = F @ w + 0.5 + da.log(u) - da.log1p(-u)
    y = (logits > 0).astype(np.int64)
    if scale_decades:
        F = F * np.logspace(-scale_decades / 2, scale_decades / 2, features)
    ones = da.ones((rows, 1), chunks=(chunk_rows, 1))
    X = da.concatenate([F, ones], axis=1).rechunk({1: -1})
    return X, y


# ----------------------------------------------------------------------
# the one formula both fits are judged by
def objective_and_gradient(X, y, w, C=C):
    """Ours, ``mean_i log_loss_i + ||w||^2 / (2 C n)``, and its gradient.

    Evaluated on the cluster, in float64, for the full parameter vector
    ``w`` (the ones column's coefficient included, as both fits penalise
    it): dask-ml's objective divided by ``n``. Returns the objective and
    the largest absolute component of its gradient.
    """
    w = np.asarray(w, dtype=np.float64).ravel()
    n = X.shape[0]
    s = X @ w
    data = da.mean(da.logaddexp(0.0, s) - y * s)
    residual = 1.0 / (1.0 + da.exp(-s)) - y
    grad = X.T @ residual / n
    data, grad = dask.compute(data, grad)
    penalty = 0.5 * float(w @ w) / (C * n)
    grad = grad + w / (C * n)
    return float(data) + penalty, float(np.max(np.abs(grad)))


# ----------------------------------------------------------------------
# counters: what each fit did (wrappers in the client, a few ns a call)
COUNTS = {"ours_nfev": 0, "theirs_info": None}
_sum_loss_gradient = DaskRows.sum_loss_gradient
_sum_loss_gradient_hessian = DaskRows.sum_loss_gradient_hessian
_fmin_l_bfgs_b = dask_glm.algorithms.fmin_l_bfgs_b


def _counting_sum_loss_gradient(self, *args, **kwargs):
    COUNTS["ours_nfev"] += 1
    return _sum_loss_gradient(self, *args, **kwargs)


def _counting_sum_loss_gradient_hessian(self, *args, **kwargs):
    # Newton-Cholesky (solver="auto" after its 10 L-BFGS iterations, or
    # "newton-cholesky"): one round trip with the Hessian
    COUNTS["ours_nfev"] += 1
    return _sum_loss_gradient_hessian(self, *args, **kwargs)


def _recording_fmin_l_bfgs_b(*args, **kwargs):
    result = _fmin_l_bfgs_b(*args, **kwargs)
    COUNTS["theirs_info"] = result[2]  # nit, funcalls, warnflag, task
    return result


DaskRows.sum_loss_gradient = _counting_sum_loss_gradient
DaskRows.sum_loss_gradient_hessian = _counting_sum_loss_gradient_hessian
dask_glm.algorithms.fmin_l_bfgs_b = _recording_fmin_l_bfgs_b


#: our solver (``--solver``): "auto" runs L-BFGS, and Newton-Cholesky after
#: 10 L-BFGS iterations that did not converge (21 coefficients here)
SOLVER = {"name": "auto"}


def _ours(n):
    return LinearClassifier(
        alpha=1.0 / (C * n), tol=TOL, max_iter=MAX_ITER, fit_intercept=False,
        solver=SOLVER["name"],
    )


def _theirs(n):
    return DaskLogisticRegression(
        C=C, solver="lbfgs", tol=TOL * n, max_iter=MAX_ITER, fit_intercept=False,
        solver_kwargs={"normalize": False},
    )


def fit(which, X, y):
    """One fit; returns the estimator, its wall time and what it did."""
    n = X.shape[0]
    est = _ours(n) if which == "ours" else _theirs(n)
    COUNTS["ours_nfev"], COUNTS["theirs_info"] = 0, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        est.fit(X, y)
        elapsed = time.perf_counter() - t0
    if which == "ours":
        stats = {"n_iter": int(est.n_iter_), "nfev": COUNTS["ours_nfev"]}
    else:
        info = COUNTS["theirs_info"]
        stats = {"n_iter": int(info["nit"]), "nfev": int(info["funcalls"]),
                 "stop": str(info["task"])}
    return est, elapsed, stats


def _coef(est):
    return np.asarray(est.coef_, dtype=np.float64).ravel()


def run(X, y, repeats, name):
    times = {"ours": [], "theirs": []}
    fitted, stats = {}, {}
    for which in ("ours", "theirs"):  # warm-up: imports, worker caches
        fit(which, X, y)
    for r in range(repeats):
        order = ("ours", "theirs") if r % 2 == 0 else ("theirs", "ours")
        for which in order:
            est, elapsed, st = fit(which, X, y)
            times[which].append(elapsed)
            fitted[which] = est
            stats.setdefault(which, []).append(st)
    row = {
        "problem": name,
        "ours_s": statistics.median(times["ours"]),
        "theirs_s": statistics.median(times["theirs"]),
        "times_ours": times["ours"],
        "times_theirs": times["theirs"],
    }
    row["ratio"] = row["ours_s"] / row["theirs_s"]
    row["target"] = TARGET
    # each repeat's own ratio: the load of a shared machine drifts
    row["repeat ratios"] = [a / b for a, b in zip(times["ours"], times["theirs"])]
    row["obj_ours"], row["grad_ours"] = objective_and_gradient(X, y, _coef(fitted["ours"]))
    row["obj_theirs"], row["grad_theirs"] = objective_and_gradient(
        X, y, _coef(fitted["theirs"])
    )
    last_ours, last_theirs = stats["ours"][-1], stats["theirs"][-1]
    row["iter_ours"], row["iter_theirs"] = last_ours["n_iter"], last_theirs["n_iter"]
    row["nfev_ours"], row["nfev_theirs"] = last_ours["nfev"], last_theirs["nfev"]
    row["per_eval_ours"] = row["ours_s"] / statistics.median(s["nfev"] for s in stats["ours"])
    row["per_eval_theirs"] = row["theirs_s"] / statistics.median(
        s["nfev"] for s in stats["theirs"]
    )
    diff = _coef(fitted["ours"]) - _coef(fitted["theirs"])
    row["max abs coef diff"] = float(np.max(np.abs(diff)))
    row["dask-ml stop"] = last_theirs["stop"]
    return row


COLUMNS = [
    ("problem", "problem"),
    ("ours_s", "ours (s)"),
    ("theirs_s", "dask-ml (s)"),
    ("ratio", "ratio"),
    ("obj_ours", "objective ours"),
    ("obj_theirs", "objective dask-ml"),
    ("grad_ours", "max abs grad ours"),
    ("grad_theirs", "max abs grad dask-ml"),
    ("iter_ours", "n_iter ours"),
    ("iter_theirs", "n_iter dask-ml"),
    ("nfev_ours", "evaluations ours"),
    ("nfev_theirs", "evaluations dask-ml"),
    ("per_eval_ours", "fit s / evaluation ours"),
    ("per_eval_theirs", "fit s / evaluation dask-ml"),
]


def markdown(rows):
    formats = {key: "{:.12f}".format for key in ("obj_ours", "obj_theirs")}
    formats.update({key: "{:.2e}".format for key in ("grad_ours", "grad_theirs")})
    return _report.markdown(rows, COLUMNS, formats)


def main(argv=None):
    # dask-ml's own deprecations (a dask config key, SciPy's iprint), and the
    # HTTP server's port notice: noise in the output, not about the fits
    warnings.filterwarnings("ignore", message=".*fuse_ave_width.*", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*iprint.*", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=20,
                        help="normal features, before the column of ones")
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--scale-decades", type=float, default=0.0,
                        help="spread the features' scales over this many decades "
                        "(0: all standard normal)")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--solver", default="auto", choices=["auto", "lbfgs", "newton-cholesky"],
                        help="our solver (auto: L-BFGS, then Newton-Cholesky after 10 "
                        "iterations that did not converge)")
    args = parser.parse_args(argv)
    SOLVER["name"] = args.solver
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, scikit-learn {sklearn.__version__}, dask "
        f"{dask.__version__}, distributed {distributed.__version__}, dask-ml "
        f"{dask_ml.__version__}, dask-glm {dask_glm.__version__}, {os.cpu_count()} "
        f"cpus, LocalCluster {N_WORKERS} workers x {THREADS_PER_WORKER} thread "
        f"(processes), {args.repeats} repeats",
        flush=True,
    )
    with LocalCluster(
        n_workers=N_WORKERS,
        threads_per_worker=THREADS_PER_WORKER,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster):
        X, y = make_data(args.rows, args.features, args.chunk_rows, args.scale_decades)
        X, y = dask.persist(X, y)
        wait([X, y])
        print(f"data: X {X.shape} in {X.numblocks[0]} row chunks, mean(y) "
              f"{float(y.mean().compute()):.4f}", flush=True)
        name = f"binary {args.rows:_} x {args.features} + ones (ours: solver={args.solver!r})"
        if args.scale_decades:
            name += f", scales over {args.scale_decades:g} decades"
        row = run(X, y, args.repeats, name)
    print(
        f"{row['problem']}  ours {row['ours_s']:.3f}s  dask-ml {row['theirs_s']:.3f}s  "
        f"ratio {row['ratio']:.2f} (target <= {TARGET})  objective "
        f"{row['obj_ours']:.12f} vs {row['obj_theirs']:.12f}  max abs grad "
        f"{row['grad_ours']:.2e} vs {row['grad_theirs']:.2e}  n_iter "
        f"{row['iter_ours']} vs {row['iter_theirs']}  evaluations {row['nfev_ours']} "
        f"vs {row['nfev_theirs']}  times ours {_report.fmt(row['times_ours'])} dask-ml "
        f"{_report.fmt(row['times_theirs'])}  {_report.notes(row, COLUMNS)}",
        flush=True,
    )
    _report.emit(markdown([row]), args.markdown)


if __name__ == "__main__":
    main()
