"""The exact LIF step that ExactLIF runs: the compiled kernel where it can, else numpy.

:func:`exact_lif_step` checks the arrays (:mod:`.arrays`), then hands the step
to the compiled kernel (:mod:`.lif_compiled`, with numba) for float64 state and
finite input, and to the numpy kernel (:mod:`.lif_numpy`) otherwise;
``nengo_tuning.kernels.use("numpy")`` (:mod:`.choice`) chooses the numpy kernel
alone.
"""

import numpy as np

from nengo_tuning.kernels import choice
from nengo_tuning.kernels.lif_numpy import exact_lif_step_numpy
from nengo_tuning.kernels.lif_xp import EXACT_STEP_MAX_RESOLVED_SPIKES
from nengo_tuning.math.lif import TINY_J

#: The compiled kernel's last two parameters: its limits, those of the xp form.
EXACT_STEP_PARAMS_LIMITS = EXACT_STEP_MAX_RESOLVED_SPIKES, TINY_J

#: [the compiled kernel's entry point, or None without numba], once looked up
_compiled_lookup = []


def _compiled_step():
    """The compiled kernel's entry point, if chosen (:mod:`.choice`) and installed."""
    if choice.current() != "compiled":
        return None
    if not _compiled_lookup:  # importing numba takes a second: only when stepping
        from nengo_tuning.kernels import lif_compiled

        _compiled_lookup.append(
            lif_compiled.exact_lif_step_compiled if lif_compiled.AVAILABLE else None
        )
    return _compiled_lookup[0]


def exact_lif_step(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage=0.0,
    amplitude=1.0,
):
    """Advance LIF neurons by one step of constant current, exactly (numpy, in place).

    Within the step the membrane follows its exact solution, refractory periods
    end at their exact sub-step time, and every spike that falls inside the step
    is counted; ``output`` is set to ``k * amplitude / dt`` for ``k`` spikes.
    The arrays are 1-d (as nengo passes them).

    ``refractory_time`` follows nengo.LIF's convention: on entry, the remaining
    refractory time at the start of the step is ``refractory_time - dt``; on exit
    it holds that quantity for the next step plus ``dt`` (``s_last + tau_ref`` for
    a neuron that spiked at ``s_last``, counting from the step's start, and the
    entry value minus ``dt`` for one that did not).

    Non-finite currents (the state always stays finite):

    * ``+inf``: the neuron spikes as soon as it is free and then every
      ``tau_ref``; with ``tau_ref = 0`` the count is infinite and so is the output.
    * ``-inf``: no spike, output 0, the voltage goes to ``min_voltage`` (and is
      held where it was when ``min_voltage = -inf``).
    * NaN: output NaN, the voltage is held; the refractory clock keeps running.

    This is the in-place form of :func:`.exact_lif_step_xp`, element for element
    the same floating-point operations (tests hold the two equal). Only the
    neurons whose membrane passed threshold need logarithms: every neuron is
    integrated over its free time first (nengo.LIF's passes), then the crossing
    time, spike count and end state are computed for those. Work arrays are kept
    per state array, so a simulator's step allocates nothing of full size.
    Anything uncommon (non-finite input, a neuron started above threshold, a
    crossing decided by rounding, more than one spike with an unresolvable
    remainder) runs :func:`.exact_lif_step_xp` itself on the neurons concerned.

    With numba installed, 1-d float64 arrays with finite input are stepped by
    compiled loops instead (:mod:`nengo_tuning.kernels.lif_compiled`), which have
    almost no fixed cost per call and make one pass over memory per stage;
    :func:`.exact_lif_step_numpy` is the numpy kernel alone.
    """
    # (each kernel checks the arrays it is given, and refuses them touching nothing)
    compiled = _compiled_step()
    if compiled is not None and getattr(J, "dtype", None) == np.float64:
        params = tau_rc, tau_ref, min_voltage, amplitude, *EXACT_STEP_PARAMS_LIMITS
        if compiled(dt, J, output, voltage, refractory_time, *params):
            return
    exact_lif_step_numpy(
        dt, J, output, voltage, refractory_time, tau_rc, tau_ref, min_voltage,
        amplitude,
    )  # fmt: skip
