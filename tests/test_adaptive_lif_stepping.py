"""ExactAdaptiveLIF's dynamics against the independent event-driven reference."""

import nengo
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_adaptive_lif import EventAdaptiveLIF

import nengo_tuning.neurons
from nengo_tuning.kernels.adaptive_lif_numpy import exact_adaptive_lif_step_numpy
from nengo_tuning.kernels.adaptive_lif_xp import exact_adaptive_lif_step_xp
from nengo_tuning.math import lif as lif_math

ExactAdaptiveLIF = nengo_tuning.neurons.ExactAdaptiveLIF
TAU_RC = 0.02
#: (tau_n, inc_n): the issue's four cases, from nengo's default to fast and strong
ADAPTATION = [(1.0, 0.01), (0.1, 0.05), (0.02, 0.2), (0.005, 0.5), (0.1, 0.0)]


def currents_up_to_max_rate(tau_ref, n_neurons):
    """Currents whose unadapted rates span 5 Hz to just below 1 / tau_ref."""
    max_rate = 0.95 / tau_ref if tau_ref > 0 else 2000.0
    rates = np.geomspace(5.0, max_rate, n_neurons)
    return lif_math.lif_current_for_rate(rates, TAU_RC, tau_ref)


def reference_for(neuron_type, voltage):
    """The reference neuron with ``neuron_type``'s parameters."""
    p = neuron_type
    return EventAdaptiveLIF(
        p.tau_rc, p.tau_ref, p.tau_n, p.inc_n, p.min_voltage, p.amplitude, voltage
    )


def compare_with_reference(neuron_type, J_steps, dt, voltage0, check_state=False):
    """Step the type and the reference side by side; return the worst count gap.

    ``J_steps`` has one row of currents per step. The gap is the largest
    |cumulative spike-count difference| at any step.
    """
    n = J_steps.shape[1]
    voltage = voltage0.copy()
    refractory_time = np.zeros(n)
    adaptation = np.zeros(n)
    output = np.zeros(n)
    refs = [reference_for(neuron_type, v) for v in voltage0.tolist()]
    ours = np.zeros(n)
    theirs = np.zeros(n)
    worst = 0.0
    for J in J_steps:
        neuron_type.step(dt, J, output, voltage, refractory_time, adaptation)
        spikes = output * (dt / neuron_type.amplitude)
        assert np.allclose(spikes, np.round(spikes), rtol=0, atol=1e-6)
        ours += np.round(spikes)
        theirs += [ref.step(dt, j) for ref, j in zip(refs, J.tolist())]
        worst = max(worst, np.max(np.abs(ours - theirs)))
        if check_state:
            assert np.all(np.isfinite(voltage) & np.isfinite(adaptation))
            # states agree while the counts do (a count gap is a near-tie)
            same = ours == theirs
            ref_v = np.array([ref.voltage for ref in refs])
            ref_n = np.array([ref.adaptation for ref in refs])
            ref_r = np.array([ref.refractory for ref in refs])
            scale = 1 + np.abs(ref_n)
            assert np.allclose(voltage[same], ref_v[same], rtol=0, atol=1e-8)
            assert np.allclose(adaptation[same], ref_n[same], rtol=1e-9, atol=0)
            left = np.maximum(refractory_time - dt, 0)
            assert np.allclose(left[same], ref_r[same], rtol=0, atol=1e-9 * scale[same])
    return worst


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
@pytest.mark.parametrize("tau_rc", [0.02, 0.002])
@pytest.mark.parametrize("dt", [0.1, 1.0])
def test_long_steps_keep_every_spike(rng, kernel, tau_rc, dt):
    """One step of up to 500 tau_ref (and 500 tau_rc): every spike, the same
    state as the reference. Over a run longer than about 37 tau_rc the membrane
    reaches its asymptote to rounding, where the sign of its slope is noise; read
    as an extremum, that silenced a firing neuron for the rest of the step."""
    J = rng.uniform(1.2, 8.0, size=(1, 80))
    voltage0 = rng.uniform(0, 1, size=80)
    neuron_type = ExactAdaptiveLIF(tau_rc=tau_rc, tau_n=0.1, inc_n=0.05)
    with nengo_tuning.kernels.use(kernel):
        worst = compare_with_reference(neuron_type, J, dt, voltage0, check_state=True)
    assert worst == 0


