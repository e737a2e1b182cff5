"""Adaptation: spiking adaptive LIF neurons after a step in their input current.

:func:`adaptation_after_step` starts neurons at rest, steps their input current
up at ``t = 0`` and runs the neuron type's own ``step`` at each ``dt``, keeping
every step's spike count. From those counts its record gives the firing rate
over time after the step, the first inter-spike intervals and the steady
adapted rate, next to the exact steady rate of the continuous model
(:func:`nengo_tuning.math.adaptive_lif.adapted_rate`, the periodic orbit).

`nengo.AdaptiveLIF` keeps at most one spike per step and holds the adaptation
constant over a step, so at ``dt`` of a few milliseconds it fires too slowly
right after the step and settles at the wrong rate;
`nengo_tuning.ExactAdaptiveLIF` emits every spike at every ``dt``.
"""

from dataclasses import dataclass, field

import nengo
import numpy as np
from nengo.neurons import NeuronType

from nengo_tuning.math.adaptive_lif import adapted_rate
from nengo_tuning.workbench.neuron_specs import resolve_neuron_type
from nengo_tuning.workbench.simulation import progress_bar

__all__ = [
    "STEADY_FRACTION",
    "AdaptationResponse",
    "adaptation_after_step",
    "is_adaptive_lif",
    "unadapted_spikes_per_step",
]

#: Fraction of the run, at its end, over which the steady rate is measured (the
#: adaptation builds up in the part before).
STEADY_FRACTION = 0.5


def is_adaptive_lif(neuron_type):
    """Whether ``neuron_type`` is `nengo.AdaptiveLIF` or a subclass (spiking).

    Those are the types the continuous model of
    :mod:`nengo_tuning.math.adaptive_lif` describes (``tau_n``, ``inc_n``,
    ``tau_rc``, ``tau_ref``, ``min_voltage``, ``amplitude``).
    """
    return isinstance(neuron_type, nengo.AdaptiveLIF)


def unadapted_spikes_per_step(neuron_type, current, dt):
    """Spikes a type fires in a step of ``dt`` at ``current`` before it adapts.

    An upper bound on what adaptation lets through (it only slows the neuron):
    the type's unadapted rate curve times ``dt``, over its amplitude.
    """
    with np.errstate(all="ignore"):
        rate = neuron_type.rates(np.zeros((1, 1)), np.ones(1), np.array([current]))
    return float(np.asarray(rate).ravel()[0]) * dt / neuron_type.amplitude


@dataclass
class AdaptationResponse:
    """Spikes of a neuron type after a current step, per dt, and the exact rates.

    Neurons at rest (voltage 0, no adaptation, not refractory) get a constant
    current from ``t = 0``: one neuron ``step_current`` (its spikes give the
    rate over time and the intervals), and one neuron each value of
    ``currents`` (the steady rate curve).

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type (its ``tau_n`` and ``inc_n`` included).
    dts : (n_dts,) ndarray
        Time steps, in seconds.
    step_current : float
        Input current after the step (threshold 1).
    currents : (n_currents,) ndarray
        Currents at which the steady rate is measured.
    sim_time : float
        Simulated time after the step, in seconds.
    bin_width : float
        Width of the bins of `rate_over_time`, in seconds.
    step_counts : list of ndarray
        Per dt, the spike count in each step of the neuron under
        ``step_current``, (n_steps,).
    steady_rates : (n_dts, 1 + n_currents) ndarray
        Measured steady rates, in Hz: each neuron's spike count over the last
        `STEADY_FRACTION` of the run over that window's length
        (``steady_window``); column 0 is the neuron under ``step_current``. A
        count within one spike of the continuous model's is within
        ``1 / steady_window`` Hz of its rate.
    steady_window : (n_dts,) ndarray
        Length of the window of the steady rates at each dt, in seconds.
    onset_rate : float
        The type's ``rates()`` at ``step_current``: the unadapted LIF curve, the
        rate right after the step, in Hz.
    adapted_rate_at_step : float
        Exact steady rate at ``step_current``, in Hz.
    adapted_rates : (n_currents,) ndarray
        Exact steady rates at ``currents``, in Hz.
    """

    neuron_type: NeuronType
    dts: np.ndarray
    step_current: float
    currents: np.ndarray
    sim_time: float
    bin_width: float
    step_counts: list = field(repr=False)
    steady_rates: np.ndarray
    steady_window: np.ndarray
    onset_rate: float
    adapted_rate_at_step: float
    adapted_rates: np.ndarray

    @property
    def max_steady_error_hz(self):
        """Largest ``|steady rate - adapted rate|`` over ``currents``, (n_dts,), Hz."""
        errors = np.abs(self.steady_rates[:, 1:] - self.adapted_rates)
        return errors.max(axis=1, initial=0.0)

    def spike_times(self, i):
        """Spike times under ``step_current`` at ``dts[i]``: each step's end, in s.

        A step that holds several spikes gives its end time once per spike, so
        each time is known to within ``dt`` (it is late by less than ``dt``).
        """
        counts = self.step_counts[i].astype(int)
        step_ends = (np.arange(counts.size) + 1) * self.dts[i]
        return np.repeat(step_ends, counts)

    def first_intervals(self, n):
        """The first inter-spike intervals under ``step_current``, (n_dts, n), s.

        Differences of `spike_times`, so each is known to within ``dt``; NaN
        where there are fewer spikes.
        """
        intervals = np.full((len(self.dts), n), np.nan)
        for i in range(len(self.dts)):
            found = np.diff(self.spike_times(i))[:n]
            intervals[i, : found.size] = found
        return intervals

    def rate_over_time(self, i):
        """Firing rate under ``step_current`` at ``dts[i]``, in bins of ``bin_width``.

        Returns
        -------
        bin_starts : ndarray
            Start of each bin of ``bin_width``, in seconds.
        rates : ndarray
            The spike count in the bin over the time its steps cover (a step
            counts in the bin it starts in; the last bin may be shorter), in Hz.
        """
        dt = self.dts[i]
        counts = self.step_counts[i]
        starts = np.arange(counts.size) * dt
        # (a step that starts within rounding of a bin edge belongs to that bin)
        bins = np.floor(starts / self.bin_width + 1e-9).astype(int)
        n_bins = int(bins[-1]) + 1
        spikes = np.bincount(bins, weights=counts, minlength=n_bins)
        covered = np.bincount(bins, minlength=n_bins) * dt
        return np.arange(n_bins) * self.bin_width, spikes / covered


