"""The in-place numpy step kernel against `exact_lif_step_xp` (the formula source).

`kernels.lif.exact_lif_step` (what ExactLIF runs in nengo.Simulator) is an in-place,
subset-only rewrite of `kernels.lif_xp.exact_lif_step_xp` (what the NengoDL builders
run) for speed. These tests hold the two equal over random inputs, far edges
included, so that the formulas live in one place in effect.

Tolerance: the numpy kernel performs, element for element, the same
floating-point operations in the same order as `exact_lif_step_xp` (it only
skips those whose result is masked away), so the results are expected to be
identical. States are compared to 4 ulps (of the value, or of 1 near zero),
room for a vectorized math routine that rounds differently on a gathered subset
than on the whole array; spike counts, and where output and state are
non-finite, must match exactly.
"""

import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nengo_tuning import kernels
from nengo_tuning.kernels import lif as lif_kernel
from nengo_tuning.kernels import lif_numpy, lif_xp
from nengo_tuning.math import lif

# Bounded for CI: ~300 examples of up to 24 neurons run in a few seconds.
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def near_one(dtype):
    """J exactly 1 and within a few ulps of it, on both sides."""
    one = dtype(1.0)
    below, above = [one], [one]
    for _ in range(4):
        below.append(np.nextafter(below[-1], dtype(0)))
        above.append(np.nextafter(above[-1], dtype(2)))
    return [float(x) for x in below + above[1:]]


@st.composite
def step_cases(draw):
    """One step's parameters and a random state of a few neurons."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n = draw(st.integers(1, 24))
    tau_rc = draw(st.floats(1e-6, 1.0))
    # dt / tau_rc from 1e-4 up to 1e6
    dt = tau_rc * 10 ** draw(st.floats(-4, 6))
    tau_ref = draw(
        st.sampled_from([0.0, 0.5 * dt, dt, 2.5 * dt, draw(st.floats(0, 1))])
    )
    min_voltage = draw(st.sampled_from([0.0, -1.0, -10.0, -np.inf]))
    amplitude = draw(st.sampled_from([1.0, 0.5, 2.0]))
    big = float(np.finfo(dtype).max)
    special_J = [np.inf, -np.inf, np.nan, 1e300, -1e300, big, 1e20, -1e20]
    J = draw(
        st.lists(
            st.one_of(
                st.floats(-5.0, 50.0),
                st.floats(1.0, 1.01),  # just above threshold: slow crossings
                st.sampled_from(near_one(dtype)),
                st.sampled_from(special_J),
                st.floats(-1e6, 1e6),
            ),
            min_size=n,
            max_size=n,
        )
    )
    voltage = draw(
        st.lists(
            st.one_of(
                st.floats(-2.0, 1.0),
                st.floats(1.0, 3.0),  # started above threshold (an initial state)
                st.floats(-1e6, -1.0),  # deep below (min_voltage < -1)
                st.sampled_from([0.0, 1.0, -1.334841263507809]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    # stored refractory_time: the time still to run at the start is this - dt
    refractory = draw(
        st.lists(
            st.one_of(
                st.floats(-1.0, 0.0),
                st.floats(0.0, 3 * dt + tau_ref),
                st.sampled_from([0.0, dt, dt + tau_ref]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    with np.errstate(over="ignore"):  # 1e300 in float32 is inf: also a case
        arrays = [np.array(x, dtype=dtype) for x in (J, voltage, refractory)]
    return {
        "dt": dt,
        "J": arrays[0],
        "voltage": arrays[1],
        "refractory_time": arrays[2],
        "tau_rc": tau_rc,
        "tau_ref": tau_ref,
        "min_voltage": min_voltage,
        "amplitude": amplitude,
    }


def numpy_kernel(case, kernel=lif_numpy.exact_lif_step_numpy):
    """One in-place step of the numpy kernel on copies of the case's state."""
    voltage = case["voltage"].copy()
    refractory = case["refractory_time"].copy()
    output = np.zeros_like(voltage)
    kernel(
        case["dt"], case["J"], output, voltage, refractory, case["tau_rc"],
        case["tau_ref"], case["min_voltage"], case["amplitude"],
    )  # fmt: skip
    return output, voltage, refractory


