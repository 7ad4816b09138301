"""Unit tests of RegressionHead and PoissonRegressionHead, worked by hand.

Two examples with two targets each: logits ``[[1, 2], [3, 4]]`` and labels
``[[0, 0], [3, 6]]`` have the squared errors ``[[1, 4], [0, 4]]``, summing
to 9; every target is an example of the reduction, so the default
``sum_over_batch_size`` loss is ``9 / 4 = 2.25``.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_heads import PoissonRegressionHead, RegressionHead

LOGITS = np.array([[1.0, 2.0], [3.0, 4.0]])
LABELS = np.array([[0.0, 0.0], [3.0, 6.0]])


def stirling(z):
    """TF's Stirling term of log(z!): z log z - z + 0.5 log(2 pi z)."""
    return z * np.log(z) - z + 0.5 * np.log(2 * np.pi * z)


def test_tf_worked_example():
    # (43 - 45)^2 = 4 and (44 - 41)^2 = 9: mean 6.5
    head = RegressionHead()
    logits, labels = np.array([[45.0], [41.0]]), np.array([[43], [44]])
    assert head.loss(labels, logits) == 6.5
    assert head.evaluate(labels, logits) == {
        "average_loss": 6.5, "prediction/mean": 43.0, "label/mean": 43.5
    }
    np.testing.assert_array_equal(head.predictions(logits)["predictions"], logits)


def test_every_target_is_an_example():
    # 9 / (2 examples * 2 targets) = 2.25; with "sum": 9
    assert RegressionHead(2).loss(LABELS, LOGITS) == 2.25
    assert RegressionHead(2, loss_reduction="sum").loss(LABELS, LOGITS) == 9.0
    # gradient 2 (x - z) / 4 = [[0.5, 1.0], [0.0, -1.0]]
    _, grad = RegressionHead(2).loss_and_gradient(LABELS, LOGITS)
    np.testing.assert_array_equal(grad, [[0.5, 1.0], [0.0, -1.0]])


def test_per_example_weights_by_hand():
    # weights 1 and 3: 1 * (1 + 4) + 3 * (0 + 4) = 17; loss 17 / 4 = 4.25,
    # average_loss 17 / (2 * (1 + 3)) = 2.125, prediction/mean
    # (1 * 3 + 3 * 7) / 8 = 3.0, label/mean (0 + 3 * 9) / 8 = 3.375
    head = RegressionHead(2)
    assert head.loss(LABELS, LOGITS, [1.0, 3.0]) == 4.25
    assert head.evaluate(LABELS, LOGITS, [[1.0], [3.0]]) == {
        "average_loss": 2.125, "prediction/mean": 3.0, "label/mean": 3.375
    }


def test_per_target_weights_by_hand():
    # weights [[1, 0], [2, 1]]: 1 * 1 + 0 * 4 + 2 * 0 + 1 * 4 = 5; loss 5 / 4,
    # average_loss 5 / 4 (the weights sum to 4), prediction/mean
    # (1 + 0 + 6 + 4) / 4 = 2.75, label/mean (0 + 0 + 6 + 6) / 4 = 3
    head = RegressionHead(2)
    weights = np.array([[1.0, 0.0], [2.0, 1.0]])
    assert head.loss(LABELS, LOGITS, weights) == 1.25
    assert head.evaluate(LABELS, LOGITS, weights) == {
        "average_loss": 1.25, "prediction/mean": 2.75, "label/mean": 3.0
    }
    _, grad = head.loss_and_gradient(LABELS, LOGITS, weights)
    np.testing.assert_array_equal(grad, [[0.5, 0.0], [0.0, -1.0]])


