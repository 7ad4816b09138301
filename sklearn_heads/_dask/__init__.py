"""Dask input: fit, predict and evaluate on row chunks where they live.

Only :mod:`._detect` is imported by the rest of the package, and it does
not import Dask: the package works without the optional ``[dask]``
dependencies, and the other modules here are imported when an estimator
is given a Dask array.

* :mod:`._detect`: is an input a Dask collection; import Dask or say how
  to install it.
* :mod:`._rows`: the checked, encoded row chunks of a fit, persisted on
  the workers, and the per-chunk sums of the loss and its gradient.
* :mod:`._objective`: the training objectives on those chunks.
* :mod:`._predict`: lazy predictions and the streaming ``evaluate``.
"""
