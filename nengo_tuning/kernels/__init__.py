"""The steps of the neuron families through time.

For each family: the array-namespace (xp) form shared by numpy and TensorFlow
(``<family>_xp.py``), the compiled (numba) form (``<family>_compiled.py``), and
the step the Nengo front end runs. For LIF: :mod:`.lif_xp`, :mod:`.lif_numpy`
(in place, numpy), :mod:`.lif_compiled` and :mod:`.lif` (the choice among them);
for adaptive LIF the same four, ``adaptive_lif*``. ``kernels.arrays`` holds the
checks every kernel makes on its arrays, ``kernels.compiled`` what the compiled
kernels share, and
``kernels.choice`` the setting that chooses the kernel: ``use("numpy")`` runs the
numpy kernel alone inside a ``with`` block.
"""

from nengo_tuning._lazy import lazy_submodules
from nengo_tuning.kernels.choice import current, use

__all__ = ["current", "use"]

__getattr__, __dir__ = lazy_submodules(__name__)
