"""Every gallery example runs to the end (with a non-interactive backend).

The examples are documentation that executes: running them here keeps them
in step with the package. They need matplotlib (in the ``test`` extra).
"""

import glob
import os
import runpy
import warnings

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "plot_*.py"), recursive=True))


def test_the_gallery_has_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=[os.path.relpath(p, os.path.join(ROOT, "examples")) for p in EXAMPLES]
)
def test_example_runs(path, monkeypatch, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # anything an example writes stays out of the tree
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Agg is non-interactive"
            runpy.run_path(path, run_name="__main__")
        assert plt.get_fignums(), "every example draws a figure"
    finally:
        plt.close("all")