def xp_kernel(case):
    with np.errstate(all="ignore"):  # where() evaluates the branches not taken
        return lif_xp.exact_lif_step_xp(
            case["dt"], case["J"], case["voltage"], case["refractory_time"],
            case["tau_rc"], case["tau_ref"], case["min_voltage"], case["amplitude"],
            xp=np,
        )  # fmt: skip


def assert_same_step(got, expected, case):
    dtype = case["voltage"].dtype
    out, v, r = got
    out_x, v_x, r_x = expected
    for name, x in zip(("output", "voltage", "refractory_time"), got):
        assert x.dtype == dtype, name
    counts = out * (case["dt"] / case["amplitude"])
    counts_x = out_x * (case["dt"] / case["amplitude"])
    np.testing.assert_array_equal(counts, counts_x)  # NaN and inf included
    # the state stays finite whatever the input
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(r))
    ulp = 4 * np.finfo(dtype).eps
    np.testing.assert_allclose(v, v_x, rtol=ulp, atol=ulp)
    np.testing.assert_allclose(r, r_x, rtol=ulp, atol=ulp * case["dt"])


@SETTINGS
@given(step_cases())
def test_numpy_kernel_equals_xp_kernel(case):
    """One step from any state: same counts, same state."""
    assert_same_step(numpy_kernel(case), xp_kernel(case), case)


@SETTINGS
@given(step_cases(), st.integers(2, 4))
def test_numpy_kernel_equals_xp_kernel_over_steps(case, n_steps):
    """Several steps with the state carried over (as a simulator runs them)."""
    for _ in range(n_steps):
        got, expected = numpy_kernel(case), xp_kernel(case)
        assert_same_step(got, expected, case)
        case = {**case, "voltage": got[1], "refractory_time": got[2]}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    dtype=st.sampled_from([np.float32, np.float64]),
    J=st.one_of(st.floats(-1e6, 1.0), st.sampled_from(near_one(np.float64)[:5])),
    v0=st.one_of(st.floats(-1e6, 1.0), st.just(-1.334841263507809)),
    dt_over_tau=st.floats(1e-3, 1e6),
    tau_ref=st.sampled_from([0.0, 1e-6, 0.002]),
)
def test_no_spike_without_suprathreshold_current(dtype, J, v0, dt_over_tau, tau_ref):
    """J <= 1 from v0 <= 1 never reaches threshold, whatever the rounding.

    The exact end voltage is below 1 (or at it, J = v0 = 1); a rounded end
    voltage of 1 + 1 ulp once fired a burst of up to dt / (69 tau_rc) spikes.
    """
    tau_rc = 1e-3
    args = [np.array([x], dtype=dtype) for x in (J, 0.0, v0, 0.0)]
    J_arr, output, voltage, refractory = args
    lif_kernel.exact_lif_step(
        dt_over_tau * tau_rc, J_arr, output, voltage, refractory, tau_rc, tau_ref,
        -np.inf,
    )  # fmt: skip
    assert output[0] == 0
    assert voltage[0] <= 1


