"""Numerical helpers shared by the test modules."""

import numpy as np


def finite_differences(loss, logits, step=1e-6):
    """Central differences of the scalar ``loss(logits)``, one logit at a time."""
    numeric = np.empty_like(logits)
    for index in np.ndindex(logits.shape):
        plus, minus = logits.copy(), logits.copy()
        plus[index] += step
        minus[index] -= step
        numeric[index] = (loss(plus) - loss(minus)) / (2 * step)
    return numeric
