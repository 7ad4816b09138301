"""Sphinx configuration of the sklearn-heads documentation.

Build with ``sphinx-build -W -b html doc doc/_build/html`` after
``pip install ".[docs]"``; the gallery runs every script in ``examples/``.
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
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
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
numpydoc_xref_param_type = False
default_role = "literal"



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
            "../examples/multilabel",
            "../examples/tensorflow",
            "../examples/scaling",
        ]
    ),
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("sklearn_heads",),
    "reference_url": {"sklearn_heads": None},
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
html_sidebars = {page: [] for page in ("index", "install", "user_guide", "migration")}
html_show_sourcelink = False