def test_inverse_link_changes_predictions_not_the_loss():
    plain, linked = RegressionHead(2), RegressionHead(2, inverse_link_fn=np.exp)
    assert linked.loss(LABELS, LOGITS) == plain.loss(LABELS, LOGITS)
    preds = linked.predictions(LOGITS)
    assert set(preds) == {"predictions", "logits"}
    np.testing.assert_allclose(preds["predictions"], np.exp(LOGITS))
    results = linked.evaluate(LABELS, LOGITS)
    # (e + e^2 + e^3 + e^4) / 4 = 23.9
    assert results["prediction/mean"] == pytest.approx(np.exp(LOGITS).mean())
    assert results["average_loss"] == plain.evaluate(LABELS, LOGITS)["average_loss"]
    # without a link there is no "logits" key, as in TensorFlow
    assert set(plain.predictions(LOGITS)) == {"predictions"}
    with pytest.raises(ValueError, match=r"Unknown prediction keys \['logits'\]; this head "
                                         r"predicts \['predictions'\]"):
        plain.predictions(LOGITS, keys=["logits"])
    assert list(linked.predictions(LOGITS, keys="logits")) == ["logits"]


@pytest.mark.parametrize(
    "link, error, match",
    [
        (lambda x: x[:, :1], ValueError,
         r"inverse_link_fn must return an array of the logits' shape \(2, 2\); got shape "
         r"\(2, 1\)"),
        (lambda x: np.full(x.shape, "a"), TypeError,
         r"inverse_link_fn must return numbers; got dtype <U1"),
    ],
)
def test_bad_inverse_link_output(link, error, match):
    head = RegressionHead(2, inverse_link_fn=link)
    with pytest.raises(error, match=match):
        head.predictions(LOGITS)
    with pytest.raises(error, match=match):
        head.evaluate(LABELS, LOGITS)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: RegressionHead(0), ValueError, r"label_dimension must be an integer >= 1.*got 0"),
        (lambda: RegressionHead(-1), ValueError, r"got -1"),
        (lambda: RegressionHead(1.5), ValueError, r"got 1\.5"),
        (lambda: RegressionHead(True), ValueError, r"got True"),
        (lambda: RegressionHead(inverse_link_fn="exp"), TypeError,
         r"inverse_link_fn must be a callable .*; got 'exp'"),
        (lambda: RegressionHead(loss_reduction="none"), ValueError,
         r"Invalid loss_reduction: 'none'"),
        (lambda: RegressionHead(loss_fn=lambda labels: labels), ValueError,
         r"loss_fn must accept the keyword argument 'logits'"),
        (lambda: PoissonRegressionHead(0), ValueError, r"label_dimension must be .*got 0"),
        (lambda: PoissonRegressionHead(compute_full_loss="yes"), TypeError,
         r"compute_full_loss must be True or False; got 'yes'"),
    ],
)
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "head, labels, logits, weights, error, match",
    [
        (RegressionHead(2), np.ones(2), LOGITS, None, ValueError,
         r"labels of shape \(2,\) do not match logits of shape \(2, 2\); expected shape "
         r"\(2, 2\)\."),
        (RegressionHead(2), [[0.0, np.nan], [1.0, 1.0]], LOGITS, None, ValueError,
         r"labels must be finite; got nan"),
        (RegressionHead(2), [["a", "b"], ["c", "d"]], LOGITS, None, TypeError,
         r"labels must be numeric; got 'a'"),
        (RegressionHead(2), LABELS, LOGITS, np.ones((2, 3)), ValueError,
         r"sample_weight of shape \(2, 3\) does not match logits of shape \(2, 2\); expected "
         r"one weight per example, of shape \(2,\) or \(2, 1\), or one per logit, of shape "
         r"\(2, 2\)"),
        (RegressionHead(2), LABELS, LOGITS, [[1.0, -2.0], [1.0, 1.0]], ValueError,
         r"sample_weight must be finite and >= 0; got -2\.0"),
        (RegressionHead(2), LABELS, LOGITS[:, :1], None, ValueError,
         r"logits must have shape \[D0, \.\.\., DN, 2\] \(logits_dimension=2\); got shape "
         r"\(2, 1\)"),
        (PoissonRegressionHead(), [2.0, -1.0], LOGITS[:, :1], None, ValueError,
         r"Poisson counts must be >= 0; got -1\.0"),
        (PoissonRegressionHead(), [2.0, np.inf], LOGITS[:, :1], None, ValueError,
         r"labels must be finite; got inf"),
    ],
)
def test_bad_inputs(head, labels, logits, weights, error, match):
    for call in (
        lambda: head.loss(labels, logits, weights),
        lambda: head.evaluate(labels, logits, weights),
        lambda: head.update_metrics(head.metrics(), logits, labels, weights),
    ):
        with pytest.raises(error, match=match):
            call()


