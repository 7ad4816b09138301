"""
=====================================================
Evaluating a data set too large for memory, in chunks
=====================================================

``tf.estimator`` evaluates through an ``input_fn`` that yields batches:
the metrics are *streaming*, they accumulate counts batch after batch and
never hold all the predictions. The heads here do the same:

* ``head.metrics()`` makes a fresh dict of metric objects,
* ``head.update_metrics(eval_metrics, logits, labels)`` adds one chunk,
* ``metric.result()`` reads the value at any time, and
* ``metric.merge(other)`` adds the state of a metric that was updated
  somewhere else: another process, another machine, another day.

Streaming gives exactly the numbers of one call on all the rows (the
states are sums), so a data set can be split across workers and their
results combined.
"""

# %%
# A model, and a data set we pretend cannot be loaded
# ---------------------------------------------------
# ``read_chunk(i)`` stands for reading the ``i``-th file of a large data
# set. Each chunk is generated from its own seed, so any worker can read
# any chunk without the others.
import pickle

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed

from sklearn_heads import BinaryClassHead, LinearClassifier

N_CHUNKS, CHUNK_ROWS = 40, 5_000
TRUE_COEF = np.random.default_rng(42).normal(size=20)


def read_chunk(i):
    """Chunk ``i``: features, 0/1 labels (about 12% positive), weights."""
    rng = np.random.default_rng(i)
    X = rng.normal(size=(CHUNK_ROWS, 20))
    p = 1 / (1 + np.exp(-(X @ TRUE_COEF * 0.5 - 3.0)))
    y = (rng.random(CHUNK_ROWS) < p).astype(int)
    weight = rng.choice([1.0, 2.0], size=CHUNK_ROWS)
    return X, y, weight


# train on a sample that fits in memory (the first chunk); to train on all
# of them, see the Dask example in "Scaling out with Dask"
X_train, y_train, w_train = read_chunk(0)
clf = LinearClassifier(pos_weight=4.0, threshold=0.5).fit(
    X_train, y_train, w_train
)

# The head to report with: the fitted head's loss (pos_weight) plus
# metrics at a few extra thresholds.
head = BinaryClassHead(thresholds=[0.3, 0.7, 0.9], pos_weight=4.0)

# %%
# Streaming: one update per chunk
# -------------------------------
# Only one chunk is in memory at a time. We read the metrics after every
# chunk to watch them settle.
eval_metrics = head.metrics()
watched = [
    "auc",
    "auc_precision_recall",
    "precision",
    "recall",
    "precision/positive_threshold_0.9",
]
history = {key: [] for key in watched}
for i in range(1, N_CHUNKS + 1):
    X, y, weight = read_chunk(i)
    head.update_metrics(
        eval_metrics,
        clf.decision_function(X),
        y,
        sample_weight=weight,
        decision_threshold=clf.threshold,
    )
    for key in watched:
        history[key].append(eval_metrics[key].result())

streamed = {key: metric.result() for key, metric in eval_metrics.items()}
print(f"{N_CHUNKS * CHUNK_ROWS} rows streamed in {N_CHUNKS} chunks")
for key in sorted(streamed):
    print(f"  {key:35s} {streamed[key]:.4f}")

# %%
# In parallel: one metric dict per worker, merged at the end
# ----------------------------------------------------------
# Each worker evaluates its share of the chunks into its own metric dict
# and sends back the dict: a few hundred numbers, whatever the number of
# rows. ``merge`` adds the states key by key. Threads keep this example
# quick; with processes (``Parallel(n_jobs=-1)``) or separate machines the
# dicts travel pickled, which the round trip through :mod:`pickle` below
# stands for.


def evaluate_chunks(chunk_ids):
    metrics = head.metrics()
    for i in chunk_ids:
        X, y, weight = read_chunk(i)
        head.update_metrics(
            metrics,
            clf.decision_function(X),
            y,
            sample_weight=weight,
            decision_threshold=clf.threshold,
        )
    return metrics


shares = np.array_split(np.arange(1, N_CHUNKS + 1), 4)
partial = Parallel(n_jobs=2, prefer="threads")(
    delayed(evaluate_chunks)(ids) for ids in shares
)
# what a process boundary does:
partial = pickle.loads(pickle.dumps(partial))
merged = partial[0]
for other in partial[1:]:
    for key, metric in merged.items():
        metric.merge(other[key])
largest_gap = max(
    abs(merged[key].result() - streamed[key]) for key in streamed
)
print(
    f"merged from {len(shares)} workers; largest difference to the "
    f"streamed result: {largest_gap:.1e}"
)

# %%
# The same as one call on all the rows
# ------------------------------------
# On a few chunks that do fit in memory, streaming and ``head.evaluate``
# on everything at once agree.
parts = [read_chunk(i) for i in range(1, 4)]
X, y, weight = (np.concatenate(a) for a in zip(*parts))
at_once = head.evaluate(
    y, clf.decision_function(X), weight, decision_threshold=clf.threshold
)
chunked = evaluate_chunks(range(1, 4))
print(
    "agree:",
    all(np.isclose(chunked[k].result(), v) for k, v in at_once.items()),
)

# %%
# The running values
# ------------------
# After a handful of chunks the estimates stop moving; the precision at a
# high threshold, which rests on few predicted positives, takes longest.
rows = CHUNK_ROWS * np.arange(1, N_CHUNKS + 1)
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for key in watched:
    ax.plot(rows, history[key], marker=".", label=key)
ax.set_xscale("log")
ax.set_xlabel("rows evaluated so far (log scale)")
ax.set_ylabel("metric value")
ax.set_title(
    f"Streaming evaluation, {N_CHUNKS} chunks of {CHUNK_ROWS:,} rows"
)
fig.legend(loc="outside lower center", ncols=3, fontsize=9)
plt.show()
