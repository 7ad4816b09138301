"""Dask input: fit, predictions, evaluate and grid search on a LocalCluster.

Every test here runs against one ``distributed.LocalCluster`` of two
worker processes started by the ``client`` fixture, so that whatever the
estimators send to the workers is pickled and run in another process, as
on a real cluster. Dask and distributed are in the ``test`` extra.
"""

import logging
import os
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from unittest import mock

import dask
import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream
from joblib import parallel_config
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MultiLabelHead,
    PoissonRegressionHead,
    RegressionHead,
    make_head_scorer,
)
from sklearn_heads._dask._detect import INSTALL_COMMAND, INSTALL_HINT


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: 8787 may be taken
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(1200, 12, n_informative=6, random_state=0)
    w = np.random.RandomState(1).uniform(0, 3, size=y.shape[0])
    return X, y, w


def _chunked(*arrays, rows=250):
    """Dask arrays of ``arrays``, in row chunks of ``rows`` (uneven at the end)."""
    return [da.from_array(a, chunks=(rows,) + a.shape[1:]) for a in arrays]


def _fit_both(estimator, X, y, sample_weight=None, rows=250):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = clone(estimator).fit(X, y, sample_weight=sample_weight)
        Xd, yd = _chunked(X, y, rows=rows)
        wd = None if sample_weight is None else _chunked(sample_weight, rows=rows)[0]
        on_dask = clone(estimator).fit(Xd, yd, sample_weight=wd)
    return ours, on_dask


def _params(est):
    if hasattr(est, "coef_"):
        return [est.coef_, est.intercept_]
    return [*est.coefs_, *est.intercepts_]


# ----------------------------------------------------------------------
# fit


@pytest.mark.parametrize(
    "estimator",
    [
        LinearClassifier(),
        LinearClassifier(solver="lbfgs"),
        LinearClassifier(pos_weight=4.0, alpha=1e-2),
        LinearEstimator(BinaryClassHead(label_vocabulary=["no", "yes"]), alpha=1e-3),
        LinearEstimator(BinaryClassHead(loss_reduction="sum"), alpha=1.0),
        MLPClassifier((6,), activation="tanh", max_iter=40, random_state=0),
    ],
    ids=["linear", "lbfgs", "pos_weight", "vocabulary", "sum-reduction", "mlp"],
)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_fit_equals_in_memory_fit(client, binary, estimator, weighted):
    X, y, w = binary
    if getattr(estimator, "head", None) is not None and estimator.head.label_vocabulary:
        y = np.where(y == 1, "yes", "no")
    ours, on_dask = _fit_both(estimator, X, y, w if weighted else None)
    assert on_dask.n_iter_ == ours.n_iter_
    for a, b in zip(_params(on_dask), _params(ours)):
        assert_allclose(a, b, rtol=0, atol=1e-6)
    assert_allclose(on_dask.loss_curve_, ours.loss_curve_, rtol=1e-9)
    assert on_dask.n_features_in_ == X.shape[1]
    if hasattr(ours, "classes_"):
        np.testing.assert_array_equal(on_dask.classes_, ours.classes_)


def test_newton_takes_one_round_trip_per_full_step(client, binary):
    # the loss, gradient and Hessian of a full Newton step come back
    # together: a fit whose full steps are all taken costs one round trip
    # per iteration, plus one at the start
    from sklearn_heads._dask import _rows

    X, y, w = binary
    Xd, yd, wd = _chunked(X, y, w)
    with mock.patch.object(_rows, "tree_reduce", wraps=_rows.tree_reduce) as trips:
        on_dask = LinearClassifier(solver="newton-cholesky").fit(Xd, yd, sample_weight=wd)
    assert trips.call_count == on_dask.n_iter_ + 1
    ours = LinearClassifier(solver="newton-cholesky").fit(X, y, sample_weight=w)
    assert on_dask.n_iter_ == ours.n_iter_
    assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-8)
    assert_allclose(on_dask.loss_curve_, ours.loss_curve_, rtol=1e-12)


