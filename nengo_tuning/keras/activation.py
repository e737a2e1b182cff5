r"""A Keras activation with the SoftLIF rate curve, trainable and serializable.

`SoftLIFActivation` is a ``tf.keras`` layer (and `softlif` the plain activation
function) that computes the SoftLIF rate curve of :class:`.SoftLIFRate`,

.. math:: r(x) = \frac{a}{\tau_{ref} + \tau_{RC} \log(1 + 1/\rho)}, \qquad
          \rho = \sigma \log(1 + e^{(x - 1)/\sigma}),

of its input ``x``, read as the input current ``J`` of a LIF neuron (threshold
``J = 1``). Its gradient is the analytic derivative of
:func:`~nengo_tuning.math.softlif.softlif_rate_derivative`: the very formulas that
the neuron types and the NengoDL builders use, so a model trained in Keras means
the same thing once converted to Nengo neurons (see :mod:`.converter`).

Rates are in Hz times ``amplitude``: with the default time constants they span
0 to 500 Hz, so an ``amplitude`` of about 0.01 keeps the activations near 1, as
Keras initialisers expect.

Importing this module imports TensorFlow (``import nengo_tuning`` does not).
It does not import NengoDL: `nengo_dl.Converter` learns about the layer when
:mod:`nengo_tuning.keras.converter` is imported (that module imports this one, so the
dependency runs one way).
"""

from nengo_tuning import compat

# before the first use of tf.keras: Keras 2 where TensorFlow ships Keras 3
compat.select_keras2()

import numpy as np
import tensorflow as tf

from nengo_tuning.dl.tf_namespace import tf_xp, with_derivative
from nengo_tuning.math.softlif import softlif_rate_derivative_xp, softlif_rate_xp
from nengo_tuning.neurons import DEFAULT_SIGMA, SoftLIFRate

_PACKAGE = "nengo_tuning"


def _checked_parameters(sigma, tau_rc, tau_ref, amplitude):
    """The parameters as floats, validated as `.SoftLIFRate` validates them.

    Raises `nengo.exceptions.ValidationError` (a ``ValueError``) naming the
    parameter.
    """
    neuron_type = SoftLIFRate(
        sigma=sigma, tau_rc=tau_rc, tau_ref=tau_ref, amplitude=amplitude
    )
    return {
        "sigma": float(neuron_type.sigma),
        "tau_rc": float(neuron_type.tau_rc),
        "tau_ref": float(neuron_type.tau_ref),
        "amplitude": float(neuron_type.amplitude),
    }


@tf.keras.utils.register_keras_serializable(package=_PACKAGE)
def softlif(x):
    """SoftLIF activation with the default parameters of `.SoftLIFRate`.

    For plain Keras use, as ``tf.keras.layers.Dense(n, activation=softlif)``;
    it is saved and loaded with the model by name. Its activations reach 500
    (amplitude 1). To convert a model to Nengo neurons, use the
    `SoftLIFActivation` layer instead: `nengo_dl.Converter` runs a ``Dense``
    layer's activation function it does not know as a TensorFlow node
    (``TensorNode``), not as neurons.
    """
    return _default_rate(x)


def _softlif_rate_fn(sigma, tau_rc, tau_ref, amplitude):
    """The SoftLIF rate of ``J``, with its analytic derivative as gradient.

    The time constants and amplitude become constants of ``J``'s dtype when the
    function is traced, so that one layer serves float16, float32 and float64
    inputs; ``sigma`` stays a Python float, which the formulas take as it is
    (its logarithm in Python, a subnormal one rescaled). Where ``sigma`` is below
    the smallest normal number of ``J``'s dtype (TensorFlow flushes such numbers
    to zero), the curve is evaluated in float64 and rounded to the dtype.
    """

    def in_dtype(formula):
        def evaluate(J):
            work = J
            if J.dtype != tf.float64 and sigma < np.finfo(J.dtype.as_numpy_dtype).tiny:
                work = tf.cast(J, tf.float64)
            params = [tf.constant(p, work.dtype) for p in (tau_rc, tau_ref, amplitude)]
            return tf.cast(formula(work, sigma, *params, xp=tf_xp), J.dtype)

        return evaluate

    return with_derivative(
        in_dtype(softlif_rate_xp), in_dtype(softlif_rate_derivative_xp)
    )


_default_rate = _softlif_rate_fn(DEFAULT_SIGMA, 0.02, 0.002, 1.0)


@tf.keras.utils.register_keras_serializable(package=_PACKAGE)
class SoftLIFActivation(tf.keras.layers.Layer):
    """Keras layer applying the SoftLIF rate curve element-wise.

    The output has the input's shape and dtype. The parameters are fixed
    (not trained) and saved in the layer config, so the layer survives
    ``model.save`` / ``tf.keras.models.load_model`` (``.keras``, ``.h5`` and
    SavedModel formats) without ``custom_objects``, once this module is imported.

    Parameters
    ----------
    sigma : float
        Smoothing of the rectification, in units of input current (> 0).
    tau_rc : float
        Membrane RC time constant, in seconds (> 0).
    tau_ref : float
        Absolute refractory period, in seconds (>= 0).
    amplitude : float
        Scaling factor on the output (> 0): the output is ``amplitude`` times the
        rate in Hz.
    **kwargs
        Passed to ``tf.keras.layers.Layer`` (``name``, ``dtype``, ...).

    Notes
    -----
    `nengo_dl.Converter` turns this layer into an ensemble of
    :class:`.SoftLIFRate` neurons with these parameters (input gain 1, bias 0),
    which computes the same function; `nengo_tuning.keras.converter.Converter` can
    give spiking `.SoftLIF` or `.ExactLIF` neurons instead.
    """

    def __init__(
        self,
        sigma=DEFAULT_SIGMA,
        tau_rc=0.02,
        tau_ref=0.002,
        amplitude=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        params = _checked_parameters(sigma, tau_rc, tau_ref, amplitude)
        self.sigma = params["sigma"]
        self.tau_rc = params["tau_rc"]
        self.tau_ref = params["tau_ref"]
        self.amplitude = params["amplitude"]
        self._rate = _softlif_rate_fn(**params)

    def call(self, inputs):
        """The SoftLIF rate of ``inputs`` (read as input currents)."""
        return self._rate(tf.convert_to_tensor(inputs, dtype=self.compute_dtype))

    def compute_output_shape(self, input_shape):
        """The input shape: the activation is element-wise."""
        return input_shape

    def get_config(self):
        """The layer's config: Keras' and the four SoftLIF parameters."""
        config = super().get_config()
        config.update(
            sigma=self.sigma,
            tau_rc=self.tau_rc,
            tau_ref=self.tau_ref,
            amplitude=self.amplitude,
        )
        return config

    @property
    def neuron_type(self):
        """The `.SoftLIFRate` neuron type that computes this layer's function."""
        return SoftLIFRate(
            sigma=self.sigma,
            tau_rc=self.tau_rc,
            tau_ref=self.tau_ref,
            amplitude=self.amplitude,
        )
