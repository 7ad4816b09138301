"""Several heads on one model (``tf.estimator.MultiHead``)."""

import numbers
from collections import Counter

import numpy as np
import scipy.sparse as sp

from .._losses import _as_array
from .._metrics import Mean
from ._base import _Head, _Validated


def _check_head_weights(head_weights, n_heads):
    """One finite, non-negative weight per head; None or empty means all ones."""
    if head_weights is None:
        return (1.0,) * n_heads
    if isinstance(head_weights, (str, bytes)) or not np.iterable(head_weights):
        raise TypeError(
            "head_weights must be a list of non-negative numbers, one per head, or "
            f"None; got {head_weights!r}."
        )
    weights = list(head_weights)
    if not weights:  # TensorFlow reads [] as None
        return (1.0,) * n_heads
    if len(weights) != n_heads:
        raise ValueError(
            f"head_weights must have one weight per head: {n_heads} heads, got "
            f"{len(weights)} weights {weights!r}."
        )
    for weight in weights:
        if not isinstance(weight, numbers.Real) or isinstance(weight, (bool, np.bool_)):
            raise TypeError(
                f"head_weights must be numbers; got {weight!r} in {weights!r}."
            )
        if not (np.isfinite(weight) and weight >= 0):
            raise ValueError(
                f"head_weights must be finite and >= 0; got {weight!r} in {weights!r} "
                "(TensorFlow accepts a negative weight, which rewards that head's "
                "loss; this package refuses it)."
            )
    return tuple(float(w) for w in weights)


