"""The adaptive LIF closed forms against numerical integration and the reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_adaptive_lif import EventAdaptiveLIF
from scipy.integrate import solve_ivp

from nengo_tuning.kernels import adaptive_lif_compiled
from nengo_tuning.math import adaptive_lif as alif
from nengo_tuning.math import lif as lif_math

TAU_RC = 0.02


def integrate(v0, n0, J, tau_n, times):
    """The ODE ``tau_rc V' = J - n - V``, ``tau_n n' = -n``, integrated numerically."""
    solution = solve_ivp(
        lambda t, y: [(J - y[1] - y[0]) / TAU_RC, -y[1] / tau_n],
        (0, times[-1]),
        [v0, n0],
        rtol=1e-12,
        atol=1e-13,
        t_eval=times,
        method="DOP853",
    )
    return solution.y


@pytest.mark.parametrize("tau_n", [0.001, 0.005, TAU_RC, TAU_RC * (1 + 1e-9), 0.1, 1.0])
@pytest.mark.parametrize(
    "v0, n0, J", [(0.3, 2.5, 4.0), (0.9, -1.0, 0.5), (0.0, 30, 40)]
)
def test_voltage_matches_integrated_ode(tau_n, v0, n0, J):
    times = np.linspace(0, 0.05, 21)
    v_ode, n_ode = integrate(v0, n0, J, tau_n, times)
    v = alif.voltage_at_xp(v0, n0, J, times, TAU_RC, tau_n)
    n = alif.adaptation_at_xp(n0, times, tau_n)
    scale = max(abs(J), abs(n0), 1.0)
    assert np.allclose(v, v_ode, rtol=0, atol=1e-9 * scale)
    assert np.allclose(n, n_ode, rtol=0, atol=1e-9 * scale)


@pytest.mark.parametrize("relative", [1e-15, 1e-12, 1e-8, 1e-5, 1e-3])
def test_no_cancellation_near_equal_time_constants(relative):
    """V is continuous in tau_n through tau_n == tau_rc, to rounding."""
    times = np.linspace(0, 0.1, 11)
    at_equal = alif.voltage_at_xp(0.2, 5.0, 3.0, times, TAU_RC, TAU_RC)
    for tau_n in (TAU_RC * (1 + relative), TAU_RC * (1 - relative)):
        near = alif.voltage_at_xp(0.2, 5.0, 3.0, times, TAU_RC, tau_n)
        # dV/dtau_n is O(1 / tau) here: the difference is the true change only
        assert np.allclose(near, at_equal, rtol=0, atol=5 * relative + 1e-14)


def test_extremum_time_is_where_the_slope_vanishes():
    rng = np.random.RandomState(0)
    for tau_n in (0.004, TAU_RC, 0.3):
        v0 = rng.uniform(0, 1, 200)
        n0 = rng.uniform(-20, 20, 200)
        J = rng.uniform(-5, 20, 200)
        t_e = alif.extremum_time_xp(v0, n0, J, TAU_RC, tau_n)
        slope0 = alif.slope_term_xp(v0, n0, J)
        # an extremum at t > 0 exists where the slope's sign is opposite to n0's
        has = (t_e > 0) & (slope0 * n0 < 0)
        assert has.sum() > 20
        v = alif.voltage_at_xp(v0, n0, J, t_e, TAU_RC, tau_n)
        n = alif.adaptation_at_xp(n0, t_e, tau_n)
        slope = alif.slope_term_xp(v, n, J)
        assert np.all(np.abs(slope[has]) <= 1e-9 * (np.abs(J) + np.abs(n0) + 1)[has])


@settings(max_examples=200, deadline=None)
@given(
    v0=st.floats(0.0, 0.999),
    n0=st.floats(-5.0, 60.0),
    J=st.floats(-2.0, 60.0),
    tau_n=st.sampled_from([0.003, TAU_RC, 0.05, 1.0]),
    horizon=st.floats(1e-5, 0.05),
)
def test_threshold_crossing_agrees_with_reference_bisection(v0, n0, J, tau_n, horizon):
    """The kernel's crossing (closed-form extremum, Halley) and the reference's
    (bisection on the slope, then on V) agree to float precision."""
    ref = EventAdaptiveLIF(TAU_RC, 0.002, tau_n, 0.0).first_reach(
        1.0, True, v0, n0, J, horizon
    )
    got = float(
        alif.crossing_time_xp(
            1.0, True, *map(np.atleast_1d, (v0, n0, J, horizon)), TAU_RC, tau_n
        )[0]
    )
    if ref is None:
        # no crossing, or one so tangent that V exceeds 1 by rounding only
        if got != np.inf:
            assert alif.voltage_at_xp(v0, n0, J, got, TAU_RC, tau_n) >= 1 - 1e-12
    else:
        assert got <= horizon
        # equal times, or (a nearly tangent crossing, ill-conditioned in time)
        # a time at which V is at threshold to rounding
        v_got = alif.voltage_at_xp(v0, n0, J, got, TAU_RC, tau_n)
        assert abs(got - ref) <= 1e-12 * horizon or abs(v_got - 1) <= 1e-12


def test_floor_release_time():
    n0 = np.array([5.0, 2.0, 0.5, 3.0])
    J = np.array([1.0, 3.0, 0.2, -1.0])
    t = alif.floor_release_time_xp(n0, J, 0.0, 0.1)
    assert t[1] == 0.0  # drive already above the floor
    assert t[3] == np.inf  # J below the floor: never
    drive = J[[0, 2]] - alif.adaptation_at_xp(n0[[0, 2]], t[[0, 2]], 0.1)
    assert np.allclose(drive, 0.0, atol=1e-14)


@pytest.mark.parametrize("tau_n, inc_n", [(0.1, 0.05), (0.02, 0.2), (0.005, 0.5)])
def test_adapted_rate_is_the_periodic_orbit(tau_n, inc_n):
    """The reference neuron, started on the orbit's phase (just after a spike,
    with the orbit's adaptation), spikes again exactly one period later."""
    J = np.array([1.3, 3.0, 10.0, 40.0])
    rate = alif.adapted_rate(J, TAU_RC, 0.002, tau_n, inc_n)
    jump = inc_n / tau_n
    for j, r in zip(J, rate):
        period = 1 / r
        n_after = jump / -np.expm1(-period / tau_n)
        ref = EventAdaptiveLIF(
            TAU_RC, 0.002, tau_n, inc_n, refractory=0.002, adaptation=n_after
        )
        assert ref.step(period * (1 - 1e-9), j) == 0
        assert ref.step(period * 2e-9, j) == 1
        # and the adaptation is back where it started
        assert ref.adaptation == pytest.approx(n_after, rel=1e-6)


