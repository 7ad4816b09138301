"""The package's shape: the heads answer for their task, backends plug in at one seam.

* The estimators (``_base_estimator``, ``_linear``, ``_mlp``) do not import
  the heads: they call the head interface of ``_heads/_task.py``, so a new
  head needs no change there (shown with a head defined in this file).
* The Dask backend imports none of the estimators, and the core imports
  the backend only through ``_backend.py``: no import cycle.
"""

import ast
import os

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import is_regressor

import sklearn_heads
from sklearn_heads import LinearEstimator, MLPEstimator
from sklearn_heads._heads._base import Reduction, _Head
from sklearn_heads._heads._task import _RegressorTask
from sklearn_heads._metrics import Mean

PACKAGE = os.path.dirname(sklearn_heads.__file__)


def _imports(path):
    """Every module ``path`` imports (resolved to ``sklearn_heads.*`` names)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    relative = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].split(os.sep)
    package = relative[:-1]  # the module's package, as a list
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _modules(folder=""):
    root = os.path.join(PACKAGE, folder)
    return sorted(
        os.path.join(root, name) for name in os.listdir(root) if name.endswith(".py")
    )


@pytest.mark.parametrize("name", ["_base_estimator.py", "_linear.py", "_mlp.py"])
def test_the_estimators_do_not_import_the_heads(name):
    imported = _imports(os.path.join(PACKAGE, name))
    assert not any(m.startswith("sklearn_heads._heads") for m in imported), imported


@pytest.mark.parametrize("path", _modules("_dask"), ids=os.path.basename)
def test_the_dask_backend_does_not_import_the_estimators(path):
    imported = _imports(path)
    estimators = ("_base_estimator", "_linear", "_mlp", "_estimators", "_targets", "_scorers")
    assert not any(
        m == f"sklearn_heads.{e}" or m.startswith(f"sklearn_heads.{e}.")
        for m in imported for e in estimators
    ), imported


@pytest.mark.parametrize("path", _modules() + _modules("_heads"), ids=os.path.basename)
def test_the_core_reaches_dask_only_through_the_seam(path):
    if os.path.basename(path) == "_backend.py":
        return
    imported = _imports(path)
    assert not any(m.startswith("sklearn_heads._dask") for m in imported), imported
    assert not any(m == "dask" or m.startswith("dask.") for m in imported), imported


# ----------------------------------------------------------------------
# a head the estimators have never heard of


class AbsoluteErrorHead(_RegressorTask, _Head):
    """Median regression: the mean absolute error (a head defined here only)."""

    _elementwise_loss = True
    _prediction_keys = ("predictions",)

    def __init__(self, loss_reduction=Reduction.SUM_OVER_BATCH_SIZE, loss_fn=None, name=None):
        self.loss_reduction = loss_reduction
        self.loss_fn = loss_fn
        self.name = name
        self._check_params()

    def _validate(self):
        self._setup_common()

    @property
    def logits_dimension(self):
        return 1

    def _encode_labels(self, labels, shape, dtype):
        return np.asarray(labels, dtype=dtype).reshape(shape)

    def _default_loss(self, z, logits, need_grad):
        residual = logits - z
        # a smooth surrogate of |r|, so that L-BFGS has a gradient everywhere
        loss = np.sqrt(residual**2 + 1e-6)
        return loss, residual / loss if need_grad else None

    def _fused_sum_loss_gradient(self, z, logits, w, need_grad, out, columns):
        loss, grad = self._default_loss(z, logits, need_grad)
        if w is not None:
            loss, grad = loss * w, (grad * w if need_grad else None)
        return float(np.sum(loss)), grad

    def _predictions(self, logits, keys):
        return {"predictions": logits}

    def _metric_factories(self):
        return [(self._key("average_loss"), lambda key: Mean(name=key))]

    def _update(self, m, z, logits, w, loss):
        m[self._key("average_loss")].update_state(loss, w)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [LinearEstimator, MLPEstimator], ids=["linear", "mlp"])
def test_a_new_head_needs_no_change_to_the_estimators(make):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.standard_cauchy(300)  # outliers: the median fits
    est = make(AbsoluteErrorHead(), alpha=0.0, max_iter=500)
    assert is_regressor(est)
    est.fit(X, y)
    assert est.predict(X).shape == (300,)
    assert set(est.evaluate(X, y)) == {"average_loss"}
    assert est.score(X, y) == pytest.approx(
        1 - np.sum((y - est.predict(X)) ** 2) / np.sum((y - y.mean()) ** 2)
    )
    if make is LinearEstimator:
        assert_allclose(est.coef_[0], [1.0, -2.0, 0.5], atol=0.2)
