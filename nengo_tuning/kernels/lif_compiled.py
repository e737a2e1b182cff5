"""Optional compiled exact step (numba, if installed).

The numpy kernel (:func:`~nengo_tuning.kernels.lif_numpy.exact_lif_step_numpy`) pays a
fixed cost for each of its ~30 numpy calls and a pass over memory for each, and
at large ``dt``, where most neurons spike, it gathers and scatters the spiking
subset several times. Compiled loops avoid both. Two forms are used:

* :func:`exact_lif_step_loop`, for up to :data:`LOOP_MAX_NEURONS` neurons: one
  loop over the neurons, with the scalar ``math`` functions. It has almost no
  fixed cost, but a scalar ``log1p`` or ``expm1`` costs several times
  a value of numpy's vectorized routines, and a multi-spike neuron needs four of them.
* :func:`exact_lif_step_staged`, above that size: four branch-free compiled
  stages, with the transcendental functions applied between them by numpy's
  vectorized ``expm1`` and ``log1p`` on compact work arrays (the membrane's
  decay for every neuron; the crossing and inter-spike logarithms for the
  neurons that passed threshold; the relaxation after their last spike). The
  neurons are taken in chunks of :data:`STAGED_CHUNK`, so the work arrays are
  small, fixed in size, and stay in cache.

Both perform the operations of :func:`~nengo_tuning.kernels.lif_xp.exact_lif_step_xp`
for each neuron, in the same order (the staged form calls the same numpy
routines as the numpy kernel; the loop's scalar ``math`` routines may round
differently by an ulp). Tests hold both equal to it.

:func:`~nengo_tuning.kernels.lif.exact_lif_step` uses this kernel for float64 state
and finite input below 1e154 in magnitude; everything else, and every machine
without numba, runs the numpy kernel.
"""

import math

import numpy as np

from nengo_tuning.kernels.compiled import (
    ACCEPTED,
    AVAILABLE,
    LENGTHS_DIFFER,
    REFUSED,
    compile_kernel,
    float64_arrays,
    run_checked,
)
from nengo_tuning.kernels.lif_xp import LIF_ARRAY_NAMES

#: Up to this many neurons, the single loop (one call) beats the staged kernel
#: (eight calls); measured with bench_step.py (docs/benchmarks.rst).
LOOP_MAX_NEURONS = 256

#: Neurons per chunk of the staged kernel: its work arrays (four numbers per
#: neuron, 0.25 MiB) stay in the core's cache, and the per-chunk calls are
#: spread over enough neurons to cost nothing measurable.
STAGED_CHUNK = 8192

#: Inputs at or beyond this magnitude are refused (``voltage - J`` could round
#: past the float maximum); the numpy kernel handles them.
LARGE_J = 1e154


def _inputs_status(J, output, voltage, refractory_time):
    """ACCEPTED; REFUSED if a current is at least LARGE_J in magnitude (or NaN) or
    a voltage is non-finite; LENGTHS_DIFFER if an array's length is not J's.

    It writes nothing, but holds writes that never run, so that numba refuses
    read-only arrays here, before any stage writes (``compiled.run_checked``).
    """
    n = J.shape[0]
    if output.shape[0] != n or voltage.shape[0] != n or refractory_time.shape[0] != n:
        return LENGTHS_DIFFER
    if n < 0:  # (never: see the docstring)
        output[0] = voltage[0] = refractory_time[0] = 0.0
    accepted = True
    for i in range(n):
        # (no early exit: a branch-free loop is vectorized)
        accepted &= abs(J[i]) < LARGE_J
        accepted &= abs(voltage[i]) < math.inf
    return ACCEPTED if accepted else REFUSED


def _spikes_after_first(time_left, j, isi_log, tau_rc, tau_ref, max_resolved):
    """``(count, after)`` for a first spike ``time_left`` before the step's end.

    ``count`` spikes in all; ``after`` is the time left after the last spike's
    refractory period (positive: free again). ``isi_log = log1p(1 / j)`` is
    used only for ``j > 0`` (repeat spikes); otherwise the neuron spikes once.
    """
    after_first = max(time_left, 0.0)
    leftover = after_first
    count = 1.0
    if j > 0:
        isi = tau_ref + tau_rc * isi_log
        ratio = after_first / isi
        if math.isnan(ratio) or ratio == math.inf:
            count = math.inf
            leftover = 0.0
        else:
            more = np.floor(ratio)  # (math.floor would return an int64)
            count = 1.0 + more
            leftover = min(max(after_first - more * isi, 0.0), isi)
            if ratio >= max_resolved:
                leftover = 0.0
    return count, leftover - tau_ref


