r"""The adaptive LIF neuron's continuous-time model, in closed form.

This is the model that `nengo.AdaptiveLIF` discretizes, in normalized units
(threshold 1, reset 0):

.. math::

    \tau_{RC} \dot V = J - n - V, \qquad \tau_n \dot n = -n,

with ``J`` constant (over a step). When ``V`` reaches 1 the neuron spikes: ``V``
is held at 0 for ``tau_ref`` and the adaptation ``n`` jumps by
``inc_n * amplitude / tau_n`` (what nengo's update adds per spike). ``n`` keeps
decaying through refractory periods. ``V`` never goes below ``min_voltage``: it
sticks at that floor while the drive ``J - n(t)`` is below it and leaves it when
the drive rises back above it.

Between events the solution is, with ``n(t) = n0 exp(-t / tau_n)``,

.. math::

    V(t) = V_0 + (V_0 - J)\,\mathrm{expm1}(-t/\tau_{RC}) - n_0 K(t), \qquad
    K(t) = \frac{\tau_n}{\tau_n - \tau_{RC}} (e^{-t/\tau_n} - e^{-t/\tau_{RC}}),

the response of the membrane to the decaying adaptation current. ``K`` is
evaluated as ``(t / tau_rc) exp(-t / max(tau_n, tau_rc)) phi(-|d| t)`` with
``d = 1/tau_rc - 1/tau_n`` and ``phi(x) = expm1(x) / x``: no cancellation when
the two time constants are close, and ``tau_n == tau_rc`` (``phi = 1``, ``K =
(t / tau_rc) exp(-t / tau_rc)``) is the same formula. The argument of ``phi``
is never positive, so nothing overflows however different the time constants.

``V'`` is a sum of two exponentials, so it changes sign at most once: ``V`` has
at most one extremum between events (a minimum when ``n0 > 0``, a maximum when
``n0 < 0``), at a time given in closed form (`extremum_time_xp`). A level
crossing is therefore bracketed from the slopes at the ends of the interval and
the extremum, then refined by a safeguarded Halley iteration (`crossing_time_xp`).

Functions ending in ``_xp`` take an array namespace ``xp`` (numpy semantics:
``exp``, ``expm1``, ``log1p``, ``abs``, ``maximum``, ``minimum``, ``where``,
``isfinite``, ``any``), so that the TensorFlow builder can run the same code.
They evaluate no formula outside its domain, not even in a discarded ``where``
branch, for finite inputs. Loops are bounded by named constants.

Their data-dependent control flow (loops that stop once no element needs more
work, work skipped where no element needs it) goes through two drivers,
`while_any_xp` and `if_any_xp`: the loop bodies and branches are written once,
and the namespace decides how they run. Numpy has no driver of its own, so they
run as Python loops and ``if`` statements with early exits; a namespace with
``while_any`` and ``if_any`` methods (TensorFlow's, in
:mod:`nengo_tuning.dl.tf_namespace`: ``tf.while_loop`` and ``tf.cond``) runs them
as its own control flow, in a graph.
"""

import numpy as np

from nengo_tuning.math.lif import lif_rate

#: Most iterations of the crossing refinement. The iteration is Halley's (Newton's
#: where Halley's correction is large), but a step that leaves the bracket, or
#: does not at least halve the previous step, is replaced by bisection, so the
#: bracket at least halves every two iterations: from a bracket of width ``h``
#: to ``4 eps h`` takes at most ``2 * 53`` iterations in float64. Started from
#: the crossing time of the frozen drive, the cubic convergence ends it in two
#: or three iterations in practice; the loop stops once every neuron is done.
MAX_CROSSING_ITERATIONS = 110

#: Relative tolerance of a crossing time, in units of the bracket it started in
#: (four float64 epsilons: times are found to float precision).
CROSSING_RTOL = 4 * float(np.finfo(np.float64).eps)

#: Most bisection iterations of `adapted_rate`'s fixed-point search, and most
#: doublings of its upper bracket.
MAX_RATE_ITERATIONS = 200


