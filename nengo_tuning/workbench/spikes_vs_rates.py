"""Spikes against rates: how a spiking neuron relates to its rate curve as dt changes.

* :func:`compare_spikes_to_rates`: single neurons at constant currents, their
  measured spike rate against the type's ``rates()``, per ``dt``.
* :func:`spiking_decoding_error`: the decoded output of a spiking ensemble
  against its rate model (same ensemble, decoders and filter), per ``dt``.
* :func:`currents_for_rates`: the currents at which a type's curve gives chosen
  rates.
"""

from dataclasses import dataclass, field

import nengo
import numpy as np
from nengo.builder.ensemble import get_activities
from nengo.neurons import NeuronType, settled_firingrate

from nengo_tuning.workbench.expressions import (
    apply_function,
    function_name,
    parse_function,
)
from nengo_tuning.workbench.neuron_specs import resolve_neuron_type
from nengo_tuning.workbench.simulation import (
    decoder_eval_points,
    delay_one_step,
    progress_bar,
    quiet_simulator,
    rms_error,
    sine,
)

__all__ = [
    "RateSpikeComparison",
    "SpikingDecodingError",
    "compare_spikes_to_rates",
    "currents_for_rates",
    "spiking_decoding_error",
]


def currents_for_rates(neuron_type, rates):
    """Input currents at which ``neuron_type``'s rate curve gives ``rates``.

    Uses the type's own `~nengo.neurons.NeuronType.gain_bias` (with intercept 0,
    the current at ``x = 1`` is ``gain + bias``), so it works for any type.

    Parameters
    ----------
    neuron_type : NeuronType or str
        The neuron type.
    rates : array_like
        Target rates in Hz (below ``1 / tau_ref`` for LIF types).

    Returns
    -------
    currents : ndarray
        One current per rate.
    """
    neuron_type = resolve_neuron_type(neuron_type)
    rates = np.asarray(rates, dtype=float)
    gain, bias = neuron_type.gain_bias(rates, np.zeros_like(rates))
    return np.asarray(gain + bias, dtype=float)