def adaptation_after_step(
    neuron_type="nengo_tuning.ExactAdaptiveLIF",
    dts=(0.001, 0.002, 0.005),
    step_current=10.0,
    currents=(1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 13.0, 16.0, 20.0),
    tau_n=None,
    inc_n=None,
    sim_time=1.0,
    bin_width=0.05,
    progress=False,
):
    """Run adaptive LIF neurons after a step in their input current, at each dt.

    Neurons at rest get a constant current from ``t = 0``, one neuron
    ``step_current`` and one each of ``currents``; the type's own ``step``
    runs ``round(sim_time / dt)`` times at each dt and the spike count of every
    step is kept. The exact steady rates come from
    :func:`nengo_tuning.math.adaptive_lif.adapted_rate` with the type's
    parameters.

    Parameters
    ----------
    neuron_type : NeuronType or str
        A spiking adaptive LIF type (`nengo.AdaptiveLIF` or a subclass, such as
        `nengo_tuning.ExactAdaptiveLIF`).
    dts : sequence of float
        Time steps, in seconds.
    step_current : float
        Input current after the step (threshold 1).
    currents : sequence of float
        Currents at which the steady rate is measured.
    tau_n, inc_n : float, optional
        Adaptation time constant (s) and increment, replacing the type's own
        (None: the type's).
    sim_time : float
        Simulated time after the step, in seconds; the steady rate is measured
        over its last `STEADY_FRACTION`, so that part should start several
        ``tau_n`` after the step.
    bin_width : float
        Width of the bins of the rate over time, in seconds.
    progress : bool
        Show a progress bar over dts.

    Returns
    -------
    response : AdaptationResponse
        The spike counts, the measured steady rates and the exact ones.

    Raises
    ------
    ValueError
        If the type is not a spiking adaptive LIF, or a dt, ``sim_time`` or
        ``bin_width`` is not positive.
    """
    params = {
        name: value
        for name, value in (("tau_n", tau_n), ("inc_n", inc_n))
        if value is not None
    }
    neuron_type = resolve_neuron_type(neuron_type, **params)
    if not is_adaptive_lif(neuron_type):
        raise ValueError(
            f"{neuron_type!r} is not a spiking adaptive LIF type (nengo.AdaptiveLIF "
            "or a subclass)"
        )
    dts = np.asarray(dts, dtype=float)
    if not np.all(dts > 0):
        raise ValueError("every dt must be positive")
    if not (sim_time > 0 and bin_width > 0):
        raise ValueError("sim_time and bin_width must be positive")
    currents = np.asarray(currents, dtype=float)
    J = np.concatenate([[float(step_current)], currents])
    step_counts, steady_rates, windows = [], [], []
    for dt in progress_bar(dts, progress, "adaptation"):
        n_steps = max(1, round(sim_time / dt))
        counts = _spike_counts_from_rest(neuron_type, J, float(dt), n_steps)
        step_counts.append(counts[:, 0])
        n_window = max(1, round(STEADY_FRACTION * n_steps))
        windows.append(n_window * dt)
        steady_rates.append(counts[-n_window:].sum(axis=0) / windows[-1])
    exact = _exact_adapted_rates(neuron_type, J)
    onset = neuron_type.rates(np.zeros((1, 1)), np.ones(1), J[:1])
    return AdaptationResponse(
        neuron_type=neuron_type,
        dts=dts,
        step_current=float(step_current),
        currents=currents,
        sim_time=float(sim_time),
        bin_width=float(bin_width),
        step_counts=step_counts,
        steady_rates=np.array(steady_rates),
        steady_window=np.array(windows),
        onset_rate=float(np.asarray(onset).ravel()[0]),
        adapted_rate_at_step=float(exact[0]),
        adapted_rates=exact[1:],
    )


def _exact_adapted_rates(neuron_type, J):
    """The exact steady rates at ``J``, with the type's parameters (Hz).

    :func:`nengo_tuning.math.adaptive_lif.adapted_rate`, the periodic orbit.
    """
    return adapted_rate(
        J,
        tau_rc=neuron_type.tau_rc,
        tau_ref=neuron_type.tau_ref,
        tau_n=neuron_type.tau_n,
        inc_n=neuron_type.inc_n,
        amplitude=neuron_type.amplitude,
        min_voltage=neuron_type.min_voltage,
    )


def _spike_counts_from_rest(neuron_type, J, dt, n_steps):
    """Each step's spike count, ``(n_steps, neurons)``, from rest under ``J``."""
    state = neuron_type.make_state(J.size, rng=np.random.RandomState(0))
    for name, values in state.items():  # at rest: every state variable 0
        state[name] = np.zeros_like(values, dtype=np.float64)
    output = np.zeros(J.size)
    counts = np.zeros((n_steps, J.size))
    one_spike = neuron_type.amplitude / dt  # the output of one spike in a step
    for k in range(n_steps):
        neuron_type.step(dt, J.copy(), output, **state)
        counts[k] = np.round(output / one_spike)
    return counts
