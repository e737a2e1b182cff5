"""The tuning workbench's library, in one namespace (``nengo_tuning.analysis``).

The studies live in :mod:`nengo_tuning.workbench`, one module per kind; this
module gathers their public names where notebooks and scripts import them:

* neuron types from strings: :mod:`~nengo_tuning.workbench.neuron_specs`;
* functions from strings: :mod:`~nengo_tuning.workbench.expressions`;
* tuning curves and decoding: :mod:`~nengo_tuning.workbench.tuning_and_decoding`;
* spikes against rates: :mod:`~nengo_tuning.workbench.spikes_vs_rates`;
* LIF against SoftLIF near threshold: :mod:`~nengo_tuning.workbench.rate_curves`.
"""

from nengo_tuning.workbench.expressions import FUNCTION_NAMESPACE, parse_function
from nengo_tuning.workbench.neuron_specs import (
    NEURON_TYPE_PACKAGES,
    neuron_type_label,
    resolve_neuron_type,
)
from nengo_tuning.workbench.rate_curves import SmoothVsSharp, smooth_vs_sharp
from nengo_tuning.workbench.spikes_vs_rates import (
    RateSpikeComparison,
    SpikingDecodingError,
    compare_spikes_to_rates,
    currents_for_rates,
    spiking_decoding_error,
)
from nengo_tuning.workbench.tuning_and_decoding import (
    Decoding,
    DecodingSweep,
    TuningCurves,
    decode_function,
    decoding_sweep,
    ensemble_tuning_curves,
    neuron_tuning_curves,
)

__all__ = [
    "FUNCTION_NAMESPACE",
    "NEURON_TYPE_PACKAGES",
    "Decoding",
    "DecodingSweep",
    "RateSpikeComparison",
    "SmoothVsSharp",
    "SpikingDecodingError",
    "TuningCurves",
    "compare_spikes_to_rates",
    "currents_for_rates",
    "decode_function",
    "decoding_sweep",
    "ensemble_tuning_curves",
    "neuron_tuning_curves",
    "neuron_type_label",
    "parse_function",
    "resolve_neuron_type",
    "smooth_vs_sharp",
    "spiking_decoding_error",
]
