"""Neuron types: the front ends that Nengo models use.

Each type declares its parameters and state; the formulas live in
:mod:`nengo_tuning.math` and the step in :mod:`nengo_tuning.kernels`, shared
with the NengoDL builders and the workbench. The types know nothing of NengoDL:
:mod:`nengo_tuning.dl.builders` says which builder builds which type, and
:mod:`nengo_tuning.dl.registry` when they are registered.

Every numeric parameter is validated when set: NaN is refused for all of them,
and infinity wherever it has no meaning (all but ``min_voltage = -inf``, which
means "never clipped"), with a `nengo.exceptions.ValidationError` naming the
parameter. (``SoftLIF(sigma=inf)``, for instance, would silently zero every
training gradient.)
"""

import math

import numpy as np
from nengo.cache import Fingerprint, check_attrs
from nengo.dists import Distribution
from nengo.exceptions import SimulationError, ValidationError
from nengo.neurons import LIF, AdaptiveLIF, NeuronType
from nengo.params import EnumParam, NumberParam
from nengo.utils.numpy import is_array, is_integer, is_number

from nengo_tuning.kernels import lif as lif_kernel
from nengo_tuning.kernels.adaptive_lif_numpy import (
    TooManySpikesError,
    exact_adaptive_lif_step,
)
from nengo_tuning.math import lif, softlif
from nengo_tuning.math.adaptive_lif import adapted_rate
from nengo_tuning.math.softlif import DEFAULT_SIGMA  # re-exported: the types' default


class FiniteNumberParam(NumberParam):
    """A `nengo.params.NumberParam` that refuses NaN and infinite values.

    Parameters
    ----------
    name, low, high, low_open, high_open
        As for `nengo.params.NumberParam`.
    allow_neg_inf : bool
        Accept ``-inf`` (for a lower bound that may be absent).
    """

    def __init__(self, name, allow_neg_inf=False, **kwargs):
        self.allow_neg_inf = allow_neg_inf
        super().__init__(name, **kwargs)

    def coerce(self, instance, num):  # pylint: disable=arguments-renamed
        value = num.item() if is_array(num) and num.shape == () else num
        # integers are always finite (and may be too large for a float)
        non_finite = is_number(value) and not is_integer(value)
        non_finite = non_finite and not math.isfinite(value)
        if non_finite and not (self.allow_neg_inf and value == -math.inf):
            allowed = "a finite number or -inf" if self.allow_neg_inf else "finite"
            raise ValidationError(
                f"Must be {allowed}; got {value}", attr=self.name, obj=instance
            )
        return super().coerce(instance, num)


def _time_constant(name, low_open=True):
    """A finite, positive (or, with ``low_open=False``, non-negative) time."""
    return FiniteNumberParam(name, low=0, low_open=low_open)


def _as_float_arrays(*arrays):
    return [np.asarray(np.atleast_1d(a), dtype=float) for a in arrays]


def _check_max_rates_intercepts(neuron_type, max_rates, intercepts):
    """Validate ``max_rates`` and ``intercepts`` for an LIF-like curve."""
    max_rates, intercepts = _as_float_arrays(max_rates, intercepts)
    inv_tau_ref = 1.0 / neuron_type.tau_ref if neuron_type.tau_ref > 0 else np.inf
    if not np.all((max_rates > 0) & (max_rates < inv_tau_ref)):
        raise ValidationError(
            f"max_rates must be above 0 and below the inverse refractory period "
            f"1/tau_ref = {inv_tau_ref:0.3f} Hz (got values in "
            f"[{np.min(max_rates):g}, {np.max(max_rates):g}])",
            attr="max_rates",
            obj=neuron_type,
        )
    if not np.all(intercepts < 1):
        raise ValidationError(
            f"intercepts must be below 1 (got a maximum of {np.max(intercepts):g})",
            attr="intercepts",
            obj=neuron_type,
        )
    return max_rates, intercepts


def _check_finite_initial_state(neuron_type):
    """Reject array-like initial states holding NaN or infinite values."""
    for name, value in (neuron_type.initial_state or {}).items():
        if isinstance(value, Distribution):
            continue
        if not np.all(np.isfinite(np.asarray(value, dtype=float))):
            raise ValidationError(
                f"Initial state '{name}' must be finite",
                attr="initial_state",
                obj=neuron_type,
            )


