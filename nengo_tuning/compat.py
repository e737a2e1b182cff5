"""Version differences and private APIs of the libraries nengo_tuning builds on.

Everything that depends on a particular version of NengoDL, TensorFlow or Keras,
or that reaches into a private API of theirs, lives in this one module, so a
reader can audit it in one place and a new release breaks only this file.

The module is split in three sections:

* the NengoDL stack: what nengo-dl 3.6.0 needs to import and run on the
  TensorFlow/Keras of each supported Python (see ``docs/compatibility.rst``);
* the NengoDL private API used by the builders (the table of native neuron
  implementations, the ``spiking`` switch, ``smart_cond``, the build-time
  ``dt``);
* ``nengo_dl.Converter``'s registry and the Keras 2 choice for the Keras layer.

Importing this module imports neither TensorFlow nor NengoDL.
"""

import os
import sys

# --- the NengoDL stack ----------------------------------------------------------
#
# nengo-dl 3.6.0 (the newest release, 2023) imports and runs unchanged on
# TensorFlow 2.12, which ships Keras 2 as ``keras`` with the module layout
# nengo-dl expects: there, nothing below does anything. Newer TensorFlow needs
# three fixes, applied by :func:`prepare_nengo_dl` just before ``nengo_dl`` is
# first imported (building nengo-dl on Python >= 3.12 is an install matter: see
# the README's set-up):
#
# P2  TF >= 2.16 routes ``tf.keras`` to Keras 3, which nengo-dl cannot use.
#     Keras 2 comes from the ``tf-keras`` package (same minor version as TF) and
#     is selected by the environment variable ``TF_USE_LEGACY_KERAS=1``, read by
#     TF at ``import tensorflow`` and at the first use of ``tf.keras``. This is a
#     switch for the whole process: once NengoDL is imported, ``tf.keras`` is
#     Keras 2 for every library in it (nengo-dl's models are Keras 2 models).
# P3  ``nengo_dl/compat.py`` imports ``Functional`` and ``_build_map`` from
#     ``keras.engine.functional``; Keras 2 now has that module at
#     ``<keras 2>.src.engine.functional``.
# P4  It imports ``BatchNormalizationV1`` and ``BatchNormalizationV2`` from
#     ``keras.layers``; Keras 2 now has them in ``<keras 2>.src.layers``.
#
# ``<keras 2>`` is the ``keras`` package on TF 2.13-2.15 and ``tf_keras`` on
# TF >= 2.16. Versions checked (import, this package's NengoDL tests, Nengo's
# suite on NengoDL): TF 2.12.1 (nothing applied) and TF 2.21.0 with tf-keras
# 2.21.0 (P2-P4). The private TF modules nengo-dl imports otherwise still exist
# in TF 2.21. Nothing else of nengo-dl or Keras is changed.
#
# Import order: :func:`install_nengo_dl_import_hook` (run by
# ``import nengo_tuning``, importing nothing itself) makes the first
# ``import nengo_dl`` call :func:`prepare_nengo_dl`. On TF >= 2.13 a process
# that imports ``nengo_dl`` before ``nengo_tuning`` fails in nengo-dl's own
# import (``No module named 'keras.engine'``): import ``nengo_tuning`` first,
# or call :func:`prepare_nengo_dl` first.

#: The stacks nengo-dl 3.6.0 is tested on, for error messages.
TESTED_NENGO_DL_STACKS = (
    "nengo-dl 3.6.0 with tensorflow 2.12.1 (Python 3.10, 3.11), or with "
    "tensorflow 2.21 and tf-keras 2.21 (Python 3.12, 3.13); "
    'pip install "nengo-tuning[dl]" installs the one for your Python'
)

# Distribution names under which TensorFlow may be installed.
_TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos")

_nengo_dl_prepared = False


def _installed_version(distribution):
    """Return the (major, minor) version of an installed distribution, or None."""
    import importlib.metadata  # pylint: disable=import-outside-toplevel

    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    major, minor = version.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def _tensorflow_version():
    for distribution in _TF_DISTRIBUTIONS:
        version = _installed_version(distribution)
        if version is not None:
            return version
    return None


def nengo_dl_needs_preparing():
    """Whether nengo-dl 3.6.0 can be imported only after :func:`prepare_nengo_dl`.

    True on TensorFlow >= 2.13, where its own ``import nengo_dl`` fails unless
    ``nengo_tuning`` (or :func:`prepare_nengo_dl`) came first. Imports nothing.
    """
    tf_version = _tensorflow_version()
    return tf_version is not None and tf_version >= (2, 13)


