"""NengoDL builders: the nengo_tuning neuron types in native TensorFlow.

NengoDL runs a neuron type natively only if it finds a builder for the type's
exact class in its table of native implementations; otherwise it falls back to
a slow Python loop that passes no gradients. Importing this module puts the
builders below into that table (:data:`BUILDERS`); :mod:`.registry` says when
that import happens (as soon as NengoDL is imported). Users do not import this
module. Importing it imports TensorFlow and NengoDL.

Imports go one way: this module uses the neuron types, the math
(:mod:`nengo_tuning.math`, :mod:`.tf_namespace`), the kernels, NengoDL and
``nengo_tuning.compat`` (where every NengoDL private API that it relies on is
wrapped); nothing below the ``dl`` layer imports it.

No formula is written here: the builders call the ``_xp`` functions of
:mod:`nengo_tuning.math` and :mod:`nengo_tuning.kernels` with
:data:`.tf_namespace.tf_xp`, a numpy-like namespace over TensorFlow, so NengoDL
runs the very code that the numpy neuron types run.

Behaviour under NengoDL
-----------------------
`.SoftLIFRate`
    Its rate curve, forward and backward, in inference and training. The
    gradient is :func:`~nengo_tuning.math.softlif.softlif_rate_derivative_xp`
    (finite everywhere), attached with ``tf.custom_gradient``.
`.ExactLIF`
    Exact multi-spike steps
    (:func:`~nengo_tuning.kernels.lif_xp.exact_lif_step_xp`) in inference, the
    same spike counts as `nengo.Simulator`. Under ``sim.fit`` it outputs
    the LIF rate curve and holds its state, as NengoDL does for `nengo.LIF`.
    The LIF curve's slope is infinite at threshold (``J -> 1+``), so the
    gradient is the LIF slope evaluated at ``max(J - 1, LIF_GRAD_MIN_J)``
    (:data:`nengo_tuning.math.lif.LIF_GRAD_MIN_J` = 1e-3 units of current): exact above
    ``1 + 1e-3``, capped at about 25 times the slope at ``J = 2`` just above
    threshold, 0 below threshold. Neurons below threshold get no gradient, as
    with `nengo.LIFRate`; use `.SoftLIF` if that stalls training.
`.SoftLIF`
    Exact spikes in inference. Under ``sim.fit``:

    * ``train_forward="rates"`` (default): the SoftLIF curve forward and
      backward, state held. Fast, smooth, and the right choice for most
      training, in particular with small ``dt`` and high rates, where the spikes
      average out to the rates.
    * ``train_forward="spikes"``: the exact spikes forward (with state updates,
      so the loss sees spike noise and the effect of ``dt``), the SoftLIF
      derivative backward. Output ``spikes + (rate - stop_gradient(rate))``:
      its value is exactly the spike output, its gradient the rate's. Use it to
      fine-tune a network that will run with few spikes per example (low rates,
      large ``dt``, short presentations), typically after training with
      ``"rates"``; it needs ``sim.fit`` over several time steps per example
      (an output from one step is a spike count, not a rate).

    The option is per neuron type instance, so per ensemble: NengoDL merges
    ensembles of one type into one op, and the builder applies each neuron's own
    setting.
`.ExactAdaptiveLIF`
    Exact multi-spike steps with adaptation
    (:func:`~nengo_tuning.kernels.adaptive_lif_xp.exact_adaptive_lif_step_xp`)
    in inference: the same spike counts as `nengo.Simulator`, in float64 and
    (in the tests) in float32. The step's data-dependent loops (one iteration
    per spike, the crossing refinement, the floor's two phases) and skips run
    as ``tf.while_loop`` and ``tf.cond`` through the namespace's ``while_any``
    and ``if_any`` (:func:`~nengo_tuning.math.adaptive_lif.while_any_xp`),
    compiled with XLA: the loop bodies are the numpy type's own. The step takes
    the parameters as Python numbers, so merged ensembles with different
    parameters are stepped one parameter set at a time, each on its slice of
    neurons. A neuron that would fire more than
    :data:`~nengo_tuning.kernels.adaptive_lif_xp.MAX_RESOLVED_SPIKES` spikes in
    a step (``tau_ref`` below ``dt / 1023``, or 0 with a huge current) makes the
    run fail with a ``tf.errors.InvalidArgumentError`` saying so (the numpy
    type raises a ``SimulationError``): there is no meaningful result to go on
    with.

    Under ``sim.fit`` it runs the rate dynamics with adaptation: the output is
    the LIF rate of ``J - n`` (with `.ExactLIF`'s capped slope as gradient),
    and ``n`` follows ``tau_n dn/dt = inc_n * rate - n`` with the rate held
    over the step, integrated exactly
    (:func:`~nengo_tuning.math.adaptive_lif.rate_driven_adaptation_xp`; its
    mean is the spikes' ``inc_n * amplitude / tau_n`` per spike, and as
    ``dt -> 0`` it is `nengo.AdaptiveLIFRate`'s update). Gradients flow through
    the adaptation from step to step; voltage and refractory time are held.
"""

