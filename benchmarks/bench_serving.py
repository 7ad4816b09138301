"""Serving latency: onnxruntime on the exported graph against ``predict_proba``.

For each model (fitted once), the exported ONNX graph run by onnxruntime
and the estimator's own ``predict_proba`` score the same float32 rows: one
row (an online request) and 10,000 rows (a batch). Calls alternate between
the two, ``--repeats`` rounds of ``--calls`` calls each; the table reports
the median time of a call and the ratio onnxruntime / predict_proba (lower
means ONNX is faster). Needs the ``onnx`` extra.

Usage::

    python benchmarks/bench_serving.py [--repeats N] [--calls N] [--markdown FILE]
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import onnxruntime as rt
import sklearn
from sklearn.datasets import make_classification

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import _report  # noqa: E402
from sklearn_heads import LinearClassifier, MLPClassifier, to_onnx  # noqa: E402

MODELS = {
    "linear, 100 features": lambda: LinearClassifier(threshold=0.3),
    "linear, string classes": lambda: LinearClassifier(threshold=0.3),
    "MLP (64,), 100 features": lambda: MLPClassifier((64,), max_iter=50, random_state=0),
}


def _fit(name):
    X, y = make_classification(20_000, 100, n_informative=30, random_state=0)
    X = X.astype(np.float32)
    if "string" in name:
        y = np.where(y == 1, "churn", "stay")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MODELS[name]().fit(X, y)
    session = rt.InferenceSession(
        to_onnx(est, X[:1]).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    rows = np.repeat(X, 1, axis=0)[:10_000]
    return est, session, {"1 row": rows[:1], "10,000 rows": rows}


def _call_time(function, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def run(name, repeats, calls):
    est, session, sizes = _fit(name)
    rows = []
    for size, X in sizes.items():
        n_calls = calls if len(X) == 1 else max(1, calls // 20)
        onnx_times, sklearn_times = [], []
        for r in range(repeats):  # interleaved: the order alternates
            pair = [
                (onnx_times, lambda: session.run(None, {"X": X})),
                (sklearn_times, lambda: est.predict_proba(X)),
            ]
            for times, function in pair if r % 2 == 0 else pair[::-1]:
                times.append(_call_time(function, n_calls))
        onnx_ms = 1e3 * statistics.median(onnx_times)
        sklearn_ms = 1e3 * statistics.median(sklearn_times)
        rows.append({
            "model": name, "rows": size, "onnx_ms": onnx_ms, "sklearn_ms": sklearn_ms,
            "ratio": onnx_ms / sklearn_ms,
        })
    return rows


COLUMNS = [
    ("model", "model"),
    ("rows", "rows per call"),
    ("onnx_ms", "onnxruntime (ms)"),
    ("sklearn_ms", "predict_proba (ms)"),
    ("ratio", "ratio onnx / predict_proba"),
]


def markdown(rows):
    lines = [
        "| " + " | ".join(header for _, header in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        lines.append("| " + " | ".join(_report.fmt(row[key]) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, onnxruntime {rt.__version__}, {os.cpu_count()} cpus, "
        f"{args.repeats} repeats",
        flush=True,
    )
    rows = []
    for name in MODELS:
        for row in run(name, args.repeats, args.calls):
            rows.append(row)
            print(
                f"{row['model']:<26} {row['rows']:>12}: onnxruntime {row['onnx_ms']:.4f} ms, "
                f"predict_proba {row['sklearn_ms']:.4f} ms, ratio {row['ratio']:.2f}",
                flush=True,
            )
    _report.emit(markdown(rows), args.markdown)


if __name__ == "__main__":
    main()
