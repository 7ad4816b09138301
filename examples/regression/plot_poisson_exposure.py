"""
==============================================
Poisson regression of counts, with an exposure
==============================================

:class:`~sklearn_heads.PoissonRegressionHead` models counts with the log
link: the logits are log-rates, ``predict`` returns rates, and the loss is
TensorFlow's log-Poisson loss. Behind
:class:`~sklearn_heads.LinearEstimator` it is a scikit-learn regressor,
with the minimiser of :class:`~sklearn.linear_model.PoissonRegressor`
(same ``alpha``) and its score, D^2 (the fraction of Poisson deviance
explained).

Counts are often observed over different *exposures*: claims of insurance
policies held for a few weeks or a whole year, visits over days of
opening. The usual model fits the frequency ``counts / exposure`` with the
exposure as ``sample_weight``: a policy observed for a year weighs twelve
times one observed for a month.
"""

# %%
# Policies, exposures and claims
# ------------------------------
# A synthetic portfolio: the claim frequency (claims per year) depends on
# the driver's age and the car's power; every policy is observed for part
# of a year.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import PoissonRegressor
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.compose import make_column_transformer
from sklearn.pipeline import make_pipeline

from sklearn_heads import LinearEstimator, PoissonRegressionHead

rng = np.random.RandomState(0)
n = 20_000
age = rng.uniform(18, 80, n)
power = rng.gamma(4.0, 20.0, n)
exposure = rng.uniform(0.05, 1.0, n)
def true_frequency(age, power):
    return 0.3 * np.exp(1.5 * np.exp(-(age - 18) / 10) + 0.01 * (power - 80))


frequency = true_frequency(age, power)
claims = rng.poisson(frequency * exposure)
X = np.column_stack([age, power])
print(f"{claims.sum()} claims over {exposure.sum():.0f} policy-years")

X_train, X_test, c_train, c_test, e_train, e_test = train_test_split(
    X, claims, exposure, test_size=0.3, random_state=0
)

# %%
# The model: frequency, weighted by exposure
# ------------------------------------------
# Splines of the age (the risk falls fast, then flattens) and the power.
features = make_column_transformer(
    (SplineTransformer(n_knots=6), [0]), (StandardScaler(), [1])
)
model = make_pipeline(
    features, LinearEstimator(PoissonRegressionHead(), alpha=1e-4, tol=1e-6)
)
model.fit(X_train, c_train / e_train, linearestimator__sample_weight=e_train)
estimator = model[-1]

# %%
# TensorFlow's metrics of the head, weighted by exposure: ``average_loss``
# (the log-Poisson loss with Stirling's term), and the mean predicted and
# observed frequencies.
metrics = estimator.evaluate(
    model[0].transform(X_test), c_test / e_test, sample_weight=e_test
)
print({key: round(value, 4) for key, value in metrics.items()})
score = model.score(X_test, c_test / e_test, sample_weight=e_test)
print(f"D^2 on the test set: {score:.3f}")

# %%
# The same fit as scikit-learn's PoissonRegressor:
reference = make_pipeline(features, PoissonRegressor(alpha=1e-4, tol=1e-8, max_iter=1000))
reference.fit(X_train, c_train / e_train, poissonregressor__sample_weight=e_train)
gap = np.max(np.abs(model.predict(X_test) / reference.predict(X_test) - 1))
print(f"largest relative difference of the predicted frequencies: {gap:.1e}")

# %%
# Predicted against observed frequency
# ------------------------------------
# Group the test policies by predicted frequency and compare with the
# claims they had per policy-year: the model is calibrated when the points
# lie on the diagonal. The expected count of a policy is its predicted
# frequency times its exposure.
predicted = model.predict(X_test)
bins = np.quantile(predicted, np.linspace(0, 1, 11))
group = np.clip(np.searchsorted(bins, predicted, side="right") - 1, 0, 9)
observed = np.bincount(group, c_test) / np.bincount(group, e_test)
expected = np.bincount(group, predicted * e_test) / np.bincount(group, e_test)

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
left.plot(expected, observed, "o")
top = max(expected.max(), observed.max()) * 1.1
left.plot([0, top], [0, top], "k:", lw=1)
left.set_xlabel("predicted claims per policy-year")
left.set_ylabel("observed claims per policy-year")
left.set_title("Calibration by decile")

ages = np.linspace(18, 80, 100)
grid = np.column_stack([ages, np.full_like(ages, 80.0)])
right.plot(ages, model.predict(grid), label="fitted")
right.plot(ages, true_frequency(ages, 80.0), "k:", label="true")
right.set_xlabel("age of the driver (power 80)")
right.set_ylabel("claims per policy-year")
right.legend()
fig.tight_layout()
plt.show()
