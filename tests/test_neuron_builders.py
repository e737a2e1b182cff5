"""The NengoDL builders: registration, equivalence with Nengo, gradients."""

import pickle
import sys
import warnings

import nengo
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

tf = pytest.importorskip("tensorflow", reason="needs the dl extra (TensorFlow)")
nengo_dl = pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")

# pylint: disable=wrong-import-position
from networks import (
    assert_dl_matches_nengo,
    assert_states_close,
    piecewise_currents,
)
from strategies import DTYPES, current_arrays, lif_parameters

from nengo_tuning import ExactAdaptiveLIF, ExactLIF, SoftLIF, SoftLIFRate, compat
from nengo_tuning.dl import builders, tf_namespace
from nengo_tuning.dl.tf_namespace import lif_rate_tf, softlif_rate_tf, tf_xp
from nengo_tuning.kernels import lif as lif_kernel
from nengo_tuning.kernels import lif_xp
from nengo_tuning.math import lif, softlif

FALLBACK_WARNING = "does not have a native TensorFlow implementation"
TAU_RC = 0.02


# --- registration -------------------------------------------------------------


@pytest.mark.parametrize(
    "neuron_type",
    [
        ExactLIF(),
        SoftLIF(),
        SoftLIF(train_forward="spikes"),
        SoftLIFRate(),
        nengo.RegularSpiking(SoftLIFRate()),
        ExactAdaptiveLIF(),
        ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05),
    ],
    ids=repr,
)
def test_native_builder_no_fallback_warning(neuron_type, dl_sim):
    """Each type builds natively (no fallback warning) and runs as in Nengo."""
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: np.sin(8 * t))
        ens = nengo.Ensemble(20, 1, neuron_type=neuron_type)
        nengo.Connection(stim, ens)
        probe = nengo.Probe(ens.neurons)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with dl_sim(net) as sim:
            sim.run_steps(100)
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if FALLBACK_WARNING in m], messages

    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run_steps(100)
    # float32 NengoDL vs float64 Nengo: the same spikes, rates to float32 precision
    assert np.allclose(sim.data[probe], ref.data[probe], rtol=1e-5, atol=1e-3)


def test_builders_registered_by_exact_class():
    impl = nengo_dl.neuron_builders.SimNeuronsBuilder.TF_NEURON_IMPL
    assert set(builders.BUILDERS) == {
        ExactLIF,
        SoftLIF,
        SoftLIFRate,
        ExactAdaptiveLIF,
    }
    for neuron_class, builder in builders.BUILDERS.items():
        assert impl[neuron_class] is builder


REGISTRATION_SCRIPT = """
import warnings
warnings.simplefilter("always")
{first}
import nengo, numpy as np
{second}
with nengo.Network(seed=0) as net:
    for neuron_type in types:
        nengo.Probe(nengo.Ensemble(5, 1, neuron_type=neuron_type).neurons)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with nengo_dl.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(3)
print(sum("native TensorFlow" in str(w.message) for w in caught))
"""
MAKE_TYPES = (
    "import nengo_tuning\n"
    "types = [nengo_tuning.ExactLIF(), nengo_tuning.SoftLIF(),"
    " nengo_tuning.SoftLIFRate()]"
)


# the three types, pickled (a process that unpickles them imports nengo_tuning)
PICKLED_TYPES = pickle.dumps([ExactLIF(), SoftLIF(), SoftLIFRate()])
UNPICKLE_TYPES = f"import pickle\ntypes = pickle.loads({PICKLED_TYPES!r})"


@pytest.mark.parametrize(
    "first, second",
    [
        (MAKE_TYPES, "import nengo_dl"),  # types created before nengo_dl exists
        ("import nengo_dl", MAKE_TYPES),  # nengo_dl first
        ("import nengo_tuning", "import nengo_dl\n" + MAKE_TYPES),
        (UNPICKLE_TYPES, "import nengo_dl"),
        ("import nengo_dl", UNPICKLE_TYPES),
    ],
    ids=[
        "types-first",
        "nengo_dl-first",
        "package-first",
        "unpickled-first",
        "nengo_dl-then-unpickled",
    ],
)
def test_registration_any_import_order(first, second, run_python):
    # the installed start-up hook's finder, in this process and so in the child
    startup_hook = any(
        getattr(f, "__name__", None) == "NengoDLStartupFinder" for f in sys.meta_path
    )
    if (
        first == "import nengo_dl"
        and compat.nengo_dl_needs_preparing()
        and not startup_hook
    ):
        # On TensorFlow >= 2.13 without the start-up hook (opted out, or this
        # tree not installed), nengo-dl 3.6.0 cannot import at all unless
        # nengo_tuning prepared it first (docs/compatibility.rst): the documented
        # failure is nengo-dl's own, at ``import nengo_dl``, before any model.
        result = run_python("import nengo_dl", check=False)
        assert result.returncode != 0
        assert "keras.engine" in result.stderr
        return
    assert run_python(REGISTRATION_SCRIPT.format(first=first, second=second)) == "0\n"


