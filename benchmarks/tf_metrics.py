"""Where TensorFlow's bucketed AUCs part from scikit-learn's ranking metrics.

Prints the two tables of the user guide's section "TensorFlow's numbers for
any model" (``doc/user_guide.rst``), in reStructuredText:

1. **Bucketing.** On each digit-versus-rest task of the digits data (half
   held out, stratified), the held-out ``auc`` and ``auc_precision_recall``
   of :mod:`sklearn_heads.metrics` (200 buckets, as TensorFlow) against
   :func:`~sklearn.metrics.roc_auc_score` and
   :func:`~sklearn.metrics.average_precision_score`, for four models; and
   the share of held-out rows whose probability falls in the first or last
   bucket (at most 1/199, or above 198/199), where ranking is lost.
2. **pos_weight.** ``LinearClassifier(pos_weight=q)`` on an imbalanced
   problem: TensorFlow's ``auc`` with 200 buckets and with 100_000, and the
   ranking AUC of the logits, on the held-out half; and the 5-fold
   cross-validated means a grid search over ``q`` would see with
   ``make_head_scorer("auc")`` and with ``"roc_auc"``.

Usage::

    python benchmarks/tf_metrics.py

Deterministic (fixed seeds, one OpenMP thread); a minute or so.
"""

import os
import platform
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from sklearn_heads import LinearClassifier, make_head_scorer, metrics  # noqa: E402

#: the first and last of TensorFlow's 200 buckets
LOW, HIGH = 1 / 199, 198 / 199

MODELS = {
    "HistGradientBoostingClassifier()": lambda: HistGradientBoostingClassifier(random_state=0),
    "RandomForestClassifier(200)": lambda: RandomForestClassifier(200, random_state=0),
    "LogisticRegression()": lambda: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=2000)
    ),
    "LinearClassifier(alpha=1e-3)": lambda: make_pipeline(
        StandardScaler(), LinearClassifier(alpha=1e-3)
    ),
}

POS_WEIGHTS = [1, 10, 100, 1_000, 10_000]


def rst_table(header, rows):
    """A reStructuredText simple table."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip(), rule]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells[1:]]
    return "\n".join(lines + [rule])


def largest(gaps):
    """The gap of largest magnitude and its digit, as ``-0.0211 (3)``."""
    digit = max(gaps, key=lambda d: abs(gaps[d]))
    return f"{gaps[digit]:+.4f} ({digit})"


def bucketing_table():
    X, y = load_digits(return_X_y=True)
    rows = []
    for name, make in MODELS.items():
        roc_gaps, pr_gaps, fine_gaps, ends = {}, {}, {}, []
        for digit in range(10):
            target = (y == digit).astype(int)
            X_train, X_test, y_train, y_test = train_test_split(
                X, target, test_size=0.5, stratify=target, random_state=0
            )
            proba = make().fit(X_train, y_train).predict_proba(X_test)[:, 1]
            exact = roc_auc_score(y_test, proba)
            roc_gaps[digit] = metrics.auc(y_test, proba) - exact
            fine_gaps[digit] = metrics.auc(y_test, proba, num_thresholds=10_000) - exact
            pr_gaps[digit] = metrics.auc_precision_recall(y_test, proba) - (
                average_precision_score(y_test, proba)
            )
            ends.append(np.mean((proba <= LOW) | (proba > HIGH)))
        rows.append(
            [
                f"``{name}``",
                f"{np.mean(ends):.0%}",
                largest(roc_gaps),
                largest(pr_gaps),
                largest(fine_gaps),
            ]
        )
    header = [
        "model",
        "rows in end buckets",
        "auc - roc_auc_score",
        "auc_precision_recall - average_precision_score",
        "auc (10_000) - roc_auc_score",
    ]
    return rst_table(header, rows)


def pos_weight_data():
    return make_classification(
        n_samples=4000, n_features=20, n_informative=5, weights=[0.9], flip_y=0.05,
        class_sep=0.6, random_state=0,
    )


def pos_weight_table():
    X, y = pos_weight_data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    scoring = {"tf": make_head_scorer("auc"), "ranking": "roc_auc"}
    rows = []
    for q in POS_WEIGHTS:
        clf = LinearClassifier(alpha=1e-4, pos_weight=q).fit(X_train, y_train)
        proba = clf.predict_proba(X_test)[:, 1]
        searched = cross_validate(
            LinearClassifier(alpha=1e-4, pos_weight=q), X, y, cv=cv, scoring=scoring
        )
        rows.append(
            [
                f"{q:g}",
                f"{np.mean(proba > HIGH):.0%}",
                f"{metrics.auc(y_test, proba):.3f}",
                f"{metrics.auc(y_test, proba, num_thresholds=100_000):.3f}",
                f"{roc_auc_score(y_test, clf.decision_function(X_test)):.3f}",
                f"{searched['test_tf'].mean():.3f}",
                f"{searched['test_ranking'].mean():.3f}",
            ]
        )
    header = [
        "pos_weight",
        "rows in last bucket",
        "auc",
        "auc (100_000)",
        "roc_auc_score",
        "CV make_head_scorer('auc')",
        "CV 'roc_auc'",
    ]
    return rst_table(header, rows)


def main():
    warnings.simplefilter("ignore", category=sklearn.exceptions.ConvergenceWarning)
    print(
        f"# python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, scikit-learn {sklearn.__version__}\n"
    )
    with threadpool_limits(1, user_api="openmp"):
        print("Bucketing: digits, each digit against the rest, half held out; the")
        print("largest gap over the ten digits (and its digit).\n")
        print(bucketing_table())
        print("\npos_weight: make_classification(4000, 20, n_informative=5, weights=[0.9],")
        print("flip_y=0.05, class_sep=0.6), LinearClassifier(alpha=1e-4, pos_weight=q);")
        print("held-out half, and 5-fold cross-validated means over all rows.\n")
        print(pos_weight_table())


if __name__ == "__main__":
    main()
