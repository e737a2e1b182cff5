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

from nengo_tuning import ExactAdaptiveLIF, ExactLIF, SoftLIF, kernels
from nengo_tuning.kernels import (
    adaptive_lif_compiled,
    adaptive_lif_numpy,
    lif_compiled,
    lif_numpy,
    lif_xp,
)
from nengo_tuning.kernels.lif import EXACT_STEP_PARAMS_LIMITS

SENTINEL = 1234.5
PAD = 16
TAU_RC, TAU_REF, MIN_VOLTAGE, AMPLITUDE = 0.02, 0.002, 0.0, 1.0
LIF_PARAMS = (TAU_RC, TAU_REF, MIN_VOLTAGE, AMPLITUDE)
TAU_N, INC_N = 0.1, 0.05
ADAPTIVE_PARAMS = (TAU_RC, TAU_REF, TAU_N, INC_N, MIN_VOLTAGE, AMPLITUDE)
LIF_ARRAYS = ("J", "output", "voltage", "refractory_time")
ADAPTIVE_ARRAYS = (*LIF_ARRAYS, "adaptation")
FILLS = {
    "J": 30.0,
    "output": 0.0,
    "voltage": 0.5,
    "refractory_time": 0.0,
    "adaptation": 0.2,
}

needs_numba = pytest.mark.skipif(
    not lif_compiled.AVAILABLE, reason="the compiled kernel needs numba"
)


def guarded(length, fill):
    """A view of ``length`` values in a buffer padded with the sentinel."""
    buffer = np.full(length + 2 * PAD, SENTINEL)
    view = buffer[PAD : PAD + length]
    view[:] = fill
    return buffer, view


class Kernel:
    """A step taking its arrays by name: ``kernel(dt, **arrays)``."""

    def __init__(self, step, names):
        self.step, self.names = step, names

    def __call__(self, dt, **arrays):
        self.step(dt, *(arrays[name] for name in self.names))

    def arrays(self, n, lengths):
        """Guarded arrays of the given lengths (J driving every neuron to spike)."""
        return {name: guarded(lengths.get(name, n), FILLS[name]) for name in self.names}

    def views(self, n):
        return {key: view for key, (_, view) in self.arrays(n, {}).items()}


def lif_kernel(function, *extra):
    return Kernel(
        lambda dt, *arrays: function(dt, *arrays, *LIF_PARAMS, *extra), LIF_ARRAYS
    )


def adaptive_kernel(function):
    return Kernel(
        lambda dt, *arrays: function(dt, *arrays, *ADAPTIVE_PARAMS), ADAPTIVE_ARRAYS
    )


def in_numpy(kernel):
    def step(dt, *arrays):
        with kernels.use("numpy"):
            kernel.step(dt, *arrays)

    return Kernel(step, kernel.names)


FRONT_END_LIF = Kernel(lambda dt, *arrays: ExactLIF().step(dt, *arrays), LIF_ARRAYS)
FRONT_END_ADAPTIVE = Kernel(
    lambda dt, *arrays: ExactAdaptiveLIF(tau_n=TAU_N, inc_n=INC_N).step(dt, *arrays),
    ADAPTIVE_ARRAYS,
)
IN_PLACE_KERNELS = {
    "ExactLIF.step": FRONT_END_LIF,
    "ExactLIF.step-numpy": in_numpy(FRONT_END_LIF),
    "numpy": lif_kernel(lif_numpy.exact_lif_step_numpy),
    "compiled-loop": pytest.param(
        lif_kernel(lif_compiled.exact_lif_step_loop, *EXACT_STEP_PARAMS_LIMITS),
        marks=needs_numba,
    ),
    "compiled-staged": pytest.param(
        lif_kernel(lif_compiled.exact_lif_step_staged, *EXACT_STEP_PARAMS_LIMITS),
        marks=needs_numba,
    ),
    "compiled": pytest.param(
        lif_kernel(lif_compiled.exact_lif_step_compiled, *EXACT_STEP_PARAMS_LIMITS),
        marks=needs_numba,
    ),
    "ExactAdaptiveLIF.step": FRONT_END_ADAPTIVE,
    "ExactAdaptiveLIF.step-numpy": in_numpy(FRONT_END_ADAPTIVE),
    "adaptive-numpy": adaptive_kernel(adaptive_lif_numpy.exact_adaptive_lif_step_numpy),
    "adaptive-compiled": pytest.param(
        adaptive_kernel(adaptive_lif_compiled.exact_adaptive_lif_step_compiled),
        marks=needs_numba,
    ),
}
KERNEL_IDS = list(IN_PLACE_KERNELS)
KERNEL_PARAMS = list(IN_PLACE_KERNELS.values())

