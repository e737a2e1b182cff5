"""Sphinx configuration of the nengo_tuning documentation.

Build with warnings as errors and every reference checked, from the repository
root::

    sphinx-build -W --keep-going -n -b html docs docs/_build/html

The build needs no network: links into the documentation of Python, numpy,
matplotlib, Nengo and NengoDL come from the small inventories in
``docs/_intersphinx`` (see its README), and MathJax is served from the build
folder when ``sphinx-mathjax-offline`` is installed (the ``docs`` extra).

The example notebooks (``docs/examples`` links to ``../examples``) are executed
by myst-nb on the first build and cached (``docs/_build/.jupyter_cache``), so
later builds are fast; a notebook that raises fails the build.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

from sphinx.util.inspect import signature as inspect_signature
from sphinx.util.inspect import stringify_signature

import nengo_tuning

project = "nengo_tuning"
author = "the nengo_tuning developers"
copyright = "2026, the nengo_tuning developers"
version = release = nengo_tuning.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]
# MathJax from the build folder instead of a CDN, so formulas render offline.
# The package's import name has hyphens; without it, pages load MathJax online.
if importlib.util.find_spec("sphinx-mathjax-offline") is not None:
    extensions.append("sphinx-mathjax-offline")

source_suffix = {".rst": "restructuredtext", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_intersphinx", "**/.ipynb_checkpoints"]
root_doc = "index"
templates_path = ["_templates"]
html_static_path = ["_static"]

# `name` (single backquotes) is a link to a Python object, as in Nengo's docs:
# `~nengo_tuning.neurons.ExactLIF`, `.gain_bias`, `nengo.LIF`.
default_role = "py:obj"

# Every reference must resolve: an unresolved one is a warning, and -W makes it an
# error. Each ignored target says why it cannot be a link.
nitpicky = True
nitpick_ignore = []

# Links into other projects' docs. The inventories are small text files kept in
# docs/_intersphinx (Sphinx's inventory format 1: "name type page" per line, the
# anchor being the name): the build reads no network, so it never hangs or fails
# offline. They list the objects these docs refer to; add a line when a new
# reference to another project's object is written.
intersphinx_mapping = {
    name: (url, f"_intersphinx/{name}.inv")
    for name, url in {
        "python": "https://docs.python.org/3/",
        "numpy": "https://numpy.org/doc/stable/",
        "matplotlib": "https://matplotlib.org/stable/",
        "nengo": "https://www.nengo.ai/nengo/",
        "nengo_dl": "https://www.nengo.ai/nengo-dl/",
        # not a Sphinx site: its pages have no per-object anchors
        "tensorflow": "https://www.tensorflow.org/api_docs/python/",
    }.items()
}

# autodoc / numpydoc
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Without the dl extra (TensorFlow has no wheels for some Pythons), the backend
# modules are documented from stand-ins for TensorFlow and NengoDL.
autodoc_mock_imports = [
    name
    for name in ("tensorflow", "nengo_dl")
    if importlib.util.find_spec(name) is None
]
# Signatures show defaults as written (xp=np), not as repr (a module and its path).
autodoc_preserve_defaults = True
# A method documents itself or not at all: the builders' NengoDL hooks (build_pre,
# step, training_step) would otherwise repeat NengoDL's own text, whose references
# are relative to nengo_dl and cannot resolve here; their base class links to it.
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False  # the members are documented by autodoc
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# myst-nb: run the notebooks once, then reuse the cached outputs
nb_execution_mode = "cache"
# per cell: notebook 04's comparison cell took over 120 s on a loaded 2-core machine
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# stderr is log noise here (TensorFlow's C++ logs, version warnings with the paths of
# the machine that built the docs); what a notebook shows is on stdout and in figures
nb_output_stderr = "remove"
# a Markdown output (IPython.display.Markdown) may hold a table
nb_render_markdown_format = "myst"
# one box for a cell's printed output, however many writes it took
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]

# Quotes and ellipses become typographic, dashes stay as typed: "--n-neurons" in
# prose must not turn into an en dash that a user would copy into a command.
smartquotes_action = "qe"

# A wide theme for API pages: code and notebook cells scroll instead of being cut.
html_theme = "pydata_sphinx_theme"
html_title = f"nengo_tuning {release}"
html_theme_options = {
    # the header: the pages a user needs first, the rest under "More"
    "header_links_before_dropdown": 5,
    "navbar_align": "left",
    "navbar_persistent": [],
    "navbar_end": ["search-button", "theme-switcher"],
    "logo": {"text": "nengo_tuning"},  # the version is in the footer
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    # a notebook's page links to the notebook file (notebook_download, below)
    "article_header_end": ["notebook-download"],
    "footer_start": ["copyright"],
    "footer_center": ["version"],
    "footer_end": ["sphinx-version"],
}
# No left sidebar: the top bar reaches every page, "previous"/"next" walk through
# the examples, and the page is left wide enough for 88-column code.
html_sidebars = {"**": []}
html_css_files = ["nengo_tuning.css"]
html_show_sourcelink = False


def public_name(cls):
    """The name under which another project documents ``cls``, or None.

    Nengo and NengoDL document the classes they export at the top level under that
    name (``nengo.LIF``, not ``nengo.neurons.LIF``); Keras classes are documented
    as ``tf.keras`` classes (``tf.keras.layers.Layer``, whatever Keras package or
    stand-in defines them).
    """
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__name__", "")
    package_name = module.split(".")[0]
    if package_name in ("nengo", "nengo_dl"):
        if getattr(sys.modules.get(package_name), name, None) is cls:
            return f"{package_name}.{name}"
    elif package_name in ("keras", "tf_keras") and "tensorflow" in sys.modules:
        keras = sys.modules["tensorflow"].keras
        for namespace in ("", "layers.", "callbacks.", "models."):
            holder = keras
            for part in namespace.split(".")[:-1]:
                holder = getattr(holder, part)
            if getattr(holder, name, None) is cls:
                return f"tf.keras.{namespace}{name}"
    elif package_name == "tensorflow":  # an autodoc stand-in, without the dl extra
        return f"tf{module[len('tensorflow'):]}.{name}"
    return None


def public_bases(app, name, obj, options, bases):
    """Name each base class in "Bases:" the way its documentation does.

    A private base (``_TuningBuilder``) gives way to its own bases, and another
    project's class is named as that project documents it (`public_name`).
    """
    public = []
    for base in bases:
        if isinstance(base, type) and base.__name__.startswith("_"):
            public.extend(b for b in base.__bases__ if b not in public)
        else:
            public.append(base)
    for i, base in enumerate(public):
        documented_as = public_name(base)
        if documented_as is not None:
            public[i] = f":py:class:`{documented_as}`"
    bases[:] = public


def resolve_reexport(app, env, node, contnode):
    """Link a name that a module re-exports to where its object is documented.

    ``nengo_tuning.ExactLIF`` is documented as ``nengo_tuning.neurons.ExactLIF``,
    and a constant imported from ``nengo_tuning.math`` as documented there; a reference
    to the other name keeps its text and links to the documented one.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    module_name, _, name = target.rpartition(".")
    module = sys.modules.get(module_name)
    if module_name.split(".")[0] != "nengo_tuning" or module is None:
        return None
    obj = getattr(module, name, None)
    if obj is None:
        return None
    domain = env.get_domain("py")
    for documented in domain.objects:
        home, _, documented_name = documented.rpartition(".")
        if documented_name != name or documented == target:
            continue
        if getattr(sys.modules.get(home), name, None) is obj:
            return domain.resolve_xref(
                env,
                node["refdoc"],
                app.builder,
                node["reftype"],
                documented,
                node,
                contnode,
            )
    return None


def notebook_download(app, pagename, templatename, context, doctree):
    """Copy a notebook next to its page, for the page's download link.

    Sets ``notebook_download`` (the file's name) in the page's template context;
    ``_templates/notebook-download.html`` shows the link.
    """
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".ipynb":
        return
    target = Path(app.outdir, pagename).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    context["notebook_download"] = target.name


def constructor_signature(app, what, name, obj, options, signature, annotation):
    """Show a class's own ``__init__`` parameters, not ``(*args, **kwargs)``.

    Keras layers inherit ``Layer.__new__(cls, *args, **kwargs)``, which autodoc
    prefers to the class's ``__init__`` (`SoftLIFActivation` would show no
    parameters at all).
    """
    if what != "class" or signature != "(*args, **kwargs)":
        return None
    init = obj.__dict__.get("__init__")
    if init is None:
        return None
    parameters = inspect_signature(init, bound_method=True)
    return stringify_signature(parameters, show_annotation=False), annotation


def setup(app):
    app.connect("autodoc-process-signature", constructor_signature)
    app.connect("html-page-context", notebook_download)
    app.connect("autodoc-process-bases", public_bases)
    app.connect("missing-reference", resolve_reexport)