def _exact_lif_step_loop(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage,
    amplitude,
    max_resolved,
    j_floor,
):
    """One exact step in place, one neuron at a time; its :func:`_inputs_status`.

    Nothing is touched unless the status is ACCEPTED (one compiled call checks
    and steps: a second call would cost more than the check).
    """
    status = _inputs_status(J, output, voltage, refractory_time)
    if status != ACCEPTED:
        return status
    inv_tau = -1.0 / tau_rc
    spike_area = amplitude / dt
    for i in range(J.shape[0]):
        ref = refractory_time[i] - dt
        free = min(max(dt - ref, 0.0), dt)
        v0 = voltage[i]
        Ji = J[i]
        v = v0 + (v0 - Ji) * math.expm1(free * inv_tau)
        out = 0.0
        if v > 1.0 or v0 > 1.0:
            j = Ji - 1.0
            gap = max(1.0 - v0, 0.0)
            first = max(ref, 0.0)
            if j > 0 or gap == 0.0:
                first += tau_rc * math.log1p(gap / max(j, j_floor))
            else:
                first = math.inf
            if first <= dt:
                # (log1p(1/j) only where it is used: J > 1)
                isi_log = math.log1p(1.0 / max(j, j_floor)) if j > 0 else 0.0
                count, after = _spikes_after_first(
                    dt - first, j, isi_log, tau_rc, tau_ref, max_resolved
                )
                if after > 0:
                    v = (0.0 - Ji) * math.expm1(max(after, 0.0) * inv_tau)
                else:
                    v = 0.0
                ref = dt - after
                out = count * spike_area
            elif v0 <= 1.0:
                v = min(v, 1.0)
        output[i] = out
        voltage[i] = max(v, min_voltage)
        refractory_time[i] = ref
    return ACCEPTED


# --- the staged kernel: compiled stages, numpy's vectorized expm1/log1p between --


def _stage_free_time(dt, refractory_time, tau_rc, decay_arg):
    """Decrement the refractory clocks; ``decay_arg = -free_time / tau_rc``."""
    inv_tau = -1.0 / tau_rc
    for i in range(refractory_time.shape[0]):
        ref = refractory_time[i] - dt
        refractory_time[i] = ref
        decay_arg[i] = min(max(dt - ref, 0.0), dt) * inv_tau


def _stage_threshold(
    J, output, voltage, decay_m1, log_args, index, min_voltage, j_floor
):
    """Integrate every neuron; list those that reach threshold. Returns their count.

    Every neuron gets the no-spike result (output 0, its end voltage, capped at
    1 for a candidate that started below threshold, as the other kernels do);
    for the ``k`` candidates that can reach threshold, ``index[:k]`` holds their
    positions, and ``log_args[2m]`` and ``log_args[2m + 1]`` the arguments of
    the crossing and inter-spike logarithms. Each neuron's entries are written
    at slot ``k`` and kept by advancing ``k``: no branch, so no mispredicted
    one (about half the neurons spike at large dt, in no predictable order).
    """
    k = 0
    for i in range(J.shape[0]):
        v0 = voltage[i]
        Ji = J[i]
        v = v0 + (v0 - Ji) * decay_m1[i]
        j = Ji - 1.0
        gap = max(1.0 - v0, 0.0)
        # the membrane is monotone in a step: it crossed only if it ends above 1
        # or started there
        candidate = (v > 1.0) | (v0 > 1.0)
        j_safe = max(j, j_floor)
        log_args[2 * k] = gap / j_safe
        log_args[2 * k + 1] = 1.0 / j_safe
        v_kept = min(v, 1.0) if candidate & (v0 <= 1.0) else v
        index[k] = i
        output[i] = 0.0
        voltage[i] = max(v_kept, min_voltage)
        k += candidate & ((j > 0) | (gap == 0.0))
    return k


def _stage_spikes(
    k,
    dt,
    J,
    output,
    refractory_time,
    logs,
    index,
    tau_rc,
    tau_ref,
    amplitude,
    max_resolved,
    relax_arg,
):
    """Spike count and refractory state of the candidates.

    ``logs`` holds the logarithms of :func:`_stage_threshold`'s arguments. For a
    neuron that spiked, writes its output and refractory clock, and
    ``relax_arg[m] = -max(after, 0) / tau_rc``, ``after`` being the time left
    after its last refractory period; a candidate whose crossing falls after
    the step (a rounded end voltage just above 1) keeps the no-spike result and
    gets ``index[m] = -1``.
    """
    inv_tau = -1.0 / tau_rc
    spike_area = amplitude / dt
    for m in range(k):
        i = index[m]
        first = max(refractory_time[i], 0.0) + tau_rc * logs[2 * m]
        if first <= dt:
            count, after = _spikes_after_first(
                dt - first, J[i] - 1.0, logs[2 * m + 1], tau_rc, tau_ref, max_resolved
            )
            refractory_time[i] = dt - after
            output[i] = count * spike_area
            relax_arg[m] = max(after, 0.0) * inv_tau
        else:
            index[m] = -1
            relax_arg[m] = 0.0