@pytest.mark.parametrize("dt", [0.0001, 0.001, 0.002, 0.005, 0.01, 0.02])
@pytest.mark.parametrize("tau_ref", [0.0, 0.0005, 0.002, 0.0025])
def test_counts_within_one_of_continuous_model(rng, dt, tau_ref):
    """Issue 17: |count error| <= 1 at every step, for every dt, tau_ref, tau_n
    and inc_n of the issue, with rates up to 1 / tau_ref."""
    n_neurons = 6
    J = currents_up_to_max_rate(tau_ref, n_neurons)
    n_steps = max(10, round((0.02 if dt < 0.001 else 0.1) / dt))
    for tau_n, inc_n in ADAPTATION:
        neuron_type = ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n, tau_ref=tau_ref)
        voltage0 = rng.uniform(0, 1, size=n_neurons)
        worst = compare_with_reference(
            neuron_type, np.tile(J, (n_steps, 1)), dt, voltage0
        )
        assert worst <= 1, (tau_n, inc_n, worst)


@pytest.mark.parametrize("dt", [0.0005, 0.003, 0.01])
@pytest.mark.parametrize("min_voltage", [0.0, -1.0, -np.inf])
@pytest.mark.parametrize("tau_n", [0.005, TAU_RC, 0.3])
def test_piecewise_constant_input_state_by_state(rng, dt, min_voltage, tau_n):
    """Random currents (below threshold, far above, negative: the floor is
    reached and left) held for 3 steps: counts and states as the reference's."""
    check_piecewise_constant_input(rng, dt, min_voltage, tau_n)


def check_piecewise_constant_input(rng, dt, min_voltage, tau_n):
    n_neurons, n_steps = 8, 60
    J = np.repeat(rng.uniform(-3, 40, size=(n_steps // 3 + 1, n_neurons)), 3, axis=0)
    J = J[:n_steps]
    neuron_type = ExactAdaptiveLIF(
        tau_n=tau_n, inc_n=0.3 * tau_n / 0.02, tau_ref=0.001, min_voltage=min_voltage
    )
    voltage0 = rng.uniform(0, 1, size=n_neurons)
    assert compare_with_reference(neuron_type, J, dt, voltage0, check_state=True) <= 1


def test_near_equal_time_constants_state_by_state(rng):
    """tau_n within 1e-7 of tau_rc (the reference switches to decimal arithmetic
    there, the kernel has one cancellation-free formula for all)."""
    check_piecewise_constant_input(rng, 0.003, 0.0, TAU_RC * (1 + 1e-7))


@settings(max_examples=25, deadline=None)
@given(
    dt=st.floats(1e-4, 0.02),
    tau_ref=st.one_of(st.just(0.0), st.floats(1e-4, 0.0025)),
    tau_n=st.floats(0.005, 1.0),
    inc_n=st.floats(0.0, 0.5),
    J=st.lists(st.floats(-2.0, 60.0), min_size=1, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_counts_within_one_hypothesis(dt, tau_ref, tau_n, inc_n, J, seed):
    J = np.array(J)
    voltage0 = np.random.RandomState(seed).uniform(0, 1, size=J.size)
    neuron_type = ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n, tau_ref=tau_ref)
    assert compare_with_reference(neuron_type, np.tile(J, (12, 1)), dt, voltage0) <= 1


def test_reference_converges_to_nengo_at_tiny_dt(rng):
    """The reference checked against nengo.AdaptiveLIF where nengo's Euler step
    and one-spike limit vanish (dt = 1e-5): within one spike at every 1 ms."""
    n_neurons = 12
    J = np.linspace(1.2, 40, n_neurons)
    for tau_n, inc_n in [(0.1, 0.05), (0.005, 0.5)]:
        nengo_type = nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n)
        voltage0 = rng.uniform(0, 1, n_neurons)
        voltage, refractory_time = voltage0.copy(), np.zeros(n_neurons)
        adaptation, output = np.zeros(n_neurons), np.zeros(n_neurons)
        refs = [
            EventAdaptiveLIF(TAU_RC, 0.002, tau_n, inc_n, voltage=v) for v in voltage0
        ]
        theirs, ours = np.zeros(n_neurons), np.zeros(n_neurons)
        for _ in range(100):  # 0.1 s
            for _ in range(100):
                nengo_type.step(1e-5, J, output, voltage, refractory_time, adaptation)
                theirs += np.round(output * 1e-5)
            ours += [ref.step(0.001, j) for ref, j in zip(refs, J.tolist())]
            assert np.max(np.abs(ours - theirs)) <= 1
        assert ours.sum() > 80


def simulate_counts(neuron_type, dt, duration, seed=0, n_neurons=12):
    """Spike counts per step in nengo.Simulator, 12 neurons, J in 1.2-40."""
    with nengo.Network(seed=seed) as net:
        # (no input: x = 0, so J = bias)
        ens = nengo.Ensemble(
            n_neurons, 1, neuron_type=neuron_type, gain=np.ones(n_neurons),
            bias=np.linspace(1.2, 40, n_neurons),
        )  # fmt: skip
        probe = nengo.Probe(ens.neurons)
    with nengo.Simulator(net, dt=dt, progress_bar=False, seed=seed) as sim:
        sim.run(duration)
    return np.cumsum(np.round(sim.data[probe] * dt), axis=0)


@pytest.mark.parametrize("tau_n, inc_n", [(0.1, 0.05), (1.0, 0.01)])
def test_agrees_with_nengo_where_nengo_is_accurate(tau_n, inc_n):
    """dt = 0.1 ms, tau_ref 2 ms, tau_n >= 0.1 s: nengo.AdaptiveLIF is accurate,
    and the two types agree within one spike at every step (same seed, same
    initial voltages)."""
    dt, duration = 0.0001, 0.2
    ours = simulate_counts(ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n), dt, duration)
    theirs = simulate_counts(nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n), dt, duration)
    assert ours[-1].sum() > 300
    assert np.max(np.abs(ours - theirs)) <= 1


def test_nengo_loses_spikes_where_the_exact_type_does_not(rng):
    """The comparison can fail: nengo.AdaptiveLIF at dt = 5 ms fails it."""
    dt, n_steps = 0.005, 100
    J = np.tile(np.linspace(1.2, 40, 12), (n_steps, 1))
    voltage0 = rng.uniform(0, 1, 12)
    nengo_type = nengo.AdaptiveLIF(tau_n=0.1, inc_n=0.05)
    assert compare_with_reference(nengo_type, J, dt, voltage0) > 20
    exact = ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05)
    assert compare_with_reference(exact, J, dt, voltage0) <= 1


