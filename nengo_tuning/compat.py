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
