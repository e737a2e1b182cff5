"""Lazy, once-only registration of the NengoDL builders.

NengoDL looks neuron builders up by exact class in
``SimNeuronsBuilder.TF_NEURON_IMPL``. Importing NengoDL (and TensorFlow) is slow,
so ``import nengo_tuning`` never does it; instead the neuron types call
:func:`install_dl_builders_if_loaded` when they are created and when a model is
built (``make_state``). Whatever the user imported or built first, the builders
are in place by the time ``nengo_dl.Simulator`` needs them.
"""

import sys

_installed = False


def install_dl_builders():
    """Register the nengo_tuning builders with NengoDL (imports NengoDL).

    Safe to call any number of times; only the first call does work.
    """
    global _installed  # pylint: disable=global-statement
    if _installed:
        return
    from nengo_tuning import neuron_builders  # pylint: disable=import-outside-toplevel

    neuron_builders.register_builders()
    _installed = True


def install_dl_builders_if_loaded():
    """Register the builders if NengoDL has been imported; otherwise do nothing."""
    if not _installed and "nengo_dl" in sys.modules:
        install_dl_builders()
