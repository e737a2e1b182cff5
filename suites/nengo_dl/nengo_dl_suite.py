"""Pytest plugin for running Nengo's own test suite on NengoDL.

``nengo_dl.tests.make_test_sim`` (the ``nengo_simloader`` that NengoDL's own
setup uses) reads the ``--dtype``, ``--unroll-simulation``, ``--device`` and
``--inference-only`` options, which NengoDL's conftest.py defines. That conftest
is not loaded under ``pytest --pyargs nengo``, so this plugin (loaded with
``-p nengo_dl_suite`` from pytest.ini) defines the same options with NengoDL's
defaults.
"""


def pytest_addoption(parser):
    parser.addoption("--dtype", default="float32", help="NengoDL simulation dtype")
    parser.addoption(
        "--unroll-simulation", default=1, type=int, help="NengoDL unroll_simulation"
    )
    parser.addoption("--device", default=None, help="TensorFlow device")
    parser.addoption(
        "--inference-only", action="store_true", default=False, help="inference only"
    )


def pytest_configure(config):
    # NengoDL warns about its untested Nengo version and a missing GPU; neither
    # is a test result
    config.addinivalue_line("filterwarnings", "ignore:No GPU support detected")
    config.addinivalue_line("filterwarnings", "ignore:This version of NengoDL")
