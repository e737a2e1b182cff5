"""The compiled adaptive-LIF kernel against the numpy one, and what it refuses.

`kernels.adaptive_lif_compiled` writes the formulas of `math.adaptive_lif` for
one neuron, term for term in the same order as the xp form (which the numpy
entry point runs, and which tests/test_adaptive_lif_stepping.py holds against
an independent event-driven reference). Its scalar ``exp``, ``expm1`` and
``log1p`` may round differently from numpy's by an ulp, and a crossing time is
refined until its step or ``|V - 1|`` is at rounding level, so an ulp can move
where the refinement stops: crossing times, and the states that follow them,
agree to about 1e-13 relative per step (measured: 2e-12 relative after 30
steps of dt = 20 ms; the tolerance, 1e-9 of ``1 + |value|``, is far below any
physical effect and far above that). Spike counts must be equal.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nengo_tuning import ExactAdaptiveLIF, kernels
from nengo_tuning.kernels import adaptive_lif, adaptive_lif_compiled
from nengo_tuning.kernels.adaptive_lif_numpy import exact_adaptive_lif_step_numpy
from nengo_tuning.kernels.adaptive_lif_xp import MAX_RESOLVED_SPIKES
from nengo_tuning.kernels.compiled import ACCEPTED

pytestmark = pytest.mark.skipif(
    not adaptive_lif_compiled.AVAILABLE, reason="the compiled kernel needs numba"
)
compiled_step = adaptive_lif_compiled.exact_adaptive_lif_step_compiled
TOLERANCE = 1e-9


def random_state(rng, n, min_voltage):
    low = max(min_voltage, -1.0) - 0.3  # (some start below the floor)
    return [
        np.zeros(n),
        rng.uniform(low, 1.05, n),
        rng.uniform(0, 0.006, n),
        rng.uniform(-0.5, 3.0, n),  # (negative: an initial state may be)
    ]


def assert_same(got, want):
    np.testing.assert_array_equal(got[0], want[0])  # outputs: the spike counts
    for a, b in zip(got[1:], want[1:]):
        assert np.all(np.abs(a - b) <= TOLERANCE * (1 + np.abs(b)))


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    dt=st.sampled_from([1e-4, 1e-3, 2e-3, 5e-3, 0.02]),
    tau_ref=st.sampled_from([1e-4, 5e-4, 0.002, 0.0025]),
    tau_n=st.sampled_from([0.005, 0.02, 0.0200001, 0.1, 1.0]),
    inc_n=st.sampled_from([0.0, 0.01, 0.2, 0.5]),
    min_voltage=st.sampled_from([0.0, -0.5, -np.inf]),
    J_high=st.floats(0.5, 400.0),
    seed=st.integers(0, 2**16),
)
def test_compiled_equals_numpy_over_steps(
    dt, tau_ref, tau_n, inc_n, min_voltage, J_high, seed
):
    """Equal counts, states within TOLERANCE, over steps of changing input.

    tau_n = 0.02 = tau_rc and just above it take the equal-time-constants form;
    J up to 400 fires up to ~1 / tau_ref (dozens of spikes a step at dt = 20 ms).
    """
    rng = np.random.default_rng(seed)
    n = 24
    params = (0.02, tau_ref, tau_n, inc_n, min_voltage, 1.0)
    got = random_state(rng, n, min_voltage)
    want = [x.copy() for x in got]
    J = rng.uniform(-J_high, J_high, n)
    for step in range(6):
        J_step = J * (1.0 + 0.5 * np.sin(step))
        assert compiled_step(dt, J_step, *got, *params)
        exact_adaptive_lif_step_numpy(dt, J_step, *want, *params)
        assert_same(got, want)


def test_compiled_equals_numpy_for_a_large_population():
    """Many neurons in every regime at once (quiet, refractory, bursting, at the
    floor), for nengo's default adaptation and fast adaptation."""
    rng = np.random.default_rng(5)
    n = 5000
    for tau_n, inc_n in [(1.0, 0.01), (0.1, 0.05)]:
        for dt in (0.001, 0.005):
            params = (0.02, 0.002, tau_n, inc_n, -0.2, 2.0)
            got = random_state(rng, n, -0.2)
            want = [x.copy() for x in got]
            J = rng.uniform(-20, 60, n)
            for _ in range(20):
                assert compiled_step(dt, J, *got, *params)
                exact_adaptive_lif_step_numpy(dt, J, *want, *params)
                assert_same(got, want)
            counts = np.round(got[0] * dt / 2.0)  # (amplitude 2)
            bursts = 2 if dt > 0.002 else 1  # (tau_ref 2 ms)
            assert np.any(counts == 0) and np.any(counts >= bursts)