# on both sides of the compiled kernel's switch from the loop to the staged form,
# and past one chunk of the staged form
SIZES = [10, lif_compiled.LOOP_MAX_NEURONS, lif_compiled.LOOP_MAX_NEURONS + 1, 9000]


def wrong_lengths(names, n):
    for name in names:
        for length in (2, n - 1, n + 1, 3 * n):
            yield name, length


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize("n", SIZES)
def test_wrong_length_refused_and_nothing_touched(kernel, n):
    for name, length in wrong_lengths(kernel.names, n):
        arrays = kernel.arrays(n, {name: length})
        before = {key: buffer.copy() for key, (buffer, _) in arrays.items()}
        views = {key: view for key, (_, view) in arrays.items()}
        with pytest.raises(ValueError, match=rf"{name}.*{length}") as info:
            kernel(0.005, **views)
        assert str(n) in str(info.value)
        for key, (buffer, _) in arrays.items():
            assert np.array_equal(buffer, before[key]), (name, length, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_no_neurons_is_a_step_that_does_nothing(kernel):
    """Arrays of length 0 (a slice of no neurons) are stepped, not refused: the
    buffers around them stay as they were (a chunked kernel must not take a
    chunk of 0 neurons, or divide by it)."""
    arrays = kernel.arrays(0, {})
    before = {key: buffer.copy() for key, (buffer, _) in arrays.items()}
    kernel(0.005, **{key: view for key, (_, view) in arrays.items()})
    for key, (buffer, _) in arrays.items():
        assert np.array_equal(buffer, before[key]), key


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_read_only_state_refused(kernel):
    for name in kernel.names[1:]:
        arrays = kernel.views(20)
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
    arrays = kernel.views(20)
    arrays[name] = arrays[name].astype(dtype)
    before = {key: view.copy() for key, view in arrays.items()}
    with pytest.raises(ValueError, match=rf"{name}.*{np.dtype(dtype).name}"):
        kernel(0.005, **arrays)
    for key, view in arrays.items():
        assert np.array_equal(view, before[key]), (name, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_two_dimensional_arrays_refused(kernel):
    arrays = {key: view.reshape(4, 5) for key, view in kernel.views(20).items()}
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
        "adaptation": rng.uniform(0, 0.5, n),
    }
    values = {name: values[name] for name in kernel.names}
    contiguous = {key: value.copy() for key, value in values.items()}
    strided = {}
    for key, value in values.items():
        buffer = np.full(2 * n, SENTINEL)
        buffer[::2] = value
        strided[key] = buffer[::2]
    for _ in range(3):
        kernel(0.005, **contiguous)
        kernel(0.005, **strided)
    for key in kernel.names:
        assert np.array_equal(strided[key], contiguous[key]), key
        assert np.all(strided[key].base[1::2] == SENTINEL), key


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize(
    "dt", [np.nan, np.inf, -np.inf, 0.0, -0.001, "0.001", True, None, [0.001]]
)
def test_a_time_step_that_is_not_a_positive_number_is_refused(kernel, dt):
    """A NaN, infinite, zero or negative dt (or no number) is refused, naming dt,
    and nothing is written: such a step would leave NaN or infinite state, and a
    neuron dead for good."""
    arrays = kernel.arrays(20, {})
    before = {key: buffer.copy() for key, (buffer, _) in arrays.items()}
    with pytest.raises(ValueError, match="dt must be"):
        kernel(dt, **{key: view for key, (_, view) in arrays.items()})
    for key, (buffer, _) in arrays.items():
        assert np.array_equal(buffer, before[key]), key


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize("dt", [np.float64(0.005), np.array(0.005), 0.005])
def test_a_time_step_of_any_float_type_gives_the_same_step(kernel, dt):
    reference = kernel.views(20)
    kernel(0.005, **reference)
    arrays = kernel.views(20)
    kernel(dt, **arrays)
    for key in kernel.names:
        assert np.array_equal(arrays[key], reference[key]), key


def overlapping(kernel, n, first, second, shift):
    """Views of ``n`` values, ``second`` starting ``shift`` after ``first`` in
    the same buffer (``shift < n``: they overlap), the rest arrays of their own."""
    arrays = kernel.views(n)
    buffer = np.full(2 * n + 2 * PAD, SENTINEL)
    arrays[first] = buffer[PAD : PAD + n]
    arrays[second] = buffer[PAD + shift : PAD + shift + n]
    arrays[first][:] = FILLS[first]
    arrays[second][:] = FILLS[second]
    return arrays, buffer


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
@pytest.mark.parametrize("shift", [0, 7])
def test_arrays_that_share_memory_are_refused(kernel, shift):
    """A written array overlapping another (the same array twice, or views that
    overlap in part) is refused, naming both, and nothing is written: the result
    would depend on the order in which a kernel reads and writes."""
    for index, first in enumerate(kernel.names):
        for second in kernel.names[index + 1 :]:
            arrays, buffer = overlapping(kernel, 20, first, second, shift)
            before = {key: view.copy() for key, view in arrays.items()}
            buffer_before = buffer.copy()
            with pytest.raises(ValueError, match=rf"{first} and {second} share memory"):
                kernel(0.005, **arrays)
            assert np.array_equal(buffer, buffer_before), (first, second)
            for key, view in arrays.items():
                assert np.array_equal(view, before[key]), (first, second, key)


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_interleaved_views_of_one_buffer_do_not_share_memory(kernel):
    """Views that interleave in one buffer share no element: they are stepped as
    separate arrays are (the check is exact, not by address ranges)."""
    n = 30
    separate = kernel.views(n)
    buffer = np.empty(len(kernel.names) * n)
    interleaved = {}
    for index, name in enumerate(kernel.names):
        interleaved[name] = buffer[index :: len(kernel.names)]
        interleaved[name][:] = separate[name]
    kernel(0.005, **separate)
    kernel(0.005, **interleaved)
    for key in kernel.names:
        assert np.array_equal(interleaved[key], separate[key]), key


@pytest.mark.parametrize("kernel", KERNEL_PARAMS, ids=KERNEL_IDS)
def test_zero_dimensional_arrays_are_refused_with_a_message(kernel):
    arrays = {name: np.array(FILLS[name]) for name in kernel.names}
    with pytest.raises(ValueError, match="0-d.*1-d arrays only"):
        kernel(0.005, **arrays)


@pytest.mark.parametrize("to_type", [np.longdouble, np.float32, int])
@pytest.mark.parametrize(
    "neuron_class, names, values",
    [
        (ExactLIF, LIF_ARRAYS, {"tau_rc": 1, "tau_ref": 1}),
        (ExactAdaptiveLIF, ADAPTIVE_ARRAYS, {"tau_rc": 1, "tau_ref": 1, "tau_n": 2}),
    ],
)
def test_parameters_of_other_number_types_give_the_same_step(
    neuron_class, names, values, to_type
):
    """Parameters of any real type are stepped as the equal Python floats (numba
    would refuse numpy.longdouble outright). The values are exact in every type."""
    reference = Kernel(neuron_class(**values).step, names)
    candidate = Kernel(
        neuron_class(**{k: to_type(v) for k, v in values.items()}).step, names
    )
    expected, arrays = reference.views(20), candidate.views(20)
    reference(0.5, **expected)
    candidate(0.5, **arrays)
    for key in names:
        assert np.array_equal(arrays[key], expected[key]), key


def test_an_integer_parameter_beyond_the_float_range_is_refused():
    with pytest.raises(ValidationError, match="tau_rc.*range of a float"):
        ExactLIF(tau_rc=10**400)
    with pytest.raises(ValidationError, match="tau_n.*range of a float"):
        ExactAdaptiveLIF(tau_n=10**400)


@pytest.mark.parametrize(
    "neuron_type, state, value",
    [
        (ExactLIF, "voltage", -np.inf),
        (ExactLIF, "refractory_time", np.inf),
        (ExactAdaptiveLIF, "adaptation", np.inf),
        (ExactAdaptiveLIF, "voltage", np.nan),
    ],
)
def test_a_non_finite_initial_state_drawn_from_a_distribution_is_refused(
    neuron_type, state, value
):
    """A Distribution's samples are checked as an array is: at build, naming
    the state (the state would otherwise be NaN, or refractory for ever)."""
    distribution = nengo.dists.Choice([value])
    with nengo.Network() as net:
        nengo.Ensemble(
            5, 1, neuron_type=neuron_type(initial_state={state: distribution})
        )
    with (
        pytest.raises(ValidationError, match=rf"'{state}' must be finite"),
        nengo.Simulator(net, progress_bar=False),
    ):
        pass  # pragma: no cover


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
