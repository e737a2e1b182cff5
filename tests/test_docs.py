"""The documentation builds warning-free, offline, with working links.

One Sphinx build (notebooks executed by myst-nb) is shared by the tests below. It
runs with ``-W -n``: a warning or an unresolved reference fails it. The example
notebooks it executes are checked here too (test_examples.py).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_outputs import DOCS_BUILD_MODULES, EXAMPLES, assert_outputs_as_shown

DOCS = Path(__file__).resolve().parent.parent / "docs"

# the docs extra (the theme and the offline MathJax are checked by the build)
for _module in DOCS_BUILD_MODULES:
    pytest.importorskip(_module, reason="the docs extra is not installed")

# (after the check: jupyter_cache comes with myst-nb)
import nbformat
from jupyter_cache import get_cache


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Build the HTML docs once; return the output folder and myst-nb's cache of
    the executed notebooks.

    The cache is new each run, so the build always executes every notebook: it is
    the test run's one execution of them (test_examples.py), and its outputs are
    checked below.
    """
    out = tmp_path_factory.mktemp("docs") / "html"
    jupyter_cache = out.parent / "jupyter"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html"]
        + ["-D", f"nb_execution_cache_path={jupyter_cache}", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,  # the assertion below shows sphinx's output
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, jupyter_cache


@pytest.fixture(scope="module")
def html(build):
    return build[0]


@pytest.fixture(scope="module")
def notebook_cache(build):
    """myst-nb's cache of the executed notebooks, closed after the module.

    jupyter_cache keeps an SQLite database open through SQLAlchemy; left to the
    garbage collector, Python >= 3.13 reports the unclosed connection as a
    ResourceWarning in whichever later test the collection happens to run.
    """
    cache = get_cache(build[1])
    yield cache
    cache.db.dispose()


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_notebook_ran_in_the_build(path, notebook_cache):
    """Each example notebook was executed by the build, without an error, and
    shows its figures once (`notebook_outputs.assert_outputs_as_shown`)."""
    cache = notebook_cache
    # (the docs reach the notebooks through the docs/examples link)
    records = {
        Path(record.uri).resolve(): record for record in cache.list_cache_records()
    }
    assert path.resolve() in records, sorted(records)
    bundle = cache.get_cache_bundle(records[path.resolve()].pk)
    executed = nbformat.from_dict(bundle.nb)
    source = nbformat.read(path, as_version=4)
    # the cache keeps the code cells, with their outputs: the notebook's own code
    code = [cell.source for cell in source.cells if cell.cell_type == "code"]
    assert [cell.source for cell in executed.cells] == code
    assert_outputs_as_shown(executed)


def _pages(html):
    return {
        page.relative_to(html).as_posix(): page.read_text(encoding="utf-8")
        for page in html.rglob("*.html")
        if "_static" not in page.parts and "_modules" not in page.parts
    }


def test_pages_exist(html):
    pages = _pages(html)
    assert {"index.html", "api.html", "neuron-math.html", "contributing.html"} <= set(
        pages
    )
    for name in ("ExactLIF", "SoftLIFRate", "softlif_rate", "tuning_curves"):
        assert name in pages["api.html"], name
    for name in ("exact_lif_step", "FiniteNumberParam", "prepare_nengo_dl"):
        assert name in pages["api-internals.html"], name


def test_cross_references_are_links(html):
    pages = _pages(html)
    index = pages["index.html"]
    # `~nengo_tuning.neurons.ExactLIF` in index.rst: a link, not literal text
    assert 'href="api.html#nengo_tuning.neurons.ExactLIF"' in index
    for text, page in pages.items():
        # the prose, without code blocks (contributing.html shows the syntax)
        prose = re.sub(r"<pre>.*?</pre>", "", page, flags=re.DOTALL)
        visible = re.sub(r"<[^>]+>", "", prose)
        assert "`~" not in visible and "`." not in visible, text
    # links into other projects' docs, from the shipped inventories
    api = pages["api.html"]
    for url in (
        "https://www.nengo.ai/nengo/frontend-api.html#nengo.LIF",
        "https://numpy.org/doc/stable/reference/generated/numpy.ndarray.html",
        "https://docs.python.org/3/library/functions.html#float",
    ):
        assert f'href="{url}' in api, url


def test_pages_load_nothing_from_the_network(html):
    for text, page in _pages(html).items():
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", page):
            assert not re.search(r'(src|href)="(https?:)?//', tag), (text, tag)
    # math is typeset by the MathJax copy in the build folder
    math_page = _pages(html)["neuron-math.html"]
    assert re.search(r'<script[^>]* src="_static/mathjax/tex-chtml.js', math_page)
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_notebooks_rendered_with_each_figure_once(html):
    notebooks = {
        text: page
        for text, page in _pages(html).items()
        if text.startswith("examples/")
    }
    assert len(notebooks) >= 3
    for text, page in notebooks.items():
        images = re.findall(r'<img[^>]*src="([^"]+)"', page)
        assert images, text
        # a returned Figure/Axes shows up as a second image or as its repr
        assert len(images) == len(set(images)), text
        assert not re.search(r"&lt;(Figure|Axes|matplotlib)", page), text
        # each figure says what it shows (myst-nb's default alt text is its path)
        for alt in re.findall(r'<img[^>]*alt="([^"]*)"', page):
            assert len(alt) > 20 and ".png" not in alt, (text, alt)
        # no log noise (TensorFlow's, warnings naming this machine's paths)
        assert 'class="output stderr"' not in page, text
        assert "site-packages" not in page, text


def test_navigation_in_the_order_a_user_needs(html):
    index = _pages(html)["index.html"]
    toctree = index[index.index('class="toctree-wrapper') :]
    links = re.findall(r'class="reference internal" href="([\w-]+)\.html"', toctree)
    order = [
        "getting-started",
        "examples",
        "api",
        "cli",
        "neuron-math",
        "guarantees",
        "benchmarks",
        "compatibility",
        "changes",
        "licence",
    ]
    assert [page for page in links if page in order] == order
    # the header shows the first pages by name, not under "More"
    header = index[index.index("navbar-header-items") :]
    header = header[: header.index("</ul>")]
    assert 'href="getting-started.html"' in header
    assert 'href="api.html"' in header


def test_getting_started_page(html):
    page = re.sub(r"<[^>]+>", "", _pages(html)["getting-started.html"])
    for text in ("pip install", "nengo.Simulator", "ExactLIF", "nengo_dl.Simulator"):
        assert text in page, text
    assert "nengo-tuning" in page
    # the change log and the licence are pages of the site
    pages = _pages(html)
    assert "MIT License" in pages["licence.html"]
    assert "0.2.0" in pages["changes.html"]


def test_notebook_tables_are_tables(html):
    # notebook 04 displays its comparison as a Markdown table
    page = _pages(html)["examples/04-keras-to-spiking-lif.html"]
    # (the code that builds the table shows its header row as a string)
    outside_code = re.sub(r"<pre>.*?</pre>", "", page, flags=re.DOTALL)
    assert re.search(r"<th[^>]*>\s*(<p>)?route", outside_code)
    assert "| route |" not in outside_code


def test_notebooks_can_be_downloaded(html):
    for text, page in _pages(html).items():
        if text.startswith("examples/") and text != "examples.html":
            name = Path(text).with_suffix(".ipynb").name
            assert f'href="{name}"' in page, text
            assert (html / "examples" / name).is_file(), name


def test_options_keep_their_double_hyphens(html):
    # "--n-neurons" in prose must not become "–n-neurons" (an en dash)
    for text, page in _pages(html).items():
        assert not re.search("\u2013[a-z]", page), text
    assert "--n-neurons" in _pages(html)["cli.html"]


def _documented(page):
    """The ids of the objects a page documents, in order."""
    return re.findall(r'<dt class="sig sig-object py" id="([\w.]+)"', page)


def test_api_page_is_the_public_api_by_area(html):
    pages = _pages(html)
    api = _documented(pages["api.html"])
    # the neuron types first (their methods aside), and no internals among them
    classes = [name for name in api if name.count(".") == 2]
    assert classes[:3] == [
        "nengo_tuning.neurons.ExactLIF",
        "nengo_tuning.neurons.SoftLIF",
        "nengo_tuning.neurons.SoftLIFRate",
    ]
    for internal in ("FiniteNumberParam", "compat.", "options.", "report_writer"):
        assert not [name for name in api if internal in name], internal
    # each object is documented once, on one of the two pages
    internals = _documented(pages["api-internals.html"])
    assert not set(api) & set(internals)
    # a Keras layer shows its own parameters, not (*args, **kwargs)
    layer = pages["api.html"].split(
        'id="nengo_tuning.keras.activation.SoftLIFActivation"'
    )
    signature = layer[1][: layer[1].index("</dt>")]
    assert "sigma" in signature and "*args" not in signature


def test_no_value_dumps(html):
    for text in ("api.html", "api-internals.html"):
        page = _pages(html)[text]
        assert " object at 0x" not in page, text
        values = re.findall(
            r'<span class="p">=</span><span class="w"> </span>(.*?)</em>',
            page,
            flags=re.DOTALL,
        )
        for value in values:
            shown = re.sub(r"<[^>]+>", "", value)
            assert len(shown) < 80, (text, shown[:200])