@pytest.mark.parametrize(
    "tau_n, inc_n, start",
    [(0.1, 0.05, "rest"), (0.005, 0.5, "rest"), (1.0, 0.01, "orbit")],
)
def test_adapted_rates_match_long_simulations(tau_n, inc_n, start):
    """`adapted_rates` is the exact type's steady rate: over a 2 s window, after
    1 s of settling, the count is within one spike of rate * 2 s. Started from
    rest, the neurons converge to the orbit; with tau_n = 1 s that takes too
    long for a test, so they start on it (just after a spike) and must stay."""
    dt = 0.02  # (exact at any dt)
    neuron_type = ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n)
    J = np.linspace(1.2, 40, 6)
    # (x = 1 with gain J and bias 0: one row of rates, one per neuron)
    rates = neuron_type.adapted_rates(np.ones(1), J, np.zeros(6))[0]
    voltage, refractory_time = np.zeros(6), np.zeros(6)
    adaptation, output = np.zeros(6), np.zeros(6)
    if start == "orbit":
        jump = inc_n / tau_n
        adaptation[:] = jump / -np.expm1(-1 / (rates * tau_n))
        refractory_time[:] = dt + neuron_type.tau_ref  # (nengo's convention)
    counts = np.zeros(6)
    settle = round(1.0 / dt)
    for step in range(settle + round(2.0 / dt)):
        neuron_type.step(dt, J, output, voltage, refractory_time, adaptation)
        if step >= settle:
            counts += np.round(output * dt)
    assert np.all(np.abs(counts - 2.0 * rates) <= 1.0)
    # and below the unadapted curve that rates() gives
    assert np.all(rates < 0.99 * neuron_type.rates(np.ones(1), J, np.zeros(6))[0])


def test_numpy_entry_equals_xp_kernel(rng):
    """The numpy entry's fast path (quiet neurons) gives the kernel's results."""
    n = 400
    for min_voltage in (0.0, -np.inf):
        J = rng.uniform(-5, 40, n)
        voltage = rng.uniform(-0.5, 1.2, n)
        refractory_time = rng.uniform(0, 0.004, n)
        adaptation = rng.uniform(-1, 30, n)
        params = (TAU_RC, 0.002, 0.05, 0.1, min_voltage, 1.0)
        expected = exact_adaptive_lif_step_xp(
            0.003, J, voltage, refractory_time, adaptation, *params
        )
        output = np.zeros(n)
        exact_adaptive_lif_step_numpy(
            0.003, J, output, voltage, refractory_time, adaptation, *params
        )
        for got, want in zip((output, voltage, refractory_time, adaptation), expected):
            assert np.array_equal(got, want)
