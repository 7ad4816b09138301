"""The Dask backend: what ``sklearn_heads._backend`` calls for Dask input.

See ``sklearn_heads/_backend.py`` for the contract.
"""

from ._predict import evaluate_chunks, map_row_chunks
from ._rows import training_rows

__all__ = ["evaluate_chunks", "map_row_chunks", "training_rows"]
