"""The demo behind ``python -m sklearn_heads``.

Three short stories on data that ships with scikit-learn, each printed as it
runs:

1. breast cancer, malignant as the positive class: ``LinearClassifier`` at a
   few ``pos_weight`` values, with TensorFlow's metric table for each;
2. a ``GridSearchCV`` over ``pos_weight`` x ``threshold`` scored by head
   metrics, keeping the most precise model that still finds 97% of the
   malignant tumours;
3. digits turned into a multi-label task (even, prime, over 5, zero) fitted
   by ``LinearEstimator(MultiLabelHead(...))`` with one ``pos_weight`` per
   label, with per-class metrics.

Every number is measured on a held-out test split.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import precision_score, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._evaluation import evaluate
from ._heads import BinaryClassHead, MultiLabelHead
from ._linear import LinearClassifier, LinearEstimator
from ._scorers import make_head_scorer

#: pos_weight values of the first part.
POS_WEIGHTS = (0.5, 1.0, 3.0, 10.0)
#: Extra thresholds reported by the head in the first part.
THRESHOLDS = (0.25, 0.75)
#: The grid of the second part.
GRID = {
    "linearclassifier__pos_weight": [1.0, 2.0, 4.0, 8.0],
    "linearclassifier__threshold": [0.2, 0.35, 0.5, 0.65],
}
#: The recall the grid search must reach (mean over the folds).
MIN_RECALL = 0.97
#: Multi-label digits task: label name -> digits that have the label.
DIGIT_LABELS = {
    "even": (0, 2, 4, 6, 8),
    "prime": (2, 3, 5, 7),
    "over_5": (6, 7, 8, 9),
    "zero": (0,),
}
ALPHA = 1e-2
RANDOM_STATE = 0


class _Printer:
    """Prints with a running clock, flushing so a pipe sees progress."""

    def __init__(self, stream):
        self.stream = stream
        self.start = time.perf_counter()

    def __call__(self, text=""):
        print(text, file=self.stream, flush=True)

    def step(self, text):
        elapsed = time.perf_counter() - self.start
        self(f"[{elapsed:5.1f}s] {text}")

    def title(self, text):
        self()
        self(text)
        self("=" * len(text))


def _table(header, rows, first_width=None):
    """A plain-text table: the first column left-aligned, the rest right."""
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    if first_width is not None:
        widths[0] = max(widths[0], first_width)
    lines = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _fmt(value):
    return f"{value:.3f}"


def _breast_cancer():
    """Train/test split of breast cancer with malignant (37%) as class 1."""
    data = load_breast_cancer()
    y = (data.target == 0).astype(int)  # target 0 is malignant
    return train_test_split(
        data.data, y, test_size=0.3, stratify=y, random_state=RANDOM_STATE
    )


def pos_weight_table(X_train, X_test, y_train, y_test, say):
    """Fit one pipeline per ``pos_weight``; return the metric dicts by value."""
    results = {}
    for q in POS_WEIGHTS:
        say.step(f"fitting StandardScaler + LinearClassifier(pos_weight={q:g}) ...")
        pipe = make_pipeline(StandardScaler(), LinearClassifier(alpha=ALPHA, pos_weight=q))
        pipe.fit(X_train, y_train)
        logits = pipe.decision_function(X_test)
        # The fitted head reports precision/recall at the estimator's
        # threshold; a head with `thresholds` adds per-threshold metrics.
        head = BinaryClassHead(thresholds=THRESHOLDS, pos_weight=q)
        results[q] = head.evaluate(y_test, logits)
    keys = list(results[POS_WEIGHTS[0]])
    say()
    say("Metrics on the held-out 30% (TensorFlow's keys; 'average_loss' includes")
    say("pos_weight, so it is not comparable across columns):")
    say()
    header = ["metric"] + [f"pos_weight={q:g}" for q in POS_WEIGHTS]
    rows = [[key] + [_fmt(results[q][key]) for q in POS_WEIGHTS] for key in keys]
    say(_table(header, rows))
    say()
    say("Raising pos_weight trades precision for recall at a fixed threshold of")
    say("0.5; the ranking metrics (auc, auc_precision_recall) barely move.")
    return results


def grid_search(X_train, X_test, y_train, y_test, say):
    """GridSearchCV over pos_weight x threshold scored by head metrics."""
    scoring = {
        "precision": make_head_scorer("precision"),
        "recall": make_head_scorer("recall"),
        "auc_pr": make_head_scorer("auc_precision_recall"),
    }

    def most_precise_with_enough_recall(cv_results):
        recall = np.asarray(cv_results["mean_test_recall"])
        precision = np.asarray(cv_results["mean_test_precision"])
        ok = recall >= MIN_RECALL
        if not ok.any():  # fall back to the highest recall
            return int(np.argmax(recall))
        return int(np.flatnonzero(ok)[np.argmax(precision[ok])])

    n_candidates = np.prod([len(v) for v in GRID.values()])
    say.step(f"GridSearchCV: {n_candidates} candidates x 5 folds ...")
    say("         scoring: make_head_scorer(key) for key in precision, recall, "
        "auc_precision_recall")
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LinearClassifier(alpha=ALPHA)),
        GRID,
        scoring=scoring,
        refit=most_precise_with_enough_recall,
        cv=StratifiedKFold(5, shuffle=True, random_state=RANDOM_STATE),
    )
    search.fit(X_train, y_train)
    res = search.cv_results_
    say()
    say(f"Cross-validated scores (5 folds of the training split); '*' reaches "
        f"recall >= {MIN_RECALL:g}:")
    say()
    header = ["pos_weight", "threshold", "precision", "recall ", "auc_pr"]
    rows = []
    for i, params in enumerate(res["params"]):
        rows.append([
            f"{params['linearclassifier__pos_weight']:g}",
            f"{params['linearclassifier__threshold']:g}",
            _fmt(res["mean_test_precision"][i]),
            _fmt(res["mean_test_recall"][i])
            + ("*" if res["mean_test_recall"][i] >= MIN_RECALL else " "),
            _fmt(res["mean_test_auc_pr"][i]),
        ])
    lines = _table(header, rows).splitlines()
    lines[2 + search.best_index_] += "   <- winner"
    say("\n".join(lines))
    best = search.best_params_
    q = best["linearclassifier__pos_weight"]
    t = best["linearclassifier__threshold"]
    test = evaluate(search.best_estimator_, X_test, y_test)
    say()
    say(f"Grid-search winner: pos_weight={q:g}, threshold={t:g}")
    say(f"  (the most precise candidate with cross-validated recall >= {MIN_RECALL:g})")
    say(f"  on the held-out split: precision={test['precision']:.3f}  "
        f"recall={test['recall']:.3f}  auc_precision_recall="
        f"{test['auc_precision_recall']:.3f}")
    return search, test


def _digits_labels(digits):
    return np.column_stack(
        [np.isin(digits, members).astype(int) for members in DIGIT_LABELS.values()]
    )


def multi_label(say):
    """Digits as a multi-label task, with and without per-label pos_weight."""
    X, digit = load_digits(return_X_y=True)
    Y = _digits_labels(digit)
    X_train, X_test, Y_train, Y_test = train_test_split(
        X / 16.0, Y, test_size=0.3, random_state=RANDOM_STATE
    )
    names = list(DIGIT_LABELS)
    share = Y_train.mean(axis=0)
    pos_weight = (1.0 - share) / share  # negatives per positive, per label
    say("Labels: " + ", ".join(
        f"{name} ({' '.join(map(str, members))})" for name, members in DIGIT_LABELS.items()
    ))
    say(f"pos_weight per label = negatives / positives in the training split: "
        f"{np.round(pos_weight, 2).tolist()}")
    fitted = {}
    for label, q in (("pos_weight=None", None), ("per-label pos_weight", pos_weight)):
        head = MultiLabelHead(
            n_classes=len(names),
            label_vocabulary=names,
            classes_for_class_based_metrics=names,
            thresholds=[0.5],
            pos_weight=q,
        )
        say.step(f"fitting LinearEstimator(MultiLabelHead(n_classes={len(names)}, "
                 f"pos_weight={'None' if q is None else 'per label'})) ...")
        est = LinearEstimator(head, alpha=1e-3, max_iter=300).fit(X_train, Y_train)
        Y_pred = est.predict(X_test)
        fitted[label] = (
            est.evaluate(X_test, Y_test),
            recall_score(Y_test, Y_pred, average=None, zero_division=0),
            precision_score(Y_test, Y_pred, average=None, zero_division=0),
        )
    metrics, recall_0, precision_0 = fitted["pos_weight=None"]
    metrics_w, recall_w, precision_w = fitted["per-label pos_weight"]
    say()
    say("Per-class metrics on the held-out split. auc/<label> and")
    say("auc_precision_recall/<label> come from the head's")
    say("classes_for_class_based_metrics; recall and precision at 0.5 from")
    say("predict() and sklearn.metrics, without -> with pos_weight:")
    say()
    header = ["label", "positives", "pos_weight", "auc", "auc_pr",
              "recall", "precision"]
    rows = []
    for j, name in enumerate(names):
        rows.append([
            name,
            f"{share[j]:.0%}",
            f"{pos_weight[j]:.2f}",
            _fmt(metrics_w[f"auc/{name}"]),
            _fmt(metrics_w[f"auc_precision_recall/{name}"]),
            f"{recall_0[j]:.2f} -> {recall_w[j]:.2f}",
            f"{precision_0[j]:.2f} -> {precision_w[j]:.2f}",
        ])
    say(_table(header, rows))
    say()
    say("Over all (example, label) pairs (head keys, without -> with pos_weight):")
    for key in ("auc", "auc_precision_recall", "precision/positive_threshold_0.5",
                "recall/positive_threshold_0.5"):
        say(f"  {key:33s} {metrics[key]:.3f} -> {metrics_w[key]:.3f}")
    return fitted


def main(argv=None, stream=None):
    """Run the demo, printing to ``stream`` (standard output by default).

    Returns
    -------
    status : int
        0, for ``sys.exit``.
    """
    stream = sys.stdout if stream is None else stream
    say = _Printer(stream)
    say("sklearn_heads demo: TensorFlow estimator heads as scikit-learn estimators")
    say("(a few seconds; every metric is measured on a held-out test split)")
    with warnings.catch_warnings():
        # a few grid points stop at max_iter; their scores are still fine
        warnings.simplefilter("ignore", ConvergenceWarning)

        say.title("1. Breast cancer: pos_weight trades precision for recall")
        X_train, X_test, y_train, y_test = _breast_cancer()
        say("569 tumours, 30 features, malignant (37%) is the positive class;")
        say(f"{len(y_train)} to train, {len(y_test)} to test.")
        pos_weight_table(X_train, X_test, y_train, y_test, say)

        say.title("2. GridSearchCV over pos_weight x threshold with head scorers")
        grid_search(X_train, X_test, y_train, y_test, say)

        say.title("3. Digits as a multi-label task with per-label pos_weight")
        multi_label(say)
    say()
    say.step("done.")
    say("Next: the examples/ gallery, and doc/ with the user guide and the")
    say("migration guide from tf.estimator.")
    return 0
