"""The exact adaptive-LIF step compiled (numba, if installed): a loop over neurons.

The numpy entry point (:mod:`.adaptive_lif_numpy`) pays a fixed cost for each
numpy call, and a neuron that spikes or meets the floor goes through the
event loop of :func:`~nengo_tuning.kernels.adaptive_lif_xp.exact_adaptive_lif_step_xp`,
whose every iteration (a spike, a crossing refinement step) costs dozens of
calls on small arrays. Here each neuron is stepped by the same event loop
written for one neuron, with the scalar ``math`` functions: the formulas of
:mod:`nengo_tuning.math.adaptive_lif`, term for term and in the same order
(tests hold this form equal to the xp form; a scalar ``exp`` or ``log1p`` may
round differently from numpy's by an ulp).

A neuron that is free for the whole step (no refractory time left) integrates
over exactly ``dt``, so the decay factors over ``dt`` are computed once per
call, and such a neuron costs no transcendental function unless it spikes or
reaches the floor: most neurons, at most steps. Where its voltage is monotone
over the step and stays within ``[min_voltage, 1)``, the state over ``dt`` is
written directly, without the event loop: about 5 ns a neuron instead of 25
(the result is the same number).

The neurons that do have events (a spike, the floor) are taken in rounds, a
chunk of :data:`ROUNDS_CHUNK` neurons at a time: in each round every neuron on
the list runs to its next spike or to the step's end, and the crossings found
in the round are refined together, one Halley iteration for all of them, then
the next. Within one neuron each event depends on the one before (a spike's
time sets the adaptation that the next crossing starts from), a chain of
dependent ``exp``, ``expm1`` and ``log1p`` calls; across neurons the chains are
independent, and in rounds the processor overlaps them. The more so as each
stage of a round first makes its transcendental calls for all its neurons, in a
tight loop (``_state_factors``, then ``exp`` of the adaptation's decay), and then
does the arithmetic (``_state_from``, ``_refine_step``): a Halley iteration costs
18 ns a neuron that way against 31 with the calls inside the arithmetic. A spike
costs about 100 ns instead of 200 neuron after neuron (1e5 neurons, dt = 5 ms).
Each neuron's arithmetic is unchanged, so the numbers are the same as event by
event, neuron after neuron (a test holds the two equal, bit for bit). A neuron
whose run is not a plain rise to threshold (stuck at or reaching the floor, an
extremum inside the run, a voltage at threshold already) finishes its step
event by event.

:func:`exact_adaptive_lif_step_compiled` takes float64 arrays, finite input,
``tau_ref > 0`` and ``dt <= MAX_STEP_OVER_TAU_REF * tau_ref`` (so no neuron
can fire more spikes in a step than the xp form resolves, and nothing needs to
be refused halfway); it refuses the rest, touching nothing, and the numpy entry
point steps those.
"""

import math

import numpy as np

from nengo_tuning.kernels.adaptive_lif_xp import MAX_RESOLVED_SPIKES
from nengo_tuning.kernels.arrays import checked_dt, require_in_place_arrays
from nengo_tuning.kernels.compiled import (
    ACCEPTED,
    AVAILABLE,
    LENGTHS_DIFFER,
    REFUSED,
    compile_kernel,
    float64_arrays,
    run_checked,
)
from nengo_tuning.math.adaptive_lif import CROSSING_RTOL, MAX_CROSSING_ITERATIONS

#: The step, in units of ``tau_ref``, up to which this kernel takes the step.
#: Spikes are at least ``tau_ref`` apart, so a neuron fires at most
#: ``dt / tau_ref + 1`` spikes in a step: with this bound, fewer than
#: :data:`~nengo_tuning.kernels.adaptive_lif_xp.MAX_RESOLVED_SPIKES`.
MAX_STEP_OVER_TAU_REF = MAX_RESOLVED_SPIKES - 24

#: Inputs at or beyond this magnitude are refused (as by the LIF kernel): the
#: numpy entry point handles them.
LARGE_J = 1e154