def test_adapted_rate_edges():
    J = np.array([-np.inf, 0.5, 1.0, 1.5, 5.0, np.inf])
    lif = lif_math.lif_rate(J, TAU_RC, 0.002)
    assert np.array_equal(alif.adapted_rate(J, TAU_RC, 0.002, 0.1, 0.0), lif)
    adapted = alif.adapted_rate(J, TAU_RC, 0.002, 0.1, 0.05)
    assert np.all(adapted[:3] == 0)
    assert np.all(adapted[3:5] < lif[3:5])
    assert adapted[5] == lif[5] == 500.0
    stronger = alif.adapted_rate(J, TAU_RC, 0.002, 0.1, 0.2)
    assert np.all(stronger[3:5] < adapted[3:5])


def _voltage_long_double(v0, n0, J, t, tau_rc, tau_n):
    """V(t) in long double (x87's 64-bit mantissa here): the same closed form,
    11 bits more precise than the float64 kernel's."""
    v0, n0, J, t, tau_rc, tau_n = (
        np.asarray(x, dtype=np.longdouble) for x in (v0, n0, J, t, tau_rc, tau_n)
    )
    d = np.abs(1 / tau_rc - 1 / tau_n)
    x = -d * t
    phi = np.where(x < 0, np.expm1(x) / np.where(x < 0, x, 1), 1)
    slow = np.maximum(tau_n, tau_rc)
    response = (t / tau_rc) * np.exp(-t / slow) * phi
    return v0 + (v0 - J) * np.expm1(-t / tau_rc) - n0 * response


@pytest.mark.skipif(
    np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps / 100,
    reason="needs a long double more precise than float64 (x86's 80-bit)",
)
@pytest.mark.parametrize("tau_n", [0.005, TAU_RC, 0.1, 1.0])
def test_threshold_crossing_is_the_root_to_float_precision(tau_n):
    """A rise to threshold: the crossing time of both forms (the numpy form and
    the compiled kernel's) is the root of V = 1 to within the refinement's
    tolerance (CROSSING_RTOL of the bracket) plus V's own rounding (about
    CROSSING_RTOL (|J| + |n0| + 1), over the slope). The root is bisected in
    long double on the same closed form."""
    rng = np.random.default_rng(int(tau_n * 1e4))
    m = 4000
    horizon = rng.uniform(1e-4, 0.02, m)
    v0 = np.where(rng.random(m) < 0.5, 0.0, rng.uniform(-0.5, 0.99, m))
    n0 = rng.uniform(-0.5, 20.0, m)
    J = rng.uniform(1.01, 400.0, m)
    v_end = alif.voltage_at_xp(v0, n0, J, horizon, TAU_RC, tau_n)
    n_end = alif.adaptation_at_xp(n0, horizon, tau_n)
    rising = (J - n0 - v0 > 0) & (J - n_end - v_end > 0) & (v_end >= 1)
    assert rising.sum() > m / 4
    v0, n0, J, horizon = (x[rising] for x in (v0, n0, J, horizon))
    lo = np.zeros(v0.shape, np.longdouble)
    hi = horizon.astype(np.longdouble)
    for _ in range(80):
        mid = (lo + hi) / 2
        above = _voltage_long_double(v0, n0, J, mid, TAU_RC, tau_n) >= 1
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    root = hi
    slope = (J - alif.adaptation_at_xp(n0, root.astype(float), tau_n) - 1) / TAU_RC
    allowed = alif.CROSSING_RTOL * (horizon + (np.abs(J) + np.abs(n0) + 1) / slope)
    got = {"numpy": alif.crossing_time_xp(1.0, True, v0, n0, J, horizon, TAU_RC, tau_n)}
    if adaptive_lif_compiled.AVAILABLE:
        compiled = []
        for args in zip(v0, n0, J, horizon):
            v_e, n_e = adaptive_lif_compiled._state_at(*args, TAU_RC, tau_n)
            segment = adaptive_lif_compiled._segment(*args, v_e, n_e, TAU_RC, tau_n)
            compiled.append(
                adaptive_lif_compiled._crossing(
                    1.0, True, segment, TAU_RC, tau_n, alif.CROSSING_RTOL
                )
            )
        got["compiled"] = np.array(compiled)
    for form, t in got.items():
        error = np.abs(t - root)
        assert np.all(error <= allowed), (form, float(np.max(error / allowed)))
