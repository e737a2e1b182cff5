"""The documentation builds with warnings as errors (notebooks executed)."""

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_build_without_warnings(tmp_path):
    html = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
        + [str(DOCS), str(html)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,  # the assertion below shows sphinx's output
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pages = {p.name for p in html.glob("*.html")}
    assert {"index.html", "api.html", "neuron-math.html"} <= pages
    api = (html / "api.html").read_text(encoding="utf-8")
    for name in ("ExactLIF", "SoftLIFRate", "exact_lif_step", "tuning_curves"):
        assert name in api, name
    # the example notebooks are rendered with their (executed) figures
    rendered = list((html / "examples").glob("*.html"))
    assert len(rendered) >= 3
    assert any("<img" in page.read_text(encoding="utf-8") for page in rendered)