def while_any_xp(pending, body, loop_vars, max_iterations, xp=np):
    """Run ``body`` while any element of ``pending(*loop_vars)`` is true.

    ``loop_vars = body(*loop_vars)`` at most ``max_iterations`` times; the
    condition is checked before each iteration. Returns the final ``loop_vars``
    (a tuple). ``body`` must return arrays of the shapes and dtypes it was given
    (a graph namespace's loop needs them fixed).

    Uses ``xp.while_any(pending, body, loop_vars, max_iterations)`` where the
    namespace has one (a graph loop), else a Python loop that stops early.
    """
    loop = getattr(xp, "while_any", None)
    if loop is not None:
        return loop(pending, body, tuple(loop_vars), max_iterations)
    for _ in range(max_iterations):
        if not bool(xp.any(pending(*loop_vars))):
            break
        loop_vars = body(*loop_vars)
    return tuple(loop_vars)


def if_any_xp(mask, then, otherwise, xp=np):
    """``then()`` if any element of ``mask`` is true, else ``otherwise()``.

    For work that only some elements need, whose results are masked where they
    do not: the two branches must agree there, so skipping is only a saving.
    Both return arrays of the same shapes and dtypes. Uses ``xp.if_any`` where
    the namespace has one (a graph conditional), else a Python ``if``.
    """
    choose = getattr(xp, "if_any", None)
    if choose is not None:
        return choose(mask, then, otherwise)
    return then() if bool(xp.any(mask)) else otherwise()


def _phi_xp(x, xp):
    """``expm1(x) / x`` for ``x <= 0`` (1 at ``x = 0``), without cancellation."""
    negative = x < 0
    safe = xp.where(negative, x, -1.0)
    return xp.where(negative, xp.expm1(safe) / safe, 1.0)


def _log1p_ratio_xp(x, xp):
    """``log1p(x) / x`` for ``x > -1`` (1 at ``x = 0``)."""
    nonzero = x != 0
    safe = xp.where(nonzero, x, 1.0)
    return xp.where(nonzero, xp.log1p(safe) / safe, 1.0)


def adaptation_at_xp(n0, t, tau_n, xp=np):
    """Adaptation after a time ``t`` without spikes: ``n0 exp(-t / tau_n)``."""
    return n0 * xp.exp(t * (-1.0 / tau_n))


def adaptation_response_xp(t, tau_rc, tau_n, xp=np):
    """``K(t)``: the voltage change per unit of initial adaptation, negated.

    ``K(0) = 0`` and ``tau_rc K' = exp(-t / tau_n) - K``. See the module
    docstring for the cancellation-free form used.
    """
    if _is_scalar(tau_n, tau_rc):
        d_abs = abs(tau_n - tau_rc) / (tau_n * tau_rc)
        tau_slow = max(tau_n, tau_rc)
    else:  # per-neuron parameters (arrays)
        d_abs = xp.abs((tau_n - tau_rc) / (tau_n * tau_rc))
        tau_slow = xp.maximum(tau_n, tau_rc)
    return (t / tau_rc) * xp.exp(t * (-1.0 / tau_slow)) * _phi_xp(-d_abs * t, xp)


def _is_scalar(*values):
    return all(isinstance(v, (int, float, np.number)) for v in values)


def voltage_at_xp(v0, n0, J, t, tau_rc, tau_n, xp=np):
    """Membrane voltage after a time ``t`` from ``(v0, n0)``, without floor or spike."""
    decay_m1 = xp.expm1(t * (-1.0 / tau_rc))
    return v0 + (v0 - J) * decay_m1 - n0 * adaptation_response_xp(t, tau_rc, tau_n, xp)


def slope_term_xp(v, n, J):
    """``tau_rc dV/dt = J - n - V`` at a state ``(v, n)``."""
    return (J - n) - v