def test_j_equal_one_burst_reproducer():
    """The reported case: J = 1, v = -1.33, dt = 1e6 tau_rc fired 14 476 spikes."""
    J, voltage = np.array([1.0]), np.array([-1.334841263507809])
    output, refractory = np.zeros(1), np.zeros(1)
    lif_kernel.exact_lif_step(1.0, J, output, voltage, refractory, 1e-6, 0.0, -np.inf)
    assert output[0] == 0
    assert voltage[0] <= 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_current_burst_state_agrees_with_tensorflow(dtype):
    """tau_ref = 0 and J = 1e300 (or the float maximum): same state in numpy and TF.

    Over 2**24 spikes in a step, the time after the last spike is below what
    float32 resolves next to dt; both kernels end such a step at reset.
    """
    tf = pytest.importorskip("tensorflow")
    from nengo_tuning.dl.tf_namespace import tf_xp

    big = float(np.finfo(dtype).max)
    J = np.array([1e300 if dtype is np.float64 else big, big, 1e12, 1e6], dtype)
    zeros = np.zeros_like(J)
    case = {"dt": 1e-3, "J": J, "voltage": zeros, "refractory_time": zeros}
    case.update(tau_rc=0.02, tau_ref=0.0, min_voltage=0.0, amplitude=1.0)
    got = numpy_kernel(case)
    c = lambda x: tf.constant(x, dtype=dtype)
    tf_out = lif_xp.exact_lif_step_xp(
        c(1e-3), c(J), c(zeros), c(zeros), c(0.02), c(0.0), c(0.0), 1.0, xp=tf_xp
    )
    np.testing.assert_allclose(tf_out[0].numpy(), got[0], rtol=1e-5)
    assert got[1][0] == tf_out[1].numpy()[0] == 0.0  # a reset, in both
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(tf_out[1].numpy(), got[1], rtol=0, atol=64 * eps)
    np.testing.assert_allclose(tf_out[2].numpy(), got[2], rtol=0, atol=64 * eps * 1e-3)


# --- the optional compiled kernel (numba) ------------------------------------------


@st.composite
def compiled_cases(draw):
    """Float64 cases with finite currents below 1e154 (what the kernel accepts)."""
    case = draw(step_cases())
    J = case["J"].astype(np.float64)
    return {
        **case,
        "J": np.where(np.abs(J) < 1e154, J, 2.0),
        "voltage": case["voltage"].astype(np.float64),
        "refractory_time": case["refractory_time"].astype(np.float64),
    }


COMPILED_FORMS = ["loop", "staged"]


def compiled_kernel_or_skip(form):
    """The compiled kernel's ``form`` with the numpy kernel's arguments."""
    pytest.importorskip("numba", reason="the compiled kernel is optional (numba)")
    from nengo_tuning.kernels import lif_compiled as compiled_kernel

    step = getattr(compiled_kernel, f"exact_lif_step_{form}")

    def kernel(*args):
        assert step(*args, lif_xp.EXACT_STEP_MAX_RESOLVED_SPIKES, lif.TINY_J)

    return kernel


@SETTINGS
@given(compiled_cases())
@pytest.mark.parametrize("form", COMPILED_FORMS)
def test_compiled_kernel_equals_xp_kernel(form, case):
    """Same counts; states within 1e-9 relative (plus 1e-9 absolute).

    The loop does the same operations with the scalar math library, whose
    log1p/expm1 may differ from numpy's by an ulp; a voltage after a crossing
    carries such an error times J dt / tau_rc, hence the looser bound. (The
    staged form calls numpy's routines, as the numpy kernel does.)
    """
    kernel = compiled_kernel_or_skip(form)
    got, expected = numpy_kernel(case, kernel), xp_kernel(case)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-9, atol=1e-9 * case["dt"])


@SETTINGS
@given(compiled_cases())
def test_staged_kernel_equals_numpy_kernel(case):
    """The staged form uses numpy's expm1/log1p: the numpy kernel's tolerance."""
    kernel = compiled_kernel_or_skip("staged")
    assert_same_step(numpy_kernel(case, kernel), xp_kernel(case), case)


