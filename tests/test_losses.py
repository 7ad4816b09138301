"""Unit tests of the element-wise losses."""

import warnings

import numpy as np
import pytest

from sklearn_heads import sigmoid_cross_entropy_with_logits, weighted_cross_entropy_with_logits
from sklearn_heads._losses import _sigmoid_ce_loss_grad


def test_values_by_hand():
    # z=1, x=0: log 2; z=0, x=0: log 2; z=1, x=log 3: -log(3/4)
    loss = sigmoid_cross_entropy_with_logits([1.0, 0.0, 1.0], [0.0, 0.0, np.log(3)])
    np.testing.assert_allclose(loss, [np.log(2), np.log(2), -np.log(0.75)], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_do_not_overflow(dtype):
    x = np.array([-1e4, 1e4, -1e4, 1e4], dtype=dtype)
    z = np.array([1, 0, 0, 1], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = weighted_cross_entropy_with_logits(z, x, 3.0)
        _, grad = _sigmoid_ce_loss_grad(z, x, 3.0)
    # a confident mistake costs |x| (times q for a positive); a hit costs 0
    np.testing.assert_array_equal(loss, np.array([3e4, 1e4, 0, 0], dtype=dtype))
    np.testing.assert_array_equal(grad, np.array([-3, 1, 0, 0], dtype=dtype))
    assert loss.dtype == grad.dtype == dtype


def test_dtypes():
    z = np.array([1, 0])
    assert sigmoid_cross_entropy_with_logits(z, np.array([1, 2])).dtype == np.float64
    assert sigmoid_cross_entropy_with_logits(z, np.array([1, 2], np.float32)).dtype == np.float32


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"labels of shape \(3,\).*logits of shape \(2,\)"):
        sigmoid_cross_entropy_with_logits([1, 0, 1], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"\(2, 1\).*\(2,\)"):
        weighted_cross_entropy_with_logits([[1], [0]], [0.0, 1.0], 2.0)


@pytest.mark.parametrize("pos_weight", [-1.0, [1.0, -0.5], np.nan, np.inf])
def test_bad_pos_weight(pos_weight):
    with pytest.raises(ValueError, match="pos_weight"):
        weighted_cross_entropy_with_logits(np.ones((2, 2)), np.zeros((2, 2)), pos_weight)


def test_pos_weight_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        weighted_cross_entropy_with_logits(np.ones((2, 2)), np.zeros((2, 2)), [1, 2, 3])


def test_pos_weight_larger_than_the_logits():
    # (3, 1) broadcasts with (2,) to (3, 2): the loss would silently grow
    # rows that the logits do not have
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3, 1\).*\(2,\)"):
        weighted_cross_entropy_with_logits(np.ones(2), np.zeros(2), np.ones((3, 1)))


def test_non_finite_inputs():
    with pytest.raises(ValueError, match="logits must be finite; got nan"):
        sigmoid_cross_entropy_with_logits([1.0], [np.nan])
    with pytest.raises(ValueError, match="labels must be finite"):
        sigmoid_cross_entropy_with_logits([np.inf], [0.0])
    with pytest.raises(TypeError, match="labels must be numeric"):
        sigmoid_cross_entropy_with_logits(["a"], [0.0])


def test_per_class_pos_weight_broadcasts_over_rows():
    rng = np.random.RandomState(0)
    x, z = rng.normal(size=(5, 3)), (rng.uniform(size=(5, 3)) > 0.5).astype(float)
    q = np.array([0.5, 1.0, 4.0])
    loss = weighted_cross_entropy_with_logits(z, x, q)
    for j in range(3):
        np.testing.assert_allclose(
            loss[:, j], weighted_cross_entropy_with_logits(z[:, j], x[:, j], q[j])
        )


