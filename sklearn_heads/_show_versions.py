"""``show_versions``: what to paste into a bug report."""

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from threadpoolctl import threadpool_info

#: Distributions whose versions a bug report needs: the package, what it
#: needs at run time, then its optional extras (``dask``, ``test``, ``docs``).
_DEPENDENCIES = (
    "sklearn-heads",
    "numpy",
    "scipy",
    "scikit-learn",
    "threadpoolctl",
    "dask",
    "distributed",
    "pandas",
    "matplotlib",
    "pytest",
    "hypothesis",
)


def _versions():
    """``{distribution: version or None}`` of :data:`_DEPENDENCIES`."""
    found = {}
    for name in _DEPENDENCIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    if found["sklearn-heads"] is None:  # imported from a checkout, not installed
        from . import __version__

        found["sklearn-heads"] = f"{__version__} (not installed: imported from source)"
    return found


def show_versions():
    """Print the versions of the system, of the dependencies and of BLAS.

    What a bug report needs: Python and the platform, this package and the
    packages it uses (``None`` for optional ones that are not installed),
    and the BLAS and OpenMP libraries NumPy and SciPy run on, with their
    thread counts (from :func:`threadpoolctl.threadpool_info`), as
    :func:`sklearn.show_versions` reports them.

    Examples
    --------
    >>> import sklearn_heads
    >>> sklearn_heads.show_versions()  # doctest: +SKIP
    """
    print("\nSystem:")
    system = {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }
    for key, value in system.items():
        print(f"{key:>14}: {value}")

    print("\nPython dependencies:")
    for name, found in _versions().items():
        print(f"{name:>14}: {found}")

    print("\nThreadpoolctl info:")
    for library in threadpool_info():
        print()
        for key, value in library.items():
            print(f"{key:>14}: {value}")