def test_one_target_accepts_1d_labels_and_logits():
    head = RegressionHead()
    labels, logits = np.array([1.0, 2.0]), np.array([0.0, 4.0])
    assert head.loss(labels, logits) == head.loss(labels[:, None], logits[:, None]) == 2.5
    _, grad = head.loss_and_gradient(labels, logits)
    np.testing.assert_array_equal(grad, [-1.0, 2.0])


def test_loss_fn_is_element_wise():
    def absolute(labels, logits):
        return np.abs(logits - labels)

    # |r| = [[1, 2], [0, 2]]: mean 5 / 4
    head = RegressionHead(2, loss_fn=absolute)
    assert head.loss(LABELS, LOGITS) == 1.25
    with pytest.warns(UserWarning, match="finite differences"):
        _, grad = head.loss_and_gradient(LABELS, LOGITS + 0.5)
    # d|r| / dx = sign(r) = [[1, 1], [1, -1]] / 4, each target from its own logit
    np.testing.assert_allclose(grad, [[0.25, 0.25], [0.25, -0.25]], rtol=1e-6)
    # one loss per example is the wrong shape for a regression head
    per_example = RegressionHead(2, loss_fn=lambda labels, logits: absolute(labels, logits)
                                 .sum(-1, keepdims=True))
    with pytest.raises(ValueError, match=r"loss_fn must return the unreduced loss of shape "
                                         r"\[D0, \.\.\., DN, 2\] = \(2, 2\) for logits of "
                                         r"shape \(2, 2\); its loss has shape \(2, 1\)"):
        per_example.loss(LABELS, LOGITS)


def test_loss_fn_with_gradient():
    def squared(labels, logits):
        return (logits - labels) ** 2, 2 * (logits - labels)

    head = RegressionHead(2, loss_fn=squared)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = head.loss_and_gradient(LABELS, LOGITS, [1.0, 3.0])
    ref_loss, ref_grad = RegressionHead(2).loss_and_gradient(LABELS, LOGITS, [1.0, 3.0])
    assert loss == ref_loss
    np.testing.assert_array_equal(grad, ref_grad)


def test_poisson_by_hand():
    # rate 1 (logit 0) for the counts 0 and 2, rate 2 (logit log 2) for 1:
    # 0: exp(0) - 0 = 1;  2: 1 - 0 + stirling(2) = 1 + 0.6518;
    # 1: 2 - log 2 = 1.3069 (no Stirling term for counts <= 1)
    head = PoissonRegressionHead()
    logits = np.array([[0.0], [0.0], [np.log(2)]])
    counts = np.array([0.0, 2.0, 1.0])
    assert stirling(2.0) == pytest.approx(0.6518065)
    expected = (1 + (1 + stirling(2.0)) + (2 - np.log(2))) / 3
    assert head.loss(counts, logits) == pytest.approx(expected, rel=1e-12)
    # the gradient exp(x) - z = [1, -1, 1] / 3 does not see the Stirling term
    _, grad = head.loss_and_gradient(counts, logits)
    np.testing.assert_allclose(grad, [[1 / 3], [-1 / 3], [1 / 3]], rtol=1e-12)
    partial = PoissonRegressionHead(compute_full_loss=False)
    assert partial.loss(counts, logits) == pytest.approx((1 + 1 + 2 - np.log(2)) / 3)
    np.testing.assert_allclose(partial.loss_and_gradient(counts, logits)[1], grad)


def test_poisson_stirling_only_above_one():
    # counts 0.5 and 1 have no Stirling term; 1.5 has 1.5 log 1.5 - 1.5 +
    # 0.5 log(3 pi) = 0.2299 (non-integer counts are accepted, as in TF)
    head = PoissonRegressionHead(loss_reduction="sum")
    logits = np.zeros((3, 1))
    full = head.loss([0.5, 1.0, 1.5], logits)
    partial = PoissonRegressionHead(loss_reduction="sum", compute_full_loss=False)
    assert full - partial.loss([0.5, 1.0, 1.5], logits) == pytest.approx(stirling(1.5))
    assert stirling(1.5) == pytest.approx(0.2298, abs=1e-4)


