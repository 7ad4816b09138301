"""Packaging for sklearn-heads."""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))


def _read(*parts):
    with open(os.path.join(HERE, *parts), encoding="utf-8") as f:
        return f.read()


VERSION = re.search(
    r'^__version__ = "([^"]+)"', _read("sklearn_heads", "__init__.py"), re.M
).group(1)

# keep the minimum in step with sklearn_heads/_dask/_detect.py; bokeh
# serves distributed's dashboard
DASK = ["dask[array]>=2024.8", "distributed>=2024.8", "bokeh>=3.1"]

setup(
    name="sklearn-heads",
    version=VERSION,
    description=(
        "TensorFlow estimator heads (sigmoid losses, pos_weight, thresholds, "
        "TensorFlow's metrics) as scikit-learn estimators"
    ),
    long_description=_read("README.md"),
    long_description_content_type="text/markdown",
    license="BSD-3-Clause",
    packages=find_packages(include=["sklearn_heads", "sklearn_heads.*"]),
    python_requires=">=3.9",
    install_requires=["numpy", "scipy", "scikit-learn>=1.6", "joblib"],
    extras_require={
        # Dask input: fit, predict and evaluate on row chunks where they
        # live, and joblib's Dask backend for GridSearchCV on a cluster
        "dask": DASK,
        # matplotlib: tests/test_examples.py runs the gallery examples;
        # pandas: DataFrame input (feature_names_in_, no mutation) and
        # scikit-learn's DataFrame estimator checks; Dask: tests/test_dask.py
        # on a LocalCluster
        "test": ["pytest", "hypothesis", "matplotlib", "pandas", *DASK],
        "docs": [
            "sphinx",
            "sphinx-gallery",
            "numpydoc",
            "matplotlib",
            "pydata-sphinx-theme",
            *DASK,  # the gallery runs the Dask example
        ],
    },
    classifiers=[
        "Intended Audience :: Science/Research",
        "License :: OSI Approved :: BSD License",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