def test_gradient_kernel_matches_finite_differences():
    rng = np.random.RandomState(0)
    x = rng.normal(scale=5, size=50)
    z = rng.uniform(size=50)  # soft labels too
    q = 2.5
    _, grad = _sigmoid_ce_loss_grad(z, x, q)
    h = 1e-6
    numeric = (
        weighted_cross_entropy_with_logits(z, x + h, q)
        - weighted_cross_entropy_with_logits(z, x - h, q)
    ) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


# ----------------------------------------------------------------------
# the fused training kernel
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pos_weight", [None, 2.5, 1.2e-7, [1.0, 3.0, 0.5]])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("axis", [None, 0])
@pytest.mark.parametrize("binary_labels", [False, True])
def test_fused_kernel_is_the_elementwise_loss_summed(
    dtype, pos_weight, weighted, axis, binary_labels
):
    from sklearn_heads._losses import _sigmoid_ce_loss_grad, _sigmoid_ce_sum_grad

    rng = np.random.RandomState(0)
    logits = (rng.randn(500, 3) * [1.0, 30.0, 1e3]).astype(dtype)
    logits[:4] = [[0.0, 1e4, -1e4], [40.0, -40.0, 1e-30], [-0.0, 5.0, -5.0], [710, -710, 1.0]]
    labels = (rng.uniform(size=(500, 3)) < 0.4).astype(dtype)
    if not binary_labels:
        labels[::7] = 0.3  # soft labels
    q = None if pos_weight is None else np.asarray(pos_weight, dtype=dtype)
    weight = rng.uniform(0, 2, (500, 1)).astype(dtype) if weighted else None
    loss, grad = _sigmoid_ce_loss_grad(labels, logits, q)
    if weighted:
        loss, grad = loss * weight, grad * weight
    expected = np.sum(loss, axis=axis, dtype=np.float64)
    before = logits.copy()
    total, fused_grad = _sigmoid_ce_sum_grad(
        labels, logits, q, weight, axis=axis, binary_labels=binary_labels
    )
    np.testing.assert_array_equal(logits, before)  # not modified without out=
    # float32 losses of different formulas differ by float32 rounding
    rtol = 1e-13 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(total, expected, rtol=rtol)
    assert fused_grad.dtype == dtype
    # exact to a few ulps; soft labels subtract two terms (both kernels do)
    eps = np.finfo(dtype).eps
    atol = 4 * np.finfo(dtype).tiny if binary_labels else 8 * eps  # (subnormals)
    np.testing.assert_allclose(fused_grad, grad, rtol=4 * eps, atol=atol)
    # the gradient may overwrite the logits
    total2, in_place = _sigmoid_ce_sum_grad(
        labels, logits, q, weight, axis=axis, out=logits, binary_labels=binary_labels
    )
    assert in_place is logits
    np.testing.assert_array_equal(in_place, fused_grad)
    np.testing.assert_array_equal(total2, total)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_dimensional_inputs_give_a_zero_dimensional_loss(dtype):
    # issue 13: 0-d in raised "return arrays must be of ArrayType"
    loss = sigmoid_cross_entropy_with_logits(dtype(1.0), dtype(0.0))
    assert isinstance(loss, np.ndarray) and loss.shape == () and loss.dtype == dtype
    assert loss == pytest.approx(np.log(2), rel=1e-6)
    weighted = weighted_cross_entropy_with_logits(1.0, np.asarray(0.0, dtype), 3)
    assert weighted.shape == () and weighted.dtype == dtype
    assert weighted == pytest.approx(3 * np.log(2), rel=1e-6)


def test_real_numbers_of_any_type_are_pos_weights():
    from fractions import Fraction

    expected = weighted_cross_entropy_with_logits([1.0, 0.0], [0.5, 0.5], 1.5)
    for pos_weight in (Fraction(3, 2), np.float32(1.5), np.array([Fraction(3, 2)] * 2)):
        np.testing.assert_allclose(
            weighted_cross_entropy_with_logits([1.0, 0.0], [0.5, 0.5], pos_weight), expected,
            rtol=1e-7,
        )