def test_multilabel_fit_equals_in_memory_fit(client):
    X, Y = make_multilabel_classification(900, 10, n_classes=4, random_state=0)
    head = MultiLabelHead(4, pos_weight=[1.0, 2.0, 0.5, 3.0])
    for estimator in (LinearClassifier(alpha=1e-3), LinearEstimator(head)):
        ours, on_dask = _fit_both(estimator, X.astype(float), Y, rows=200)
        assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-6)
        assert_allclose(on_dask.intercept_, ours.intercept_, rtol=0, atol=1e-6)


def test_badly_scaled_columns_fit_as_in_memory(client):
    # the column scales of the preconditioner come from the chunks, weighted
    X = np.random.RandomState(0).normal(size=(1000, 5))
    y = (X[:, 0] > 0).astype(int)
    X = np.c_[X, np.full(1000, 1e8)]
    w = np.random.RandomState(1).uniform(0, 3, 1000)
    for estimator, target in ((LinearClassifier(), y), (LinearClassifier(), np.c_[y, 1 - y])):
        Xd, yd, wd = _chunked(X, target, w)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            ours = clone(estimator).fit(X, target, sample_weight=w)
            on_dask = clone(estimator).fit(Xd, yd, sample_weight=wd)
        assert ours.score(X, target) > 0.99  # 0.5 without the scaling
        assert on_dask.n_iter_ == ours.n_iter_
        # the same model: the 1e8 column stalls the objective in floating
        # point (see _solver.Stopping), where the sums' order moves the
        # stopping point in the 7th digit
        assert_allclose(
            on_dask.decision_function(X), ours.decision_function(X), rtol=1e-6, atol=1e-6
        )


def test_regression_head_and_float32(client, binary):
    X, y, _ = binary
    p = 1 / (1 + np.exp(-X[:, 0]))  # probabilities as targets
    ours, on_dask = _fit_both(LinearEstimator(LogisticRegressionHead()), X, p)
    assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-6)
    ours, on_dask = _fit_both(LinearClassifier(), X.astype(np.float32), y)
    assert on_dask.coef_.dtype == ours.coef_.dtype == np.float32
    assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-6)


def test_float32_products_on_the_workers_until_refined(client, binary):
    # each chunk's task computes as an in-memory objective of the same
    # precision: float32 products until refine(), then float64 ones
    from sklearn_heads._dask._rows import training_rows
    from sklearn_heads._models import LinearModel
    from sklearn_heads._objective import Objective, make_objective

    X, y, _ = binary
    X32 = X.astype(np.float32)
    head, _, rows = training_rows(LinearClassifier(), *_chunked(X32, y), None)
    model = LinearModel(X.shape[1], 1)
    theta = 0.3 * np.random.RandomState(0).randn(model.n_params)
    on_dask = make_objective(head, model, X=rows, labels=None, precise=False)
    assert make_objective(head, model, X=rows, labels=None).precise  # the default
    fast = Objective(head, model, X32, y, precise=False).loss(theta)
    exact = Objective(head, model, X32, y).loss(theta)
    assert fast != pytest.approx(exact, rel=1e-12, abs=0)
    assert not on_dask.precise
    assert on_dask.loss(theta) == pytest.approx(fast, rel=1e-12, abs=0)
    assert on_dask.refine() is True and on_dask.precise
    assert on_dask.loss(theta) == pytest.approx(exact, rel=1e-12, abs=0)
    assert on_dask.refine() is False