def test_poisson_predictions_and_metrics():
    head = PoissonRegressionHead(name="count")
    logits = np.log(np.array([[2.0], [4.0]]))
    preds = head.predictions(logits)
    assert set(preds) == {"predictions", "logits"}
    np.testing.assert_allclose(preds["predictions"], [[2.0], [4.0]])
    results = head.evaluate([1.0, 5.0], logits)
    # prediction/mean (2 + 4) / 2 = 3, label/mean 3
    assert results["prediction/mean/count"] == pytest.approx(3.0)
    assert results["label/mean/count"] == 3.0
    assert set(results) == {"average_loss/count", "prediction/mean/count", "label/mean/count"}


def test_poisson_extreme_logits():
    # exp(80) = 5.5e34: finite in float32 too; exp(1000) overflows
    head = PoissonRegressionHead()
    for dtype in (np.float64, np.float32):
        loss, grad = head.loss_and_gradient([3.0], np.array([[80.0]], dtype=dtype))
        assert loss == pytest.approx(np.exp(80.0) - 240 + stirling(3.0), rel=1e-6)
        assert grad.dtype == dtype
    # TensorFlow returns inf; the package refuses a loss that overflows for
    # finite inputs, saying how large they are (a deliberate difference)
    with pytest.raises(ValueError, match=r"The loss overflows .* logits as large as 1000"):
        head.loss([3.0], [[1000.0]])


def test_poisson_is_a_regression_head_with_its_own_parameters():
    head = PoissonRegressionHead(2, compute_full_loss=False, name="n")
    assert isinstance(head, RegressionHead)
    assert head.get_params() == {
        "label_dimension": 2, "loss_reduction": "sum_over_batch_size",
        "compute_full_loss": False, "name": "n",
    }
    assert head.logits_dimension == 2 and head.loss_fn is None
    assert clone(head).get_params() == head.get_params()
    assert pickle.loads(pickle.dumps(head)).get_params() == head.get_params()
    head.set_params(compute_full_loss=None)  # validated when the head is used
    with pytest.raises(TypeError, match="compute_full_loss"):
        head.loss([[1.0, 2.0]], [[0.0, 0.0]])


@pytest.mark.parametrize(
    "head, labels",
    [
        (RegressionHead(3, inverse_link_fn=np.tanh, name="r"), "real"),
        (PoissonRegressionHead(3), "counts"),
    ],
)
def test_streaming_and_merge_equal_one_update(head, labels):
    rng = np.random.RandomState(2)
    logits = rng.normal(size=(25, 3))
    y = rng.normal(size=(25, 3)) if labels == "real" else rng.poisson(2.0, size=(25, 3))
    weights = rng.uniform(size=(25, 3))
    once = head.evaluate(y, logits, weights)
    parts = [
        head.update_metrics(head.metrics(), logits[rows], y[rows], weights[rows])
        for rows in (slice(0, 10), slice(10, 11), slice(11, 25))
    ]
    merged = parts[0]
    for other in parts[1:]:
        for key in merged:
            merged[key].merge(other[key])
    assert {k: m.result() for k, m in merged.items()} == pytest.approx(once, rel=1e-12)


def test_higher_rank_logits():
    rng = np.random.RandomState(5)
    logits = rng.normal(size=(2, 3, 2))
    labels = rng.normal(size=(2, 3, 2))
    weights = rng.uniform(size=(2, 3))
    head = RegressionHead(2, inverse_link_fn=np.exp)
    flat = head.evaluate(labels.reshape(6, 2), logits.reshape(6, 2), weights.reshape(6))
    assert head.evaluate(labels, logits, weights) == pytest.approx(flat)
    assert head.loss(labels, logits, weights) == pytest.approx(
        head.loss(labels.reshape(6, 2), logits.reshape(6, 2), weights.reshape(6))
    )
    assert head.predictions(logits)["predictions"].shape == (2, 3, 2)


def test_float32_stays_float32():
    head = RegressionHead(2)
    loss, grad = head.loss_and_gradient(LABELS, LOGITS.astype(np.float32))
    assert grad.dtype == np.float32 and loss == 2.25
    assert head.predictions(LOGITS.astype(np.float32))["predictions"].dtype == np.float32