def prepare_nengo_dl():
    """Make nengo-dl 3.6.0 importable on the installed TensorFlow.

    Call before the first ``import nengo_dl``; ``import nengo_tuning`` arranges
    this automatically (see :func:`install_nengo_dl_import_hook`). Does nothing
    on TensorFlow <= 2.12 or when called again. On TensorFlow >= 2.16 it sets
    ``TF_USE_LEGACY_KERAS=1``, which makes ``tf.keras`` Keras 2 (``tf_keras``)
    for the whole process.

    Raises
    ------
    ImportError
        If the installed stack cannot run nengo-dl 3.6.0 (no matching
        ``tf-keras``, Keras 3 already selected), with what to install or change.
    """
    global _nengo_dl_prepared  # pylint: disable=global-statement
    if _nengo_dl_prepared or "nengo_dl" in sys.modules:
        return
    tf_version = _tensorflow_version()
    if tf_version is None or tf_version < (2, 13):
        # no TensorFlow (nengo_dl's import says so) or the TF 2.12 stack: nothing
        _nengo_dl_prepared = True
        return

    keras2 = "keras"
    if tf_version >= (2, 16):
        keras2 = "tf_keras"
        _select_keras2(tf_version)

    import importlib  # pylint: disable=import-outside-toplevel

    # P3: serve nengo-dl's ``from keras.engine.functional import ...``. A module
    # found in sys.modules is used as is; Keras 3 has no ``keras.engine``, so no
    # other import can mean Keras 3's module by this name.
    functional = importlib.import_module(f"{keras2}.src.engine.functional")
    sys.modules.setdefault("keras.engine.functional", functional)

    # P4: serve nengo-dl's ``from keras.layers import BatchNormalizationV1, ...``.
    # When a module lacks the attribute, ``from package import name`` falls back
    # to ``sys.modules["package.name"]`` (Python >= 3.7 import semantics), so the
    # two Keras 2 classes are registered there, leaving Keras 3's own
    # ``keras.layers`` namespace untouched.
    layers = importlib.import_module(f"{keras2}.src.layers")
    for name in ("BatchNormalizationV1", "BatchNormalizationV2"):
        sys.modules.setdefault(f"keras.layers.{name}", getattr(layers, name))
    _nengo_dl_prepared = True


def _select_keras2(tf_version):
    """P2: select Keras 2 (``tf_keras``) for ``tf.keras``, or explain why not."""
    keras2_version = _installed_version("tf-keras")
    if keras2_version != tf_version:
        tf_minor = "{}.{}".format(*tf_version)
        found = "tf-keras {}.{}".format(*keras2_version) if keras2_version else "none"
        raise ImportError(
            f"nengo-dl 3.6.0 needs Keras 2 on TensorFlow {tf_minor}, from tf-keras "
            f'{tf_minor} (found: {found}): pip install "tf-keras=={tf_minor}.*". '
            f"Tested: {TESTED_NENGO_DL_STACKS}."
        )
    setting = os.environ.get("TF_USE_LEGACY_KERAS")
    if setting not in (None, "1", "true", "True"):
        raise ImportError(
            f"TF_USE_LEGACY_KERAS={setting} selects Keras 3, which nengo-dl 3.6.0 "
            "cannot use: unset it or set it to 1."
        )
    select_keras2()  # (the one place that sets the variable)

    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    import tf_keras  # pylint: disable=import-outside-toplevel

    # TF resolves tf.keras once, at its first use; if that happened before the
    # variable was set, tf.keras is Keras 3 for the rest of the process
    if tf.keras.layers.Layer is not tf_keras.layers.Layer:
        raise ImportError(
            "tf.keras was already used as Keras 3 in this process, and nengo-dl "
            "3.6.0 needs Keras 2: import nengo_tuning (or set TF_USE_LEGACY_KERAS=1) "
            "before the first use of tf.keras."
        )


class _NengoDLImportHook:
    """Meta path finder that runs :func:`prepare_nengo_dl` at ``import nengo_dl``.

    It finds nothing itself (returns None, so the normal finders import
    nengo_dl) and removes itself after its first use.
    """

    @classmethod
    def find_spec(
        cls, fullname, path=None, target=None
    ):  # pylint: disable=unused-argument
        if fullname == "nengo_dl":
            if cls in sys.meta_path:
                sys.meta_path.remove(cls)
            prepare_nengo_dl()


def install_nengo_dl_import_hook():
    """Run :func:`prepare_nengo_dl` when ``nengo_dl`` is first imported.

    Imports nothing. Called by ``import nengo_tuning``; does nothing if
    ``nengo_dl`` is already imported (as it can be only on TensorFlow <= 2.12,
    or after :func:`prepare_nengo_dl`).
    """
    if "nengo_dl" not in sys.modules and _NengoDLImportHook not in sys.meta_path:
        sys.meta_path.insert(0, _NengoDLImportHook)


# --- NengoDL private API --------------------------------------------------------
# Each function imports NengoDL or TensorFlow only when called. Checked against
# nengo-dl 3.6.0 (with TensorFlow 2.12); a NengoDL release that changes one of
# these breaks only the function concerned.


