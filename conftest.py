"""Collection rules for ``python -m pytest`` at the repository root.

Dask and ONNX (skl2onnx, onnxruntime) are optional at run time and in the
``test`` extra. Without them the modules that import them (the Dask input
path, the ONNX converter, and their tests) are not collected, so that the
rest of the suite still runs; under CI (``CI`` set) they are always
collected, so that a missing dependency fails loudly instead of skipping
its tests.
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
_HAVE_ONNX = all(importlib.util.find_spec(name) for name in ("skl2onnx", "onnxruntime"))
if not _HAVE_ONNX and not os.environ.get("CI"):
    collect_ignore_glob += ["sklearn_heads/_onnx/_convert.py", "tests/test_onnx.py"]
