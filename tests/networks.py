"""Small networks, inputs and comparisons shared by the tests."""

import contextlib

import nengo
import numpy as np


def neurons_fed_directly(stim, n_neurons, neuron_type):
    """An ensemble whose neurons get ``stim``'s output as their current.

    Gain 1 and bias 0, connected straight to the neurons without a synapse, so
    that a test controls each neuron's input current ``J`` exactly. Call inside
    a network's ``with`` block; returns probes of the output, then of each
    state variable of the type in its order (``voltage``, ``refractory_time``,
    and ``adaptation`` for the adaptive type).
    """
    ens = nengo.Ensemble(
        n_neurons,
        1,
        neuron_type=neuron_type,
        gain=nengo.dists.Choice([1.0]),
        bias=nengo.dists.Choice([0.0]),
    )
    nengo.Connection(stim, ens.neurons, synapse=None)
    return [nengo.Probe(ens.neurons)] + [
        nengo.Probe(ens.neurons, name) for name in neuron_type.state
    ]


def piecewise_currents(rng, n_steps, shape, hold=20, dtype=np.float64):
    """Random currents held for ``hold`` steps: subthreshold, near it, and high."""
    n_pieces = -(-n_steps // hold)
    pieces = rng.uniform(-1, 8, size=(n_pieces,) + shape)
    near = rng.uniform(size=pieces.shape) < 0.2
    pieces[near] = 1 + rng.uniform(-0.05, 0.05, size=near.sum())
    high = rng.uniform(size=pieces.shape) < 0.1
    pieces[high] = rng.uniform(10, 200, size=high.sum())
    return np.repeat(pieces, hold, axis=0)[:n_steps].astype(dtype)


@contextlib.contextmanager
def nengo_precision(bits):
    """Run nengo.Simulator with ``bits``-bit floats (nengo.rc has no such context)."""
    old = nengo.rc.get("precision", "bits")
    nengo.rc.set("precision", "bits", str(bits))
    try:
        yield
    finally:
        nengo.rc.set("precision", "bits", old)


def assert_states_close(x, y, dtype, scale):
    """States of a free run: computed by the same formulas in the same precision.

    TF's and numpy's log1p/expm1 differ by an ulp or so per step (the one-step
    check in `test_tf_kernel_matches_numpy_kernel` bounds that tightly). Over a
    free run the differences carry over: the phase of a neuron at constant
    current is neutrally stable, so a spike-time difference persists and
    random-walks, and just above threshold (J - 1 ~ 1e-2) the membrane crawls
    toward 1, where a voltage difference of an ulp is a spike-time difference of
    tau_rc / (J - 1) ulp. Such free runs drifted by up to 2.2e4 eps (float64, on
    TensorFlow 2.21, whose XLA kernels round log1p/expm1 differently from TF
    2.12's); hence 3e4 eps, in units of 1 for voltages and of tau_rc for times
    (float32: 3.6e-3 and 7.2e-5 s; float64: 6.7e-12 and 1.3e-13 s), far below
    anything that changes a count, which the callers check exactly.
    """
    np.testing.assert_allclose(x, y, rtol=0, atol=3e4 * np.finfo(dtype).eps * scale)


def assert_dl_matches_nengo(dl_sim, neuron_type, J, dt, precision, state_scales):
    """NengoDL vs nengo.Simulator, both in ``precision`` bits: same spikes, states.

    ``J`` is ``(minibatch, steps, neurons)``, fed straight to the neurons
    (`neurons_fed_directly`), so both see the same currents: NengoDL runs the
    minibatch, and each item is compared with its own Nengo run. Spike counts
    must be equal at every step, states close (`assert_states_close`, with
    ``state_scales``: one scale per state variable, in the type's order).
    Returns the Nengo counts of the last item.
    """
    import nengo_dl  # pylint: disable=import-outside-toplevel (NengoDL tests only)

    n_batch, n_steps, n = J.shape
    dtype = np.float32 if precision == 32 else np.float64
    amplitude = neuron_type.amplitude

    def make_net(data):
        with nengo.Network(seed=3) as net:
            nengo_dl.configure_settings(dtype=f"float{precision}")
            # index by rounded step (float32 time drifts off PresentInput's grid)
            stim = nengo.Node(lambda t: data[round(t / dt) - 1])
            probes = neurons_fed_directly(stim, n, neuron_type)
        return net, stim, probes

    net, stim, probes = make_net(J[0])
    with nengo_precision(precision):
        with dl_sim(net, dt=dt, minibatch_size=n_batch) as sim:
            out = sim.predict({stim: J}, n_steps=n_steps)
            assert out[probes[0]].dtype == dtype
        for b in range(n_batch):
            net_b, _, probes_b = make_net(J[b])
            with nengo.Simulator(net_b, dt=dt, progress_bar=False) as ref:
                ref.run_steps(n_steps)
            counts = np.round(out[probes[0]][b] * dt / amplitude)
            counts_ref = np.round(ref.data[probes_b[0]] * dt / amplitude)
            np.testing.assert_array_equal(counts, counts_ref)
            for p, p_ref, scale in zip(probes[1:], probes_b[1:], state_scales):
                assert_states_close(out[p][b], ref.data[p_ref], dtype, scale)
    return counts_ref
