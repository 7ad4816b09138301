"""Mini-batch MLPs: time to reach scikit-learn's Adam test log-loss (issue 18).

Data: ``make_classification(500_000, 100, n_informative=30, random_state=0)``,
``train_test_split(test_size=0.2, random_state=0)``. The reference is
scikit-learn's ``MLPClassifier((64,), solver="adam", early_stopping=True,
random_state=0)``: its fit time and its final test log-loss (the target).

Rows, each the median of ``--repeats`` runs (interleaved, the order
rotating between repeats):

* ``sklearn``: the reference fit (its time is the time to its own loss);
* ``ours float64`` / ``ours float32``: ``MLPClassifier((64,),
  solver="adam", alpha=1e-4 / 200, random_state=0)`` trained one epoch at a
  time with ``partial_fit`` on the training rows (timed), the test log-loss
  computed after each epoch (not timed); "time to target" is the training
  time until the test log-loss is at or below the reference's. Also
  ``fit(early_stopping=True)`` in full: its time and test log-loss.
  ``alpha = 1e-4 / 200``: scikit-learn divides its penalty by the rows of
  each mini-batch (200), so this is the same objective;
* ``torch``: a PyTorch CPU MLP of the same shape (100-64-1, ReLU,
  Glorot-uniform start), float32, ``torch.optim.Adam(lr=1e-3)``, batches of
  200 in a new random order every epoch, the same penalty, timed the same
  way (``--torch-threads``, default: PyTorch's own thread count).
  ``--sklearn-blas-threads 1`` runs scikit-learn's fit with BLAS limited to
  one thread (threadpoolctl), as the package runs its mini-batches: on a
  busy machine BLAS's threads cost scikit-learn far more than they gain.
  Reported as "torch not installed" without PyTorch (it is only in
  ``benchmarks/requirements.txt``, never a dependency of the package).

::

    python benchmarks/bench_mlp.py --repeats 3 [--n-samples 500000] [--markdown FILE]
"""

import argparse
import os
import sys
from contextlib import nullcontext
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from _report import emit, markdown  # noqa: E402
from sklearn_heads import MLPClassifier  # noqa: E402

TARGET_RATIO = 0.7
ALPHA = 1e-4 / 200
MAX_EPOCHS = 60


def data(n_samples):
    X, y = make_classification(n_samples, 100, n_informative=30, random_state=0)
    return train_test_split(X, y, test_size=0.2, random_state=0)


def run_sklearn(X, y, X_test, y_test, blas_threads=0):
    est = SkMLP((64,), solver="adam", early_stopping=True, random_state=0)
    limits = threadpool_limits(blas_threads, user_api="blas") if blas_threads else nullcontext()
    with limits:
        start = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - start
    loss = log_loss(y_test, est.predict_proba(X_test)[:, 1])
    return {"time": seconds, "loss": loss, "epochs": est.n_iter_}


def run_ours_to_target(X, y, X_test, y_test, target):
    """partial_fit epochs until the test log-loss reaches ``target``."""
    est = MLPClassifier((64,), solver="adam", alpha=ALPHA, random_state=0)
    elapsed, loss = 0.0, np.inf
    for epoch in range(1, MAX_EPOCHS + 1):
        start = time.perf_counter()
        est.partial_fit(X, y, classes=[0, 1])
        elapsed += time.perf_counter() - start
        loss = log_loss(y_test, est.predict_proba(X_test)[:, 1])
        if loss <= target:
            return {"time_to_target": elapsed, "epochs_to_target": epoch, "loss_at": loss,
                    "dtype": est.coefs_[0].dtype.name}
    return {"time_to_target": np.inf, "epochs_to_target": MAX_EPOCHS, "loss_at": loss,
            "dtype": est.coefs_[0].dtype.name}


def run_ours_fit(X, y, X_test, y_test):
    est = MLPClassifier((64,), solver="adam", alpha=ALPHA, early_stopping=True, random_state=0)
    start = time.perf_counter()
    est.fit(X, y)
    seconds = time.perf_counter() - start
    loss = log_loss(y_test, est.predict_proba(X_test)[:, 1])
    return {"fit_time": seconds, "fit_loss": loss, "fit_epochs": est.n_iter_}


