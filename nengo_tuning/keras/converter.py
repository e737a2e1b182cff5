"""From a Keras model to Nengo neurons: ``nengo_dl.Converter`` support.

`nengo_dl.Converter` turns each `.SoftLIFActivation` layer of a Keras model into
an ensemble with one neuron per element (input gain 1, bias 0), through
NengoDL's own converter registry. The neuron type is chosen per conversion:

* ``"rates"`` (what plain ``nengo_dl.Converter`` gives): `.SoftLIFRate` with
  the layer's parameters, which computes exactly the layer's function; use it
  to check a conversion;
* ``"spikes"``: `.SoftLIF`, exact multi-spike LIF neurons that keep training
  through the same smooth curve in NengoDL;
* ``"exact"``: `.ExactLIF`, exact multi-spike LIF neurons (trained, if at all,
  through the LIF curve);
* a neuron type class, built from the layer's ``tau_rc``, ``tau_ref`` and
  ``amplitude`` (and ``sigma`` if it has one), e.g. `nengo.LIF` for comparison.

Pass the choice as ``softlif_neurons`` to this module's `Converter`, a
`nengo_dl.Converter` that accepts it. Every other argument is NengoDL's, and
``swap_activations`` still applies to the neuron types chosen here.

**Firing-rate scaling.** Scaling ``tau_rc`` and ``tau_ref`` by ``1/s`` multiplies
an LIF neuron's rate by ``s`` at every input current, and dividing the amplitude
by ``s`` leaves its output unchanged: an exact rescaling, unlike scaling the
input current (which is what NengoDL's ``scale_firing_rates`` does, and is exact
only for ReLU-like neurons). Higher rates average out spike noise in a shorter
presentation. The converter applies ``scale_firing_rates`` this exact way to
`.SoftLIFActivation` layers; `scale_firing_rates` does it on any converted
network (or any `nengo.Network`).

**ReLU layers.** The LIF curve is not a ReLU: it is zero up to the threshold
``J = 1``, rises with an infinite slope there, and saturates at
``1 / tau_ref``. Swapping ``tf.nn.relu`` for LIF neurons with default
parameters computes another function than the trained model, and NengoDL's
``scale_firing_rates`` (which multiplies the input current) makes it worse (with
``nengo.LIFRate(amplitude=tau_rc)``, digits accuracy falls from 98 % to 68 % at
``scale_firing_rates=100``). One LIF neuron does become a ReLU under that
scaling: with ``tau_ref = 0`` and ``amplitude = tau_rc`` (`relu_lif`), the
output for an activation ``x`` scaled by ``s`` is
``(tau_rc / s) G(s x) = x - (1 - f) / s`` above ``x = 1/s`` and 0 below, with
``f`` in ``[0, 1/2)``: the ReLU lowered by between ``1/(2s)`` and ``1/s``. So
``swap_activations={tf.nn.relu: relu_lif()}`` with ``scale_firing_rates=s``
runs a ReLU-trained network on exact LIF neurons, within ``1/s`` per unit of
every activation; `.ExactLIF` keeps all of the high rates that this needs at
any ``dt``, where `nengo.LIF` (at most one spike per step) cannot. It spends
about as many spikes as `nengo.SpikingRectifiedLinear` (an exact multi-spike
integrate-and-fire neuron, NengoDL's usual choice) for the same accuracy; use
it where LIF neurons are wanted (a model of biology, LIF hardware). To train
for LIF neurons with refractoriness, use `.SoftLIFActivation`.

Importing this module imports TensorFlow and NengoDL, and registers the
converter support (`install_converter`).
"""

import inspect
import warnings

import nengo
import nengo_dl
import numpy as np
from nengo.params import NumberParam
from nengo_dl.converter import LayerConverter

from nengo_tuning import compat
from nengo_tuning.keras.activation import SoftLIFActivation
from nengo_tuning.neurons import ExactLIF, SoftLIF, SoftLIFRate

#: The ``softlif_neurons`` choices given by name, and the class each one builds.
SOFTLIF_NEURONS = {"rates": SoftLIFRate, "spikes": SoftLIF, "exact": ExactLIF}

#: Neuron types whose rates `scale_firing_rates` can scale exactly: LIF curves,
#: whose rate at any current is multiplied by ``s`` when ``tau_rc`` and
#: ``tau_ref`` are divided by ``s``.
LIF_LIKE_TYPES = (nengo.LIFRate, SoftLIFRate)  # nengo.LIF, ExactLIF, SoftLIF too


def _neuron_class(softlif_neurons):
    """The neuron type class that ``softlif_neurons`` names."""
    if isinstance(softlif_neurons, str):
        try:
            return SOFTLIF_NEURONS[softlif_neurons]
        except KeyError:
            raise ValueError(
                f"softlif_neurons must be one of {sorted(SOFTLIF_NEURONS)} or a "
                f"neuron type class (got {softlif_neurons!r})"
            ) from None
    if not (
        isinstance(softlif_neurons, type)
        and issubclass(softlif_neurons, LIF_LIKE_TYPES)
    ):
        raise TypeError(
            "softlif_neurons must be one of "
            f"{sorted(SOFTLIF_NEURONS)} or an LIF-like neuron type class such "
            f"as nengo.LIF (got {softlif_neurons!r})"
        )
    return softlif_neurons


