"""Packaging for sklearn-heads: the metadata is in ``pyproject.toml``.

This file only lets tools that still look for ``setup.py`` build the
package; ``pip install .`` reads ``pyproject.toml``.
"""

from setuptools import setup

setup()
