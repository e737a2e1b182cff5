"""ExactAdaptiveLIF as a Nengo neuron type: parameters, state, edges, simulator."""

import inspect
import pickle

import nengo
import numpy as np
import pytest
from nengo.exceptions import SimulationError, ValidationError

import nengo_tuning.neurons
from nengo_tuning.kernels.adaptive_lif_xp import MAX_RESOLVED_SPIKES

ExactAdaptiveLIF = nengo_tuning.neurons.ExactAdaptiveLIF


def test_drop_in_for_nengo_adaptive_lif():
    """Same parameters, defaults, state names and initial-state distributions."""
    ours = inspect.signature(ExactAdaptiveLIF.__init__).parameters
    theirs = inspect.signature(nengo.AdaptiveLIF.__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]
    assert ExactAdaptiveLIF.state == nengo.AdaptiveLIF.state
    assert ExactAdaptiveLIF.spiking and not ExactAdaptiveLIF.negative
    neuron_type = ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05)
    assert neuron_type == pickle.loads(pickle.dumps(neuron_type))
    assert neuron_type != ExactAdaptiveLIF(tau_n=0.1, inc_n=0.06)


def test_rates_are_nengo_unadapted_curve():
    """rates() is nengo.AdaptiveLIF's (the LIF curve), used to solve decoders."""
    x = np.linspace(-1, 1, 101)
    gain, bias = np.array([2.0, 30.0]), np.array([1.5, -3.0])
    ours = ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05, tau_ref=0.001)
    theirs = nengo.AdaptiveLIF(tau_n=0.1, inc_n=0.05, tau_ref=0.001)
    assert np.allclose(ours.rates(x, gain, bias), theirs.rates(x, gain, bias))
    assert np.allclose(
        ours.gain_bias(np.array([100.0, 300.0]), np.array([-0.5, 0.2])),
        theirs.gain_bias(np.array([100.0, 300.0]), np.array([-0.5, 0.2])),
    )
    adapted = ours.adapted_rates(x, gain, bias)
    assert adapted.shape == ours.rates(x, gain, bias).shape
    assert np.all(adapted <= ours.rates(x, gain, bias))


@pytest.mark.parametrize(
    "name, bad",
    [
        ("tau_n", 0),
        ("tau_n", -1),
        ("tau_n", np.inf),
        ("tau_n", np.nan),
        ("inc_n", -0.1),
        ("inc_n", np.inf),
        ("inc_n", np.nan),
        ("tau_rc", 0),
        ("tau_rc", np.nan),
        ("tau_ref", -0.001),
        ("tau_ref", np.inf),
        ("min_voltage", 0.5),
        ("min_voltage", np.nan),
        ("amplitude", 0),
        ("amplitude", np.inf),
    ],
)
def test_parameter_validation(name, bad):
    with pytest.raises(ValidationError, match=name):
        ExactAdaptiveLIF(**{name: bad})


def test_initial_state_must_be_finite():
    with pytest.raises(ValidationError, match="initial_state"):
        ExactAdaptiveLIF(initial_state={"adaptation": np.array([np.nan])})
    ExactAdaptiveLIF(min_voltage=-np.inf)  # "no floor" is allowed


def step_once(neuron_type, dt, J, voltage, refractory_time, adaptation):
    output = np.zeros_like(J)
    neuron_type.step(dt, J, output, voltage, refractory_time, adaptation)
    return output


@pytest.mark.parametrize("tau_ref", [0.0, 0.002])
@pytest.mark.parametrize("min_voltage", [0.0, -np.inf])
def test_non_finite_input_keeps_state_finite(tau_ref, min_voltage):
    dt = 0.005
    neuron_type = ExactAdaptiveLIF(
        tau_n=0.1, inc_n=0.05, tau_ref=tau_ref, min_voltage=min_voltage
    )
    J = np.array([np.inf, -np.inf, np.nan, np.inf, 3.0])
    voltage = np.array([0.5, 0.5, 0.5, 0.5, 0.5])
    # the fourth neuron is refractory for 3 ms of the step
    refractory_time = np.array([0.0, 0.0, 0.0, dt + 0.003, 0.0])
    adaptation = np.full(5, 2.0)
    output = step_once(neuron_type, dt, J, voltage, refractory_time, adaptation)
    assert np.all(np.isfinite(voltage) & np.isfinite(adaptation))
    assert np.all(np.isfinite(refractory_time))
    if tau_ref > 0:
        # spikes at 0, 2 and 4 ms; then at 3 ms only (free at 3, next at 5 = dt)
        assert output[0] * dt == pytest.approx(3)
        assert output[3] * dt == pytest.approx(1)
        # n: 2 decayed over 5 ms, plus three jumps decayed from their times
        jump = 0.05 / 0.1
        n_expected = 2 * np.exp(-dt / 0.1) + jump * sum(
            np.exp(-(dt - s) / 0.1) for s in (0.0, 0.002, 0.004)
        )
        assert adaptation[0] == pytest.approx(n_expected, rel=1e-12)
    else:
        assert output[0] == np.inf
    assert output[1] == 0
    assert voltage[1] == (0.0 if min_voltage == 0 else 0.5)
    assert np.isnan(output[2]) and voltage[2] == 0.5
    assert adaptation[1] == adaptation[2] == pytest.approx(2 * np.exp(-dt / 0.1))
    # back to finite input: normal dynamics
    J[:] = 3.0
    for _ in range(20):
        step_once(neuron_type, dt, J, voltage, refractory_time, adaptation)
    assert np.all(np.isfinite(voltage) & np.isfinite(adaptation))
    assert np.all((voltage <= 1) & (voltage >= min(min_voltage, 0.0)))


