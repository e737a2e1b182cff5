"""Execute every example notebook, so that none can rot."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.ipynb"))


def test_examples_exist():
    assert len(EXAMPLES) >= 3


def _outputs(notebook):
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]


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
    outputs = _outputs(notebook)
    assert not [output for output in outputs if output.output_type == "error"]
    # every notebook shows at least one figure
    assert [output for output in outputs if "image/png" in output.get("data", {})]
    # and each figure once: the inline backend displays it when the cell ends, so a
    # cell must not also return it (or an Axes, a Legend...) as its value
    values = [output for output in outputs if output.output_type == "execute_result"]
    for value in values:
        assert "image/png" not in value.data, value
        assert "matplotlib" not in value.data.get("text/plain", ""), value
        assert not value.data.get("text/plain", "").startswith("<Axes"), value
