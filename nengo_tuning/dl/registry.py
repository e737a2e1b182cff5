"""When the NengoDL builders are registered (without importing NengoDL).

NengoDL looks neuron builders up by exact class in a table of its own (see
``nengo_tuning.compat.register_neuron_builders``); :mod:`.builders`, which
imports TensorFlow and NengoDL, declares which builder builds which type
(``builders.BUILDERS``) and registers them when it is imported. That import
happens once NengoDL is imported, whatever came first:

* ``import nengo_dl`` after ``import nengo_tuning``: the import hook that
  ``import nengo_tuning`` installs
  (:func:`nengo_tuning.compat.install_nengo_dl_import_hook`) calls
  :func:`install_dl_builders` as soon as nengo_dl's own import is done;
* ``import nengo_tuning`` after ``import nengo_dl`` (TensorFlow <= 2.12, or a
  process whose start-up hook prepared nengo_dl): ``import nengo_tuning`` calls
  :func:`install_dl_builders_if_loaded`.

So the builders are in place before any model is built, and ``import
nengo_tuning`` alone never imports TensorFlow. The neuron types know nothing of
NengoDL: creating, unpickling or building one registers nothing.
"""

import sys


def install_dl_builders():
    """Register the nengo_tuning builders with NengoDL (imports NengoDL).

    Only the first call does work (it imports :mod:`.builders`, which registers
    them); there is no need to call it by hand, except in a process that
    imported NengoDL some other way than ``import nengo_dl``.
    """
    # pylint: disable=import-outside-toplevel,unused-import
    from nengo_tuning.dl import builders  # noqa: F401


def install_dl_builders_if_loaded():
    """Register the builders if NengoDL has been imported; otherwise do nothing."""
    if "nengo_dl" in sys.modules:
        install_dl_builders()
