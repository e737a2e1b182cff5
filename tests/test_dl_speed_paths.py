"""The compiled paths of the ExactLIF step under NengoDL: same results either way.

On a CPU the builder runs XLA's compiled step as one task (a branch of a
``tf.switch_case``) at the sizes where XLA would split it over threads for
nothing, and as it is elsewhere (``builders._one_task_on_cpu``). Both
must give what the numpy kernel gives; the other tests of the builders run
small models, so the plain path; these run both.
"""

import nengo
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the dl extra (TensorFlow)")
nengo_dl = pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")

# pylint: disable=wrong-import-position
from networks import neurons_fed_directly

from nengo_tuning import ExactLIF
from nengo_tuning.dl import builders
from nengo_tuning.dl.tf_namespace import tf_xp
from nengo_tuning.kernels import lif as lif_kernel
from nengo_tuning.kernels import lif_xp

TAU_RC, TAU_REF, AMPLITUDE = 0.02, 0.002, 0.5


def exact_step(J, dt, voltage, refractory_time):
    return lif_xp.exact_lif_step_xp(
        dt, J, voltage, refractory_time, TAU_RC, TAU_REF, 0.0, AMPLITUDE, xp=tf_xp
    )


def step_inputs(dtype, shape=(32, 300)):
    """One step's inputs, big enough that XLA splits its loops on 2 or more cores.

    Currents from below threshold to ~700 Hz (several spikes per 5 ms step),
    non-finite ones included; start states anywhere, refractory or not.
    """
    rng = np.random.RandomState(0)
    J = rng.uniform(-1, 30, shape)
    J[0, :4] = [np.inf, -np.inf, np.nan, 1.0]
    voltage = rng.uniform(0, 1, shape)
    refractory_time = rng.uniform(0, 0.008, shape)
    return J.astype(dtype), voltage.astype(dtype), refractory_time.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_steps_equal_numpy_kernel(dtype):
    """Both compiled steps: the numpy kernel's spike counts, the same state."""
    dt = 0.005
    J, voltage, refractory_time = step_inputs(dtype)
    # the numpy kernel steps 1-d arrays in place
    ref = [np.zeros(J.size, dtype), voltage.ravel(), refractory_time.ravel()]
    ref = [x.copy() for x in ref]
    with np.errstate(invalid="ignore"):
        lif_kernel.exact_lif_step(dt, J.ravel(), *ref, TAU_RC, TAU_REF, 0.0, AMPLITUDE)
    counts_ref = np.round(ref[0] * dt / AMPLITUDE).reshape(J.shape)
    assert np.nanmax(counts_ref) > 1  # multi-spike steps

    args = [tf.constant(x) for x in (J, dtype(dt), voltage, refractory_time)]
    plain, one_task = (
        [x.numpy() for x in step(*args)] for step in builders.compiled_steps(exact_step)
    )
    for x, y in zip(plain, one_task):
        # the same fused operations, in a conditional's branch or not
        np.testing.assert_array_equal(x, y)
    finite = np.isfinite(J)
    counts = np.round(one_task[0] * dt / AMPLITUDE)
    np.testing.assert_array_equal(counts[finite], counts_ref[finite])
    assert np.isnan(one_task[0][np.isnan(J)]).all()
    # states to the one-step tolerance of the TF-vs-numpy kernel test
    eps = np.finfo(dtype).eps
    v_ref, r_ref = ref[1].reshape(J.shape), ref[2].reshape(J.shape)
    tol_v = 16 * eps * (1 + np.abs(J[finite]) * dt / TAU_RC)
    assert np.all(np.abs(one_task[1][finite] - v_ref[finite]) <= tol_v)
    tol_r = 16 * eps * (np.abs(r_ref[finite]) + dt) * (1 + counts_ref[finite])
    assert np.all(np.abs(one_task[2][finite] - r_ref[finite]) <= tol_r)


def test_one_task_step_is_not_split():
    """XLA keeps the switch, and splits the plain step's loops but not its branch.

    This is what makes the one-task step faster at the sizes of NengoDL ops
    (``_one_task_on_cpu``). TensorFlow 2.12's XLA outlines each loop it splits
    over threads as a "parallel_..." computation (only where it may use more
    than one core); newer versions mark the loops instead, inside a
    conditional's branches too, so there only the switch is checked.
    """
    J, voltage, refractory_time = step_inputs(np.float32)
    args = [tf.constant(x) for x in (J, np.float32(0.001), voltage, refractory_time)]

    def optimized_hlo(step):
        return step.experimental_get_compiler_ir(*args)(stage="optimized_hlo")

    plain, one_task = map(optimized_hlo, builders.compiled_steps(exact_step))
    assert "conditional(" in one_task  # XLA kept the switch
    if "parallel_" in plain:
        assert "parallel_" not in one_task


@pytest.mark.parametrize(
    "device, n_neurons, dtype, one_task",
    [
        ("/cpu:0", 300, tf.float32, True),
        ("/cpu:0", 100, tf.float32, False),  # too small for XLA to split it
        ("/cpu:0", 100_000, tf.float32, False),  # large: split
        ("/cpu:0", 300, tf.float64, False),  # not split in float64
        ("/gpu:0", 300, tf.float32, False),
        (None, 300, tf.float32, not tf.config.list_logical_devices("GPU")),
    ],
)
def test_one_task_choice(device, n_neurons, dtype, one_task):
    """One task on a CPU where XLA would split the step's loops; never on a GPU."""
    sizes = builders.ONE_TASK_SIZES
    assert 2 * 100 not in sizes and 2 * 300 in sizes and 2 * 100_000 not in sizes
    with tf.Graph().as_default(), tf.device(device):
        J = tf.zeros((2, n_neurons), dtype)
        assert builders._one_task_on_cpu(J) == one_task


def test_builder_paths_same_simulation(monkeypatch, dl_sim):
    """A NengoDL run gives the same spikes and state through either path."""
    n_steps, n_neurons, minibatch = 40, 200, 4  # 800 neurons x minibatch: split
    rng = np.random.RandomState(1)
    J = rng.uniform(0, 25, (minibatch, n_steps, n_neurons)).astype(np.float32)

    def run(one_task):
        monkeypatch.setattr(builders, "_one_task_on_cpu", lambda t: one_task)
        with nengo.Network(seed=2) as net:
            stim = nengo.Node(np.zeros(n_neurons))
            neuron = ExactLIF(amplitude=AMPLITUDE)
            probes = neurons_fed_directly(stim, n_neurons, neuron)
        with dl_sim(net, dt=0.004, minibatch_size=minibatch) as sim:
            out = sim.predict({stim: J}, n_steps=n_steps)
        return [out[p] for p in probes]

    one_task, plain = run(True), run(False)
    assert np.round(one_task[0] * 0.004 / AMPLITUDE).max() > 1
    for x, y in zip(one_task, plain):
        np.testing.assert_array_equal(x, y)
