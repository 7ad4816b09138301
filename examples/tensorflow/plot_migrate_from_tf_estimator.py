"""
=============================================
Moving a tf.estimator head + model_fn across
=============================================

A typical ``tf.estimator`` project has three parts: feature columns that
turn a dict of raw features into a dense tensor, a ``model_fn`` that
computes logits and hands them to a *head*, and an ``input_fn`` that feeds
batches. With this package the head keeps its name and arguments, the
``model_fn`` becomes :class:`~sklearn_heads.LinearEstimator` or
:class:`~sklearn_heads.MLPEstimator`, the feature columns become a
scikit-learn :class:`~sklearn.compose.ColumnTransformer`, and the
``input_fn`` becomes arrays. The :doc:`migration guide </migration>` lists
every argument; this example walks through one project end to end.

The TensorFlow code is shown, not run (this example needs no TensorFlow).
"""

# %%
# The TensorFlow project
# ----------------------
# A churn model: two numeric features, a plan id, a weight column, a
# positive class three times more important than the negative one, and
# precision/recall reported at two extra thresholds.
#
# .. code-block:: python
#
#     import functools
#     import tensorflow as tf
#
#     columns = [
#         tf.feature_column.numeric_column("tenure", normalizer_fn=...),
#         tf.feature_column.bucketized_column(
#             tf.feature_column.numeric_column("monthly_spend"),
#             boundaries=[20, 50, 80]),
#         tf.feature_column.indicator_column(
#             tf.feature_column.categorical_column_with_identity(
#                 "plan", num_buckets=3)),
#     ]
#
#     head = tf.estimator.BinaryClassHead(
#         weight_column="weight",
#         thresholds=[0.3, 0.7],
#         loss_fn=functools.partial(
#             tf.nn.weighted_cross_entropy_with_logits, pos_weight=3.0),
#     )
#
#     def model_fn(features, labels, mode, params):
#         net = tf.compat.v1.feature_column.input_layer(features, columns)
#         for units in params["hidden_units"]:
#             net = tf.keras.layers.Dense(units, activation="relu")(net)
#         logits = tf.keras.layers.Dense(head.logits_dimension)(net)
#         return head.create_estimator_spec(
#             features=features, mode=mode, labels=labels, logits=logits,
#             optimizer=tf.keras.optimizers.Ftrl(
#                 0.05, l2_regularization_strength=1e-3),
#             trainable_variables=tf.compat.v1.trainable_variables())
#
#     estimator = tf.estimator.Estimator(
#         model_fn, model_dir="/tmp/churn", params={"hidden_units": [16]})
#     estimator.train(train_input_fn, max_steps=5000)
#     # {"auc": ..., "recall/positive_threshold_0.3": ..., ...}
#     metrics = estimator.evaluate(eval_input_fn)
#     # one dict per example: {"logistic": ..., "class_ids": ..., ...}
#     predictions = estimator.predict(predict_input_fn)
#
# With ``hidden_units=[]`` the same ``model_fn`` is a linear model
# (``tf.estimator.LinearEstimator(head, feature_columns)``); with hidden
# units it is a ``DNNEstimator``.

# %%
# The data, as an input_fn would yield it
# ---------------------------------------
# A dict of feature arrays, labels and a weight column. Here it is
# synthetic; in practice it is what your ``input_fn`` read from disk.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    StandardScaler,
)

from sklearn_heads import BinaryClassHead, LinearEstimator, MLPEstimator

rng = np.random.default_rng(0)
n = 3000
features = {
    "tenure": rng.exponential(24.0, n),
    "monthly_spend": rng.gamma(4.0, 15.0, n),
    "plan": rng.integers(0, 3, n),
}
logit = (
    -1.5
    - 0.05 * features["tenure"]
    + 0.03 * np.abs(features["monthly_spend"] - 55)
    + np.array([0.0, 0.8, -0.6])[features["plan"]]
)
labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
weight = np.where(features["plan"] == 1, 2.0, 1.0)  # the weight column
print(f"{labels.mean():.0%} positives")

