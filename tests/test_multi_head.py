"""Unit tests of MultiHead, with the numbers worked out by hand.

Two regression heads make the arithmetic easy: ``value`` (one target) with
logits ``[[1], [3]]`` and labels ``[[0], [1]]`` has the squared errors
``1, 4`` (mean 2.5); ``pair`` (two targets) with logits ``[[0, 0], [2, 2]]``
and labels ``[[1, 1], [2, 0]]`` has ``1, 1, 0, 4`` (mean 1.5).
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_heads import (
    BinaryClassHead,
    MultiClassHead,
    MultiHead,
    MultiLabelHead,
    PoissonRegressionHead,
    RegressionHead,
)

LOGITS = {"value": np.array([[1.0], [3.0]]), "pair": np.array([[0.0, 0.0], [2.0, 2.0]])}
LABELS = {"value": np.array([[0.0], [1.0]]), "pair": np.array([[1.0, 1.0], [2.0, 0.0]])}
SIDE_BY_SIDE = np.array([[1.0, 0.0, 0.0], [3.0, 2.0, 2.0]])


def _head(head_weights=None, **kwargs):
    return MultiHead(
        [RegressionHead(name="value"), RegressionHead(2, name="pair", **kwargs)],
        head_weights=head_weights,
    )


def test_loss_by_hand():
    # 2.5 + 1.5 = 4; with head_weights [2, 0.5]: 5 + 0.75 = 5.75
    assert _head().loss(LABELS, LOGITS) == 4.0
    assert _head([2.0, 0.5]).loss(LABELS, LOGITS) == 5.75
    assert _head([]).loss(LABELS, LOGITS) == 4.0  # TensorFlow's [] is None
    assert _head([0.0, 1.0]).loss(LABELS, LOGITS) == 1.5


def test_gradient_by_hand_in_both_forms():
    # value: 2 (x - z) / 2 = [[1], [2]], times 2; pair: 2 (x - z) / 4 =
    # [[-0.5, -0.5], [0, 1]], times 0.5
    head = _head([2.0, 0.5])
    loss, grad = head.loss_and_gradient(LABELS, LOGITS)
    assert loss == 5.75 and set(grad) == {"value", "pair"}
    np.testing.assert_array_equal(grad["value"], [[2.0], [4.0]])
    np.testing.assert_array_equal(grad["pair"], [[-0.25, -0.25], [0.0, 0.5]])
    loss_array, grad_array = head.loss_and_gradient(LABELS, SIDE_BY_SIDE)
    assert loss_array == loss
    np.testing.assert_array_equal(grad_array, [[2.0, -0.25, -0.25], [4.0, 0.0, 0.5]])


def test_side_by_side_logits_equal_the_dict():
    head = _head(inverse_link_fn=np.exp)
    assert head.evaluate(LABELS, SIDE_BY_SIDE) == head.evaluate(LABELS, LOGITS)
    by_dict, by_array = head.predictions(LOGITS), head.predictions(SIDE_BY_SIDE)
    assert set(by_dict) == {"value", "pair"} and set(by_dict["pair"]) == {"predictions",
                                                                           "logits"}
    for name in by_dict:
        for key in by_dict[name]:
            np.testing.assert_array_equal(by_array[name][key], by_dict[name][key])


def test_metrics_by_hand():
    head = _head()
    results = head.evaluate(LABELS, LOGITS, [1.0, 3.0])
    assert list(results)[:2] == ["loss/value", "loss/pair"]
    # value: weights 1, 3: (1 + 12) / 2 rows = 6.5 (loss), (1 + 12) / 4 (average)
    assert results["loss/value"] == 6.5
    assert results["average_loss/value"] == 13 / 4
    # pair: 1 * (1 + 1) + 3 * (0 + 4) = 14; 14 / 4 targets, 14 / 8 weights
    assert results["loss/pair"] == 3.5
    assert results["average_loss/pair"] == 14 / 8
    assert results["prediction/mean/pair"] == (0 + 3 * 4) / 8
    assert set(results) == {
        "loss/value", "loss/pair",
        "average_loss/value", "prediction/mean/value", "label/mean/value",
        "average_loss/pair", "prediction/mean/pair", "label/mean/pair",
    }


def test_head_loss_metric_is_the_mean_over_batches():
    # value's batch losses: row 0 alone 1, row 1 alone 4: loss/value is
    # (1 + 4) / 2 = 2.5 whatever the rows per batch, not weighted by them
    head = _head()
    eval_metrics = head.metrics()
    for rows in (slice(0, 1), slice(1, 2)):
        head.update_metrics(
            eval_metrics,
            {k: v[rows] for k, v in LOGITS.items()},
            {k: v[rows] for k, v in LABELS.items()},
        )
    results = {k: m.result() for k, m in eval_metrics.items()}
    assert results["loss/value"] == 2.5 and results["loss/pair"] == (2 / 2 + 4 / 2) / 2
    # the heads' own metrics stream as one update over all the rows
    once = head.evaluate(LABELS, LOGITS)
    for key in once:
        if not key.startswith("loss/"):
            assert results[key] == once[key], key


def test_merge_equals_streaming():
    rng = np.random.RandomState(0)
    head = MultiHead([MultiClassHead(3, name="kind"), BinaryClassHead(thresholds=[0.3],
                                                                      name="flag")])
    logits = rng.normal(size=(20, 4))
    labels = {"kind": rng.randint(0, 3, size=20), "flag": rng.randint(0, 2, size=20)}
    weights = rng.uniform(size=20)
    streamed, parts = head.metrics(), []
    for rows in (slice(0, 6), slice(6, 20)):
        batch = ({k: v[rows] for k, v in labels.items()}, logits[rows], weights[rows])
        head.update_metrics(streamed, batch[1], batch[0], batch[2])
        parts.append(head.update_metrics(head.metrics(), batch[1], batch[0], batch[2]))
    for key in parts[0]:
        parts[0][key].merge(parts[1][key])
    assert {k: m.result() for k, m in parts[0].items()} == {
        k: m.result() for k, m in streamed.items()
    }


def test_sample_weight_per_head_or_shared():
    head = _head()
    shared = head.loss(LABELS, LOGITS, [1.0, 3.0])
    assert head.loss(LABELS, LOGITS, {"value": [1.0, 3.0], "pair": [1.0, 3.0]}) == shared
    # a head left out of the dict is unweighted: 6.5 + 1.5
    assert head.loss(LABELS, LOGITS, {"value": [1.0, 3.0]}) == 8.0
    with pytest.raises(ValueError, match=r"sample_weight has entries for \['valeu'\], which are "
                                         r"not heads of this MultiHead"):
        head.loss(LABELS, LOGITS, {"valeu": [1.0, 3.0]})


def test_labels_and_logits_by_name():
    head = _head()
    extra = {**LABELS, "unused": np.zeros(2)}  # other keys are ignored, as in TensorFlow
    assert head.loss(extra, LOGITS) == 4.0
    with pytest.raises(ValueError, match=r"labels has no entry for the heads \['pair'\]; got "
                                         r"the keys \['value'\]"):
        head.loss({"value": LABELS["value"]}, LOGITS)
    with pytest.raises(ValueError, match=r"labels must be a dict keyed by head name "
                                         r"\(\['value', 'pair'\]\); got ndarray of shape "
                                         r"\(2, 3\)"):
        head.loss(SIDE_BY_SIDE, LOGITS)
    with pytest.raises(ValueError, match=r"logits has no entry for the heads \['value'\]"):
        head.loss(LABELS, {"pair": LOGITS["pair"]})
    with pytest.raises(ValueError, match=r"logits of shape \(2, 2\) cannot be split among the "
                                         r"heads, whose logits dimensions are \{'value': 1, "
                                         r"'pair': 2\} \(total 3\)"):
        head.loss(LABELS, SIDE_BY_SIDE[:, :2])
    with pytest.raises(ValueError, match=r"labels must be finite; got nan"):
        head.loss({**LABELS, "pair": np.full((2, 2), np.nan)}, LOGITS)


def test_update_metrics_checks_every_head_first():
    head = _head()
    eval_metrics = head.metrics()
    bad = {**LABELS, "pair": np.ones((2, 3))}
    with pytest.raises(ValueError, match=r"labels of shape \(2, 3\)"):
        head.update_metrics(eval_metrics, LOGITS, bad)
    # nothing was counted, not even for the first head
    assert all(m.count == 0 for m in eval_metrics.values())
    with pytest.raises(ValueError, match=r"eval_metrics lacks the keys \['loss/value'"):
        head.update_metrics(RegressionHead(name="value").metrics(), LOGITS, LABELS)


def test_loss_reduction_name_and_dimension():
    head = _head()
    assert (head.name, head.logits_dimension, head.loss_reduction) == (
        "value_pair", 3, "sum_over_batch_size"
    )
    mixed = MultiHead([RegressionHead(name="a"), BinaryClassHead(name="b",
                                                                 loss_reduction="sum")])
    with pytest.raises(ValueError, match=r"different loss reductions \{'a': "
                                         r"'sum_over_batch_size', 'b': 'sum'\}"):
        mixed.loss_reduction  # noqa: B018
    # the loss applies each head's own: 0.5^2 / 1 + sum of one cross-entropy
    labels = {"a": [[0.0]], "b": [[1]]}
    logits = {"a": [[0.5]], "b": [[0.0]]}
    assert mixed.loss(labels, logits) == pytest.approx(0.25 + np.log(2))


def test_prediction_keys():
    head = MultiHead([MultiClassHead(3, name="kind"), PoissonRegressionHead(name="count")])
    logits = np.array([[0.0, 1.0, 2.0, 0.0]])
    assert set(head.predictions(logits)) == {"kind", "count"}
    only = head.predictions(logits, keys={"kind": ["class_ids"]})
    assert list(only) == ["kind"] and list(only["kind"]) == ["class_ids"]
    as_tf = head.predictions(logits, keys=[("kind", "classes"), ("count", "predictions")])
    assert {name: list(p) for name, p in as_tf.items()} == {
        "kind": ["classes"], "count": ["predictions"]
    }
    np.testing.assert_array_equal(as_tf["count"]["predictions"], [[1.0]])
    with pytest.raises(ValueError, match=r"keys name \['knd'\], which are not heads"):
        head.predictions(logits, keys={"knd": None})
    with pytest.raises(TypeError, match=r"keys must be None, a dict .*; got \['classes'\]"):
        head.predictions(logits, keys=["classes"])
    with pytest.raises(ValueError, match=r"Unknown prediction keys \['logistic'\]"):
        head.predictions(logits, keys={"kind": "logistic"})


@pytest.mark.parametrize(
    "heads, head_weights, error, match",
    [
        ([], None, ValueError, r"heads must hold at least one head; got an empty list"),
        (RegressionHead(name="a"), None, TypeError, r"heads must be a list or a tuple of heads"),
        ([RegressionHead()], None, ValueError,
         r"Every head of a MultiHead needs a name .*; got RegressionHead\(\) without one"),
        ([RegressionHead(name="a"), BinaryClassHead(name="a")], None, ValueError,
         r"heads have the duplicate name 'a' \(names \['a', 'a'\]\)"),
        ([MultiHead([RegressionHead(name="a")])], None, TypeError,
         r"A MultiHead cannot hold another MultiHead"),
        (["a"], None, TypeError, r"heads must be heads of this package .*; got str 'a'"),
        ([RegressionHead(name="a"), RegressionHead(name="b")], [1.0], ValueError,
         r"head_weights must have one weight per head: 2 heads, got 1 weights \[1\.0\]"),
        ([RegressionHead(name="a"), RegressionHead(name="b")], [1.0, -1.0], ValueError,
         r"head_weights must be finite and >= 0; got -1\.0 in \[1\.0, -1\.0\]"),
        ([RegressionHead(name="a"), RegressionHead(name="b")], [1.0, np.nan], ValueError,
         r"head_weights must be finite and >= 0; got nan"),
        ([RegressionHead(name="a"), RegressionHead(name="b")], [1.0, "2"], TypeError,
         r"head_weights must be numbers; got '2'"),
        ([RegressionHead(name="a")], 2.0, TypeError,
         r"head_weights must be a list of non-negative numbers, one per head, or None; got 2\.0"),
        # "auc/class0/t" of the multi-label head is "auc" of a head named "class0/t"
        ([MultiLabelHead(2, classes_for_class_based_metrics=[0], name="t"),
          BinaryClassHead(name="class0/t")], None, ValueError,
         r"The heads' metric keys collide: 'auc/class0/t' is reported twice"),
    ],
)
def test_bad_constructor_arguments(heads, head_weights, error, match):
    with pytest.raises(error, match=match):
        MultiHead(heads, head_weights=head_weights)


def test_parameter_object():
    head = _head([1.0, 2.0])
    twin = clone(head)
    assert twin.heads[0] is not head.heads[0]
    assert twin.loss(LABELS, LOGITS) == head.loss(LABELS, LOGITS)
    again = pickle.loads(pickle.dumps(head))
    assert again.loss(LABELS, LOGITS) == head.loss(LABELS, LOGITS)
    assert set(head.get_params(deep=False)) == {"heads", "head_weights"}
    head.set_params(head_weights=[1.0])  # validated when the head is used
    with pytest.raises(ValueError, match="head_weights"):
        head.loss(LABELS, LOGITS)
    # set_params on one of its heads is seen too
    head.set_params(head_weights=None)
    head.heads[0].set_params(name=None)
    with pytest.raises(ValueError, match="needs a name"):
        head.metrics()


def test_higher_rank_side_by_side_logits():
    rng = np.random.RandomState(1)
    head = MultiHead([BinaryClassHead(name="flag"), MultiClassHead(3, name="kind")])
    logits = rng.normal(size=(2, 3, 4))
    labels = {"flag": rng.randint(0, 2, size=(2, 3)), "kind": rng.randint(0, 3, size=(2, 3, 1))}
    loss, grad = head.loss_and_gradient(labels, logits)
    assert grad.shape == logits.shape
    flat_labels = {"flag": labels["flag"].reshape(6), "kind": labels["kind"].reshape(6)}
    flat_loss, flat_grad = head.loss_and_gradient(flat_labels, logits.reshape(6, 4))
    assert loss == pytest.approx(flat_loss)
    np.testing.assert_allclose(grad, flat_grad.reshape(2, 3, 4))
    assert head.predictions(logits)["kind"]["all_classes"].shape == (2, 3, 3)