@pytest.mark.parametrize("nengo_dl_first", [False, True])
def test_registered_by_the_imports_alone(nengo_dl_first, run_python):
    """``import nengo_dl`` (or ``import nengo_tuning`` after it) registers the
    builders, before any neuron type is created or any model built."""
    if nengo_dl_first and compat.nengo_dl_needs_preparing():
        pytest.skip("nengo-dl 3.6.0 imports first only on TensorFlow <= 2.12")
    imports = ["import nengo_tuning", "import nengo_dl"]
    out = run_python("\n".join(imports[::-1] if nengo_dl_first else imports) + """
from nengo_dl.neuron_builders import SimNeuronsBuilder
from nengo_tuning.neurons import ExactLIF, SoftLIF, SoftLIFRate
impl = SimNeuronsBuilder.TF_NEURON_IMPL
print(sorted(c.__name__ for c in (ExactLIF, SoftLIF, SoftLIFRate) if c in impl))
# the import hook leaves nengo_dl its own loader
print(type(nengo_dl.__loader__).__name__, type(nengo_dl.__spec__.loader).__name__)
""")
    assert out.splitlines() == [
        "['ExactLIF', 'SoftLIF', 'SoftLIFRate']",
        "SourceFileLoader SourceFileLoader",
    ]


# --- the TensorFlow step kernel against the numpy one ---------------------------


def run_numpy_steps(J, dt, tau_ref, min_voltage, v0):
    """Reference: lif_kernel.exact_lif_step (the numpy kernel ExactLIF runs)."""
    dtype = J.dtype
    # the numpy kernel works on 1-d arrays (as nengo gives them): flatten the batch
    voltage, refractory = v0.ravel().copy(), np.zeros(v0.size, dtype=dtype)
    output = np.zeros_like(voltage)
    outs, volts, refs = [], [], []
    for J_t in J:
        lif_kernel.exact_lif_step(
            dt, J_t.ravel(), output, voltage, refractory, TAU_RC, tau_ref,
            min_voltage, 0.5,
        )  # fmt: skip
        outs.append(output.reshape(v0.shape).copy())
        volts.append(voltage.reshape(v0.shape).copy())
        refs.append(refractory.reshape(v0.shape).copy())
        assert output.dtype == voltage.dtype == dtype
    return np.array(outs), np.array(volts), np.array(refs)


