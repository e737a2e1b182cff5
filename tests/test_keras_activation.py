"""The SoftLIF Keras activation: values, gradients, training, saving, lazy import."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_tuning.math import softlif

tf = pytest.importorskip("tensorflow", reason="the Keras activation needs TensorFlow")
keras_activation = pytest.importorskip("nengo_tuning.keras.activation")
SoftLIFActivation = keras_activation.SoftLIFActivation

ROOT = Path(__file__).parents[1]

# Currents over the whole curve: far below threshold (the asymptotic tail),
# around J = 1 within a few sigma (where the curve bends), and far above.
CURRENTS = np.concatenate(
    [
        -np.logspace(3, -3, 20),
        np.linspace(0.8, 1.2, 81),
        1 + np.logspace(-6, 3, 40),
    ]
)
PARAMS = [
    {},
    {"sigma": 0.1, "tau_rc": 0.05, "tau_ref": 0.001, "amplitude": 0.01},
    {"sigma": 1e-3, "tau_ref": 0.0, "amplitude": 2.0},
]


def values_and_gradients(layer, J, dtype="float32"):
    x = tf.constant(J, dtype=dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    return y.numpy(), tape.gradient(y, x).numpy()


@pytest.mark.parametrize("params", PARAMS, ids=str)
def test_values_and_gradient_match_analytic_formulas(params):
    """Forward is softlif.softlif_rate, the Keras gradient its analytic derivative.

    The reference is numpy in float64; the layer runs in float32, so the bound is
    a few float32 ulps relative to the value (1e-5 covers the ~30 roundings of
    the formula, each within 6e-8), plus an absolute floor of 1e-5 of the curve's
    scale for values that are near zero (deep below threshold).
    """
    layer = SoftLIFActivation(**params)
    full = dict(
        {"sigma": 0.02, "tau_rc": 0.02, "tau_ref": 0.002, "amplitude": 1.0}, **params
    )
    rate, grad = values_and_gradients(layer, CURRENTS)
    expected_rate = softlif.softlif_rate(CURRENTS, **full)
    expected_grad = softlif.softlif_rate_derivative(CURRENTS, **full)
    rate_scale = full["amplitude"] / (full["tau_ref"] + full["tau_rc"] * np.log1p(1))
    assert np.allclose(rate, expected_rate, rtol=1e-5, atol=1e-5 * rate_scale)
    grad_scale = np.max(expected_grad)
    assert np.allclose(grad, expected_grad, rtol=1e-5, atol=1e-5 * grad_scale)


def test_gradient_is_the_analytic_one_in_float64():
    """In float64 the gradient is the analytic derivative to 1e-12 (no autodiff)."""
    layer = SoftLIFActivation(dtype="float64")
    _, grad = values_and_gradients(layer, CURRENTS, dtype="float64")
    expected = softlif.softlif_rate_derivative(CURRENTS)
    assert np.allclose(grad, expected, rtol=1e-12, atol=1e-12 * np.max(expected))


def test_extreme_inputs_stay_finite():
    """Huge and infinite currents: finite rates and gradients, no NaN; NaN shows."""
    layer = SoftLIFActivation(amplitude=0.01)
    J = np.array([-np.inf, -3e38, -1e30, -1e6, 1e6, 1e30, 3e38, np.inf])
    rate, grad = values_and_gradients(layer, J)
    assert np.all(np.isfinite(rate)) and np.all(np.isfinite(grad))
    assert np.all(rate >= 0) and np.all(rate <= 0.01 / 0.002 * (1 + 1e-6))
    # the curve far above threshold (saturating at amplitude / tau_ref), ~0 below
    expected = softlif.softlif_rate(J[J > 0], amplitude=0.01)
    assert np.allclose(rate[J > 0], expected, rtol=1e-6)
    assert np.all(rate[J < 0] < 1e-6)
    rate, grad = values_and_gradients(layer, np.array([np.nan]))
    assert np.isnan(rate).all() and np.isnan(grad).all()


# sigma from tiny to the smallest subnormal float64: (sigma, dtype)
TINY_SIGMAS = [(1e-40, "float32"), (1e-100, "float32"), (1e-40, "float64")]
TINY_SIGMAS += [(1e-300, "float64"), (5e-324, "float64")]


@pytest.mark.parametrize("sigma, dtype", TINY_SIGMAS)
def test_tiny_sigma_values_and_gradients(sigma, dtype):
    """The issue's example (sigma = 1e-40 in float32 gave NaN): the numpy curve
    and slope, which tests/test_softlif_tail.py holds to a decimal reference.

    A sigma below float32's smallest normal number is evaluated in float64;
    in float64 a subnormal sigma is rescaled (TensorFlow flushes subnormals to
    zero). J = 1 is left out: the slope there is beyond the float range for
    most of these sigma.
    """
    J = np.array([-1e30, -3.0, 0.0, 0.5, 1 - 1e-7, 1 + 1e-7, 2.0, 10.0, 1e30])
    layer = SoftLIFActivation(sigma=sigma, dtype=dtype)
    rate, grad = values_and_gradients(layer, J, dtype=dtype)
    assert rate.dtype == grad.dtype == np.dtype(dtype)
    assert rate[J == 2.0][0] == pytest.approx(63.0396, rel=1e-5)
    expected_rate = softlif.softlif_rate(J.astype(dtype), sigma)
    expected_grad = softlif.softlif_rate_derivative(J.astype(dtype), sigma)
    assert np.all(np.isfinite(rate)) and np.all(np.isfinite(grad))
    rtol = 1e-5 if dtype == "float32" else 1e-13
    tiny = np.finfo(dtype).tiny  # TensorFlow flushes what is below to zero
    np.testing.assert_allclose(rate, expected_rate, rtol=rtol, atol=2 * tiny)
    np.testing.assert_allclose(grad, expected_grad, rtol=rtol, atol=2 * tiny)


def test_tiny_sigma_gradient_at_threshold():
    """At J = 1 the slope for sigma = 1e-40 is 4.2e37: within float32's range."""
    layer = SoftLIFActivation(sigma=1e-40)
    rate, grad = values_and_gradients(layer, np.array([1.0]))
    assert rate[0] == pytest.approx(softlif.softlif_rate(1.0, 1e-40), rel=1e-6)
    assert grad[0] == pytest.approx(
        softlif.softlif_rate_derivative(np.array([1.0]), 1e-40)[0], rel=1e-5
    )


