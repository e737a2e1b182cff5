"""The exact LIF step on whole arrays, for any array namespace (numpy, TensorFlow).

:func:`exact_lif_step_xp` is the reference form of the step: the NengoDL builders
run it in TensorFlow, and the in-place numpy kernel (:mod:`.lif_numpy`) and the
compiled kernel (:mod:`.lif_compiled`) perform its operations in the same order.
"""

import numpy as np

from nengo_tuning.kernels.arrays import check_same_shapes
from nengo_tuning.math.lif import lif_isi_xp, relax_voltage_xp, time_to_threshold_xp

#: The in-place step's arrays, by name: the input, then what the step writes.
LIF_ARRAY_NAMES = ("J", "output", "voltage", "refractory_time")

#: Beyond this many spikes of one neuron in one step the kernels end the step at
#: the last spike (at reset). The time from the last spike to the end of the step
#: is then a remainder below ``dt * 2**-24``, smaller than float32 can resolve
#: next to ``dt`` (its value would be rounding noise); one rule for every
#: precision keeps the numpy and TensorFlow kernels in the same state.
EXACT_STEP_MAX_RESOLVED_SPIKES = 2.0**24

#: Relative margin under which the numpy kernel takes its one-spike-per-step path:
#: far above the rounding of an ISI in float32 (~1e-7), so that ``(dt - t) / isi``
#: is certainly below 1 there and the path gives what the general one would.
_ONE_SPIKE_MARGIN = 1e-5


def at_most_one_spike_per_step(dt, tau_ref):
    """Whether no neuron can spike twice in a step of ``dt`` (``tau_ref`` scalar).

    Every inter-spike interval is longer than ``tau_ref``; with ``tau_ref``
    above ``dt`` by a margin far beyond rounding (a relative 1e-5), a
    second spike cannot fall in the step, not even by a rounded interval. Pass
    the smallest ``tau_ref`` of the neurons concerned, or any other lower bound
    on their inter-spike intervals.
    """
    return tau_ref > dt * (1.0 + _ONE_SPIKE_MARGIN)


def exact_lif_step_xp(
    dt,
    J,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage=0.0,
    amplitude=1.0,
    xp=np,
    at_most_one_spike=False,
):
    """:func:`.exact_lif_step` on whole arrays, for any array namespace.

    Same algorithm, conventions and non-finite-input behaviour as
    :func:`.exact_lif_step`, but it returns new arrays
    ``(output, voltage, refractory_time)`` instead of writing in place, and it
    computes the spiking branch for every neuron, masked with ``where``, because
    namespaces such as TensorFlow have no cheap in-place fancy indexing. Neurons
    outside the spiking branch get safe stand-in values there (a current above
    threshold, a voltage of 0), so no formula leaves its domain for them.

    Besides the ``xp`` functions listed in the module docstring, this needs
    ``xp.isnan`` and ``xp.isfinite``, and boolean arrays supporting ``&``, ``|``
    and ``~``.

    A neuron spikes in the step if and only if its first threshold crossing,
    computed from its start state and ``J`` (:func:`.time_to_threshold_xp`), falls
    within the step; the end voltage only preselects the neurons to look at. A
    neuron preselected by a rounded end voltage above 1 that does not cross ends
    at 1 at most. More than :data:`EXACT_STEP_MAX_RESOLVED_SPIKES` spikes in a
    step end the step at reset.

    ``at_most_one_spike=True`` is the caller's statement that
    :func:`at_most_one_spike_per_step` holds for ``dt`` and every neuron's
    ``tau_ref`` (checked by the caller, where ``dt`` is known). The inter-spike
    interval, its logarithm and the spike-count arithmetic are then skipped;
    the results are the same, since every count is 1 there.

    Arrays of different shapes raise a ValueError naming the array (they would
    broadcast otherwise).
    """
    check_same_shapes(J=J, voltage=voltage, refractory_time=refractory_time)
    return _exact_lif_step_decremented_xp(
        dt, J, voltage, refractory_time - dt, tau_rc, tau_ref, min_voltage,
        amplitude, xp, at_most_one_spike,
    )  # fmt: skip


