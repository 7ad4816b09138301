"""Milliseconds per evaluation of the training objective against the machine's floor.

One evaluation of ``Objective.loss_and_gradient`` (binary head, linear
model, no sample weights) reads ``X`` for the forward product ``X @ w``
and again for the backward product ``X.T @ g``. This script times it next
to the machine's floor for the same ``X``, measured in the same run:

* **stream**: the fastest of a few plain reads of ``X`` (a sum of the
  raveled array in this thread, and in two threads over halves of the
  rows): what reading ``X`` once from memory costs;
* **X @ w**: NumPy's matrix-vector product alone (BLAS, one thread: as
  ours runs it, and so that BLAS's idle threads do not spin on the cores
  while the other measurements run);
* **einsum**: ``np.einsum("ij,j->i", X, w)`` alone.
* **no head**: ours without the head: the same row chunks, threads,
  forward and backward products, with the logits themselves as their
  gradient: what reading each chunk once and multiplying it twice costs
  in this design, the floor of "ours" in NumPy and BLAS.

"ours" is the objective as a fit evaluates it (``precise=False``: float32
``X`` with float32 products, until the solver refines it); for float32 rows
the last column is the refined objective (float64 products), which a fit
evaluates in its last iterations.

Every measurement is repeated ``--repeats`` times, interleaved (one of
each in turn), after one untimed warm-up; the table shows medians and the
ratio ours / stream (the target of issue 18: at most 2), and the ratio of
the CPU time (all threads) of ours to that of the one-thread stream: the
work an evaluation does in units of a pass over ``X``, which a loaded
machine disturbs less than wall times (ours runs two threads: on an idle
2-core machine its wall time is about half its CPU time). The machine is
shared: the load average before and after is printed, read ratios rather
than absolute times.

Usage::

    python benchmarks/bench_kernel.py [--repeats N] [--only NAME ...] [--markdown FILE]
"""

import argparse
import os
import platform
import statistics
import sys
import threading
import time

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sklearn_heads import BinaryClassHead  # noqa: E402
from sklearn_heads._models import LinearModel  # noqa: E402
from sklearn_heads._objective import Objective  # noqa: E402

#: name -> (rows, columns, dtype)
SHAPES = {
    "200k x 100 float64": (200_000, 100, np.float64),
    "200k x 100 float32": (200_000, 100, np.float32),
    "1M x 100 float64": (1_000_000, 100, np.float64),
    "1M x 100 float32": (1_000_000, 100, np.float32),
    "200k x 1000 float64": (200_000, 1000, np.float64),
    "200k x 1000 float32": (200_000, 1000, np.float32),
}

TARGET = 2.0


def _two_thread_sum(X):
    """Sum of ``X`` read by two threads, one half of the rows each."""
    half = X.shape[0] // 2
    out = [0.0, 0.0]

    def work(i, part):
        out[i] = float(part.reshape(-1).sum())

    thread = threading.Thread(target=work, args=(1, X[half:]))
    thread.start()
    work(0, X[:half])
    thread.join()
    return out[0] + out[1]


def _one_blas_thread(function):
    with threadpool_limits(limits=1, user_api="blas"):
        return function()


def _data(n, d, dtype, seed=0):
    """Standard normal ``X`` made in ``dtype`` (no float64 copy) and 0/1 labels."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, d), dtype=dtype)
    step = 50_000
    for start in range(0, n, step):
        X[start : start + step] = rng.standard_normal((min(step, n - start), d), dtype=dtype)
    y = (rng.random(n) < 0.5).astype(np.float64)
    return X, y


def measure(name, repeats):
    """One row of the table: median ms of each measurement."""
    n, d, dtype = SHAPES[name]
    X, y = _data(n, d, dtype)
    model = LinearModel(d, 1)
    # as a fit evaluates it: float32 products for float32 X until refined
    objective = Objective(BinaryClassHead(), model, X, y, precise=False)
    exact = Objective(BinaryClassHead(), model, X, y)
    theta = np.random.default_rng(1).standard_normal(model.n_params) / np.sqrt(d)
    w = theta[:d].astype(dtype)
    params = theta.astype(objective.compute_dtype)

    def no_head(chunk):
        X_chunk, XT = chunk[0], chunk[1]
        logits, cache = model.forward(params, X_chunk)
        return model.backward(params, X_chunk, cache, logits, XT=XT)

    tasks = {
        "ours": lambda: objective.loss_and_gradient(theta),
        "no head": lambda: objective._map_chunks(no_head),
        "stream 1 thread": lambda: X.reshape(-1).sum(),
        "stream 2 threads": lambda: _two_thread_sum(X),
        "X @ w": lambda: _one_blas_thread(lambda: X @ w),
        "einsum": lambda: np.einsum("ij,j->i", X, w),
    }
    if objective.precise != exact.precise:  # float32: the refined objective too
        tasks["ours, float64 products"] = lambda: exact.loss_and_gradient(theta)
    times = {key: [] for key in tasks}
    cpu = {key: [] for key in tasks}
    for task in tasks.values():  # warm-up: threads, buffers, page faults
        task()
    for repeat in range(repeats):
        order = list(tasks) if repeat % 2 == 0 else list(tasks)[::-1]
        for key in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            tasks[key]()
            times[key].append(1e3 * (time.perf_counter() - start))
            cpu[key].append(1e3 * (time.process_time() - start_cpu))
    medians = {key: statistics.median(values) for key, values in times.items()}
    cpu_ours = statistics.median(cpu["ours"])
    cpu_stream = statistics.median(cpu["stream 1 thread"])
    stream = min(medians["stream 1 thread"], medians["stream 2 threads"])
    row = {
        "shape": name,
        "ours": medians["ours"],
        "stream": stream,
        "X @ w": medians["X @ w"],
        "einsum": medians["einsum"],
        "no head": medians["no head"],
        "ratio": medians["ours"] / stream,
        "exact": medians.get("ours, float64 products"),
        "cpu ratio": cpu_ours / cpu_stream,
        "GB/s stream": X.nbytes / stream / 1e6,
        "chunk rows": objective.chunk_size,
        "threads": objective.n_threads,
    }
    return row


def table(rows):
    lines = [
        "| shape | ours (ms) | stream (ms) | X @ w (ms) | einsum (ms) | no head (ms) | "
        "ours / stream | no head / stream | CPU time ours / stream | stream GB/s | "
        "chunk rows | ours, float64 products (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ok = "ok" if r["ratio"] <= TARGET else "MISSED"
        lines.append(
            f"| {r['shape']} | {r['ours']:.1f} | {r['stream']:.1f} | {r['X @ w']:.1f} | "
            f"{r['einsum']:.1f} | {r['no head']:.1f} | **{r['ratio']:.2f}** ({ok}) | "
            f"{r['no head'] / r['stream']:.2f} | {r['cpu ratio']:.2f} | "
            f"{r['GB/s stream']:.1f} | "
            f"{r['chunk rows']} | {'-' if r['exact'] is None else format(r['exact'], '.1f')} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", nargs="+", choices=list(SHAPES), metavar="NAME")
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rows = []
    for name in args.only or SHAPES:
        rows.append(measure(name, args.repeats))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    load_after = os.getloadavg()
    header = (
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cpus, medians of {args.repeats} interleaved repeats; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    text = header + "\n\n" + table(rows)
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
