"""BLAS thread limits that are restored exactly, whatever the threads do.

The fits limit BLAS to one thread while they run (the chunk threads take the
place of BLAS's threads, and L-BFGS-B's tiny products gain nothing from
them). threadpoolctl's ``limit`` context restores the values it found when
it was entered, which is wrong when two threads of one process fit at once:
the second finds the first's limit of 1 and "restores" it after the first
has restored the original, leaving BLAS at one thread for the rest of the
process. Here every library's limit is counted: the first holder saves the
original value, the last one restores it, under one lock, for any
interleaving of any of the package's limits.
"""

import contextlib
import functools
import os
import threading

import scipy
from threadpoolctl import ThreadpoolController  # a scikit-learn dependency

_LOCK = threading.Lock()
#: filepath of a held library -> [holders, the original thread count]
_HELD = {}


@functools.lru_cache(maxsize=None)
def _controller():
    return ThreadpoolController()


def blas_libraries():
    """threadpoolctl's controllers of every BLAS loaded (NumPy's, SciPy's)."""
    return tuple(lib for lib in _controller().lib_controllers if lib.user_api == "blas")


@functools.lru_cache(maxsize=None)
def scipy_own_blas():
    """The BLAS that SciPy's wheels bundle, when NumPy has another one.

    L-BFGS-B calls it on vectors and ``2m x 2m`` matrices, far too small to
    gain from threads; but when NumPy bundles a second OpenBLAS (as the pip
    wheels do), the two thread pools compete for the cores and each
    L-BFGS-B step can wait milliseconds for a thread. Only SciPy's own copy
    is selected, so NumPy's products in the objective keep their threads;
    when NumPy and SciPy share one BLAS, nothing is selected.
    """
    root = os.path.dirname(os.path.abspath(scipy.__file__))
    prefixes = (root + os.sep, root + ".libs" + os.sep)
    return tuple(
        lib for lib in blas_libraries() if lib.filepath and lib.filepath.startswith(prefixes)
    )


@contextlib.contextmanager
def single_threaded(libraries):
    """Limit ``libraries`` to one thread; the last holder restores them.

    Parameters
    ----------
    libraries : sequence of threadpoolctl library controllers
    """
    with _LOCK:
        for lib in libraries:
            held = _HELD.get(lib.filepath)
            if held is None:
                held = _HELD[lib.filepath] = [0, lib.num_threads]
                lib.set_num_threads(1)
            held[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            for lib in libraries:
                held = _HELD[lib.filepath]
                held[0] -= 1
                if held[0] == 0:
                    del _HELD[lib.filepath]
                    lib.set_num_threads(held[1])


def thread_limits(libraries):
    """The thread count of each library, as it is outside the package's limits.

    A limit set by the user (threadpoolctl, joblib's workers) shows; one
    that a fit in another thread holds right now does not.
    """
    with _LOCK:
        return [
            _HELD[lib.filepath][1] if lib.filepath in _HELD else lib.num_threads
            for lib in libraries
        ]