@pytest.mark.parametrize(
    "estimator",
    [
        LinearClassifier(alpha=1e-3),
        LinearClassifier(class_weight={"b": 3.0, "c": 0.5}),
        MLPClassifier((6,), activation="tanh", max_iter=40, random_state=0),
    ],
    ids=["linear", "class_weight", "mlp"],
)
def test_multi_class_fit_predict_and_evaluate_equal_in_memory(client, estimator):
    X, y = make_classification(
        1000, 8, n_informative=5, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    names = np.array(["a", "b", "c"])[y]
    w = np.random.RandomState(1).uniform(0, 3, size=len(y))
    ours, on_dask = _fit_both(estimator, X, names, w, rows=230)
    assert on_dask.n_iter_ == ours.n_iter_
    for a, b in zip(_params(on_dask), _params(ours)):
        assert_allclose(a, b, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(on_dask.classes_, ours.classes_)
    Xd, yd = _chunked(X, names, rows=230)
    np.testing.assert_array_equal(on_dask.predict(Xd).compute(), ours.predict(X))
    assert on_dask.predict_proba(Xd).shape == (1000, 3)
    expected = ours.evaluate(X, names, sample_weight=w)
    got = ours.evaluate(Xd, yd, sample_weight=_chunked(w, rows=230)[0])
    assert got.keys() == expected.keys() == {"average_loss", "accuracy"}
    for key in expected:
        assert_allclose(got[key], expected[key], rtol=1e-12, err_msg=key)


@pytest.mark.parametrize(
    "head", [RegressionHead(label_dimension=2), PoissonRegressionHead()], ids=repr
)
def test_regressors_fit_predict_and_evaluate_equal_in_memory(client, head):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(900, 6))
    if isinstance(head, PoissonRegressionHead):
        y = rng.poisson(np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1])).astype(float)
    else:
        y = X[:, :2] @ [[1.0, -2.0], [0.5, 3.0]] + 0.1 * rng.normal(size=(900, 2))
    w = rng.uniform(0.5, 2.0, size=900)
    ours, on_dask = _fit_both(LinearEstimator(head, alpha=1e-3), X, y, w, rows=200)
    assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-6)
    Xd, yd = _chunked(X, y, rows=200)
    assert_allclose(on_dask.predict(Xd).compute(), ours.predict(X), rtol=1e-6)
    expected = ours.evaluate(X, y)
    got = ours.evaluate(Xd, yd)
    for key in expected:
        assert_allclose(got[key], expected[key], rtol=1e-12, err_msg=key)


def test_fit_takes_column_chunks_and_in_memory_targets(client, binary):
    X, y, w = binary
    ours = LinearClassifier().fit(X, y, sample_weight=w)
    Xd = da.from_array(X, chunks=(300, 5))  # chunked across features too
    on_dask = LinearClassifier().fit(Xd, list(y), sample_weight=w)
    assert_allclose(on_dask.coef_, ours.coef_, rtol=0, atol=1e-6)


def test_alpha_zero_separation_warning(client):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] > 0).astype(int)
    Xd, yd = _chunked(X, y, rows=100)
    with pytest.warns(ConvergenceWarning, match="separates the training data"):
        LinearClassifier(alpha=0, max_iter=1000, tol=1e-8).fit(Xd, yd)


def test_training_chunks_are_not_pulled_to_the_client(client, binary):
    """While fitting and evaluating, the client allocates less than half a chunk."""
    n, d, rows = 800_000, 12, 100_000
    X = da.random.RandomState(0).normal(size=(n, d), chunks=(rows, d))
    y = (X[:, 0] - X[:, 1] + da.random.RandomState(1).logistic(size=n, chunks=rows)) > 0
    X, y = dask.persist(X, y)
    # imports and first-use caches, not data, would dominate a cold peak
    LinearClassifier().fit(*_chunked(*binary[:2])).evaluate(*_chunked(*binary[:2]))
    chunk_bytes = rows * d * 8
    tracemalloc.start()
    try:
        est = LinearClassifier().fit(X, y)
        proba = est.predict_proba(X)
        metrics = est.evaluate(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(proba, da.Array)
    assert 0.5 < metrics["auc"] <= 1
    assert peak < chunk_bytes / 2, f"the client allocated {peak} bytes; a chunk has {chunk_bytes}"


# ----------------------------------------------------------------------
# predictions and evaluate


def test_predictions_are_lazy_dask_arrays(client, binary):
    X, y, _ = binary
    est = LinearClassifier(threshold=0.3).fit(X, y)
    Xd = _chunked(X, rows=300)[0]
    for name in ("decision_function", "predict_proba", "predict"):
        lazy = getattr(est, name)(Xd)
        expected = getattr(est, name)(X)
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == Xd.chunks[0]
        assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
        np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-12, atol=1e-15)


