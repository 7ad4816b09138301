"""Streaming, mergeable evaluation metrics with Keras' semantics.

Each metric keeps its state in a few accumulator arrays that are plain
(weighted) sums, so

* ``update_state`` once per batch gives the result of one call on all rows,
* ``merge(other)`` adds the state of a metric updated elsewhere (another
  process or machine), and
* ``result()`` is a pure function of the state.

The values equal those of ``tf.keras.metrics`` (TensorFlow 2.15), which the
TensorFlow estimator heads report: predictions are compared with thresholds
strictly (``prediction > threshold``) after rounding both to float32, and
divisions by zero give 0 (``tf.math.divide_no_nan``).

The heads decide *what* is fed to each metric (labels, probabilities, class
ids, weights); the metrics only count.
"""

import numpy as np

__all__ = [
    "Metric",
    "Mean",
    "MeanMatch",
    "AccuracyBaseline",
    "Precision",
    "Recall",
    "AUC",
]


def _div_no_nan(num, den):
    return float(num / den) if den != 0 else 0.0


def _broadcast_weights(sample_weight, values):
    """Weights broadcast to ``values`` (ones when ``sample_weight`` is None)."""
    if sample_weight is None:
        return np.ones(values.shape, dtype=np.float64)
    return np.broadcast_to(np.asarray(sample_weight, dtype=np.float64), values.shape)


def _weighted_pos_neg(y_true, sample_weight):
    """Flat per-entry weights of the positive and of the negative labels.

    A label counts as positive when it is not 0, as Keras casts labels to
    booleans for its confusion counts: a soft label such as 0.3 is a
    positive (and never a negative) of precision, recall and the AUCs.
    """
    y_true = (np.asarray(y_true) != 0).astype(np.float64).reshape(-1)
    if sample_weight is None:
        return y_true, 1.0 - y_true
    weights = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    return y_true * weights, (1.0 - y_true) * weights


def _above(values, threshold):
    """``values > threshold`` compared in float32, as Keras does."""
    return np.asarray(values).astype(np.float32, copy=False) > np.float32(threshold)


class Metric:
    """Base class: a named accumulator with Keras' streaming interface.

    Subclasses list their accumulators in ``_state_names`` (and, in
    ``_nonnegative_states``, those that are sums of weights, never
    negative); ``reset_state``, ``merge`` and equality of configuration
    (``_config``) are shared.
    """

    _state_names = ()
    _nonnegative_states = ()

    def __init__(self, name=None):
        self.name = name
        self.reset_state()

    def _config(self):
        return ()

    def _initial_state(self):
        raise NotImplementedError

    def reset_state(self):
        """Reset every accumulator to zero."""
        for state_name, value in zip(self._state_names, self._initial_state()):
            setattr(self, state_name, value)

    def _state(self):
        """The accumulators, by name (copies, for a later :meth:`_restore`)."""
        return {name: np.copy(getattr(self, name)) for name in self._state_names}

    def _restore(self, state):
        """Set the accumulators to ``state`` (from :meth:`_state`)."""
        for name, value in state.items():
            value = np.asarray(value, dtype=np.float64)
            setattr(self, name, float(value) if value.ndim == 0 else value.copy())

    def _checked_state(self, whose):
        """The accumulators as float64 arrays, checked; ``whose`` names the metric.

        Each must be real numbers of the shape this metric's configuration
        gives, finite, and non-negative if it is a sum of weights.
        """
        state = {}
        scale = 0.0
        for name, initial in zip(self._state_names, self._initial_state()):
            if not hasattr(self, name):
                raise TypeError(
                    f"{whose} has no state {name!r}; it is not a {type(self).__name__}."
                )
            raw = getattr(self, name)
            try:
                value = np.asarray(raw)
            except (ValueError, TypeError):  # ragged sequences
                value = np.asarray(None)
            if value.dtype.kind not in "biuf":
                raise TypeError(
                    f"{whose}.{name} must be real numbers; got {raw!r:.80} of dtype "
                    f"{value.dtype}."
                )
            value = value.astype(np.float64)
            expected = np.shape(initial)
            if value.shape != expected:
                raise ValueError(
                    f"{whose}.{name} has shape {value.shape}; a {self!r} holds shape "
                    f"{expected} (one value per threshold or bucket)."
                )
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{whose}.{name} must be finite; got {raw!r:.80}.")
            state[name] = value
            scale = max(scale, float(np.max(np.abs(value), initial=0.0)))
        for name in self._nonnegative_states:
            # counts found as differences of sums (true negatives) may be
            # rounding errors below zero: tolerated, true negatives are not
            if np.any(state[name] < -1e-6 * scale):
                raise ValueError(
                    f"{whose}.{name} is a sum of weights and must be >= 0; got "
                    f"{getattr(self, name)!r:.80}."
                )
        return state

    def check_state(self):
        """Raise ``ValueError`` unless every accumulator is finite.

        Called after each batch by the heads, so that a stream whose sums
        overflow float64 is an error, not an infinite or NaN result.
        """
        for state_name in self._state_names:
            value = np.asarray(getattr(self, state_name), dtype=np.float64)
            if not np.isfinite(value).all():
                raise ValueError(
                    f"The sums of metric {self.name or type(self).__name__!r} overflow "
                    f"float64 ({state_name} is {float(value[~np.isfinite(value)][0])!r}): "
                    "the values or sample weights streamed into it add up beyond the "
                    "largest float. Divide sample_weight by a common factor."
                )

    def merge(self, other):
        """Add the state of ``other`` (updated elsewhere) into this metric.

        Parameters
        ----------
        other : Metric
            A metric of the same class and configuration, whose
            accumulators have the shapes of this one's, are finite, and are
            non-negative where they are sums of weights.

        Returns
        -------
        self : Metric

        Raises
        ------
        TypeError
            If ``other`` is not a metric, or its state is not real numbers.
        ValueError
            If ``other`` is another kind of metric, has another
            configuration (curve, thresholds, number of buckets) or a state
            of another shape, negative weights or non-finite values, or if
            the merged sums overflow float64; this metric is then unchanged.
        """
        if not isinstance(other, Metric):
            raise TypeError(
                f"merge needs a metric of the same class and configuration as {self!r}; "
                f"got {type(other).__name__} {other!r:.80}."
            )
        if type(other) is not type(self) or other._config() != self._config():
            raise ValueError(
                f"Cannot merge {other!r} into {self!r}: merge needs a metric of "
                "the same class and configuration."
            )
        theirs = other._checked_state(f"The merged metric {other!r}")
        merged = {}
        with np.errstate(over="ignore", invalid="ignore"):
            for name, value in theirs.items():
                merged[name] = np.asarray(getattr(self, name), dtype=np.float64) + value
        for name, value in merged.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(
                    f"Merging {other!r} into {self!r} overflows float64 in {name!r}: "
                    "the sums of the two exceed the largest float. Divide the sample "
                    "weights by a common factor."
                )
        self._restore(merged)
        return self

    def result(self):
        """The metric value, a Python float."""
        raise NotImplementedError

    def __repr__(self):
        config = ", ".join(repr(c) for c in self._config())
        return f"{type(self).__name__}({config}{', ' if config else ''}name={self.name!r})"


