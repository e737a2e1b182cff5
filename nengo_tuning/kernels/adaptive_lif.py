"""The exact adaptive-LIF step of ExactAdaptiveLIF: compiled where it can, else numpy.

:func:`exact_adaptive_lif_step` hands the step to the compiled kernel
(:mod:`.adaptive_lif_compiled`, with numba) for float64 state, finite input and
``dt <= MAX_STEP_OVER_TAU_REF * tau_ref``, and to the numpy kernel
(:mod:`.adaptive_lif_numpy`) otherwise; ``nengo_tuning.kernels.use("numpy")``
(``kernels.choice``) chooses the numpy kernel alone. Both check the arrays
(``kernels.arrays``) and give the same results (tests hold them equal).
"""

import functools

import numpy as np

from nengo_tuning.kernels import choice
from nengo_tuning.kernels.adaptive_lif_numpy import (
    TooManySpikesError,
    exact_adaptive_lif_step_numpy,
)

__all__ = ["TooManySpikesError", "exact_adaptive_lif_step"]


@functools.cache
def _compiled_kernel():
    """The compiled entry point, or None without numba (imported on first use:
    importing numba takes a second)."""
    from nengo_tuning.kernels import adaptive_lif_compiled

    if not adaptive_lif_compiled.AVAILABLE:
        return None
    return adaptive_lif_compiled.exact_adaptive_lif_step_compiled


def exact_adaptive_lif_step(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    adaptation,
    tau_rc,
    tau_ref,
    tau_n,
    inc_n,
    min_voltage=0.0,
    amplitude=1.0,
):
    """Advance adaptive LIF neurons by one exact step, writing the arrays in place.

    Same conventions, results and errors as
    :func:`~nengo_tuning.kernels.adaptive_lif_numpy.exact_adaptive_lif_step_numpy`
    (and :func:`~nengo_tuning.kernels.adaptive_lif_xp.exact_adaptive_lif_step_xp`).
    """
    if choice.current() == "compiled" and getattr(J, "dtype", None) == np.float64:
        compiled = _compiled_kernel()
        if compiled is not None and compiled(
            dt, J, output, voltage, refractory_time, adaptation,
            tau_rc, tau_ref, tau_n, inc_n, min_voltage, amplitude,
        ):  # fmt: skip
            return
    exact_adaptive_lif_step_numpy(
        dt, J, output, voltage, refractory_time, adaptation, tau_rc, tau_ref,
        tau_n, inc_n, min_voltage, amplitude,
    )  # fmt: skip
