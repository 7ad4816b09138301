"""The gallery examples, the README example and the API page stay current.

The examples are documentation that executes: running them here (with the
Agg backend) keeps them in step with the package. They need matplotlib,
which is in the ``test`` extra.
"""

import glob
import os
import re
import runpy
import warnings

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "plot_*.py"), recursive=True))

#: Examples sized for the gallery, run here at a smaller size: the line that
#: sets the size in the example, and the line the test runs instead.
SHRUNK = {
    os.path.join("scaling", "plot_dask_out_of_core.py"): (
        "N_ROWS = 10_000_000",
        "N_ROWS = 200_000",
    ),
}


#: Examples that need optional dependencies (in the ``test`` extra): skipped
#: without them, except under CI, where they must run.
NEEDS = {
    os.path.join("scaling", "plot_dask_out_of_core.py"): "distributed",
    os.path.join("serving", "plot_serving_onnx.py"): "onnxruntime",
}


def _run_shrunk(path, line, replacement):
    """Run the example at ``path`` as ``__main__`` with ``line`` replaced.

    ``runpy.run_path(init_globals=...)`` cannot do it: the example's own
    assignment runs after the globals are set.
    """
    with open(path, encoding="utf-8") as f:
        source = f.read()
    pattern = re.compile(rf"^{re.escape(line)}$", flags=re.M)
    assert len(pattern.findall(source)) == 1, f"{path} sets its size with {line!r}"
    source = pattern.sub(replacement, source)
    exec(compile(source, path, "exec"), {"__name__": "__main__", "__file__": path})


def test_the_gallery_has_examples():
    assert len(EXAMPLES) >= 5


def test_shrunk_examples_exist():
    for name in SHRUNK:
        assert os.path.join(ROOT, "examples", name) in EXAMPLES, name


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=[os.path.relpath(p, os.path.join(ROOT, "examples")) for p in EXAMPLES]
)
def test_example_runs(path, monkeypatch, tmp_path):
    needs = NEEDS.get(os.path.relpath(path, os.path.join(ROOT, "examples")))
    if needs and not os.environ.get("CI"):
        pytest.importorskip(needs)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # anything an example writes stays out of the tree
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Agg is non-interactive"
            shrink = SHRUNK.get(os.path.relpath(path, os.path.join(ROOT, "examples")))
            if shrink:
                _run_shrunk(path, *shrink)
            else:
                runpy.run_path(path, run_name="__main__")
        assert plt.get_fignums(), "every example draws a figure"
    finally:
        plt.close("all")


def test_readme_example_runs():
    """The Python block of the README runs and prints TensorFlow's metrics."""
    import contextlib
    import io

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README shows a Python example"
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    assert "auc_precision_recall" in out.getvalue()


def test_index_first_model_runs_as_shown():
    """The Python block of the docs' front page runs, with the result it shows."""
    import textwrap

    with open(os.path.join(ROOT, "doc", "index.rst"), encoding="utf-8") as f:
        index = f.read()
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", index)
    assert blocks, "the front page shows a Python example"
    namespace = {"__name__": "__index__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for block in blocks:
            exec(compile(textwrap.dedent(block), "index.rst", "exec"), namespace)
    # the grid searches a threshold-dependent score, and finds what it says
    shown = re.search(r"search\.best_params_\n\s*# (\{.*\})", index).group(1)
    assert str(namespace["search"].best_params_) == shown
    assert len(set(namespace["search"].cv_results_["mean_test_score"])) > 1


def test_api_reference_lists_every_public_name():
    import sklearn_heads

    with open(os.path.join(ROOT, "doc", "api.rst"), encoding="utf-8") as f:
        api = f.read()
    listed = set(re.findall(r"^   (\w+)$", api, flags=re.M))
    public = set(sklearn_heads.__all__) - {"__version__"}
    assert public <= listed, sorted(public - listed)
    assert "__version__" in api
    # the public metrics module: its functions, documented under its name
    module = api.split(".. currentmodule:: sklearn_heads.metrics", 1)[1]
    module = module.split(".. currentmodule::", 1)[0]
    documented = set(re.findall(r"^   (\w+)$", module, flags=re.M))
    assert set(sklearn_heads.metrics.__all__) <= documented
