"""Whether an input is a Dask collection, without importing Dask."""

import re

#: The oldest Dask release the Dask input is tested with (``setup.py``'s
#: ``dask`` extra asks for it too).
MIN_DASK_VERSION = (2024, 8)

#: The command that installs the optional Dask dependencies (``dask[array]``,
#: ``distributed``, ``bokeh``), run in a checkout of the repository: the
#: package is installed from its source, not from a package index.
INSTALL_COMMAND = 'pip install ".[dask]"'

#: How to install them: the ``dask`` extra from a checkout, or Dask alone
#: (all that Dask input needs) from anywhere.
INSTALL_HINT = (
    f"from a checkout of sklearn-heads with {INSTALL_COMMAND}, or Dask alone "
    'with pip install "dask[array]>=%d.%d"' % MIN_DASK_VERSION
)


def is_dask_collection(x):
    """Whether ``x`` is a Dask collection (array, data frame, delayed...).

    Dask's collection protocol, checked on the type (not through
    ``__getattr__``) so that neither Dask nor ``x``'s computation is
    touched.
    """
    method = getattr(type(x), "__dask_graph__", None)
    if method is None:
        return False
    try:
        return x.__dask_graph__() is not None
    except Exception:  # a collection that cannot even build its graph
        return True


def _version_tuple(version):
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


def import_dask(what="X"):
    """Import Dask (and ``dask.array``), or say how to install it.

    Raises
    ------
    ImportError
        When Dask, or a recent enough Dask, is not installed.
    """
    try:
        import dask
        import dask.array  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{what} is a Dask collection, and Dask input needs the optional Dask "
            f"dependencies, which are not installed ({exc}). Install them {INSTALL_HINT}."
        ) from exc
    if _version_tuple(dask.__version__) < MIN_DASK_VERSION:
        minimum = ".".join(map(str, MIN_DASK_VERSION))
        raise ImportError(
            f"Dask input needs dask >= {minimum}; dask {dask.__version__} is "
            f"installed. Upgrade it {INSTALL_HINT}."
        )
    return dask


def uses_dask(X, y=None, sample_weight=None):
    """Whether ``(X, y, sample_weight)`` is Dask input (then Dask is imported).

    ``X`` decides: a Dask ``X`` takes in-memory ``y`` and ``sample_weight``
    (they are chunked like ``X``), while an in-memory ``X`` with a Dask
    ``y`` or ``sample_weight`` is refused rather than computed silently.

    Raises
    ------
    TypeError
        For a Dask ``y`` or ``sample_weight`` with an in-memory ``X``.
    ImportError
        For Dask input without the optional Dask dependencies.
    """
    if is_dask_collection(X):
        import_dask("X")
        return True
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if is_dask_collection(value):
            raise TypeError(
                f"{name} is a Dask collection but X is not. Pass X as a Dask array "
                "too (dask.array.from_array(X, chunks=...)) to work on row chunks "
                f"where they live, or compute {name} (with .compute()) to work in "
                "memory."
            )
    return False