#: The arrays, in the order the step takes them (for messages).
ARRAY_NAMES = ("J", "output", "voltage", "refractory_time", "adaptation")

#: What the parameters tuple holds, in order (see `exact_adaptive_lif_step_compiled`).
PARAMETER_NAMES = ("tau_rc", "tau_ref", "tau_n", "inc_n", "min_voltage", "amplitude")

_INF = math.inf

#: Neurons per chunk of the event rounds: their work lists (14 numbers a
#: neuron, 112 KiB) stay in the core's cache.
ROUNDS_CHUNK = 1024


# --- the formulas of math.adaptive_lif, for one neuron --------------------------


def _phi(x):
    """``expm1(x) / x`` for ``x <= 0`` (1 at ``x = 0``)."""
    return math.expm1(x) / x if x < 0 else 1.0


def _log1p_ratio(x):
    """``log1p(x) / x`` for ``x > -1`` (1 at ``x = 0``)."""
    return math.log1p(x) / x if x != 0 else 1.0


def _adaptation_at(n0, t, tau_n):
    return n0 * math.exp(t * (-1.0 / tau_n))


def _adaptation_response(t, tau_rc, tau_n):
    d_abs = abs(tau_n - tau_rc) / (tau_n * tau_rc)
    tau_slow = max(tau_n, tau_rc)
    return (t / tau_rc) * math.exp(t * (-1.0 / tau_slow)) * _phi(-d_abs * t)


def _voltage_at(v0, n0, J, t, tau_rc, tau_n):
    decay_m1 = math.expm1(t * (-1.0 / tau_rc))
    return v0 + (v0 - J) * decay_m1 - n0 * _adaptation_response(t, tau_rc, tau_n)


def _state_at(v0, n0, J, t, tau_rc, tau_n):
    """``(voltage_at, adaptation_at)`` after ``t``."""
    exp_n, exp_slow, expm1_d, decay_m1 = _state_factors(t, tau_rc, tau_n)
    return _state_from(v0, n0, J, t, exp_n, exp_slow, expm1_d, decay_m1, tau_rc, tau_n)


def _state_factors(t, tau_rc, tau_n):
    """The transcendental factors of the state after ``t``, which `_state_from`
    takes: ``exp(-t / tau_n)``; ``exp(-t / tau_slow)`` for the slower time
    constant (the same call where that is ``tau_n``: the two share it);
    ``expm1(-d t)``, ``d = |1 / tau_rc - 1 / tau_n|``; and ``expm1(-t / tau_rc)``.

    Apart from the arithmetic, so that the event rounds compute them for all the
    neurons of a round in one tight loop, whose independent calls the processor
    overlaps (a Halley iteration took 18 ns a neuron instead of 31)."""
    exp_n = math.exp(t * (-1.0 / tau_n))
    exp_slow = exp_n if tau_n >= tau_rc else math.exp(t * (-1.0 / tau_rc))
    d_abs = abs(tau_n - tau_rc) / (tau_n * tau_rc)
    return exp_n, exp_slow, math.expm1(-d_abs * t), math.expm1(t * (-1.0 / tau_rc))


def _state_from(v0, n0, J, t, exp_n, exp_slow, expm1_d, decay_m1, tau_rc, tau_n):
    """``(voltage_at, adaptation_at)`` after ``t``, from its `_state_factors`: the
    terms of ``_voltage_at`` and ``_adaptation_response`` (``_phi(-d t)`` from
    its ``expm1``), in the same order."""
    d_abs = abs(tau_n - tau_rc) / (tau_n * tau_rc)
    x = -d_abs * t
    phi = expm1_d / x if x < 0 else 1.0
    response = (t / tau_rc) * exp_slow * phi
    return v0 + (v0 - J) * decay_m1 - n0 * response, n0 * exp_n


def _state_over_dt(v0, n0, J, at_dt):
    """`_state_at` over the whole step, from the factors over ``dt`` that the
    step computes once: ``at_dt = (decay_m1, response, n_decay)``."""
    decay_m1, response, n_decay = at_dt
    return v0 + (v0 - J) * decay_m1 - n0 * response, n0 * n_decay


