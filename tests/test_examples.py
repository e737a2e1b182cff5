"""Every example notebook is executed, so that none can rot.

The docs build executes them (myst-nb), and test_docs.py checks the outputs it
produced; executing them here too would only run each twice. Where the docs
extra is not installed, there is no such build, and the notebooks are executed
here.
"""

import importlib.util

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_outputs import DOCS_BUILD_MODULES, EXAMPLES, assert_outputs_as_shown

#: Whether test_docs.py builds the docs, executing the notebooks.
DOCS_BUILD_EXECUTES = all(importlib.util.find_spec(m) for m in DOCS_BUILD_MODULES)


def test_examples_exist():
    assert len(EXAMPLES) >= 3


if not DOCS_BUILD_EXECUTES:

    @pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
    def test_example_runs(path, tmp_path):
        notebook = nbformat.read(path, as_version=4)
        # the kernel is this interpreter's ipykernel; figures render with Agg
        client = NotebookClient(
            notebook,
            kernel_name="python3",
            timeout=120,
            resources={"metadata": {"path": str(tmp_path)}},
        )
        client.execute()
        assert_outputs_as_shown(notebook)
