"""A Keras callback that makes training faults visible at once.

With a learning rate that is too large, training can drive weights and biases to
infinity and then NaN. The loss does not always show it: the training curves of
these neuron types (and NengoDL's own for `nengo.LIF`) map a NaN input current
to a rate of 0 with a gradient of 0 (see the documentation page "Numerics and
conventions"), so a network with half of its weights NaN can report a finite
loss, epoch after epoch. `CheckFiniteParameters` checks every trainable variable
after each training batch and raises (or warns) naming the first non-finite one
and, given the simulator, the Nengo objects whose parameters it holds::

    with nengo_dl.Simulator(net) as sim:
        sim.compile(optimizer=..., loss=...)
        sim.fit(x, y, epochs=10, callbacks=[CheckFiniteParameters(sim)])

The check is one reduction per variable per batch (NengoDL merges the
parameters of a network into a few variables), which is small next to a
training step. Importing this module imports TensorFlow.
"""

import warnings

import numpy as np

from nengo_tuning import compat

# before the first use of tf.keras: Keras 2 where TensorFlow ships Keras 3, or a
# later import of nengo_dl would find Keras 3 in use
compat.select_keras2()

import tensorflow as tf


class NonFiniteParametersError(FloatingPointError):
    """A trainable parameter became NaN or infinite during training."""


class NonFiniteParametersWarning(RuntimeWarning):
    """A trainable parameter became NaN or infinite during training."""


class CheckFiniteParameters(tf.keras.callbacks.Callback):
    """Stop ``sim.fit`` as soon as a trainable parameter is NaN or infinite.

    Parameters
    ----------
    sim : nengo_dl.Simulator, optional
        The simulator being trained. If given, the message also names the Nengo
        objects (connections, ensembles) whose parameters are non-finite.
    action : {"raise", "warn"}
        ``"raise"`` (default): raise `NonFiniteParametersError` out of
        ``sim.fit``. ``"warn"``: emit a `NonFiniteParametersWarning` and stop
        training at the end of the batch (the history up to there is kept).

    Attributes
    ----------
    message : str or None
        The description of the fault, once one was found.
    """

    def __init__(self, sim=None, action="raise"):
        super().__init__()
        if action not in ("raise", "warn"):
            raise ValueError(f"action must be 'raise' or 'warn' (got {action!r})")
        self.sim = sim
        self.action = action
        self.message = None

    def on_train_batch_end(self, batch, logs=None):
        variables = self.model.trainable_variables
        finite = [tf.reduce_all(tf.math.is_finite(v)) for v in variables]
        if not finite or bool(tf.reduce_all(tf.stack(finite))):
            return
        self.message = self._describe(batch, variables, finite)
        self.model.stop_training = True
        if self.action == "raise":
            raise NonFiniteParametersError(self.message)
        warnings.warn(self.message, NonFiniteParametersWarning, stacklevel=2)

    def _describe(self, batch, variables, finite):
        index = [bool(f) for f in finite].index(False)
        values = variables[index].numpy()
        n_bad = np.count_nonzero(~np.isfinite(values))
        message = (
            f"non-finite trainable parameters after training batch {batch}: "
            f"variable '{variables[index].name}' holds {n_bad} NaN or infinite "
            f"value(s) of {values.size}"
        )
        objects = self._non_finite_objects()
        if objects:
            message += "; non-finite parameters of " + ", ".join(objects)
        return message + (
            ". Lower the learning rate, or clip gradients (e.g. the optimizer's "
            "clipnorm)."
        )

    def _non_finite_objects(self):
        """``"<object>.<parameter>"`` for each non-finite parameter (with ``sim``)."""
        if self.sim is None:
            return []
        network = self.sim.model.toplevel
        candidates = [(conn, ("weights",)) for conn in network.all_connections] + [
            (ens, ("encoders", "gain", "bias")) for ens in network.all_ensembles
        ]
        found = []
        for obj, names in candidates:
            data = self.sim.data[obj]
            for name in names:
                value = getattr(data, name, None)
                if value is not None and not np.all(np.isfinite(value)):
                    found.append(f"{obj}.{name}")
        return found
