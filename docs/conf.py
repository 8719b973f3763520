"""Sphinx configuration of autometa's user guide and API reference (``sphinx-build -W docs docs/_build``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _cli_reference import write_cli_reference  # noqa: E402

import autometa  # noqa: E402

project = "autometa"
author = "the autometa developers"
release = version = autometa.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

myst_heading_anchors = 3
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc shows the types the docstrings give
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"autometa {release}"

# the CLI reference is generated from the argparse parser, so it cannot drift from the code
write_cli_reference(HERE / "_generated" / "cli.md")


def _skip_sklearn_routing(app, what, name, obj, skip, options):  # noqa: ANN001, ANN202
    """scikit-learn's generated ``set_*_request`` methods (metadata routing) belong to its docs, not ours."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):  # noqa: ANN001, ANN201
    app.connect("autodoc-skip-member", _skip_sklearn_routing)