def test_bad_parameters_name_the_parameter():
    for name, value in [("sigma", 0), ("tau_rc", -1), ("tau_ref", -0.1)]:
        with pytest.raises(ValidationError, match=name):
            SoftLIFActivation(**{name: value})
    with pytest.raises(ValidationError, match="amplitude"):
        SoftLIFActivation(amplitude=0)


def regression_model(activation_layer, seed=0):
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input((2,))
    h = tf.keras.layers.Dense(32)(inp)
    h = activation_layer(h)
    out = tf.keras.layers.Dense(1)(h)
    return tf.keras.Model(inp, out)


def test_trains_in_plain_keras():
    """model.fit through the SoftLIF layer learns a nonlinear function.

    Target x0 * x1 on [-1, 1]^2 (variance 1/9 = 0.111): a linear model cannot do
    better than that; 20 epochs of Adam bring the MSE well below a tenth of it
    (about 0.002 here).
    """
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(1000, 2)).astype(np.float32)
    y = x[:, :1] * x[:, 1:]
    model = regression_model(SoftLIFActivation(amplitude=0.01))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.01
    assert np.all(np.isfinite(model.get_weights()[0]))


@pytest.mark.parametrize("fmt", ["model.keras", "model.h5", "saved_model"])
def test_save_load_round_trip(fmt, tmp_path):
    """Saved and loaded with the model: same parameters, identical outputs.

    The `softlif` function activation is saved by its registered name; the
    legacy HDF5 format of tf_keras 2.21 cannot load any registered function
    activation ("Unknown activation function: 'function'"), so there only the
    layer is checked (docs/keras.rst says so).
    """
    layer = SoftLIFActivation(sigma=0.05, tau_rc=0.03, tau_ref=0.001, amplitude=0.01)
    inp = tf.keras.Input((3,))
    out = layer(tf.keras.layers.Dense(8)(inp))
    if fmt != "model.h5":
        function_out = tf.keras.layers.Dense(4, activation=keras_activation.softlif)
        out = tf.keras.layers.Concatenate()([out, function_out(inp)])
    model = tf.keras.Model(inp, out)
    x = np.random.RandomState(1).uniform(-2, 2, size=(16, 3)).astype(np.float32)
    expected = model.predict(x, verbose=0)

    model.save(tmp_path / fmt)
    loaded = tf.keras.models.load_model(tmp_path / fmt)
    assert np.array_equal(loaded.predict(x, verbose=0), expected)
    (loaded_layer,) = [
        lay for lay in loaded.layers if isinstance(lay, SoftLIFActivation)
    ]
    assert loaded_layer.get_config() == layer.get_config() | {"name": loaded_layer.name}


def test_import_nengo_tuning_does_not_import_tensorflow():
    """``import nengo_tuning`` (and using its neuron types) loads no TensorFlow."""
    code = (
        "import sys, nengo, nengo_tuning\n"
        "with nengo.Network() as net:\n"
        "    nengo.Ensemble(5, 1, neuron_type=nengo_tuning.SoftLIF())\n"
        "with nengo.Simulator(net, progress_bar=False) as sim:\n"
        "    sim.run(0.01)\n"
        "bad = [m for m in ('tensorflow', 'nengo_dl', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