import numpy as np
import tensorflow as tf
from nengo_dl.neuron_builders import TFNeuronBuilder

from nengo_tuning import compat
from nengo_tuning.dl import tf_namespace
from nengo_tuning.dl.tf_namespace import lif_rate_tf, softlif_rate_tf, tf_xp
from nengo_tuning.kernels import adaptive_lif_xp, lif_xp
from nengo_tuning.math.adaptive_lif import CROSSING_RTOL, rate_driven_adaptation_xp
from nengo_tuning.neurons import ExactAdaptiveLIF, ExactLIF, SoftLIF, SoftLIFRate


def compiled_steps(step):
    """``step(J, dt, *state)`` compiled with XLA: as it is, and as one task.

    The second runs ``step`` as a branch of ``tf.switch_case`` (see
    ``_one_task_on_cpu``); its other branch, taken only if ``dt <= 0`` (never in a
    simulator), returns zeros and the state unchanged. The index depends on
    ``dt``, a tensor in NengoDL, so XLA cannot fold the switch away.
    """

    def one_task(J, dt, *state):
        return tf.switch_case(
            tf.cast(dt <= 0, tf.int32),
            [lambda: step(J, dt, *state), lambda: (tf.zeros_like(J), *state)],
        )

    return (
        tf.function(step, jit_compile=True),
        tf.function(one_task, jit_compile=True),
    )


#: Steps (neurons x minibatch) in float32 that run as one task on a CPU (see below).
ONE_TASK_SIZES = range(512, 2**17 + 1)


def _one_task_on_cpu(tensor):
    """Whether to run the compiled step on ``tensor`` as one task.

    XLA's CPU backend splits each fused loop over the neurons into parallel
    tasks once its cost estimate passes a fixed threshold, which the exact
    step's loops do in float32 (NengoDL's default) from about 450 neurons x
    minibatch, in float64 only from about 100 000. At the sizes of a NengoDL model's
    ops the thread hand-offs then cost more than the work (the benchmarks page has
    the figures). That XLA does not split the loops inside the branches of a
    conditional, so there the step runs as a branch of ``tf.switch_case``
    (`compiled_steps`). (TensorFlow 2.21's XLA splits inside branches too, and hands
    off more cheaply: there the switch changes little.) Above :data:`ONE_TASK_SIZES`
    the step runs split, so that a machine with many idle cores can share it out. On
    a GPU, where a branch index is a copy to the host every
    step and the loops are not split this way, the step runs as it is. Either
    way the same fused operations run: the results are the same.
    """
    size = tensor.shape.num_elements()
    if tensor.dtype != tf.float32 or size is None or size not in ONE_TASK_SIZES:
        return False
    device = tf.DeviceSpec.from_string(tensor.device or "").device_type
    if device:
        return device.upper() == "CPU"
    return not tf.config.list_logical_devices("GPU")


class _TuningBuilder(TFNeuronBuilder):
    """Shared parameter handling for the nengo_tuning builders."""

    def _param(self, signals, name):
        """Parameter ``name`` of the merged ops: a scalar, or one value per neuron."""
        return signals.op_constant(
            [op.neurons for op in self.ops],
            [op.J.shape[0] for op in self.ops],
            name,
            signals.dtype,
        )

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.tau_rc = self._param(signals, "tau_rc")
        self.tau_ref = self._param(signals, "tau_ref")
        # the base class leaves amplitude None when it is 1 everywhere
        self.amp = 1.0 if self.amplitude is None else self.amplitude


