"""ExactAdaptiveLIF under NengoDL: exact spikes against Nengo, rate training."""

import nengo
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the dl extra (TensorFlow)")
nengo_dl = pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")

# pylint: disable=wrong-import-position
from networks import assert_dl_matches_nengo, neurons_fed_directly, piecewise_currents

from nengo_tuning import ExactAdaptiveLIF
from nengo_tuning.kernels.adaptive_lif_xp import MAX_RESOLVED_SPIKES

#: The adaptation of the issue's checks: nengo's default, and fast and strong.
ADAPTATION = {"default": (1.0, 0.01), "fast": (0.1, 0.05)}
TAU_RC = 0.02


@pytest.mark.parametrize("precision", [64, 32])
@pytest.mark.parametrize("adaptation", list(ADAPTATION))
@pytest.mark.parametrize("dt", [0.001, 0.005])
def test_spikes_and_state_match_nengo(precision, adaptation, dt, rng, dl_sim):
    """NengoDL (minibatch 2) vs nengo.Simulator, both in ``precision`` bits.

    Currents held for 15 steps, below threshold (the floor at 0 is reached and
    left), near it and far above it (several spikes per 5 ms step), so that the
    adaptation varies widely. Spike counts are compared exactly: both run the
    same step code, and TF's exp/expm1/log1p differ from numpy's by an ulp or
    so, which moves a spike across a step boundary only if it falls within
    ulps of one. States: `assert_states_close` (ulp differences that a free
    run carries over); the adaptation is of order inc_n * rate, up to ~10.
    """
    tau_n, inc_n = ADAPTATION[adaptation]
    n_steps, n = 200, 30
    dtype = np.float32 if precision == 32 else np.float64
    J = piecewise_currents(rng, n_steps, (2, n), hold=15, dtype=dtype)
    J = np.transpose(J, (1, 0, 2))  # (minibatch, steps, neurons)
    neuron_type = ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n, amplitude=0.5)
    counts_ref = assert_dl_matches_nengo(
        dl_sim, neuron_type, J, dt, precision, state_scales=(1.0, TAU_RC, 10.0)
    )
    if dt == 0.005:
        assert counts_ref.max() > 1  # multi-spike steps were exercised


def test_merged_ensembles_with_different_parameters(dl_sim):
    """Ensembles of different parameters merged into one NengoDL op, in a network.

    NengoDL merges the two ensembles' neuron ops (same type, no dependency);
    the builder steps each parameter set on its own slice. A sine drives both,
    which feed a third ensemble; every spike is compared with nengo.Simulator
    (float64: exactly, as in `test_spikes_and_state_match_nengo`).
    """
    with nengo.Network(seed=5) as net:
        nengo_dl.configure_settings(dtype="float64")
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * 2 * t) + 0.2)
        a = nengo.Ensemble(40, 1, neuron_type=ExactAdaptiveLIF())
        b = nengo.Ensemble(
            30,
            1,
            neuron_type=ExactAdaptiveLIF(
                tau_n=0.1, inc_n=0.05, tau_ref=0.001, amplitude=0.7
            ),
        )
        c = nengo.Ensemble(20, 1, neuron_type=ExactAdaptiveLIF(min_voltage=-1))
        for ens in (a, b):
            nengo.Connection(stim, ens)
            nengo.Connection(ens, c, transform=0.5)
        probes = [nengo.Probe(e.neurons) for e in (a, b, c)]
        decoded = nengo.Probe(c, synapse=0.01)
    with dl_sim(net, dt=0.002) as sim:
        sim.run(0.6)
    with nengo.Simulator(net, dt=0.002, progress_bar=False) as ref:
        ref.run(0.6)
    for probe in probes:
        np.testing.assert_array_equal(sim.data[probe], ref.data[probe])
    np.testing.assert_allclose(sim.data[decoded], ref.data[decoded], atol=1e-9)
    assert all(ref.data[p].sum() > 0 for p in probes)


def test_too_many_spikes_fail_clearly(dl_sim):
    """More than MAX_RESOLVED_SPIKES spikes in a step: the simulation fails.

    nengo.Simulator raises a SimulationError; the graph fails with an
    InvalidArgumentError carrying the same advice.
    """
    neuron_type = ExactAdaptiveLIF(tau_ref=0.0)
    with nengo.Network() as net:
        stim = nengo.Node([1e6])
        neurons_fed_directly(stim, 1, neuron_type)
    simulation_error = pytest.raises(nengo.exceptions.SimulationError, match="more")
    with nengo.Simulator(net, dt=0.005, progress_bar=False) as ref, simulation_error:
        ref.run_steps(1)
    graph_error = pytest.raises(
        tf.errors.InvalidArgumentError,
        match=f"more than {MAX_RESOLVED_SPIKES} spikes in one step",
    )
    with dl_sim(net, dt=0.005) as sim, graph_error:
        sim.run_steps(1)


