"""The exact LIF step in place, in numpy (:func:`.exact_lif_step_numpy`).

The in-place, subset-only rewrite of :func:`.lif_xp.exact_lif_step_xp`: only the
neurons whose membrane passed threshold need logarithms. Anything uncommon is
handed to the xp form itself, on the neurons concerned.
"""

import math
import weakref

import numpy as np

from nengo_tuning.kernels.arrays import checked_dt, require_in_place_arrays
from nengo_tuning.kernels.lif_xp import (
    _ONE_SPIKE_MARGIN,
    EXACT_STEP_MAX_RESOLVED_SPIKES,
    LIF_ARRAY_NAMES,
    _exact_lif_step_decremented_xp,
    at_most_one_spike_per_step,
)

#: Inputs beyond this magnitude take the general kernel (see exact_lif_step_numpy).
_LARGE_J = 1e154


def _clip_ufunc():
    """numpy's ``clip`` ufunc: ``np.clip`` adds Python-level checks to every call."""
    for name in ("_core", "core"):  # numpy >= 2, then numpy 1.x
        umath = getattr(getattr(np, name, None), "umath", None)
        if isinstance(getattr(umath, "clip", None), np.ufunc):
            return umath.clip
    return np.clip  # pragma: no cover


_clip = _clip_ufunc()


