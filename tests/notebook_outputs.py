"""What an executed example notebook must show: no error, a figure, each once.

Used on the notebooks the docs build executed (test_docs.py), or, where the docs
extra is not installed, on notebooks executed by test_examples.py itself: either
way every notebook runs once per test run.
"""

from pathlib import Path

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.ipynb"))

#: The modules of the docs extra that test_docs.py's build needs.
DOCS_BUILD_MODULES = ("sphinx", "numpydoc", "myst_nb")


def assert_outputs_as_shown(notebook):
    """Assert that ``notebook`` (executed) ran cleanly and shows its figures once."""
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells and all(cell.get("execution_count") for cell in code_cells)
    outputs = [output for cell in code_cells for output in cell.get("outputs", [])]
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
