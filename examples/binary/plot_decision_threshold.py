"""
================================
Choosing the decision threshold
================================

A classifier that outputs probabilities still has to decide: ``predict``
calls an example positive when its probability is above ``threshold``
(0.5 by default, as in TensorFlow). When a missed positive costs more than
a false alarm, a lower threshold is better, and the best value depends on
the data. Two ways to choose it with cross-validation:

* treat ``threshold`` as a hyper-parameter of
  :class:`~sklearn_heads.LinearClassifier` and search it with
  :class:`~sklearn.model_selection.GridSearchCV`, scoring candidates with
  head metrics (:func:`~sklearn_heads.make_head_scorer`) and any
  scikit-learn scorer;
* or let :class:`~sklearn.model_selection.TunedThresholdClassifierCV` scan
  the thresholds of one fitted model per fold, which needs fewer fits.
"""

# %%
# Data and objective
# ------------------
# Breast cancer, malignant as the positive class. The objective is the
# F2 score, which weighs recall twice as much as precision.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import fbeta_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_heads import LinearClassifier, make_head_scorer

X, target = load_breast_cancer(return_X_y=True)
y = (target == 0).astype(int)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=2
)
f2 = make_scorer(fbeta_score, beta=2)
cv = StratifiedKFold(5, shuffle=True, random_state=0)

# %%
# Grid search over the threshold
# ------------------------------
# ``threshold`` is an ordinary parameter, so the grid is just a list. The
# head scorers ``"precision"`` and ``"recall"`` count a probability above
# the candidate's ``threshold`` as positive, exactly like ``predict``; the
# search refits the best F2 candidate on all training rows.
thresholds = np.round(np.linspace(0.05, 0.95, 10), 2)
pipe = make_pipeline(StandardScaler(), LinearClassifier(alpha=1e-2))
search = GridSearchCV(
    pipe,
    {"linearclassifier__threshold": thresholds},
    scoring={
        "f2": f2,
        "precision": make_head_scorer("precision"),
        "recall": make_head_scorer("recall"),
    },
    refit="f2",
    cv=cv,
).fit(X_train, y_train)
best_grid = search.best_params_["linearclassifier__threshold"]
print(
    f"grid search: threshold={best_grid:g}, "
    f"cross-validated F2={search.best_score_:.3f}"
)

# %%
# TunedThresholdClassifierCV
# --------------------------
# It fits the pipeline once per fold and evaluates many thresholds on the
# probabilities of the held-out fold. The estimator's own ``threshold``
# is then ignored: the wrapper applies the threshold it found.
tuned = TunedThresholdClassifierCV(
    pipe, scoring=f2, cv=cv, thresholds=200, store_cv_results=True
).fit(X_train, y_train)
print(
    f"TunedThresholdClassifierCV: threshold={tuned.best_threshold_:.3f}, "
    f"cross-validated F2={tuned.best_score_:.3f}"
)

# %%
# Both against the default threshold, on the held-out split
# ---------------------------------------------------------
default = pipe.fit(X_train, y_train)
for name, model in [
    ("threshold 0.5", default),
    ("grid search", search),
    ("TunedThresholdClassifierCV", tuned),
]:
    print(
        f"{name:28s} F2 on the test split: "
        f"{fbeta_score(y_test, model.predict(X_test), beta=2):.3f}"
    )

# %%
# What the searches saw
# ---------------------
# The grid's cross-validated precision and recall cross where the
# threshold balances the two errors; F2 peaks to the left of that
# crossing because recall counts more. The tuned classifier's curve is
# finer, since it scans 200 thresholds at the cost of one fit per fold.
res = search.cv_results_
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
ax.plot(
    thresholds,
    res["mean_test_precision"],
    "o-",
    ms=4,
    label="precision (head scorer)",
)
ax.plot(
    thresholds,
    res["mean_test_recall"],
    "s-",
    ms=4,
    label="recall (head scorer)",
)
ax.plot(
    thresholds,
    res["mean_test_f2"],
    "D-",
    ms=4,
    color="black",
    label="F2 (grid search)",
)
ax.plot(
    tuned.cv_results_["thresholds"],
    tuned.cv_results_["scores"],
    color="tab:green",
    lw=1.5,
    label="F2 (TunedThresholdClassifierCV)",
)
ax.axvline(best_grid, color="black", ls=":", lw=1)
ax.axvline(tuned.best_threshold_, color="tab:green", ls="--", lw=1)
ax.set_xlabel("decision threshold on the probability of 'malignant'")
ax.set_ylabel("cross-validated score")
ax.set_title("Choosing the threshold for F2")
ax.set_ylim(0.7, 1.01)
ax.legend(loc="lower center")
plt.show()