def test_too_many_spikes_in_one_step_is_a_clear_error():
    neuron_type = ExactAdaptiveLIF(tau_ref=1e-7, inc_n=0.0)
    voltage, refractory_time, adaptation = np.zeros(2), np.zeros(2), np.zeros(2)
    J = np.array([2.0, 1e9])
    with pytest.raises(SimulationError, match=str(MAX_RESOLVED_SPIKES)):
        step_once(neuron_type, 0.001, J, voltage, refractory_time, adaptation)
    assert np.all(voltage == 0)  # nothing written


def test_tau_ref_zero_fires_beyond_one_per_step():
    """tau_ref = 0: many spikes per step, counted (nengo caps at one per step)."""
    neuron_type = ExactAdaptiveLIF(tau_ref=0.0, tau_n=0.1, inc_n=0.0)
    voltage, refractory_time, adaptation = np.zeros(1), np.zeros(1), np.zeros(1)
    J = np.array([40.0])
    total = 0
    for _ in range(100):
        out = step_once(neuron_type, 0.01, J, voltage, refractory_time, adaptation)
        total += round(out[0] * 0.01)
    isi = 0.02 * np.log1p(1 / 39)
    assert abs(total - np.floor(1.0 / isi)) <= 1


def test_in_simulator_probes_and_reset():
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: np.sin(6 * t))
        ens = nengo.Ensemble(30, 1, neuron_type=ExactAdaptiveLIF(tau_n=0.1, inc_n=0.1))
        nengo.Connection(stim, ens)
        probes = [
            nengo.Probe(ens.neurons, key)
            for key in ("output", "voltage", "refractory_time", "adaptation")
        ]
        decoded = nengo.Probe(ens, synapse=0.02)
    with nengo.Simulator(net, dt=0.005, progress_bar=False) as sim:
        sim.run(0.3)
        first = [sim.data[p].copy() for p in probes + [decoded]]
        sim.reset()
        sim.run(0.3)
        second = [sim.data[p] for p in probes + [decoded]]
    for a, b in zip(first, second):
        assert np.array_equal(a, b)
    assert np.max(first[3]) > 0  # adaptation builds up
    assert np.sum(first[0]) > 0


def test_float32_state_counts_as_float64():
    """float32 arrays (as NengoDL may pass): the same spike counts within one."""
    neuron_type = ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05)
    J = np.linspace(1.2, 40, 8)
    totals = []
    for dtype in (np.float32, np.float64):
        state = [np.zeros(8, dtype) for _ in range(3)]
        state[0][:] = np.linspace(0, 0.9, 8)
        total = np.zeros(8)
        for _ in range(100):
            out = step_once(neuron_type, 0.005, J.astype(dtype), *state)
            assert out.dtype == dtype
            total += np.round(out * 0.005)
        assert all(s.dtype == dtype and np.all(np.isfinite(s)) for s in state)
        totals.append(total)
    assert np.max(np.abs(totals[0] - totals[1])) <= 1


def test_arrays_of_another_length_are_refused():
    """As for the other kernels: a clear error naming the array, nothing written."""
    voltage = np.full(3, 0.5)
    with pytest.raises(ValueError, match="adaptation"):
        ExactAdaptiveLIF().step(
            0.001, np.ones(3), np.zeros(3), voltage, np.zeros(3), np.zeros(2)
        )
    assert np.all(voltage == 0.5)


def test_initial_state_of_wrong_length_refused_at_build():
    neuron_type = ExactAdaptiveLIF(initial_state={"adaptation": np.zeros(3)})
    with nengo.Network() as net:
        nengo.Ensemble(5, 1, neuron_type=neuron_type)
    with pytest.raises(ValidationError, match="initial_state"):
        nengo.Simulator(net, progress_bar=False)