def softlif_neuron_type(layer, softlif_neurons="rates", scale=1.0):
    """The Nengo neuron type that stands for a `.SoftLIFActivation` layer.

    Parameters
    ----------
    layer : SoftLIFActivation
        The Keras layer.
    softlif_neurons : str or type
        ``"rates"``, ``"spikes"``, ``"exact"`` or an LIF-like neuron type class
        (see the module docstring).
    scale : float
        Firing-rate scale (exact, see `scaled_neuron_type`).

    Returns
    -------
    neuron_type : nengo.neurons.NeuronType
    """
    neuron_class = _neuron_class(softlif_neurons)
    params = {
        "tau_rc": layer.tau_rc,
        "tau_ref": layer.tau_ref,
        "amplitude": layer.amplitude,
    }
    if "sigma" in inspect.signature(neuron_class).parameters:
        params["sigma"] = layer.sigma
    return scaled_neuron_type(neuron_class(**params), scale)


def scaled_neuron_type(neuron_type, scale):
    """A copy of an LIF-like ``neuron_type`` firing ``scale`` times faster.

    ``tau_rc`` and ``tau_ref`` are divided by ``scale``, which multiplies the
    rate at every input current by ``scale`` (spiking types included: the
    dynamics run ``scale`` times faster), and ``amplitude`` is divided by
    ``scale``, so that the output, rate times amplitude, is unchanged. Every
    other parameter (``sigma``, ``min_voltage``, ...) is kept.

    Parameters
    ----------
    neuron_type : nengo.LIFRate or SoftLIFRate (or a subclass)
        `nengo.LIF`, `nengo.LIFRate`, `.ExactLIF`, `.SoftLIF` or `.SoftLIFRate`.
    scale : float
        Factor on the firing rates (> 0).
    """
    if not isinstance(neuron_type, LIF_LIKE_TYPES):
        raise TypeError(
            f"neuron_type must be an LIF-like neuron type (nengo.LIF, nengo.LIFRate "
            f"or a nengo_tuning type), got {neuron_type!r}"
        )
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a finite number > 0 (got {scale!r})")
    if scale == 1:
        return neuron_type
    names = inspect.signature(type(neuron_type)).parameters
    params = {name: getattr(neuron_type, name) for name in names}
    params["tau_rc"] = neuron_type.tau_rc / scale
    params["tau_ref"] = neuron_type.tau_ref / scale
    params["amplitude"] = neuron_type.amplitude / scale
    return type(neuron_type)(**params)


def relu_lif(tau_rc=0.02, spiking=True):
    """LIF neurons that compute a ReLU under NengoDL's ``scale_firing_rates``.

    ``ExactLIF(tau_rc, tau_ref=0, amplitude=tau_rc)`` (or `nengo.LIFRate` with
    the same parameters if ``spiking`` is False). With its input scaled by
    ``s`` and its amplitude divided by ``s`` (``scale_firing_rates=s``), its
    output is within ``1 / s`` below ``relu(x)`` for every activation ``x`` (see
    the module docstring). For ``swap_activations={tf.nn.relu: relu_lif()}``.

    Parameters
    ----------
    tau_rc : float
        Membrane time constant, in seconds.
    spiking : bool
        `.ExactLIF` neurons if True, `nengo.LIFRate` (to check rates) if False.
    """
    if spiking:
        return ExactLIF(tau_rc=tau_rc, tau_ref=0.0, amplitude=tau_rc)
    return nengo.LIFRate(tau_rc=tau_rc, tau_ref=0.0, amplitude=tau_rc)


class ScaledDistribution(nengo.dists.Distribution):
    """The samples of ``dist`` times ``scale`` (same random draws).

    `scale_firing_rates` scales an ensemble's ``max_rates`` with it, so that
    Nengo derives the same gains and biases for the scaled neuron type.
    """

    dist = nengo.dists.DistributionParam("dist")
    scale = NumberParam("scale", low=0, low_open=True)

    def __init__(self, dist, scale):
        super().__init__()
        self.dist = dist
        self.scale = scale

    def sample(self, n, d=None, rng=np.random):
        return self.scale * self.dist.sample(n, d=d, rng=rng)


def _scale_max_rates(max_rates, scale):
    if isinstance(max_rates, ScaledDistribution):
        return ScaledDistribution(max_rates.dist, max_rates.scale * scale)
    if isinstance(max_rates, nengo.dists.Distribution):
        return ScaledDistribution(max_rates, scale)
    return np.asarray(max_rates) * scale


