"""nengo_dl.Converter support: SoftLIF Keras layers become nengo_tuning neurons."""

import warnings

import nengo
import numpy as np
import pytest

from nengo_tuning import ExactLIF, SoftLIF, SoftLIFRate
from nengo_tuning.math import lif

tf = pytest.importorskip("tensorflow", reason="the Keras activation needs TensorFlow")
nengo_dl = pytest.importorskip("nengo_dl", reason="conversion needs NengoDL")
converter = pytest.importorskip("nengo_tuning.keras.converter")
from nengo_tuning.keras.activation import SoftLIFActivation

LAYER_PARAMS = {"sigma": 0.02, "tau_rc": 0.02, "tau_ref": 0.002, "amplitude": 0.01}


def dl_sim(net, **kwargs):
    kwargs.setdefault("progress_bar", False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No GPU support detected")
        # nengo.LIF's max_rates_intercepts at gain 1, bias 0: log1p(1/0)
        warnings.filterwarnings("ignore", message="divide by zero")
        return nengo_dl.Simulator(net, **kwargs)


def convert(model, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Converting sequential model")
        # nengo.LIF's repr computes max rates at gain 1, bias 0: log1p(1/0)
        warnings.filterwarnings("ignore", message="divide by zero")
        return converter.Converter(model, **kwargs)


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's digits in [0, 1]: 1200 to train on, 597 held out."""
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_digits()
    x = data.data.astype(np.float32) / 16.0
    order = np.random.RandomState(0).permutation(len(x))
    x, y = x[order], data.target[order]
    return (x[:1200], y[:1200]), (x[1200:], y[1200:])


@pytest.fixture(scope="module")
def trained(digits):
    """A Keras MLP, 64 -> Dense(64) -> SoftLIF -> Dense(10), trained on digits."""
    (x_train, y_train), _ = digits
    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((64,))
    hidden = SoftLIFActivation(**LAYER_PARAMS)(tf.keras.layers.Dense(64)(inp))
    model = tf.keras.Model(inp, tf.keras.layers.Dense(10)(hidden))
    model.compile(
        optimizer=tf.keras.optimizers.Adam(0.005),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
    return model, hidden


def run(conv, model, x, dt=0.001, n_steps=1, probes=()):
    """Outputs (and ``probes``) of the converted network, all examples at once."""
    with dl_sim(conv.net, dt=dt, minibatch_size=len(x)) as sim:
        data = np.tile(x[:, None, :], (1, n_steps, 1))
        out = sim.predict({conv.inputs[model.input]: data}, verbose=0)
    return out[conv.outputs[model.output]], [out[p] for p in probes]


def test_plain_nengo_dl_converter_gives_softlif_rate_neurons():
    """nengo_dl.Converter itself knows the layer (no TensorNode fallback)."""
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(5, input_shape=(3,)),
            SoftLIFActivation(sigma=0.1, tau_rc=0.05, tau_ref=0.001, amplitude=0.1),
        ]
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Converting sequential model")
        warnings.filterwarnings("error", message=".*TensorNode")
        conv = nengo_dl.Converter(model)
    (ens,) = conv.net.all_ensembles
    assert ens.neuron_type == SoftLIFRate(
        sigma=0.1, tau_rc=0.05, tau_ref=0.001, amplitude=0.1
    )
    assert ens.n_neurons == 5


def test_rate_network_reproduces_keras_outputs(trained, digits):
    """The converted SoftLIFRate network computes the Keras model's logits.

    Both run the same float32 formula (nengo_tuning's SoftLIF rate with its
    parameters); they differ only in the order of float32 additions in the
    dense layers (64 terms, ~1e-7 relative each), which the rate curve (slope
    below 1 per unit current at amplitude 0.01) does not amplify. Measured
    differences are ~2e-6 on logits up to ~20; the bound, 1e-5 of the largest
    logit, is far below any change of sigma, time constants or amplitude.
    """
    model, _ = trained
    _, (x_test, _) = digits
    expected = model.predict(x_test, verbose=0)
    out, _ = run(convert(model), model, x_test)
    atol = 1e-5 * np.max(np.abs(expected))
    assert np.allclose(out[:, 0], expected, rtol=1e-5, atol=atol)
    # and the same with the exact rate scaling that the converter applies
    out, _ = run(convert(model, scale_firing_rates=10), model, x_test)
    assert np.allclose(out[:, 0], expected, rtol=1e-5, atol=atol)


@pytest.mark.parametrize(
    "choice, expected",
    [
        ("rates", SoftLIFRate(**LAYER_PARAMS)),
        ("spikes", SoftLIF(**LAYER_PARAMS)),
        ("exact", ExactLIF(tau_rc=0.02, tau_ref=0.002, amplitude=0.01)),
        (nengo.LIF, nengo.LIF(tau_rc=0.02, tau_ref=0.002, amplitude=0.01)),
        (nengo.LIFRate, nengo.LIFRate(tau_rc=0.02, tau_ref=0.002, amplitude=0.01)),
    ],
)
def test_softlif_neurons_choice(trained, choice, expected):
    model, hidden = trained
    conv = convert(model, softlif_neurons=choice)
    assert conv.layers[hidden].ensemble.neuron_type == expected
    conv = convert(model, softlif_neurons=choice, scale_firing_rates=4)
    assert conv.layers[hidden].ensemble.neuron_type == (
        converter.scaled_neuron_type(expected, 4)
    )


def test_scale_firing_rates_per_layer(trained):
    """A dict of scales, keyed by Keras layer as in NengoDL, scales that layer."""
    model, hidden = trained
    (layer,) = [lay for lay in model.layers if isinstance(lay, SoftLIFActivation)]
    conv = convert(model, softlif_neurons="exact", scale_firing_rates={layer: 3})
    assert conv.layers[hidden].ensemble.neuron_type == ExactLIF(
        tau_rc=0.02 / 3, tau_ref=0.002 / 3, amplitude=0.01 / 3
    )
    conv = convert(model, scale_firing_rates={model.layers[1]: 3})
    assert conv.layers[hidden].ensemble.neuron_type == SoftLIFRate(**LAYER_PARAMS)


def test_swap_activations_apply_to_the_chosen_neurons(trained):
    model, hidden = trained
    conv = convert(
        model, swap_activations={SoftLIFRate(**LAYER_PARAMS): ExactLIF(tau_ref=0)}
    )
    assert conv.layers[hidden].ensemble.neuron_type == ExactLIF(tau_ref=0)


def test_bad_softlif_neurons(trained):
    model, _ = trained
    with pytest.raises(ValueError, match="softlif_neurons"):
        converter.Converter(model, softlif_neurons="spiking")
    with pytest.raises(TypeError, match="softlif_neurons"):
        converter.Converter(model, softlif_neurons=nengo.RectifiedLinear)


def test_scaled_neuron_type_is_exact():
    """Rates times s at every current for every LIF-like type; output unchanged."""
    J = np.concatenate([np.linspace(-1, 3, 41), np.logspace(0.5, 3, 10)])
    for neuron_type in [
        SoftLIFRate(sigma=0.05, amplitude=0.01),
        SoftLIF(sigma=0.05, min_voltage=-1, train_forward="spikes"),
        ExactLIF(tau_ref=0.001),
        nengo.LIFRate(amplitude=0.5),
    ]:
        scaled = converter.scaled_neuron_type(neuron_type, 8)
        ones = np.ones_like(J)
        before = neuron_type.rates(J, ones, 0 * ones)
        after = scaled.rates(J, ones, 0 * ones)
        assert np.allclose(after, before, rtol=1e-12, atol=0)
        assert np.allclose(
            after / scaled.amplitude, 8 * before / neuron_type.amplitude, rtol=1e-12
        )
        for name in ("sigma", "min_voltage", "train_forward"):
            assert getattr(scaled, name, None) == getattr(neuron_type, name, None)
    with pytest.raises(TypeError, match="LIF-like"):
        converter.scaled_neuron_type(nengo.RectifiedLinear(), 2)
    with pytest.raises(ValueError, match="scale"):
        converter.scaled_neuron_type(ExactLIF(), 0)


def test_scale_firing_rates_on_a_network():
    """Spike counts of a scaled ExactLIF ensemble are s times as many (nengo core).

    The ensemble's gains and biases come from its max rates and intercepts, so
    the max rates are scaled too: same currents, rates times s.
    """
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        ens = nengo.Ensemble(20, 1, neuron_type=ExactLIF(amplitude=0.01))
        relu = nengo.Ensemble(3, 1, neuron_type=nengo.SpikingRectifiedLinear())
        nengo.Connection(stim, ens)
        nengo.Connection(stim, relu)
        probe = nengo.Probe(ens.neurons)

    def spike_counts(dt=0.005):
        with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
            sim.run(1.0)
        return sim.data[probe].sum(axis=0) * dt / ens.neuron_type.amplitude

    before = spike_counts()
    with pytest.warns(UserWarning, match="SpikingRectifiedLinear"):
        assert converter.scale_firing_rates(net, 10) == [ens]
    assert ens.neuron_type.tau_rc == pytest.approx(0.002)
    # exact counts: within one spike of the continuous LIF's, before and after
    assert np.all(np.abs(spike_counts() - 10 * before) <= 11)
    with pytest.warns(UserWarning):
        converter.scale_firing_rates(net, 0.1)
    assert ens.neuron_type.tau_rc == pytest.approx(0.02, rel=1e-12)


def test_scale_firing_rates_on_a_converter(trained):
    model, hidden = trained
    conv = convert(model)
    assert converter.scale_firing_rates(conv, 5) == [conv.layers[hidden].ensemble]
    assert conv.layers[hidden].ensemble.neuron_type == SoftLIFRate(
        sigma=0.02, tau_rc=0.004, tau_ref=0.0004, amplitude=0.002
    )
    with pytest.raises(TypeError, match="network"):
        converter.scale_firing_rates(model, 5)


def test_spiking_network_at_5ms_with_rates_past_1_over_dt(trained, digits):
    """Exact spikes at dt = 5 ms with rates scaled 50x: accurate; nengo.LIF is not.

    Scaled 50x, the hidden neurons fire at up to 25 kHz, far past 1/dt = 200 Hz.
    Every neuron's spike count over the 100 ms presentation is within one spike
    of the continuous LIF's (rate of its current times 100 ms; the current is
    that of the Keras model's hidden layer), and the network classifies the
    held-out digits as well as the Keras model does (about 97 %, the bar leaves
    2 points of margin). nengo.LIF keeps at most one spike per step: its counts
    are capped at 20 per presentation and its accuracy drops (to about 89 %).
    """
    model, hidden = trained
    _, (x_test, y_test) = digits
    dt, n_steps, scale = 0.005, 20, 50
    keras_acc = np.mean(np.argmax(model.predict(x_test, verbose=0), 1) == y_test)

    results = {}
    for choice in ("spikes", nengo.LIF):
        conv = convert(model, softlif_neurons=choice, scale_firing_rates=scale)
        with conv.net:
            probe = nengo.Probe(conv.layers[hidden])
        out, (spikes,) = run(conv, model, x_test, dt, n_steps, probes=[probe])
        amplitude = conv.layers[hidden].ensemble.neuron_type.amplitude
        counts = spikes.sum(axis=1) * dt / amplitude
        predicted = np.argmax(out[:, n_steps // 2 :].mean(axis=1), axis=1)
        results[choice] = np.mean(predicted == y_test), counts

    dense = model.layers[1]
    J = x_test @ dense.kernel.numpy() + dense.bias.numpy()
    expected_counts = lif.lif_rate(J.astype(float), 0.02 / scale, 0.002 / scale)
    expected_counts *= dt * n_steps
    assert np.max(expected_counts) > 20 * n_steps  # rates far past 1/dt

    acc, counts = results["spikes"]
    assert np.all(np.abs(counts - expected_counts) <= 1 + 1e-3)
    assert acc >= keras_acc - 0.02
    assert acc >= 0.94

    lif_acc, lif_counts = results[nengo.LIF]
    assert np.max(lif_counts) <= n_steps + 1e-3
    assert lif_acc <= acc - 0.03


@pytest.mark.parametrize("scale", [1, 10, 300])
def test_relu_lif_is_a_relu_under_input_scaling(scale):
    """(tau_rc / s) G(s x) lies between relu(x) - 1/s and relu(x) - 1/(2s).

    G is the analytic LIF rate with tau_ref = 0 (float64); the bound is the
    module docstring's series argument, checked here at 2000 activations.
    """
    neuron_type = converter.relu_lif(tau_rc=0.05)
    assert neuron_type == ExactLIF(tau_rc=0.05, tau_ref=0, amplitude=0.05)
    assert converter.relu_lif(0.05, spiking=False) == nengo.LIFRate(
        tau_rc=0.05, tau_ref=0, amplitude=0.05
    )
    x = np.concatenate([np.linspace(-1, 1, 1000), np.logspace(-4, 3, 1000)])
    out = neuron_type.amplitude / scale * lif.lif_rate(scale * x, 0.05, 0.0)
    error = np.maximum(x, 0) - out
    assert np.all(error <= 1 / scale * (1 + 1e-9))
    above = x > 1 / scale
    assert np.all(error[above] >= 1 / (2 * scale) * (1 - 1e-6))


def test_relu_network_on_exact_lif_neurons(digits):
    """A ReLU-trained MLP converted with relu_lif and scale_firing_rates=20.

    As rates (nengo.LIFRate) it matches the Keras logits to 1/s per hidden
    activation times the output weights (bounded below through |W|); as exact
    spikes at dt = 5 ms it classifies as the Keras model does (within 2 points).
    """
    (x_train, y_train), (x_test, y_test) = digits
    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((64,))
    hidden = tf.keras.layers.Dense(32, activation=tf.nn.relu)(inp)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(10)(hidden))
    model.compile(
        optimizer=tf.keras.optimizers.Adam(0.005),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    keras_out = model.predict(x_test, verbose=0)
    keras_acc = np.mean(np.argmax(keras_out, axis=1) == y_test)
    scale = 20

    conv = nengo_dl.Converter(
        model,
        swap_activations={tf.nn.relu: converter.relu_lif(spiking=False)},
        scale_firing_rates=scale,
    )
    out, _ = run(conv, model, x_test)
    w_out = np.abs(model.layers[-1].kernel.numpy()).sum(axis=0)
    assert np.all(np.abs(out[:, 0] - keras_out) <= w_out / scale + 1e-4)

    conv = nengo_dl.Converter(
        model,
        swap_activations={tf.nn.relu: converter.relu_lif()},
        scale_firing_rates=scale,
    )
    out, _ = run(conv, model, x_test, dt=0.005, n_steps=20)
    acc = np.mean(np.argmax(out[:, 10:].mean(axis=1), axis=1) == y_test)
    assert acc >= keras_acc - 0.02
