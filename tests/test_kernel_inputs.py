"""Every step kernel checks its arrays before it runs, and touches nothing if not.

The compiled kernels index the state arrays by J's length without bounds checks,
so arrays of another length would be written past their end. Each array here is
a view into a larger buffer filled with a sentinel: a kernel that refuses the
arrays must leave the whole buffer, the view and the space around it, unchanged.
"""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_tuning import ExactLIF, SoftLIF, kernels
from nengo_tuning.kernels import lif_compiled, lif_numpy, lif_xp
from nengo_tuning.kernels.lif import EXACT_STEP_PARAMS_LIMITS

SENTINEL = 1234.5
PAD = 16
TAU_RC, TAU_REF, MIN_VOLTAGE, AMPLITUDE = 0.02, 0.002, 0.0, 1.0
LIF_PARAMS = (TAU_RC, TAU_REF, MIN_VOLTAGE, AMPLITUDE)
ARRAY_NAMES = ("J", "output", "voltage", "refractory_time")

needs_numba = pytest.mark.skipif(
    not lif_compiled.AVAILABLE, reason="the compiled kernel needs numba"
)


def guarded(length, fill):
    """A view of ``length`` values in a buffer padded with the sentinel."""
    buffer = np.full(length + 2 * PAD, SENTINEL)
    view = buffer[PAD : PAD + length]
    view[:] = fill
    return buffer, view


def make_arrays(n, lengths):
    """Guarded arrays of the given lengths (J driving every neuron to spike)."""
    fills = {"J": 30.0, "output": 0.0, "voltage": 0.5, "refractory_time": 0.0}
    return {name: guarded(lengths.get(name, n), fills[name]) for name in ARRAY_NAMES}


def step_front_end(dt, J, output, voltage, refractory_time):
    ExactLIF().step(dt, J, output, voltage, refractory_time)


def step_front_end_numpy(dt, J, output, voltage, refractory_time):
    with kernels.use("numpy"):
        ExactLIF().step(dt, J, output, voltage, refractory_time)


def step_numpy(dt, J, output, voltage, refractory_time):
    lif_numpy.exact_lif_step_numpy(dt, J, output, voltage, refractory_time, *LIF_PARAMS)


def compiled(function):
    def step(dt, J, output, voltage, refractory_time):
        function(
            dt, J, output, voltage, refractory_time, *LIF_PARAMS,
            *EXACT_STEP_PARAMS_LIMITS,
        )  # fmt: skip

    return step


IN_PLACE_KERNELS = {
    "ExactLIF.step": step_front_end,
    "ExactLIF.step-numpy": step_front_end_numpy,
    "numpy": step_numpy,
    "compiled-loop": pytest.param(
        compiled(lif_compiled.exact_lif_step_loop), marks=needs_numba
    ),
    "compiled-staged": pytest.param(
        compiled(lif_compiled.exact_lif_step_staged), marks=needs_numba
    ),
    "compiled": pytest.param(
        compiled(lif_compiled.exact_lif_step_compiled), marks=needs_numba
    ),
}
KERNEL_IDS = list(IN_PLACE_KERNELS)
KERNEL_PARAMS = list(IN_PLACE_KERNELS.values())

# on both sides of the compiled kernel's switch from the loop to the staged form,
# and past one chunk of the staged form
SIZES = [10, lif_compiled.LOOP_MAX_NEURONS, lif_compiled.LOOP_MAX_NEURONS + 1, 9000]


