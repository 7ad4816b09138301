"""The training objectives of a Dask fit, on :class:`~._rows.DaskRows`.

The same classes as in memory with one method replaced: the loss and
gradient sums come from the workers (:meth:`DaskRows.sum_loss_gradient`)
instead of from threads over an in-memory ``X`` (and, for Newton's solver,
the Hessian blocks with them, in the same round trip). The reduction, the L2
penalty and the per-label split are the in-memory code's, run in the
client next to L-BFGS.
"""

import numpy as np

from .._models import LinearModel
from .._objective import LabelwiseObjective, Objective, column_scale


class _OnDaskRows:
    """Replaces where an objective's row sums come from (a mixin)."""

    def _set_data(self, X, labels, sample_weight, chunk_size, n_threads, prepared):
        # X is a DaskRows: its labels and weights are loaded with it
        self.X = X
        self.n_samples = X.n_samples
        self.total_weight = X.total_weight
        self.dtype = X.dtype
        # the parameters travel in float64; each chunk's task casts them
        # as an in-memory objective of that chunk would
        self.compute_dtype = np.dtype(np.float64)
        # float32 products in the chunks' tasks until refine(), as in memory
        self._upcast = False
        self._can_refine = (
            not self._precise and X.dtype == np.float32 and isinstance(self.model, LinearModel)
        )

    def _split_rows(self):
        # the rows are the workers' chunks; each task splits its own
        pass

    #: a pass over the rows is a round trip: Newton's solver gets the
    #: Hessian with every full step it tries
    hessian_with_trial_steps = True

    def _evaluate_chunks(self, model, params, columns=None, *, threads=True):
        return self.X.sum_loss_gradient(self.head, model, params, columns, precise=self.precise)

    def _evaluate_chunks_hessian(self, model, params, column_scale=None, *, threads=True):
        return self.X.sum_loss_gradient_hessian(self.head, model, params, column_scale)

    def _evaluate_hessian(self, model, params, column_scale=None):
        # a round trip either way: the loss and gradient come along
        return self._evaluate_chunks_hessian(model, params, column_scale)[2]

    def column_scale(self):
        # from the column sums of squares the chunks reported when loaded
        return column_scale(*self.X.column_moments)


class DaskObjective(_OnDaskRows, Objective):
    """:class:`~sklearn_heads._objective.Objective` of Dask row chunks."""


class DaskLabelwiseObjective(_OnDaskRows, LabelwiseObjective):
    """:class:`~sklearn_heads._objective.LabelwiseObjective` of Dask row chunks."""
