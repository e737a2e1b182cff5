"""The workbench's figures (``nengo_tuning.plotting``): see
:mod:`nengo_tuning.workbench.plotting`, where they live.

Importing this module does not import matplotlib.
"""

# the names, and their list, live in nengo_tuning.workbench.plotting
from nengo_tuning.workbench.plotting import *
from nengo_tuning.workbench.plotting import __all__  # noqa: F401
