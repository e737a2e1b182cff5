"""Every Python example in README.md and docs/*.rst runs as a user would run it.

Which blocks are examples
    README.md: each fenced block whose language is ``python``. docs/*.rst: each
    ``.. code-block:: python`` or ``.. code:: python`` directive, and each literal
    ``::`` block announced by the comment ``.. example: python`` before its
    paragraph.

Blocks that must not run
    A block right after ``<!-- example: skip: REASON -->`` (Markdown) or
    ``.. example: skip: REASON`` (reStructuredText) is shown, not run. Shell
    commands are never run (their language is not Python).

How they run
    Each file's blocks run in order, in one namespace, as a user pasting them into
    one session would, in a fresh interpreter with a fresh ``HOME`` and an empty
    working folder, under a time limit. A traceback names the file and its line.

TensorFlow
    A block that uses TensorFlow or NengoDL is left out where they are not
    installed; the test then runs the file's other blocks and reports the skip,
    with the reason and the lines left out.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.rst"))
#: seconds for one file's blocks (the slowest, README.md, trains a small network)
TIME_LIMIT = 300

PYTHON_LANGUAGES = {"python", "py", "python3"}
MD_FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[\w+-]*)\s*$")
MD_MARKER = re.compile(r"^\s*<!--\s*example:\s*(?P<what>.*?)\s*-->\s*$")
RST_CODE = re.compile(
    r"^(?P<indent> *)\.\. (?:code-block|code|sourcecode)::\s*(?P<language>\S*)\s*$"
)
RST_MARKER = re.compile(r"^\s*\.\. example:\s*(?P<what>.*?)\s*$")
NEEDS_TENSORFLOW = re.compile(
    r"\b(?:tensorflow|nengo_dl|tf\.\w|nengo_tuning\.(?:dl|keras))\b"
)
HAVE_TENSORFLOW = all(
    importlib.util.find_spec(name) is not None for name in ("tensorflow", "nengo_dl")
)


@dataclass
class Block:
    """One code block of a documentation file."""

    path: Path
    line: int  # of the block's first source line, counted from 1
    language: str
    source: str
    skip: str = ""  # the reason given by an ``example: skip`` marker

    @property
    def runs(self):
        return self.language in PYTHON_LANGUAGES and not self.skip

    @property
    def needs_tensorflow(self):
        return bool(NEEDS_TENSORFLOW.search(self.source))

    @property
    def where(self):
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _marker_skip(what, where):
    """The skip reason of an ``example:`` marker ("" for ``python``)."""
    if what == "python":
        return ""
    kind, _, reason = what.partition(":")
    if kind.strip() != "skip" or not reason.strip():
        raise ValueError(f"{where}: write 'example: skip: REASON' or 'example: python'")
    return reason.strip()


def markdown_blocks(path):
    """The fenced code blocks of a Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, marker, i = [], None, 0
    while i < len(lines):
        if match := MD_MARKER.match(lines[i]):
            marker = match["what"]
        elif match := MD_FENCE.match(lines[i]):
            start = i + 1
            i = start
            while not lines[i].strip().startswith("```"):
                i += 1
            source = "\n".join(line[len(match["indent"]) :] for line in lines[start:i])
            where = f"{path.name}:{start}"
            skip = _marker_skip(marker, where) if marker else ""
            blocks.append(Block(path, start + 1, match["language"], source, skip))
            marker = None
        elif lines[i].strip():
            marker = None  # a marker applies to the block right after it
        i += 1
    return blocks


def _indented_body(lines, i, indent):
    """(first line, dedented text) of the block body that starts at or after i."""
    while i < len(lines) and (
        not lines[i].strip() or lines[i].lstrip().startswith(":")  # options
    ):
        i += 1
    start, body = i, []
    while i < len(lines) and (
        not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
    ):
        body.append(lines[i])
        i += 1
    while body and not body[-1].strip():
        body.pop()
    if not body:
        return start, "", i
    depth = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    return start, "\n".join(line[depth:] for line in body), i


