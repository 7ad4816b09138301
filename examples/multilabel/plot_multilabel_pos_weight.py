"""
===================================================
Multi-label: per-label pos_weight and class metrics
===================================================

In a multi-label task every example can carry any subset of the labels,
and :class:`~sklearn_heads.MultiLabelHead` puts one sigmoid on each.
Labels are rarely balanced: a label seen on one example in ten is easy to
ignore. ``pos_weight`` can then be a vector, one weight per label, and the
head reports TensorFlow's per-class metrics (``auc/<label>``,
``auc_precision_recall/<label>``, ``probability_mean/<label>``) for the
classes listed in ``classes_for_class_based_metrics``.

The task: describe a handwritten digit (scikit-learn's 8x8 digits) by four
attributes: *even*, *prime*, *over 5* and *zero*.
"""

# %%
# Labels from the digits
# ----------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import train_test_split

from sklearn_heads import (
    LinearClassifier,
    LinearEstimator,
    MultiLabelHead,
)

attributes = {
    "even": [0, 2, 4, 6, 8],
    "prime": [2, 3, 5, 7],
    "over_5": [6, 7, 8, 9],
    "zero": [0],
}
names = list(attributes)
X, digit = load_digits(return_X_y=True)
X = X / 16.0
Y = np.column_stack(
    [np.isin(digit, members) for members in attributes.values()]
)
Y = Y.astype(int)
X_train, X_test, Y_train, Y_test = train_test_split(
    X, Y, test_size=0.4, random_state=0
)
share = Y_train.mean(axis=0)
for name, s in zip(names, share):
    print(f"{name:7s} {s:5.0%} of the training examples")

# %%
# One pos_weight per label
# ------------------------
# A common choice is the number of negatives per positive, which gives
# every label's positives and negatives the same total weight.
pos_weight = (1 - share) / share
print("pos_weight:", np.round(pos_weight, 2))


# %%
# Fit with and without it
# -----------------------
# :class:`~sklearn_heads.LinearEstimator` takes the head, so the vocabulary
# names the per-class metrics. (:class:`~sklearn_heads.LinearClassifier`
# fits the same model straight from an indicator matrix, with
# ``pos_weight`` and ``threshold`` vectors, but its classes are numbered.)
def head(pos_weight=None):
    return MultiLabelHead(
        n_classes=len(names),
        label_vocabulary=names,
        classes_for_class_based_metrics=names,
        thresholds=[0.5],
        pos_weight=pos_weight,
    )


plain = LinearEstimator(head(), alpha=1e-3, max_iter=300)
plain.fit(X_train, Y_train)
weighted = LinearEstimator(head(pos_weight), alpha=1e-3, max_iter=300)
weighted.fit(X_train, Y_train)

# %%
# Per-class metrics
# -----------------
# ``evaluate`` returns the head's metrics; the per-class keys end in the
# label's name. Per-class recall and precision at the threshold come from
# ``predict`` and :mod:`sklearn.metrics`.
m_plain, m_weighted = plain.evaluate(X_test, Y_test), weighted.evaluate(
    X_test, Y_test
)
for key in sorted(m_weighted):
    print(f"{key:40s} {m_plain[key]:.3f} -> {m_weighted[key]:.3f}")

recall = {
    "no pos_weight": recall_score(
        Y_test, plain.predict(X_test), average=None
    ),
    "per-label pos_weight": recall_score(
        Y_test, weighted.predict(X_test), average=None
    ),
}
precision = {
    "no pos_weight": precision_score(
        Y_test, plain.predict(X_test), average=None
    ),
    "per-label pos_weight": precision_score(
        Y_test, weighted.predict(X_test), average=None
    ),
}

# %%
# The same model from LinearClassifier
# ------------------------------------
# Given an indicator matrix, :class:`~sklearn_heads.LinearClassifier`
# builds the multi-label head itself; ``threshold`` may be one value per
# label too, here a lower one for the label we care most about finding.
clf = LinearClassifier(
    alpha=1e-3,
    pos_weight=pos_weight,
    threshold=[0.5, 0.5, 0.4, 0.5],
    max_iter=300,
).fit(X_train, Y_train)
print(
    "same coefficients:",
    np.allclose(clf.coef_, weighted.coef_, atol=1e-3),
)
print(
    "recall per label at thresholds",
    clf.threshold,
    ":",
    np.round(recall_score(Y_test, clf.predict(X_test), average=None), 3),
)

# %%
# In a picture
# ------------
# The per-label weights lift recall most where the label is rare or hard
# (*over 5*, *zero*), at some cost in precision, while the per-class AUC
# from the head barely changes.
fig, axes = plt.subplots(
    1, 3, figsize=(10, 3.6), sharey=True, layout="constrained"
)
x = np.arange(len(names))
for ax, (title, values) in zip(
    axes, [("recall at 0.5", recall), ("precision at 0.5", precision)]
):
    for i, (label, v) in enumerate(values.items()):
        ax.bar(x + (i - 0.5) * 0.38, v, width=0.38, label=label)
    ax.set_title(title)
auc = {
    "no pos_weight": [
        m_plain[f"auc_precision_recall/{n}"] for n in names
    ],
    "per-label pos_weight": [
        m_weighted[f"auc_precision_recall/{n}"] for n in names
    ],
}
for i, (label, v) in enumerate(auc.items()):
    axes[2].bar(x + (i - 0.5) * 0.38, v, width=0.38, label=label)
axes[2].set_title("auc_precision_recall/<label>")
for ax in axes:
    ax.set_xticks(x, names)
    ax.set_ylim(0.6, 1.0)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncols=2)
fig.suptitle(
    "Digits as four labels: LinearEstimator(MultiLabelHead(...))"
)
plt.show()
