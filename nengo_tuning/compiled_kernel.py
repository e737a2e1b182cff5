"""Optional compiled exact step for small ensembles (numba, if installed).

A model of many small ensembles spends most of the numpy step's time in the
fixed cost of its ~30 numpy calls, not in arithmetic. One compiled loop over
the neurons has almost no fixed cost. Above :data:`COMPILED_MAX_NEURONS` the
numpy kernel is as fast or faster (its log1p and expm1 are vectorized), so
:func:`~nengo_tuning.lif_math.exact_lif_step` uses this kernel only below that
size, only for float64 state, and only for finite input; everything else, and
every machine without numba, runs the numpy kernel.

The loop performs the operations of
:func:`~nengo_tuning.lif_math.exact_lif_step_xp` for one neuron at a time, in
the same order, with the scalar ``math`` functions (whose ``log1p`` and ``expm1``
may round differently from numpy's by an ulp).
"""

import math

try:  # pragma: no cover (depends on the environment)
    import numba
except ImportError:  # pragma: no cover
    numba = None

#: Largest number of neurons stepped by the compiled kernel. The loop's scalar
#: log1p/expm1 cost ~30 ns a neuron, numpy's vectorized ones a few ns plus ~0.5 us
#: a call; measured (bench_step.py), the two cross near 2 000 neurons.
COMPILED_MAX_NEURONS = 2048


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
    """One exact step in place; returns False (touching nothing) for bad input.

    Input is refused when a current is non-finite or beyond 1e154 in magnitude,
    or a voltage is non-finite (the numpy kernel handles those cases).
    """
    n = J.shape[0]
    for i in range(n):
        if not (abs(J[i]) < 1e154 and abs(voltage[i]) < math.inf):
            return False
    inv_tau = -1.0 / tau_rc
    spike_area = amplitude / dt
    for i in range(n):
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
                after_first = max(dt - first, 0.0)
                more = 0.0
                leftover = after_first
                count = 1.0
                if j > 0:
                    isi = tau_ref + tau_rc * math.log1p(1.0 / max(j, j_floor))
                    ratio = after_first / isi
                    if math.isnan(ratio) or ratio == math.inf:
                        count = math.inf
                        leftover = 0.0
                    else:
                        more = ratio - ratio % 1.0  # floor (ratio >= 0)
                        count = 1.0 + more
                        leftover = min(max(after_first - more * isi, 0.0), isi)
                        if ratio >= max_resolved:
                            leftover = 0.0
                after = leftover - tau_ref
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
    return True


if numba is not None:  # pragma: no cover (depends on the environment)
    exact_lif_step_compiled = numba.njit(nogil=True, cache=False)(_exact_lif_step_loop)
else:
    exact_lif_step_compiled = None