def _slope_changes_sign(slope0, slope_end):
    """Whether V has its one extremum inside a run whose slope (``J - n - V``)
    is ``slope0`` at the start and ``slope_end`` at the end."""
    return (slope0 > 0 and slope_end < 0) or (slope0 < 0 and slope_end > 0)


def _extremum_time(v0, n0, J, tau_rc, tau_n):
    s0 = (J - n0) - v0
    delta = tau_n - tau_rc
    den = n0 * tau_n - delta * (J - v0)
    den_ok = den != 0
    ratio = s0 / (den if den_ok else 1.0)
    x = delta * ratio
    valid = den_ok and x > -1
    t = -(tau_rc * tau_n) * ratio * _log1p_ratio(x if valid else 0.0)
    return t if valid and math.isfinite(t) else 0.0


def _floor_release_time(n0, J, min_voltage, tau_n):
    room = J - min_voltage
    shortfall = min_voltage - (J - n0)
    if shortfall <= 0:
        return 0.0
    if room > 0 and n0 > 0:
        return tau_n * math.log1p(shortfall / room)
    return _INF


def _segment(v0, n0, J, horizon, v_end, n_end, tau_rc, tau_n):
    """The run from ``(v0, n0)`` over ``[0, horizon]`` (math.adaptive_lif.Segment):
    ``(v0, n0, J, horizon, v_end, interior, t_e, v_e)``."""
    slope0 = (J - n0) - v0
    slope_end = (J - n_end) - v_end
    interior = _slope_changes_sign(slope0, slope_end)
    if not interior:
        return v0, n0, J, horizon, v_end, False, 0.0, v0
    t_e = min(_extremum_time(v0, n0, J, tau_rc, tau_n), horizon)
    if not t_e > 0:  # (a sign change at rounding level: see math.adaptive_lif)
        return v0, n0, J, horizon, v_end, False, 0.0, v0
    v_e = _voltage_at(v0, n0, J, t_e, tau_rc, tau_n)
    return v0, n0, J, horizon, v_end, True, t_e, v_e


def _crossing(level, upward, segment, tau_rc, tau_n, rtol):
    """First time in the segment at which V reaches ``level``, or +inf
    (math.adaptive_lif.segment_crossing_xp)."""
    v0, n0, J, horizon, v_end, interior, t_e, v_e = segment
    sign = 1.0 if upward else -1.0
    g0 = sign * (v0 - level)
    slope0 = (J - n0) - v0
    g_has_max = interior and sign * slope0 > 0
    g_has_min = interior and sign * slope0 < 0
    lo = t_e if g_has_min else 0.0
    hi = t_e if g_has_max else horizon
    g_e = sign * (v_e - level)
    g_lo = g_e if g_has_min else g0
    g_hi = g_e if g_has_max else sign * (v_end - level)
    already = (g0 >= 0) if upward else (g0 > 0)
    if already:
        return 0.0
    if not (g_hi >= 0 and g_lo < 0):
        return _INF
    return _refine(level, sign, v0, n0, J, lo, hi, g_lo, g_hi, tau_rc, tau_n, rtol)


def _refine_start(level, v0, n0, J, lo, hi, g_lo, g_hi, tau_rc, rtol):
    """The start of :func:`_refine`: ``(t, tol, g_noise, previous_step, pending)``
    (the initial guess of math.adaptive_lif._initial_guess_xp)."""
    frac = -g_lo / (g_hi - g_lo)
    secant = lo + (hi - lo) * min(max(frac, 0.0), 1.0)
    away = level - (J - n0)
    ratio = (v0 - level) / (away if away != 0 else 1.0)
    t = secant
    if away != 0 and ratio > 0:
        frozen = tau_rc * math.log1p(ratio)
        if lo < frozen < hi:
            t = frozen
    tol = rtol * max(hi - lo, 0.0)
    g_noise = rtol * (abs(J) + abs(n0) + 1.0)
    return t, tol, g_noise, hi - lo, hi - lo > tol