def register_neuron_builders(builders):
    """Make NengoDL build each neuron class in ``builders`` with its builder.

    NengoDL 3.6.0 (``nengo_dl/neuron_builders.py``, ``SimNeuronsBuilder``) looks a
    neuron type's builder up by exact class, without walking the MRO, in the
    class attribute ``SimNeuronsBuilder.TF_NEURON_IMPL``; a class missing there
    falls back to a slow Python step without gradients, with a warning. The table
    has no public registration API. Idempotent.

    Parameters
    ----------
    builders : dict
        Neuron class -> ``nengo_dl.neuron_builders.TFNeuronBuilder`` subclass.
    """
    # pylint: disable=import-outside-toplevel
    from nengo_dl.neuron_builders import SimNeuronsBuilder

    SimNeuronsBuilder.TF_NEURON_IMPL.update(builders)


def run_step_in_training(builder, run_step):
    """Choose what NengoDL runs for ``builder``'s neurons under ``sim.fit``.

    NengoDL 3.6.0 (``TFNeuronBuilder.build_step``) reads the instance attribute
    ``spiking``: if True it runs ``training_step`` (a rate, state held) in the
    training phase and ``step`` under ``stop_gradient`` otherwise; if False it
    runs ``step`` in both phases, with gradients. Setting it per builder
    instance, after ``build_pre``, is not a documented use of the attribute
    (NengoDL means it as a fixed class property of the neuron type).

    Parameters
    ----------
    builder : nengo_dl.neuron_builders.TFNeuronBuilder
        The builder, during its ``build_pre``.
    run_step : bool
        True: ``step`` runs in training too (and handles the training phase
        itself, see `training_phase_cond`); False: ``training_step`` runs there.
    """
    builder.spiking = not run_step


def simulation_dt(signals):
    """The simulator's ``dt`` as a Python float, at build time.

    NengoDL 3.6.0 passes ``dt`` to a builder's ``step`` as a constant tensor;
    its ``TensorGraph`` also stores the value in the undocumented attribute
    ``signals.dt_val``, which NengoDL's own process and learning-rule builders
    read. A builder needs the value to choose a form of its step.
    """
    return signals.dt_val


def training_phase_cond(training, true_fn, false_fn):
    """``true_fn()`` in NengoDL's training phase, ``false_fn()`` otherwise.

    ``training`` is NengoDL's ``config.training``: a Python bool or a boolean
    tensor (the Keras learning phase). NengoDL 3.6.0 makes this choice with
    TensorFlow's private ``tensorflow.python.framework.smart_cond.smart_cond``,
    which picks a branch at trace time when the condition is known and builds a
    ``tf.cond`` otherwise; we use the same function so that both agree.
    """
    # pylint: disable=import-outside-toplevel
    from tensorflow.python.framework import smart_cond

    return smart_cond.smart_cond(training, true_fn=true_fn, false_fn=false_fn)


# --- nengo_dl.Converter ---------------------------------------------------------
# nengo-dl 3.6.0's converter extension points are class attributes: the registry
# ``Converter.converters`` (Keras layer class -> LayerConverter, by exact class)
# and ``LayerConverter.activation_map`` (activation function -> neuron type).
# ``Converter.register`` warns when a class is registered twice; registering
# through this function instead keeps repeated installs silent. The layer
# classes come from ``tf.keras``, which is Keras 2 on every supported stack
# (``tf_keras`` with ``TF_USE_LEGACY_KERAS=1`` on TensorFlow >= 2.16).


def register_keras_layer_converter(layer_class, converter_class):
    """Make ``nengo_dl.Converter`` convert ``layer_class`` with ``converter_class``.

    Idempotent; imports NengoDL.
    """
    import nengo_dl  # pylint: disable=import-outside-toplevel

    nengo_dl.Converter.converters[layer_class] = converter_class


def select_keras2():
    """Make ``tf.keras`` Keras 2 where TensorFlow would give Keras 3.

    TensorFlow >= 2.16 routes ``tf.keras`` to Keras 3 unless the environment
    variable ``TF_USE_LEGACY_KERAS=1`` selects Keras 2 from the ``tf-keras``
    package; TensorFlow reads it at the first use of ``tf.keras``. NengoDL (and
    so the converter) works only with Keras 2, so `nengo_tuning.keras.activation`
    calls this before it defines its layer: if ``tf-keras`` is installed and the
    variable is not set, it is set to 1. An explicit setting is left alone, and nothing
    changes on TensorFlow <= 2.15 (no ``tf-keras`` needed; the variable is
    ignored there). Imports neither TensorFlow nor Keras.
    """
    if "TF_USE_LEGACY_KERAS" in os.environ:
        return
    if _installed_version("tf-keras") is None:
        return
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