def wrong_lengths(n):
    for name in ARRAY_NAMES:
        for length in (2, n - 1, n + 1, 3 * n):
            yield name, length


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize("n", SIZES)
def test_wrong_length_refused_and_nothing_touched(kernel, n):
    for name, length in wrong_lengths(n):
        arrays = make_arrays(n, {name: length})
        before = {key: buffer.copy() for key, (buffer, _) in arrays.items()}
        views = {key: view for key, (_, view) in arrays.items()}
        with pytest.raises(ValueError, match=rf"{name}.*{length}") as info:
            kernel(0.005, **views)
        assert str(n) in str(info.value)
        for key, (buffer, _) in arrays.items():
            assert np.array_equal(buffer, before[key]), (name, length, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_read_only_state_refused(kernel):
    for name in ("output", "voltage", "refractory_time"):
        arrays = {key: view for key, (_, view) in make_arrays(20, {}).items()}
        arrays[name].flags.writeable = False
        before = {key: view.copy() for key, view in arrays.items()}
        with pytest.raises(ValueError, match=rf"{name}.*read-only"):
            kernel(0.005, **arrays)
        for key, view in arrays.items():
            assert np.array_equal(view, before[key]), (name, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize(
    "name, dtype", [("output", np.int64), ("voltage", np.float32), ("J", np.int32)]
)
def test_mixed_or_integer_dtypes_refused(kernel, name, dtype):
    arrays = {key: view for key, (_, view) in make_arrays(20, {}).items()}
    arrays[name] = arrays[name].astype(dtype)
    before = {key: view.copy() for key, view in arrays.items()}
    with pytest.raises(ValueError, match=rf"{name}.*{np.dtype(dtype).name}"):
        kernel(0.005, **arrays)
    for key, view in arrays.items():
        assert np.array_equal(view, before[key]), (name, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_two_dimensional_arrays_refused(kernel):
    arrays = {key: view.reshape(4, 5) for key, (_, view) in make_arrays(20, {}).items()}
    with pytest.raises(ValueError, match="1-d"):
        kernel(0.005, **arrays)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize("n", [40, 600])
def test_strided_views_give_the_contiguous_result(kernel, n):
    """Non-contiguous 1-d views are stepped correctly (same as contiguous copies)."""
    rng = np.random.default_rng(n)
    values = {
        "J": rng.uniform(-2, 60, n),
        "output": np.zeros(n),
        "voltage": rng.uniform(0, 1, n),
        "refractory_time": rng.uniform(0, 0.004, n),
    }
    contiguous = {key: value.copy() for key, value in values.items()}
    strided = {}
    for key, value in values.items():
        buffer = np.full(2 * n, SENTINEL)
        buffer[::2] = value
        strided[key] = buffer[::2]
    for _ in range(3):
        kernel(0.005, **contiguous)
        kernel(0.005, **strided)
    for key in ARRAY_NAMES:
        assert np.array_equal(strided[key], contiguous[key]), key
        assert np.all(strided[key].base[1::2] == SENTINEL), key


def test_xp_form_refuses_mismatched_shapes():
    J, voltage, refractory_time = np.full(10, 30.0), np.zeros(2), np.zeros(10)
    with pytest.raises(ValueError, match=r"voltage.*2.*10"):
        lif_xp.exact_lif_step_xp(0.005, J, voltage, refractory_time, *LIF_PARAMS)


def test_xp_form_refuses_mismatched_tensor_shapes():
    tf = pytest.importorskip("tensorflow")
    J = tf.fill((3, 10), tf.constant(30.0, tf.float64))
    voltage = tf.zeros((3, 10), tf.float64)
    refractory_time = tf.zeros((3, 9), tf.float64)
    with pytest.raises(ValueError, match=r"refractory_time.*9.*10"):
        lif_xp.exact_lif_step_xp(
            0.005, J, voltage, refractory_time, *LIF_PARAMS, xp=_tf_xp()
        )


def _tf_xp():
    from nengo_tuning.dl.tf_namespace import (
        tf_xp,
    )  # pylint: disable=import-outside-toplevel

    return tf_xp


@pytest.mark.parametrize("neuron_class", [ExactLIF, SoftLIF])
@pytest.mark.parametrize("length", [5, 51])
@pytest.mark.parametrize("state", ["voltage", "refractory_time"])
def test_wrong_length_initial_state_refused_at_build(neuron_class, length, state):
    neuron_type = neuron_class(initial_state={state: np.full(length, 0.5)})
    with nengo.Network() as net:
        nengo.Ensemble(50, 1, neuron_type=neuron_type)
    with (
        pytest.raises(ValidationError, match=rf"{state}.*{length}.*50"),
        nengo.Simulator(net, progress_bar=False),
    ):
        pass  # pragma: no cover


def test_right_length_initial_state_is_used():
    voltage = np.linspace(0, 0.9, 50)
    neuron_type = ExactLIF(initial_state={"voltage": voltage})
    state = neuron_type.make_state(50)
    assert np.array_equal(state["voltage"], voltage)