def _refine_step(
    level, sign, v0, n0, J, t, factors, lo, hi, previous_step, tol, g_noise,
    tau_rc, tau_n,
):  # fmt: skip
    """One iteration of :func:`_refine`, given the `_state_factors` at ``t``:
    ``(t, lo, hi, previous_step, pending)``."""
    exp_n, exp_slow, expm1_d, decay_m1 = factors
    v, n = _state_from(v0, n0, J, t, exp_n, exp_slow, expm1_d, decay_m1, tau_rc, tau_n)
    g = sign * (v - level)
    slope_term = (J - n) - v
    g1 = sign * slope_term / tau_rc
    g2 = sign * (n / tau_n - slope_term / tau_rc) / tau_rc
    if g >= 0:
        hi = t
    else:
        lo = t
    rising = g1 > 0
    g1_safe = g1 if rising else 1.0
    newton = -g / g1_safe
    shrink = 1.0 + 0.5 * newton * g2 / g1_safe
    halley = newton / shrink if shrink > 0.5 else newton
    candidate = t + halley
    accept = rising and lo <= candidate <= hi
    accept = accept and abs(halley) <= 0.5 * previous_step
    t_next = candidate if accept else 0.5 * (lo + hi)
    step = abs(t_next - t)
    pending = step > tol and hi - lo > tol and abs(g) > g_noise
    return t_next, lo, hi, step, pending


def _refine(level, sign, v0, n0, J, lo, hi, g_lo, g_hi, tau_rc, tau_n, rtol):
    """The safeguarded Halley iteration of math.adaptive_lif._refine_crossing_xp."""
    t, tol, g_noise, previous_step, pending = _refine_start(
        level, v0, n0, J, lo, hi, g_lo, g_hi, tau_rc, rtol
    )
    for _ in range(MAX_CROSSING_ITERATIONS):
        if not pending:
            break
        t, lo, hi, previous_step, pending = _refine_step(
            level, sign, v0, n0, J, t, _state_factors(t, tau_rc, tau_n), lo, hi,
            previous_step, tol, g_noise, tau_rc, tau_n,
        )  # fmt: skip
    return min(max(t, lo), hi)


def _free_run(v0, n0, J, horizon, dt, at_dt, tau_rc, tau_n, min_voltage, rtol):
    """``(t_spike, v, n)`` of math.adaptive_lif.free_run_xp, for one neuron.

    ``at_dt = (decay_m1, response, n_decay)`` are the factors over ``dt``, for a
    run over the whole step.
    """
    has_floor = min_voltage > -_INF
    elapsed = 0.0
    v, n = v0, n0
    t_spike = _INF
    pending = horizon >= 0
    for _ in range(2):
        if not pending:
            break
        if has_floor and v <= min_voltage and J - n <= min_voltage:
            release = _floor_release_time(n, J, min_voltage, tau_n)
            wait = min(release, horizon - elapsed)
            n = _adaptation_at(n, wait, tau_n)
            v = min_voltage
            elapsed = elapsed + wait
        left = horizon - elapsed
        if left == dt:
            v_end, n_end = _state_over_dt(v, n, J, at_dt)
        else:
            v_end, n_end = _state_at(v, n, J, left, tau_rc, tau_n)
        segment = _segment(v, n, J, left, v_end, n_end, tau_rc, tau_n)
        t_cross = _crossing(1.0, True, segment, tau_rc, tau_n, rtol)
        t_hit = _INF
        # the floor is reached only by ending below it or through a minimum
        if has_floor and left > 0 and (v_end < min_voltage or segment[5]):
            t_hit = _crossing(min_voltage, False, segment, tau_rc, tau_n, rtol)
        crossed = t_cross <= left and t_cross <= t_hit
        hit = not crossed and t_hit <= left
        if crossed:
            n = _adaptation_at(n, t_cross, tau_n)
            t_spike = elapsed + t_cross
            v = 1.0
            elapsed = elapsed + t_cross
        elif hit:
            n = _adaptation_at(n, t_hit, tau_n)
            v = min_voltage
            elapsed = elapsed + t_hit
        else:
            n = n_end
            v = v_end
            elapsed = elapsed + left
        pending = hit
    if has_floor and pending:
        # (only by rounding) a second arrival at the floor: stay there
        n = _adaptation_at(n, horizon - elapsed, tau_n)
        v = min_voltage
    if has_floor and t_spike == _INF:
        v = max(v, min_voltage)
    return t_spike, v, n