class Mean(Metric):
    """Weighted mean of values: ``sum(w * v) / sum(w)`` (``tf.keras.metrics.Mean``)."""

    _state_names = ("total", "count")
    _nonnegative_states = ("count",)

    def _initial_state(self):
        return 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        """Accumulate ``values``, weighted by ``sample_weight`` broadcast to them."""
        values = np.asarray(values, dtype=np.float64)
        weights = _broadcast_weights(sample_weight, values)
        self.total += float(np.sum(values * weights))
        self.count += float(np.sum(weights))

    def result(self):
        return _div_no_nan(self.total, self.count)


class MeanMatch(Mean):
    """Weighted fraction of predictions equal to labels.

    With ``threshold=None`` predictions are class ids compared for equality
    (``tf.keras.metrics.Accuracy``); otherwise probabilities are turned into
    ``prediction > threshold`` first (``tf.keras.metrics.BinaryAccuracy``).
    """

    _nonnegative_states = ("total", "count")

    def __init__(self, threshold=None, name=None):
        self.threshold = threshold
        super().__init__(name=name)

    def _config(self):
        return (self.threshold,)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulate the matches of ``y_pred`` with the 0/1 labels ``y_true``."""
        y_pred = np.asarray(y_pred)
        if self.threshold is not None:
            y_pred = _above(y_pred, self.threshold)
        super().update_state(np.asarray(y_true) == y_pred, sample_weight)


class AccuracyBaseline(Mean):
    """Accuracy of always predicting the majority class: ``max(m, 1 - m)``.

    ``m`` is the weighted mean of the 0/1 labels. The state is the label sum
    and weight sum, so it streams and merges like :class:`Mean`.
    """

    _nonnegative_states = ("total", "count")

    def result(self):
        return _div_no_nan(max(self.total, self.count - self.total), self.count)


class _ConfusionCounts(Metric):
    """Weighted confusion counts of ``prediction > threshold`` per threshold.

    ``thresholds`` is a 1-d array; each accumulator has one entry per
    threshold.
    """

    _state_names = ("true_positives", "false_positives", "true_negatives", "false_negatives")
    _nonnegative_states = _state_names

    def __init__(self, thresholds, name=None):
        self.thresholds = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
        super().__init__(name=name)

    def _config(self):
        return (tuple(self.thresholds.tolist()),)

    def _initial_state(self):
        return tuple(np.zeros(len(self.thresholds)) for _ in self._state_names)

    def _counts(self, y_true, y_pred, sample_weight):
        """Confusion counts of one batch, each an array over thresholds."""
        pos, neg = _weighted_pos_neg(y_true, sample_weight)
        above = _above(np.reshape(y_pred, (1, -1)), self.thresholds[:, None])
        tp = above @ pos
        fp = above @ neg
        return tp, fp, neg.sum() - fp, pos.sum() - tp

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Accumulate the confusion counts of one batch.

        Parameters
        ----------
        y_true : array-like of 0/1
        y_pred : array-like of scores in ``[0, 1]``, the same shape as ``y_true``
        sample_weight : None or array-like broadcastable to ``y_pred``
        """
        y_pred = np.asarray(y_pred)
        if sample_weight is not None:
            sample_weight = np.broadcast_to(
                np.asarray(sample_weight, dtype=np.float64), y_pred.shape
            )
        tp, fp, tn, fn = self._counts(y_true, y_pred, sample_weight)
        self.true_positives = self.true_positives + tp
        self.false_positives = self.false_positives + fp
        self.true_negatives = self.true_negatives + tn
        self.false_negatives = self.false_negatives + fn


