"""Collection rules for ``python -m pytest`` at the repository root.

Dask is optional at run time and in the ``test`` extra. Without it the
modules that import it (the Dask input path and its tests) are not
collected, so that the rest of the suite still runs; under CI (``CI`` set)
they are always collected, so that a missing Dask fails loudly instead of
skipping the Dask tests.
"""

import importlib.util
import os

collect_ignore_glob = []
_HAVE_DASK = all(importlib.util.find_spec(name) for name in ("dask", "distributed"))
if not _HAVE_DASK and not os.environ.get("CI"):
    collect_ignore_glob += [
        "sklearn_heads/_dask/_rows.py",
        "sklearn_heads/_dask/_objective.py",
        "sklearn_heads/_dask/_predict.py",
        "tests/test_dask.py",
    ]