def _state_of_one_value_per_neuron(neuron_type, state, n_neurons):
    """``state`` with one value per neuron in each array, or a ValidationError.

    nengo's ``make_state`` takes an array-valued initial state as it is given;
    the step kernels need one value per neuron (a compiled kernel would
    otherwise index past the array's end). A single number is used for every
    neuron.
    """
    for name, value in state.items():
        if value.shape == ():
            state[name] = np.full(n_neurons, value, dtype=value.dtype)
        elif value.shape != (n_neurons,):
            raise ValidationError(
                f"Initial state '{name}' has shape {value.shape}, but the ensemble "
                f"has {n_neurons} neurons: give one value per neuron, a single "
                "number, or a Distribution",
                attr="initial_state",
                obj=neuron_type,
            )
    return state


class SoftLIFRate(NeuronType):
    r"""Smoothed leaky integrate-and-fire rate neuron (SoftLIF).

    The LIF rate curve has an infinite slope at threshold, which blocks
    gradient-based training. SoftLIF [1]_ replaces the rectified current
    :math:`\max(j, 0)`, :math:`j = J - 1`, by its smooth version
    :math:`\rho = \sigma \log(1 + e^{j / \sigma})`:

    .. math:: r(J) = \frac{a}{\tau_{ref} + \tau_{RC} \log(1 + 1/\rho)}

    The curve is smooth and strictly positive, its derivative is bounded for
    every :math:`\sigma > 0`, and it converges to the LIF curve as
    :math:`\sigma \to 0` (only logarithmically at threshold: the rate at
    :math:`J = 1` is :math:`1 / (\tau_{ref} + \tau_{RC}\log(1 + 1/(\sigma\ln 2)))`).

    **Intercepts.** The curve never reaches zero, so an intercept cannot be where
    the rate is zero. Here the intercept is where the current crosses the LIF
    threshold, :math:`J = 1`: the point where the smooth curve bends. The max
    rate is this curve's own rate at :math:`x = 1`. `.gain_bias` and
    `.max_rates_intercepts` are exact inverses of each other under this
    convention (with the amplitude excluded, as in Nengo's LIF types). A max
    rate the curve cannot reach (at or below its rate at the intercept) raises
    a `nengo.exceptions.ValidationError` naming ``max_rates``. This differs
    from ``nengo_dl.SoftLIFRate``, which takes LIF's gain and bias: it builds at
    such settings, but its max rates are not the ones asked for.

    **Default sigma.** ``sigma = 0.02`` keeps the curve close to LIF: 11.4 Hz
    at the intercept (NengoDL's default ``sigma = 1`` gives 50 Hz there),
    0.93 Hz one unit of current below it, and identical to LIF within
    1e-6 relative error from ``J = 1.5`` up. Its peak slope is about 96 Hz per
    unit current (finite, where LIF's is infinite), which trains well. Decoding
    from the rate curves is as accurate as with `nengo.LIFRate` (a test holds the
    RMSE of decoding ``x`` and ``x**2`` within 10 % of LIFRate's; the benchmarks
    page has the figures). The static decoding error barely depends on sigma; what a
    larger sigma costs is the faithfulness of the curve to the spiking LIF that a
    trained network is later run with, and silence below threshold.

    Parameters
    ----------
    sigma : float
        Smoothing of the rectification, in units of input current (> 0).
    tau_rc : float
        Membrane RC time constant, in seconds.
    tau_ref : float
        Absolute refractory period, in seconds.
    amplitude : float
        Scaling factor on the neuron output.
    initial_state : {str: Distribution or array_like}
        Mapping from state variables names to their desired initial value
        (this type has no state).

    References
    ----------
    .. [1] Hunsberger, E. and Eliasmith, C. (2015). Spiking deep networks with
       LIF neurons. arXiv:1510.08829.
    """

    negative = False

    sigma = FiniteNumberParam("sigma", low=0, low_open=True)
    tau_rc = _time_constant("tau_rc")
    tau_ref = _time_constant("tau_ref", low_open=False)
    amplitude = FiniteNumberParam("amplitude", low=0, low_open=True)

    def __init__(
        self,
        sigma=DEFAULT_SIGMA,
        tau_rc=0.02,
        tau_ref=0.002,
        amplitude=1,
        initial_state=None,
    ):
        super().__init__(initial_state)
        self.sigma = sigma
        self.tau_rc = tau_rc
        self.tau_ref = tau_ref
        self.amplitude = amplitude

    def _rate_of_current(self, J, amplitude=None):
        amplitude = self.amplitude if amplitude is None else amplitude
        return softlif.softlif_rate(J, self.sigma, self.tau_rc, self.tau_ref, amplitude)

    def rates(self, x, gain, bias):
        """Firing rates (Hz, times ``amplitude``) for input ``x``.

        Parameters
        ----------
        x : (n_points,) or (n_points, n_neurons) array_like
            Inputs, already projected onto the neurons' encoders.
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents: the input current is
            ``gain * x + bias``.

        Returns
        -------
        rates : (n_points, n_neurons) ndarray
            The SoftLIF curve at each input current.
        """
        return self._rate_of_current(self.current(x, gain, bias))

    def rate_derivative(self, x, gain, bias):
        """Derivative of the rate with respect to the input current ``J``.

        Parameters
        ----------
        x : (n_points,) or (n_points, n_neurons) array_like
            Inputs, already projected onto the neurons' encoders.
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents: the input current is
            ``gain * x + bias``.

        Returns
        -------
        derivative : (n_points, n_neurons) ndarray
            The rate's derivative with respect to ``J``, at each input current.
        """
        return softlif.softlif_rate_derivative(
            self.current(x, gain, bias),
            self.sigma,
            self.tau_rc,
            self.tau_ref,
            self.amplitude,
        )

    def gain_bias(self, max_rates, intercepts):
        """Gain and bias: ``max_rates`` at ``x = 1``, ``J = 1`` at the intercepts.

        The curve already fires at its intercept (it never reaches 0), so a max
        rate must be above that rate, the curve's rate at ``J = 1``; a lower one
        raises a `nengo.exceptions.ValidationError` naming ``max_rates`` (its
        gain would be negative).

        Parameters
        ----------
        max_rates : (n_neurons,) array_like
            Rate of each neuron at ``x = 1`` (Hz, below ``1 / tau_ref``).
        intercepts : (n_neurons,) array_like
            Where each neuron starts to fire (below 1).

        Returns
        -------
        gain, bias : (n_neurons,) ndarray
            The gains and bias currents, ``J = gain * x + bias``.
        """
        max_rates, intercepts = _check_max_rates_intercepts(self, max_rates, intercepts)
        self._check_max_rates_above_threshold_rate(max_rates, intercepts)
        J_max = softlif.softlif_current_for_rate(
            max_rates, self.sigma, self.tau_rc, self.tau_ref
        )
        return lif.gain_bias_from_threshold_current(J_max, intercepts)

    def _check_max_rates_above_threshold_rate(self, max_rates, intercepts):
        threshold_rate = float(self._rate_of_current(1.0, amplitude=1.0))
        too_low = np.flatnonzero(max_rates <= threshold_rate)
        if too_low.size:
            i = too_low[np.argmin(max_rates[too_low])]
            intercept = np.broadcast_to(intercepts, max_rates.shape)[i]
            raise ValidationError(
                f"max_rates must be above {threshold_rate:.4g} Hz, this curve's rate "
                f"at its intercept (J = 1; the SoftLIF curve never reaches 0, and "
                f"with sigma={self.sigma:g}, tau_rc={self.tau_rc:g}, "
                f"tau_ref={self.tau_ref:g} it fires at {threshold_rate:.4g} Hz "
                f"there); got {max_rates[i]:g} Hz with the intercept at "
                f"{intercept:g} ({too_low.size} of {max_rates.size} max rates too "
                "low): raise max_rates or lower sigma",
                attr="max_rates",
                obj=self,
            )

    def max_rates_intercepts(self, gain, bias):
        """Inverse of `.gain_bias`.

        Parameters
        ----------
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents.

        Returns
        -------
        max_rates, intercepts : (n_neurons,) ndarray
            Rate at ``x = 1``, and where each neuron starts to fire.
        """
        gain, bias = _as_float_arrays(gain, bias)
        intercepts = (1 - bias) / gain
        max_rates = self._rate_of_current(gain + bias, amplitude=1.0)
        return max_rates, intercepts

    def step(self, dt, J, output):
        """Set ``output`` to the SoftLIF rate of ``J``.

        Parameters
        ----------
        dt : float
            Time step, in seconds (unused: the rate does not depend on it).
        J : (n_neurons,) ndarray
            Input current.
        output : (n_neurons,) ndarray
            Set to the rates.
        """
        output[...] = self._rate_of_current(J)


