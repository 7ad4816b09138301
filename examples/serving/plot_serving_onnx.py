"""
=================
Serving a model
=================

A ``tf.estimator`` team exported a SavedModel and served it. Here the
serving format is ONNX: :func:`sklearn_heads.to_onnx` turns a fitted
estimator (or a pipeline ending in one) into an ONNX graph that computes
what ``predict`` and ``predict_proba`` compute, decision threshold
included, and that `onnxruntime <https://onnxruntime.ai>`_ runs without
Python's scikit-learn stack. This example fits a pipeline, exports it,
scores a JSON batch as a prediction service would, and checks the answers
against the model's own.

It needs the ``onnx`` extra (``pip install ".[onnx]"`` from a checkout:
skl2onnx and onnxruntime).
"""

# %%
# Fit a pipeline
# --------------
# Breast cancer, malignant as the positive class, with a low decision
# threshold: a missed malignancy costs more than a second look.
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_heads
from sklearn_heads import LinearClassifier

X, y = load_breast_cancer(return_X_y=True)
y = np.where(y == 0, "malignant", "benign")
X = X.astype(np.float32)  # what the service will send
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# the classes sort as ("benign", "malignant"): the positive one is malignant
model = make_pipeline(StandardScaler(), LinearClassifier(alpha=1e-2, threshold=0.3))
model.fit(X_train, y_train)
print("classes:", model.classes_, " threshold:", model[-1].threshold)

# %%
# Export it
# ---------
# The sample only tells the converter the input's type and width (float32
# here: the graph then computes in float32, as ``predict`` does on float32
# rows). The graph has one input, ``X``, and two outputs: ``label``, the
# class ``predict`` returns at the model's threshold, and
# ``probabilities``, ``predict_proba``.
onx = sklearn_heads.to_onnx(model, X_train[:1])
serialized = onx.SerializeToString()  # what the service loads
session = rt.InferenceSession(serialized, providers=["CPUExecutionProvider"])
print("inputs:", [(i.name, i.type, i.shape) for i in session.get_inputs()])
print("outputs:", [(o.name, o.type, o.shape) for o in session.get_outputs()])

# %%
# Score a JSON batch
# ------------------
# A request carries rows as JSON; the service turns them into a float32
# array and runs the graph.
request = json.dumps({"instances": X_test[:8].tolist()})
rows = np.asarray(json.loads(request)["instances"], dtype=np.float32)
label, probabilities = session.run(None, {"X": rows})
response = json.dumps(
    {"predictions": [
        {"label": str(lab), "probabilities": dict(zip(model.classes_, map(float, p)))}
        for lab, p in zip(label, probabilities)
    ]},
    indent=1,
)
print(response[:300], "...")

# %%
# The same answers as the model
# -----------------------------
# On the whole test set: every label equal, probabilities within float32
# rounding.
label, probabilities = session.run(None, {"X": X_test})
print("labels equal predict:", np.array_equal(label, model.predict(X_test)))
gap = np.abs(probabilities - model.predict_proba(X_test)).max()
print(f"largest probability difference: {gap:.2g}")

# %%
# Latency
# -------
# One row (an online request) and 10,000 rows (a batch), median of a few
# calls each. ``benchmarks/bench_serving.py`` measures it more carefully.


def _median_time(function, repeats=20):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


batch = np.repeat(X_test, 10_000 // len(X_test) + 1, axis=0)[:10_000]
sizes = {"1 row": X_test[:1], "10,000 rows": batch}
results = {
    name: (
        _median_time(lambda rows=rows: session.run(None, {"X": rows})),
        _median_time(lambda rows=rows: model.predict_proba(rows)),
    )
    for name, rows in sizes.items()
}
for name, (onnx_time, sklearn_time) in results.items():
    print(f"{name:>12}: onnxruntime {onnx_time * 1e3:.3f} ms, "
          f"predict_proba {sklearn_time * 1e3:.3f} ms")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].scatter(model.predict_proba(X_test)[:, 1], probabilities[:, 1], s=8)
axes[0].set(xlabel="predict_proba", ylabel="onnxruntime",
            title="P(" + str(model.classes_[1]) + ")")
x = np.arange(len(results))
axes[1].bar(x - 0.2, [1e3 * t for t, _ in results.values()], 0.4, label="onnxruntime")
axes[1].bar(x + 0.2, [1e3 * t for _, t in results.values()], 0.4, label="predict_proba")
axes[1].set(xticks=x, xticklabels=list(results), ylabel="ms", yscale="log",
            title="latency (median)")
axes[1].legend()
fig.tight_layout()
plt.show()

# %%
# Safe loading without ONNX: skops
# --------------------------------
# To keep the Python model itself, :mod:`skops.io` is the safe alternative
# to :mod:`pickle` (which runs whatever code a file asks for): it only
# constructs the types it is told to trust.
# skops trusts scikit-learn's own types; :func:`sklearn_heads.skops_trusted_types`
# lists this package's (their module paths are private)::
#
#     import skops.io as sio
#     sio.dump(model, "model.skops")
#     model = sio.load("model.skops", trusted=sklearn_heads.skops_trusted_types())
