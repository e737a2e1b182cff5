"""The command in odd environments: closed or full streams, odd settings.

Each case runs the command in a fresh interpreter, as a shell would start it,
and checks the exit status, what reaches stderr, and that the report is written.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "nengo_tuning", "smooth", "--sigma", "0.5"]


def _shell(line, tmp_path, **env):
    """Run a shell line (``$COMMAND`` is the command) in ``tmp_path``."""
    command = " ".join(f"'{part}'" for part in COMMAND)
    return subprocess.run(
        ["sh", "-c", line.replace("$COMMAND", command)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**_environment(), **env},
    )


def _environment():
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


def _assert_report(folder):
    assert (folder / "smooth_vs_sharp.png").stat().st_size > 0
    assert "sigma=0.5" in (folder / "summary.md").read_text(encoding="utf-8")


def test_closed_stderr(tmp_path):
    result = _shell("$COMMAND -o rep 2>&-", tmp_path)
    assert result.returncode == 0
    _assert_report(tmp_path / "rep")


def test_closed_stdout(tmp_path):
    result = _shell("$COMMAND -o rep >&-", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    _assert_report(tmp_path / "rep")


def test_stdout_on_dev_full(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    result = _shell("$COMMAND -o rep > /dev/full", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr
    _assert_report(tmp_path / "rep")


def test_stdout_piped_to_head(tmp_path):
    result = _shell("$COMMAND -o rep | head -1; exit $?", tmp_path)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr
    _assert_report(tmp_path / "rep")


def test_an_unknown_matplotlib_backend_is_ignored(tmp_path):
    result = _shell("$COMMAND -q -o rep", tmp_path, MPLBACKEND="nonsense")
    assert result.returncode == 0, result.stderr
    _assert_report(tmp_path / "rep")


def test_ascii_stdout_with_a_non_ascii_output_name(tmp_path):
    result = _shell("$COMMAND -o r\u00e9p\u00f6rt", tmp_path, PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert "UnicodeEncodeError" not in result.stderr
    assert "Report written to" in result.stdout
    _assert_report(tmp_path / "r\u00e9p\u00f6rt")


def test_ascii_stderr_with_a_non_ascii_refusal(tmp_path):
    # a refusal that quotes the name: one line, no UnicodeEncodeError
    (tmp_path / "r\u00e9p").write_text("a file")
    result = _shell("$COMMAND -o r\u00e9p", tmp_path, PYTHONIOENCODING="ascii")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "--output" in line


#: Where the command may write in the user's home (docs/guarantees.rst).
DOCUMENTED_IN_HOME = (".cache/matplotlib", ".config/matplotlib", ".cache/numba")


def _written_under(folder):
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
    )


_REDIRECTS = ("MPLCONFIGDIR", "NUMBA_CACHE_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")


def _run_with_home(tmp_path, **redirects):
    """Run the command with a fresh, empty HOME; return that HOME."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in _environment().items() if k not in _REDIRECTS}
    result = subprocess.run(
        [*COMMAND, "-q", "-o", str(tmp_path / "rep")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**env, "HOME": str(home), **redirects},
    )
    assert result.returncode == 0, result.stderr
    return home


def test_what_the_command_writes_in_home_is_documented(tmp_path):
    home = _run_with_home(tmp_path)
    for name in _written_under(home):
        assert name.startswith(DOCUMENTED_IN_HOME), name


def test_redirected_caches_leave_home_untouched(tmp_path):
    home = _run_with_home(
        tmp_path,
        MPLCONFIGDIR=str(tmp_path / "mpl"),
        NUMBA_CACHE_DIR=str(tmp_path / "numba"),
    )
    assert _written_under(home) == []
