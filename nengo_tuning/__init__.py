"""nengo_tuning: exact LIF and SoftLIF neuron types for Nengo and NengoDL.

Importing this package does not import TensorFlow or NengoDL; the NengoDL
builders are registered lazily (see :mod:`nengo_tuning.dl.registry`).
"""

from nengo_tuning import compat
from nengo_tuning.dl.registry import install_dl_builders
from nengo_tuning.math.lif import lif_rate, lif_rate_derivative
from nengo_tuning.math.softlif import (
    DEFAULT_SIGMA,
    softlif_rate,
    softlif_rate_derivative,
)
from nengo_tuning.neurons import ExactLIF, SoftLIF, SoftLIFRate
from nengo_tuning.version import version as __version__

# lets nengo-dl 3.6.0 import on current TensorFlow (imports nothing now)
compat.install_nengo_dl_import_hook()

__all__ = [
    "DEFAULT_SIGMA",
    "ExactLIF",
    "SoftLIF",
    "SoftLIFRate",
    "__version__",
    "install_dl_builders",
    "lif_rate",
    "lif_rate_derivative",
    "softlif_rate",
    "softlif_rate_derivative",
]
