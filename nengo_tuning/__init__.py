"""nengo_tuning: exact LIF and SoftLIF neuron types for Nengo and NengoDL.

The public API is listed in ``__all__``: the neuron types, their rate curves
and the NengoDL registration. The package's submodules are attributes of it,
imported at first use: ``import nengo_tuning`` is enough for
``nengo_tuning.dl.callbacks.CheckFiniteParameters`` or
``nengo_tuning.workbench``, and imports TensorFlow only when a module that
needs it (under ``nengo_tuning.dl`` or ``nengo_tuning.keras``) is first touched.

Importing this package does not import TensorFlow or NengoDL; the NengoDL
builders are registered when NengoDL is imported (see
:mod:`nengo_tuning.dl.registry`).
"""

from nengo_tuning import compat
from nengo_tuning._lazy import lazy_submodules
from nengo_tuning.dl.registry import install_dl_builders, install_dl_builders_if_loaded
from nengo_tuning.math.lif import lif_rate, lif_rate_derivative
from nengo_tuning.math.softlif import (
    DEFAULT_SIGMA,
    softlif_rate,
    softlif_rate_derivative,
)
from nengo_tuning.neurons import ExactAdaptiveLIF, ExactLIF, SoftLIF, SoftLIFRate
from nengo_tuning.spike_audit import LostSpikesWarning, audit, lost_spike_warnings
from nengo_tuning.version import version as __version__

__all__ = [
    "DEFAULT_SIGMA",
    "ExactAdaptiveLIF",
    "ExactLIF",
    "LostSpikesWarning",
    "SoftLIF",
    "SoftLIFRate",
    "__version__",
    "audit",
    "install_dl_builders",
    "lif_rate",
    "lif_rate_derivative",
    "lost_spike_warnings",
    "softlif_rate",
    "softlif_rate_derivative",
]

__getattr__, __dir__ = lazy_submodules(__name__)

# nengo_dl imported later: its import registers the builders (and, on current
# TensorFlow, is prepared so that nengo-dl 3.6.0 imports); the hook imports
# nothing now
compat.install_nengo_dl_import_hook(after_import=install_dl_builders)
# nengo_dl imported earlier: register the builders now
install_dl_builders_if_loaded()