def run_tf_steps(J, dt, tau_ref, min_voltage, v0):
    """The builder's kernel, compiled as NengoDL runs it (graph mode, while loop)."""
    tf_dtype = tf.as_dtype(J.dtype)
    p = {
        k: tf.constant(v, tf_dtype)
        for k, v in {
            "dt": dt,
            "tau_rc": TAU_RC,
            "tau_ref": tau_ref,
            "mv": min_voltage,
        }.items()
    }

    @tf.function
    def simulate(J):
        def body(i, voltage, refractory, outs, volts, refs):
            out, voltage, refractory = lif_xp.exact_lif_step_xp(
                p["dt"], J[i], voltage, refractory, p["tau_rc"], p["tau_ref"],
                p["mv"], 0.5, xp=tf_xp,
            )  # fmt: skip
            return (
                i + 1,
                voltage,
                refractory,
                outs.write(i, out),
                volts.write(i, voltage),
                refs.write(i, refractory),
            )

        arrays = [tf.TensorArray(tf_dtype, size=J.shape[0]) for _ in range(3)]
        init = (0, tf.constant(v0), tf.zeros_like(v0), *arrays)
        res = tf.while_loop(lambda i, *_: i < J.shape[0], body, init)
        return [a.stack() for a in res[3:]]

    return [x.numpy() for x in simulate(tf.constant(J))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "dt, tau_ref", [(0.001, 0.002), (0.005, 0.002), (0.01, 0.002), (0.001, 0.0),
                    (0.005, 0.0)]
)  # fmt: skip
def test_tf_kernel_matches_numpy_kernel(dtype, dt, tau_ref, rng):
    """Same spike counts every step; voltages and refractory times to float eps.

    Minibatch of 3 x 40 neurons, 300 steps of piecewise-constant random current.
    """
    J = piecewise_currents(rng, 300, (3, 40), dtype=dtype)
    v0 = rng.uniform(0, 1, size=(3, 40)).astype(dtype)
    ref = run_numpy_steps(J, dt, tau_ref, 0.0, v0)
    out = run_tf_steps(J, dt, tau_ref, 0.0, v0)

    counts_ref = np.round(ref[0] * dt / 0.5)
    counts = np.round(out[0] * dt / 0.5)
    assert counts_ref.sum() > 1000  # the test exercises spiking
    if dt > tau_ref:
        assert counts_ref.max() > 1  # ... and multi-spike steps
    np.testing.assert_array_equal(counts, counts_ref)
    assert_states_close(out[1], ref[1], dtype, 1.0)
    assert_states_close(out[2], ref[2], dtype, TAU_RC)

    # One step from the very same states (the numpy run's, all steps at once: the
    # kernel is element-wise): the one-step error, with nothing carried over.
    pre_v = np.concatenate([v0[None], ref[1][:-1]])
    pre_r = np.concatenate([np.zeros_like(v0)[None], ref[2][:-1]])
    c = lambda x: tf.constant(x, dtype=dtype)
    one = lif_xp.exact_lif_step_xp(
        c(dt), c(J), c(pre_v), c(pre_r), c(TAU_RC), c(tau_ref), c(0.0), 0.5, xp=tf_xp
    )
    np.testing.assert_array_equal(np.round(one[0].numpy() * dt / 0.5), counts_ref)
    # Conditioning of one step: a voltage after a spike is J * (time left) / tau_rc
    # with the time left a difference of times ~dt, so a rounding of eps * dt
    # in a time gives eps * J * dt / tau_rc in the voltage; times are sums of
    # O(1 + count) terms of size <= |refractory_time| + dt.
    eps = np.finfo(dtype).eps
    tol_v = 16 * eps * (1 + np.abs(J) * dt / TAU_RC)
    assert np.all(np.abs(one[1].numpy() - ref[1]) <= tol_v)
    tol_r = 16 * eps * (np.abs(ref[2]) + dt) * (1 + counts_ref)
    assert np.all(np.abs(one[2].numpy() - ref[2]) <= tol_r)