def scale_firing_rates(network, scale):
    """Multiply the firing rates of a network's LIF-like neurons, exactly.

    Every ensemble (in ``network`` and its subnetworks) whose neuron type is
    LIF-like gets `scaled_neuron_type` of it: rates times ``scale``, amplitude
    over ``scale``, so that in rate mode the network computes the same function
    (up to float rounding) and as spikes it emits ``scale`` times as many. Other
    neuron types are left as they are, with a warning (for ReLU neurons, use
    NengoDL's ``scale_firing_rates`` at conversion, which is exact for them).

    Scales compound: calling this twice with ``s`` scales by ``s**2``, and
    calling it with ``1 / s`` undoes a call with ``s``.

    Parameters
    ----------
    network : nengo.Network or nengo_dl.Converter
        The network to modify in place (a converter's ``.net``).
    scale : float
        Factor on the firing rates (> 0).

    Returns
    -------
    ensembles : list of nengo.Ensemble
        The ensembles whose neuron types were scaled.
    """
    net = getattr(network, "net", network)
    if not isinstance(net, nengo.Network):
        raise TypeError(
            f"network must be a nengo.Network or a nengo_dl.Converter, got {network!r}"
        )
    scaled, skipped = [], set()
    for ens in net.all_ensembles:
        if isinstance(ens.neuron_type, LIF_LIKE_TYPES):
            ens.neuron_type = scaled_neuron_type(ens.neuron_type, scale)
            if ens.gain is None or ens.bias is None:
                ens.max_rates = _scale_max_rates(ens.max_rates, scale)
            scaled.append(ens)
        elif not isinstance(ens.neuron_type, nengo.Direct):
            skipped.add(type(ens.neuron_type).__name__)
    if skipped:
        warnings.warn(
            f"scale_firing_rates left ensembles of {sorted(skipped)} unscaled: only "
            "LIF-like neuron types scale exactly through their time constants"
        )
    return scaled


class ConvertSoftLIFActivation(LayerConverter):
    """Convert a `.SoftLIFActivation` layer to an ensemble of LIF-like neurons.

    The neuron type follows the converter's ``softlif_neurons`` (``"rates"``
    if the converter has none, as a plain ``nengo_dl.Converter``), scaled
    exactly by the converter's ``scale_firing_rates`` for this layer, then
    passed through its ``swap_activations``.
    """

    def _firing_rate_scale(self):
        scales = self.converter.scale_firing_rates
        if isinstance(scales, dict):
            scales = scales.get(self.layer, None)
        return 1.0 if scales is None else scales

    def convert(self, node_id):
        """Build the ensemble for node ``node_id`` of the layer; return its neurons."""
        neuron_type = softlif_neuron_type(
            self.layer,
            getattr(self.converter, "softlif_neurons", "rates"),
            scale=self._firing_rate_scale(),
        )
        neuron_type = self.converter.swap_activations.get(neuron_type, neuron_type)
        # One neuron per element. The input current is the layer's input itself
        # (gain 1, bias 0); the layer has no bias, so the ensemble's is not
        # trainable, as in NengoDL's own activation layers.
        neurons = nengo.Ensemble(
            int(np.prod(self.output_shape(node_id))),
            1,
            neuron_type=neuron_type,
            gain=nengo.dists.Choice([1.0]),
            bias=nengo.dists.Choice([0.0]),
            label=f"{self.layer.name}.{node_id}",
        ).neurons
        self.set_trainable(neurons, False)
        self.add_connection(node_id, neurons)
        return neurons


def install_converter():
    """Register the `.SoftLIFActivation` layer converter with NengoDL.

    Idempotent. Done on import of this module.
    """
    compat.register_keras_layer_converter(SoftLIFActivation, ConvertSoftLIFActivation)


class Converter(nengo_dl.Converter):
    """`nengo_dl.Converter` with a choice of neurons for SoftLIF layers.

    Parameters
    ----------
    model : tf.keras.Model
        The Keras model to convert.
    softlif_neurons : str or type
        Neurons for `.SoftLIFActivation` layers: ``"rates"`` (`.SoftLIFRate`,
        the layer's function exactly; the default), ``"spikes"`` (`.SoftLIF`),
        ``"exact"`` (`.ExactLIF`), or an LIF-like neuron type class such as
        `nengo.LIF`, built from the layer's parameters.
    **kwargs
        The arguments of `nengo_dl.Converter`. ``scale_firing_rates`` scales
        SoftLIF layers exactly (time constants, see `scaled_neuron_type`) and
        other layers as NengoDL does.

    Examples
    --------
    >>> conv = Converter(model, softlif_neurons="spikes", scale_firing_rates=20)
    >>> with nengo_dl.Simulator(conv.net, dt=0.005) as sim:
    ...     out = sim.predict({conv.inputs[model.input]: x})
    """

    def __init__(self, model, softlif_neurons="rates", **kwargs):
        _neuron_class(softlif_neurons)  # fail before converting anything
        self.softlif_neurons = softlif_neurons
        install_converter()
        super().__init__(model, **kwargs)


install_converter()
