"""The package's metadata: declared dependencies, version, show_versions."""

import ast
import re
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import pytest
import scipy
import sklearn

import sklearn_heads
from sklearn_heads import _show_versions

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sklearn_heads"
#: import name -> distribution name, where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn"}
#: modules only the optional backends import (``pip install ".[dask]"``,
#: ``".[onnx]"``)
OPTIONAL = {"dask", "distributed", "skl2onnx"}


def _pyproject():
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is in the standard library from Python 3.11")
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirement_names(requirements):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def _third_party_imports():
    """Top-level names of the modules the package imports, stdlib excluded."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"sklearn_heads"}


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names")
def test_every_imported_package_is_declared():
    project = _pyproject()["project"]
    required = _requirement_names(project["dependencies"])
    extras = project["optional-dependencies"]
    optional = _requirement_names(extras["dask"] + extras["onnx"])
    imported = {DISTRIBUTIONS.get(name, name) for name in _third_party_imports()}
    assert imported - OPTIONAL <= required, "imported but not declared"
    assert imported & OPTIONAL <= optional
    # and nothing is declared that the package does not import
    assert required <= imported


def test_the_version_has_one_source():
    project = _pyproject()["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", sklearn_heads.__version__)
    try:
        installed = distribution("sklearn-heads")
    except PackageNotFoundError:
        return  # run from a checkout that is not installed
    if Path(installed.locate_file("sklearn_heads")).resolve() == PACKAGE.resolve():
        assert installed.version == sklearn_heads.__version__


def test_show_versions_names_what_a_bug_report_needs(capsys):
    sklearn_heads.show_versions()
    out = capsys.readouterr().out
    for name, version in [
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("sklearn-heads", sklearn_heads.__version__),
    ]:
        assert re.search(rf"^\s*{name}: {re.escape(version)}", out, re.M), name
    assert re.search(r"^\s*python: " + re.escape(sys.version.split()[0]), out, re.M)
    assert "user_api: blas" in out  # threadpoolctl's report of NumPy's BLAS


def test_show_versions_reports_missing_packages_as_none(capsys, monkeypatch):
    monkeypatch.setattr(
        _show_versions, "_DEPENDENCIES", (*_show_versions._DEPENDENCIES, "not-a-package")
    )
    sklearn_heads.show_versions()
    assert re.search(r"^\s*not-a-package: None$", capsys.readouterr().out, re.M)