class ExactLIF(LIF):
    r"""Spiking LIF neuron with exact, multi-spike time stepping.

    The membrane obeys :math:`\tau_{RC} \dot V = J - V`, spikes when
    :math:`V` reaches 1, then is held at 0 for ``tau_ref``. Each step
    integrates this exactly for the step's constant current:

    * the membrane follows :math:`V(t) = V_0 - (J - V_0)(e^{-t/\tau_{RC}} - 1)`;
    * a refractory period ends at its exact time inside a step, and the
      neuron integrates for the rest of that step;
    * every spike inside the step is emitted: after the first one at
      :math:`s_1`, spikes follow every inter-spike interval
      :math:`1/G(J)`, so the step emits :math:`k` spikes and outputs
      :math:`k \cdot a / \Delta t`.

    The spike count over any time therefore matches the continuous-time LIF's
    to within one spike for every ``dt``, including ``dt > tau_ref`` where
    `nengo.LIF` (at most one spike per step) loses up to half of its spikes
    or more, and ``tau_ref = 0``. `.rates` is the analytic LIF curve, which is
    what this neuron emits at steady state for any ``dt``.

    The state (``voltage``, ``refractory_time``) has the same meaning as in
    `nengo.LIF`, so probes and initial states carry over.

    **Speed.** With numba (installed with the package wherever numba has
    wheels), the step runs compiled (:mod:`nengo_tuning.kernels.lif_compiled`)
    and is faster than `nengo.LIF`'s at every ensemble size and ``dt``
    measured; without it, a numpy kernel gives the same results, but is slower
    than `nengo.LIF`'s for small ensembles and at ``dt > tau_ref``. The figures
    are on the benchmarks page.

    **Non-finite input.** The state always stays finite. ``J = +inf``: the
    neuron fires as soon as it is free and then every ``tau_ref`` (an infinite
    output if ``tau_ref = 0``). ``J = -inf``: output 0, voltage at
    ``min_voltage`` (held unchanged if ``min_voltage = -inf``). ``J = NaN``:
    output NaN (so the fault shows downstream), voltage unchanged. The neuron
    resumes normal dynamics as soon as its input is finite again.

    Parameters
    ----------
    tau_rc : float
        Membrane RC time constant, in seconds.
    tau_ref : float
        Absolute refractory period, in seconds (may be 0).
    min_voltage : float
        Minimum value for the membrane voltage (applied at the end of each step,
        as in `nengo.LIF`). If ``-np.inf``, the voltage is never clipped.
    amplitude : float
        Scaling factor on the neuron output (the area of each spike).
    initial_state : {str: Distribution or array_like}
        Initial values for ``voltage`` and ``refractory_time``.

    References
    ----------
    .. [1] Eliasmith, C. and Anderson, C. H. (2003). Neural Engineering.
       MIT Press (the LIF rate curve, p. 37 and 86).
    """

    # nengo.LIF's parameters, with NaN and meaningless infinities refused
    tau_rc = _time_constant("tau_rc")
    tau_ref = _time_constant("tau_ref", low_open=False)
    min_voltage = FiniteNumberParam("min_voltage", high=0, allow_neg_inf=True)
    amplitude = FiniteNumberParam("amplitude", low=0, low_open=True)

    def __init__(
        self,
        tau_rc=0.02,
        tau_ref=0.002,
        min_voltage=0,
        amplitude=1,
        initial_state=None,
    ):
        super().__init__(
            tau_rc=tau_rc,
            tau_ref=tau_ref,
            min_voltage=min_voltage,
            amplitude=amplitude,
            initial_state=initial_state,
        )
        _check_finite_initial_state(self)

    def rates(self, x, gain, bias):
        """Analytic LIF rates (Hz, times ``amplitude``): what the neuron emits.

        Parameters
        ----------
        x : (n_points,) or (n_points, n_neurons) array_like
            Inputs, already projected onto the neurons' encoders.
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents: the input current is
            ``gain * x + bias``.

        Returns
        -------
        rates : (n_points, n_neurons) ndarray
            The LIF curve at each input current.
        """
        return lif.lif_rate(
            self.current(x, gain, bias), self.tau_rc, self.tau_ref, self.amplitude
        )

    def rate_derivative(self, x, gain, bias):
        """Derivative of the LIF rate with respect to the input current ``J``.

        Parameters
        ----------
        x : (n_points,) or (n_points, n_neurons) array_like
            Inputs, already projected onto the neurons' encoders.
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents: the input current is
            ``gain * x + bias``.

        Returns
        -------
        derivative : (n_points, n_neurons) ndarray
            The rate's derivative with respect to ``J``, at each input current.
        """
        return lif.lif_rate_derivative(
            self.current(x, gain, bias), self.tau_rc, self.tau_ref, self.amplitude
        )

    def gain_bias(self, max_rates, intercepts):
        """Analytic gain and bias for the given max rates and intercepts.

        Parameters
        ----------
        max_rates : (n_neurons,) array_like
            Rate of each neuron at ``x = 1`` (Hz, below ``1 / tau_ref``).
        intercepts : (n_neurons,) array_like
            Where each neuron starts to fire (below 1).

        Returns
        -------
        gain, bias : (n_neurons,) ndarray
            The gains and bias currents, ``J = gain * x + bias``.
        """
        max_rates, intercepts = _check_max_rates_intercepts(self, max_rates, intercepts)
        J_max = lif.lif_current_for_rate(max_rates, self.tau_rc, self.tau_ref)
        return lif.gain_bias_from_threshold_current(J_max, intercepts)

    def max_rates_intercepts(self, gain, bias):
        """Inverse of `.gain_bias`.

        Parameters
        ----------
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents.

        Returns
        -------
        max_rates, intercepts : (n_neurons,) ndarray
            Rate at ``x = 1``, and where each neuron starts to fire.
        """
        gain, bias = _as_float_arrays(gain, bias)
        intercepts = (1 - bias) / gain
        max_rates = lif.lif_rate(gain + bias, self.tau_rc, self.tau_ref)
        return max_rates, intercepts

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        return _state_of_one_value_per_neuron(self, state, n_neurons)

    def step(self, dt, J, output, voltage, refractory_time):
        """Advance the neurons by one exact step (see the class docstring).

        Parameters
        ----------
        dt : float
            Time step, in seconds (any size: every spike inside it is kept).
        J : (n_neurons,) ndarray
            Input current during the step.
        output : (n_neurons,) ndarray
            Set to the spikes emitted, as ``k * amplitude / dt`` for ``k`` spikes.
        voltage, refractory_time : (n_neurons,) ndarray
            The neurons' state, advanced in place.
        """
        lif_kernel.exact_lif_step(
            dt,
            J,
            output,
            voltage,
            refractory_time,
            self.tau_rc,
            self.tau_ref,
            self.min_voltage,
            self.amplitude,
        )


