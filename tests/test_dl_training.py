"""Training in NengoDL: gradients, spiking-aware training, saved parameters."""

import nengo
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the dl extra (TensorFlow)")
nengo_dl = pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")

# pylint: disable=wrong-import-position
from nengo_tuning import ExactLIF, SoftLIF, SoftLIFRate
from nengo_tuning.dl.callbacks import (
    CheckFiniteParameters,
    NonFiniteParametersError,
    NonFiniteParametersWarning,
)


def regression_net(neuron_type, n_neurons=30, seed=0):
    """Input node -> neurons (trainable weights) -> output node."""
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(stateful=False)
        inp = nengo.Node(np.zeros(2))
        ens = nengo.Ensemble(n_neurons, 1, neuron_type=neuron_type)
        out = nengo.Node(size_in=1)
        nengo.Connection(
            inp, ens.neurons, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        nengo.Connection(
            ens.neurons, out, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        probe = nengo.Probe(out)
    return net, inp, ens, probe


@pytest.mark.parametrize(
    "neuron_type", [SoftLIFRate(amplitude=0.01), ExactLIF(), SoftLIF()], ids=repr
)
def test_check_gradients(neuron_type, rng, dl_sim):
    """NengoDL's numeric-vs-analytic gradient check passes on the rate paths."""
    net, _inp, _, probe = regression_net(neuron_type, n_neurons=10)
    with net:
        nengo_dl.configure_settings(dtype="float64")
    x = rng.uniform(-1, 1, size=(1, 4, 2))
    with dl_sim(net, minibatch_size=1) as sim:
        sim.check_gradients(inputs=[x], outputs=[probe])


def test_training_finite_at_and_near_threshold(rng, dl_sim):
    """Currents pinned at and just around J = 1: finite gradients, no NaN, learns.

    Every neuron has gain 0 on its input apart from a tiny slope, and a bias that
    puts J within 1e-6 of threshold (some exactly at it), where the LIF slope is
    infinite. A large learning rate over many epochs would turn any inf into
    NaN in the weights.
    """
    n = 40
    bias = 1 + np.concatenate([np.zeros(10), rng.uniform(-1e-6, 1e-6, n - 10)])
    for neuron_type in (ExactLIF(), SoftLIF(), SoftLIFRate()):
        with nengo.Network(seed=1) as net:
            inp = nengo.Node(np.zeros(1))
            ens = nengo.Ensemble(
                n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=bias
            )
            out = nengo.Node(size_in=1)
            conn_in = nengo.Connection(
                inp, ens.neurons, transform=np.full((n, 1), 1e-3), synapse=None
            )
            conn_out = nengo.Connection(
                ens.neurons, out, transform=np.full((1, n), 1e-3), synapse=None
            )
            probe = nengo.Probe(out)
        x = rng.uniform(-1, 1, size=(64, 1, 1))
        y = np.sin(3 * x)
        with dl_sim(net, minibatch_size=16) as sim:
            # the gradient itself, at the pinned currents
            with tf.GradientTape() as tape:
                pred = sim.keras_model(
                    [tf.constant(x[:16]), tf.ones((16, 1), dtype=tf.int32)],
                    training=True,
                )[0]
                loss = tf.reduce_mean((pred - y[:16]) ** 2)
            grads = tape.gradient(loss, sim.keras_model.trainable_weights)
            # (signals the loss does not depend on get None)
            grads = [g for g in grads if g is not None]
            assert grads and all(np.all(np.isfinite(g.numpy())) for g in grads)
            assert any(np.any(g.numpy() != 0) for g in grads)

            sim.compile(optimizer=tf.optimizers.SGD(10.0), loss=tf.losses.mse)
            history = sim.fit(x, y, epochs=30, verbose=0)
            params = sim.data[conn_in].weights, sim.data[conn_out].weights
        assert np.all(np.isfinite(history.history["loss"])), neuron_type
        assert all(np.all(np.isfinite(p)) for p in params), neuron_type
        assert not np.allclose(params[0], 1e-3), neuron_type  # it trained
        del probe


def test_train_forward_spikes_is_exact_spikes_forward(rng, dl_sim):
    """train_forward="spikes": the training forward pass is the spikes, state runs.

    Two SoftLIF ensembles (one per option) are merged into one op by NengoDL;
    each keeps its own behaviour. In training mode, the "spikes" ensemble outputs
    exactly what it outputs in inference, and the "rates" one the SoftLIF rate.
    """
    with nengo.Network(seed=2) as net:
        inp = nengo.Node(np.zeros(1))
        a = nengo.Ensemble(20, 1, neuron_type=SoftLIF(train_forward="spikes"))
        b = nengo.Ensemble(20, 1, neuron_type=SoftLIF())
        nengo.Connection(inp, a, synapse=None)
        nengo.Connection(inp, b, synapse=None)
        pa, pb = nengo.Probe(a.neurons), nengo.Probe(b.neurons)
    x = np.tile(rng.uniform(-1, 1, size=(4, 1, 1)), (1, 50, 1))
    with dl_sim(net, minibatch_size=4) as sim:
        infer = sim.predict(x)
    with net:
        nengo_dl.configure_settings(learning_phase=True)
    with dl_sim(net, minibatch_size=4) as sim:
        train = sim.predict(x)
        gain, bias = sim.data[b].gain, sim.data[b].bias
        encoders = sim.data[b].encoders
    np.testing.assert_array_equal(train[pa], infer[pa])
    assert np.all(np.round(train[pa] * 0.001) == train[pa] * 0.001)  # spike counts
    assert train[pa].sum() > 0
    J_b = x[:, :, :1] * encoders[:, 0] * gain + bias
    rates_b = SoftLIFRate(sigma=0.02).rates(J_b.reshape(-1), 1, 0).reshape(J_b.shape)
    np.testing.assert_allclose(train[pb], rates_b, rtol=1e-4, atol=1e-2)


def test_train_forward_spikes_trains(rng, dl_sim):
    """Spiking-aware training lowers the loss measured on the spikes."""
    net, _inp, _, _probe = regression_net(
        SoftLIF(train_forward="spikes", amplitude=0.01), n_neurons=40
    )
    x = np.tile(rng.uniform(-1, 1, size=(64, 1, 2)), (1, 20, 1))
    y = np.tile(np.prod(x[:, :1], axis=2, keepdims=True), (1, 20, 1))
    with dl_sim(net, minibatch_size=16) as sim:
        sim.compile(optimizer=tf.optimizers.Adam(0.02), loss=tf.losses.mse)
        before = sim.evaluate(x, y, verbose=0)["loss"]
        # (the callback must not interrupt a healthy run)
        sim.fit(x, y, epochs=20, verbose=0, callbacks=[CheckFiniteParameters(sim)])
        after = sim.evaluate(x, y, verbose=0)["loss"]
    assert np.isfinite(after) and after < 0.5 * before


def test_save_load_freeze_params(tmp_path, rng, dl_sim):
    net, inp, ens, probe = regression_net(SoftLIF(amplitude=0.01))
    x = np.tile(rng.uniform(-1, 1, size=(32, 1, 2)), (1, 10, 1))
    y = np.tile(x[:, :1, :1] * x[:, :1, 1:], (1, 10, 1))
    with dl_sim(net, minibatch_size=16) as sim:
        sim.compile(optimizer=tf.optimizers.Adam(0.01), loss=tf.losses.mse)
        sim.fit(x[:, :1], y[:, :1], epochs=5, verbose=0)
        trained = sim.predict(x)[probe]
        sim.save_params(tmp_path / "params")
        sim.freeze_params(net)
    with dl_sim(net, minibatch_size=16) as sim:
        sim.load_params(tmp_path / "params")
        np.testing.assert_array_equal(sim.predict(x)[probe], trained)

    # frozen into the network: nengo's own simulator reproduces the trained spikes
    with net:
        node_inp = inp
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run_steps(10)  # input 0: compare with NengoDL on zero input
    with dl_sim(net, minibatch_size=1) as sim:
        dl_out = sim.predict(np.zeros((1, 10, 2)))[probe][0]
    np.testing.assert_allclose(ref.data[probe], dl_out, rtol=1e-5, atol=1e-5)
    assert np.any(ref.data[probe] != 0)
    del node_inp, ens


# --- training faults ---------------------------------------------------------------


def exploding_fit(sim, callbacks, epochs=3):
    """``sim.fit`` with a learning rate so large that the weights become NaN."""
    x = np.linspace(-1, 1, 32).reshape(8, 2, 2)[:, :1]
    sim.compile(optimizer=tf.optimizers.SGD(1e8), loss=tf.losses.mse)
    return sim.fit(x, 100 * x[:, :, :1], epochs=epochs, verbose=0, callbacks=callbacks)


@pytest.mark.parametrize(
    "neuron_type", [ExactLIF(), SoftLIF(), SoftLIFRate(amplitude=0.01)], ids=repr
)
def test_non_finite_parameters_raise_at_once(neuron_type, dl_sim):
    """With a huge learning rate the callback stops ``sim.fit`` naming the culprits.

    Without the callback the same run ends with non-finite weights (the fault
    the callback is there to report).
    """
    net, _inp, ens, _probe = regression_net(neuron_type, n_neurons=6)
    with dl_sim(net, minibatch_size=2) as sim:
        exploding_fit(sim, callbacks=[])
        weights = [sim.data[conn].weights for conn in net.all_connections]
        assert not all(np.all(np.isfinite(w)) for w in weights)

    with dl_sim(net, minibatch_size=2) as sim:
        check = CheckFiniteParameters(sim)
        with pytest.raises(NonFiniteParametersError, match="non-finite") as error:
            exploding_fit(sim, callbacks=[check])
        message = str(error.value)
        assert "variable 'TensorGraph/" in message
        # the first non-finite batch: at most 4 batches per epoch, 3 epochs
        assert "after training batch" in message
        assert f"{ens}.bias" in message or ".weights" in message
        assert check.message == message


def test_non_finite_parameters_warn_and_stop(dl_sim):
    net, _inp, _ens, _probe = regression_net(ExactLIF(), n_neurons=6)
    warns = pytest.warns(NonFiniteParametersWarning, match="variable")
    with dl_sim(net, minibatch_size=2) as sim, warns:
        history = exploding_fit(
            sim, callbacks=[CheckFiniteParameters(action="warn")], epochs=20
        )
    # training stopped in the epoch that produced the fault
    assert len(history.history["loss"]) < 20


def test_check_finite_parameters_argument():
    with pytest.raises(ValueError, match="action"):
        CheckFiniteParameters(action="ignore")