def _exact_lif_step_decremented_xp(
    dt, J, voltage, refractory, tau_rc, tau_ref, min_voltage, amplitude, xp,
    at_most_one_spike=False,
):  # fmt: skip
    """:func:`exact_lif_step_xp` given ``refractory = refractory_time - dt``."""
    # free (non-refractory) time available in this step, in [0, dt]
    free_time = xp.minimum(xp.maximum(dt - refractory, 0.0), dt)
    v_end = relax_voltage_xp(voltage, J, free_time, tau_rc, xp=xp)
    v_nan = xp.isnan(v_end)

    # monotone membrane: only a neuron ending (or starting) above 1 can cross
    candidate = ((v_end > 1.0) | (voltage > 1.0)) & ~v_nan
    J_s = xp.where(candidate, J, 2.0)
    v0 = xp.where(candidate, voltage, 0.0)
    # first crossing: refractory time still to run, then the climb (+inf if the
    # threshold is out of reach); the neuron spikes iff it falls in the step
    start = xp.maximum(refractory, 0.0)
    first = start + time_to_threshold_xp(v0, J_s, tau_rc, xp=xp)
    in_step = candidate & (first <= dt)
    after_first = xp.maximum(dt - first, 0.0)
    if at_most_one_spike:
        # what the general branch gives where after_first / isi < 1 - 1e-5
        # (the count as an array of the state's dtype)
        count, leftover = 1.0 + 0.0 * after_first, after_first
    else:
        count, leftover = _spikes_after_first_xp(J_s, after_first, tau_rc, tau_ref, xp)

    # time left after the last spike's refractory period; positive: free again
    after = leftover - tau_ref
    free_again = after > 0
    v_free = relax_voltage_xp(0.0, J_s, xp.maximum(after, 0.0), tau_rc, xp=xp)
    v_new = xp.where(free_again, v_free, 0.0)

    # preselected by rounding but no crossing: the true end voltage is below 1
    v_kept = xp.where(candidate & (voltage <= 1.0), xp.minimum(v_end, 1.0), v_end)
    v_end = xp.where(in_step, v_new, v_kept)
    # nengo's stored refractory convention: the last spike's time plus tau_ref
    refractory = xp.where(in_step, dt - after, refractory)
    output = xp.where(in_step, count * (amplitude / dt), 0.0)

    # NaN input, an infinite input during a fully refractory step (inf * 0), or
    # -inf with min_voltage = -inf: hold the voltage, output NaN for NaN input
    v_clamped = xp.maximum(xp.where(v_nan, 0.0, v_end), min_voltage)
    bad = v_nan | ~xp.isfinite(v_clamped)
    output = xp.where(bad, xp.where(xp.isnan(J), J, 0.0), output)
    voltage = xp.where(bad, voltage, v_clamped)
    return output, voltage, refractory


def _spikes_after_first_xp(J_s, after_first, tau_rc, tau_ref, xp):
    """``(count, leftover)`` of neurons whose first spike leaves ``after_first``.

    ``leftover`` is the time from the last spike to the end of the step.
    """
    inf = float("inf")
    # no repeat spikes for J <= 1 (possible only when it started above threshold)
    repeats = J_s > 1.0
    isi = lif_isi_xp(xp.where(repeats, J_s, 2.0), tau_rc, tau_ref, xp=xp)
    ratio = xp.where(repeats, after_first / isi, 0.0)
    # ratio is +inf or NaN (0 / 0) only when isi == 0 (tau_ref == 0 and J huge):
    # an infinite count
    saturated = xp.isnan(ratio) | (ratio == inf)
    more = xp.floor(xp.where(saturated, 0.0, ratio))
    count = xp.where(saturated, inf, 1.0 + more)
    # time from the last spike to the end of the step, kept in [0, isi] so that
    # rounding cannot leave the membrane above threshold; 0 (reset) when the
    # count is infinite or too large for that remainder to mean anything
    leftover = xp.where(
        repeats, xp.minimum(xp.maximum(after_first - more * isi, 0.0), isi), after_first
    )
    unresolved = saturated | (ratio >= EXACT_STEP_MAX_RESOLVED_SPIKES)
    leftover = xp.where(unresolved, 0.0, leftover)
    return count, leftover
