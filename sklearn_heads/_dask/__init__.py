"""Dask input: fit, predict and evaluate on row chunks where they live.

The package reaches this backend through one seam,
``sklearn_heads/_backend.py``: it imports :mod:`._detect` (which does not
import Dask), and :mod:`._backend` only when an estimator is given a Dask
array, so the package works without the optional ``[dask]``
dependencies. Nothing here imports the estimators: the backend calls
them, and their heads, through their interfaces, and imports only the
package's neutral modules (``_validation``, ``_objective``).

* :mod:`._detect`: is an input a Dask collection; import Dask or say how
  to install it.
* :mod:`._backend`: what the seam calls (fit rows, predictions, evaluate).
* :mod:`._rows`: the checked, encoded row chunks of a fit, persisted on
  the workers, and the per-chunk sums of the loss and its gradient.
* :mod:`._objective`: the training objectives on those chunks.
* :mod:`._predict`: lazy predictions and the streaming ``evaluate``.
"""