@pytest.mark.parametrize("dt", [0.0005, 0.002, 0.01, 0.05])
def test_compiled_dispatch_equals_xp_kernel_over_steps(dt, rng):
    """exact_lif_step on a small ensemble (the loop) and on 2.5 staged chunks.

    Five steps with the state carried over, as a simulator runs them. Rates
    0-1000 Hz (up to 50 spikes a step at dt = 50 ms), neurons started anywhere
    between rest and threshold or refractory, J below threshold included.
    Tolerances as in the tests above: the loop's scalar math may round
    differently from numpy's by an ulp; the staged form uses numpy's routines.
    """
    pytest.importorskip("numba", reason="the compiled kernel is optional (numba)")
    from nengo_tuning.kernels import lif_compiled as compiled_kernel

    loop_size = compiled_kernel.LOOP_MAX_NEURONS // 2
    for n in [loop_size, compiled_kernel.STAGED_CHUNK * 5 // 2]:
        J = np.where(
            rng.rand(n) < 0.2, rng.uniform(-2, 1, n), 1 + rng.lognormal(0, 2, n)
        )
        case = {
            "dt": dt, "J": J, "voltage": rng.uniform(-0.5, 1, n),
            "refractory_time": rng.uniform(0, 0.004, n), "tau_rc": 0.02,
            "tau_ref": 0.002, "min_voltage": -1.0, "amplitude": 1.0,
        }  # fmt: skip
        spike_counts = 0
        for _ in range(5):
            got, expected = numpy_kernel(case, lif_kernel.exact_lif_step), xp_kernel(
                case
            )
            spike_counts = spike_counts + got[0] * dt
            if n == loop_size:
                np.testing.assert_array_equal(got[0], expected[0])
                np.testing.assert_allclose(got[1], expected[1], rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(got[2], expected[2], rtol=1e-9, atol=1e-12)
            else:
                assert_same_step(got, expected, case)
            case = {**case, "voltage": got[1], "refractory_time": got[2]}
        assert spike_counts.any() and not spike_counts.all()  # spiking and silent


@pytest.mark.parametrize("form", COMPILED_FORMS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e154])
def test_compiled_kernel_refuses_input_it_cannot_take(form, bad):
    """Refused (False), state untouched: the numpy kernel takes such input."""
    pytest.importorskip("numba", reason="the compiled kernel is optional (numba)")
    from nengo_tuning.kernels import lif_compiled as compiled_kernel

    step = getattr(compiled_kernel, f"exact_lif_step_{form}")
    limits = lif_xp.EXACT_STEP_MAX_RESOLVED_SPIKES, lif.TINY_J
    params = (0.02, 0.002, 0.0, 1.0, *limits)  # tau_rc, tau_ref, min_v, amplitude
    J = np.array([2.0, bad])
    state = [np.zeros(2), np.full(2, 0.5), np.full(2, 0.001)]
    assert not step(0.001, J, *state, *params)
    assert np.array_equal(state[1], [0.5, 0.5]) and np.array_equal(state[2], [1e-3] * 2)
    # and a non-finite voltage
    state[1][0] = np.nan
    assert not step(0.001, np.array([2.0, 2.0]), *state, *params)


def test_compiled_kernel_refuses_what_the_numpy_kernel_sends_to_its_slow_path():
    """One bound: the compiled kernel refuses exactly the currents for which the
    numpy kernel leaves its fast path (``voltage - J`` could overflow)."""
    pytest.importorskip("numba", reason="the compiled kernel is optional (numba)")
    from nengo_tuning.kernels import lif_compiled as compiled_kernel

    assert compiled_kernel.LARGE_J == lif_numpy._LARGE_J


def test_kernels_use_numpy_switches_the_dispatch(monkeypatch):
    """Inside use("numpy") every step runs the numpy kernel; outside, the compiled."""
    calls = []

    def compiled_spy(*args):
        calls.append(args)
        return False  # refuse: the numpy kernel then takes the step

    monkeypatch.setattr(lif_kernel, "_compiled_lookup", [compiled_spy])
    state = [np.zeros(3), np.full(3, 0.5), np.zeros(3)]
    J = np.array([0.5, 2.0, 50.0])
    assert kernels.current() == "compiled"
    lif_kernel.exact_lif_step(0.01, J, *state, 0.02, 0.002)
    assert len(calls) == 1
    expected = lif_xp.exact_lif_step_xp(0.01, J, *state[1:], 0.02, 0.002)
    with kernels.use("numpy"):
        assert kernels.current() == "numpy"
        lif_kernel.exact_lif_step(0.01, J, *state, 0.02, 0.002)
        with kernels.use("compiled"):  # nested blocks restore what was there
            assert kernels.current() == "compiled"
        assert kernels.current() == "numpy"
    assert len(calls) == 1
    for got, want in zip(state, expected):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    assert kernels.current() == "compiled"
    lif_kernel.exact_lif_step(0.01, J, *state, 0.02, 0.002)
    assert len(calls) == 2


def test_kernels_use_refuses_unknown_names_and_restores_on_error():
    message = "kernel must be one of 'compiled', 'numpy'"
    with pytest.raises(ValueError, match=message), kernels.use("fortran"):
        pass  # pragma: no cover
    with pytest.raises(RuntimeError), kernels.use("numpy"):
        raise RuntimeError
    assert kernels.current() == "compiled"


def test_kernel_choice_is_per_thread():
    """A block in one thread does not change the kernel another thread runs."""
    seen = []
    entered, checked = threading.Event(), threading.Event()

    def other_thread():
        entered.wait(5)
        seen.append(kernels.current())
        checked.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with kernels.use("numpy"):
        entered.set()
        checked.wait(5)
    thread.join(5)
    assert seen == ["compiled"]


@pytest.mark.parametrize(
    "value, expected", [("numpy", "numpy"), (" Compiled ", "compiled")]
)
def test_kernel_default_from_the_environment(run_python, monkeypatch, value, expected):
    monkeypatch.setenv("NENGO_TUNING_KERNEL", value)
    out = run_python("""
        import nengo_tuning
        print(nengo_tuning.kernels.current())
        """)
    assert out.strip() == expected


def test_unknown_kernel_in_the_environment_warns(run_python, monkeypatch):
    monkeypatch.setenv("NENGO_TUNING_KERNEL", "fast")
    result = run_python(
        "import nengo_tuning; print(nengo_tuning.kernels.current())", check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "compiled"
    message = "NENGO_TUNING_KERNEL must be one of 'compiled', 'numpy'; got 'fast'"
    assert f"RuntimeWarning: {message}: ignored, using 'compiled'" in result.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "dt, tau_ref", [(0.001, 0.002), (0.002, 0.0020001), (1e-4, 0.1)]
)
def test_at_most_one_spike_form_equals_general_form(dtype, dt, tau_ref, rng):
    """Where tau_ref exceeds dt (by the margin), skipping the ISI changes nothing.

    Currents up to 1e30 (an ISI as close to tau_ref as the float allows), and
    non-finite ones; neurons started refractory, just free, or above threshold.
    """
    assert lif_xp.at_most_one_spike_per_step(dt, tau_ref)
    assert not lif_xp.at_most_one_spike_per_step(dt, dt)  # the margin
    n = 500
    J = np.concatenate(
        [rng.uniform(-2, 50, n - 8), [1e30, 1e20, 1.0, 1 + 1e-7, np.inf, -np.inf]]
    )
    J = np.concatenate([J, [np.nan, 3.0]]).astype(dtype)
    voltage = rng.uniform(-0.5, 1.2, n).astype(dtype)
    refractory = rng.choice([0.0, dt, dt + tau_ref, 2 * dt], n).astype(dtype)
    args = dt, J, voltage, refractory, 0.02, tau_ref, 0.0, 1.0
    with np.errstate(all="ignore"):
        general = lif_xp.exact_lif_step_xp(*args)
        one_spike = lif_xp.exact_lif_step_xp(*args, at_most_one_spike=True)
    assert np.nanmax(general[0]) > 0  # spikes happened
    for got, expected in zip(one_spike, general):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, expected)  # NaN included