class Precision(_ConfusionCounts):
    """``TP / (TP + FP)`` of ``prediction > threshold`` (``tf.keras.metrics.Precision``)."""

    def __init__(self, threshold=0.5, name=None):
        super().__init__([threshold], name=name)

    def result(self):
        tp = self.true_positives[0]
        return _div_no_nan(tp, tp + self.false_positives[0])


class Recall(_ConfusionCounts):
    """``TP / (TP + FN)`` of ``prediction > threshold`` (``tf.keras.metrics.Recall``)."""

    def __init__(self, threshold=0.5, name=None):
        super().__init__([threshold], name=name)

    def result(self):
        tp = self.true_positives[0]
        return _div_no_nan(tp, tp + self.false_negatives[0])


class AUC(_ConfusionCounts):
    """Area under the ROC or precision-recall curve from bucketed counts.

    ``tf.keras.metrics.AUC`` with its defaults: ``num_thresholds`` thresholds
    ``[-eps, 1/(n-1), ..., (n-2)/(n-1), 1 + eps]``, the ROC area by the
    trapezoidal rule and the PR area by the interpolation of Davis & Goadrich
    (2006). Because the thresholds are evenly spaced, each prediction is put
    in its bucket ``ceil(p * (n - 1)) - 1`` and the counts are reverse
    cumulative sums of the bucket sums, which is exact and O(rows).

    Parameters
    ----------
    curve : {"ROC", "PR"}, default="ROC"
    num_thresholds : int, default=200
    name : str, default=None
    """

    def __init__(self, curve="ROC", num_thresholds=200, name=None):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"curve must be 'ROC' or 'PR'; got {curve!r}.")
        self.curve = curve
        self.num_thresholds = num_thresholds
        eps = 1e-7
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        super().__init__([0.0 - eps] + inner + [1.0 + eps], name=name)

    def _config(self):
        return (self.curve, self.num_thresholds)

    def _counts(self, y_true, y_pred, sample_weight):
        pos, neg = _weighted_pos_neg(y_true, sample_weight)
        y_pred = np.asarray(y_pred).astype(np.float32, copy=False).reshape(-1)
        n = self.num_thresholds
        buckets = np.ceil(y_pred * np.float32(n - 1)).astype(np.int64) - 1
        np.clip(buckets, 0, n - 1, out=buckets)
        tp = np.bincount(buckets, weights=pos, minlength=n)[::-1].cumsum()[::-1]
        fp = np.bincount(buckets, weights=neg, minlength=n)[::-1].cumsum()[::-1]
        return tp, fp, neg.sum() - fp, pos.sum() - tp

    def result(self):
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        if self.curve == "PR":
            return self._interpolated_pr_auc()
        with np.errstate(divide="ignore", invalid="ignore"):
            recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            fp_rate = np.where(fp + tn > 0, fp / (fp + tn), 0.0)
        heights = (recall[:-1] + recall[1:]) / 2.0
        return float(np.sum((fp_rate[:-1] - fp_rate[1:]) * heights))

    def _interpolated_pr_auc(self):
        """Precision integrated over recall, interpolating TP linearly in P = TP + FP."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        # the area is the same for counts scaled by any factor: in units of
        # the largest count, no product below (``intercept * log_ratio``)
        # overflows, whatever the sample weights' scale
        unit = max(float(np.max(tp + fp)), float(np.max(tp + fn)))
        if unit > 0 and np.isfinite(unit):
            tp, fp, fn = tp / unit, fp / unit, fn / unit
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(dp > 0, dtp / np.maximum(dp, 0), 0.0)
            intercept = tp[1:] - slope * p[1:]
            both = (p[:-1] > 0) & (p[1:] > 0)
            # log(p[:-1] / p[1:]) as a difference of logs: the ratio itself
            # overflows when extreme sample weights make p[1:] tiny
            log_ratio = np.log(np.where(both, p[:-1], 1.0)) - np.log(np.where(both, p[1:], 1.0))
            total_pos = np.maximum(tp[1:] + fn[1:], 0)
            increment = slope * (dtp + intercept * log_ratio)
            increment = np.where(total_pos > 0, increment / np.where(total_pos > 0, total_pos, 1.0), 0.0)
        return float(np.sum(increment))
