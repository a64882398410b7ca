"""Sphinx configuration: the b12stats user guide, API reference and analyses gallery.

Build (warnings are errors):
``python -m sphinx -W --keep-going -b html docs docs/_build/html``
(``pip install -e ".[docs]"`` first).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))  # document this checkout, not an installed copy

from b12stats import __version__  # noqa: E402

project = "b12stats"
author = "b12stats developers"
copyright = "b12stats developers"
release = __version__
version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_analyses", "Thumbs.db", ".DS_Store"]
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = f"b12stats {release}"

# API reference: one page per public module (modules whose name starts with "_" are
# skipped), generated into docs/api/ by autosummary on every build (see api.rst and
# _templates/autosummary/module.rst): what each module defines and lists in __all__.
autosummary_generate = True
autosummary_imported_members = False
autosummary_ignore_module_all = True  # also lists subpackages, which no __all__ names
autodoc_default_options = {"show-inheritance": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # members are documented by autodoc's :members:
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()  # ruff and review keep the docstrings
nitpicky = False  # cross-references to pandas/numpy types are not resolved offline

# The analyses as a gallery. The scripts write figures/ and analyses/results/ and some run
# power simulations, so the gallery shows their code without running them (set
# B12STATS_DOCS_RUN_ANALYSES=1 to execute them, e.g. for a release; run from the copies, they
# write into docs/figures/ and docs/analyses/results/, not the repository's). They are copied
# into docs/_analyses/ with a gallery header, so analyses/ needs no Sphinx-specific file.
_ANALYSES = DOCS / "_analyses"
shutil.rmtree(_ANALYSES, ignore_errors=True)
_ANALYSES.mkdir()


def _with_rst_title(source: str) -> str:
    """The script with the first line of its docstring underlined (the gallery's title).

    The scripts' docstrings are plain text for researchers; sphinx-gallery takes the
    title of each page from an underlined first line.
    """
    quote = source[:3]
    if quote not in ('"""', "'''"):
        return source
    first, _, rest = source[3:].partition("\n")
    if rest.lstrip("\n").startswith(("===", "---")):
        return source
    title = first.strip().rstrip(".") or "Analysis"
    return f"{quote}{title}\n{'=' * len(title)}\n{rest}"


for script in sorted((ROOT / "analyses").glob("[0-9]*.py")):
    text = _with_rst_title(script.read_text(encoding="utf-8"))
    (_ANALYSES / script.name).write_text(text, encoding="utf-8")
(_ANALYSES / "GALLERY_HEADER.rst").write_text(
    "Analyses\n========\n\n"
    "One script per analysis of the report, runnable on its own from the repository root\n"
    "(``python analyses/NN_name.py``). Each writes its figures into ``figures/`` and its\n"
    "tables into ``analyses/results/``; copy one and edit its calls to extend a model.\n",
    encoding="utf-8",
)

sphinx_gallery_conf = {
    "examples_dirs": [str(_ANALYSES)],
    "gallery_dirs": ["analyses"],
    "filename_pattern": r"/\d\d_",
    "plot_gallery": os.environ.get("B12STATS_DOCS_RUN_ANALYSES", "0") == "1",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "show_signature": False,
}