@pytest.mark.parametrize("tau_ref", [0.002, 0.0])
@pytest.mark.parametrize("min_voltage", [0.0, -np.inf])
def test_tf_kernel_non_finite_input(tau_ref, min_voltage):
    """+inf, -inf and NaN currents behave as documented in ExactLIF (and numpy)."""
    values = [np.inf, -np.inf, np.nan, 2.0, 0.5, np.inf, 2.0, np.nan]
    J = np.array([values, values[::-1]] * 3, dtype=np.float64).T[:, None, :]
    J = np.repeat(J, 4, axis=0)  # hold each value 4 steps
    v0 = np.full(J.shape[1:], 0.5)
    ref = run_numpy_steps(J, 0.001, tau_ref, min_voltage, v0)
    out = run_tf_steps(J, 0.001, tau_ref, min_voltage, v0)

    for x, y in zip(out, ref):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)  # NaN == NaN
    assert np.all(np.isfinite(out[1])) and np.all(np.isfinite(out[2]))
    assert np.isnan(out[0][np.isnan(J)]).all()
    if tau_ref == 0:
        assert np.isposinf(out[0][np.isposinf(J)]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tf_kernel_zero_tau_ref_huge_current(dtype):
    """tau_ref = 0 and currents up to the float maximum: finite, sane state."""
    values = [1e6, 1e12, 1e30, np.finfo(dtype).max]
    J = np.tile(np.array(values, dtype=dtype), (6, 1, 1))
    v0 = np.zeros(J.shape[1:], dtype=dtype)
    ref = run_numpy_steps(J, 0.001, 0.0, 0.0, v0)
    out = run_tf_steps(J, 0.001, 0.0, 0.0, v0)
    assert np.all(np.isfinite(out[1])) and np.all(np.isfinite(out[2]))
    assert np.all(out[1] <= 1 + 1e-6)  # the membrane never ends above threshold
    # counts of ~1e4 and ~1e10 spikes per step agree with numpy's to rounding
    np.testing.assert_allclose(out[0][:, :, :2], ref[0][:, :, :2], rtol=1e-5)
    assert np.all(out[0] > 0)


# --- rate curves and their gradients ---------------------------------------------


RATE_CURRENTS = np.concatenate(
    [
        [-1e30, -100.0, -1.0, 0.0, 0.5, 0.99, 0.999999, 1.0, 1.000001, 1.0005],
        [1.001, 1.01, 1.1, 1.5, 2.0, 5.0, 30.0, 1e4, 1e19, 1e30],
        # the ends of the float range: the compiled (XLA) path flushes subnormals
        [np.finfo(np.float32).max, -np.inf, np.inf],
        np.linspace(-2, 4, 61),
    ]
)


def tape_value_and_grad(fn, J):
    J = tf.constant(J)
    with tf.GradientTape() as tape:
        tape.watch(J)
        y = fn(J)
    return y.numpy(), tape.gradient(y, J).numpy()


# (for_training: the rate and derivative computed together, as sim.fit does)
@pytest.mark.parametrize("for_training", [False, True], ids=["apart", "together"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sigma", [0.02, 0.5])
@pytest.mark.parametrize("tau_ref", [0.002, 0.0])
def test_softlif_rate_and_gradient_match_numpy(
    dtype, sigma, tau_ref, for_training, allclose
):
    J = RATE_CURRENTS.astype(dtype)
    c = lambda x: tf.constant(x, dtype=dtype)
    fn = softlif_rate_tf(
        c(sigma), c(TAU_RC), c(tau_ref), c(0.7), for_training=for_training
    )
    rate, grad = tape_value_and_grad(fn, J)

    # float64 references from the numpy functions
    J64 = J.astype(np.float64)
    ref_rate = softlif.softlif_rate(J64, sigma, TAU_RC, tau_ref, 0.7)
    ref_grad = softlif.softlif_rate_derivative(J64, sigma, TAU_RC, tau_ref, 0.7)
    with np.errstate(over="ignore"):  # a float32 rate beyond its range is inf
        ref_rate = ref_rate.astype(dtype).astype(np.float64)
    assert np.all(np.isfinite(grad))
    # same formulas; float32 loses a few ulp in log1p/exp chains
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert allclose(rate, ref_rate, rtol=rtol, atol=1e-30)
    assert allclose(grad, ref_grad, rtol=10 * rtol, atol=1e-30)


@pytest.mark.parametrize("for_training", [False, True], ids=["apart", "together"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tau_ref", [0.002, 0.0])
def test_lif_training_rate_and_capped_gradient(dtype, tau_ref, for_training, allclose):
    J = RATE_CURRENTS.astype(dtype)
    c = lambda x: tf.constant(x, dtype=dtype)
    fn = lif_rate_tf(c(TAU_RC), c(tau_ref), for_training=for_training)
    rate, grad = tape_value_and_grad(fn, J)

    J64 = J.astype(np.float64)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    ref_rate = lif.lif_rate(J64, TAU_RC, tau_ref)
    with np.errstate(over="ignore"):  # a float32 rate beyond its range is inf
        ref_rate = ref_rate.astype(dtype).astype(np.float64)
    assert allclose(rate, ref_rate, rtol=rtol)
    assert np.all(np.isfinite(grad))  # also at J = +inf with tau_ref = 0
    # the true LIF slope above the guard, the slope at the guard just above 1
    min_j = lif.LIF_GRAD_MIN_J
    expected = lif.lif_rate_derivative(np.maximum(J64, 1 + min_j), TAU_RC, tau_ref)
    expected[J64 <= 1] = 0
    assert allclose(grad, expected, rtol=10 * rtol)
    above = J64 > 1 + min_j
    assert allclose(
        grad[above],
        lif.lif_rate_derivative(J64[above], TAU_RC, tau_ref),
        rtol=10 * rtol,
    )
    # the cap is about 25 times the slope at J = 2
    cap = lif.lif_rate_derivative(1 + min_j) / lif.lif_rate_derivative(2.0)
    assert 15 < cap < 40


# --- whole simulations ---------------------------------------------------------------


@pytest.mark.parametrize("neuron_type", [ExactLIF, SoftLIF])
@pytest.mark.parametrize("precision", [32, 64])
@pytest.mark.parametrize("dt, tau_ref", [(0.001, 0.002), (0.005, 0.002), (0.004, 0.0)])
def test_spiking_step_equivalence_with_nengo(
    neuron_type, precision, dt, tau_ref, rng, dl_sim
):
    """NengoDL (minibatch 3) vs nengo.Simulator: same spikes every step and state.

    Currents are fed straight to the neurons (gain 1, bias 0), so both see the
    same J; each minibatch item is compared with its own Nengo run.
    """
    n_steps, n = 120, 30
    dtype = np.float32 if precision == 32 else np.float64
    J = piecewise_currents(rng, n_steps, (3, n), hold=15, dtype=dtype)
    J = np.transpose(J, (1, 0, 2))  # (minibatch, steps, neurons)
    neuron = neuron_type(tau_ref=tau_ref, amplitude=0.5)
    counts_ref = assert_dl_matches_nengo(
        dl_sim, neuron, J, dt, precision, state_scales=(1.0, TAU_RC)
    )
    if dt > tau_ref:
        assert counts_ref.max() > 1


@pytest.mark.parametrize(
    "neuron_type", [ExactLIF(), SoftLIF(), SoftLIFRate()], ids=repr
)
def test_network_matches_nengo(neuron_type, plt, dl_sim):
    """Ensembles, a function connection, synapses and probes: same outputs."""
    with nengo.Network(seed=4) as net:
        nengo_dl.configure_settings(dtype="float64")
        stim = nengo.Node(lambda t: [np.sin(6 * t), np.cos(4 * t)])
        a = nengo.Ensemble(60, 2, neuron_type=neuron_type)
        b = nengo.Ensemble(40, 1, neuron_type=neuron_type)
        nengo.Connection(stim, a, synapse=None)
        nengo.Connection(a, b, function=lambda x: x[0] * x[1], synapse=0.01)
        probes = [
            nengo.Probe(a, synapse=0.02),
            nengo.Probe(b, synapse=nengo.Alpha(0.01)),
            nengo.Probe(b.neurons),
        ]
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(0.5)
    with dl_sim(net) as sim:
        sim.run(0.5)
    plt.plot(ref.trange(), ref.data[probes[1]], label="nengo")
    plt.plot(sim.trange(), sim.data[probes[1]], "--", label="nengo_dl")
    plt.legend()
    for p in probes:
        # float64 both sides: identical up to rounding in the transcendental functions
        np.testing.assert_allclose(sim.data[p], ref.data[p], rtol=1e-9, atol=1e-9)
    # and it computes the product (the network is doing something)
    x = ref.data[probes[0]]
    assert (
        np.sqrt(
            np.mean((ref.data[probes[1]][200:, 0] - (x[:, 0] * x[:, 1])[200:]) ** 2)
        )
        < 0.15
    )


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_tf_rate_gradients_match_numpy_property(dtype, data):
    """TF rates and gradients equal the numpy functions' over the float range.

    Run op by op (``JIT_COMPILE = False``: XLA would compile every example anew);
    `test_softlif_rate_and_gradient_match_numpy` covers the compiled path at the
    ends of the range. Before the slopes were written as bounded factors, the
    gradient at ``J = +inf`` with ``tau_ref = 0`` was NaN here, and NengoDL's
    SoftLIFRate at ``J = -inf`` gave 5e-29 instead of 0.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(tf_namespace, "JIT_COMPILE", False)
        check_tf_rates_against_numpy(dtype, data)


def check_tf_rates_against_numpy(dtype, data):
    J = data.draw(current_arrays(dtype, size=12))
    tau_rc, tau_ref, amplitude = data.draw(lif_parameters(dtype))
    sigma = float(dtype(data.draw(st.floats(1e-6, 10.0))))
    c = lambda x: tf.constant(x, dtype=dtype)
    nan = np.isnan(J)
    # same formulas, numpy's and TF's log1p/exp: a few ulps apart
    rtol = 1e2 * np.finfo(dtype).eps
    atol = float(np.finfo(dtype).tiny / np.finfo(dtype).eps)

    params = (sigma, tau_rc, tau_ref, amplitude)
    for for_training in (False, True):  # rate and derivative apart, together
        soft_fn = softlif_rate_tf(*map(c, params), for_training=for_training)
        rate, grad = tape_value_and_grad(soft_fn, J)
        np.testing.assert_allclose(
            rate, softlif.softlif_rate(J, *params), rtol=rtol, atol=atol
        )
        np.testing.assert_allclose(
            grad, softlif.softlif_rate_derivative(J, *params), rtol=rtol, atol=atol
        )
        assert np.all(np.isfinite(grad[~nan]))
        assert np.all(rate[J == -np.inf] == 0) and np.all(grad[J == -np.inf] == 0)

    # the LIF training curve, uncapped (min_j = 0) to compare with the true slope
    lif_fn = lif_rate_tf(c(tau_rc), c(tau_ref), c(amplitude), min_j=0.0)
    rate, grad = tape_value_and_grad(lif_fn, J)
    params = (tau_rc, tau_ref, amplitude)
    np.testing.assert_allclose(
        rate[~nan], lif.lif_rate(J, *params)[~nan], rtol=rtol, atol=atol
    )
    np.testing.assert_allclose(
        grad[~nan],
        lif.lif_rate_derivative(J, *params)[~nan],
        rtol=rtol,
        atol=atol,
    )
    assert np.all(np.isfinite(grad))
    # documented (docs/neuron-math.rst): the LIF training curve maps NaN to 0
    assert np.all(rate[nan] == 0) and np.all(grad[nan] == 0)


@pytest.mark.parametrize(
    "neuron_type",
    [
        SoftLIFRate(),
        # a known initial voltage (the default is random)
        ExactLIF(initial_state={"voltage": nengo.dists.Choice([0.5])}),
        SoftLIF(initial_state={"voltage": nengo.dists.Choice([0.5])}),
        ExactAdaptiveLIF(initial_state={"voltage": nengo.dists.Choice([0.5])}),
    ],
    ids=["SoftLIFRate", "ExactLIF", "SoftLIF", "ExactAdaptiveLIF"],
)
def test_non_finite_currents_in_nengo_dl(neuron_type, dl_sim):
    """-inf, +inf and NaN currents in NengoDL: what the numpy step computes.

    (Fed as input data: Nengo refuses non-finite values from a Node function and
    in bias signals, so the reference is the type's own numpy ``step``.)
    """
    currents = np.array([-np.inf, np.inf, np.nan, 3.0])
    with nengo.Network() as net:
        stim = nengo.Node(np.zeros(4))
        ens = nengo.Ensemble(
            4,
            1,
            neuron_type=neuron_type,
            gain=nengo.dists.Choice([1.0]),
            bias=nengo.dists.Choice([0.0]),
        )
        nengo.Connection(stim, ens.neurons, synapse=None)
        probe = nengo.Probe(ens.neurons)
    with dl_sim(net) as sim:
        out = sim.predict({stim: np.tile(currents, (1, 10, 1))})[probe][0]

    state = neuron_type.make_state(4, dtype=np.float64)
    expected = np.zeros((10, 4))
    for step in range(10):
        neuron_type.step(0.001, currents, expected[step], **state)
    assert np.all(out[:, 0] == 0)  # exactly 0 at -inf, as documented
    np.testing.assert_allclose(out, expected, rtol=1e-5)  # NaN where numpy's is


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tau_ref", [0.0, 0.002])
def test_tf_rate_functions_accept_python_parameters(dtype, tau_ref):
    """Python-number parameters (as a Keras layer may pass) give what tensors give."""
    J = RATE_CURRENTS.astype(dtype)
    c = lambda x: tf.constant(x, dtype=dtype)
    for make in (
        lambda p: softlif_rate_tf(p(0.02), p(TAU_RC), p(tau_ref), p(0.7)),
        lambda p: lif_rate_tf(p(TAU_RC), p(tau_ref), p(0.7)),
    ):
        rate, grad = tape_value_and_grad(make(float), J)
        ref_rate, ref_grad = tape_value_and_grad(make(c), J)
        assert rate.dtype == dtype
        # the same formulas up to where a Python constant enters: a few ulps
        rtol = 10 * np.finfo(dtype).eps
        np.testing.assert_allclose(rate, ref_rate, rtol=rtol)
        np.testing.assert_allclose(grad, ref_grad, rtol=rtol)
