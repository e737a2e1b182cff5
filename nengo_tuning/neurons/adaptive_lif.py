"""The adaptive LIF family: ExactAdaptiveLIF."""

import numpy as np
from nengo.exceptions import SimulationError
from nengo.neurons import AdaptiveLIF

from nengo_tuning.kernels.adaptive_lif import (
    TooManySpikesError,
    exact_adaptive_lif_step,
)
from nengo_tuning.math.adaptive_lif import adapted_rate
from nengo_tuning.neurons.lif import ExactLIF
from nengo_tuning.neurons.params import (
    FiniteNumberParam,
    check_finite_initial_state,
    state_of_one_value_per_neuron,
    time_constant,
)


class ExactAdaptiveLIF(AdaptiveLIF):
    r"""Adaptive LIF neuron with exact, multi-spike time stepping.

    A drop-in for `nengo.AdaptiveLIF` (same parameters, defaults and state:
    ``voltage``, ``refractory_time``, ``adaptation``), integrating the same model
    exactly at any ``dt``:

    .. math:: \tau_{RC} \dot V = J - n - V, \qquad \tau_n \dot n = -n,

    with a spike when :math:`V` reaches 1, after which :math:`V` is held at 0
    for ``tau_ref`` and :math:`n` jumps by ``inc_n * amplitude / tau_n`` (what
    nengo's update adds per spike); :math:`n` keeps decaying through refractory
    periods, and :math:`V` sticks at ``min_voltage`` while the drive
    :math:`J - n` is below it. Within each step (``J`` constant):

    * :math:`V` and :math:`n` follow their closed-form solution (a sum of two
      exponentials; ``tau_n == tau_rc`` included);
    * each threshold crossing is found to float precision, every spike in the
      step is emitted (output :math:`k \cdot a / \Delta t`), :math:`n` jumps at
      each spike's exact time, and a refractory period ends at its exact
      sub-step time;
    * the floor is left exactly when the drive rises back above it.

    `nengo.AdaptiveLIF` keeps at most one spike per step and holds :math:`n`
    constant over a step (an Euler step), which costs it many spikes at
    ``dt`` of a few milliseconds; this type's spike counts stay within one of
    the continuous model's at every step. See
    :mod:`nengo_tuning.math.adaptive_lif` (the model) and
    :mod:`nengo_tuning.kernels.adaptive_lif_xp` (the step).

    **Rates.** As in `nengo.AdaptiveLIF`, `.rates` is the unadapted LIF curve
    :math:`G(J)`, which Nengo uses to solve decoders: the rate right after the
    input steps up, before adaptation builds up. The steady rate under a
    constant current, once adapted, is lower: `.adapted_rates` gives it
    exactly (the periodic orbit, with :math:`n` a sawtooth;
    :func:`nengo_tuning.math.adaptive_lif.adapted_rate`).

    **Limits.** A neuron may fire at most
    :data:`~nengo_tuning.kernels.adaptive_lif_xp.MAX_RESOLVED_SPIKES` spikes in
    one step (a bound on work); more raise a ``nengo.exceptions.SimulationError``.
    Only a ``tau_ref`` below ``dt / 1023``, or ``tau_ref = 0`` with a current far
    beyond what fires at ``1 / dt``, gets there.

    **Non-finite input.** The state always stays finite. ``J = +inf``: the
    neuron fires whenever it is free, every ``tau_ref`` (an infinite output if
    ``tau_ref = 0``, when the adaptation, which would be infinite, only
    decays). ``J = -inf``: output 0, voltage at ``min_voltage`` (held if
    ``min_voltage = -inf``). ``J = NaN``: output NaN, voltage held. The
    adaptation decays in all three cases, as it does not depend on ``J``.

    **Speed.** With numba installed, float64 state is stepped by a compiled
    loop (:mod:`nengo_tuning.kernels.adaptive_lif_compiled`), faster than
    `nengo.AdaptiveLIF`'s step for small ensembles at ``dt = 1 ms`` but slower
    where many neurons spike in a step: each spike costs a crossing time found
    by iteration (see the benchmarks page). Elsewhere it runs the numpy
    kernel, several times slower again.

    Parameters
    ----------
    tau_n : float
        Adaptation time constant, in seconds (> 0).
    inc_n : float
        Adaptation increment (>= 0): each spike adds ``inc_n * amplitude /
        tau_n`` to the adaptation.
    tau_rc : float
        Membrane RC time constant, in seconds.
    tau_ref : float
        Absolute refractory period, in seconds (may be 0).
    min_voltage : float
        Floor of the membrane voltage (``-np.inf``: none).
    amplitude : float
        Scaling factor on the neuron output (the area of each spike).
    initial_state : {str: Distribution or array_like}
        Initial values for ``voltage``, ``refractory_time`` and ``adaptation``
        (a voltage below ``min_voltage`` is raised to it at the first step).

    References
    ----------
    .. [1] Camera, Giancarlo La, et al. "Minimal models of adapted neuronal
       response to in Vivo-Like input currents." Neural computation
       16.10 (2004): 2101-2124.
    """

    tau_n = FiniteNumberParam("tau_n", low=0, low_open=True)
    inc_n = FiniteNumberParam("inc_n", low=0)
    tau_rc = time_constant("tau_rc")
    tau_ref = time_constant("tau_ref", low_open=False)
    min_voltage = FiniteNumberParam("min_voltage", high=0, allow_neg_inf=True)
    amplitude = FiniteNumberParam("amplitude", low=0, low_open=True)

    def __init__(
        self,
        tau_n=1,
        inc_n=0.01,
        tau_rc=0.02,
        tau_ref=0.002,
        min_voltage=0,
        amplitude=1,
        initial_state=None,
    ):
        super().__init__(
            tau_n=tau_n,
            inc_n=inc_n,
            tau_rc=tau_rc,
            tau_ref=tau_ref,
            min_voltage=min_voltage,
            amplitude=amplitude,
            initial_state=initial_state,
        )
        check_finite_initial_state(self)

    # the analytic, unadapted LIF curve, as for ExactLIF (and nengo.AdaptiveLIF)
    rates = ExactLIF.rates
    rate_derivative = ExactLIF.rate_derivative
    gain_bias = ExactLIF.gain_bias
    max_rates_intercepts = ExactLIF.max_rates_intercepts

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        return state_of_one_value_per_neuron(self, state, n_neurons)

    def adapted_rates(self, x, gain, bias):
        """Steady firing rates once adapted, under constant input ``x`` (Hz)."""
        J = self.current(x, gain, bias)
        rate = adapted_rate(
            J.ravel(), self.tau_rc, self.tau_ref, self.tau_n, self.inc_n,
            self.amplitude, self.min_voltage,
        )  # fmt: skip
        return rate.reshape(J.shape)

    def step(self, dt, J, output, voltage, refractory_time, adaptation):
        """Advance the neurons by one exact step (see the class docstring).

        ``dt`` must be positive and finite (else a ValueError naming it); the
        arrays are those of `.ExactLIF.step`, with ``adaptation`` besides.
        """
        try:
            exact_adaptive_lif_step(
                dt, J, output, voltage, refractory_time, adaptation, self.tau_rc,
                self.tau_ref, self.tau_n, self.inc_n, self.min_voltage,
                self.amplitude,
            )  # fmt: skip
        except TooManySpikesError as error:
            raise SimulationError(str(error)) from error
