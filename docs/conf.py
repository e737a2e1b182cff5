"""Sphinx configuration of the nengo_tuning documentation.

Build with warnings as errors, from the repository root::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The example notebooks (``docs/examples`` links to ``../examples``) are executed
by myst-nb on the first build and cached (``docs/_build/.jupyter_cache``), so
later builds are fast; a notebook that raises fails the build.
"""

import nengo_tuning

project = "nengo_tuning"
author = "the nengo_tuning developers"
copyright = "2026, the nengo_tuning developers"
version = release = nengo_tuning.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
root_doc = "index"

# autodoc / numpydoc
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False  # the members are documented by autodoc
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# myst-nb: run the notebooks once, then reuse the cached outputs
nb_execution_mode = "cache"
nb_execution_timeout = 120
nb_execution_raise_on_error = True
nb_execution_show_tb = True
myst_enable_extensions = ["dollarmath", "amsmath"]

html_theme = "alabaster"
html_title = f"nengo_tuning {release}"