def extremum_time_xp(v0, n0, J, tau_rc, tau_n, xp=np):
    """Time of the membrane's extremum from ``(v0, n0)`` (where ``V' = 0``).

    Meaningful only where ``V'`` changes sign at some ``t > 0`` (callers check
    the slopes at both ends first). Setting ``V'(t) = 0`` in the solution gives
    ``exp(-t (tau_n - tau_rc) / (tau_n tau_rc)) = 1 + x`` with ``x = (tau_n -
    tau_rc) s0 / D``, ``s0 = J - n0 - v0`` and ``D = n0 tau_n - (tau_n - tau_rc)
    (J - v0)``, so

    ``t = -tau_rc tau_n (s0 / D) log1p(x) / x``,

    which is ``-tau_rc s0 / n0`` for ``tau_n == tau_rc`` and has no cancellation
    when the time constants are close. Elsewhere the result is finite but
    meaningless.
    """
    s0 = slope_term_xp(v0, n0, J)
    delta = tau_n - tau_rc
    den = n0 * tau_n - delta * (J - v0)
    den_ok = den != 0
    ratio = s0 / xp.where(den_ok, den, 1.0)
    x = delta * ratio
    valid = den_ok & (x > -1)
    t = -(tau_rc * tau_n) * ratio * _log1p_ratio_xp(xp.where(valid, x, 0.0), xp)
    return xp.where(valid & xp.isfinite(t), t, 0.0)


def floor_release_time_xp(n0, J, min_voltage, tau_n, xp=np):
    """Time until the drive ``J - n(t)`` rises to ``min_voltage`` (+inf: never).

    ``tau_n log1p((min_voltage - (J - n0)) / (J - min_voltage))`` where ``n0 >=
    J - min_voltage > 0``; 0 where the drive is already there, +inf where it
    never gets there (``J <= min_voltage``, or ``n0 <= 0`` below it).
    """
    room = J - min_voltage  # what the drive can rise to, above the floor
    shortfall = min_voltage - (J - n0)  # how far below the floor it is now
    reachable = (room > 0) & (n0 > 0)
    safe_room = xp.where(reachable, room, 1.0)
    t = tau_n * xp.log1p(xp.maximum(shortfall, 0.0) / safe_room)
    return xp.where(shortfall <= 0, 0.0, xp.where(reachable, t, float("inf")))


class Segment:
    """The closed-form solution from ``(v0, n0)`` under ``J`` over ``[0, horizon]``.

    What every level-crossing search on that interval needs, computed once:
    the end state, the slope terms at both ends (``tau_rc V'``), and where
    ``V'`` changes sign inside, the extremum's time and voltage.
    """

    def __init__(self, v0, n0, J, horizon, tau_rc, tau_n, xp=np):
        self.v0, self.n0, self.J, self.horizon = v0, n0, J, horizon
        self.tau_rc, self.tau_n, self.xp = tau_rc, tau_n, xp
        self.v_end = voltage_at_xp(v0, n0, J, horizon, tau_rc, tau_n, xp)
        self.n_end = adaptation_at_xp(n0, horizon, tau_n, xp)
        self.slope0 = slope_term_xp(v0, n0, J)
        slope_end = slope_term_xp(self.v_end, self.n_end, J)
        changes_sign = ((self.slope0 > 0) & (slope_end < 0)) | (
            (self.slope0 < 0) & (slope_end > 0)
        )

        def extremum():
            t_e = xp.minimum(extremum_time_xp(v0, n0, J, tau_rc, tau_n, xp), horizon)
            t_e = xp.where(changes_sign, t_e, 0.0)
            return t_e, voltage_at_xp(v0, n0, J, t_e, tau_rc, tau_n, xp)

        # (saves the work where no neuron has an extremum; t_e = 0 gives v0)
        self.t_e, self.v_e = if_any_xp(
            changes_sign, extremum, lambda: (0.0 * v0, v0), xp
        )
        # Over a long run V settles on its asymptote J - n to rounding, and the
        # slope at the end, J - n - V, is rounding noise of either sign: a sign
        # change without an extremum (none at all where n0 = 0), for which
        # `extremum_time_xp` gives 0. Taken as an extremum at the start, it
        # would hide the run's threshold crossing (a neuron fell silent for the
        # rest of a step over 37 tau_rc long).
        self.interior = changes_sign & (self.t_e > 0)

    def voltage(self, t):
        return voltage_at_xp(
            self.v0, self.n0, self.J, t, self.tau_rc, self.tau_n, self.xp
        )

    def slope(self, t, v):
        n = adaptation_at_xp(self.n0, t, self.tau_n, self.xp)
        return slope_term_xp(v, n, self.J)


