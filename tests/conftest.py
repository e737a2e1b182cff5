"""Fixtures and warning filters shared by the test modules.

Nothing here imports TensorFlow or NengoDL: the modules that need them skip
themselves (``pytest.importorskip``) where the ``dl`` extra is not installed.
"""

import functools
import subprocess
import sys
import textwrap

import nengo
import pytest

#: Warnings that say nothing about nengo_tuning (``filterwarnings`` entries).
IGNORED_WARNINGS = [
    # NengoDL, on every machine without a GPU
    "ignore:No GPU support detected:UserWarning",
]


def pytest_configure(config):
    for entry in IGNORED_WARNINGS:
        config.addinivalue_line("filterwarnings", entry)
    # Hermetic tests: nengo.Simulator would otherwise read and write decoders in
    # the user's cache folder (~/.cache/nengo). A test of the cache itself gives
    # its Model a cache in a temporary folder.
    nengo.rc.set("decoder_cache", "enabled", "False")


@pytest.fixture
def dl_sim():
    """Factory for ``nengo_dl.Simulator`` without a progress bar (needs NengoDL)."""
    nengo_dl = pytest.importorskip("nengo_dl")
    return functools.partial(nengo_dl.Simulator, progress_bar=False)


@pytest.fixture
def run_python():
    """Run Python code in a fresh interpreter; return its stdout (fail on error).

    For what a test process cannot show, such as which modules an import loads.
    With ``check=False`` it returns the finished process instead, whatever its
    exit status (for a test that expects the code to fail).
    """

    def run(code, check=True):
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not check:
            return result
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    return run
