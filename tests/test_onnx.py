"""ONNX export: onnxruntime's outputs equal predict and predict_proba."""

import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_heads
import sklearn_heads.onnx
from sklearn_heads import (
    BinaryClassHead,
    MultiClassHead,
    PoissonRegressionHead,
    RegressionHead,
    LinearClassifier,
    LinearEstimator,
    LogisticRegressionHead,
    MLPClassifier,
    MLPEstimator,
    MultiLabelHead,
    to_onnx,
)

# (conftest.py leaves this module out where they are not installed, but
# under CI, where the test extra must have installed them)
import onnxruntime as rt  # noqa: E402
import skl2onnx  # noqa: E402

X, y = make_classification(300, 6, n_informative=4, random_state=0)
Y = make_multilabel_classification(300, 6, n_classes=3, random_state=0)[1]
P = expit(X[:, 0] - X[:, 1])  # probabilities, for the logistic-regression head
Y3 = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)[1]
COUNTS = np.random.RandomState(0).poisson(np.exp(0.3 * X[:, 0]))
TARGETS = np.c_[X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]]


def _session(onx):
    return rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


def _run(onx, X):
    session = _session(onx)
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def _fit(est, X, target):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short MLP fits
        return est.fit(X, target)


CLASSIFIERS = {
    "binary": (LinearClassifier(threshold=0.3), y),
    "binary-strings": (LinearClassifier(threshold=0.7), np.where(y == 1, "churn", "stay")),
    "binary-bool": (LinearClassifier(), y == 1),
    "vocabulary": (
        LinearEstimator(BinaryClassHead(label_vocabulary=["no", "yes"]), threshold=0.4),
        np.where(y == 1, "yes", "no"),
    ),
    "multilabel": (LinearClassifier(threshold=[0.3, 0.5, 0.8]), Y),
    "multilabel-head": (LinearEstimator(MultiLabelHead(3, pos_weight=[1.0, 2.0, 3.0])), Y),
    "mlp-relu": (MLPClassifier((5,), random_state=0, max_iter=50), y),
    "mlp-tanh": (MLPClassifier((5, 3), activation="tanh", random_state=0, max_iter=50), y),
    "mlp-logistic": (MLPClassifier((4,), activation="logistic", random_state=0, max_iter=50), Y),
    "mlp-identity": (
        MLPEstimator(BinaryClassHead(), (4,), activation="identity", random_state=0), y
    ),
    "multiclass": (LinearClassifier(), Y3),
    "multiclass-strings": (
        MLPClassifier((5,), random_state=0, max_iter=50), np.array(["a", "b", "c"])[Y3]
    ),
    "multiclass-head-vocabulary": (
        LinearEstimator(MultiClassHead(3, label_vocabulary=["x", "y", "z"])),
        np.array(["x", "y", "z"])[Y3],
    ),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CLASSIFIERS))
def test_classifier_outputs_equal_predict_and_predict_proba(case, dtype):
    est, target = CLASSIFIERS[case]
    Xd = X.astype(dtype)
    est = _fit(est, Xd, target)
    out = _run(to_onnx(est, Xd[:1]), Xd)
    assert set(out) == {"label", "probabilities"}
    assert_array_equal(out["label"], est.predict(Xd))
    assert out["label"].shape == est.predict(Xd).shape
    assert out["probabilities"].dtype == dtype
    assert_allclose(out["probabilities"], est.predict_proba(Xd), rtol=0,
                    atol=1e-6 if dtype == np.float32 else 1e-12)


REGRESSORS = {
    "logistic": (LinearEstimator(LogisticRegressionHead()), P),
    "logistic-mlp": (MLPEstimator(LogisticRegressionHead(), (3,)), P),
    "regression-2-targets": (LinearEstimator(RegressionHead(label_dimension=2)), TARGETS),
    "regression-exp-link": (LinearEstimator(RegressionHead(inverse_link_fn=np.exp)), P),
    "regression-expit-link": (
        MLPEstimator(RegressionHead(inverse_link_fn=expit), (3,), random_state=0), P
    ),
    "poisson": (LinearEstimator(PoissonRegressionHead()), COUNTS),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(REGRESSORS))
def test_regressor_outputs_variable(case, dtype):
    est, target = REGRESSORS[case]
    Xd = X.astype(dtype)
    est = _fit(est, Xd, target)
    out = _run(to_onnx(est, Xd[:1]), Xd)
    predicted = est.predict(Xd).reshape(len(X), -1)
    assert set(out) == {"variable"} and out["variable"].shape == predicted.shape
    assert_allclose(out["variable"], predicted, rtol=1e-6 if dtype == np.float32 else 1e-12,
                    atol=1e-6 if dtype == np.float32 else 1e-12)


def test_a_pipeline_converts_with_skl2onnx_after_register():
    pipe = make_pipeline(StandardScaler(), LinearClassifier(threshold=0.35)).fit(X, y)
    sklearn_heads.onnx.register()
    onx = skl2onnx.to_onnx(pipe, X[:1].astype(np.float32))
    out = _run(onx, X.astype(np.float32))
    assert_array_equal(out["label"], pipe.predict(X.astype(np.float32)))
    assert_allclose(out["probabilities"], pipe.predict_proba(X.astype(np.float32)), atol=1e-6)
    # and sklearn_heads.to_onnx takes the pipeline too
    out = _run(to_onnx(pipe, X[:1]), X)
    assert_array_equal(out["label"], pipe.predict(X))


def test_the_threshold_decides_the_label_at_the_boundary():
    # rows whose probability is just above and just below the threshold
    est = LinearClassifier(threshold=0.5).fit(X, y)
    logits = est.decision_function(X)
    est.set_params(threshold=float(expit(np.median(logits))))
    out = _run(to_onnx(est, X[:1]), X)
    assert_array_equal(out["label"], est.predict(X))
    assert 0 < est.predict(X).mean() < 1


def test_a_json_batch_scores_as_predict_proba():
    # what a service does: rows arrive as JSON, the model as bytes
    est = LinearClassifier().fit(X, y)
    payload = json.dumps({"instances": X[:5].tolist()})
    rows = np.asarray(json.loads(payload)["instances"], dtype=np.float32)
    out = _run(to_onnx(est, rows[:1]), rows)
    assert_allclose(out["probabilities"], est.predict_proba(rows), atol=1e-6)


def test_an_inverse_link_without_onnx_form_is_refused():
    est = LinearEstimator(RegressionHead(inverse_link_fn=np.square)).fit(X, P)
    with pytest.raises(ValueError, match="inverse_link_fn=.* cannot be exported"):
        to_onnx(est, X[:1])


def test_without_skl2onnx_the_package_imports_and_says_how_to_install():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["skl2onnx"] = None  # an import of it fails
        import numpy as np
        import sklearn_heads
        est = sklearn_heads.LinearClassifier().fit(np.eye(4), [0, 1, 0, 1])
        try:
            sklearn_heads.to_onnx(est, np.eye(4))
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert 'pip install ".[onnx]"' in out


def test_skops_loads_a_model_with_the_trusted_types():
    sio = pytest.importorskip("skops.io")
    est = LinearEstimator(BinaryClassHead(thresholds=[0.3]), threshold=0.4).fit(X, y)
    dump = sio.dumps(est)
    assert set(sio.get_untrusted_types(data=dump)) <= set(sklearn_heads.skops_trusted_types())
    loaded = sio.loads(dump, trusted=sklearn_heads.skops_trusted_types())
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert loaded.evaluate(X, y) == est.evaluate(X, y)
