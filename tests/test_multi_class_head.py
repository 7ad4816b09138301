"""Unit tests of MultiClassHead, with the numbers worked out by hand.

For logits ``[0, 1, 2]``: ``exp`` gives ``1, 2.7183, 7.3891``, summing to
``11.1073``, whose log is ``2.4076``; the probabilities are
``0.0900, 0.2447, 0.6652`` and the losses of the labels 0, 1, 2 are
``2.4076 - x_label`` = ``2.4076, 1.4076, 0.4076``.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from sklearn_heads import MultiClassHead

LOGITS = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
LSE = np.log(1 + np.e + np.e**2)  # 2.4076


def test_loss_by_hand():
    labels = np.array([0, 2])
    # losses 2.4076 and 0.4076: mean 1.4076, sum 2.8152
    assert MultiClassHead(3).loss(labels, LOGITS) == pytest.approx(LSE - 1.0, rel=1e-12)
    assert MultiClassHead(3, loss_reduction="sum").loss(labels, LOGITS) == pytest.approx(
        2 * LSE - 2.0, rel=1e-12
    )
    # weights 2 and 1: (2 * 2.4076 + 0.4076) / 2 rows = 2.6114
    assert MultiClassHead(3).loss(labels, LOGITS, [2.0, 1.0]) == pytest.approx(
        (2 * LSE + (LSE - 2)) / 2, rel=1e-12
    )


def test_gradient_by_hand():
    # d loss / d logits = softmax - onehot: row 0 (label 0) gives
    # [0.0900 - 1, 0.2447, 0.6652] = [-0.9100, 0.2447, 0.6652]; row 1 (label 2)
    # gives [0.0900, 0.2447, -0.3348]; "sum" reduction, weights 2 and 1
    p = np.exp(np.array([0.0, 1.0, 2.0]) - LSE)
    head = MultiClassHead(3, loss_reduction="sum")
    loss, grad = head.loss_and_gradient([0, 2], LOGITS, [2.0, 1.0])
    assert loss == pytest.approx(2 * LSE + (LSE - 2), rel=1e-12)
    np.testing.assert_allclose(grad, [2 * (p - [1, 0, 0]), p - [0, 0, 1]], rtol=1e-12)
    np.testing.assert_allclose(p, [0.0900306, 0.2447285, 0.6652410], rtol=1e-6)


def test_metrics_by_hand():
    # both rows predict class 2; labels 0 and 2 with weights 2 and 1:
    # accuracy (0 * 2 + 1 * 1) / 3 = 1/3, average_loss (2 * 2.4076 + 0.4076) / 3
    head = MultiClassHead(3, name="kind")
    results = head.evaluate([0, 2], LOGITS, [2.0, 1.0])
    assert set(results) == {"average_loss/kind", "accuracy/kind"}
    assert results["accuracy/kind"] == pytest.approx(1 / 3)
    assert results["average_loss/kind"] == pytest.approx((2 * LSE + LSE - 2) / 3)


def test_all_zero_weights_give_zero_metrics():
    # TensorFlow's divide_no_nan: 0 / 0 is 0
    results = MultiClassHead(3).evaluate([0, 1], LOGITS, [0.0, 0.0])
    assert results == {"average_loss": 0.0, "accuracy": 0.0}
    assert MultiClassHead(3).loss([0, 1], LOGITS, [0.0, 0.0]) == 0.0


def test_predictions_by_hand():
    head = MultiClassHead(3, label_vocabulary=["cat", "dog", "eel"])
    logits = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 2.0]])
    preds = head.predictions(logits)
    assert list(preds) == [
        "logits", "probabilities", "class_ids", "classes", "all_class_ids", "all_classes"
    ]
    # a tie goes to the first class, as argmax: exp(1) / (2 exp(1) + 1) = 0.4223
    np.testing.assert_array_equal(preds["class_ids"], [[0], [2]])
    np.testing.assert_array_equal(preds["classes"], [["cat"], ["eel"]])
    np.testing.assert_allclose(preds["probabilities"][0], [0.4223188, 0.4223188, 0.1553624],
                               rtol=1e-6)
    np.testing.assert_array_equal(preds["all_class_ids"], [[0, 1, 2]] * 2)
    np.testing.assert_array_equal(preds["all_classes"], [["cat", "dog", "eel"]] * 2)
    assert preds["class_ids"].dtype == np.int64
    only = head.predictions(logits, keys=["classes"])
    assert list(only) == ["classes"]
    assert list(head.predictions(logits, keys=[])) == list(preds)  # TF: no keys is all keys
    np.testing.assert_array_equal(MultiClassHead(3).predictions(logits, "classes")["classes"],
                                  [["0"], ["2"]])


def test_higher_rank_logits_keep_every_leading_dimension():
    rng = np.random.RandomState(0)
    logits = rng.normal(size=(2, 3, 4))
    labels = rng.randint(0, 4, size=(2, 3))
    weights = rng.uniform(size=(2, 3))
    head = MultiClassHead(4)
    preds = head.predictions(logits)
    assert preds["class_ids"].shape == preds["classes"].shape == (2, 3, 1)
    assert preds["all_class_ids"].shape == preds["all_classes"].shape == (2, 3, 4)
    np.testing.assert_allclose(preds["probabilities"].sum(-1), 1.0)
    flat = head.evaluate(labels.reshape(6), logits.reshape(6, 4), weights.reshape(6))
    assert head.evaluate(labels[..., None], logits, weights[..., None]) == pytest.approx(flat)
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    flat_loss, flat_grad = head.loss_and_gradient(labels.reshape(6), logits.reshape(6, 4),
                                                  weights.reshape(6))
    assert loss == pytest.approx(flat_loss)
    np.testing.assert_allclose(grad, flat_grad.reshape(2, 3, 4))


def test_extreme_logits_keep_their_precision():
    head = MultiClassHead(3, loss_reduction="sum")
    # the right class by 50: loss log1p(2 e^-50) = 2 e^-50 = 3.9e-22, to the
    # last bits (logsumexp - x_y would round it to 0)
    loss, grad = head.loss_and_gradient([2], [[0.0, 0.0, 50.0]])
    assert loss == pytest.approx(2 * np.exp(-50.0), rel=1e-12)
    np.testing.assert_allclose(grad, [[np.exp(-50.0), np.exp(-50.0), -2 * np.exp(-50.0)]],
                               rtol=1e-12)
    # a wrong class by 2e4: no overflow, in float32 too
    for dtype in (np.float64, np.float32):
        logits = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
        loss, grad = head.loss_and_gradient([1], logits)
        assert loss == pytest.approx(2e4)
        assert grad.dtype == dtype
        np.testing.assert_allclose(grad, [[1.0, -1.0, 0.0]])


def test_float32_stays_float32():
    head = MultiClassHead(3)
    logits = LOGITS.astype(np.float32)
    loss, grad = head.loss_and_gradient([0, 2], logits)
    assert grad.dtype == np.float32 and isinstance(loss, float)
    assert loss == pytest.approx(LSE - 1.0, rel=1e-6)
    assert head.predictions(logits)["probabilities"].dtype == np.float32


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 2]),
        np.array([[0], [2]]),
        [0, 2],
        [[0], [2]],
        np.array([0, 2], dtype=np.uint8),
        np.array([0, 2], dtype=object),
    ],
    ids=["1d", "column", "list", "list-column", "uint8", "object"],
)
def test_label_forms_agree(labels):
    head = MultiClassHead(3)
    assert head.evaluate(labels, LOGITS) == head.evaluate(np.array([0, 2]), LOGITS)


def test_vocabulary_strings_and_bytes():
    vocab = ["cat", "dog", "eel"]
    head = MultiClassHead(3, label_vocabulary=vocab)
    expected = MultiClassHead(3).evaluate([0, 2], LOGITS)
    assert head.evaluate(["cat", "eel"], LOGITS) == expected
    assert head.evaluate(np.array([b"cat", b"eel"]), LOGITS) == expected  # as tf.data yields
    assert head.evaluate(np.array([["cat"], ["eel"]], dtype=object), LOGITS) == expected


@pytest.mark.parametrize(
    "head, labels, error, match",
    [
        (MultiClassHead(3), [0, 3], ValueError, r"Class ids in labels must be in \[0, 3\); got 3"),
        (MultiClassHead(3), [-1, 0], ValueError, r"in \[0, 3\); got -1"),
        (MultiClassHead(3), np.array([0.0, 2.0]), ValueError,
         r"integers in \[0, 3\); got 0\.0 in an array of dtype float64 \(whole-number floats"),
        (MultiClassHead(3), np.array([0.0, 1.5]), ValueError, r"got 1\.5 in an array"),
        (MultiClassHead(3), np.array([True, False]), ValueError,
         r"integers in \[0, 3\); got an array of dtype bool such as True"),
        (MultiClassHead(3), np.array([0, None], dtype=object), ValueError,
         r"integers in \[0, 3\); got None"),
        (MultiClassHead(3), ["cat", "eel"], ValueError,
         r"labels are strings \(such as 'cat'\) but the head has no label_vocabulary"),
        (MultiClassHead(3, label_vocabulary=["a", "b", "c"]), [0, 1], ValueError,
         r"With label_vocabulary=\['a', 'b', 'c'\], labels must be strings from it; got "
         r"values such as \[0\] of dtype int64"),
        (MultiClassHead(3, label_vocabulary=["a", "b", "c"]), ["a", "d"], ValueError,
         r"labels contain 'd', which is not in label_vocabulary"),
        (MultiClassHead(3), [[0, 1], [2, 0]], ValueError,
         r"labels of shape \(2, 2\) do not match logits of shape \(2, 3\); expected shape "
         r"\(2, 1\) or \(2,\)"),
        (MultiClassHead(3), sp.csr_matrix([[0], [2]]), TypeError, r"not a sparse matrix"),
    ],
)
def test_bad_labels(head, labels, error, match):
    with pytest.raises(error, match=match):
        head.loss(labels, LOGITS)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_classes=2), r"n_classes must be an integer > 2 .*BinaryClassHead.*got 2"),
        (dict(n_classes=3.0), r"n_classes must be an integer > 2 .*got 3\.0"),
        (dict(n_classes=True), r"got True"),
        (dict(n_classes=None), r"got None"),
        (dict(n_classes=3, label_vocabulary=["a", "b"]),
         r"label_vocabulary must have 3 entries; got 2"),
        (dict(n_classes=3, label_vocabulary=["a", "b", "a"]), r"duplicate entry 'a'"),
        (dict(n_classes=3, loss_reduction="mean"), r"Invalid loss_reduction: 'mean'"),
        (dict(n_classes=3, name=3), r"name must be a string or None; got 3"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        MultiClassHead(**kwargs)


def test_sample_weight_is_one_per_example():
    with pytest.raises(ValueError, match=r"expected one weight per example, of shape \(2,\) or "
                                         r"\(2, 1\)"):
        MultiClassHead(3).loss([0, 2], LOGITS, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"sample_weight must be finite and >= 0; got -1\.0"):
        MultiClassHead(3).loss([0, 2], LOGITS, [1.0, -1.0])


def test_loss_fn_gets_integer_class_ids():
    seen = []

    def loss_fn(labels, logits):
        seen.append((labels.dtype, labels.shape))
        p = np.exp(logits - logits.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        y = (labels == np.arange(logits.shape[-1])).astype(float)
        return np.sum((p - y) ** 2, axis=-1, keepdims=True)  # the Brier score

    head = MultiClassHead(3, loss_fn=loss_fn)
    # row 0: p = (0.0900, 0.2447, 0.6652), label 0: 0.9100^2 + 0.2447^2 + 0.6652^2 = 1.3306
    p = np.exp(np.array([0.0, 1.0, 2.0]) - LSE)
    brier0 = np.sum((p - [1, 0, 0]) ** 2)
    brier2 = np.sum((p - [0, 0, 1]) ** 2)
    assert head.loss([0, 2], LOGITS) == pytest.approx((brier0 + brier2) / 2)
    assert seen == [(np.int64, (2, 1))]
    with pytest.warns(UserWarning, match="finite differences"):
        _, grad = head.loss_and_gradient([0, 2], LOGITS)
    assert grad.shape == LOGITS.shape


def test_loss_fn_gradient_is_used_without_warning():
    def ce(labels, logits):
        ref = MultiClassHead(3, loss_reduction="sum")
        losses = [ref.loss([y], x[None]) for y, x in zip(labels[:, 0], logits)]
        grads = [ref.loss_and_gradient([y], x[None])[1][0] for y, x in zip(labels[:, 0], logits)]
        return np.array(losses)[:, None], np.array(grads)

    head = MultiClassHead(3, loss_fn=ce)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = head.loss_and_gradient([0, 2], LOGITS)
    ref_loss, ref_grad = MultiClassHead(3).loss_and_gradient([0, 2], LOGITS)
    assert loss == pytest.approx(ref_loss)
    np.testing.assert_allclose(grad, ref_grad)


def test_streaming_and_merge_equal_one_update():
    rng = np.random.RandomState(3)
    logits = rng.normal(scale=2, size=(30, 4))
    labels = rng.randint(0, 4, size=30)
    weights = rng.uniform(size=30)
    head = MultiClassHead(4, name="h")
    once = head.evaluate(labels, logits, weights)

    streamed = head.metrics()
    parts = []
    for rows in (slice(0, 7), slice(7, 8), slice(8, 30)):
        head.update_metrics(streamed, logits[rows], labels[rows], weights[rows])
        parts.append(head.update_metrics(head.metrics(), logits[rows], labels[rows],
                                         weights[rows]))
    merged = parts[0]
    for other in parts[1:]:
        for key in merged:
            merged[key].merge(other[key])
    for results in (streamed, merged):
        assert {k: m.result() for k, m in results.items()} == pytest.approx(once, rel=1e-12)


def test_parameter_object():
    head = MultiClassHead(4, label_vocabulary=["a", "b", "c", "d"], name="x")
    assert (head.logits_dimension, head.name, head.loss_reduction) == (4, "x",
                                                                       "sum_over_batch_size")
    assert clone(head).get_params() == head.get_params()
    assert pickle.loads(pickle.dumps(head)).get_params() == head.get_params()
    head.set_params(n_classes=5, label_vocabulary=None)
    assert head.logits_dimension == 5
    head.set_params(n_classes=2)  # validated when the head is used
    with pytest.raises(ValueError, match="n_classes"):
        head.logits_dimension  # noqa: B018
