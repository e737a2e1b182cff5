"""Neuron types: the front ends that Nengo models use.

Each type declares its parameters and state; the formulas live in
:mod:`nengo_tuning.math` and the step in :mod:`nengo_tuning.kernels`, shared
with the NengoDL builders and the workbench. The types know nothing of NengoDL:
:mod:`nengo_tuning.dl.builders` says which builder builds which type, and
:mod:`nengo_tuning.dl.registry` when they are registered.

One module per family (``neurons/lif.py``, ``neurons/adaptive_lif.py``), with
the parameters and checks they share in :mod:`nengo_tuning.neurons.params`,
where the validation is described. The types are documented under their public
name, ``nengo_tuning.neurons.X``.
"""

from nengo.cache import Fingerprint, check_attrs

from nengo_tuning.math.softlif import DEFAULT_SIGMA  # the types' default
from nengo_tuning.neurons.adaptive_lif import ExactAdaptiveLIF
from nengo_tuning.neurons.lif import ExactLIF, SoftLIF, SoftLIFRate

__all__ = ["DEFAULT_SIGMA", "ExactAdaptiveLIF", "ExactLIF", "SoftLIF", "SoftLIFRate"]

for _neuron_type in (SoftLIFRate, ExactLIF, SoftLIF, ExactAdaptiveLIF):
    # The public name is nengo_tuning.neurons.X, as in 0.2: pickled models,
    # reprs, the docs' cross-references and nengo's decoder-cache keys name the
    # class by its module, and they stay the same whichever file holds it.
    _neuron_type.__module__ = __name__
    # Decoders depend only on the analytic rates() of these types, so nengo's
    # decoder cache may store them safely (it only caches whitelisted types).
    Fingerprint.whitelist(_neuron_type, check_attrs)
del _neuron_type