def _inputs_status(J, output, voltage, refractory_time, adaptation):
    """ACCEPTED; REFUSED for a current that is NaN, infinite or at least
    LARGE_J in magnitude, or a non-finite voltage or adaptation;
    LENGTHS_DIFFER if an array's length is not J's."""
    size = J.shape[0]
    for array in (output, voltage, refractory_time, adaptation):
        if array.shape[0] != size:
            return LENGTHS_DIFFER
    accepted = True
    for i in range(size):
        # (no early exit: a branch-free loop is vectorized)
        accepted &= abs(J[i]) < LARGE_J
        accepted &= abs(voltage[i]) < _INF
        accepted &= abs(adaptation[i]) < _INF
    return ACCEPTED if accepted else REFUSED


def _events(
    dt, Ji, v, n, free_at, count, last_end, at_dt, ref_decay, jump,
    tau_rc, tau_ref, tau_n, min_voltage, rtol,
):  # fmt: skip
    """The rest of a neuron's step, event by event, from ``v, n`` at ``free_at``
    (free from then on) with ``count`` spikes so far, the last one's refractory
    period ending at ``last_end``: ``(count, v, n, last_end)`` at the step's end."""
    # (spikes are at least tau_ref apart: the caller's bound on dt / tau_ref
    # ends this loop before its limit)
    for _ in range(MAX_RESOLVED_SPIKES):
        if free_at >= dt:
            break
        horizon = dt - free_at
        t_spike, v_run, n_run = _free_run(
            v, n, Ji, horizon, dt, at_dt, tau_rc, tau_n, min_voltage, rtol
        )
        if not t_spike <= horizon:
            v, n = v_run, n_run
            break
        count, n, last_end = _after_spike(
            dt, free_at + t_spike, n_run, count, ref_decay, jump, tau_ref, tau_n
        )
        v = 0.0
        free_at = last_end
    return count, v, n, last_end


def _after_spike(dt, spike_at, n_at_spike, count, ref_decay, jump, tau_ref, tau_n):
    """``(count, n, last_end)`` after a spike at ``spike_at``: ``n`` jumps, then
    decays through the refractory period (as far as the step's end)."""
    held = min(max(dt - spike_at, 0.0), tau_ref)
    if held == tau_ref:  # (the usual case: the factor computed once)
        n = (n_at_spike + jump) * ref_decay
    else:
        n = _adaptation_at(n_at_spike + jump, held, tau_n)
    return count + 1.0, n, spike_at + tau_ref


