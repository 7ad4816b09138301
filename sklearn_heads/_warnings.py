"""Warnings that point at the caller's code, not at library internals."""

import os
import sys
import warnings

import sklearn

# frames in these folders are skipped: this package, and scikit-learn's
# wrappers around ``fit`` (``_fit_context``, meta-estimators)
_SKIPPED = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn)
)


def warn_outside_package(message, category):
    """Warn, attributing the warning to the first frame outside the libraries.

    A fixed ``stacklevel`` breaks whenever the call path changes (a decorator
    on ``fit``, a head called from an estimator or directly); this walks the
    stack instead, as Python 3.12's ``skip_file_prefixes`` does.
    """
    frame, level = sys._getframe(1), 2  # level 1 is this function
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_SKIPPED):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