def test_rate_gradients_match_finite_differences(dl_sim):
    """Training-mode gradients (rates, adaptation through time) vs central differences.

    ``sim.check_gradients`` differentiates the probed outputs over 12 steps with
    respect to every input value, analytically and by central differences
    (``tf.test.compute_gradient``), in float64. Currents stay in [2, 4] with
    the adaptation below 0.5, so ``J - n`` is far from the threshold (where the
    LIF slope is capped and its derivative jumps): the curve is smooth there,
    and the differences' truncation error is ~1e-7 of the gradient.
    """
    rng = np.random.RandomState(0)
    n_steps, n = 12, 5
    with nengo.Network(seed=0) as net:
        nengo_dl.configure_settings(dtype="float64")
        stim = nengo.Node(np.zeros(n))
        ens = nengo.Ensemble(
            n,
            1,
            neuron_type=ExactAdaptiveLIF(tau_n=0.1, inc_n=0.02),
            gain=nengo.dists.Choice([1.0]),
            bias=nengo.dists.Uniform(2.5, 3.5),
        )
        nengo.Connection(stim, ens.neurons, synapse=None)
        probe = nengo.Probe(ens.neurons)
    inputs = [rng.uniform(-0.5, 0.5, size=(1, n_steps, n))]
    with dl_sim(net, dt=0.005) as sim:
        grads = sim.check_gradients(inputs=inputs, atol=1e-7, rtol=1e-5)[probe]
    analytic, numeric = grads["analytic"][0], grads["numeric"][0]
    error = np.max(np.abs(analytic - numeric))
    scale = np.abs(numeric).max()
    print(f"max |analytic - numeric| = {error:.3g} (max |gradient| {scale:.3g})")
    # the adaptation carries an input's effect to later outputs, with a negative
    # sign (more input, more adaptation, lower rate): the Jacobian of output
    # (step t, neuron i) against input (step s, neuron i), s < t
    jac = analytic.reshape(n_steps, n, n_steps, n)
    later = [
        jac[t, i, s, i] for t in range(n_steps) for s in range(t) for i in range(n)
    ]
    assert max(later) < 0


def test_fit_trains_rates_and_predicts_exact_spikes(dl_sim):
    """sim.fit on the rate dynamics lowers the loss; sim.predict then spikes.

    A 1-d ensemble learns to output x**2 over 100 ms presentations (from
    decoders solved for 0), with adaptation building up during each. The
    training loss (rates) must fall to under a third of its start. Run as
    exact spikes, the outputs are spike counts (multiples of amplitude / dt),
    and the output averaged over a presentation, which the rates' loss trained,
    is much closer to x**2 than before training (half the RMS error at most:
    the spikes' quantization over 100 ms leaves some error).
    """
    dt, n_steps = 0.001, 100
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, size=(64, 1, 1))
    with nengo.Network(seed=2) as net:
        stim = nengo.Node(np.zeros(1))
        ens = nengo.Ensemble(60, 1, neuron_type=ExactAdaptiveLIF(tau_n=0.1, inc_n=0.05))
        out = nengo.Node(size_in=1)
        nengo.Connection(stim, ens, synapse=None)
        nengo.Connection(ens, out, function=lambda x: 0.0, synapse=None)
        p_out = nengo.Probe(out)
        p_spikes = nengo.Probe(ens.neurons)

    x_test = np.linspace(-0.9, 0.9, 8)[:, None, None]

    def spiking_error(sim):
        data = sim.predict({stim: np.tile(x_test, (1, n_steps, 1))})
        decoded = data[p_out].mean(axis=1)
        return np.sqrt(np.mean((decoded - x_test[:, 0] ** 2) ** 2)), data

    with dl_sim(net, dt=dt, minibatch_size=8) as sim:
        error_before, _ = spiking_error(sim)
        # Adam moves every parameter by about lr per step, whatever its scale:
        # decoders are ~1e-3 (60 neurons at ~200 Hz make an output of ~1)
        sim.compile(optimizer=tf.optimizers.Adam(2e-4), loss={p_out: "mse"})
        history = sim.fit(
            {stim: np.tile(x, (1, n_steps, 1))},
            {p_out: np.tile(x**2, (1, n_steps, 1))},
            epochs=10,
            verbose=0,
        )
        error_after, data = spiking_error(sim)
    loss = history.history["loss"]
    print(f"training loss {loss[0]:.4g} -> {loss[-1]:.4g}")
    print(f"spiking RMS error {error_before:.4g} -> {error_after:.4g}")
    assert np.all(np.isfinite(loss))
    assert loss[-1] < loss[0] / 3
    counts = data[p_spikes] * dt
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-4)
    assert counts.sum() > 0
    assert error_after < error_before / 2