def _exact_adaptive_lif_step(
    dt, J, output, voltage, refractory_time, adaptation,
    tau_rc, tau_ref, tau_n, inc_n, min_voltage, amplitude, in_rounds=True,
):  # fmt: skip
    """One exact step in place; its :func:`_inputs_status` (nothing is written
    unless it is ACCEPTED).

    ``in_rounds``: the neurons that have events in the step (a spike, the floor)
    go through them in rounds, chunk by chunk (the default), or each through all
    of its events before the next neuron (tests hold the two to the same
    numbers: each neuron's arithmetic is the same, only its order among the
    neurons differs).
    """
    status = _inputs_status(J, output, voltage, refractory_time, adaptation)
    if status != ACCEPTED:
        return status
    rtol = CROSSING_RTOL
    jump = inc_n * amplitude / tau_n
    spike_area = amplitude / dt
    at_dt = (
        math.expm1(dt * (-1.0 / tau_rc)),
        _adaptation_response(dt, tau_rc, tau_n),
        math.exp(dt * (-1.0 / tau_n)),
    )
    ref_decay = math.exp(tau_ref * (-1.0 / tau_n))
    has_floor = min_voltage > -_INF
    size = J.shape[0]
    chunk = max(min(size, ROUNDS_CHUNK), 1)  # (no neurons: no chunk, and no work)
    # the work lists: neurons whose step goes through events
    w_i = np.empty(chunk, np.int64)
    w_v = np.empty(chunk)
    w_n = np.empty(chunk)
    w_free = np.empty(chunk)
    w_count = np.empty(chunk)
    w_last = np.empty(chunk)
    work = (w_i, w_v, w_n, w_free, w_count, w_last)
    # a crossing's refinement, for those with one in the round
    c_t = np.empty(chunk)
    c_lo = np.empty(chunk)
    c_hi = np.empty(chunk)
    c_prev = np.empty(chunk)
    c_tol = np.empty(chunk)
    c_noise = np.empty(chunk)
    c_pending = np.empty(chunk, np.bool_)
    # transcendental factors, computed a loop ahead of the arithmetic
    f_n = np.empty(chunk)
    f_slow = np.empty(chunk)
    f_d = np.empty(chunk)
    f_decay = np.empty(chunk)
    for first in range(0, size, chunk):
        m = 0
        for i in range(first, min(first + chunk, size)):
            refractory = refractory_time[i] - dt
            busy = min(max(refractory, 0.0), dt)
            v = max(voltage[i], min_voltage)  # (the floor; -inf: none)
            if busy == dt and in_rounds:
                # refractory through the step (at dt < tau_ref, a step in every
                # few of a firing neuron): n decays over dt, by the factor
                # computed once (the number `_adaptation_at` gives)
                output[i] = 0.0
                voltage[i] = v
                refractory_time[i] = refractory
                adaptation[i] = adaptation[i] * at_dt[2]
                continue
            n = (
                adaptation[i]
                if busy == 0
                else _adaptation_at(adaptation[i], busy, tau_n)
            )
            Ji = J[i]
            if busy == 0:
                # A quiet step (most neurons, at most steps): free throughout, V
                # monotone (its slope has one sign at both ends, and V has at most
                # one extremum, where the slope changes sign), so between its end
                # values, within [min_voltage, 1). (Stuck at the floor, the slope at
                # the start is not positive: V would end below the floor, or the
                # slope is 0.) `_free_run` would end at this same state over dt;
                # written here, without its calls and branches, the step costs
                # about 5 ns a neuron instead of 25. (Written out in the loop, with
                # inlined helpers: as a called function, numba's call left it at
                # 12 ns.) A zero slope at an end goes the long way: the test need
                # only be sufficient.
                v_end, n_end = _state_over_dt(v, n, Ji, at_dt)
                slope0 = (Ji - n) - v
                slope_end = (Ji - n_end) - v_end
                monotone = (slope0 > 0) == (slope_end > 0) and slope0 != 0
                monotone = monotone and slope_end != 0
                if monotone and v < 1.0 and min_voltage <= v_end < 1.0:
                    output[i] = 0.0
                    voltage[i] = v_end
                    refractory_time[i] = refractory
                    adaptation[i] = n_end
                    continue
            if not in_rounds:  # (busy == dt was written above)
                count, v, n, last_end = _events(
                    dt, Ji, v, n, busy, 0.0, refractory, at_dt, ref_decay, jump,
                    tau_rc, tau_ref, tau_n, min_voltage, rtol,
                )  # fmt: skip
                _write(i, count, v, n, last_end, refractory, spike_area,
                       output, voltage, refractory_time, adaptation)  # fmt: skip
                continue
            _keep(work, m, i, v, n, busy, 0.0, refractory)
            m += 1
        # The events, in rounds (see the module's docstring): each neuron on the
        # list runs to its next spike, found with _free_run's arithmetic for a
        # plain rise to threshold, or to the step's end; any other run finishes
        # event by event.
        for _ in range(MAX_RESOLVED_SPIKES):
            if m == 0:
                break
            # (the factors of the states at the runs' ends first, in one loop)
            for k in range(m):
                horizon = dt - w_free[k]
                if horizon != dt:
                    f_n[k], f_slow[k], f_d[k], f_decay[k] = _state_factors(
                        horizon, tau_rc, tau_n
                    )
            kept = 0
            for k in range(m):
                i = w_i[k]
                Ji = J[i]
                v = w_v[k]
                n = w_n[k]
                horizon = dt - w_free[k]
                if horizon == dt:
                    v_end, n_end = _state_over_dt(v, n, Ji, at_dt)
                else:
                    v_end, n_end = _state_from(
                        v, n, Ji, horizon, f_n[k], f_slow[k], f_d[k], f_decay[k],
                        tau_rc, tau_n,
                    )  # fmt: skip
                slope0 = (Ji - n) - v
                slope_end = (Ji - n_end) - v_end
                interior = _slope_changes_sign(slope0, slope_end)
                stuck = v <= min_voltage and Ji - n <= min_voltage
                if (
                    interior
                    or v - 1.0 >= 0
                    or (has_floor and (stuck or v_end < min_voltage))
                ):
                    count, v, n, last_end = _events(
                        dt, Ji, v, n, w_free[k], w_count[k], w_last[k], at_dt,
                        ref_decay, jump, tau_rc, tau_ref, tau_n, min_voltage, rtol,
                    )  # fmt: skip
                    _write(i, count, v, n, last_end, refractory_time[i] - dt,
                           spike_area, output, voltage, refractory_time,
                           adaptation)  # fmt: skip
                    continue
                if not v_end - 1.0 >= 0:
                    _write(i, w_count[k], v_end, n_end, w_last[k],
                           refractory_time[i] - dt, spike_area, output, voltage,
                           refractory_time, adaptation)  # fmt: skip
                    continue
                t, tol, g_noise, previous_step, pending = _refine_start(
                    1.0, v, n, Ji, 0.0, horizon, v - 1.0, v_end - 1.0, tau_rc, rtol
                )
                _keep(work, kept, i, v, n, w_free[k], w_count[k], w_last[k])
                c_t[kept] = t
                c_lo[kept] = 0.0
                c_hi[kept] = horizon
                c_prev[kept] = previous_step
                c_tol[kept] = tol
                c_noise[kept] = g_noise
                c_pending[kept] = pending
                kept += 1
            m = kept
            for _ in range(MAX_CROSSING_ITERATIONS):
                for k in range(m):
                    if c_pending[k]:
                        f_n[k], f_slow[k], f_d[k], f_decay[k] = _state_factors(
                            c_t[k], tau_rc, tau_n
                        )
                any_pending = False
                for k in range(m):
                    if c_pending[k]:
                        factors = (f_n[k], f_slow[k], f_d[k], f_decay[k])
                        t, lo, hi, previous_step, pending = _refine_step(
                            1.0, 1.0, w_v[k], w_n[k], J[w_i[k]], c_t[k], factors,
                            c_lo[k], c_hi[k], c_prev[k], c_tol[k], c_noise[k],
                            tau_rc, tau_n,
                        )  # fmt: skip
                        c_t[k] = t
                        c_lo[k] = lo
                        c_hi[k] = hi
                        c_prev[k] = previous_step
                        c_pending[k] = pending
                        any_pending |= pending
                if not any_pending:
                    break
            for k in range(m):  # (`_adaptation_at`'s factors first, in one loop)
                c_t[k] = min(max(c_t[k], c_lo[k]), c_hi[k])
                f_n[k] = math.exp(c_t[k] * (-1.0 / tau_n))
            kept = 0
            for k in range(m):
                t_cross = c_t[k]
                n_at = w_n[k] * f_n[k]
                count, n, last_end = _after_spike(
                    dt, w_free[k] + t_cross, n_at, w_count[k], ref_decay, jump,
                    tau_ref, tau_n,
                )  # fmt: skip
                i = w_i[k]
                if last_end >= dt:
                    _write(i, count, 0.0, n, last_end, refractory_time[i] - dt,
                           spike_area, output, voltage, refractory_time,
                           adaptation)  # fmt: skip
                    continue
                _keep(work, kept, i, 0.0, n, last_end, count, last_end)
                kept += 1
            m = kept
        for k in range(m):  # (never: the bound on dt / tau_ref ends the rounds)
            i = w_i[k]
            _write(i, w_count[k], w_v[k], w_n[k], w_last[k], refractory_time[i] - dt,
                   spike_area, output, voltage, refractory_time,
                   adaptation)  # fmt: skip
    return ACCEPTED


