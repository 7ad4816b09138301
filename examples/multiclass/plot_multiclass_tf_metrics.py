"""
======================================================
Multi-class: a softmax model with TensorFlow's metrics
======================================================

With more than two classes in ``y``, :class:`~sklearn_heads.LinearClassifier`
fits a :class:`~sklearn_heads.MultiClassHead`: one logit per class, the
softmax cross-entropy as the loss, and the head's metrics (TensorFlow's
``average_loss`` and ``accuracy``) from ``evaluate``. With
``alpha = 1 / (C * n_samples)`` the fit is scikit-learn's multinomial
:class:`~sklearn.linear_model.LogisticRegression` with ``C``.

The task: recognise the handwritten digits of scikit-learn's 8x8 digits
data set, with the classes named as words. The rarest digits are then
thinned out, to show what ``class_weight="balanced"`` does.
"""

# %%
# The data, with named classes
# ----------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_heads import LinearClassifier, make_head_scorer

words = np.array(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)
X, digit = load_digits(return_X_y=True)
X = X / 16.0
y = words[digit]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.4, stratify=y, random_state=0
)

# %%
# A softmax model and its metrics
# -------------------------------
# ``classes_`` holds the class names, sorted; ``predict_proba`` has one
# column per class, and ``evaluate`` returns the head's metric dict.
C = 1.0
clf = LinearClassifier(alpha=1 / (C * len(y_train)), tol=1e-8, max_iter=2000)
clf.fit(X_train, y_train)
print(clf.head_)
print("classes_:", clf.classes_)
print("predict_proba:", clf.predict_proba(X_test).shape)
print({key: round(value, 4) for key, value in clf.evaluate(X_test, y_test).items()})

# %%
# The same model as scikit-learn's multinomial logistic regression:
reference = LogisticRegression(C=C, tol=1e-8, max_iter=5000).fit(X_train, y_train)
gap = np.abs(clf.predict_proba(X_test) - reference.predict_proba(X_test)).max()
print(f"largest difference of the probabilities: {gap:.1e}")

# %%
# Choosing alpha by TensorFlow's average_loss
# -------------------------------------------
# Any metric key of the head is a scorer; loss keys are negated, since
# scikit-learn maximises scores.
search = GridSearchCV(
    LinearClassifier(tol=1e-5, max_iter=1000),
    {"alpha": np.logspace(-5, -1, 5)},
    scoring={
        "average_loss": make_head_scorer("average_loss"),
        "accuracy": make_head_scorer("accuracy"),
    },
    refit="average_loss",
    cv=3,
).fit(X_train, y_train)
print("best alpha:", search.best_params_["alpha"])

fig, ax = plt.subplots(figsize=(6, 3.5))
alphas = search.cv_results_["param_alpha"].data.astype(float)
ax.semilogx(alphas, -search.cv_results_["mean_test_average_loss"], "o-", label="average_loss")
ax.set_xlabel("alpha")
ax.set_ylabel("cross-validated average_loss")
ax2 = ax.twinx()
ax2.semilogx(alphas, search.cv_results_["mean_test_accuracy"], "s--", color="C1",
             label="accuracy")
ax2.set_ylabel("cross-validated accuracy")
fig.legend(loc="upper center", ncol=2)
fig.tight_layout()

# %%
# Imbalanced classes: class_weight
# --------------------------------
# Keep one training example in ten of the digits 7, 8 and 9. The rare
# classes then weigh little in the mean loss, and the model sacrifices
# them. ``class_weight="balanced"`` weighs every class's rows by
# ``n_samples / (n_classes * class count)``, scikit-learn's meaning, so
# that every class has the same total weight. (For two classes,
# ``pos_weight`` weighs the positive term of the loss instead: see the
# user guide.)
rng = np.random.RandomState(0)
rare = np.isin(y_train, ["seven", "eight", "nine"])
keep = ~rare | (rng.uniform(size=len(y_train)) < 0.1)
X_rare, y_rare = X_train[keep], y_train[keep]
plain = LinearClassifier(alpha=1e-3, max_iter=1000).fit(X_rare, y_rare)
balanced = LinearClassifier(alpha=1e-3, class_weight="balanced", max_iter=1000)
balanced.fit(X_rare, y_rare)

recalls = {
    name: recall_score(y_test, est.predict(X_test), labels=words, average=None)
    for name, est in (("unweighted", plain), ("balanced", balanced))
}
for name, est in (("unweighted", plain), ("balanced", balanced)):
    metrics = est.evaluate(X_test, y_test)
    print(f"{name:10s} accuracy {metrics['accuracy']:.3f}  "
          f"recall of the rare digits {recalls[name][7:].round(2)}")

fig, ax = plt.subplots(figsize=(7, 3.5))
positions = np.arange(len(words))
for offset, (name, recall) in zip((-0.2, 0.2), recalls.items()):
    ax.bar(positions + offset, recall, width=0.4, label=name)
ax.set_xticks(positions, words, rotation=45)
ax.set_ylabel("recall on the test set")
ax.set_ylim(0, 1.05)
ax.legend(loc="lower left")
ax.set_title("Rare training classes (seven, eight, nine)")
fig.tight_layout()
plt.show()