def run_torch_to_target(X, y, X_test, y_test, target, threads):
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.float32))
    Xv = torch.from_numpy(np.ascontiguousarray(X_test, dtype=np.float32))
    layers = [torch.nn.Linear(100, 64), torch.nn.Linear(64, 1)]
    for layer in layers:  # Glorot-uniform, as scikit-learn and sklearn_heads start
        bound = np.sqrt(6 / (layer.in_features + layer.out_features))
        torch.nn.init.uniform_(layer.weight, -bound, bound)
        torch.nn.init.uniform_(layer.bias, -bound, bound)
    net = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    lossf = torch.nn.BCEWithLogitsLoss()
    n, elapsed, loss = Xt.shape[0], 0.0, np.inf
    for epoch in range(1, MAX_EPOCHS + 1):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, 200):
            rows = order[i : i + 200]
            opt.zero_grad()
            out = lossf(net(Xt[rows]).squeeze(1), yt[rows])
            penalty = layers[0].weight.pow(2).sum() + layers[1].weight.pow(2).sum()
            out = out + 0.5 * ALPHA * penalty
            out.backward()
            opt.step()
        elapsed += time.perf_counter() - start
        with torch.no_grad():
            p = torch.sigmoid(net(Xv).squeeze(1)).numpy().astype(np.float64)
        loss = log_loss(y_test, p)
        if loss <= target:
            return {"time_to_target": elapsed, "epochs_to_target": epoch, "loss_at": loss,
                    "threads": torch.get_num_threads()}
    return {"time_to_target": np.inf, "epochs_to_target": MAX_EPOCHS, "loss_at": loss,
            "threads": torch.get_num_threads()}


def median(runs, key):
    return float(np.median([r[key] for r in runs]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=500_000)
    parser.add_argument("--torch-threads", type=int, default=0)
    parser.add_argument(
        "--sklearn-blas-threads", type=int, default=0,
        help="limit BLAS to this many threads during scikit-learn's fit (0: its default)",
    )
    parser.add_argument("--markdown", default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    X, X_test, y, y_test = data(args.n_samples)
    X32, X32_test = X.astype(np.float32), X_test.astype(np.float32)
    runs = {"sklearn": [], "float64": [], "float32": [], "torch": []}
    loads = []
    for r in range(args.repeats):
        # the reference first (its loss is the target), then the others rotating
        runs["sklearn"].append(run_sklearn(X, y, X_test, y_test, args.sklearn_blas_threads))
        target = runs["sklearn"][-1]["loss"]
        print(f"repeat {r}: sklearn {runs['sklearn'][-1]}", flush=True)
        others = ["float64", "float32", "torch"]
        others = others[r % 3:] + others[: r % 3]
        for name in others:
            if name == "torch":
                result = run_torch_to_target(X, y, X_test, y_test, target, args.torch_threads)
                if result is not None:
                    runs["torch"].append(result)
            else:
                Xd, Xd_test = (X, X_test) if name == "float64" else (X32, X32_test)
                result = run_ours_to_target(Xd, y, Xd_test, y_test, target)
                result.update(run_ours_fit(Xd, y, Xd_test, y_test))
                runs[name].append(result)
            print(f"repeat {r}: {name} {result}", flush=True)
        loads.append(os.getloadavg()[0])

    sk_time = median(runs["sklearn"], "time")
    rows = [{
        "name": "scikit-learn adam, early_stopping (BLAS threads: "
                f"{args.sklearn_blas_threads or 'default'})",
        "time_to_target": sk_time,
        "ratio": 1.0, "target": np.inf,
        "loss": median(runs["sklearn"], "loss"),
        "epochs": median(runs["sklearn"], "epochs"),
    }]
    for name in ("float64", "float32"):
        rs = runs[name]
        rows.append({
            "name": f"ours adam {name}",
            "time_to_target": median(rs, "time_to_target"),
            "ratio": median(rs, "time_to_target") / sk_time,
            "target": TARGET_RATIO,
            "loss": median(rs, "loss_at"),
            "epochs": median(rs, "epochs_to_target"),
            "full fit(early_stopping) s": median(rs, "fit_time"),
            "full fit test log-loss": median(rs, "fit_loss"),
            "full fit epochs": median(rs, "fit_epochs"),
            "coef dtype": rs[0]["dtype"],
        })
    if runs["torch"]:
        rs = runs["torch"]
        rows.append({
            "name": "PyTorch adam float32 (reference)",
            "time_to_target": median(rs, "time_to_target"),
            "ratio": median(rs, "time_to_target") / sk_time, "target": np.inf,
            "loss": median(rs, "loss_at"), "epochs": median(rs, "epochs_to_target"),
            "threads": rs[0]["threads"],
        })
    else:
        rows.append({"name": "PyTorch (reference)", "time_to_target": "torch not installed",
                     "ratio": float("nan"), "target": np.inf})
    columns = [
        ("name", "fit"), ("time_to_target", "time to target (s)"),
        ("ratio", "ratio vs scikit-learn"), ("loss", "test log-loss at stop"),
        ("epochs", "epochs"),
    ]
    print(
        f"\npython {platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, {os.cpu_count()} cpus, {args.repeats} repeats, "
        f"n_samples={args.n_samples}, scikit-learn's BLAS threads "
        f"{args.sklearn_blas_threads or 'default'}, torch threads "
        f"{args.torch_threads or 'default'}, target test log-loss (scikit-learn's, median) "
        f"{median(runs['sklearn'], 'loss'):.5f}, load average after each repeat "
        f"{', '.join(f'{x:.1f}' for x in loads)}"
    )
    emit(markdown(rows, columns), args.markdown)


if __name__ == "__main__":
    main()