def _keep(work, k, i, v, n, free_at, count, last_end):
    """Neuron ``i`` at place ``k`` of the work lists ``(w_i, w_v, w_n, w_free,
    w_count, w_last)``."""
    w_i, w_v, w_n, w_free, w_count, w_last = work
    w_i[k] = i
    w_v[k] = v
    w_n[k] = n
    w_free[k] = free_at
    w_count[k] = count
    w_last[k] = last_end


def _write(i, count, v, n, last_end, refractory, spike_area,
           output, voltage, refractory_time, adaptation):  # fmt: skip
    output[i] = count * spike_area
    voltage[i] = v
    refractory_time[i] = last_end if count > 0 else refractory
    adaptation[i] = n


if AVAILABLE:  # pragma: no cover (depends on the environment)
    # rebound first: the kernel finds the compiled helpers under their names
    _phi = compile_kernel(_phi)
    _log1p_ratio = compile_kernel(_log1p_ratio)
    _adaptation_at = compile_kernel(_adaptation_at)
    _adaptation_response = compile_kernel(_adaptation_response)
    _voltage_at = compile_kernel(_voltage_at)
    _state_factors = compile_kernel(_state_factors, inline=True)
    _state_from = compile_kernel(_state_from, inline=True)
    _state_at = compile_kernel(_state_at)
    _state_over_dt = compile_kernel(_state_over_dt, inline=True)
    _slope_changes_sign = compile_kernel(_slope_changes_sign, inline=True)
    _extremum_time = compile_kernel(_extremum_time)
    _floor_release_time = compile_kernel(_floor_release_time)
    _segment = compile_kernel(_segment)
    _refine_start = compile_kernel(_refine_start)
    _refine_step = compile_kernel(_refine_step, inline=True)
    _refine = compile_kernel(_refine)
    _crossing = compile_kernel(_crossing)
    _free_run = compile_kernel(_free_run)
    _after_spike = compile_kernel(_after_spike)
    _events = compile_kernel(_events)
    _keep = compile_kernel(_keep, inline=True)
    _write = compile_kernel(_write)
    _inputs_status = compile_kernel(_inputs_status)
    _step_compiled = compile_kernel(_exact_adaptive_lif_step)


def exact_adaptive_lif_step_compiled(
    dt, J, output, voltage, refractory_time, adaptation, *params
):
    """One exact step in place; False (touching nothing) where it does not apply.

    Arrays are 1-d of one length and one floating dtype (else a ValueError
    naming the array, touching nothing: ``kernels.arrays``); ``params`` are
    :data:`PARAMETER_NAMES`. Returns False, touching nothing, for arrays of
    another floating dtype than float64, a non-finite current or one of
    magnitude :data:`LARGE_J` or more, a non-finite voltage or adaptation, and
    ``tau_ref = 0`` or ``dt > MAX_STEP_OVER_TAU_REF * tau_ref``: the numpy entry
    point steps those.
    """
    arrays = J, output, voltage, refractory_time, adaptation
    if not float64_arrays(ARRAY_NAMES, arrays):
        return False
    dt = checked_dt(dt)
    tau_ref = float(params[1])
    if not dt <= MAX_STEP_OVER_TAU_REF * tau_ref:
        require_in_place_arrays(ARRAY_NAMES, *arrays)  # (the same errors in any case)
        return False
    return run_checked(_step_compiled, ARRAY_NAMES, dt, arrays, params)
