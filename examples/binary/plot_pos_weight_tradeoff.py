"""
=============================================
The precision/recall trade-off of pos_weight
=============================================

``pos_weight`` multiplies the loss of every positive example (the
``pos_weight`` of ``tf.nn.weighted_cross_entropy_with_logits``). A
larger value makes a missed positive more expensive during training, so the
fitted model pushes the probabilities of positives up: at the same decision
threshold, recall rises and precision falls.

This example fits :class:`~sklearn_heads.LinearClassifier` on the breast
cancer data (malignant tumours as the positive class) for ``pos_weight``
from 1/8 to 32 and reads precision, recall and the areas under the curves
from the head's TensorFlow-style metrics on a held-out split.
"""

# %%
# Data: malignant is the positive class
# -------------------------------------
# The data set codes malignant tumours as 0; we make them class 1, the class
# whose recall matters. A stratified hold-out split gives honest metrics.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_heads import LinearClassifier

X, target = load_breast_cancer(return_X_y=True)
y = (target == 0).astype(int)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.4, stratify=y, random_state=0
)
print(f"{y.mean():.0%} of the tumours are malignant")

# %%
# One model per pos_weight
# ------------------------
# :meth:`~sklearn_heads.LinearClassifier.evaluate` returns the head's metric
# dict, with TensorFlow's keys. The estimator sits at the end of a pipeline,
# so we transform the test data with the scaler first.
pos_weights = 2.0 ** np.arange(-3, 6)
metrics = []
for q in pos_weights:
    model = make_pipeline(
        StandardScaler(), LinearClassifier(alpha=1e-2, pos_weight=q)
    )
    model.fit(X_train, y_train)
    scaler, clf = model[0], model[-1]
    metrics.append(clf.evaluate(scaler.transform(X_test), y_test))

keys = ["precision", "recall", "accuracy", "auc", "auc_precision_recall"]
print("pos_weight  " + "  ".join(f"{k:>20s}" for k in keys))
for q, m in zip(pos_weights, metrics):
    print(f"{q:10.3g}  " + "  ".join(f"{m[k]:20.3f}" for k in keys))

# %%
# The trade-off in a picture
# --------------------------
# Precision and recall at the default threshold of 0.5 move in opposite
# directions as ``pos_weight`` grows, while the threshold-free ranking
# metrics (``auc``, ``auc_precision_recall``) stay flat: ``pos_weight``
# mostly shifts the probabilities, it does not make the model rank better.
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
styles = {
    "precision": ("o-", "tab:blue"),
    "recall": ("s-", "tab:orange"),
    "auc_precision_recall": ("^--", "tab:gray"),
}
for key, (style, color) in styles.items():
    ax.plot(
        pos_weights,
        [m[key] for m in metrics],
        style,
        color=color,
        label=key,
    )
ax.axvline(1.0, color="black", lw=0.8, ls=":")
ax.annotate("unweighted", xy=(1.0, 0.77), xytext=(1.1, 0.77), fontsize=9)
ax.set_xscale("log", base=2)
ax.set_xlabel("pos_weight (log scale)")
ax.set_ylabel("held-out value (threshold 0.5)")
ax.set_title("Breast cancer, LinearClassifier: raising pos_weight")
ax.set_ylim(0.75, 1.005)
ax.legend(loc="lower left")
plt.show()

# %%
# The same optimum as a class-weighted logistic regression
# --------------------------------------------------------
# With the default reduction, ``LinearClassifier(alpha=1 / (C * n_samples),
# pos_weight=q)`` minimises the same objective as scikit-learn's
# ``LogisticRegression(C=C, class_weight={0: 1, 1: q})``, so the two find
# the same coefficients.
from sklearn.linear_model import LogisticRegression

Xs = StandardScaler().fit_transform(X_train)
C, q = 1.0, 4.0
ours = LinearClassifier(alpha=1 / (C * len(Xs)), pos_weight=q, tol=1e-8)
ours.fit(Xs, y_train)
theirs = LogisticRegression(
    C=C, class_weight={0: 1, 1: q}, tol=1e-10, max_iter=10_000
)
theirs.fit(Xs, y_train)
print(
    "largest coefficient difference:",
    np.abs(ours.coef_ - theirs.coef_).max(),
)

# %%
# Takeaway: choose ``pos_weight`` for what the model should learn (a rare
# class that must not be ignored), and the decision threshold for the
# operating point;
# :ref:`sphx_glr_auto_examples_binary_plot_decision_threshold.py` tunes
# the second.