def crossing_time_xp(
    level, upward, v0, n0, J, horizon, tau_rc, tau_n, xp=np, rtol=CROSSING_RTOL
):
    """First time in ``[0, horizon]`` at which ``V`` reaches ``level``, or +inf.

    ``upward=True`` looks for ``V >= level`` (a spike at ``level = 1``),
    ``upward=False`` for ``V <= level`` (the ``min_voltage`` floor). Where the
    start is already there (``v0 >= level`` upward, ``v0 < level`` downward) the
    answer is 0. Uses the at-most-one-extremum property: with ``g = ±(V -
    level)``, the crossing is bracketed by ``[t_e, horizon]`` after a minimum of
    ``g`` at ``t_e``, by ``[0, t_e]`` before a maximum, by ``[0, horizon]``
    otherwise, and exists iff ``g >= 0`` at the bracket's upper end; ``g``
    increases monotonically on the bracket, where the root is refined
    (``_refine_crossing_xp``).
    """
    segment = Segment(v0, n0, J, horizon, tau_rc, tau_n, xp)
    return segment_crossing_xp(level, upward, segment, rtol)


def segment_crossing_xp(level, upward, segment, rtol=CROSSING_RTOL):
    """`crossing_time_xp` on a `Segment` (to share it between two levels)."""
    xp = segment.xp
    sign = 1.0 if upward else -1.0
    g0 = sign * (segment.v0 - level)
    g_e = sign * (segment.v_e - level)
    g_has_max = segment.interior & (sign * segment.slope0 > 0)
    g_has_min = segment.interior & (sign * segment.slope0 < 0)
    lo = xp.where(g_has_min, segment.t_e, 0.0)
    hi = xp.where(g_has_max, segment.t_e, segment.horizon)
    g_lo = xp.where(g_has_min, g_e, g0)
    g_hi = xp.where(g_has_max, g_e, sign * (segment.v_end - level))
    already = (g0 >= 0) if upward else (g0 > 0)
    found = ~already & (g_hi >= 0) & (g_lo < 0)
    t = _refine_crossing_xp(level, sign, segment, lo, hi, g_lo, g_hi, found, rtol)
    return xp.where(already, 0.0, xp.where(found, t, float("inf")))


