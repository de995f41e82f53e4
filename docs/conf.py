"""Sphinx configuration for the skgen documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``; the
gallery runs every ``examples/plot_*.py`` during the build.
"""

import os
import re
import sys
from pathlib import Path

# The gallery trains small networks on a machine that may be shared: one
# thread each for torch and BLAS is fastest there (see the AutoEncoder's Notes)
# and keeps the build from oversubscribing the cores. Set before anything
# imports numpy or torch; skgen reads it again at every fit. An
# OMP_NUM_THREADS already in the environment wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import skgen  # noqa: E402

# -- Project ---------------------------------------------------------------

project = "skgen"
author = "The skgen developers"
copyright = "The skgen developers, BSD 3-Clause licence"
release = skgen.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"

# No intersphinx: the build machines reach no documentation sites, and a
# failed inventory fetch is a warning, which -W turns into an error.
# References to scikit-learn, imbalanced-learn and skorch therefore render as
# plain names. Sphinx only warns about unresolved Python references when
# nitpicky is on, so it stays off.
nitpicky = False

# -- autodoc, autosummary and numpydoc -----------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"

# The class template lists the methods itself (see _templates/class.rst).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# "Examples" code in docstrings is shown as written; the test suite runs it
# (pytest --doctest-modules).
numpydoc_use_plots = False
numpydoc_xref_param_type = False

# -- sphinx-gallery ------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # Write, for every skgen object, the examples that use it; the API pages
    # show them through the minigallery directive.
    "doc_module": ("skgen",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "gallery_order.ExampleOrder",
    # An example that raises fails the build, once all examples have run.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "min_reported_time": 0,
    "show_memory": False,
    "download_all_examples": False,
    "remove_config_comments": True,
}

# -- HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skgen {release}"
html_theme_options = {
    "github_url": "https://github.com/skgen/skgen",
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"install": [], "quickstart": [], "benchmarks": [], "changelog": []}
html_show_sourcelink = False

# -- MyST ----------------------------------------------------------------------

myst_heading_anchors = 3

# -- Docstring fixes at build time ---------------------------------------------

# Inherited scikit-learn and imbalanced-learn methods (set_output,
# get_metadata_routing, ...) point into those projects' user guides with
# :ref:. Without intersphinx such a label cannot resolve, and Sphinx warns
# about every undefined label, so in *their* docstrings only the link text
# is kept. skgen's own docstrings are left alone: an undefined label there is
# a real error.
THIRD_PARTY_MODULES = ("sklearn", "imblearn", "skorch")
REF_ROLE = re.compile(r":ref:`(?:([^`<]*?)\s*<[^`>]+>|([^`<]+))`")


def _third_party_refs_as_text(app, what, name, obj, options, lines):
    """Replace ``:ref:`text <label>``` by ``text`` in third-party docstrings."""
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] in THIRD_PARTY_MODULES:
        lines[:] = [
            REF_ROLE.sub(lambda m: m.group(1) or m.group(2), line) for line in lines
        ]


def setup(app):
    # Before numpydoc (priority 500), which turns the sections into rST.
    app.connect("autodoc-process-docstring", _third_party_refs_as_text, priority=400)