def _stage_relax(k, J, voltage, relax_m1, index, min_voltage):
    """End voltage of the neurons that spiked: relaxation from reset.

    ``relax_m1 = expm1(-max(after, 0) / tau_rc)`` is 0 for a neuron still
    refractory at the end of the step (``after <= 0``), so one formula covers
    both cases without a branch (``+ 0.0`` turns its -0.0 into the reset 0).
    """
    for m in range(k):
        i = index[m]
        if i >= 0:
            voltage[i] = max((0.0 - J[i]) * relax_m1[m] + 0.0, min_voltage)


def _exact_lif_step_staged(stages, dt, J, output, voltage, refractory_time, *params):
    """The staged step over chunks of the (accepted) input."""
    tau_rc, tau_ref, min_voltage, amplitude, max_resolved, j_floor = params
    free_time, threshold, spikes, relax = stages
    n_neurons = J.shape[0]
    size = min(n_neurons, STAGED_CHUNK)
    decay = np.empty(size)  # expm1 arguments, then results (twice)
    log_args = np.empty(2 * size)  # log1p arguments, then results
    index = np.empty(size, dtype=np.intp)
    for start in range(0, n_neurons, STAGED_CHUNK):
        chunk = slice(start, start + STAGED_CHUNK)
        J_c, output_c = J[chunk], output[chunk]
        voltage_c, refractory_c = voltage[chunk], refractory_time[chunk]
        decay_c = decay[: J_c.shape[0]]
        free_time(dt, refractory_c, tau_rc, decay_c)
        np.expm1(decay_c, out=decay_c)
        k = threshold(
            J_c, output_c, voltage_c, decay_c, log_args, index, min_voltage, j_floor
        )
        if k:
            logs = log_args[: 2 * k]
            np.log1p(logs, out=logs)
            spikes(
                k, dt, J_c, output_c, refractory_c, log_args, index, tau_rc, tau_ref,
                amplitude, max_resolved, decay,
            )  # fmt: skip
            relax_m1 = decay[:k]
            np.expm1(relax_m1, out=relax_m1)
            relax(k, J_c, voltage_c, relax_m1, index, min_voltage)


if AVAILABLE:  # pragma: no cover (depends on the environment)
    # rebound first: the kernels below find the compiled helpers under their names
    _spikes_after_first = compile_kernel(_spikes_after_first)
    _inputs_status = compile_kernel(_inputs_status)
    _loop_compiled = compile_kernel(_exact_lif_step_loop)
    _stages_compiled = tuple(
        compile_kernel(stage)
        for stage in (_stage_free_time, _stage_threshold, _stage_spikes, _stage_relax)
    )


def _staged(dt, J, output, voltage, refractory_time, *params):
    # Its stages are separate compiled calls; _inputs_status, compiled for the
    # same arrays, refuses a read-only one before the first stage writes.
    status = _inputs_status(J, output, voltage, refractory_time)
    if status == ACCEPTED:
        _exact_lif_step_staged(
            _stages_compiled, dt, J, output, voltage, refractory_time, *params
        )
    return status


def exact_lif_step_loop(dt, J, output, voltage, refractory_time, *params):
    """The single-loop form; False (touching nothing) if the input is refused.

    ``params`` as for :func:`exact_lif_step_compiled`.
    """
    arrays = J, output, voltage, refractory_time
    if not float64_arrays(LIF_ARRAY_NAMES, arrays):
        return False
    return run_checked(_loop_compiled, LIF_ARRAY_NAMES, dt, arrays, params, 4)


def exact_lif_step_staged(dt, J, output, voltage, refractory_time, *params):
    """The staged form; False (touching nothing) if the input is refused.

    ``params`` as for :func:`exact_lif_step_loop`.
    """
    arrays = J, output, voltage, refractory_time
    if not float64_arrays(LIF_ARRAY_NAMES, arrays):
        return False
    return run_checked(_staged, LIF_ARRAY_NAMES, dt, arrays, params, 4)


def exact_lif_step_compiled(dt, J, output, voltage, refractory_time, *params):
    """One exact step in place, by the form suited to the size.

    Arrays are 1-d float64 of one length: arrays of another length, dtypes
    that differ, more dimensions or a read-only array raise a ValueError that
    names the array, touching nothing (``kernels.arrays``); ``params`` are
    ``tau_rc, tau_ref, min_voltage, amplitude, max_resolved, j_floor``, the last
    two being :data:`~nengo_tuning.kernels.lif_xp.EXACT_STEP_MAX_RESOLVED_SPIKES`
    and :data:`~nengo_tuning.math.lif.TINY_J`. Returns False, touching nothing,
    for arrays of another floating dtype (all alike), when a current is
    non-finite or at least :data:`LARGE_J` in magnitude, or a voltage is
    non-finite (the numpy kernel handles those cases).
    """
    # (not J.shape[0]: a 0-d J or a list is refused by the checks, with a message)
    small = getattr(J, "size", 0) <= LOOP_MAX_NEURONS
    step = exact_lif_step_loop if small else exact_lif_step_staged
    return step(dt, J, output, voltage, refractory_time, *params)