def test_predictions_do_not_compute_x(client, binary):
    """Building the predictions computes nothing (X's chunks raise if computed)."""
    X, y, _ = binary
    est = LinearClassifier().fit(X, y)

    def fail(block):
        raise RuntimeError("X was computed")

    poisoned = _chunked(X)[0].map_blocks(fail, dtype=X.dtype)
    for name in ("decision_function", "predict_proba", "predict"):
        lazy = getattr(est, name)(poisoned)
        with pytest.raises(RuntimeError, match="X was computed"):
            lazy.compute()


def test_multilabel_predictions(client):
    X, Y = make_multilabel_classification(500, 8, n_classes=3, random_state=0)
    est = LinearClassifier(threshold=[0.3, 0.5, 0.7]).fit(X, Y)
    Xd = _chunked(X.astype(float), rows=120)[0]
    np.testing.assert_array_equal(est.predict(Xd).compute(), est.predict(X))
    assert est.predict_proba(Xd).shape == (500, 3)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_evaluate_equals_in_memory_evaluate(client, binary, weighted):
    X, y, w = binary
    w = w if weighted else None
    head = BinaryClassHead(thresholds=[0.3, 0.7], pos_weight=2.0)
    est = LinearEstimator(head, threshold=0.4).fit(X, y)
    expected = est.evaluate(X, y, sample_weight=w)
    Xd, yd = _chunked(X, y, rows=170)
    wd = None if w is None else _chunked(w, rows=170)[0]
    got = est.evaluate(Xd, yd, sample_weight=wd)
    assert got.keys() == expected.keys()
    for key in expected:
        assert_allclose(got[key], expected[key], rtol=1e-12, atol=1e-15, err_msg=key)


def test_multilabel_evaluate_equals_in_memory_evaluate(client):
    X, Y = make_multilabel_classification(500, 8, n_classes=3, random_state=0)
    est = LinearEstimator(MultiLabelHead(3, classes_for_class_based_metrics=[0, 2])).fit(X, Y)
    expected = est.evaluate(X, Y)
    got = est.evaluate(*_chunked(X.astype(float), Y, rows=130))
    assert got.keys() == expected.keys()
    for key in expected:
        assert_allclose(got[key], expected[key], rtol=1e-12, atol=1e-15, err_msg=key)


# ----------------------------------------------------------------------
# grid search on the cluster


def test_grid_search_runs_on_the_cluster(client, binary):
    X, y, _ = binary
    grid = {"pos_weight": [1.0, 3.0], "threshold": [0.3, 0.5]}
    scoring = {"auc": make_head_scorer("auc"), "precision": make_head_scorer("precision")}
    local = GridSearchCV(LinearClassifier(), grid, scoring=scoring, refit="auc", cv=3)
    local.fit(X, y)
    fit = LinearClassifier.fit
    in_client = mock.patch.object(LinearClassifier, "fit", autospec=True, side_effect=fit)
    with get_task_stream(client) as stream, parallel_config(backend="dask"), in_client as in_client:
        on_cluster = clone(local).set_params(n_jobs=-1).fit(X, y)
    # the 12 fits of the candidates and folds ran on the workers: the client
    # only refitted the best candidate
    assert in_client.call_count == 1
    assert stream.data
    assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])
    for key in ("mean_test_auc", "mean_test_precision"):
        assert_allclose(on_cluster.cv_results_[key], local.cv_results_[key], rtol=1e-12)
    assert on_cluster.best_params_ == local.best_params_


# ----------------------------------------------------------------------
# errors


def test_dask_targets_need_dask_x(binary):
    X, y, w = binary
    with pytest.raises(TypeError, match="y is a Dask collection but X is not"):
        LinearClassifier().fit(X, da.from_array(y))
    est = LinearClassifier().fit(X, y)
    with pytest.raises(TypeError, match="sample_weight is a Dask collection"):
        est.evaluate(X, y, sample_weight=da.from_array(w))


