"""``python -m sklearn_heads``: a demo of the package on bundled data."""

import sys

from ._demo import main

if __name__ == "__main__":
    sys.exit(main())