@pytest.mark.parametrize("min_voltage", [0.0, -0.5, -np.inf])
def test_quiet_step_shortcut_agrees_at_its_edges(min_voltage):
    """The compiled kernel writes a quiet step (V monotone within [min_voltage,
    1) over the whole step) without its event loop. At the shortcut's edges, the
    result equals the numpy kernel's: V at the floor with the drive just above or
    at it, a zero slope at the start (J - n = V), V just under threshold and
    rising to it within the step or not, a minimum inside the step, a fall
    through the floor."""
    floor = min_voltage if np.isfinite(min_voltage) else -0.5
    dt = 0.005
    # (n0, v0, J): V's dynamics are unchanged by a shift of V and J together
    cases = [
        (0.0, floor, floor + 1e-9),  # at the floor, drive just above it
        (0.3, floor, floor + 0.3),  # at the floor, drive at it: stuck
        (0.3, floor, floor + 0.3 + 1e-12),
        (0.2, 0.4, 0.6),  # zero slope at the start
        (0.0, 1 - 1e-12, 1.0),  # rising towards threshold, never there
        (0.0, 1 - 1e-9, 1.0 + 2e-6),  # rising to threshold within the step
        (2.0, 0.9, 1.5),
        (0.5, 0.2, 0.7),
        (-0.3, 0.5, 0.0),
        (0.0, 0.6, 0.6),
        (0.0, floor + 1e-4, floor - 30),  # through the floor, ending far below
        (0.0, floor + 1e-4, floor - 2),  # through the floor, ending below
        (0.0, 1.0, 0.5),  # at threshold (a spike at once), then falling
        (0.0, 1.2, 0.0),  # above it (an initial state may be)
        (40.0, floor + 0.01, floor + 39.5),  # a minimum below the floor inside
    ]
    n0, v0, J = (np.array(column) for column in zip(*cases))
    state = [np.zeros(len(J)), v0, np.zeros(len(J)), n0]
    params = (0.02, 0.002, 0.1, 0.05, min_voltage, 1.0)
    for _ in range(3):  # (the second and third steps start where the first ended)
        want = [x.copy() for x in state]
        assert compiled_step(dt, J, *state, *params)
        exact_adaptive_lif_step_numpy(dt, J, *want, *params)
        assert_same(state, want)
        np.testing.assert_allclose(state[1], want[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("tau_n, inc_n", [(1.0, 0.01), (0.1, 0.05), (0.02, 0.3)])
def test_rounds_give_the_numbers_of_event_by_event(tau_n, inc_n):
    """The compiled kernel steps the neurons with events in rounds; taken event
    by event, neuron after neuron, each neuron's arithmetic is the same, so every
    state must be the same number, bit for bit. 3 000 neurons span three chunks
    (ROUNDS_CHUNK) and every path: quiet, refractory through the step, several
    spikes a step, the floor, an extremum inside a run, at threshold already."""
    assert adaptive_lif_compiled.ROUNDS_CHUNK < 3000 / 2
    rng = np.random.default_rng(17)
    n = 3000
    step = adaptive_lif_compiled._step_compiled
    for min_voltage in (0.0, -0.5, -np.inf):
        for dt in (0.001, 0.005, 0.02):
            params = (0.02, 0.002, tau_n, inc_n, min_voltage, 1.0)
            in_rounds = random_state(rng, n, min_voltage)
            by_event = [x.copy() for x in in_rounds]
            J = rng.uniform(-30, 400, n)
            counts = []
            for k in range(5):
                J_step = J * (1.0 + 0.5 * np.sin(k))
                assert step(dt, J_step, *in_rounds, *params, True) == ACCEPTED
                assert step(dt, J_step, *by_event, *params, False) == ACCEPTED
                for got, want in zip(in_rounds, by_event):
                    np.testing.assert_array_equal(got, want)
                counts.append(np.round(in_rounds[0] * dt))
            assert np.max(counts) >= (3 if dt > 0.004 else 1)
            assert np.any(np.array(counts) == 0)


@pytest.mark.parametrize(
    "case",
    ["nan", "inf", "-inf", "large", "float32", "tau_ref 0", "tau_ref tiny"],
)
def test_refused_input_is_untouched_and_stepped_by_numpy(case):
    """What the compiled kernel refuses it leaves alone; the front end steps it
    with the numpy kernel, so results do not depend on the kernel."""
    dtype = np.float32 if case == "float32" else np.float64
    J = np.array([3.0, 20.0, -1.0], dtype=dtype)
    tau_ref = {"tau_ref 0": 0.0, "tau_ref tiny": 1e-6}.get(case, 0.002)
    special = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "large": 1e200}
    J[1] = special.get(case, J[1])
    state = [np.zeros(3, dtype), np.full(3, 0.5, dtype)]
    state += [np.zeros(3, dtype), np.full(3, 0.1, dtype)]
    before = [x.copy() for x in state]
    params = (0.02, tau_ref, 0.1, 0.05, 0.0, 1.0)
    assert not compiled_step(0.005, J, *state, *params)
    for x, y in zip(state, before):
        assert np.array_equal(x, y)

    neuron_type = ExactAdaptiveLIF(tau_ref=tau_ref, tau_n=0.1, inc_n=0.05)
    if case == "tau_ref tiny":
        J[1] = 500.0  # (about 120 spikes in the step: within the numpy limit)
    neuron_type.step(0.005, J, *state)
    expected = [x.copy() for x in before]
    with kernels.use("numpy"):
        neuron_type.step(0.005, J, *expected)
    for x, y in zip(state, expected):
        np.testing.assert_array_equal(x, y)


def test_the_compiled_bound_on_dt_over_tau_ref_keeps_counts_below_the_limit():
    """At the largest dt / tau_ref it takes, a neuron driven as hard as finite
    input allows fires fewer than MAX_RESOLVED_SPIKES spikes, as numpy does."""
    tau_ref = 1e-5
    dt = adaptive_lif_compiled.MAX_STEP_OVER_TAU_REF * tau_ref
    J = np.array([1e150, 50.0])
    got = [np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2)]
    want = [x.copy() for x in got]
    params = (0.02, tau_ref, 0.1, 0.05, 0.0, 1.0)
    assert compiled_step(dt, J, *got, *params)
    exact_adaptive_lif_step_numpy(dt, J, *want, *params)
    count = got[0][0] * dt
    assert MAX_RESOLVED_SPIKES - 30 < round(count) < MAX_RESOLVED_SPIKES
    assert_same(got, want)
    assert not compiled_step(dt * 1.001, J, *got, *params)


def test_front_end_dispatch_follows_the_kernel_choice(monkeypatch):
    calls = []
    real = adaptive_lif._compiled_kernel()

    def counting(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(adaptive_lif, "_compiled_kernel", lambda: counting)
    neuron_type = ExactAdaptiveLIF()
    state = [np.zeros(4), np.full(4, 0.5), np.zeros(4), np.zeros(4)]
    J = np.full(4, 5.0)
    neuron_type.step(0.001, J, *state)
    assert len(calls) == 1
    with kernels.use("numpy"):
        neuron_type.step(0.001, J, *state)
    assert len(calls) == 1
    neuron_type.step(
        0.001, J.astype(np.float32), *(x.astype(np.float32) for x in state)
    )
    assert len(calls) == 1  # (float32: the numpy kernel, without asking)
