"""Train SoftLIF neurons on scikit-learn's digits with NengoDL, then run them as spikes.

A NengoDL network (64 pixels -> hidden SoftLIF layer -> 10 linear outputs) is
trained with ``sim.fit`` through the smooth SoftLIF curve, then evaluated as
spiking networks at dt = 1 ms and dt = 5 ms:

* rates: the SoftLIFRate curve the network was trained with;
* nengo_tuning spikes: the trained network with its SoftLIF neurons (exact
  multi-spike LIF dynamics);
* nengo.LIF spikes: the same weights with `nengo.LIF` neurons, which emit at
  most one spike per step.

Scaling firing rates by ``s`` (and the amplitude by ``1/s``) averages out spike
noise but pushes rates past 1/dt, where nengo.LIF loses spikes and
ExactLIF/SoftLIF do not. NengoDL's ``scale_firing_rates`` is a Keras-converter
option that scales input gains, which is exact only for ReLU; for LIF neurons
the exact equivalent is to divide ``tau_rc`` and ``tau_ref`` by ``s``, which
multiplies every rate by ``s`` for any current. That is what ``scale`` does
here. Run: ``python examples/digits_training.py``.
"""

import warnings

# nengo_tuning before nengo_dl: on TensorFlow >= 2.13 it prepares NengoDL's import
import nengo_tuning  # noqa: F401

# isort: split
import nengo
import nengo_dl
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits

from nengo_tuning import SoftLIF, SoftLIFRate
from nengo_tuning.dl.callbacks import CheckFiniteParameters

warnings.filterwarnings("ignore", message="No GPU support detected")


def load_data(seed=0):
    """Digits scaled to [0, 1], split 2/3 train, 1/3 test."""
    digits = load_digits()
    x = digits.data.astype(np.float32) / 16.0
    y = digits.target
    order = np.random.RandomState(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_train = 2 * len(y) // 3
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def build_network(n_hidden=128, seed=0):
    """Input -> SoftLIF hidden layer -> 10 outputs (amplitude 0.01: rates ~ 1)."""
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(stateful=False)
        inp = nengo.Node(np.zeros(64))
        hidden = nengo.Ensemble(
            n_hidden,
            1,
            neuron_type=SoftLIF(amplitude=0.01),
            gain=nengo.dists.Choice([1.0]),
            bias=nengo.dists.Choice([0.0]),
        )
        out = nengo.Node(size_in=10)
        nengo.Connection(
            inp, hidden.neurons, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        nengo.Connection(
            hidden.neurons, out, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        probe = nengo.Probe(out)
    return net, inp, hidden, probe


def train(net, probe, x, y, epochs=30, minibatch_size=50):
    """Train through the SoftLIF rate curve (one time step per example).

    `.CheckFiniteParameters` stops training with an error naming the Nengo
    objects concerned as soon as a weight or bias becomes NaN or infinite (with
    too large a learning rate, for example), which the loss may not show.
    """
    with nengo_dl.Simulator(
        net, minibatch_size=minibatch_size, progress_bar=False
    ) as sim:
        sim.compile(
            optimizer=tf.optimizers.Adam(0.005),
            loss={probe: tf.losses.SparseCategoricalCrossentropy(from_logits=True)},
        )
        sim.fit(
            x[:, None, :],
            {probe: y[:, None, None]},
            epochs=epochs,
            verbose=0,
            callbacks=[CheckFiniteParameters(sim)],
        )
        sim.freeze_params(net)


def scaled(neuron_type, scale):
    """``neuron_type`` with every rate times ``scale`` and amplitude over it."""
    params = {
        "tau_rc": neuron_type.tau_rc / scale,
        "tau_ref": neuron_type.tau_ref / scale,
        "amplitude": neuron_type.amplitude / scale,
    }
    if isinstance(neuron_type, SoftLIF):
        params["sigma"] = neuron_type.sigma
    return type(neuron_type)(**params)


def accuracy(net, inp, probe, x, y, dt, n_steps, minibatch_size=50):
    """Classification accuracy of the output averaged over the second half."""
    n = len(y) // minibatch_size * minibatch_size
    data = np.tile(x[:n, None, :], (1, n_steps, 1))
    with nengo_dl.Simulator(
        net, dt=dt, minibatch_size=minibatch_size, progress_bar=False
    ) as sim:
        out = sim.predict({inp: data}, verbose=0)[probe]
    return np.mean(np.argmax(out[:, n_steps // 2 :].mean(axis=1), axis=1) == y[:n])


def main(epochs=30, presentation_time=0.1, scales=(1, 10, 50)):
    (x_train, y_train), (x_test, y_test) = load_data()
    net, inp, hidden, probe = build_network()
    train(net, probe, x_train, y_train, epochs=epochs)
    trained_type = hidden.neuron_type

    hidden.neuron_type = SoftLIFRate(
        sigma=trained_type.sigma, amplitude=trained_type.amplitude
    )
    rate_acc = accuracy(net, inp, probe, x_test, y_test, 0.001, 1)
    print(f"rate accuracy (SoftLIFRate): {rate_acc:.3f}")
    print()
    print("| dt | rate scale | 1/dt | nengo_tuning SoftLIF | nengo.LIF |")
    print("|---|---|---|---|---|")
    for dt in (0.001, 0.005):
        n_steps = round(presentation_time / dt)
        for scale in scales:
            accs = []
            for neuron_type in (trained_type, nengo.LIF(amplitude=0.01)):
                hidden.neuron_type = scaled(neuron_type, scale)
                accs.append(accuracy(net, inp, probe, x_test, y_test, dt, n_steps))
            print(
                f"| {dt * 1000:g} ms | {scale:g} | {1 / dt:g} Hz"
                f" | {accs[0]:.3f} | {accs[1]:.3f} |"
            )
    hidden.neuron_type = trained_type
    return rate_acc


if __name__ == "__main__":
    main()