def test_bad_dask_input_is_refused(client, binary):
    X, y, w = binary
    Xd, yd, wd = _chunked(X, y, w)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearClassifier().fit(Xd, yd[:-1])
    with pytest.raises(ValueError, match="2-d Dask array"):
        LinearClassifier().fit(Xd[:, 0], yd)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        LinearClassifier().fit(Xd[Xd[:, 0] > 0], yd)
    bad = w.copy()
    bad[777] = -1.0
    with pytest.raises(ValueError, match="sample_weight must be >= 0; got -1.0 at index 777"):
        LinearClassifier().fit(Xd, yd, sample_weight=_chunked(bad)[0])
    with pytest.raises(ValueError, match="all zero"):
        LinearClassifier().fit(Xd, yd, sample_weight=da.zeros_like(wd))
    X_nan = X.copy()
    X_nan[900, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LinearClassifier().fit(_chunked(X_nan)[0], yd)
    with pytest.raises(ValueError, match="Unknown label type"):
        LinearClassifier().fit(Xd, yd + 0.5 * (da.arange(1200, chunks=250) % 3 == 0))
    with pytest.raises(ValueError, match="class_weight='balanced' needs the class totals"):
        LinearClassifier(class_weight="balanced").fit(Xd, yd)
    est = LinearClassifier().fit(Xd, yd)
    with pytest.raises(ValueError, match="features"):
        est.predict(Xd[:, :5])
    with pytest.raises(ValueError, match="all zero"):
        est.evaluate(Xd, yd, sample_weight=da.zeros_like(wd))
    # issue 13: complex chunks are named, not printed whole
    with pytest.raises(ValueError, match="Complex data not supported: X must be real numbers"):
        LinearClassifier().fit(_chunked(X + 0.5j)[0], yd)


def test_without_dask_the_package_works_and_says_how_to_install():
    """With Dask's import blocked: no Dask import, a clear error for Dask input."""
    code = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "dask" or name.startswith(("dask.", "distributed")):
                    raise ImportError(f"No module named {name!r} (blocked)")

        sys.meta_path.insert(0, Block())
        import numpy as np
        from sklearn_heads import LinearClassifier

        X = np.random.RandomState(0).normal(size=(50, 3))
        y = (X[:, 0] > 0).astype(int)
        est = LinearClassifier().fit(X, y)
        assert est.predict(X).shape == (50,)
        assert not any(m == "dask" or m.startswith("dask.") for m in sys.modules)

        class FakeDaskArray:  # what Dask's collection protocol looks like
            shape = (50, 3)
            def __dask_graph__(self):
                return {}

        try:
            est.predict(FakeDaskArray())
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout
    assert "X is a Dask collection" in out and INSTALL_HINT in out
    # the extra is installed from a checkout, where ".[dask]" names it
    assert INSTALL_COMMAND == 'pip install ".[dask]"' and "from a checkout" in INSTALL_HINT


def test_in_memory_targets_of_the_wrong_length(client, binary):
    X, y, w = binary
    Xd = _chunked(X)[0]
    with pytest.raises(ValueError, match="X has 1200 rows and y has 1199"):
        LinearClassifier().fit(Xd, y[:-1])
    with pytest.raises(ValueError, match=r"sample_weight must be 1-d; got shape \(1200, 1\)"):
        LinearClassifier().fit(Xd, y, sample_weight=w[:, None])


def test_data_lost_with_a_worker_is_explained_and_the_model_kept():
    # its own cluster: one of its workers is killed
    X, y = make_classification(1000, 4, random_state=0)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
        silence_logs=logging.CRITICAL,
    ) as cluster, Client(cluster) as client:
        est = LinearClassifier().fit(X, y)
        before = est.coef_
        victim = sorted(client.scheduler_info()["workers"])[0]
        # scattered data has no graph to recompute it from
        future = client.scatter(X, workers=[victim])
        Xd = da.from_delayed(future, shape=X.shape, dtype=X.dtype).rechunk((250, 4))
        try:
            client.run(os._exit, 1, workers=[victim])
        except Exception:  # the connection to the killed worker closes
            pass
        with pytest.raises(RuntimeError, match="worker is lost with data"):
            est.fit(Xd, da.from_array(y, chunks=250))
        assert est.coef_ is before and est.n_features_in_ == 4