class SoftLIF(ExactLIF):
    """Spiking LIF neuron that trains through the smooth SoftLIF curve.

    It runs exactly as `ExactLIF` (the same exact multi-spike dynamics), and its
    `~.ExactLIF.rates` are the LIF curve, because decoders must be solved for what
    the neuron actually emits. ``sigma`` names the smooth `SoftLIFRate` curve that
    stands in for it when gradients are needed: NengoDL trains it through that
    curve (see :mod:`nengo_tuning.dl.builders`). The smooth curve is
    available as `.smooth_type` and `.smooth_rates`.

    Parameters
    ----------
    sigma : float
        Smoothing of the training curve (see `SoftLIFRate`).
    tau_rc : float
        Membrane RC time constant, in seconds.
    tau_ref : float
        Absolute refractory period, in seconds (may be 0).
    min_voltage : float
        Minimum value for the membrane voltage.
    amplitude : float
        Scaling factor on the neuron output.
    train_forward : {"rates", "spikes"}
        What the forward pass computes while NengoDL trains (``sim.fit``).
        ``"rates"`` (default): the smooth SoftLIF curve, forward and backward.
        ``"spikes"``: spiking-aware training, the exact spikes forward and the
        SoftLIF derivative backward, so the loss sees spike noise and the
        effect of ``dt``. Outside training both run the exact spikes. See
        :mod:`nengo_tuning.dl.builders` for when "spikes" pays off.
    initial_state : {str: Distribution or array_like}
        Initial values for ``voltage`` and ``refractory_time``.
    """

    sigma = FiniteNumberParam("sigma", low=0, low_open=True)
    train_forward = EnumParam("train_forward", values=("rates", "spikes"))

    def __init__(
        self,
        sigma=DEFAULT_SIGMA,
        tau_rc=0.02,
        tau_ref=0.002,
        min_voltage=0,
        amplitude=1,
        train_forward="rates",
        initial_state=None,
    ):
        super().__init__(
            tau_rc=tau_rc,
            tau_ref=tau_ref,
            min_voltage=min_voltage,
            amplitude=amplitude,
            initial_state=initial_state,
        )
        self.sigma = sigma
        self.train_forward = train_forward

    @property
    def smooth_type(self):
        """The `SoftLIFRate` with this neuron's parameters (its training curve)."""
        return SoftLIFRate(
            sigma=self.sigma,
            tau_rc=self.tau_rc,
            tau_ref=self.tau_ref,
            amplitude=self.amplitude,
        )

    def smooth_rates(self, x, gain, bias):
        """Rates of the smooth training curve (not what the neuron emits).

        Parameters
        ----------
        x : (n_points,) or (n_points, n_neurons) array_like
            Inputs, already projected onto the neurons' encoders.
        gain, bias : (n_neurons,) array_like
            The neurons' gains and bias currents: the input current is
            ``gain * x + bias``.

        Returns
        -------
        rates : (n_points, n_neurons) ndarray
            The SoftLIF curve (this type's ``sigma``) at each input current.
        """
        return self.smooth_type.rates(x, gain, bias)


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

    **Speed.** This is the numpy form of the kernel: it is slower than
    `nengo.AdaptiveLIF`'s step (see the benchmarks page).

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
    tau_rc = _time_constant("tau_rc")
    tau_ref = _time_constant("tau_ref", low_open=False)
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
        _check_finite_initial_state(self)

    # the analytic, unadapted LIF curve, as for ExactLIF (and nengo.AdaptiveLIF)
    rates = ExactLIF.rates
    rate_derivative = ExactLIF.rate_derivative
    gain_bias = ExactLIF.gain_bias
    max_rates_intercepts = ExactLIF.max_rates_intercepts

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        return _state_of_one_value_per_neuron(self, state, n_neurons)

    def adapted_rates(self, x, gain, bias):
        """Steady firing rates once adapted, under constant input ``x`` (Hz)."""
        J = self.current(x, gain, bias)
        rate = adapted_rate(
            J.ravel(), self.tau_rc, self.tau_ref, self.tau_n, self.inc_n,
            self.amplitude, self.min_voltage,
        )  # fmt: skip
        return rate.reshape(J.shape)

    def step(self, dt, J, output, voltage, refractory_time, adaptation):
        """Advance the neurons by one exact step (see the class docstring)."""
        try:
            exact_adaptive_lif_step(
                dt, J, output, voltage, refractory_time, adaptation, self.tau_rc,
                self.tau_ref, self.tau_n, self.inc_n, self.min_voltage,
                self.amplitude,
            )  # fmt: skip
        except TooManySpikesError as error:
            raise SimulationError(str(error)) from error


# Decoders depend only on the analytic rates() of these types, so nengo's decoder
# cache may store them safely (it only caches whitelisted types).
for _neuron_type in (SoftLIFRate, ExactLIF, SoftLIF, ExactAdaptiveLIF):
    Fingerprint.whitelist(_neuron_type, check_attrs)
del _neuron_type