def exact_lif_step_numpy(
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
    """The numpy kernel of :func:`.exact_lif_step` (same arguments).

    :func:`.exact_lif_step` runs it unless the optional compiled kernel
    (:mod:`nengo_tuning.kernels.lif_compiled`, with numba) takes the step.
    Arrays it cannot step in place (``kernels.arrays``) raise a ValueError, and
    nothing is touched.
    """
    dt = checked_dt(dt)
    # as Python floats, as the compiled kernel takes them: numpy 2 would compute
    # in the parameter's type (a longdouble, say), not the arrays' dtype
    tau_rc, tau_ref, min_voltage, amplitude = map(
        float, (tau_rc, tau_ref, min_voltage, amplitude)
    )
    require_in_place_arrays(LIF_ARRAY_NAMES, J, output, voltage, refractory_time)
    # Two reductions tell whether any input is non-finite or beyond
    # LARGE_J (where ``voltage - J`` could round past the float maximum); NaN
    # fails both comparisons. (The voltage is finite, as the state always is.)
    # Unlike a sum or a dot product, min and max never warn on huge input.
    if not (
        # (as Python floats: numpy 2 would cast 1e154 to float32, overflowing)
        -_LARGE_J < float(np.minimum.reduce(J, axis=None, initial=0.0))
        and float(np.maximum.reduce(J, axis=None, initial=0.0)) < _LARGE_J
    ):
        # non-finite (or enormous) input: the general kernel on every neuron
        refractory_time -= dt
        _write_xp_step(
            slice(None), dt, J, output, voltage, refractory_time, voltage,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return

    decay_m1, v_end = _work_arrays(voltage)
    refractory_time -= dt
    # expm1(-free / tau_rc), free = non-refractory time in this step, in [0, dt]
    np.subtract(dt, refractory_time, out=decay_m1)
    _clip(decay_m1, 0.0, dt, out=decay_m1)
    np.multiply(decay_m1, -1.0 / tau_rc, out=decay_m1)
    np.expm1(decay_m1, out=decay_m1)
    np.subtract(voltage, J, out=v_end)
    np.multiply(v_end, decay_m1, out=v_end)
    # With |J| < _LARGE_J (checked above) and a finite voltage, v_end is finite:
    # voltage - J cannot round beyond the float maximum.
    np.add(voltage, v_end, out=v_end)

    # The membrane is monotone within a step: it reached threshold only if it
    # ends above it, or started above it (possible only via initial_state).
    started_above = np.maximum.reduce(voltage, initial=1.0) > 1.0
    candidates = np.greater(v_end, 1.0)
    if started_above:
        candidates |= voltage > 1.0
    spiked = candidates.nonzero()[0]
    output.fill(0.0)
    if 0 < spiked.size <= _SUBSET_CHUNK:
        _spiking_chunk(
            dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc,
            tau_ref, min_voltage, amplitude, started_above,
        )  # fmt: skip
    elif spiked.size:
        _spiking_subset(
            dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc,
            tau_ref, min_voltage, amplitude, started_above,
        )  # fmt: skip
    if min_voltage > -np.inf:
        np.maximum(v_end, min_voltage, out=voltage)
    else:
        np.copyto(voltage, v_end)


_work_arrays_cache = {}
#: Below this size a fresh array is as cheap as a cached one (malloc reuses it).
_WORK_ARRAYS_MIN_SIZE = 4096


def _work_arrays(state):
    """Two work arrays like ``state``, kept while ``state`` lives.

    A simulator passes the same state array every step, so its steps reuse the
    arrays (with 1e5 neurons a fresh array costs fresh pages every step). The
    cache lives here, not on the neuron type, so the types stay plain values
    (picklable, comparable, mergeable by nengo's op merger).
    """
    if state.size < _WORK_ARRAYS_MIN_SIZE:
        return np.empty_like(state), np.empty_like(state)
    key = id(state)
    entry = _work_arrays_cache.get(key)
    if (
        entry is not None
        and entry[0]() is state
        and entry[1].shape == state.shape
        and entry[1].dtype == state.dtype
    ):
        return entry[1], entry[2]

    def forget(ref, key=key):
        if _work_arrays_cache.get(key, (None,))[0] is ref:
            del _work_arrays_cache[key]

    arrays = np.empty_like(state), np.empty_like(state)
    try:
        ref = weakref.ref(state, forget)
    except TypeError:  # pragma: no cover (ndarrays accept weak references)
        return arrays
    _work_arrays_cache[key] = (ref, *arrays)
    return arrays


def _write_xp_step(
    index, dt, J, output, voltage, refractory_time, voltage_out, refractory_out,
    tau_rc, tau_ref, min_voltage, amplitude,
):  # fmt: skip
    """Run :func:`.exact_lif_step_xp` on ``[index]`` of the (decremented) state.

    Writes the results to ``output[index]``, ``voltage_out[index]`` and
    ``refractory_out[index]``. ``refractory_time`` has already had ``dt``
    subtracted, as in the kernel's first line.
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        out, v, r = _exact_lif_step_decremented_xp(
            dt, J[index], voltage[index], refractory_time[index], tau_rc,
            tau_ref, min_voltage, amplitude, np,
        )  # fmt: skip
    output[index] = out
    voltage_out[index] = v
    refractory_out[index] = r


def _spiking_subset(
    dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc, tau_ref,
    min_voltage, amplitude, started_above,
):  # fmt: skip
    """Spike counts and end state for the neurons that passed threshold.

    ``refractory_time`` is already decremented by ``dt``. Writes ``output``,
    ``v_end`` and ``refractory_time`` at ``spiked``, in chunks, so that the
    temporaries stay small (and in cache) however many neurons spike.
    """
    for start in range(0, spiked.size, _SUBSET_CHUNK):
        _spiking_chunk(
            dt, spiked[start : start + _SUBSET_CHUNK], J, output, voltage,
            refractory_time, v_end, tau_rc, tau_ref, min_voltage, amplitude,
            started_above,
        )  # fmt: skip


#: Neurons per chunk of the spiking subset (5 temporaries of 0.5 MiB).
_SUBSET_CHUNK = 2**16


def _spiking_chunk(
    dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc, tau_ref,
    min_voltage, amplitude, started_above,
):  # fmt: skip
    """:func:`_spiking_subset` for one chunk of indices.

    The common case (every neuron started below threshold with ``J > 1`` and
    crosses within the step) is done here with the formulas of
    :func:`.exact_lif_step_xp` in the same order; anything else is handed to
    that function.
    """
    # One function, though long: its few temporaries are reused in place from
    # one formula to the next (each ``out=``); split into parts, the parts would
    # pass six arrays to each other and the order of operations, which the
    # equivalence tests pin to the xp form's, would be spread over several.
    J_s = J[spiked]
    if started_above or np.minimum.reduce(J_s) <= 1.0:
        _write_xp_step(
            spiked, dt, J, output, voltage, refractory_time, v_end,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return
    # first spike: the refractory time still to run, then the climb to
    # threshold, tau_rc log1p((1 - v0) / (J - 1))  (v0 <= 1 here)
    first = refractory_time[spiked]
    np.maximum(first, 0.0, out=first)
    climb = voltage[spiked]
    np.subtract(1.0, climb, out=climb)
    j = np.subtract(J_s, 1.0)
    climb /= j
    np.log1p(climb, out=climb)
    climb *= tau_rc
    first += climb
    if np.maximum.reduce(first) > dt:
        # rounding put an end voltage above 1 but the crossing is later
        _write_xp_step(
            spiked, dt, J, output, voltage, refractory_time, v_end,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return
    after = np.subtract(dt, first, out=first)  # time after the first spike, >= 0

    # the shortest ISI, in float64 arithmetic (differs from the arrays' by
    # rounding only, far inside the margins); tau_ref bounds it from below
    if at_most_one_spike_per_step(dt, tau_ref):
        min_isi = tau_ref
    else:
        j_max = float(np.maximum.reduce(J_s)) - 1.0
        min_isi = tau_ref + tau_rc * math.log1p(1.0 / j_max)
    if at_most_one_spike_per_step(dt, min_isi):
        # every ISI is longer than the step: one spike each
        output[spiked] = amplitude / dt
    else:
        # inter-spike interval tau_ref + tau_rc log1p(1 / (J - 1))
        isi = np.divide(1.0, j, out=j)
        np.log1p(isi, out=isi)
        isi *= tau_rc
        isi += tau_ref
        more = np.divide(after, isi, out=climb)  # whole ISIs after the first spike
        # (the scalar bound spares the reduction in every practical case)
        max_more = dt / min_isi if min_isi > 0 else np.inf
        if (
            max_more * (1.0 + _ONE_SPIKE_MARGIN) >= EXACT_STEP_MAX_RESOLVED_SPIKES
            and np.maximum.reduce(more) >= EXACT_STEP_MAX_RESOLVED_SPIKES
        ):
            _write_xp_step(
                spiked, dt, J, output, voltage, refractory_time, v_end,
                refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
            )  # fmt: skip
            return
        np.floor(more, out=more)
        # time from the last spike to the end of the step, kept in [0, isi] so
        # that rounding cannot leave the membrane above threshold
        leftover = np.multiply(more, isi)
        np.subtract(after, leftover, out=leftover)
        _clip(leftover, 0.0, isi, out=after)
        more += 1.0
        more *= amplitude / dt
        output[spiked] = more
    # time left after the last spike's refractory period; positive: free again
    after -= tau_ref
    refractory_time[spiked] = np.subtract(dt, after, out=j)
    if tau_ref >= dt:  # never free again within the step
        v_end[spiked] = 0.0
    else:
        # relaxation from reset: V = (0 - J) expm1(-t / tau_rc), 0 where t <= 0
        np.maximum(after, 0.0, out=after)
        after *= -1.0 / tau_rc
        np.expm1(after, out=after)
        after *= np.negative(J_s, out=J_s)
        v_end[spiked] = after