@dataclass
class RateSpikeComparison:
    """Measured spike rates of a neuron type against its rate curve.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    dts : (n_dts,) ndarray
        Simulation time steps, in seconds.
    currents : (n_currents,) ndarray
        Constant input currents.
    rate_curve : (n_currents,) ndarray
        The type's ``rates()`` at those currents (the rate model), in Hz.
    measured : (n_dts, n_currents) ndarray
        Mean output of the stepped neurons over ``sim_time``, in Hz.
    sim_time : float
        Measurement time, in seconds (so a one-spike miss is ``1 / sim_time`` Hz).
    settle_time : float
        Time each neuron ran before the measurement, in seconds.
    """

    neuron_type: NeuronType
    dts: np.ndarray
    currents: np.ndarray
    rate_curve: np.ndarray
    measured: np.ndarray
    sim_time: float
    settle_time: float = 0.0

    @property
    def relative_error(self):
        """``measured / rate_curve - 1`` (NaN where the curve is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            error = self.measured / self.rate_curve - 1.0
        return np.where(self.rate_curve > 0, error, np.nan)

    @property
    def measured_time(self):
        """Time the spikes were counted over at each dt, (n_dts,), in seconds:
        the whole steps in ``sim_time`` (as `nengo.neurons.settled_firingrate`)."""
        return np.array([int(self.sim_time / dt) * dt for dt in self.dts])

    @property
    def count_resolution_hz(self):
        """One spike over the measured time, at each dt, (n_dts,), in Hz.

        A count over a time ``T`` gives the rate to within one spike, ``1 / T``,
        whatever the neuron does: the phase of the first and the last spike in
        the window is not measured. A difference below it is not the neuron's.
        """
        with np.errstate(divide="ignore"):
            return 1.0 / self.measured_time

    @property
    def max_abs_error_hz(self):
        """Largest ``|measured - rate_curve|`` at each dt, (n_dts,), in Hz."""
        return np.max(np.abs(self.measured - self.rate_curve), axis=1)


def compare_spikes_to_rates(
    neuron_type="nengo.LIF",
    dts=(0.0001, 0.001, 0.002, 0.005, 0.01),
    rates=None,
    currents=None,
    sim_time=1.0,
    settle_time=0.1,
    seed=0,
    progress=False,
):
    """Measure the spike rate of a neuron type at constant currents, for each dt.

    Each neuron gets one constant current; the type's ``step`` is run for
    ``settle_time`` and then for ``sim_time`` with `nengo.neurons.settled_firingrate`
    (Nengo's own measuring loop), and the mean output is compared with the
    type's ``rates()``. An exact spiking type matches its curve to within one
    spike over ``sim_time`` at every ``dt``; `nengo.LIF` departs from it once
    ``dt > tau_ref`` (at most one spike per step).

    Parameters
    ----------
    neuron_type : NeuronType or str
        The neuron type.
    dts : sequence of float
        Time steps, in seconds.
    rates : array_like, optional
        Rates of the curve to test at, in Hz (converted with
        :func:`currents_for_rates`). Default: 10 to 450 Hz in steps of 10 Hz
        (clipped below ``1 / tau_ref``).
    currents : array_like, optional
        Currents to test at, instead of ``rates``.
    sim_time, settle_time : float
        Measuring and settling times, in seconds.
    seed : int
        Seed for the initial state (e.g. LIF's random initial voltages).
    progress : bool
        Show a progress bar over dts.

    Returns
    -------
    comparison : RateSpikeComparison
        The measured rates and the rate curve.
    """
    neuron_type = resolve_neuron_type(neuron_type)
    if currents is None:
        if rates is None:
            rates = np.arange(10.0, 451.0, 10.0)
            tau_ref = getattr(neuron_type, "tau_ref", 0.0)
            if tau_ref > 0:
                rates = rates[rates < 0.95 / tau_ref]
        currents = currents_for_rates(neuron_type, rates)
    currents = np.asarray(currents, dtype=float)
    dts = np.asarray(dts, dtype=float)
    if np.any(dts <= 0):
        raise ValueError("every dt must be positive")
    # x = 0 with bias = J: the rate model's own answer for current J
    rate_curve = np.asarray(
        neuron_type.rates(
            np.zeros((1, currents.size)), np.ones_like(currents), currents
        )
    ).ravel()
    measured = np.zeros((dts.size, currents.size))
    for i in progress_bar(range(dts.size), progress, "spike rates"):
        rng = np.random.RandomState(seed)
        state = neuron_type.make_state(currents.size, rng=rng, dtype=np.float64)
        state["output"] = np.zeros(currents.size)
        measured[i] = settled_firingrate(
            neuron_type.step,
            currents.copy(),
            state,
            dt=dts[i],
            settle_time=settle_time,
            sim_time=sim_time,
        )
    return RateSpikeComparison(
        neuron_type=neuron_type,
        dts=dts,
        currents=currents,
        rate_curve=rate_curve,
        measured=measured,
        sim_time=float(sim_time),
        settle_time=float(settle_time),
    )


@dataclass
class SpikingDecodingError:
    """Decoded output of a spiking ensemble against its rate model, per dt.

    Attributes
    ----------
    neuron_type : NeuronType
        The neuron type.
    function_name : str
        The decoded function.
    dts : (n_dts,) ndarray
        Time steps, in seconds.
    rmse_vs_rate : (n_dts,) ndarray
        RMSE between the filtered spiking output and the same decoders applied to
        the rate curve (``rates()``) of the same input, filtered the same way:
        the error that spiking adds.
    rmse_vs_target : (n_dts,) ndarray
        RMSE between the filtered spiking output and the filtered ``f(x(t))``.
    traces : list of dict
        Per dt: ``t``, ``x``, ``spiking``, ``rate`` and ``target`` arrays.
    synapse : float
        Time constant of the lowpass filter on the outputs, in seconds.
    input_frequency : float
        Frequency of the sine input ``x(t) = sin(2 pi f t)``, in Hz.
    """

    neuron_type: NeuronType
    function_name: str
    dts: np.ndarray
    rmse_vs_rate: np.ndarray
    rmse_vs_target: np.ndarray
    traces: list = field(repr=False)
    synapse: float = 0.01
    input_frequency: float = 1.0


def spiking_decoding_error(
    neuron_type="nengo.LIF",
    dts=(0.0005, 0.001, 0.002, 0.005, 0.01),
    function="x",
    n_neurons=50,
    synapse=0.01,
    sim_time=1.0,
    input_frequency=1.0,
    seed=0,
    progress=False,
    **ensemble_kwargs,
):
    """Decoded-output error of a spiking ensemble against its rate model, per dt.

    The ensemble represents ``x(t) = sin(2 pi f t)`` and decodes ``function``.
    For each dt the model runs in `nengo.Simulator`; the decoded spikes are
    lowpass filtered (``synapse``) and compared with the rate model's decoded
    output (the same decoders applied to ``rates()`` of the same input, filtered
    by the same synapse). The ensemble is the same at every dt (same seed).

    Parameters
    ----------
    neuron_type : NeuronType or str
        A spiking neuron type.
    dts : sequence of float
        Time steps, in seconds.
    function : callable or str
        Function of ``x`` to decode (see :func:`.parse_function`).
    n_neurons : int
        Number of neurons.
    synapse : float
        Lowpass time constant applied to the outputs, in seconds.
    sim_time : float
        Simulated time, in seconds.
    input_frequency : float
        Frequency of the sine input, in Hz.
    seed : int
        Seed of the network.
    progress : bool
        Show a progress bar over dts.
    **ensemble_kwargs
        Further arguments of `nengo.Ensemble` (``max_rates``, ``intercepts``...).

    Returns
    -------
    result : SpikingDecodingError
        The RMSEs and the traces.
    """
    function = parse_function(function)
    neuron_type = resolve_neuron_type(neuron_type)
    dts = np.asarray(dts, dtype=float)
    if np.any(dts <= 0):
        raise ValueError("every dt must be positive")
    if "eval_points" not in ensemble_kwargs and "n_eval_points" not in ensemble_kwargs:
        # known beforehand, as in decode_function
        ensemble_kwargs["eval_points"] = decoder_eval_points(n_neurons, 1, seed)
    lowpass = nengo.Lowpass(synapse)
    traces = []
    for i in progress_bar(range(dts.size), progress, "spiking decoding"):
        network = _sine_decoding_network(
            function,
            n_neurons,
            neuron_type,
            input_frequency,
            lowpass,
            seed,
            ensemble_kwargs,
        )
        traces.append(_run_decoding(network, float(dts[i]), sim_time, lowpass))
    return SpikingDecodingError(
        neuron_type=neuron_type,
        function_name=function_name(function),
        dts=dts,
        rmse_vs_rate=np.array([rms_error(t["spiking"], t["rate"]) for t in traces]),
        rmse_vs_target=np.array([rms_error(t["spiking"], t["target"]) for t in traces]),
        traces=traces,
        synapse=float(synapse),
        input_frequency=float(input_frequency),
    )


def _sine_decoding_network(
    function, n_neurons, neuron_type, frequency, lowpass, seed, ensemble_kwargs
):
    """An ensemble fed ``sin(2 pi f t)``, decoding ``function``, with its probes."""
    size_out = np.atleast_1d(function(np.zeros(1))).size
    with nengo.Network(seed=seed) as network:
        stimulus = nengo.Node(sine(frequency))
        network.ensemble = nengo.Ensemble(
            n_neurons, 1, neuron_type=neuron_type, **ensemble_kwargs
        )
        nengo.Connection(stimulus, network.ensemble, synapse=None)
        output = nengo.Node(size_in=size_out)
        network.connection = nengo.Connection(
            network.ensemble, output, function=function, synapse=None
        )
        network.input_probe = nengo.Probe(stimulus, synapse=None)
        network.output_probe = nengo.Probe(output, synapse=lowpass)
    return network


def _run_decoding(network, dt, sim_time, lowpass):
    """Run the network at ``dt``; its traces, and the rate model's beside them."""
    ensemble = network.ensemble
    with quiet_simulator(network, dt=dt) as sim:
        sim.run(sim_time)
        decoders = np.asarray(sim.data[network.connection].weights).T
        x = sim.data[network.input_probe]
        rate_activities = get_activities(sim.data[ensemble], ensemble, x)
    function = network.connection.function
    # The same filter, run offline, on what the rate model would output;
    # Nengo's probe filter sees its input one step late, so delay by one step
    # (with a rate neuron type the two traces are then identical).
    rate = delay_one_step(lowpass.filt(rate_activities @ decoders, dt=dt, y0=0))
    target = delay_one_step(lowpass.filt(apply_function(function, x), dt=dt, y0=0))
    return {
        "t": sim.trange(),
        "x": x,
        "spiking": sim.data[network.output_probe],
        "rate": rate,
        "target": target,
    }
