"""Lazy, once-only registration of the NengoDL builders (the neuron types' side).

NengoDL looks neuron builders up by exact class in a table of its own (see
``nengo_tuning.compat.register_neuron_builders``). Importing NengoDL (and TensorFlow) is
slow, so ``import nengo_tuning`` never does it; instead the neuron types call
:func:`install_dl_builders_if_loaded` when they are created and when a model is
built (``make_state``). Whatever the user imported or built first, the builders
are in place by the time ``nengo_dl.Simulator`` needs them.

Imports go one way (the pattern of nengo-loihi): :mod:`nengo_tuning.neurons`
imports this module and records, with :func:`nengo_dl_builder`, which builder of
:mod:`.builders` each type uses, by name; only :func:`install_dl_builders`
imports :mod:`.builders`, which imports neither this module nor the types.
"""

import sys

from nengo_tuning import compat

#: Neuron class -> name of its builder class in :mod:`nengo_tuning.dl.builders`
#: (one entry per exact class: NengoDL does not walk the MRO).
BUILDER_NAMES = {}

_installed = False


def nengo_dl_builder(builder_name):
    """Class decorator: NengoDL builds this neuron class with ``builder_name``.

    ``builder_name`` names a class in :mod:`nengo_tuning.dl.builders`.
    """

    def record(neuron_class):
        BUILDER_NAMES[neuron_class] = builder_name
        return neuron_class

    return record


def install_dl_builders():
    """Register the nengo_tuning builders with NengoDL (imports NengoDL).

    Safe to call any number of times; only the first call does work.
    """
    global _installed  # pylint: disable=global-statement
    if _installed:
        return
    from nengo_tuning.dl import builders  # pylint: disable=import-outside-toplevel

    compat.register_neuron_builders(
        {
            neuron_class: getattr(builders, builder_name)
            for neuron_class, builder_name in BUILDER_NAMES.items()
        }
    )
    _installed = True


def install_dl_builders_if_loaded():
    """Register the builders if NengoDL has been imported; otherwise do nothing."""
    if not _installed and "nengo_dl" in sys.modules:
        install_dl_builders()