class SoftLIFRateBuilder(_TuningBuilder):
    """Build a group of `.SoftLIFRate` operators (rates with gradients)."""

    spiking = False

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.sigma = self._param(signals, "sigma")
        params = (self.sigma, self.tau_rc, self.tau_ref, self.amp)
        self.rate = softlif_rate_tf(*params)
        # in training a gradient follows every rate: both in one call
        self.rate_in_training = softlif_rate_tf(*params, for_training=True)

    def step(self, J, dt):
        return compat.training_phase_cond(
            self.config.training,
            true_fn=lambda: self.rate_in_training(J),
            false_fn=lambda: self.rate(J),
        )


class ExactLIFBuilder(_TuningBuilder):
    """Build a group of `.ExactLIF` operators: exact spikes, LIF-rate training."""

    spiking = True

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.min_voltage = self._param(signals, "min_voltage")
        # (training_step runs only where a gradient follows: with_stored_derivative)
        self.training_rate = lif_rate_tf(
            self.tau_rc, self.tau_ref, self.amp, for_training=True
        )
        # With dt below every tau_ref (NengoDL's default 1 ms against 2 ms), no
        # neuron spikes twice in a step: the step skips the inter-spike interval
        # (one of its four logarithms and exponentials per neuron)
        at_most_one_spike = lif_xp.at_most_one_spike_per_step(
            compat.simulation_dt(signals), min(op.neurons.tau_ref for op in self.ops)
        )

        def exact_step(J, dt, voltage, refractory_time):
            return lif_xp.exact_lif_step_xp(
                dt,
                J,
                voltage,
                refractory_time,
                self.tau_rc,
                self.tau_ref,
                self.min_voltage,
                self.amp,
                xp=tf_xp,
                at_most_one_spike=at_most_one_spike,
            )

        # The exact step is ~60 element-wise ops over every neuron (masked, since
        # only some spike); XLA fuses them into a few passes over memory, which
        # is what lets it keep up with NengoDL's own unfused LIF step
        # (benchmarks/bench_dl.py, docs/benchmarks.rst).
        self.exact_step = exact_step
        self.compiled_steps = (
            compiled_steps(exact_step) if tf_namespace.JIT_COMPILE else None
        )

    def step(self, J, dt, voltage, refractory_time):
        if self.compiled_steps is None:
            return self.exact_step(J, dt, voltage, refractory_time)
        plain, one_task = self.compiled_steps
        step = one_task if _one_task_on_cpu(J) else plain
        return step(J, dt, voltage, refractory_time)

    def training_step(self, J, dt, **state):
        return self.training_rate(J)


class SoftLIFBuilder(ExactLIFBuilder):
    """Build a group of `.SoftLIF` operators (see the module docstring)."""

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.sigma = self._param(signals, "sigma")
        self.training_rate = softlif_rate_tf(
            self.sigma, self.tau_rc, self.tau_ref, self.amp, for_training=True
        )

        spikes_forward = np.concatenate(
            [
                np.full(op.J.shape[0], op.neurons.train_forward == "spikes")
                for op in self.ops
            ]
        )
        # Spiking-aware training runs `step` in training mode too.
        self.spikes_in_training = spikes_forward.any()
        compat.run_step_in_training(self, self.spikes_in_training)
        self.spikes_mask = (
            None if spikes_forward.all() else tf.constant(spikes_forward[None, :])
        )

    def step(self, J, dt, voltage, refractory_time):
        output, new_voltage, new_refractory = (
            tf.stop_gradient(x) for x in super().step(J, dt, voltage, refractory_time)
        )
        if not self.spikes_in_training or self.config.inference_only:
            return output, new_voltage, new_refractory

        def spikes_forward_rates_backward():
            rate = self.training_rate(J)
            # exactly `output` in value (rate - rate == 0), the rate's gradient
            out = output + (rate - tf.stop_gradient(rate))
            if self.spikes_mask is None:
                return out, new_voltage, new_refractory
            # neurons with train_forward="rates": rate output, state held
            return (
                tf.where(self.spikes_mask, out, rate),
                tf.where(self.spikes_mask, new_voltage, voltage),
                tf.where(self.spikes_mask, new_refractory, refractory_time),
            )

        return compat.training_phase_cond(
            self.config.training,
            true_fn=spikes_forward_rates_backward,
            false_fn=lambda: (output, new_voltage, new_refractory),
        )


