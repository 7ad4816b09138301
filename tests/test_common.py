"""scikit-learn's estimator checks over every estimator of the package."""

import pytest
from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
    check_estimator,
    check_sample_weight_equivalence_on_sparse_data,
    parametrize_with_checks,
)

from sklearn_heads import (
    BinaryClassHead,
    LinearClassifier,
    LinearEstimator,
    MLPClassifier,
    MLPEstimator,
)

# Several checks fit on tiny or separable data where L-BFGS stops at max_iter.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    LinearClassifier(),
    MLPClassifier(hidden_units=(8,), random_state=0),
    LinearEstimator(BinaryClassHead()),
    MLPEstimator(BinaryClassHead(), hidden_units=(8,), random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array API
def test_check_estimator_passes_without_expected_failures():
    # what a user runs: no check is excused, for any estimator
    for estimator in ESTIMATORS:
        check_estimator(estimator)


@pytest.mark.parametrize(
    "estimator",
    [
        LinearEstimator(BinaryClassHead(loss_reduction="sum")),
        MLPEstimator(BinaryClassHead(loss_reduction="sum"), (8,), random_state=0),
    ],
    ids=["linear", "mlp"],
)
@pytest.mark.parametrize(
    "check",
    [
        check_sample_weight_equivalence_on_dense_data,
        check_sample_weight_equivalence_on_sparse_data,
    ],
    ids=["dense", "sparse"],
)
def test_sample_weight_equivalence_with_sum_reduction(estimator, check):
    # the "sum" reduction has no denominator at all: weights are repeated rows
    check(type(estimator).__name__, estimator)
