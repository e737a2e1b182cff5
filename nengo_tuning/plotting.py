"""The workbench's figures (``nengo_tuning.plotting``): see
:mod:`nengo_tuning.workbench.plotting`, where they live.

Importing this module does not import matplotlib.
"""

from nengo_tuning.workbench.plotting import (
    plot_decoding,
    plot_decoding_sweep,
    plot_rate_vs_spike,
    plot_smooth_vs_sharp,
    plot_spiking_decoding_error,
    plot_tuning_curves,
)

__all__ = [
    "plot_decoding",
    "plot_decoding_sweep",
    "plot_rate_vs_spike",
    "plot_smooth_vs_sharp",
    "plot_spiking_decoding_error",
    "plot_tuning_curves",
]