# %%
# Feature columns become a ColumnTransformer
# ------------------------------------------
# ``numeric_column`` with a normalizer is a scaler, ``bucketized_column``
# is :func:`numpy.digitize` on the same boundaries followed by one-hot
# encoding (or :class:`~sklearn.preprocessing.KBinsDiscretizer` to learn
# the boundaries), and a categorical column with an indicator column is
# :class:`~sklearn.preprocessing.OneHotEncoder`.
# The feature dict becomes a 2-d array; the transformer picks columns by
# position.
names = ["tenure", "monthly_spend", "plan"]
X = np.column_stack([features[name] for name in names])
X_train, X_test, y_train, y_test, w_train, w_test = train_test_split(
    X, labels, weight, test_size=0.25, random_state=0
)
columns = ColumnTransformer(
    [
        ("tenure", StandardScaler(), [0]),
        (
            "monthly_spend",
            make_pipeline(
                FunctionTransformer(
                    np.digitize, kw_args={"bins": [20, 50, 80]}
                ),
                OneHotEncoder(categories=[[0, 1, 2, 3]]),
            ),
            [1],
        ),
        ("plan", OneHotEncoder(), [2]),
    ]
)

# %%
# The head stays, the model_fn becomes an estimator
# -------------------------------------------------
# The head takes the same arguments; ``loss_fn=partial(weighted_cross_
# entropy_with_logits, pos_weight=3.0)`` is spelled ``pos_weight=3.0``, and
# ``weight_column`` becomes the ``sample_weight`` argument of ``fit`` and
# ``evaluate``. The optimiser, steps and ``model_dir`` disappear: the
# estimators minimise the loss plus an L2 penalty ``alpha`` with L-BFGS
# until convergence.
head = BinaryClassHead(thresholds=[0.3, 0.7], pos_weight=3.0)
models = {
    "LinearEstimator": make_pipeline(
        columns, LinearEstimator(head, alpha=1e-3)
    ),
    "MLPEstimator(16)": make_pipeline(
        columns,
        MLPEstimator(
            head,
            hidden_units=(16,),
            alpha=1e-2,
            max_iter=200,
            random_state=0,
        ),
    ),
}
for name, model in models.items():
    # the Pipeline routes sample_weight to the step named in the key
    step = model.steps[-1][0]
    model.fit(X_train, y_train, **{f"{step}__sample_weight": w_train})

# %%
# evaluate and predict
# --------------------
# ``evaluate`` returns the same dict as ``estimator.evaluate(input_fn)``,
# with the same keys (no ``loss`` or ``global_step``: there are no training
# steps). ``predict`` returns class labels as scikit-learn does; the head's
# ``predictions`` gives TensorFlow's prediction dict from the logits.
results = {}
for name, model in models.items():
    transform, est = model[:-1], model[-1]
    results[name] = est.evaluate(
        transform.transform(X_test), y_test, sample_weight=w_test
    )
keys = [
    "auc",
    "auc_precision_recall",
    "precision",
    "recall",
    "precision/positive_threshold_0.3",
    "recall/positive_threshold_0.3",
    "precision/positive_threshold_0.7",
    "recall/positive_threshold_0.7",
]
print(f"{'':35s}" + "".join(f"{name:>22s}" for name in results))
for key in keys:
    print(
        f"{key:35s}"
        + "".join(f"{results[name][key]:22.3f}" for name in results)
    )

mlp = models["MLPEstimator(16)"]
logits = mlp.decision_function(X_test[:3])
tf_style = mlp[-1].head_.predictions(logits)
print(
    {
        key: tf_style[key].ravel().tolist()
        for key in ("logistic", "class_ids", "classes")
    }
)

# %%
# Training curves
# ---------------
# Where TensorBoard showed the loss per step, the estimators keep the
# objective after each L-BFGS iteration in ``loss_curve_``.
fig, (ax0, ax1) = plt.subplots(
    1, 2, figsize=(10, 3.8), layout="constrained"
)
for name, model in models.items():
    ax0.plot(model[-1].loss_curve_, label=name)
ax0.set_xlabel("L-BFGS iteration")
ax0.set_ylabel("weighted loss + L2 penalty")
ax0.set_title("loss_curve_")
ax0.legend()
x = np.arange(len(keys))
for i, name in enumerate(results):
    ax1.barh(
        x + (i - 0.5) * 0.4,
        [results[name][k] for k in keys],
        height=0.4,
        label=name,
    )
ax1.set_yticks(x, keys, fontsize=8)
ax1.invert_yaxis()
ax1.set_xlim(0, 1)
ax1.set_title("evaluate() on the test split")
plt.show()

# %%
# Saving the model
# ----------------
# ``export_saved_model`` and checkpoints in ``model_dir`` have no
# counterpart: a fitted pipeline is a Python object, saved with
# :mod:`pickle` or :func:`joblib.dump` like any scikit-learn model.
import pickle

restored = pickle.loads(pickle.dumps(mlp))
print(
    "restored model agrees:",
    np.array_equal(restored.predict(X_test), mlp.predict(X_test)),
)
