"""Version differences and private APIs of the libraries nengo_tuning builds on.

Everything that depends on a particular version of NengoDL, TensorFlow or Keras,
or that reaches into a private API of theirs, lives in this one module, so a
reader can audit it in one place and a new release breaks only this file.

The module is split in two sections:

* the NengoDL stack: what nengo-dl 3.6.0 needs to import and run on the
  TensorFlow/Keras of each supported Python (see ``docs/compatibility.rst``);
* the NengoDL private API used by the builders (the table of native neuron
  implementations, the ``spiking`` switch, ``smart_cond``).

Importing this module imports neither TensorFlow nor NengoDL.
"""

# --- the NengoDL stack ----------------------------------------------------------


# --- NengoDL private API --------------------------------------------------------


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
    so the converter) works only with Keras 2, so `.keras_activation` calls this
    before it defines its layer: if ``tf-keras`` is installed and the variable
    is not set, it is set to 1. An explicit setting is left alone, and nothing
    changes on TensorFlow <= 2.15 (no ``tf-keras`` needed; the variable is
    ignored there). Imports neither TensorFlow nor Keras.
    """
    import importlib.metadata  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel

    if "TF_USE_LEGACY_KERAS" in os.environ:
        return
    try:
        importlib.metadata.version("tf-keras")
    except importlib.metadata.PackageNotFoundError:
        return
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
