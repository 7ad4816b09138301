"""Unit tests of the heads beyond the TensorFlow reference cases."""

import functools
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from sklearn_heads import (
    BinaryClassHead,
    LogisticRegressionHead,
    MultiLabelHead,
    Reduction,
    binary_classification_head,
    sigmoid_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)

RNG = np.random.RandomState(0)
LOGITS2 = RNG.normal(size=(6, 3))
MULTI_HOT = np.array(
    [[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
)
IDS = [[0, 2], [], [0, 1, 2], [1], [0], [2]]


def test_binary_loss_by_hand():
    # probabilities 0.269 / 0.731 (logits -1, 1) give losses
    # -log(0.269) = 1.3133 (label 1) and -log(1 - 0.731) = 1.3133 (label 0):
    # the mean is 1.3133; with pos_weight=3 the first is tripled: 2.6265.
    logits = np.array([[-1.0], [1.0]])
    labels = np.array([1, 0])
    assert BinaryClassHead().loss(labels, logits) == pytest.approx(1.3132617, rel=1e-6)
    assert BinaryClassHead(pos_weight=3.0).loss(labels, logits) == pytest.approx(
        (3 * 1.3132617 + 1.3132617) / 2, rel=1e-6
    )
    assert BinaryClassHead(loss_reduction=Reduction.SUM).loss(
        labels, logits
    ) == pytest.approx(2 * 1.3132617, rel=1e-6)


def test_binary_classification_head_is_binary_class_head():
    head = binary_classification_head(thresholds=[0.3], name="x", pos_weight=2.0)
    assert isinstance(head, BinaryClassHead)
    assert head.get_params() == BinaryClassHead(
        thresholds=[0.3], name="x", pos_weight=2.0
    ).get_params()


def test_properties():
    head = MultiLabelHead(4, name="tags", loss_reduction="sum")
    assert (head.logits_dimension, head.name, head.loss_reduction) == (4, "tags", "sum")
    assert BinaryClassHead().logits_dimension == 1
    assert LogisticRegressionHead().logits_dimension == 1
    assert set(Reduction.all()) == {"auto", "sum", "sum_over_batch_size"}
    logits, labels = np.array([[0.5], [-1.0]]), np.array([1, 1])
    assert BinaryClassHead(loss_reduction="auto").loss(labels, logits) == BinaryClassHead(
        loss_reduction="sum_over_batch_size"
    ).loss(labels, logits)


def test_pos_weight_matches_weighted_cross_entropy_loss_fn():
    # The contract of API.md: pos_weight=q computes what loss_fn=weighted CE does
    # (averaged over classes for multi-label).
    q = np.array([0.5, 2.0, 4.0])

    def wce_mean(labels, logits):
        return weighted_cross_entropy_with_logits(labels, logits, q).mean(-1, keepdims=True)

    z = MULTI_HOT
    a = MultiLabelHead(3, pos_weight=q, thresholds=[0.5])
    with pytest.warns(UserWarning, match="finite differences"):
        b = MultiLabelHead(3, loss_fn=wce_mean, thresholds=[0.5])
        loss_b, grad_b = b.loss_and_gradient(z, LOGITS2)
    loss_a, grad_a = a.loss_and_gradient(z, LOGITS2)
    assert loss_a == pytest.approx(loss_b, rel=1e-12)
    np.testing.assert_allclose(grad_a, grad_b, rtol=1e-6, atol=1e-9)
    assert a.evaluate(z, LOGITS2) == pytest.approx(b.evaluate(z, LOGITS2), rel=1e-12)


def test_loss_fn_with_gradient_is_used_and_no_warning():
    calls = []

    def loss_fn(labels, logits):
        calls.append(logits.shape)
        loss = sigmoid_cross_entropy_with_logits(labels, logits)
        return loss, 1 / (1 + np.exp(-logits)) - labels

    head = BinaryClassHead(loss_fn=loss_fn)
    labels = np.array([1, 0, 1, 1])
    logits = np.array([0.3, -2.0, 1.5, -0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grad = head.loss_and_gradient(labels, logits)
    assert len(calls) == 1
    ref_loss, ref_grad = BinaryClassHead().loss_and_gradient(labels, logits)
    assert loss == pytest.approx(ref_loss)
    np.testing.assert_allclose(grad, ref_grad)


def test_finite_difference_warning_is_issued_once_per_head():
    head = BinaryClassHead(loss_fn=sigmoid_cross_entropy_with_logits)
    labels, logits = np.array([1, 0]), np.array([[0.5], [1.0]])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            _, grad = head.loss_and_gradient(labels, logits)
    assert len(record) == 1 and "(loss, gradient)" in str(record[0].message)
    np.testing.assert_allclose(
        grad, BinaryClassHead().loss_and_gradient(labels, logits)[1], rtol=1e-7
    )


@pytest.mark.parametrize(
    "loss_fn, match",
    [
        (lambda labels: labels, "logits"),
        (lambda logits: logits, "labels"),
        (lambda labels, logits, features: labels, "unexpected required"),
    ],
)
def test_loss_fn_bad_signature(loss_fn, match):
    with pytest.raises(ValueError, match=match):
        BinaryClassHead(loss_fn=loss_fn)


def test_loss_fn_partial_with_bound_keyword_is_accepted():
    head = BinaryClassHead(
        loss_fn=functools.partial(weighted_cross_entropy_with_logits, pos_weight=2.0)
    )
    with pytest.warns(UserWarning):
        loss, _ = head.loss_and_gradient([1, 0], [[0.2], [0.1]])
    assert loss == pytest.approx(BinaryClassHead(pos_weight=2.0).loss([1, 0], [[0.2], [0.1]]))


def test_loss_fn_wrong_output_shape():
    # element-wise loss on (n, 3) logits is not the per-example (n, 1) loss
    head = MultiLabelHead(3, loss_fn=sigmoid_cross_entropy_with_logits)
    with pytest.raises(ValueError, match=r"\[D0, \.\.\., DN, 1\].*\(6, 1\).*\(6, 3\)"):
        head.loss(MULTI_HOT, LOGITS2)
    bad_grad = MultiLabelHead(
        3, loss_fn=lambda labels, logits: (logits[:, :1], logits[:, :2])
    )
    with pytest.raises(ValueError, match="gradient"):
        bad_grad.loss_and_gradient(MULTI_HOT, LOGITS2)


def test_loss_fn_and_pos_weight_are_exclusive():
    with pytest.raises(ValueError, match="pos_weight and loss_fn"):
        BinaryClassHead(pos_weight=2.0, loss_fn=sigmoid_cross_entropy_with_logits)


@pytest.mark.parametrize(
    "labels",
    [MULTI_HOT, sp.csr_matrix(MULTI_HOT), IDS, [list(map(int, r)) for r in IDS]],
    ids=["dense", "sparse", "ids", "ids-copy"],
)
def test_multilabel_label_formats_agree(labels):
    head = MultiLabelHead(3, thresholds=[0.4], classes_for_class_based_metrics=[2])
    expected = head.evaluate(MULTI_HOT, LOGITS2)
    assert head.evaluate(labels, LOGITS2) == expected
    assert head.loss(labels, LOGITS2) == pytest.approx(expected["average_loss"])


def test_multilabel_string_labels_and_vocabulary_keys():
    vocab = ["news", "sport", "tech"]
    names = [[vocab[i] for i in row] for row in IDS]
    head = MultiLabelHead(
        3, label_vocabulary=vocab, classes_for_class_based_metrics=["tech", "news"]
    )
    results = head.evaluate(names, LOGITS2)
    assert results == head.evaluate(IDS, LOGITS2)
    assert {"auc/tech", "auc/news", "probability_mean/tech"} <= set(results)
    np.testing.assert_array_equal(
        head.predictions(LOGITS2)["classes"], np.tile(vocab, (6, 1))
    )


def test_binary_vocabulary_labels():
    head = BinaryClassHead(label_vocabulary=["ham", "spam"])
    logits = np.array([[1.0], [-1.0], [2.0]])
    by_name = head.evaluate(["spam", "ham", "ham"], logits)
    assert by_name == BinaryClassHead().evaluate([1, 0, 0], logits)
    preds = head.predictions(logits, keys=["classes", "all_classes"])
    assert set(preds) == {"classes", "all_classes"}
    np.testing.assert_array_equal(preds["classes"], [["spam"], ["ham"], ["spam"]])
    np.testing.assert_array_equal(preds["all_classes"], np.tile(["ham", "spam"], (3, 1)))


def test_higher_rank_logits():
    rng = np.random.RandomState(1)
    logits = rng.normal(size=(2, 3, 4))
    labels = (rng.uniform(size=(2, 3, 4)) > 0.5).astype(int)
    weights = rng.uniform(size=(2, 3))
    head = MultiLabelHead(4, thresholds=[0.5])
    flat = head.evaluate(labels.reshape(6, 4), logits.reshape(6, 4), weights.reshape(6))
    assert head.evaluate(labels, logits, weights) == pytest.approx(flat)
    loss, grad = head.loss_and_gradient(labels, logits, weights)
    flat_loss, flat_grad = head.loss_and_gradient(
        labels.reshape(6, 4), logits.reshape(6, 4), weights.reshape(6, 1)
    )
    assert loss == pytest.approx(flat_loss)
    np.testing.assert_allclose(grad, flat_grad.reshape(2, 3, 4))
    preds = head.predictions(logits)
    assert preds["probabilities"].shape == preds["classes"].shape == (2, 3, 4)
    binary = BinaryClassHead().predictions(logits[..., :1])
    assert binary["probabilities"].shape == (2, 3, 2)
    assert binary["all_class_ids"].shape == (2, 3, 2)


def test_one_dimensional_binary_logits_read_as_column():
    head = BinaryClassHead()
    logits = np.array([0.5, -1.0])
    assert head.loss([1, 0], logits) == head.loss([[1], [0]], logits[:, None])
    assert head.predictions(logits)["logistic"].shape == (2, 1)


def test_decision_threshold_moves_class_metrics_only():
    head = BinaryClassHead()
    logits = np.array([[0.1], [-0.1], [2.0], [-3.0]])
    labels = np.array([1, 1, 0, 0])
    default = head.evaluate(labels, logits)
    # p = 0.525, 0.475, 0.881, 0.047: at 0.5 rows 0 and 2 are positive,
    # at 0.45 rows 0, 1 and 2.
    low = head.evaluate(labels, logits, decision_threshold=0.45)
    assert default["recall"] == 0.5 and low["recall"] == 1.0
    assert default["precision"] == 0.5 and low["precision"] == pytest.approx(2 / 3)
    assert low["auc"] == default["auc"] and low["average_loss"] == default["average_loss"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: BinaryClassHead(thresholds=[0.2], pos_weight=2.0, name="h"),
        lambda: MultiLabelHead(3, pos_weight=[1, 2, 3], label_vocabulary=["a", "b", "c"]),
        lambda: LogisticRegressionHead(loss_reduction="sum"),
    ],
)
def test_heads_are_parameter_objects(make):
    head = make()
    twin = clone(head)
    assert twin is not head and twin.get_params() == head.get_params()
    again = pickle.loads(pickle.dumps(head))
    assert again.get_params() == head.get_params()
    assert head.set_params(loss_reduction="sum").loss_reduction == "sum"
    # set_params does not validate (a grid search sets values outside its
    # error handling); the head refuses them when it is used
    head.set_params(loss_reduction="mean")
    with pytest.raises(ValueError, match="loss_reduction"):
        head.metrics()


def test_set_params_revalidates_at_use_and_updates_keys():
    head = BinaryClassHead(thresholds=[0.3])
    head.set_params(thresholds=[0.6], name="x")
    assert "accuracy/positive_threshold_0.6/x" in head.metrics()
    head.set_params(thresholds=[1.0])  # accepted here, refused at every use
    for use in (head.metrics, lambda: head.loss([1], [[0.0]]),
                lambda: head.predictions([[0.0]]), lambda: head.logits_dimension):
        with pytest.raises(ValueError, match="thresholds"):
            use()
    head.set_params(thresholds=[0.7])  # valid again
    assert "accuracy/positive_threshold_0.7/x" in head.metrics()
    multi = MultiLabelHead(3)
    multi.set_params(pos_weight=[1.0, 2.0, 3.0])
    multi.loss([[0]], np.zeros((1, 3)))
    multi.set_params(pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="3 entries"):
        multi.loss([[0]], np.zeros((1, 3)))


# The tables of bad inputs (BAD_INPUTS, BAD_CONSTRUCTORS) moved to
# tests/test_bad_inputs.py, with every row kept.


def test_unknown_prediction_key_and_foreign_metric_dict():
    head = BinaryClassHead()
    with pytest.raises(ValueError, match="Unknown prediction keys.*'probs'"):
        head.predictions([[0.0]], keys=["probs"])
    with pytest.raises(ValueError, match="lacks the keys"):
        head.update_metrics(MultiLabelHead(2).metrics(), [[0.0]], [1])


@pytest.mark.parametrize("head", [BinaryClassHead(), LogisticRegressionHead()])
def test_gradient_of_1d_logits_is_1d(head):
    labels = np.array([0.0, 1.0, 1.0])
    logits = np.array([-1.0, 0.5, 2.0])
    loss, grad = head.loss_and_gradient(labels, logits)
    assert grad.shape == logits.shape
    _, grad_2d = head.loss_and_gradient(labels[:, None], logits[:, None])
    np.testing.assert_array_equal(grad, grad_2d.ravel())