def _describe(value):
    """A one-line description of an argument, for messages."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {value.shape}"
    return f"{type(value).__name__} {value!r:.80}"


class MultiHead(_Validated):
    """Several heads trained together on one model's logits.

    The NumPy port of ``tf.estimator.MultiHead``: the training loss is the
    weighted sum of the heads' losses, the metrics are every head's own
    (already suffixed with ``/<head name>``) plus ``loss/<head name>``, and
    the predictions are every head's, by head name.

    Parameters
    ----------
    heads : list or tuple of head
        The heads, each with a distinct ``name`` (it keys the labels, the
        logits, the predictions and suffixes the metric keys).
        ``MultiHead`` cannot be nested.
    head_weights : list of float, default=None
        The weight of each head's loss in the training loss, finite and
        ``>= 0``; ``None`` (or an empty list, as in TensorFlow) weighs every
        head 1.

    Attributes
    ----------
    logits_dimension : int
        The sum of the heads' logits dimensions.
    name : str
        The heads' names joined by ``"_"``.
    loss_reduction : str
        The heads' common reduction; reading it raises ``ValueError`` when
        they differ (as in TensorFlow), although the loss is computed then
        too, each head with its own.

    Notes
    -----
    ``logits`` are a dict ``{head name: logits}``, or one array
    ``[D0, ..., DN, logits_dimension]`` holding the heads' logits side by
    side along the last axis, in the order of ``heads``. ``labels`` are a
    dict ``{head name: labels}`` (each in its head's format; other keys are
    ignored, as in TensorFlow). ``sample_weight`` is None, one array given
    to every head, or a dict ``{head name: sample_weight}`` (heads left out
    are unweighted).

    :meth:`loss_and_gradient` returns the gradient in the form of the
    logits: a dict of arrays for a dict, one array otherwise.

    ``loss/<name>`` is the mean, over :meth:`update_metrics` calls, of that
    head's reduced training loss on the batch (not multiplied by its head
    weight); with one call, the head's ``loss``. There is no combined loss
    metric.

    Examples
    --------
    The worked example of ``tf.estimator.MultiHead``: for these large
    logits the sigmoid cross-entropy is about ``|logit|`` for a wrong sign
    and 0 otherwise, so the first head's loss is
    ``((10 + 10) / 2 + (15 + 0) / 2) / 2 = 8.75``, the second's
    ``((20 + 20 + 20) / 3 + (30 + 0 + 0) / 3) / 2 = 15``, and their sum
    23.75.

    >>> import numpy as np
    >>> from sklearn_heads import MultiHead, MultiLabelHead
    >>> head = MultiHead([MultiLabelHead(2, name="head1"), MultiLabelHead(3, name="head2")])
    >>> logits = {
    ...     "head1": np.array([[-10.0, 10.0], [-15.0, 10.0]]),
    ...     "head2": np.array([[20.0, -20.0, 20.0], [-30.0, 20.0, -20.0]]),
    ... }
    >>> labels = {
    ...     "head1": np.array([[1, 0], [1, 1]]),
    ...     "head2": np.array([[0, 1, 0], [1, 1, 0]]),
    ... }
    >>> print(f"{head.loss(labels, logits):.2f}")
    23.75
    >>> for key, value in sorted(head.evaluate(labels, logits).items()):
    ...     print(f"{key} : {value:.2f}")
    auc/head1 : 0.17
    auc/head2 : 0.33
    auc_precision_recall/head1 : 0.60
    auc_precision_recall/head2 : 0.40
    average_loss/head1 : 8.75
    average_loss/head2 : 15.00
    loss/head1 : 8.75
    loss/head2 : 15.00

    The same logits side by side give the same loss:

    >>> both = np.concatenate([logits["head1"], logits["head2"]], axis=1)
    >>> print(f"{head.loss(labels, both):.2f}")
    23.75
    """

    def __init__(self, heads, head_weights=None):
        self.heads = heads
        self.head_weights = head_weights
        self._check_params()

    def _validate(self):
        heads = self.heads
        if isinstance(heads, (_Head, MultiHead)) or not isinstance(heads, (list, tuple)):
            raise TypeError(
                "heads must be a list or a tuple of heads, such as "
                f"[BinaryClassHead(name='a'), RegressionHead(name='b')]; got {heads!r:.120}."
            )
        if not heads:
            raise ValueError("heads must hold at least one head; got an empty list.")
        for head in heads:
            if isinstance(head, MultiHead):
                raise TypeError(
                    "A MultiHead cannot hold another MultiHead; list its heads "
                    f"instead. Got {head!r:.120}."
                )
            if not isinstance(head, _Head):
                raise TypeError(
                    "heads must be heads of this package (BinaryClassHead, "
                    "MultiClassHead, RegressionHead, ...); got "
                    f"{type(head).__name__} {head!r:.80}."
                )
            head._ensure_valid()  # after set_params on the head
            if not head.name:
                raise ValueError(
                    "Every head of a MultiHead needs a name (it keys the head's "
                    f"labels, logits and metrics); got {head!r} without one."
                )
        names = [head.name for head in heads]
        duplicate = next((n for n, c in Counter(names).items() if c > 1), None)
        if duplicate is not None:
            raise ValueError(
                f"heads have the duplicate name {duplicate!r} (names {names!r}); give "
                "each head its own name (TensorFlow accepts duplicates, whose labels, "
                "logits and metric keys then collide)."
            )
        self._weights = _check_head_weights(self.head_weights, len(heads))
        keys = [f"loss/{name}" for name in names]
        for head in heads:
            keys += [key for key, _ in head._metric_factories()]
        clash = next((k for k, c in Counter(keys).items() if c > 1), None)
        if clash is not None:
            raise ValueError(
                f"The heads' metric keys collide: {clash!r} is reported twice; rename "
                f"the heads (names {names!r})."
            )

    # ------------------------------------------------------------------
    # properties
    @property
    def name(self):
        """The heads' names joined by ``"_"``, as in TensorFlow."""
        return "_".join(head.name for head in self.heads)

    @property
    def logits_dimension(self):
        """Number of logits per example: the sum over the heads."""
        self._ensure_valid()
        return sum(head.logits_dimension for head in self.heads)

    @property
    def loss_reduction(self):
        """The heads' common ``loss_reduction``.

        Raises
        ------
        ValueError
            If the heads have different reductions.
        """
        self._ensure_valid()
        reductions = [head.loss_reduction for head in self.heads]
        if len(set(reductions)) > 1:
            raise ValueError(
                "The heads have different loss reductions "
                f"{dict(zip(self._names(), reductions))!r}, so a MultiHead has no one "
                "loss_reduction (its loss applies each head's own)."
            )
        return reductions[0]

    def _names(self):
        self._ensure_valid()
        return [head.name for head in self.heads]

    def _ensure_valid(self):
        """Validate after ``set_params`` on this MultiHead or on one of its heads."""
        heads = self.heads if isinstance(self.heads, (list, tuple)) else ()
        if any(getattr(head, "_unchecked", False) for head in heads):
            self._unchecked = True
        super()._ensure_valid()

    # ------------------------------------------------------------------
    # inputs by head
    def _logits_by_head(self, logits):
        """``{name: logits}`` from a dict or from side-by-side logits."""
        names = self._names()
        if isinstance(logits, dict):
            missing = [name for name in names if name not in logits]
            if missing:
                raise ValueError(
                    f"logits has no entry for the heads {missing}; got the keys "
                    f"{sorted(map(str, logits))}."
                )
            return {name: logits[name] for name in names}
        if sp.issparse(logits):
            raise TypeError(
                f"logits must be a dense array or a dict of them; got a sparse "
                f"{logits.format} matrix of shape {logits.shape} (use .toarray())."
            )
        array = _as_array(logits, "logits")
        dims = [head.logits_dimension for head in self.heads]
        total = sum(dims)
        if array.ndim == 1 and total == 1:
            array = array[:, None]
        if array.ndim < 2 or array.shape[-1] != total:
            raise ValueError(
                f"logits of shape {array.shape} cannot be split among the heads, whose "
                f"logits dimensions are {dict(zip(names, dims))} (total {total}); give "
                f"logits of shape [D0, ..., DN, {total}] or a dict {{head name: logits}}."
            )
        bounds = np.cumsum([0] + dims)
        return {
            name: array[..., start:stop]
            for name, start, stop in zip(names, bounds[:-1], bounds[1:])
        }

    def _labels_by_head(self, labels):
        names = self._names()
        if not isinstance(labels, dict):
            raise ValueError(
                f"labels must be a dict keyed by head name ({names}); got "
                f"{_describe(labels)}."
            )
        missing = [name for name in names if name not in labels]
        if missing:
            raise ValueError(
                f"labels has no entry for the heads {missing}; got the keys "
                f"{sorted(map(str, labels))}."
            )
        return {name: labels[name] for name in names}

    def _weights_by_head(self, sample_weight):
        names = self._names()
        if not isinstance(sample_weight, dict):
            return {name: sample_weight for name in names}
        unknown = [key for key in sample_weight if key not in names]
        if unknown:
            raise ValueError(
                f"sample_weight has entries for {unknown}, which are not heads of this "
                f"MultiHead (heads {names})."
            )
        return {name: sample_weight.get(name) for name in names}

    def _inputs(self, labels, logits, sample_weight):
        """Every head's checked ``(z, logits, w)``, all validated before any use."""
        logits = self._logits_by_head(logits)
        labels = self._labels_by_head(labels)
        weights = self._weights_by_head(sample_weight)
        return [
            (head, *head._inputs(labels[name], logits[name], weights[name]))
            for name, head in zip(self._names(), self.heads)
        ]

    # ------------------------------------------------------------------
    # loss
    def loss(self, labels, logits, sample_weight=None):
        """The training loss: ``sum(head_weight * head.loss)``.

        Parameters
        ----------
        labels : dict
            ``{head name: labels}``.
        logits : dict or array-like of shape (..., logits_dimension)
            ``{head name: logits}`` or the heads' logits side by side.
        sample_weight : None, array-like or dict, default=None
            Given to every head, or ``{head name: sample_weight}``.

        Returns
        -------
        loss : float
        """
        logits = self._logits_by_head(logits)
        labels = self._labels_by_head(labels)
        weights = self._weights_by_head(sample_weight)
        total = 0.0
        for head, head_weight in zip(self.heads, self._weights):
            name = head.name
            total += head_weight * head.loss(labels[name], logits[name], weights[name])
        return total

    def loss_and_gradient(self, labels, logits, sample_weight=None):
        """The training loss and its gradient w.r.t. the logits.

        Parameters
        ----------
        labels, logits, sample_weight
            As in :meth:`loss`.

        Returns
        -------
        loss : float
        gradient : dict or ndarray
            ``{head name: gradient}`` for dict logits, else one array shaped
            like ``logits``.
        """
        by_head = self._logits_by_head(logits)
        labels = self._labels_by_head(labels)
        weights = self._weights_by_head(sample_weight)
        total, grads = 0.0, {}
        for head, head_weight in zip(self.heads, self._weights):
            name = head.name
            loss, grad = head.loss_and_gradient(labels[name], by_head[name], weights[name])
            total += head_weight * loss
            grads[name] = grad * grad.dtype.type(head_weight) if head_weight != 1 else grad
        if isinstance(logits, dict):
            return total, grads
        parts = [np.reshape(grads[name], np.shape(by_head[name])) for name in self._names()]
        return total, np.concatenate(parts, axis=-1).reshape(np.shape(logits))

    # ------------------------------------------------------------------
    # the training contract (see _base): labels of all heads side by side
    def _layout(self):
        """Per head: its weight and its slices of the logits, ``z`` and ``w``."""
        self._ensure_valid()
        layout, starts = [], np.zeros(3, dtype=int)
        for head, head_weight in zip(self.heads, self._weights):
            widths = np.array([head.logits_dimension, *head._prepared_widths()])
            stops = starts + widths
            slices = [slice(int(a), int(b)) for a, b in zip(starts, stops)]
            layout.append((head, head_weight, *slices))
            starts = stops
        return layout

    def _prepared_widths(self):
        layout = self._layout()
        return layout[-1][3].stop, layout[-1][4].stop

    def _prepare(self, labels, n_rows, sample_weight=None, dtype=np.float64):
        """Every head's encoded labels and weights, side by side.

        Each head's reduction is applied here, over the ``n_rows`` rows
        given: its weights are multiplied by ``head_weight *
        head._loss_scale(count)``, ``count`` being the sum of its weights
        (the number of its examples without weights), so
        :meth:`_loss_scale` is 1. The rows given must therefore be all the
        training rows (not one chunk of them).
        """
        labels = self._labels_by_head(labels)
        weights = self._weights_by_head(sample_weight)
        dtype = np.dtype(dtype)
        z_all = np.empty((n_rows, self._prepared_widths()[0]), dtype=dtype)
        w_all = np.empty((n_rows, self._prepared_widths()[1]), dtype=dtype)
        for head, head_weight, _, z_cols, w_cols in self._layout():
            z, w = head._prepare(labels[head.name], n_rows, weights[head.name], dtype)
            count = n_rows if w is None else float(np.sum(w, dtype=np.float64))
            factor = head_weight * head._loss_scale(count) if count > 0 else 0.0
            z_all[:, z_cols] = np.reshape(z, (n_rows, -1))
            w_all[:, w_cols] = 1 if w is None else w
            w_all[:, w_cols] *= dtype.type(factor)
        return z_all, w_all

    def _loss_scale(self, n_examples):
        """1: :meth:`_prepare` has applied each head's reduction."""
        return 1.0

    #: the heads' weights are reduced by each head in :meth:`_prepare`
    _scale_free_weights = False

    @property
    def _calls_user_code(self):
        """Whether a head's loss calls a user's function (``loss_fn``)."""
        return any(head._calls_user_code for head in self.heads)

    def _sum_loss_gradient(self, z, logits, w, need_grad=True, *, out=None, columns=None):
        """The heads' weighted loss sums and the gradient, side by side.

        ``z`` and ``w`` are as :meth:`_prepare` returns them; ``out`` (which
        may be ``logits``) receives the gradient.
        """
        if columns is not None:
            raise ValueError("MultiHead has no per-column losses.")
        if need_grad and out is None:
            out = np.empty_like(logits)
        total = 0.0
        for head, _, logit_cols, z_cols, w_cols in self._layout():
            target = out[:, logit_cols] if need_grad else None
            s, grad = head._sum_loss_gradient(
                z[:, z_cols], logits[:, logit_cols], w[:, w_cols], need_grad, out=target
            )
            total += s
            if need_grad and grad is not target:
                target[...] = grad
        return total, out if need_grad else None

    # ------------------------------------------------------------------
    # predictions
    def predictions(self, logits, keys=None):
        """Every head's predictions, by head name.

        Parameters
        ----------
        logits : dict or array-like of shape (..., logits_dimension)
            As in :meth:`loss`.
        keys : None, dict or list of (str, str), default=None
            All predictions of every head; or ``{head name: keys}`` (only
            those heads, each with its keys); or TensorFlow's keys, pairs
            ``(head name, key)``.

        Returns
        -------
        predictions : dict of str to dict of str to ndarray
            ``{head name: {key: value}}``.
        """
        names = self._names()
        if keys is None:
            wanted = {name: None for name in names}
        elif isinstance(keys, dict):
            wanted = dict(keys)
        elif np.iterable(keys) and not isinstance(keys, (str, bytes)) and all(
            isinstance(k, tuple) and len(k) == 2 for k in keys
        ):
            wanted = {}
            for name, key in keys:
                wanted.setdefault(name, []).append(key)
        else:
            raise TypeError(
                "keys must be None, a dict {head name: prediction keys} or a list of "
                f"(head name, prediction key) pairs; got {keys!r:.80}."
            )
        unknown = [name for name in wanted if name not in names]
        if unknown:
            raise ValueError(f"keys name {unknown}, which are not heads (heads {names}).")
        by_head = self._logits_by_head(logits)
        return {
            name: head.predictions(by_head[name], keys=wanted[name])
            for name, head in zip(names, self.heads)
            if name in wanted
        }

    # ------------------------------------------------------------------
    # metrics
    def metrics(self):
        """A fresh dict of metric key to streaming metric.

        Returns
        -------
        eval_metrics : dict of str to Metric
            ``loss/<name>`` for every head, then every head's own metrics.
        """
        eval_metrics = {f"loss/{name}": Mean(name=f"loss/{name}") for name in self._names()}
        for head in self.heads:
            eval_metrics.update(head.metrics())
        return eval_metrics

    def update_metrics(self, eval_metrics, logits, labels, sample_weight=None):
        """Update ``eval_metrics`` (from :meth:`metrics`) with one batch.

        Every head's metrics are updated with its part of the batch, and
        ``loss/<name>`` with the head's reduced loss on the batch. All the
        inputs are checked before any metric changes.

        Parameters
        ----------
        eval_metrics : dict
            As returned by :meth:`metrics`.
        logits, labels, sample_weight
            As in :meth:`loss`.

        Returns
        -------
        eval_metrics : dict
            The same dict, updated.
        """
        if not isinstance(eval_metrics, dict):
            raise TypeError(
                "eval_metrics must be the dict returned by this head's metrics(); "
                f"got {type(eval_metrics).__name__} {eval_metrics!r:.80}."
            )
        missing = [key for key in self.metrics() if key not in eval_metrics]
        if missing:
            raise ValueError(
                f"eval_metrics lacks the keys {missing}; create it with this "
                "head's metrics()."
            )
        inputs = self._inputs(labels, logits, sample_weight)
        for head, z, head_logits, w in inputs:
            loss, _ = head._unreduced_loss(z, head_logits, need_grad=False)
            weighted = loss if w is None else loss * w
            reduced = float(np.sum(weighted, dtype=np.float64)) * head._loss_scale(
                head._n_examples(head_logits.shape)
            )
            eval_metrics[f"loss/{head.name}"].update_state(reduced)
            head._update(eval_metrics, z, head_logits, w, loss)
        return eval_metrics

    def evaluate(self, labels, logits, sample_weight=None):
        """Every metric of every head on one set of rows.

        Parameters
        ----------
        labels, logits, sample_weight
            As in :meth:`loss`.

        Returns
        -------
        results : dict of str to float
            The same as ``metrics()``, one ``update_metrics`` and ``result()``.
        """
        eval_metrics = self.update_metrics(self.metrics(), logits, labels, sample_weight)
        return {key: metric.result() for key, metric in eval_metrics.items()}