def _refine_crossing_xp(level, sign, segment, lo, hi, g_lo, g_hi, active, rtol):
    """Root of ``g = sign (V - level)`` in ``[lo, hi]``, ``g(lo) < 0 <= g(hi)``.

    Safeguarded Halley iteration (see :data:`MAX_CROSSING_ITERATIONS`) with
    ``tau_rc V' = J - n - V`` and ``tau_rc^2 V'' = tau_rc n / tau_n - tau_rc V'``,
    started from the crossing time the drive frozen at its start value would
    give (the LIF formula), or the secant point. Elements not ``active`` are
    left alone (their result is meaningless). Stops where the step, the
    bracket or ``|g|`` (against ``V``'s own rounding) is at float precision.
    """
    xp, tau_rc, tau_n = segment.xp, segment.tau_rc, segment.tau_n
    t = _initial_guess_xp(level, segment, lo, hi, g_lo, g_hi, active)
    tol = rtol * xp.maximum(hi - lo, 0.0)
    # V itself is only known to rounding, about eps (|J| + |n0| + 1): closer to
    # the level than that, g's sign is noise and the time is as good as it gets
    g_noise = rtol * (xp.abs(segment.J) + xp.abs(segment.n0) + 1.0)

    def refine(t, lo, hi, previous_step, pending):
        v = segment.voltage(t)
        n = adaptation_at_xp(segment.n0, t, tau_n, xp)
        g = sign * (v - level)
        slope_term = slope_term_xp(v, n, segment.J)
        g1 = sign * slope_term / tau_rc
        g2 = sign * (n / tau_n - slope_term / tau_rc) / tau_rc
        # keep the bracket [lo, hi] around the root
        above = g >= 0
        hi = xp.where(pending & above, t, hi)
        lo = xp.where(pending & ~above, t, lo)
        rising = g1 > 0
        newton = -g / xp.where(rising, g1, 1.0)
        # Halley's correction where it is modest, else Newton's step
        shrink = 1.0 + 0.5 * newton * g2 / xp.where(rising, g1, 1.0)
        halley = xp.where(
            shrink > 0.5, newton / xp.where(shrink > 0.5, shrink, 1.0), newton
        )
        candidate = t + halley
        step = xp.abs(halley)
        # (a point on the bracket's edge is the root itself, g = 0 there)
        accept = rising & (candidate >= lo) & (candidate <= hi)
        accept = accept & (step <= 0.5 * previous_step)
        t_next = xp.where(accept, candidate, 0.5 * (lo + hi))
        step = xp.abs(t_next - t)
        t = xp.where(pending, t_next, t)
        previous_step = xp.where(pending, step, previous_step)
        pending = pending & (step > tol) & (hi - lo > tol) & (xp.abs(g) > g_noise)
        return t, lo, hi, previous_step, pending

    t, lo, hi, _, _ = while_any_xp(
        lambda *loop_vars: loop_vars[-1],
        refine,
        (t, lo, hi, hi - lo, active & (hi - lo > tol)),
        MAX_CROSSING_ITERATIONS,
        xp,
    )
    return xp.minimum(xp.maximum(t, lo), hi)


def _initial_guess_xp(level, segment, lo, hi, g_lo, g_hi, active):
    """A start for the refinement inside ``[lo, hi]``.

    With the drive ``D = J - n0`` frozen, ``V`` reaches ``level`` after
    ``tau_rc log1p((v0 - level) / (level - D))`` where that ratio is positive;
    the exact time differs by the adaptation's decay over the climb. Elsewhere
    (or outside the bracket) the secant point of ``g`` over the bracket.
    """
    xp = segment.xp
    frac = xp.where(active, -g_lo / xp.where(active, g_hi - g_lo, 1.0), 0.5)
    secant = lo + (hi - lo) * xp.minimum(xp.maximum(frac, 0.0), 1.0)
    away = level - (segment.J - segment.n0)
    ratio = (segment.v0 - level) / xp.where(away != 0, away, 1.0)
    usable = active & (away != 0) & (ratio > 0)
    frozen = segment.tau_rc * xp.log1p(xp.where(usable, ratio, 0.0))
    inside = usable & (frozen > lo) & (frozen < hi)
    return xp.where(inside, frozen, secant)


