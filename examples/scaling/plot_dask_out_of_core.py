"""
==================================================
Fitting ten million rows with Dask, chunk by chunk
==================================================

:class:`~sklearn_heads.LinearClassifier` accepts a :class:`dask.array.Array`
chunked by rows in place of a NumPy array:

* ``fit`` loads each row chunk once on the Dask worker that computed it;
  every L-BFGS step then asks each chunk for its loss and gradient, and
  only those sums (a number and a vector per evaluation) travel to the
  client, where L-BFGS runs;
* ``predict``, ``predict_proba`` and ``decision_function`` return lazy
  Dask arrays with the row chunks of ``X``;
* ``evaluate`` updates the head's streaming metrics chunk by chunk on the
  workers and merges them, as in
  :ref:`sphx_glr_auto_examples_tensorflow_plot_streaming_evaluation.py`.

The rows never travel to the client. Here two workers on one machine
share ten million rows built lazily; on a cluster, more workers share
more.
"""

# %%
# A data set that only exists as a recipe
# ---------------------------------------
# The rows come from a known logistic model: ``N_FEATURES`` standard normal
# features, the logit ``X @ TRUE_COEF + TRUE_INTERCEPT`` and a label drawn
# with that probability (about 4% positives). Nothing is computed yet:
# ``X`` and ``y`` are graphs of tasks, one per chunk of ``CHUNK_ROWS``
# rows, which the workers run when a result is needed.
import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from sklearn_heads import LinearClassifier

N_ROWS = 10_000_000
N_FEATURES = 8
CHUNK_ROWS = N_ROWS // 20
TRUE_COEF = np.array([1.0, -0.8, 0.6, -0.4, 0.3, -0.2, 0.1, 0.0])
TRUE_INTERCEPT = -4.0
POS_WEIGHT = 10.0


def make_rows(n_rows, seed):
    """Lazy features and 0/1 labels of the logistic model, chunked by rows."""
    rs = da.random.RandomState(seed)
    X = rs.normal(size=(n_rows, N_FEATURES), chunks=(CHUNK_ROWS, N_FEATURES))
    proba = 1 / (1 + da.exp(-(X @ TRUE_COEF + TRUE_INTERCEPT)))
    y = (rs.uniform(size=n_rows, chunks=CHUNK_ROWS) < proba).astype(np.int8)
    return X, y


X_train, y_train = make_rows(N_ROWS, seed=0)
X_test, y_test = make_rows(N_ROWS // 5, seed=1)  # held out
print(f"X_train: {X_train.shape[0]:,} rows x {X_train.shape[1]} features, "
      f"{X_train.nbytes / 1e9:.2f} GB once computed, "
      f"{X_train.numblocks[0]} row chunks")

# %%
# A cluster on this machine
# -------------------------
# A :class:`~distributed.LocalCluster` of two workers with one thread
# each. The workers are threads of this process (``processes=False``) so
# that the example runs as it is, from a notebook, a script or the
# documentation build: worker *processes* are started with ``spawn``,
# which re-runs a script that does not guard its body with
# ``if __name__ == "__main__":``. The estimator does not care either way;
# on a real cluster, connect with ``Client("tcp://scheduler:8786")``
# instead.
#
# The dashboard shows the tasks of every L-BFGS evaluation as they run
# (``bokeh``, in the ``[dask]`` extra, serves it); it takes any free
# port, and the link says which.
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
)
client = Client(cluster)
print("dashboard:", client.dashboard_link)
print(f"positives in the training rows: {y_train.mean().compute():.2%}")

# %%
# Fitting where the rows are
# --------------------------
# ``pos_weight=POS_WEIGHT`` makes every positive count ten times in the
# loss: the rare class then weighs about half as much as the other one
# instead of a twentieth. The first thing ``fit`` does
# is to compute and keep the chunks of ``X`` and ``y`` on the workers;
# the L-BFGS iterations that follow read them from the workers' memory.
clf = LinearClassifier(pos_weight=POS_WEIGHT)
start = time.perf_counter()
clf.fit(X_train, y_train)
fit_seconds = time.perf_counter() - start
print(f"fit on {N_ROWS:,} rows: {fit_seconds:.1f} s, "
      f"{clf.n_iter_} L-BFGS iterations")

# %%
# Under a correctly specified logistic model, weighting the positives by
# ``q`` moves only the intercept, by ``log(q)``: the coefficients are
# still the true ones.
print("true coef:  ", np.round(TRUE_COEF, 3))
print("fitted coef:", np.round(clf.coef_[0], 3))
print(f"intercept: {clf.intercept_[0]:.3f} fitted, "
      f"{TRUE_INTERCEPT + np.log(POS_WEIGHT):.3f} expected "
      f"(TRUE_INTERCEPT + log(pos_weight))")

# %%
# Lazy predictions
# ----------------
# ``predict_proba`` of a Dask array is a Dask array with the same row
# chunks: nothing is computed until asked for, and then only the chunks
# asked for (here, the first one).
proba = clf.predict_proba(X_test)
print(type(proba).__module__ + "." + type(proba).__name__, proba.shape,
      f"in {proba.numblocks[0]} row chunks")
print("first rows, P(y=1):", np.round(proba[:5, 1].compute(), 3))

# %%
# Evaluating the held-out rows
# ----------------------------
# ``evaluate`` runs the head's TensorFlow metrics on each chunk of the
# held-out set where it is computed and merges their states: the numbers
# are those of one call on all the rows, but only the merged states reach
# the client. ``precision`` and ``recall`` count a probability above
# ``threshold=0.5`` as positive; ``pos_weight`` has pushed the
# probabilities of positives up, trading precision for recall.
start = time.perf_counter()
metrics = clf.evaluate(X_test, y_test)
print(f"evaluate on {X_test.shape[0]:,} held-out rows: "
      f"{time.perf_counter() - start:.1f} s")
for key in ["auc", "auc_precision_recall", "precision", "recall",
            "average_loss"]:
    print(f"  {key:22s} {metrics[key]:.4f}")

# %%
# The fit
# -------
# Left, the objective after each L-BFGS iteration (each at least one
# pass over the chunks on the workers); right, the fitted coefficients
# against the ones the labels were drawn from.
fig, (ax_loss, ax_coef) = plt.subplots(1, 2, figsize=(9, 3.8),
                                       layout="constrained")
ax_loss.plot(np.arange(1, len(clf.loss_curve_) + 1), clf.loss_curve_,
             marker=".")
ax_loss.set_xlabel("L-BFGS iteration")
ax_loss.set_ylabel("objective")
ax_loss.set_title(f"Loss on {N_ROWS:,} rows, {clf.n_iter_} iterations")

lim = 1.2 * np.abs(TRUE_COEF).max()
ax_coef.plot([-lim, lim], [-lim, lim], color="0.7", lw=1)
ax_coef.plot(TRUE_COEF, clf.coef_[0], "o")
ax_coef.set_xlabel("true coefficient")
ax_coef.set_ylabel("fitted coefficient")
ax_coef.set_title(f"pos_weight={POS_WEIGHT:g}: the coefficients hold")
plt.show()

# %%
# Closing the cluster
# -------------------
# The client and the cluster hold threads, ports and the workers' memory
# until they are closed. When a session fits in one block,
# ``with LocalCluster(...) as cluster, Client(cluster) as client:`` closes
# them at its end.
client.close()
cluster.close()
