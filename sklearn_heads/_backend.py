"""The one seam where optional input backends plug in.

The estimators ask :func:`input_backend` whether their input belongs to a
backend; for in-memory input the answer is None and nothing optional is
imported. A backend is a module (imported here, lazily, only when its
input is seen) that provides:

``training_rows(estimator, X, y, sample_weight)``
    ``(head, classes, rows)``: the head built from ``y`` through
    ``estimator._target_head``, its classes (or None), and the training
    rows. ``rows`` has ``shape`` and ``dtype``, and the training objective
    of the rows comes from ``rows.make_objective(head, model, alpha,
    labelwise, precise)``; ``rows.all_chunks(function, *args)`` ANDs
    ``function(X, labels, sample_weight, *args)`` over the row chunks.
``map_row_chunks(estimator, method_name, X)``
    The fitted estimator's prediction method over ``X``, lazily.
``evaluate_chunks(estimator, X, y, sample_weight)``
    The fitted estimator's ``evaluate``, streamed over ``X``'s chunks.

The backend calls the estimator (``_target_head``, ``_logits``,
``_update_metrics``) and the head (``_encode_target``, ``_prepare``)
through their interfaces; it imports the neutral modules of the package
(``_validation``, ``_objective``), never the estimators. Adding a backend
is a folder and one entry in :data:`_BACKENDS`.
"""

import importlib

from ._dask._detect import uses_dask

#: ``(detect, module)``: ``detect(X, y, sample_weight)`` says whether the
#: input is the backend's (it must not import the backend's dependencies
#: for input that is not); ``module`` is imported when it is.
_BACKENDS = [(uses_dask, "sklearn_heads._dask._backend")]


def input_backend(X, y=None, sample_weight=None):
    """The backend module for this input, or None for in-memory input.

    Raises
    ------
    TypeError, ImportError
        As the backend's detector raises them: for input that mixes a
        backend's collections with in-memory ``X``, or a backend whose
        optional dependencies are missing (the message says how to install
        them).
    """
    for detect, module in _BACKENDS:
        if detect(X, y, sample_weight):
            return importlib.import_module(module)
    return None