def free_run_xp(v0, n0, J, horizon, tau_rc, tau_n, min_voltage, xp=np, rtol=None):
    """Integrate from ``(v0, n0)`` for up to ``horizon`` with the floor, to a spike.

    Returns ``(t_spike, v, n)``: the time of the first threshold crossing
    (+inf if there is none within ``horizon``) and the state then (``v = 1`` and
    ``n`` before its jump), or at ``horizon`` if there is no spike. ``v0`` must
    be at or above ``min_voltage``.

    The floor is handled exactly: within one run the membrane can stick at the
    floor (at the start, or after reaching it), leave it when the drive
    ``J - n(t)`` rises back above it (`floor_release_time_xp`), and then cannot
    reach it again (``n`` keeps its sign and decays, so the drive only rises,
    or only falls, and a falling drive never releases). So two phases of "wait
    at the floor, then move until the threshold, the floor or the horizon"
    cover every case.
    """
    rtol = CROSSING_RTOL if rtol is None else rtol
    inf = float("inf")
    has_floor = min_voltage > -inf

    def wait_at_floor(v, n, elapsed, pending):
        stuck = pending & (v <= min_voltage) & (J - n <= min_voltage)

        def wait():
            release = floor_release_time_xp(n, J, min_voltage, tau_n, xp)
            wait = xp.where(stuck, xp.minimum(release, horizon - elapsed), 0.0)
            n_waited = adaptation_at_xp(n, wait, tau_n, xp)
            return xp.where(stuck, min_voltage, v), n_waited, elapsed + wait

        return if_any_xp(stuck, wait, lambda: (v, n, elapsed), xp)

    def phase(v, n, elapsed, t_spike, pending):
        if has_floor:
            v, n, elapsed = wait_at_floor(v, n, elapsed, pending)
        left = xp.where(pending, horizon - elapsed, 0.0)
        segment = Segment(v, n, J, left, tau_rc, tau_n, xp)
        t_cross = segment_crossing_xp(1.0, True, segment, rtol)
        t_hit = inf
        if has_floor:
            # the floor is reached only by ending below it or through a minimum
            moving = pending & (left > 0)
            may_hit = moving & ((segment.v_end < min_voltage) | segment.interior)
            t_hit = if_any_xp(
                may_hit,
                lambda: xp.where(
                    moving, segment_crossing_xp(min_voltage, False, segment, rtol), inf
                ),
                lambda: inf + elapsed,  # (+inf, as an array: elapsed is finite)
                xp,
            )
        crossed = pending & (t_cross <= left) & (t_cross <= t_hit)
        hit = pending & ~crossed & (t_hit <= left)
        run = xp.where(crossed, t_cross, xp.where(hit, t_hit, left))
        n = xp.where(pending, adaptation_at_xp(n, run, tau_n, xp), n)
        t_spike = xp.where(crossed, elapsed + t_cross, t_spike)
        # (at a crossing V is the level; otherwise the run went to the end)
        v_end = xp.where(crossed, 1.0, xp.where(hit, min_voltage, segment.v_end))
        v = xp.where(pending, v_end, v)
        elapsed = xp.where(pending, elapsed + run, elapsed)
        return v, n, elapsed, t_spike, hit

    elapsed = 0.0 * v0
    v, n, elapsed, t_spike, pending = while_any_xp(
        lambda *loop_vars: loop_vars[-1],
        phase,
        (v0, n0, elapsed, inf + elapsed, horizon >= 0),
        2,
        xp,
    )
    if has_floor:
        # (only by rounding) a second arrival at the floor: stay there
        v, n = if_any_xp(
            pending,
            lambda: (
                xp.where(pending, min_voltage, v),
                xp.where(pending, adaptation_at_xp(n, horizon - elapsed, tau_n, xp), n),
            ),
            lambda: (v, n),
            xp,
        )
        v = xp.where(t_spike < inf, v, xp.maximum(v, min_voltage))
    return t_spike, v, n


def adaptation_jump(inc_n, amplitude, tau_n):
    """How much one spike adds to the adaptation: ``inc_n * amplitude / tau_n``."""
    return inc_n * amplitude / tau_n


def rate_driven_adaptation_xp(n0, rate, t, tau_n, inc_n, xp=np):
    r"""Adaptation after a time ``t`` driven by a constant ``rate``, exactly.

    The rate model of the adaptation (what `nengo.AdaptiveLIFRate` discretizes):
    :math:`\tau_n \dot n = \mathrm{inc}_n r - n`, with ``rate`` the output rate
    (Hz times ``amplitude``) held over ``t``. Its solution is
    ``inc_n r + (n0 - inc_n r) exp(-t / tau_n)``. On average it is what the spikes
    do: ``rate / amplitude`` spikes per second, each adding
    `adaptation_jump` ``= inc_n * amplitude / tau_n``, make
    ``tau_n dn/dt = inc_n * rate - n`` in the mean; and as ``t -> 0`` it is
    nengo's Euler step ``n + (t / tau_n) (inc_n r - n)``.
    """
    target = inc_n * rate
    return target + adaptation_at_xp(n0 - target, t, tau_n, xp)


