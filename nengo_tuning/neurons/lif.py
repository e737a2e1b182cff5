"""The LIF family: SoftLIFRate, ExactLIF and SoftLIF."""

import numpy as np
from nengo.exceptions import ValidationError
from nengo.neurons import LIF, NeuronType
from nengo.params import EnumParam

from nengo_tuning.kernels import lif as lif_kernel
from nengo_tuning.math import lif, softlif
from nengo_tuning.math.softlif import DEFAULT_SIGMA
from nengo_tuning.neurons.params import (
    FiniteNumberParam,
    as_float_arrays,
    check_finite_initial_state,
    check_max_rates_intercepts,
    state_of_one_value_per_neuron,
    time_constant,
)


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
    tau_rc = time_constant("tau_rc")
    tau_ref = time_constant("tau_ref", low_open=False)
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
        max_rates, intercepts = check_max_rates_intercepts(self, max_rates, intercepts)
        self._check_max_rates_above_threshold_rate(max_rates, intercepts)
        try:
            J_max = softlif.softlif_current_for_rate(
                max_rates, self.sigma, self.tau_rc, self.tau_ref
            )
        except ValueError as error:  # (a rate no float current gives, at a tiny sigma)
            raise ValidationError(str(error), attr="max_rates", obj=self) from error
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
        gain, bias = as_float_arrays(gain, bias)
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
    tau_rc = time_constant("tau_rc")
    tau_ref = time_constant("tau_ref", low_open=False)
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
        check_finite_initial_state(self)

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
        max_rates, intercepts = check_max_rates_intercepts(self, max_rates, intercepts)
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
        gain, bias = as_float_arrays(gain, bias)
        intercepts = (1 - bias) / gain
        max_rates = lif.lif_rate(gain + bias, self.tau_rc, self.tau_ref)
        return max_rates, intercepts

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        return state_of_one_value_per_neuron(self, state, n_neurons)

    def step(self, dt, J, output, voltage, refractory_time):
        """Advance the neurons by one exact step (see the class docstring).

        Parameters
        ----------
        dt : float
            Time step, in seconds (any size: every spike inside it is kept);
            positive and finite, else a ValueError naming ``dt``.
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
