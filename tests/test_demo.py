"""The demo of ``python -m sklearn_heads`` runs and reports what it promises."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def demo_output():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_heads"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_prints_the_metric_table_for_each_pos_weight(demo_output):
    for q in ("0.5", "1", "3", "10"):
        assert f"pos_weight={q}" in demo_output
    for key in (
        "average_loss",
        "precision",
        "recall",
        "auc_precision_recall",
        "recall/positive_threshold_0.25",
        "precision/positive_threshold_0.75",
    ):
        assert f"\n{key} " in demo_output


def test_demo_reports_the_grid_search_winner(demo_output):
    assert "Grid-search winner: pos_weight=" in demo_output
    assert "<- winner" in demo_output
    assert "on the held-out split: precision=" in demo_output


def test_demo_reports_per_class_multi_label_metrics(demo_output):
    for label in ("even", "prime", "over_5", "zero"):
        assert f"\n{label} " in demo_output
    assert "recall/positive_threshold_0.5" in demo_output
    assert "done." in demo_output


def test_demo_main_in_process_writes_to_the_given_stream():
    import io

    from sklearn_heads._demo import _table

    assert _table(["a", "b"], [["x", "1.0"]]).splitlines() == ["a    b", "-  ---", "x  1.0"]
    stream = io.StringIO()
    from sklearn_heads import _demo

    # the cheap first part alone, to check the stream plumbing
    say = _demo._Printer(stream)
    results = _demo.pos_weight_table(*_demo._breast_cancer(), say)
    assert set(results) == set(_demo.POS_WEIGHTS)
    assert "pos_weight=10" in stream.getvalue()
    # more positive weight: recall at 0.5 does not go down
    recalls = [results[q]["recall"] for q in _demo.POS_WEIGHTS]
    assert recalls == sorted(recalls)
