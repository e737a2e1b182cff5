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
