"""Pytest plugin: hermetic test runs, and the known failures of each stack.

Loaded with ``-p stack_env`` by the project's tests (``setup.cfg``) and by both
Nengo-suite configurations (``suites/nengo``, ``suites/nengo_dl``), first: pytest
imports ``-p`` plugins before the installed ones (pytest-plt imports matplotlib,
pytest_nengo imports nengo), so they all see the fresh ``HOME``.

Hermetic
    Nengo keeps its decoder cache in ``~/.cache/nengo``; a cache written by
    another environment (numpy 2 pickles read by numpy 1) fails tests that have
    nothing to do with it, and a test run must not leave files in the user's
    home either. The session therefore gets a fresh, empty ``HOME`` (removed at
    the end), inherited by pytest-xdist workers and by every subprocess the
    tests start (the command line, notebook kernels, Sphinx); ``nengo.rc``
    points the decoder cache into it even if nengo was imported earlier. The
    suite folders also have a ``nengorc`` that turns the cache off.

Stack conditions
    Tests of Nengo's suite that fail with Nengo's stock neuron types too, on
    one stack only, are added to ``nengo_test_unsupported`` (skipped, with the
    reason) only where that stack's condition holds.
"""

import os
import shutil
import tempfile

_HOME_VARIABLE = "NENGO_TUNING_TEST_HOME"


def _use_fresh_home():
    """Point HOME to this session's fresh folder; True if this process made it."""
    home = os.environ.get(_HOME_VARIABLE)
    made = home is None  # xdist workers and subprocesses inherit the variable
    if made:
        home = tempfile.mkdtemp(prefix="nengo-tuning-test-home-")
        os.environ[_HOME_VARIABLE] = home
    os.environ["HOME"] = home
    return made


# at import, before the other plugins import nengo and matplotlib
_MADE_HOME = _use_fresh_home()

import numpy as np  # after HOME is set

# (condition, Nengo test pattern, reason), for nengo_test_unsupported
_NUMPY_2_4 = tuple(int(part) for part in np.__version__.split(".")[:2]) >= (2, 4)
_NUMPY_2_4_FILT = (
    "numpy >= 2.4 breaks nengo 4.1's Synapse.filt/filtfilt on 1-D signals "
    "(fails with stock nengo neurons too; passes with numpy 2.3)"
)
STACK_UNSUPPORTED = [
    (_NUMPY_2_4, "tests/test_synapses.py::test_" + name, _NUMPY_2_4_FILT)
    for name in (
        "triangle",
        "linearfilter_y0",
        "linearfilter_extras",
        "filt",
        "filtfilt",
    )
]


def pytest_configure(config):
    home = os.environ[_HOME_VARIABLE]
    if _MADE_HOME:
        config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))

    import nengo  # pylint: disable=import-outside-toplevel

    nengo.rc.set(
        "decoder_cache", "path", os.path.join(home, ".cache", "nengo", "decoders")
    )

    for condition, test, reason in STACK_UNSUPPORTED:
        if condition:
            config.addinivalue_line("nengo_test_unsupported", f'{test} "{reason}"')
