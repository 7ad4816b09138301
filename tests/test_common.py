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
from sklearn_heads._compat import SKLEARN_VERSION

#: Before 1.7, scikit-learn's sample-weight equivalence checks binarise the
#: target of a binary-only classifier after shuffling it, by its first value,
#: so that the weighted and the repeated fits see opposite labels
#: (scikit-learn#30770, fixed in 1.7). The same property is checked on every
#: version by ``tests/test_estimator_properties.py``.
SKLEARN_CHECK_BUGS = (
    {
        check: "scikit-learn < 1.7 flips the binary labels of one of the two fits "
        "(scikit-learn#30770)"
        for check in (
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weight_equivalence_on_sparse_data",
        )
    }
    if SKLEARN_VERSION < (1, 7)
    else {}
)

# Several checks fit on tiny or separable data where L-BFGS stops at max_iter.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    LinearClassifier(),
    MLPClassifier(hidden_units=(8,), random_state=0),
    LinearEstimator(BinaryClassHead()),
    MLPEstimator(BinaryClassHead(), hidden_units=(8,), random_state=0),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: SKLEARN_CHECK_BUGS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array API
def test_check_estimator_passes_without_expected_failures():
    # what a user runs: no check is excused, for any estimator (but for
    # scikit-learn's own bug in releases before 1.7)
    for estimator in ESTIMATORS:
        check_estimator(estimator, expected_failed_checks=SKLEARN_CHECK_BUGS)


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
@pytest.mark.xfail(
    SKLEARN_VERSION < (1, 7), reason="scikit-learn#30770 (see SKLEARN_CHECK_BUGS)", strict=True
)
def test_sample_weight_equivalence_with_sum_reduction(estimator, check):
    # the "sum" reduction has no denominator at all: weights are repeated rows
    check(type(estimator).__name__, estimator)