class ExactAdaptiveLIFBuilder(_TuningBuilder):
    """Build a group of `.ExactAdaptiveLIF` operators (see the module docstring)."""

    #: The parameters that the exact step takes as Python numbers.
    STEP_PARAMS = ("tau_rc", "tau_ref", "tau_n", "inc_n", "min_voltage", "amplitude")

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.tau_n = self._param(signals, "tau_n")
        self.inc_n = self._param(signals, "inc_n")
        # in training too, `step` runs (its rate branch updates the adaptation,
        # which a training_step could not)
        compat.run_step_in_training(self, True)
        self.training_rate = lif_rate_tf(
            self.tau_rc, self.tau_ref, self.amp, for_training=True
        )
        # The exact step's control flow depends on its parameters (the floor,
        # tau_ref > 0), so it takes them as Python numbers: one step per run of
        # consecutive ops with the same parameters, on their slice of neurons.
        self.groups = []
        start = 0
        for op in self.ops:
            params = tuple(float(getattr(op.neurons, p)) for p in self.STEP_PARAMS)
            size = op.J.shape[0]
            if self.groups and self.groups[-1][2] == params:
                self.groups[-1][1] += size
            else:
                self.groups.append([start, start + size, params])
            start += size
        # the crossing times to float precision of the simulation's dtype
        rtol = max(CROSSING_RTOL, 4 * float(np.finfo(signals.dtype.as_numpy_dtype).eps))

        def exact_step(J, dt, voltage, refractory_time, adaptation):
            state = (J, voltage, refractory_time, adaptation)
            results = []
            for start, stop, params in self.groups:
                part = state
                if len(self.groups) > 1:
                    part = tuple(x[:, start:stop] for x in state)
                J_part, *state_part = part
                results.append(
                    adaptive_lif_xp.exact_adaptive_lif_step_xp(
                        dt, J_part, *state_part, *params, xp=tf_xp, rtol=rtol
                    )
                )
            output, v, r, n, unresolved = (
                tf.concat(parts, axis=1) if len(parts) > 1 else parts[0]
                for parts in zip(*results)
            )
            return output, v, r, n, tf.reduce_any(unresolved)

        # The step is a loop over spikes around a loop over crossing iterations:
        # compiled, XLA runs the loops on the device without a round trip to
        # the host per iteration
        self.exact_step = (
            tf.function(exact_step, jit_compile=True, autograph=False)
            if tf_namespace.JIT_COMPILE
            else exact_step
        )

    def _exact(self, J, dt, voltage, refractory_time, adaptation):
        """The exact spiking step; fails where a neuron fires too many spikes."""
        *results, unresolved = self.exact_step(
            J, dt, voltage, refractory_time, adaptation
        )
        # the numpy type raises a SimulationError there; a graph can only fail
        # (an InvalidArgumentError carrying this message)
        message = (
            "ExactAdaptiveLIF: a neuron would fire more than "
            f"{adaptive_lif_xp.MAX_RESOLVED_SPIKES} spikes in one step; use a "
            "smaller dt or a larger tau_ref"
        )
        check = tf.debugging.Assert(tf.logical_not(unresolved), [message])
        with tf.control_dependencies([check]):
            return tuple(tf.stop_gradient(tf.identity(x)) for x in results)

    def _rates(self, J, dt, voltage, refractory_time, adaptation):
        """The rate dynamics for training: ``G(J - n)``, ``n`` driven by the rate."""
        rate = self.training_rate(J - adaptation)
        n = rate_driven_adaptation_xp(
            adaptation, rate, dt, self.tau_n, self.inc_n, tf_xp
        )
        return rate, voltage, refractory_time, n

    def step(self, J, dt, voltage, refractory_time, adaptation):
        state = (J, dt, voltage, refractory_time, adaptation)
        if self.config.inference_only:
            return self._exact(*state)
        return compat.training_phase_cond(
            self.config.training,
            true_fn=lambda: self._rates(*state),
            false_fn=lambda: self._exact(*state),
        )


#: The builder of each neuron class. NengoDL looks builders up by exact class
#: (it does not walk the MRO), so each class has its entry.
BUILDERS = {
    SoftLIFRate: SoftLIFRateBuilder,
    ExactLIF: ExactLIFBuilder,
    SoftLIF: SoftLIFBuilder,
    ExactAdaptiveLIF: ExactAdaptiveLIFBuilder,
}

# importing this module is registering its builders (see .registry for when)
compat.register_neuron_builders(BUILDERS)
