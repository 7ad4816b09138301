"""Sphinx configuration of the sklearn-heads documentation.

Build with ``sphinx-build -n -W -b html doc doc/_build/html`` after
``pip install ".[docs]"``; the gallery runs every script in ``examples/``.
The build is nitpicky (``nitpicky = True`` below, the same as ``-n``): a
reference that does not resolve, here or in another project's
documentation, is a warning, and ``-W`` makes it an error.
"""

import os
import sys
import warnings

from sphinx_gallery.sorting import ExplicitOrder

HERE = os.path.dirname(os.path.abspath(__file__))
# the package from this checkout, even when an older one is installed
sys.path.insert(0, os.path.dirname(HERE))

import sklearn_heads  # noqa: E402

project = "sklearn-heads"
author = "The sklearn-heads developers"
copyright = "the sklearn-heads developers, BSD-3-Clause"
release = sklearn_heads.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
nitpicky = True
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["custom.css"]

# -- the demo's output, shown on the install page ------------------------------
def _capture_demo_output():
    from sklearn_heads._demo import main

    os.makedirs(os.path.join(HERE, "generated"), exist_ok=True)
    with open(os.path.join(HERE, "generated", "demo_output.txt"), "w") as stream:
        main(stream=stream)


_capture_demo_output()

# -- API reference ---------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc renders each docstring; autosummary/autodoc list the members
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
default_role = "literal"

# -- links to other projects' documentation ----------------------------------
# Each project's own inventory is tried first; when it cannot be fetched (no
# network, as in CI) Sphinx logs that at INFO level and uses the fallback in
# _intersphinx/, written by _intersphinx/make_inventories.py from the
# installed libraries with each site's URL scheme. Regenerate the fallbacks
# after a release of one of these libraries:
#     python doc/_intersphinx/make_inventories.py --python-inventory \
#         /path/to/python3.11-doc/objects.inv
# (the script's docstring says where that file comes from).
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", (None, "_intersphinx/python.inv")),
    "numpy": ("https://numpy.org/doc/stable/", (None, "_intersphinx/numpy.inv")),
    "scipy": ("https://docs.scipy.org/doc/scipy/", (None, "_intersphinx/scipy.inv")),
    "sklearn": ("https://scikit-learn.org/stable/", (None, "_intersphinx/sklearn.inv")),
    "joblib": ("https://joblib.readthedocs.io/en/stable/", (None, "_intersphinx/joblib.inv")),
    "dask": ("https://docs.dask.org/en/stable/", (None, "_intersphinx/dask.inv")),
    "distributed": (
        "https://distributed.dask.org/en/stable/",
        (None, "_intersphinx/distributed.inv"),
    ),
}
# an offline build waits this long (seconds) per site before the fallback
intersphinx_timeout = 5

# -- types in the Parameters/Returns/Attributes of numpydoc docstrings --------
# Every word of a type ("array-like of shape (n_samples,)") becomes a
# cross-reference unless it is an alias or ignored below, so a type naming
# something that does not exist fails the nitpicky build.
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    # scikit-learn's glossary defines its docstring vocabulary
    "array-like": ":term:`array-like <sklearn:array-like>`",
    # warnings and classes named without their module
    "ConvergenceWarning": "sklearn.exceptions.ConvergenceWarning",
    "RandomState": "numpy.random.RandomState",
    # this package's concepts, explained in the user guide
    "head": ":ref:`head <heads>`",
    "Metric": ":ref:`Metric <streaming>`",
}
numpydoc_xref_ignore = {
    # the words of a type description
    "of", "or", "to", "in", "shape", "instance", "shaped", "like", "sparse", "matrix",
    # dimension names in shapes
    "n_samples", "n_features", "n_labels", "n_classes", "n_outputs", "logits_dimension",
}

# References with no documentation to link to (each says why); everything
# else must resolve.
nitpick_ignore = [
    # threadpoolctl publishes no Sphinx documentation (its docs are the
    # README), so there is no inventory to link show_versions' mention to
    ("py:func", "threadpoolctl.threadpool_info"),
    # the serving tools (optional extras) have no inventory in
    # doc/_intersphinx/, so the offline build can name them but not link them
    ("py:class", "onnx.ModelProto"),
    ("py:obj", "onnx.ModelProto"),
    ("py:class", "onnxruntime.InferenceSession"),
    ("py:func", "skl2onnx.to_onnx"),
    ("py:func", "skl2onnx.convert_sklearn"),
    ("py:mod", "skops.io"),
    ("py:func", "skops.io.load"),
    ("py:func", "skops.io.get_untrusted_types"),
]


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document only what this package defines.

    Members inherited from scikit-learn (``get_params``, ``set_params``,
    ``set_fit_request``, ``get_metadata_routing``, ``ClassifierMixin.score``)
    are documented by scikit-learn; their docstrings refer to its pages.
    """
    if what != "class":
        return None
    module = getattr(obj, "__module__", None) or ""
    if isinstance(obj, property):
        module = getattr(obj.fget, "__module__", "") or ""
    if not module.startswith("sklearn_heads"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)


# -- gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "subsection_order": ExplicitOrder(
        [
            "../examples/binary",
            "../examples/multiclass",
            "../examples/multilabel",
            "../examples/regression",
            "../examples/tensorflow",
            "../examples/scaling",
            "../examples/serving",
        ]
    ),
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("sklearn_heads",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "min_reported_time": 1,
    # show what the examples print, not the repr of a last expression
    "capture_repr": (),
}
# the examples print ConvergenceWarnings nowhere, but matplotlib's Agg
# backend warns that plt.show() does nothing; that is expected here
warnings.filterwarnings("ignore", message=".*non-interactive.*", category=UserWarning)

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "sklearn-heads"
# method entries in the page tables of contents: "fit()", not
# "LinearClassifier.fit()"
toc_object_entries_show_parents = "hide"
html_theme_options = {
    "navbar_align": "left",
    "navbar_start": ["navbar-logo"],
    "navbar_persistent": ["search-button"],
    "navbar_end": ["theme-switcher"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# single pages need no section navigation; the API and the gallery keep it
html_sidebars = {
    page: [] for page in ("index", "install", "user_guide", "migration", "whats_new")
}
html_show_sourcelink = False