def rst_blocks(path):
    """The code directives, and the literal blocks marked as Python, of a file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, marker, i = [], None, 0
    while i < len(lines):
        line = lines[i]
        if match := RST_MARKER.match(line):
            marker, i = match["what"], i + 1
            continue
        if not line.strip():
            i += 1
            continue
        where = f"{path.name}:{i + 1}"
        if code := RST_CODE.match(line):
            # a code directive's body, whatever its language, is not read further
            start, source, i = _indented_body(lines, i + 1, len(code["indent"]))
            skip = _marker_skip(marker, where) if marker else ""
            blocks.append(Block(path, start + 1, code["language"], source, skip))
            marker = None
            continue
        # a paragraph: a literal block follows if it ends with "::"
        first = i
        while i + 1 < len(lines) and lines[i + 1].strip():
            i += 1
        is_directive = lines[first].lstrip().startswith("..")
        if lines[i].rstrip().endswith("::") and not is_directive:
            indent = len(lines[first]) - len(lines[first].lstrip())
            start, source, i = _indented_body(lines, i + 1, indent)
            if marker is not None:
                skip = _marker_skip(marker, where)
                blocks.append(Block(path, start + 1, "python", source, skip))
        else:
            i += 1
        marker = None
    return blocks


def blocks_of(path):
    return markdown_blocks(path) if path.suffix == ".md" else rst_blocks(path)


def _files_with_examples():
    return [path for path in DOC_FILES if any(b.runs for b in blocks_of(path))]


# Runs the blocks (a JSON list of [path, line, source]) in one namespace; each
# block compiled under its file's name and line, so a traceback points at the docs.
DRIVER = """
import json, sys
namespace = {"__name__": "__main__"}
for path, line, source in json.load(open(sys.argv[1], encoding="utf-8")):
    print(f"--- running {path}:{line}", flush=True)
    exec(compile("\\n" * (line - 1) + source, path, "exec"), namespace)
"""


def run_blocks(blocks, folder):
    """Run ``blocks`` in a fresh interpreter in ``folder``; return the process."""
    home = folder / "home"
    work = folder / "work"
    home.mkdir()
    work.mkdir()
    script = folder / "blocks.json"
    script.write_text(
        json.dumps([[str(b.path), b.line, b.source] for b in blocks]), encoding="utf-8"
    )
    env = dict(os.environ, HOME=str(home), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-c", DRIVER, str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )


@pytest.mark.parametrize(
    "path",
    _files_with_examples(),
    ids=[path.relative_to(ROOT).as_posix() for path in _files_with_examples()],
)
def test_examples_run(path, tmp_path):
    blocks = [block for block in blocks_of(path) if block.runs]
    left_out = []
    if not HAVE_TENSORFLOW:
        left_out = [block.where for block in blocks if block.needs_tensorflow]
        blocks = [block for block in blocks if not block.needs_tensorflow]
    if blocks:
        result = run_blocks(blocks, tmp_path)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    if left_out:
        pytest.skip(
            f"TensorFlow and NengoDL are not installed (the dl extra): "
            f"{len(blocks)} blocks ran, these need them: {', '.join(left_out)}"
        )


def test_python_examples_are_found():
    """Each file's Python blocks are collected, and no code block is unlabelled.

    A block without a language would be neither run nor refused; the README and
    the getting-started page must have examples to run.
    """
    for path in DOC_FILES:
        for block in blocks_of(path):
            assert block.language, f"{block.where}: code block without a language"
            assert block.source.strip(), f"{block.where}: empty code block"
    names = {path.name for path in _files_with_examples()}
    assert {"README.md", "getting-started.rst", "keras.rst"} <= names
    readme = [block for block in blocks_of(ROOT / "README.md") if block.runs]
    assert len(readme) >= 3


def test_markers(tmp_path):
    """The collector reads its markers as documented (module docstring)."""
    rst = tmp_path / "page.rst"
    rst.write_text(
        "Title\n=====\n\n.. code-block:: python\n   :caption: one\n\n   a = 1\n"
        "   b = a + 1\n\ntext\n\n.. example: skip: needs a GPU\n\n"
        ".. code-block:: python\n\n   import gpu\n\n.. example: python\n\n"
        "Literal::\n\n    c = 3\n\nAn unmarked literal block::\n\n    not python\n",
        encoding="utf-8",
    )
    blocks = rst_blocks(rst)
    assert [(b.line, b.source, b.skip) for b in blocks] == [
        (7, "a = 1\nb = a + 1", ""),
        (16, "import gpu", "needs a GPU"),
        (22, "c = 3", ""),
    ]
    md = tmp_path / "page.md"
    md.write_text(
        "```python\nx = 1\n```\n\n<!-- example: skip: a sketch -->\n```python\n"
        "model.fit(...)\n```\n\n```bash\npip install .\n```\n",
        encoding="utf-8",
    )
    assert [(b.line, b.language, b.runs) for b in markdown_blocks(md)] == [
        (2, "python", True),
        (7, "python", False),
        (11, "bash", False),
    ]
    assert Block(md, 1, "python", "import nengo_dl\n").needs_tensorflow
    assert not Block(md, 1, "python", "import nengo\n").needs_tensorflow


def test_a_failing_block_names_its_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\nraise RuntimeError(x)\n```\n", encoding="utf-8")
    (tmp_path / "run").mkdir()
    result = run_blocks(markdown_blocks(page), tmp_path / "run")
    assert result.returncode != 0
    assert f'File "{page}", line 3' in result.stderr