def adapted_rate(
    J, tau_rc=0.02, tau_ref=0.002, tau_n=1.0, inc_n=0.01, amplitude=1.0, min_voltage=0
):
    r"""Steady firing rate of the adaptive LIF under a constant current ``J``.

    Under constant ``J > 1`` the neuron settles into a periodic orbit: ``n`` is a
    sawtooth, jumping by ``jump = inc_n * amplitude / tau_n`` at each spike and
    decaying in between. With inter-spike interval ``T``, ``n`` just after a
    spike is ``jump / (1 - exp(-T / tau_n))``; the orbit's ``T`` is the one for
    which the climb from reset, starting once the refractory period is over with
    that adaptation decayed over ``tau_ref``, takes ``T - tau_ref``. The climb
    time falls as ``T`` grows (less adaptation), so that equation has exactly one
    root, found by bisection to float precision between the unadapted interval
    ``1 / G(J)`` and an upper bracket found by doubling. The mean adaptation
    along the orbit is ``inc_n * amplitude * rate``.

    This is not ``G(J - mean n)`` (``G`` the LIF curve), and it is not what
    `.ExactAdaptiveLIF.rates` returns: like `nengo.AdaptiveLIF`, the neuron type's
    ``rates`` is the unadapted LIF curve ``G(J)``, which Nengo uses to solve
    decoders (the rate at the onset of a step in ``J``, before adaptation builds
    up). ``adapted_rate <= G(J)``, with equality for ``inc_n = 0``.

    Returns
    -------
    rate : ndarray
        Hz (times ``amplitude``), float64, 0 for ``J <= 1``.
    """
    J = np.atleast_1d(np.asarray(J, dtype=np.float64))
    unadapted = lif_rate(J, tau_rc, tau_ref, amplitude)
    fires = (J > 1) & np.isfinite(J)
    if inc_n == 0 or not np.any(fires):
        return np.where(fires | (J == np.inf), unadapted, 0.0)
    Jf = J[fires]
    jump = adaptation_jump(inc_n, amplitude, tau_n)
    lo = tau_ref + tau_rc * np.log1p(1.0 / (Jf - 1.0))  # 1 / G(J): no adaptation

    def spikes_within(isi):
        """Whether the orbit's climb with interval ``isi`` ends before ``isi``."""
        n_after = jump / -np.expm1(-isi / tau_n)
        n_free = adaptation_at_xp(n_after, tau_ref, tau_n)
        climb = np.maximum(isi - tau_ref, 0.0)
        t_spike, _, _ = free_run_xp(
            np.zeros_like(Jf), n_free, Jf, climb, tau_rc, tau_n, min_voltage
        )
        return t_spike <= climb

    hi = 2.0 * lo
    for _ in range(MAX_RATE_ITERATIONS):
        short = ~spikes_within(hi)
        if not short.any():
            break
        hi = np.where(short, 2.0 * hi, hi)
    else:  # pragma: no cover (the climb time is bounded for J > 1)
        raise RuntimeError("adapted_rate: no upper bracket for the orbit")
    for _ in range(MAX_RATE_ITERATIONS):
        mid = 0.5 * (lo + hi)
        done = (mid <= lo) | (mid >= hi) | (hi - lo <= 2 * CROSSING_RTOL * hi)
        if done.all():
            break
        ok = spikes_within(mid)
        hi = np.where(~done & ok, mid, hi)
        lo = np.where(~done & ~ok, mid, lo)
    rate = np.where(fires, 0.0, np.where(J == np.inf, unadapted, 0.0))
    rate[fires] = amplitude / hi
    return rate


__all__ = [
    "CROSSING_RTOL",
    "MAX_CROSSING_ITERATIONS",
    "Segment",
    "adaptation_at_xp",
    "adaptation_jump",
    "adaptation_response_xp",
    "adapted_rate",
    "crossing_time_xp",
    "extremum_time_xp",
    "floor_release_time_xp",
    "free_run_xp",
    "if_any_xp",
    "rate_driven_adaptation_xp",
    "segment_crossing_xp",
    "slope_term_xp",
    "voltage_at_xp",
    "while_any_xp",
]
